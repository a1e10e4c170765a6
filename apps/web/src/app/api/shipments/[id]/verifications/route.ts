import { handle } from "../../../../../server/api/handle.ts";
import { appContext } from "../../../../../server/context.ts";
import { returnStatusResponse, verifyReturnedPackResponse } from "../../../../../server/vrs/returns.ts";

export const dynamic = "force-dynamic";

/** A returned shipment's packs verified with their manufacturers so far, and whether it can be received. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  returnStatusResponse(await appContext(), request, (await params).id),
);

/** Verifies one returned pack {code} or {gtin, lot, serial, expiry?} with its manufacturer's responder and records the answer. */
export const POST = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  verifyReturnedPackResponse(await appContext(), request, (await params).id),
);
