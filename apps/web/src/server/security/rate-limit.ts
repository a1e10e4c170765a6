/**
 * Rate limiting of the public verification route (GET /api/verify, and the patient pages /verify
 * and /01/... that verify on the server): a token bucket per client address, in this process's
 * memory. Each verification costs a chain call and may write an alert, so one client must not be
 * able to take the ledger node or the alert table for itself.
 *
 * Configuration: PEDIGREE_VERIFY_RATE_LIMIT=<requests>/<seconds> (default 120/60: a client may
 * burst to 120 checks, then gets one back every half second), or `off`. A scaled-out web tier
 * needs a shared store instead (each process counts only what it serves).
 */
import { ApiError } from "../api/errors.ts";

export interface RateLimit {
  /** The bucket's size: how many requests a client may make at once after a quiet spell. */
  requests: number;
  /** The seconds it takes an empty bucket to fill up again. */
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

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Above this many clients the map is swept of full buckets (idle clients), so memory stays bounded. */
const SWEEP_THRESHOLD = 50_000;

export class TokenBucketLimiter {
  readonly limit: RateLimit;
  private readonly clock: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, clock: () => number = Date.now) {
    this.limit = limit;
    this.clock = clock;
  }

  /** Tokens regained per millisecond. */
  private get refillRate(): number {
    return this.limit.requests / (this.limit.perSeconds * 1000);
  }

  /** Takes one token from `key`'s bucket, or says how long until one is back. */
  take(key: string): TakeResult {
    const now = this.clock();
    const bucket = this.buckets.get(key);
    const tokens =
      bucket === undefined
        ? this.limit.requests
        : Math.min(this.limit.requests, bucket.tokens + (now - bucket.updatedAt) * this.refillRate);
    if (tokens < 1) {
      if (bucket !== undefined) {
        bucket.tokens = tokens;
        bucket.updatedAt = now;
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.refillRate / 1000)) };
    }
    if (bucket === undefined) {
      if (this.buckets.size >= SWEEP_THRESHOLD) this.sweep(now);
      this.buckets.set(key, { tokens: tokens - 1, updatedAt: now });
    } else {
      bucket.tokens = tokens - 1;
      bucket.updatedAt = now;
    }
    return { allowed: true, remaining: Math.floor(tokens - 1) };
  }

  /** How many clients are being tracked (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.refillRate >= this.limit.requests) this.buckets.delete(key);
    }
    // Under a flood from more distinct addresses than the threshold, the oldest entries go first.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < SWEEP_THRESHOLD) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * The process-wide verification limiter, rebuilt when the configuration changes. Kept on
 * globalThis so the proxy (pages) and the API route, bundled separately, share one bucket per
 * client.
 */
const holder = globalThis as typeof globalThis & {
  __pedigreeVerifyLimiter?: { config: string | undefined; limiter: TokenBucketLimiter | undefined };
};

export function verifyLimiter(env: NodeJS.ProcessEnv = process.env): TokenBucketLimiter | undefined {
  const config = env.PEDIGREE_VERIFY_RATE_LIMIT;
  if (holder.__pedigreeVerifyLimiter?.config !== config || holder.__pedigreeVerifyLimiter === undefined) {
    const limit = parseRateLimit(config);
    holder.__pedigreeVerifyLimiter = { config, limiter: limit === "off" ? undefined : new TokenBucketLimiter(limit) };
  }
  return holder.__pedigreeVerifyLimiter.limiter;
}

export interface RateLimitRefusal {
  retryAfterSeconds: number;
  limit: RateLimit;
}

/** Takes one verification from `client`'s allowance; undefined when allowed (or limiting is off). */
export function takeVerification(client: string, env: NodeJS.ProcessEnv = process.env): RateLimitRefusal | undefined {
  const limiter = verifyLimiter(env);
  if (limiter === undefined) return undefined;
  const result = limiter.take(client);
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
