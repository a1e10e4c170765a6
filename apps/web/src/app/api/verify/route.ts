import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { clientAddress } from "../../../server/security/client-address.ts";
import { withVerificationSlot } from "../../../server/security/in-flight.ts";
import { rateLimitError, takeVerification } from "../../../server/security/rate-limit.ts";
import { verifyResponse } from "../../../server/verify/http.ts";

export const dynamic = "force-dynamic";

/**
 * Verify a pack code (any GS1 form): ?code=...&purpose=verify|dispense&history=1. Rate limited per
 * client, and shed with 429 BUSY when too many checks are already running.
 */
export const GET = handle(async (request: Request) => {
  const refusal = await takeVerification(clientAddress(request.headers));
  if (refusal !== undefined) throw rateLimitError(refusal);
  return withVerificationSlot(() => verifyResponse(appContext, request));
});
