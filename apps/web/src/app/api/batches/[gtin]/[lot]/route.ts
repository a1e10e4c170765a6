import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** The batch, where its units are, and its custody timeline. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ gtin: string; lot: string }> }) =>
  readApi.batch(await appContext(), request, await params),
);
