import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** The batch's custody timeline as an EPCIS 2.0 EPCISDocument (application/ld+json). */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ gtin: string; lot: string }> }) =>
  readApi.batchEpcis(await appContext(), request, await params),
);
