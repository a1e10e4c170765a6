import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";
import { clientAddress } from "@/server/security/client-address";
import { rateLimitError, takeVerification } from "@/server/security/rate-limit";

/**
 * Search by GTIN, lot, pack code, SSCC, party or hash. A pack code answers about that code, so the
 * search shares the verification allowance per client (it cannot be used to test guessed serials).
 */
export const GET = handle(async (request: Request) => {
  const refusal = await takeVerification(clientAddress(request.headers));
  if (refusal !== undefined) throw rateLimitError(refusal);
  return readApi.search(await appContext(), request);
});
