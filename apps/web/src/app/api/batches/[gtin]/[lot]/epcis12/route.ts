import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** The batch's custody timeline as an EPCIS 1.2 XML document with the GS1 US healthcare header (application/xml). */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ gtin: string; lot: string }> }) =>
  readApi.batchEpcis12(await appContext(), request, await params),
);
