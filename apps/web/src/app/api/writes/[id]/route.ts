import { handle } from "../../../../server/api/handle.ts";
import { appContext } from "../../../../server/context.ts";
import { writeResponse } from "../../../../server/signer/http.ts";

export const dynamic = "force-dynamic";

/** One write: its status, transaction and outcome (the ledger's reason, for a refusal or a revert). */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  writeResponse(await appContext(), request, (await params).id),
);
