import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** The batch's custody timeline as CSV. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ gtin: string; lot: string }> }) =>
  readApi.batchCsv(await appContext(), request, await params),
);
