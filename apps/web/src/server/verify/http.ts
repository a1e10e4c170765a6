/**
 * GET /api/verify?code=...&purpose=verify|dispense&history=1: the request side of verifyCode. A
 * missing, oversized or malformed parameter is a 400 JSON error; every answer about the pack
 * (INVALID_CODE included) is a verdict, with 503 only when a source could not be read.
 */
import { MAX_INPUT_LENGTH } from "@pedigree/gs1";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { serverOrigin } from "../auth/origin.ts";
import { findSession } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import { unavailableAnswer, verifyCode, type VerifyPurpose } from "./verify.ts";

const RETRY_LATER = { "retry-after": "5" };
const FLAGS: Record<string, boolean> = { "1": true, true: true, "0": false, false: false };

/**
 * `context` opens the app's context; when that fails (no database, no chain configuration) the
 * answer is still a verdict, UNAVAILABLE with 503, never an error page a patient cannot read.
 */
export async function verifyResponse(context: () => Promise<AppContext>, request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const code = single(params, "code");
  if (code === undefined || code.trim() === "") {
    throw new ApiError(
      400,
      "MISSING_CODE",
      "Give the pack's code as ?code=...: the scanned data, the bracketed form (01)...(21)..., or a GS1 Digital Link URI.",
    );
  }
  if (code.length > MAX_INPUT_LENGTH) {
    throw new ApiError(
      400,
      "CODE_TOO_LONG",
      `The code has ${code.length} characters; a pack code has at most ${MAX_INPUT_LENGTH}. Send only the code.`,
    );
  }
  const purpose = single(params, "purpose") ?? "verify";
  if (purpose !== "verify" && purpose !== "dispense") {
    throw new ApiError(400, "INVALID_PURPOSE", `purpose must be 'verify' or 'dispense' (got '${purpose}').`);
  }
  const historyText = single(params, "history") ?? "0";
  const history = FLAGS[historyText];
  if (history === undefined) {
    throw new ApiError(400, "INVALID_HISTORY", `history must be 1 or 0 (got '${historyText}').`);
  }
  let ctx: AppContext;
  try {
    ctx = await context();
  } catch (error) {
    console.error("Verification could not start:", error);
    return jsonResponse(
      unavailableAnswer(new Date(), purpose, "the server cannot open its database or ledger connection"),
      {
        status: 503,
        headers: RETRY_LATER,
      },
    );
  }
  // A signed-in party's scan is recorded with its alerts; without a session (a patient) nothing is.
  const session = await findSession(ctx, request)
    .then((found) => found.session)
    .catch(() => undefined);
  const { status, body } = await verifyCode(ctx, code, {
    purpose: purpose as VerifyPurpose,
    history,
    ...(session === undefined ? {} : { reportedBy: session.address }),
    digitalLinkBase: serverOrigin(request).origin,
  });
  return jsonResponse(body, { status, ...(status === 503 ? { headers: RETRY_LATER } : {}) });
}

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) {
    throw new ApiError(400, "REPEATED_PARAMETER", `Give ${name} once (it appears ${values.length} times).`);
  }
  return values[0];
}
