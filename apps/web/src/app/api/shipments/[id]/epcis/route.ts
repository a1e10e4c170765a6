import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** A shipment as an EPCIS 2.0 EPCISDocument: its units' aggregation, its shipping and receiving (server/read/shipment-epcis.ts). */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.shipmentEpcis(await appContext(), request, (await params).id),
);
