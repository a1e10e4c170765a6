import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** A shipment as EPCIS 1.2 XML with the GS1 US healthcare header: the same events as /epcis, seller to buyer (server/read/shipment-epcis.ts). */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.shipmentEpcis12(await appContext(), request, (await params).id),
);
