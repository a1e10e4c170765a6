import { parseGs1 } from "@pedigree/gs1";
import { ApiError, jsonResponse } from "@/server/api/errors";
import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { lookupSerial } from "@/server/manifests/store";
import { clientAddress } from "@/server/security/client-address";
import { rateLimitError, takeVerification } from "@/server/security/rate-limit";

/**
 * GET /api/packs/proof?code=<pack code>: the pack's index and Merkle proof in its batch's serial
 * list, what `decommission` and `verifyPack` take. Given only to whoever presents the pack's own
 * code (a proof shows no serial but the one asked about), one code at a time, under the same
 * per-client allowance as verification, so it cannot be used to test guessed serials in bulk.
 */
export const GET = handle(async (request: Request) => {
  const refusal = await takeVerification(clientAddress(request.headers));
  if (refusal !== undefined) throw rateLimitError(refusal);
  const code = new URL(request.url).searchParams.get("code");
  if (!code)
    throw new ApiError(
      400,
      "MISSING_CODE",
      "Pass the pack's code as ?code= (scan data, (01)...(21)... or a Digital Link).",
    );
  const parsed = parseGs1(code);
  if (!parsed.ok)
    throw new ApiError(400, "INVALID_CODE", `The code cannot be read: ${parsed.error.message}`, {
      details: parsed.error,
    });
  const { gtin, lot, serial } = parsed.value;
  if (!gtin || !lot || !serial) {
    throw new ApiError(
      400,
      "INCOMPLETE_CODE",
      "The code must carry the GTIN (01), the lot (10) and the serial (21) of the pack.",
    );
  }
  const found = await lookupSerial((await appContext()).db, { gtin, lot, serial });
  if (found.status === "no_manifest") {
    throw new ApiError(
      404,
      "NO_MANIFEST",
      `This server holds no serial list for GTIN ${gtin} lot ${lot}; ask its manufacturer to upload it.`,
    );
  }
  if (found.status === "not_found") {
    throw new ApiError(404, "UNKNOWN_SERIAL", `Serial ${serial} is not in the serial list of GTIN ${gtin} lot ${lot}.`);
  }
  return jsonResponse({ gtin, lot, serial, batchId: found.batchId, index: found.index, proof: found.proof });
});
