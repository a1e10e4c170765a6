/**
 * API tokens for an organisation's systems (ERP, warehouse, packaging line), and who asks for a
 * write: a person signed in for the organisation, or a system with a token.
 *
 * Tokens are kept as VRS credentials and sessions are (../vrs/store.ts, ./siwe.ts): 256 random
 * bits from the operating system, a recognisable prefix (`pdgt_`, so a leaked one is found by
 * secret scanners and told apart from a session token), only the SHA-256 stored, the token shown
 * once. Each names its scopes (which operations it may ask for) and is checked at every request:
 * revoked is refused at once, and the organisation's participant record is read on chain each
 * time, so a suspended organisation's tokens stop with it.
 */
import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { getAddress, type Address } from "viem";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { apiTokens } from "../db/schema.ts";
import { clientAddress } from "../security/client-address.ts";
import { allowance, rateLimitError, type RateLimit } from "../security/rate-limit.ts";
import { readParticipant } from "./ledgerReads.ts";
import { requireParty } from "./session.ts";
import { hashToken } from "./siwe.ts";
import { isTokenScope, roleAllows, STAFF_ROLES, type StaffRole, type TokenScope } from "./scopes.ts";

export const TOKEN_PREFIX = "pdgt_";

export { isTokenScope, TOKEN_SCOPES, type TokenScope } from "./scopes.ts";

const PARTICIPANT_ROLES = ["REGULATOR", "MANUFACTURER", "DISTRIBUTOR", "PHARMACY"] as const;

/**
 * Who asks: the organisation itself (signed in with its wallet: "person"), one of its staff signed
 * in with a passkey, whose role gives their scopes (./staff.ts), or a system by its token.
 */
export interface Requester {
  kind: "person" | "system" | "staff";
  /** The person's address; the token's number; the staff member's id. */
  id: string;
  label: string;
  organisation: Address;
  /** A token's or staff role's scopes; undefined for the organisation's wallet, which may ask for any operation. */
  scopes?: ReadonlySet<TokenScope>;
  /** A staff member's role. */
  role?: StaffRole;
}

export interface TokenView {
  id: number;
  label: string;
  scopes: TokenScope[];
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface IssuedToken extends TokenView {
  /** Shown once: only its hash is stored. */
  token: string;
}

function view(row: typeof apiTokens.$inferSelect): TokenView {
  return {
    id: row.id,
    label: row.label,
    scopes: row.scopes.filter(isTokenScope),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export async function issueToken(
  ctx: AppContext,
  organisation: Address,
  input: { label: string; scopes: readonly TokenScope[] },
  createdBy: string,
): Promise<IssuedToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const [row] = await ctx.db
    .insert(apiTokens)
    .values({
      organisation: organisation.toLowerCase(),
      label: input.label,
      scopes: [...new Set(input.scopes)].sort(),
      tokenHash: hashToken(token),
      createdBy,
      createdAt: ctx.now(),
    })
    .returning();
  return { ...view(row!), token };
}

export async function listTokens(ctx: AppContext, organisation: Address): Promise<TokenView[]> {
  const rows = await ctx.db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.organisation, organisation.toLowerCase()))
    .orderBy(desc(apiTokens.id));
  return rows.map(view);
}

/** Revokes the organisation's token `id` (effective at the token's next request); undefined when it has none such. */
export async function revokeToken(
  ctx: AppContext,
  organisation: Address,
  id: number,
  revokedBy: string,
): Promise<TokenView | undefined> {
  const owned = and(eq(apiTokens.id, id), eq(apiTokens.organisation, organisation.toLowerCase()));
  await ctx.db
    .update(apiTokens)
    .set({ revokedAt: ctx.now(), revokedBy })
    .where(and(owned, isNull(apiTokens.revokedAt)));
  const [row] = await ctx.db.select().from(apiTokens).where(owned);
  return row === undefined ? undefined : view(row);
}

/** The bearer token the request carries, if any. */
export function bearerToken(request: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1];
}

export function carriesApiToken(request: Request): boolean {
  return bearerToken(request)?.startsWith(TOKEN_PREFIX) === true;
}

/**
 * The requester of a write: an API token (`Authorization: Bearer pdgt_...`), or else the signed-in
 * person's session. Refusals: 401 UNKNOWN_TOKEN, NOT_SIGNED_IN, SESSION_EXPIRED; 403 TOKEN_REVOKED,
 * NOT_PARTICIPANT, PARTICIPANT_SUSPENDED; 429 after too many refused tokens from one client.
 */
export async function authenticateRequester(ctx: AppContext, request: Request): Promise<Requester> {
  const token = bearerToken(request);
  if (token?.startsWith(TOKEN_PREFIX)) return tokenRequester(ctx, request, token);
  const party = await requireParty(ctx, request, PARTICIPANT_ROLES);
  const staff = party.session.staff;
  if (staff !== undefined) {
    return {
      kind: "staff",
      id: staff.id,
      label: staff.name,
      organisation: party.address,
      scopes: new Set(STAFF_ROLES[staff.role].scopes),
      role: staff.role,
    };
  }
  return { kind: "person", id: party.address.toLowerCase(), label: party.legalName, organisation: party.address };
}

/** Refuses a requester whose token or staff role lacks `scope` (403 MISSING_SCOPE, naming it). */
export function requireScope(requester: Requester, scope: TokenScope, what: string): void {
  if (requester.scopes === undefined || requester.scopes.has(scope)) return;
  if (requester.role !== undefined) {
    const role = STAFF_ROLES[requester.role].label.toLowerCase();
    throw new ApiError(
      403,
      "MISSING_SCOPE",
      `As ${/^[aeiou]/.test(role) ? "an" : "a"} ${role}, ${requester.label} may not ${what}. ` +
        `The role ${role} may: ${roleAllows(requester.role)}. Ask your organisation's administrator if you need another role.`,
      { details: { required: scope, role: requester.role, granted: [...requester.scopes] } },
    );
  }
  throw new ApiError(
    403,
    "MISSING_SCOPE",
    `This token ('${requester.label}') may not ${what}: that needs the scope '${scope}', and it has ${
      requester.scopes.size === 0 ? "none" : [...requester.scopes].map((s) => `'${s}'`).join(", ")
    }. Ask the organisation's administrator for a token with '${scope}'.`,
    { details: { required: scope, granted: [...(requester.scopes ?? [])] } },
  );
}

/** Token last-use times are written at most this often (a busy system's every request would be a write). */
const LAST_USED_RESOLUTION_MS = 60_000;

async function tokenRequester(ctx: AppContext, request: Request, token: string): Promise<Requester> {
  const [row] = await ctx.db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashToken(token)));
  if (row === undefined) {
    throw await charged(
      request,
      new ApiError(
        401,
        "UNKNOWN_TOKEN",
        "This API token is not known here: it was mistyped, or issued by another server. Ask the organisation's administrator for a token.",
      ),
    );
  }
  if (row.revokedAt !== null) {
    throw await charged(
      request,
      new ApiError(
        403,
        "TOKEN_REVOKED",
        `This API token ('${row.label}') was revoked on ${row.revokedAt.toISOString()}. Ask the organisation's administrator for a new one.`,
      ),
    );
  }
  const organisation = getAddress(row.organisation);
  const participant = await readParticipant(ctx, organisation);
  if (participant.role === "NONE") {
    throw new ApiError(
      403,
      "NOT_PARTICIPANT",
      `The token's organisation ${organisation} is not a participant of this ledger; nothing can be written for it.`,
    );
  }
  if (participant.suspended) {
    throw new ApiError(
      403,
      "PARTICIPANT_SUSPENDED",
      `${participant.legalName} (${organisation}) is suspended on the ledger: its tokens can do nothing until it is reinstated.`,
    );
  }
  const now = ctx.now();
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await ctx.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  }
  return {
    kind: "system",
    id: String(row.id),
    label: row.label,
    organisation,
    scopes: new Set(row.scopes.filter(isTokenScope)),
  };
}

// ------------------------------------------------------------------ refused tokens

/** Default allowance of refused tokens per client: 30 a minute (a token is unguessable; this bounds the cost of trying). */
const DEFAULT_FAILURE_LIMIT: RateLimit = { requests: 30, perSeconds: 60 };

/** A refused token takes from its client's allowance (PEDIGREE_TOKEN_FAILURE_RATE_LIMIT); past it, the answer is 429 instead. */
async function charged(request: Request, error: ApiError): Promise<ApiError> {
  const limiter = await allowance("token-failures", process.env.PEDIGREE_TOKEN_FAILURE_RATE_LIMIT, {
    fallback: DEFAULT_FAILURE_LIMIT,
    variable: "PEDIGREE_TOKEN_FAILURE_RATE_LIMIT",
  });
  if (limiter === undefined) return error;
  const result = await limiter.take(clientAddress(request.headers));
  if (result.allowed) return error;
  const refusal = rateLimitError({ retryAfterSeconds: result.retryAfterSeconds, limit: limiter.limit });
  return new ApiError(
    429,
    refusal.code,
    `Too many refused API tokens from your address: at most ${limiter.limit.requests} every ${limiter.limit.perSeconds} seconds. ` +
      `Try again in ${result.retryAfterSeconds} s with a valid token.`,
    { details: refusal.details, headers: refusal.headers ?? {} },
  );
}
