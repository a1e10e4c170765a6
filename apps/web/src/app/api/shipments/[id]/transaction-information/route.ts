import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** A shipment's DSCSA transaction information, JSON or ?format=csv (server/read/transaction-information.ts). */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.transactionInformation(await appContext(), request, (await params).id),
);
