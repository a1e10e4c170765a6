/**
 * Per-client rate limits: the public verification routes (GET /api/verify, /api/packs/proof,
 * /api/search, the VRS responder's refusals, and the patient pages /verify and /01/... that verify
 * on the server) share one allowance per client address; refused API tokens have another
 * (../auth/tokens.ts). Each verification costs a chain or database read and may write an alert,
 * so one client must not be able to take the ledger node or the alert table for itself.
 *
 * The counting is rate-limiter-flexible's: a fixed window per client (`requests` in each window of
 * `perSeconds`, the window starting at the client's first request), kept where every web server of
 * the deployment sees it:
 * - on PostgreSQL (`DATABASE_URL`), in the table `pedigree_rate_limits` (RateLimiterPostgres), so
 *   several `next start` processes on one database hold one allowance per client between them;
 * - on embedded PGlite, in this process's memory (RateLimiterMemory). PGlite lives inside the one
 *   process that opened its folder, so there is no second web server to share with, and a write
 *   per check on PGlite's single session would take time from the reads every check needs.
 *
 * Configuration: PEDIGREE_VERIFY_RATE_LIMIT=<requests>/<seconds> (default 120/60), or `off`.
 */
import postgres, { type Sql } from "postgres";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { ApiError } from "../api/errors.ts";

export interface RateLimit {
  /** How many requests a client may make in one window. */
  requests: number;
  /** The window's length in seconds, from the client's first request in it. */
  perSeconds: number;
}

export const DEFAULT_VERIFY_RATE_LIMIT: RateLimit = { requests: 120, perSeconds: 60 };

/**
 * `PEDIGREE_VERIFY_RATE_LIMIT`'s value: `120/60`, `off`, or unset for the default. A value that
 * is none of these is a configuration mistake and stops the request with a message saying so,
 * rather than silently leaving the route unprotected.
 */
export function parseRateLimit(text: string | undefined, name = "PEDIGREE_VERIFY_RATE_LIMIT"): RateLimit | "off" {
  if (text === undefined || text.trim() === "") return DEFAULT_VERIFY_RATE_LIMIT;
  const value = text.trim().toLowerCase();
  if (value === "off") return "off";
  const match = /^(\d{1,9})\s*\/\s*(\d{1,9})$/.exec(value);
  const requests = match ? Number(match[1]) : Number.NaN;
  const perSeconds = match ? Number(match[2]) : Number.NaN;
  if (!(requests >= 1) || !(perSeconds >= 1)) {
    throw new Error(
      `${name} must be <requests>/<seconds> with both at least 1 (for example 120/60), or off (got '${text}').`,
    );
  }
  return { requests, perSeconds };
}

export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** The table the PostgreSQL store keeps its counters in (one row per client and allowance). */
export const RATE_LIMIT_TABLE = "pedigree_rate_limits";

/** One allowance per client key, counted by a rate-limiter-flexible limiter. */
export class ClientAllowance {
  readonly limit: RateLimit;
  readonly store: "memory" | "postgres";
  private readonly limiter: RateLimiterAbstract;

  constructor(limit: RateLimit, store: "memory" | "postgres", limiter: RateLimiterAbstract) {
    this.limit = limit;
    this.store = store;
    this.limiter = limiter;
  }

  /** Takes one request from `key`'s allowance, or says how long until its window ends. */
  async take(key: string): Promise<TakeResult> {
    try {
      const result = await this.limiter.consume(key);
      return { allowed: true, remaining: result.remainingPoints };
    } catch (refusal) {
      // The library rejects with its result object when the allowance is used up, and with an
      // Error only when the store failed and there is no insurance limiter (there always is).
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
    }
  }
}

/** Counters of `name` (e.g. "verify") under `limit`, in this process's memory. */
export function memoryAllowance(name: string, limit: RateLimit): ClientAllowance {
  return new ClientAllowance(limit, "memory", new RateLimiterMemory(limiterOptions(name, limit)));
}

/**
 * Counters of `name` under `limit` in PostgreSQL, through `client`: every process with the same
 * name and limit on the same database counts against the same rows. Resolves once the table
 * exists.
 *
 * The table is created here (`CREATE TABLE IF NOT EXISTS`, by the library, which also takes the
 * race of two servers starting at once) and not by a Drizzle migration: its columns and queries
 * are the library's, not the read model's, and it holds only counters that expire within a
 * window, so nothing is lost when it is dropped and nothing needs migrating when the library
 * changes it.
 *
 * While the database fails, each process counts in its own memory (the insurance limiter), so
 * checks go on being answered with per-process limits rather than refused.
 */
export function postgresAllowance(name: string, limit: RateLimit, client: Sql): Promise<ClientAllowance> {
  return new Promise((resolve, reject) => {
    const limiter: RateLimiterPostgres = new RateLimiterPostgres(
      {
        ...limiterOptions(name, limit),
        storeClient: pgQueryable(client),
        storeType: "pool",
        tableName: RATE_LIMIT_TABLE,
        // A client past its allowance is refused from memory until its window ends: a flood from
        // one address costs no database write per request.
        inMemoryBlockOnConsumed: limit.requests + 1,
        insuranceLimiter: new RateLimiterMemory(limiterOptions(name, limit)),
      },
      (error?: Error) => (error ? reject(error) : resolve(new ClientAllowance(limit, "postgres", limiter))),
    );
  });
}

function limiterOptions(name: string, limit: RateLimit) {
  return {
    // The limit is part of the key: a process started with another limit does not inherit (or
    // hand over) counts made under the old one.
    keyPrefix: `${name}:${limit.requests}/${limit.perSeconds}`,
    points: limit.requests,
    duration: limit.perSeconds,
  };
}

/**
 * postgres-js (the app's driver) in the shape RateLimiterPostgres expects of a node-postgres
 * pool: `query({ text, values, name })` resolving to `{ rows, rowCount }`. The library's named
 * queries are prepared (postgres-js names them itself); its one-off CREATE TABLE is not.
 */
function pgQueryable(client: Sql) {
  return {
    async query(query: { text: string; values?: unknown[]; name?: string }) {
      const rows = await client.unsafe(query.text, (query.values ?? []) as never[], {
        prepare: query.name !== undefined,
      });
      return { rows: [...rows], rowCount: rows.count };
    },
  };
}

/**
 * The process's allowances by name, rebuilt when their configuration changes, and the connection
 * to PostgreSQL they share. Kept on globalThis so the proxy (pages) and the API routes, bundled
 * separately, count in the same place.
 */
interface Allowances {
  /** The configuration and database this entry was made for. */
  key: string;
  /** Counts in memory: the store on PGlite, and what a request uses while PostgreSQL fails. Undefined when off. */
  local: ClientAllowance | undefined;
  shared?: Promise<ClientAllowance>;
  /** After PostgreSQL failed to set the store up: when to try again (until then, `local`). */
  retryAt?: number;
}

const holder = globalThis as typeof globalThis & {
  __pedigreeRateLimits?: Map<string, Allowances>;
  __pedigreeRateLimitClient?: { url: string; client: Sql };
  __pedigreeRateLimitWarnedAt?: number;
};

/**
 * The counters' own small connection pool: a check never waits behind the read model's queries,
 * nor long for a database that does not answer (the insurance limiter counts meanwhile).
 */
function limiterClient(url: string): Sql {
  const current = holder.__pedigreeRateLimitClient;
  if (current?.url === url) return current.client;
  if (current !== undefined) void current.client.end({ timeout: 5 });
  const client = postgres(url, { max: 4, onnotice: () => {}, connect_timeout: 2, idle_timeout: 60 });
  holder.__pedigreeRateLimitClient = { url, client };
  return client;
}

export interface AllowanceOptions {
  /** The allowance when `config` is unset. */
  fallback: RateLimit;
  /** The variable `config` comes from, for the message when it is malformed. */
  variable: string;
}

/**
 * The allowance named `name` under `config` (a `<requests>/<seconds>` text, see parseRateLimit),
 * in PostgreSQL when DATABASE_URL names one, else in memory; undefined when the limit is off.
 */
export async function allowance(
  name: string,
  config: string | undefined,
  options: AllowanceOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<ClientAllowance | undefined> {
  const url = env.DATABASE_URL ?? "";
  const key = `${config ?? ""}|${url}`;
  const all = (holder.__pedigreeRateLimits ??= new Map());
  let entry = all.get(name);
  if (entry?.key !== key) {
    const limit =
      config === undefined || config.trim() === "" ? options.fallback : parseRateLimit(config, options.variable);
    entry = { key, local: limit === "off" ? undefined : memoryAllowance(name, limit) };
    all.set(name, entry);
  }
  const local = entry.local;
  if (local === undefined || url === "" || (entry.retryAt ?? 0) > Date.now()) return local;
  const current = entry;
  current.shared ??= postgresAllowance(name, local.limit, limiterClient(url));
  try {
    return await current.shared;
  } catch (error) {
    // The table could not be made (the database is down or refuses): count in memory for now,
    // and try PostgreSQL again in a few seconds, so checks do not each wait for it meanwhile.
    current.shared = undefined;
    current.retryAt = Date.now() + 5_000;
    if (Date.now() - (holder.__pedigreeRateLimitWarnedAt ?? 0) > 60_000) {
      holder.__pedigreeRateLimitWarnedAt = Date.now();
      console.warn(`Rate limits count per process: PostgreSQL did not answer (${(error as Error).message}).`);
    }
    return local;
  }
}

/** The verification allowance (PEDIGREE_VERIFY_RATE_LIMIT); undefined when it is off. */
export function verifyAllowance(env: NodeJS.ProcessEnv = process.env): Promise<ClientAllowance | undefined> {
  return allowance(
    "verify",
    env.PEDIGREE_VERIFY_RATE_LIMIT,
    { fallback: DEFAULT_VERIFY_RATE_LIMIT, variable: "PEDIGREE_VERIFY_RATE_LIMIT" },
    env,
  );
}

export interface RateLimitRefusal {
  retryAfterSeconds: number;
  limit: RateLimit;
}

/** Takes one verification from `client`'s allowance; undefined when allowed (or limiting is off). */
export async function takeVerification(
  client: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RateLimitRefusal | undefined> {
  const limiter = await verifyAllowance(env);
  if (limiter === undefined) return undefined;
  const result = await limiter.take(client);
  return result.allowed ? undefined : { retryAfterSeconds: result.retryAfterSeconds, limit: limiter.limit };
}

export const RATE_LIMITED_CODE = "RATE_LIMITED";

export function rateLimitMessage(refusal: RateLimitRefusal): string {
  return (
    `Too many checks from your address: at most ${refusal.limit.requests} every ${refusal.limit.perSeconds} seconds. ` +
    `Try again in ${refusal.retryAfterSeconds} second${refusal.retryAfterSeconds === 1 ? "" : "s"}.`
  );
}

export function rateLimitError(refusal: RateLimitRefusal): ApiError {
  return new ApiError(429, RATE_LIMITED_CODE, rateLimitMessage(refusal), {
    details: { retryAfterSeconds: refusal.retryAfterSeconds, ...refusal.limit },
    headers: { "retry-after": String(refusal.retryAfterSeconds) },
  });
}
