import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** One alert. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.alert(await appContext(), request, (await params).id),
);

/** Closes (or reopens) an alert: `{"status":"CLOSED"}`; a regulator, or the party whose scan raised it. */
export const PATCH = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.closeAlert(await appContext(), request, (await params).id),
);
