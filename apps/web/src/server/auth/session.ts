/**
 * Sessions after sign-in, and the gate of every privileged route.
 *
 * A session is found from the `pedigree_session` cookie (browsers) or `Authorization: Bearer`
 * (the CLI and other programs). `requireParty` then reads the address's participant record on
 * chain at every call: a session proves who you are, never what you may do, so a participant
 * suspended a block ago is refused now.
 *
 * A session is the organisation's, signed in with its wallet, or one of its staff members', signed
 * in with a passkey (./passkeys.ts): then `address` is still the organisation's, so every route
 * that asks for the party works alike, and `staff` names the person, read with their current role
 * at each request (a member removed a moment ago has no session any more).
 */
import { and, eq, isNull } from "drizzle-orm";
import { getAddress, type Address } from "viem";
import type { RoleName } from "@pedigree/ledger";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { sessions, staffMembers } from "../db/schema.ts";
import { readParticipant, type ChainParticipant } from "./ledgerReads.ts";
import { publicOrigin } from "./origin.ts";
import { hashToken } from "./siwe.ts";
import type { StaffIdentity, StaffRole } from "./staff.ts";

export const SESSION_COOKIE = "pedigree_session";

export interface Session {
  /** The organisation: the wallet that signed in, or the staff member's organisation. */
  address: Address;
  chainId: number;
  expiresAt: Date;
  /** The staff member signed in with a passkey; absent for a wallet's session. */
  staff?: StaffIdentity;
}

export interface Party extends ChainParticipant {
  session: Session;
}

/** The value of the cookie `name` the request carries, or undefined (also when empty). */
export function readCookie(request: Request, name: string): string | undefined {
  const cookies = request.headers.get("cookie");
  if (cookies === null) return undefined;
  for (const part of cookies.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      return value === "" ? undefined : value;
    }
  }
  return undefined;
}

/** The token the request carries, from `Authorization: Bearer` first, then the session cookie. */
export function sessionToken(request: Request): string | undefined {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return match[1];
  }
  return readCookie(request, SESSION_COOKIE);
}

/** The request's session, or undefined when it carries none that is current. Expired sessions are deleted. */
export async function findSession(
  ctx: AppContext,
  request: Request,
): Promise<{ session?: Session; expired: boolean; sent: boolean }> {
  const token = sessionToken(request);
  if (token === undefined) return { expired: false, sent: false };
  const id = hashToken(token);
  const [found] = await ctx.db
    .select({ session: sessions, staff: staffMembers })
    .from(sessions)
    .leftJoin(staffMembers, and(eq(staffMembers.id, sessions.staffId), isNull(staffMembers.removedAt)))
    .where(eq(sessions.id, id));
  if (found === undefined) return { expired: false, sent: true };
  const { session: row, staff } = found;
  // A staff session whose member was removed is deleted with the member; one left over (a removal
  // racing a sign-in) is refused all the same.
  if (row.staffId !== null && (staff === null || staff.organisation !== row.address)) {
    await ctx.db.delete(sessions).where(eq(sessions.id, id));
    return { expired: false, sent: true };
  }
  if (row.expiresAt <= ctx.now() || row.chainId !== ctx.ledger.chainId) {
    await ctx.db.delete(sessions).where(eq(sessions.id, id));
    return { expired: true, sent: true };
  }
  return {
    session: {
      address: getAddress(row.address),
      chainId: row.chainId,
      expiresAt: row.expiresAt,
      ...(staff === null ? {} : { staff: { id: staff.id, name: staff.displayName, role: staff.role as StaffRole } }),
    },
    expired: false,
    sent: true,
  };
}

export async function requireSession(ctx: AppContext, request: Request): Promise<Session> {
  const { session, expired, sent } = await findSession(ctx, request);
  if (session !== undefined) return session;
  if (expired) {
    throw new ApiError(
      401,
      "SESSION_EXPIRED",
      "Your session has expired. Sign in again (with your passkey or your wallet).",
    );
  }
  throw new ApiError(
    401,
    "NOT_SIGNED_IN",
    sent
      ? "Your session is not known here (you signed out, your staff account was removed, or it belongs to another server). Sign in again."
      : "Sign in first: connect on the dashboard (programs: GET /api/auth/nonce, then POST /api/auth/verify, then send the token).",
  );
}

/**
 * The signed-in party, if it holds one of `allowedRoles` on chain right now and is not suspended.
 * Refusals: NOT_SIGNED_IN / SESSION_EXPIRED (401), NOT_PARTICIPANT, PARTICIPANT_SUSPENDED,
 * WRONG_ROLE (403), LEDGER_UNAVAILABLE (503).
 */
export async function requireParty(
  ctx: AppContext,
  request: Request,
  allowedRoles: readonly Exclude<RoleName, "NONE">[],
): Promise<Party> {
  const session = await requireSession(ctx, request);
  const participant = await readParticipant(ctx, session.address);
  if (participant.role === "NONE") {
    throw new ApiError(
      403,
      "NOT_PARTICIPANT",
      `${session.address} is not a participant of this ledger. Ask the administrator to onboard it.`,
    );
  }
  if (participant.suspended) {
    throw new ApiError(
      403,
      "PARTICIPANT_SUSPENDED",
      `${participant.legalName} (${session.address}) is suspended on the ledger and can do nothing until reinstated.`,
    );
  }
  if (!allowedRoles.includes(participant.role)) {
    throw new ApiError(
      403,
      "WRONG_ROLE",
      `This needs the role ${allowedRoles.join(" or ")}; ${participant.legalName} is a ${participant.role}.`,
      { details: { required: allowedRoles, role: participant.role } },
    );
  }
  return { ...participant, session };
}

/** requireParty for a page rendered on the server, from its request's headers (next/headers). */
export function requirePartyOnPage(
  ctx: AppContext,
  requestHeaders: Headers,
  allowedRoles: readonly Exclude<RoleName, "NONE">[],
): Promise<Party> {
  return requireParty(ctx, new Request(publicOrigin(), { headers: requestHeaders }), allowedRoles);
}

export async function signOut(ctx: AppContext, request: Request): Promise<void> {
  const token = sessionToken(request);
  if (token !== undefined) await ctx.db.delete(sessions).where(eq(sessions.id, hashToken(token)));
}

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Secure on https origins. */
export function sessionCookie(token: string, expiresAt: Date, origin: URL, now: Date): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    `Max-Age=${maxAge}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(origin.protocol === "https:" ? ["Secure"] : []),
  ].join("; ");
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie(origin: URL): string {
  return [
    `${SESSION_COOKIE}=`,
    "Path=/",
    "Max-Age=0",
    "HttpOnly",
    "SameSite=Strict",
    ...(origin.protocol === "https:" ? ["Secure"] : []),
  ].join("; ");
}
