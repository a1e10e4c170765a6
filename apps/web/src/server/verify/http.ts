/**
 * GET /api/verify?code=...&purpose=verify|dispense&history=1&entry=scanned|typed: the request side of verifyCode. A
 * missing, oversized or malformed parameter is a 400 JSON error; every answer about the pack
 * (INVALID_CODE included) is a verdict, with 503 only when a source could not be read.
 *
 * Who asks decides what is answered (DESIGN.md, "Who may see what"): anyone may check a code and
 * gets the public answer; `purpose=dispense` needs a signed-in pharmacy and `history=1` a
 * signed-in participant (401/403 otherwise); a signed-in participant's scan gets the whole answer
 * and is the only kind that can raise an alert.
 */
import { MAX_INPUT_LENGTH } from "@pedigree/gs1";
import type { Address } from "viem";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { readParticipant } from "../auth/ledgerReads.ts";
import { publicOrigin } from "../auth/origin.ts";
import { findSession, requireParty } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import { unavailableAnswer, type VerifyPurpose } from "./answer.ts";
import { verifyCode } from "./verify.ts";

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
  const purposeText = single(params, "purpose") ?? "verify";
  if (purposeText !== "verify" && purposeText !== "dispense") {
    throw new ApiError(400, "INVALID_PURPOSE", `purpose must be 'verify' or 'dispense' (got '${purposeText}').`);
  }
  const purpose: VerifyPurpose = purposeText;
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
  const reportedBy = await scanningParticipant(ctx, request, purpose, history);
  const entry = single(params, "entry") ?? "scanned";
  if (entry !== "scanned" && entry !== "typed") {
    throw new ApiError(400, "INVALID_ENTRY", `entry must be 'scanned' or 'typed' (got '${entry}').`);
  }
  const { status, body } = await verifyCode(ctx, code, {
    purpose,
    history,
    ...(reportedBy === undefined ? {} : { reportedBy }),
    entry,
    digitalLinkBase: publicOrigin().origin,
  });
  return jsonResponse(body, { status, ...(status === 503 ? { headers: RETRY_LATER } : {}) });
}

/**
 * The participant whose scan this is, or undefined for the public. A dispense check needs a
 * signed-in pharmacy and history a signed-in participant: those refuse (401/403) without one. For a
 * plain check a session only widens the answer, so one that cannot be used (expired, suspended,
 * not a participant, the chain unreadable) makes it the public's rather than failing the check.
 */
async function scanningParticipant(
  ctx: AppContext,
  request: Request,
  purpose: VerifyPurpose,
  history: boolean,
): Promise<Address | undefined> {
  if (purpose === "dispense") return (await requireParty(ctx, request, ["PHARMACY"])).session.address;
  if (history) {
    return (await requireParty(ctx, request, ["MANUFACTURER", "DISTRIBUTOR", "PHARMACY", "REGULATOR"])).session.address;
  }
  const session = await findSession(ctx, request)
    .then((found) => found.session)
    .catch(() => undefined);
  if (session === undefined) return undefined;
  const participant = await readParticipant(ctx, session.address).catch(() => undefined);
  return participant !== undefined && participant.role !== "NONE" && !participant.suspended
    ? session.address
    : undefined;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) {
    throw new ApiError(400, "REPEATED_PARAMETER", `Give ${name} once (it appears ${values.length} times).`);
  }
  return values[0];
}
