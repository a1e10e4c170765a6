/**
 * The HTTP surface of sign-in: /api/auth/nonce, /verify, /session and /logout. Each function takes
 * the context and the request and answers a Response, so the route files stay one line and tests
 * call these without Next.
 */
import { jsonResponse, ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import type { SessionResponse, SignInResponse } from "../../lib/api-types.ts";
import { readParticipant } from "./ledgerReads.ts";
import { publicOrigin, requireContentType } from "./origin.ts";
import { readBodyAs } from "./requestBody.ts";
import { clearedSessionCookie, findSession, readCookie, sessionCookie, signOut } from "./session.ts";
import { issueNonce, SIGN_IN_COOKIE, signIn, signInCookie, signInRequestSchema } from "./siwe.ts";

/** A signed SIWE message is a few hundred bytes; anything much larger is not one. */
const MAX_SIGN_IN_BODY_BYTES = 16 * 1024;

/** A fresh nonce, and the cookie that binds it to this client (programs send it back to /verify). */
export async function nonceResponse(ctx: AppContext): Promise<Response> {
  const origin = publicOrigin();
  const { answer, clientSecret } = await issueNonce(ctx, origin);
  return jsonResponse(answer, { headers: { "set-cookie": signInCookie(clientSecret, origin) } });
}

export async function verifyResponse(ctx: AppContext, request: Request): Promise<Response> {
  const origin = publicOrigin();
  requireContentType(request, ["application/json"], "The sign-in request");
  const body = await readBodyAs(request, signInRequestSchema, {
    maxBytes: MAX_SIGN_IN_BODY_BYTES,
    what: "The sign-in request",
    expected: "Send JSON {message, signature}: the EIP-4361 message as signed and its 0x-hex signature.",
  });
  const result = await signIn(ctx, origin, body, readCookie(request, SIGN_IN_COOKIE));
  const answer: SignInResponse = {
    token: result.token,
    address: result.address,
    chainId: result.chainId,
    expiresAt: result.expiresAt.toISOString(),
  };
  const headers = new Headers();
  headers.append("set-cookie", sessionCookie(result.token, result.expiresAt, origin, ctx.now()));
  headers.append("set-cookie", `${SIGN_IN_COOKIE}=; Path=/api/auth; Max-Age=0; HttpOnly; SameSite=Strict`);
  return jsonResponse(answer, { headers });
}

/** Who am I: the session's address and, read on chain now, its role, name and suspension; and the staff member signed in, if one is. */
export async function sessionResponse(ctx: AppContext, request: Request): Promise<Response> {
  const { session, expired } = await findSession(ctx, request);
  if (session === undefined) {
    const answer: SessionResponse = { signedIn: false, ...(expired ? { expired: true } : {}) };
    return jsonResponse(answer);
  }
  const participant = await readParticipant(ctx, session.address);
  const answer: SessionResponse = {
    signedIn: true,
    address: session.address,
    chainId: session.chainId,
    expiresAt: session.expiresAt.toISOString(),
    role: participant.role,
    suspended: participant.suspended,
    ...(participant.role === "NONE" ? {} : { name: participant.legalName, gln: participant.gln }),
    ...(session.staff === undefined ? {} : { staff: session.staff }),
  };
  return jsonResponse(answer);
}

export async function logoutResponse(ctx: AppContext, request: Request): Promise<Response> {
  await signOut(ctx, request);
  return jsonResponse({ signedIn: false }, { headers: { "set-cookie": clearedSessionCookie(publicOrigin()) } });
}
