import { handle } from "@/server/api/errors";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** One alert. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.alert(await appContext(), request, (await params).id),
);
