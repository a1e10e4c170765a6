/**
 * Passkeys (WebAuthn, on SimpleWebAuthn) for staff: registration from an invitation link, and
 * sign-in with a discoverable credential (the person picks their passkey; no user name typed).
 *
 * - The relying party is the configured origin (./origin.ts, passkeyOrigin): its host is the RP ID
 *   and the only origin a response may come from, so a passkey made here is never offered to,
 *   nor accepted from, a phishing site (the browser binds it to the RP ID, and we check the
 *   origin the browser signed into clientDataJSON).
 * - Challenges are 256 random bits, stored with a short expiry and bound to the client that asked
 *   (the SHA-256 of a secret in an HttpOnly cookie), as SIWE nonces are; each is consumed in the
 *   transaction that creates the session, so a response replayed, or taken to another browser,
 *   is refused.
 * - Registration requires user verification where the authenticator offers it ("preferred"),
 *   and a resident (discoverable) key, so sign-in needs no user name. The signature counter is
 *   checked at each sign-in (SimpleWebAuthn refuses a counter that did not grow, the mark of a
 *   cloned authenticator, unless the authenticator keeps none: both 0).
 */
import { randomBytes } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, desc, eq, gt, isNull, lt } from "drizzle-orm";
import { getAddress, type Address } from "viem";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { sessions, staffInvitations, staffMembers, staffPasskeys, webauthnChallenges } from "../db/schema.ts";
import { readParticipant } from "./ledgerReads.ts";
import { passkeyOrigin } from "./origin.ts";
import { hashToken, SESSION_LIFETIME_MS } from "./siwe.ts";
import { findInvitation, invitationRefusal, newStaffId, type StaffIdentity, type StaffRole } from "./staff.ts";

/** How long a challenge waits for its passkey: the time to touch a fingerprint reader, with room. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** The cookie binding a challenge to the client that asked for it (sent to /api/auth only). */
export const PASSKEY_COOKIE = "pedigree_passkey";
/** What the browser shows as the site's name beside the passkey. */
export const RP_NAME = "Pedigree";

type Purpose = "register" | "authenticate";

export interface PasskeySession {
  token: string;
  address: Address;
  chainId: number;
  expiresAt: Date;
  staff: StaffIdentity;
}

/** The relying party: its ID (the origin's host name) and the origin responses must name. */
export function relyingParty(): { id: string; origin: string } {
  const origin = passkeyOrigin();
  return { id: origin.hostname, origin: origin.origin };
}

/** `Set-Cookie` for the challenge's client binding: HttpOnly, SameSite=Strict, for /api/auth, as long as the challenge lives. */
export function passkeyCookie(secret: string, origin: URL): string {
  return [
    `${PASSKEY_COOKIE}=${secret}`,
    "Path=/api/auth",
    `Max-Age=${CHALLENGE_LIFETIME_MS / 1000}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(origin.protocol === "https:" ? ["Secure"] : []),
  ].join("; ");
}

async function storeChallenge(
  ctx: AppContext,
  purpose: Purpose,
  challenge: string,
  invitationId: number | null,
): Promise<string> {
  const now = ctx.now();
  const clientSecret = randomBytes(32).toString("base64url");
  // Expired challenges are useless; dropping them here keeps the table as small as the last minutes' traffic.
  await ctx.db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now));
  await ctx.db.insert(webauthnChallenges).values({
    challenge,
    purpose,
    clientBinding: hashToken(clientSecret),
    invitationId,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_MS),
  });
  return clientSecret;
}

/** The challenge this client was given for `purpose` (the latest), or a 401 saying to start again. */
async function clientChallenge(ctx: AppContext, purpose: Purpose, clientSecret: string | undefined) {
  const refusal = new ApiError(
    401,
    "CHALLENGE_UNKNOWN",
    "This browser has no passkey request in progress here (it expired, was used, or was started in another browser). Start again.",
  );
  if (clientSecret === undefined) throw refusal;
  const [row] = await ctx.db
    .select()
    .from(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.clientBinding, hashToken(clientSecret)),
        eq(webauthnChallenges.purpose, purpose),
        isNull(webauthnChallenges.usedAt),
        gt(webauthnChallenges.expiresAt, ctx.now()),
      ),
    )
    .orderBy(desc(webauthnChallenges.issuedAt))
    .limit(1);
  if (row === undefined) throw refusal;
  return row;
}

function verificationFailed(error: unknown): ApiError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ApiError(
    401,
    "PASSKEY_NOT_VERIFIED",
    `The passkey's answer could not be verified: ${reason.slice(0, 300)} Start again from this site.`,
  );
}

// ------------------------------------------------------------------ registration

/** Options for creating the invited person's passkey; the invitation must be pending (it is used only at verification). */
export async function registrationOptions(
  ctx: AppContext,
  invitationToken: string,
): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; clientSecret: string }> {
  const found = await findInvitation(ctx, invitationToken);
  if (found?.state !== "pending") throw invitationRefusal(found?.state);
  const participant = await readParticipant(ctx, getAddress(found.row.organisation));
  const rp = relyingParty();
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    // The user handle is random (it names no one); the name is what the person sees in their passkey list.
    userID: randomBytes(32),
    userName: `${found.row.displayName} (${participant.role === "NONE" ? "Pedigree" : participant.legalName})`,
    userDisplayName: found.row.displayName,
    attestationType: "none",
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    timeout: CHALLENGE_LIFETIME_MS,
  });
  const clientSecret = await storeChallenge(ctx, "register", options.challenge, found.row.id);
  return { options, clientSecret };
}

/**
 * Verifies the new passkey, then in one transaction: consumes the challenge and the invitation
 * (each once), creates the staff member and their passkey, and signs them in.
 */
export async function registerPasskey(
  ctx: AppContext,
  invitationToken: string,
  response: RegistrationResponseJSON,
  clientSecret: string | undefined,
): Promise<PasskeySession> {
  const found = await findInvitation(ctx, invitationToken);
  if (found?.state !== "pending") throw invitationRefusal(found?.state);
  const challenge = await clientChallenge(ctx, "register", clientSecret);
  if (challenge.invitationId !== found.row.id) {
    throw new ApiError(
      401,
      "CHALLENGE_OTHER_INVITATION",
      "This passkey request was started for another invitation. Open your own invitation link and start again.",
    );
  }
  const rp = relyingParty();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch (error) {
    throw verificationFailed(error);
  }
  if (!verified.verified) throw verificationFailed(new Error("the authenticator's attestation did not check out."));
  const { credential } = verified.registrationInfo;
  const invitation = found.row;
  const now = ctx.now();
  const staff: StaffIdentity = { id: newStaffId(), name: invitation.displayName, role: invitation.role as StaffRole };
  return ctx.db.transaction(async (tx) => {
    await consume(tx, challenge.challenge, now);
    const used = await tx
      .update(staffInvitations)
      .set({ usedAt: now, staffId: staff.id })
      .where(
        and(
          eq(staffInvitations.id, invitation.id),
          isNull(staffInvitations.usedAt),
          isNull(staffInvitations.cancelledAt),
          gt(staffInvitations.expiresAt, now),
        ),
      )
      .returning({ id: staffInvitations.id });
    // Another browser registered with the same link in the meantime.
    if (used.length === 0) throw invitationRefusal("used");
    const [known] = await tx
      .select({ id: staffPasskeys.credentialId })
      .from(staffPasskeys)
      .where(eq(staffPasskeys.credentialId, credential.id));
    if (known !== undefined) {
      throw new ApiError(409, "PASSKEY_EXISTS", "This passkey is already registered here. Sign in with it instead.");
    }
    await tx.insert(staffMembers).values({
      id: staff.id,
      organisation: invitation.organisation,
      displayName: staff.name,
      role: staff.role,
      createdAt: now,
      invitedBy: invitation.createdBy,
    });
    await tx.insert(staffPasskeys).values({
      credentialId: credential.id,
      staffId: staff.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports ?? [],
      createdAt: now,
      lastUsedAt: now,
    });
    return openStaffSession(tx, ctx, invitation.organisation, staff, now);
  });
}

type Transaction = Parameters<Parameters<AppContext["db"]["transaction"]>[0]>[0];

/** A new session of `staff` working for `organisation`, inside the transaction that checked its passkey. */
async function openStaffSession(
  tx: Transaction,
  ctx: AppContext,
  organisation: string,
  staff: StaffIdentity,
  now: Date,
): Promise<PasskeySession> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await tx.insert(sessions).values({
    id: hashToken(token),
    address: organisation,
    chainId: ctx.ledger.chainId,
    createdAt: now,
    expiresAt,
    staffId: staff.id,
  });
  return { token, address: getAddress(organisation), chainId: ctx.ledger.chainId, expiresAt, staff };
}

/** Marks the challenge used; refused when another request used it first (a replay). */
async function consume(tx: Transaction, challenge: string, now: Date): Promise<void> {
  const consumed = await tx
    .update(webauthnChallenges)
    .set({ usedAt: now })
    .where(
      and(
        eq(webauthnChallenges.challenge, challenge),
        isNull(webauthnChallenges.usedAt),
        gt(webauthnChallenges.expiresAt, now),
      ),
    )
    .returning({ challenge: webauthnChallenges.challenge });
  if (consumed.length === 0) {
    throw new ApiError(401, "CHALLENGE_USED", "This passkey answer was already used once. Start again.");
  }
}

// ------------------------------------------------------------------ sign-in

/** Options for signing in with any passkey of this site (discoverable credentials: nothing to type). */
export async function authenticationOptions(
  ctx: AppContext,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; clientSecret: string }> {
  const rp = relyingParty();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: "preferred",
    timeout: CHALLENGE_LIFETIME_MS,
  });
  const clientSecret = await storeChallenge(ctx, "authenticate", options.challenge, null);
  return { options, clientSecret };
}

export async function signInWithPasskey(
  ctx: AppContext,
  response: AuthenticationResponseJSON,
  clientSecret: string | undefined,
): Promise<PasskeySession> {
  const challenge = await clientChallenge(ctx, "authenticate", clientSecret);
  const [found] = await ctx.db
    .select({ passkey: staffPasskeys, member: staffMembers })
    .from(staffPasskeys)
    .innerJoin(staffMembers, eq(staffMembers.id, staffPasskeys.staffId))
    .where(and(eq(staffPasskeys.credentialId, response.id), isNull(staffMembers.removedAt)));
  if (found === undefined) {
    throw new ApiError(
      401,
      "PASSKEY_UNKNOWN",
      "This passkey is not known here: it was made for another server, or its staff account was removed. Ask your organisation's administrator for an invitation.",
    );
  }
  const rp = relyingParty();
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: found.passkey.credentialId,
        publicKey: new Uint8Array(found.passkey.publicKey),
        counter: found.passkey.counter,
        transports: found.passkey.transports,
      },
      requireUserVerification: false,
    });
  } catch (error) {
    throw verificationFailed(error);
  }
  if (!verified.verified) throw verificationFailed(new Error("the signature did not check out."));
  const { member } = found;
  const now = ctx.now();
  const staff: StaffIdentity = { id: member.id, name: member.displayName, role: member.role as StaffRole };
  return ctx.db.transaction(async (tx) => {
    await consume(tx, challenge.challenge, now);
    await tx
      .update(staffPasskeys)
      .set({ counter: verified.authenticationInfo.newCounter, lastUsedAt: now })
      .where(eq(staffPasskeys.credentialId, found.passkey.credentialId));
    return openStaffSession(tx, ctx, member.organisation, staff, now);
  });
}
