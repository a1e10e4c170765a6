import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** A pack's trace: every event of it and of the units it was in, and where it is (server/read/trace.ts). */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ gtin: string; serial: string }> }) =>
  readApi.packTrace(await appContext(), request, await params),
);
