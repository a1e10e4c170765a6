/**
 * The VRS responder's HTTP surface (GS1 Lightweight Messaging Standard for Verification of Product
 * Identifiers; docs/INTEROP.md is the integrator's guide), served at <origin>/vrs:
 *
 * - GET /vrs/verify/gtin/{gtin}/lot/{lot}/ser/{serial}?exp=&linkType=verificationService&context=
 *   &reqGLN=&corrUUID=[&ctrlPossessAtt=&email=&telephone=]: 200 with the standard's answer;
 * - GET /vrs/checkConnectivity?gtin=&reqGLN=&context=: 200 with the responder's GLN.
 *
 * Refusals, in this order: 400 a malformed request (naming the parameter); 401 no credential, or an
 * API credential this server never issued (an unknown requester); 403 a credential that fails (revoked,
 * issued for another GLN, an ATP presentation that does not verify) or that does not reach this GTIN
 * (issued by another manufacturer); 404 a GTIN whose product is not registered here; 429 too many
 * failed attempts from one client or too many checks at once; 503 when the ledger or the database
 * cannot be read (never a verification answer then). Errors are the API's JSON error shape, with the
 * request's corrUUID beside it when it was one.
 *
 * The pack is checked by verifyCode (the same path, and decideVerdict, as /api/verify), as an
 * anonymous check: a partner's request changes nothing and raises no alert. Every request and its
 * answer is logged for the manufacturer of the GTIN (./store.ts).
 */
import { ApiError, jsonResponse, toErrorResponse } from "../api/errors.ts";
import { publicOrigin } from "../auth/origin.ts";
import type { AppContext } from "../context.ts";
import { clientAddress } from "../security/client-address.ts";
import { withVerificationSlot } from "../security/in-flight.ts";
import { rateLimitError, takeVerification } from "../security/rate-limit.ts";
import { verifyCode } from "../verify/verify.ts";
import { needsLotCheck, verificationData, type VerificationAnswer } from "./answer.ts";
import { AtpRefusal, looksLikeJwt, verifyAtpPresentation } from "./atp.ts";
import { readConnectivityRequest, readVerifyRequest, type RawVrsRequest } from "./request.ts";
import { logRequest, requestFacts, type LogEntry, type RequestFacts } from "./store.ts";

const RETRY_LATER = { "retry-after": "5" };

interface Requester {
  authMethod: LogEntry["authMethod"];
  credentialId: number | null;
  holder: string | null;
  /** The manufacturer whose GTINs an API credential answers for; null for an ATP presentation (any). */
  issuedBy: string | null;
}

/** The bearer token of `Authorization: Bearer <token>`, or undefined. */
function bearer(request: Request): string | undefined {
  const value = request.headers.get("authorization");
  if (value === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (match === null) {
    throw new ApiError(
      401,
      "INVALID_AUTHORIZATION",
      "The Authorization header must be 'Bearer <token>': the API credential the manufacturer issued you, or your ATP presentation (a JWT).",
      { headers: { "www-authenticate": 'Bearer realm="vrs"' } },
    );
  }
  return match[1];
}

/**
 * Who asks, from its credential, for `reqGLN`. Throws 401 or 403 (ApiError). An API credential is
 * checked against `facts` (read in the same query as the product); a presentation by ./atp.ts.
 */
async function authenticate(
  token: string | undefined,
  facts: RequestFacts,
  reqGLN: string,
  corrUUID: string | undefined,
): Promise<Requester> {
  if (token === undefined) {
    throw new ApiError(
      401,
      "NO_CREDENTIAL",
      "Identify yourself: send 'Authorization: Bearer <token>' with the API credential the manufacturer issued you, or an ATP presentation (a JWT) whose nonce is this request's corrUUID.",
      { headers: { "www-authenticate": 'Bearer realm="vrs"' } },
    );
  }
  if (looksLikeJwt(token)) {
    if (corrUUID === undefined) {
      throw new ApiError(
        403,
        "ATP_PRESENTATION_REFUSED",
        "An ATP presentation is bound to a request by its corrUUID: give corrUUID.",
      );
    }
    let presentation;
    try {
      presentation = await verifyAtpPresentation(token, corrUUID);
    } catch (error) {
      if (!(error instanceof AtpRefusal)) throw error;
      throw new ApiError(403, "ATP_PRESENTATION_REFUSED", error.message);
    }
    if (!presentation.glns.includes(reqGLN)) {
      throw new ApiError(
        403,
        "GLN_NOT_PROVEN",
        `The presentation's credentials do not name reqGLN ${reqGLN} (they name ${presentation.glns.join(", ") || "no GLN"}).`,
      );
    }
    return { authMethod: "atp-presentation", credentialId: null, holder: presentation.holder, issuedBy: null };
  }
  const credential = facts.credential;
  if (credential === null) {
    throw new ApiError(
      401,
      "UNKNOWN_REQUESTER",
      "This responder does not know that credential: ask the manufacturer for an API credential for your GLN.",
      { headers: { "www-authenticate": 'Bearer realm="vrs", error="invalid_token"' } },
    );
  }
  if (credential.revoked) {
    throw new ApiError(
      403,
      "CREDENTIAL_REVOKED",
      "The manufacturer has revoked this credential: ask it for a new one.",
    );
  }
  if (credential.partnerGln !== reqGLN) {
    throw new ApiError(
      403,
      "CREDENTIAL_NOT_FOR_GLN",
      `This credential was issued for GLN ${credential.partnerGln}, not for reqGLN ${reqGLN}.`,
    );
  }
  return {
    authMethod: "api-credential",
    credentialId: credential.id,
    holder: null,
    issuedBy: credential.manufacturer,
  };
}

/** 403 when an API credential of one manufacturer asks about another's GTIN. */
function checkPermitted(requester: Requester, manufacturer: string | undefined): void {
  if (requester.issuedBy !== null && manufacturer !== undefined && requester.issuedBy !== manufacturer.toLowerCase()) {
    throw new ApiError(
      403,
      "NOT_PERMITTED",
      "This credential was issued by another manufacturer than the GTIN's: it answers for that manufacturer's GTINs only.",
    );
  }
}

function notServed(gtin: string): ApiError {
  return new ApiError(
    404,
    "GTIN_NOT_SERVED",
    `This responder does not answer for GTIN ${gtin}: no product with it is registered here.`,
    {
      details: { gtin },
    },
  );
}

/** Takes one of the client's verification allowance for a refused attempt; past it, 429 instead. */
async function chargeRefusal(request: Request, error: unknown): Promise<unknown> {
  if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) return error;
  const limited = await takeVerification(clientAddress(request.headers));
  return limited === undefined ? error : rateLimitError(limited);
}

interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  requester?: Requester;
  manufacturer: string | null;
  data?: VerificationAnswer["data"];
  verdict?: string;
}

async function finish(
  ctx: AppContext | undefined,
  endpoint: LogEntry["endpoint"],
  raw: RawVrsRequest,
  started: number,
  outcome: Outcome,
): Promise<Response> {
  const errorCode =
    outcome.status >= 400 ? ((outcome.body as { error?: { code?: string } }).error?.code ?? null) : null;
  if (ctx !== undefined) {
    await logRequest(ctx, {
      endpoint,
      manufacturer: outcome.manufacturer,
      authMethod: outcome.requester?.authMethod ?? "none",
      credentialId: outcome.requester?.credentialId ?? null,
      holder: outcome.requester?.holder ?? null,
      request: raw,
      status: outcome.status,
      verified: outcome.data?.verified ?? null,
      failureReason: outcome.data?.verificationFailureReason ?? null,
      additionalInfo: outcome.data?.additionalInfo ?? null,
      errorCode,
      verdict: outcome.verdict ?? null,
      answer: outcome.body,
      durationMs: performance.now() - started,
    });
  }
  return jsonResponse(outcome.body, {
    status: outcome.status,
    ...(outcome.headers ? { headers: outcome.headers } : {}),
  });
}

/** The error as the API answers it, with the request's corrUUID beside it when there was a valid one. */
async function refused(
  error: unknown,
  corrUUID: string | undefined,
): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
  const response = toErrorResponse(error);
  const body = { ...((await response.json()) as object), ...(corrUUID === undefined ? {} : { corrUUID }) };
  const headers: Record<string, string> = {};
  for (const name of ["retry-after", "www-authenticate"]) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, body, headers };
}

async function openContext(context: () => Promise<AppContext>): Promise<AppContext | undefined> {
  try {
    return await context();
  } catch (error) {
    console.error("The VRS responder could not start:", error);
    return undefined;
  }
}

const UNAVAILABLE = (reason: string) =>
  new ApiError(
    503,
    "UNAVAILABLE",
    `The responder cannot check the pack right now (${reason}); try again in a few seconds.`,
    {
      headers: RETRY_LATER,
    },
  );

/** GET /vrs/verify/gtin/{gtin}/lot/{lot}/ser/{serial}: see the module's comment. */
export async function vrsVerifyResponse(
  context: () => Promise<AppContext>,
  request: Request,
  path: { gtin: string; lot: string; serial: string },
): Promise<Response> {
  const started = performance.now();
  const raw: RawVrsRequest = {};
  const ctx = await openContext(context);
  let manufacturer: string | null = null;
  let requester: Requester | undefined;
  try {
    const url = new URL(request.url);
    const params = readVerifyRequest(path, url, request.headers, raw, ctx?.now() ?? new Date());
    if (ctx === undefined) throw UNAVAILABLE("it cannot open its database or ledger connection");
    const token = bearer(request);
    const facts = await requestFacts(
      ctx,
      token !== undefined && !looksLikeJwt(token) ? token : undefined,
      params.gtin,
      params.serial,
    );
    manufacturer = facts.product?.manufacturer ?? facts.credential?.manufacturer ?? null;
    requester = await authenticate(token, facts, params.reqGLN, params.corrUUID);
    if (facts.product !== null) checkPermitted(requester, facts.product.manufacturer);

    const origin = publicOrigin().origin;
    const link = (lot: string | undefined) =>
      `${origin}/01/${params.gtin}${lot === undefined ? "" : `/10/${encodeURIComponent(lot)}`}` +
      `/21/${encodeURIComponent(params.serial)}?17=${params.exp}`;
    // A wholesaler decides on this answer whether a returned pack goes back on sale, as a pharmacy
    // decides whether to hand one out: it reads the chain's latest block, not the read model's.
    const options = { digitalLinkBase: origin, source: "chain" } as const;
    const answer = await withVerificationSlot(async () => {
      const checked = await verifyCode(ctx, link(params.lot), options);
      if (checked.status === 503) return { checked };
      const withoutLot = needsLotCheck(checked.body) ? await verifyCode(ctx, link(undefined), options) : undefined;
      return { checked, withoutLot };
    });
    const body = answer.checked.body;
    if (answer.checked.status === 503 || answer.withoutLot?.status === 503) {
      throw UNAVAILABLE(body.unavailable?.map((entry) => entry.reason).join("; ") ?? "a source could not be read");
    }
    if (body.verdict === "UNKNOWN_PRODUCT" && body.product === null) throw notServed(params.gtin);
    // The read model may be behind the chain: the check named the manufacturer then.
    manufacturer = manufacturer ?? body.manufacturer?.address ?? null;
    if (facts.product === null) checkPermitted(requester, body.manufacturer?.address);
    const responderGLN = facts.product?.gln ?? body.manufacturer?.gln;
    if (responderGLN === undefined || responderGLN === null)
      throw UNAVAILABLE("the manufacturer's GLN is not known yet");
    const data = verificationData(body, {
      falsified: facts.falsified,
      ...(answer.withoutLot === undefined ? {} : { withoutLot: answer.withoutLot.body }),
    });
    const reply: VerificationAnswer = {
      verificationTimestamp: ctx.now().toISOString(),
      responderGLN,
      data,
      corrUUID: params.corrUUID,
    };
    return await finish(ctx, "verify", raw, started, {
      status: 200,
      body: reply,
      requester,
      manufacturer,
      data,
      verdict: body.verdict,
    });
  } catch (error) {
    const refusal = await refused(await chargeRefusal(request, error), raw.corrUUID);
    return finish(ctx, "verify", raw, started, { ...refusal, manufacturer, ...(requester ? { requester } : {}) });
  }
}

/** GET /vrs/checkConnectivity?gtin=&reqGLN=&context=: the responder's GLN for the GTIN, to a known requester. */
export async function vrsConnectivityResponse(context: () => Promise<AppContext>, request: Request): Promise<Response> {
  const started = performance.now();
  const raw: RawVrsRequest = {};
  const ctx = await openContext(context);
  let manufacturer: string | null = null;
  let requester: Requester | undefined;
  try {
    const params = readConnectivityRequest(new URL(request.url), raw);
    if (ctx === undefined) throw UNAVAILABLE("it cannot open its database");
    const token = bearer(request);
    const facts = await requestFacts(
      ctx,
      token !== undefined && !looksLikeJwt(token) ? token : undefined,
      params.gtin,
      undefined,
    );
    manufacturer = facts.product?.manufacturer ?? facts.credential?.manufacturer ?? null;
    requester = await authenticate(token, facts, params.reqGLN, raw.corrUUID);
    if (facts.product === null) throw notServed(params.gtin);
    checkPermitted(requester, facts.product.manufacturer);
    if (facts.product.gln === null) throw UNAVAILABLE("the manufacturer's GLN is not known yet");
    const body = { responderGLN: facts.product.gln, ...(raw.corrUUID === undefined ? {} : { corrUUID: raw.corrUUID }) };
    return await finish(ctx, "checkConnectivity", raw, started, { status: 200, body, requester, manufacturer });
  } catch (error) {
    const refusal = await refused(await chargeRefusal(request, error), raw.corrUUID);
    return finish(ctx, "checkConnectivity", raw, started, {
      ...refusal,
      manufacturer,
      ...(requester ? { requester } : {}),
    });
  }
}
