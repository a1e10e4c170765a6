/**
 * Sign-In with Ethereum (EIP-4361) on viem's SIWE utilities.
 *
 * 1. `issueNonce`: 128 random bits from the operating system's CSPRNG (viem's generateSiweNonce
 *    is a fast id generator whose successive values are shifts of one another: predictable),
 *    stored with a short expiry and bound to the client that asked, through a secret in an
 *    HttpOnly cookie whose hash is kept beside the nonce. The answer also says which domain, URI
 *    and chain id the message must carry (the configured origin, ./origin.ts), so a client builds
 *    exactly the message we accept.
 * 2. `signIn`: the signed message is checked field by field (each refusal has its own code),
 *    then the signature, then the nonce is consumed (only with its client's cookie) and the
 *    session created in one transaction, so a replayed message finds its nonce used and is refused,
 *    and a signature phished over another client's nonce cannot be redeemed.
 *
 * The session token is returned once (cookie and body); the database keeps only its SHA-256, so a
 * leaked database holds no usable session.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { getAddress, isAddressEqual, recoverMessageAddress, type Address, type Hex } from "viem";
import { parseSiweMessage, validateSiweMessage } from "viem/siwe";
import { z } from "zod";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { sessions, siweNonces } from "../db/schema.ts";
import { ledgerUnavailable } from "./ledgerReads.ts";

/** How long a nonce may wait for its signed message: long enough to read a wallet's dialog. */
export const NONCE_LIFETIME_MS = 5 * 60 * 1000;
/** The cookie that binds a nonce to the client that asked for it (sent to /api/auth only). */
export const SIGN_IN_COOKIE = "pedigree_signin";
/** How long a session lasts at most (shorter when the message's expirationTime says so). */
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;
/** Tolerated clock difference between the signer and this server, for `issuedAt` and `notBefore`. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The statement clients are asked to show; informative only (it is not checked). */
export const SIGN_IN_STATEMENT = "Sign in to Pedigree, the pharmaceutical custody ledger.";

export interface NonceAnswer {
  nonce: string;
  /** ISO timestamp after which the nonce is refused. */
  expiresAt: string;
  /** What the message must carry: `domain` (host[:port]), a `uri` on this origin, the ledger's chain id. */
  domain: string;
  uri: string;
  chainId: number;
  statement: string;
}

export interface IssuedNonce {
  answer: NonceAnswer;
  /** The secret for the client's sign-in cookie (see signInCookie). */
  clientSecret: string;
}

export async function issueNonce(ctx: AppContext, origin: URL): Promise<IssuedNonce> {
  const now = ctx.now();
  // Hex is within EIP-4361's alphanumeric nonce alphabet; 32 digits are 128 bits.
  const nonce = randomBytes(16).toString("hex");
  const clientSecret = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + NONCE_LIFETIME_MS);
  // Expired nonces are useless; dropping them here keeps the table as small as the traffic of the last minutes.
  await ctx.db.delete(siweNonces).where(lt(siweNonces.expiresAt, now));
  await ctx.db.insert(siweNonces).values({ nonce, clientBinding: hashToken(clientSecret), issuedAt: now, expiresAt });
  return {
    answer: {
      nonce,
      expiresAt: expiresAt.toISOString(),
      domain: origin.host,
      uri: origin.origin,
      chainId: ctx.ledger.chainId,
      statement: SIGN_IN_STATEMENT,
    },
    clientSecret,
  };
}

/** `Set-Cookie` for the sign-in binding: HttpOnly, SameSite=Strict, for /api/auth, as long as the nonce lives. */
export function signInCookie(secret: string, origin: URL): string {
  return [
    `${SIGN_IN_COOKIE}=${secret}`,
    "Path=/api/auth",
    `Max-Age=${NONCE_LIFETIME_MS / 1000}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(origin.protocol === "https:" ? ["Secure"] : []),
  ].join("; ");
}

export const signInRequestSchema = z.object({
  message: z.string().min(1).max(4096),
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/, "a 0x-prefixed hex signature"),
});
export type SignInRequest = z.infer<typeof signInRequestSchema>;

export interface SignInResult {
  /** The session token: sent as the `pedigree_session` cookie, or as `Authorization: Bearer <token>`. */
  token: string;
  address: Address;
  chainId: number;
  expiresAt: Date;
}

function refuse(code: string, message: string, details?: unknown): ApiError {
  return new ApiError(401, code, message, details === undefined ? {} : { details });
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function signIn(
  ctx: AppContext,
  origin: URL,
  request: SignInRequest,
  clientSecret: string | undefined,
): Promise<SignInResult> {
  const now = ctx.now();
  const fields = parseSiweMessage(request.message);
  if (fields.address === undefined || fields.domain === undefined || fields.nonce === undefined) {
    throw new ApiError(
      400,
      "MESSAGE_MALFORMED",
      "The message is not a Sign-In with Ethereum (EIP-4361) message. Build it from GET /api/auth/nonce's answer.",
    );
  }
  if (fields.version !== "1" || fields.uri === undefined || fields.chainId === undefined) {
    throw new ApiError(400, "MESSAGE_MALFORMED", "The message lacks its URI, version 1 or chain id (EIP-4361).");
  }
  if (fields.domain !== origin.host) {
    throw refuse(
      "WRONG_DOMAIN",
      `The message was written for ${fields.domain}, but this is ${origin.host}. Sign in from this site only.`,
      { expected: origin.host, got: fields.domain },
    );
  }
  let uriOrigin: string | undefined;
  try {
    uriOrigin = new URL(fields.uri).origin;
  } catch {
    uriOrigin = undefined;
  }
  if (uriOrigin !== origin.origin || (fields.scheme !== undefined && `${fields.scheme}:` !== origin.protocol)) {
    throw refuse("WRONG_URI", `The message's URI (${fields.uri}) is not on this site (${origin.origin}).`, {
      expected: origin.origin,
      got: fields.uri,
    });
  }
  if (fields.chainId !== ctx.ledger.chainId) {
    throw refuse(
      "WRONG_CHAIN",
      `The message is for chain ${fields.chainId}, but this ledger is on chain ${ctx.ledger.chainId}. Switch your wallet's network and sign in again.`,
      { expected: ctx.ledger.chainId, got: fields.chainId },
    );
  }
  for (const [name, value] of [
    ["issuedAt", fields.issuedAt],
    ["expirationTime", fields.expirationTime],
    ["notBefore", fields.notBefore],
  ] as const) {
    if (value !== undefined && Number.isNaN(value.getTime())) {
      throw new ApiError(400, "MESSAGE_MALFORMED", `The message's ${name} is not an RFC 3339 date-time.`);
    }
  }
  if (fields.issuedAt === undefined) {
    throw new ApiError(400, "MESSAGE_MALFORMED", "The message has no Issued At time (EIP-4361 requires one).");
  }
  if (fields.expirationTime !== undefined && fields.expirationTime <= now) {
    throw refuse(
      "MESSAGE_EXPIRED",
      `The message expired at ${fields.expirationTime.toISOString()}. Sign in again with a fresh message.`,
    );
  }
  if (fields.issuedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw refuse(
      "MESSAGE_NOT_YET_VALID",
      `The message says it was issued at ${fields.issuedAt.toISOString()}, which is in the future. Check your clock.`,
    );
  }
  if (fields.notBefore !== undefined && fields.notBefore.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw refuse(
      "MESSAGE_NOT_YET_VALID",
      `The message is valid only from ${fields.notBefore.toISOString()}. Sign in again from then.`,
    );
  }
  // viem's own rules on top of ours (nonce alphabet, address form): one place that follows EIP-4361
  // updates. The times were judged above, with the clock skew allowed where it belongs (issuedAt,
  // notBefore) and not where it must not be (expirationTime): viem applies one time to all three,
  // so it gets the message without them.
  const untimed = { ...fields, expirationTime: undefined, notBefore: undefined };
  if (!validateSiweMessage({ message: untimed, time: now })) {
    throw new ApiError(400, "MESSAGE_MALFORMED", "The message breaks EIP-4361's rules (address or nonce form).");
  }

  const address = getAddress(fields.address);
  if (!(await signatureMatches(ctx, address, request.message, request.signature as Hex))) {
    throw refuse("BAD_SIGNATURE", `The signature was not made by ${address} over this message.`);
  }

  const sessionExpiry = new Date(
    Math.min(now.getTime() + SESSION_LIFETIME_MS, fields.expirationTime?.getTime() ?? Number.POSITIVE_INFINITY),
  );
  const token = randomBytes(32).toString("base64url");
  const nonce = fields.nonce;
  // No cookie matches no stored hash: the refusal below then says which client the nonce was for.
  const binding = clientSecret === undefined ? "" : hashToken(clientSecret);
  await ctx.db.transaction(async (tx) => {
    const consumed = await tx
      .update(siweNonces)
      .set({ usedAt: now })
      .where(
        and(
          eq(siweNonces.nonce, nonce),
          eq(siweNonces.clientBinding, binding),
          isNull(siweNonces.usedAt),
          gt(siweNonces.expiresAt, now),
        ),
      )
      .returning({ nonce: siweNonces.nonce });
    if (consumed.length === 0) {
      const [row] = await tx.select().from(siweNonces).where(eq(siweNonces.nonce, nonce));
      if (row === undefined) {
        throw refuse(
          "NONCE_UNKNOWN",
          "This server did not issue the message's nonce. Ask GET /api/auth/nonce for one.",
        );
      }
      if (row.clientBinding !== binding) {
        throw refuse(
          "NONCE_OTHER_CLIENT",
          "The message's nonce was issued to another client (or this client's sign-in cookie is missing). Start signing in again from here.",
        );
      }
      if (row.usedAt !== null) {
        throw refuse(
          "NONCE_REUSED",
          "The message's nonce was already used: a signed message signs in once. Sign a fresh message.",
        );
      }
      throw refuse("NONCE_EXPIRED", "The message's nonce expired. Ask GET /api/auth/nonce for a new one.");
    }
    await tx.insert(sessions).values({
      id: hashToken(token),
      address: address.toLowerCase(),
      chainId: fields.chainId as number,
      createdAt: now,
      expiresAt: sessionExpiry,
    });
  });
  return { token, address, chainId: ctx.ledger.chainId, expiresAt: sessionExpiry };
}

/**
 * An ordinary account's signature is checked locally. Anything else (a smart-contract wallet)
 * goes to the chain through viem's verifySiweMessage (ERC-1271 / ERC-6492).
 */
async function signatureMatches(ctx: AppContext, address: Address, message: string, signature: Hex): Promise<boolean> {
  try {
    if (isAddressEqual(await recoverMessageAddress({ message, signature }), address)) return true;
  } catch {
    // Not a 65-byte ECDSA signature: it may still be a contract wallet's.
  }
  try {
    return await ctx.chain.verifySiweMessage({ message, signature, address, time: ctx.now() });
  } catch (error) {
    throw ledgerUnavailable(error);
  }
}
