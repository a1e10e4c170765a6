/**
 * Admission control for verification, per process: at most PEDIGREE_VERIFY_MAX_IN_FLIGHT checks
 * (default 16) run at once; the next ones wait their turn in arrival order, up to
 * PEDIGREE_VERIFY_MAX_QUEUED waiting (default 256) and for at most PEDIGREE_VERIFY_MAX_WAIT_MS
 * (default 2,000 ms). A check that finds the queue full, or whose wait runs out, is refused with
 * 429 BUSY and `Retry-After: 1`.
 *
 * Why a queue rather than refusing as soon as the slots are taken: a burst a little above what
 * the slots hold is then answered a little later instead of refused, and clients that retry at
 * once (scanners, load generators) do not spin on refusals whose handling takes the CPU the
 * running checks need. Why bounded: past a couple of seconds of waiting, a plain "try again"
 * serves a person better than an answer that comes after their client gave up.
 * `npm run bench:load` shows the effect.
 */
import { ApiError } from "../api/errors.ts";

export interface SlotConfig {
  maxInFlight: number;
  maxQueued: number;
  maxWaitMs: number;
}

export const DEFAULT_SLOTS: SlotConfig = { maxInFlight: 16, maxQueued: 256, maxWaitMs: 2_000 };
export const BUSY_CODE = "BUSY";

function wholeNumber(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === "") return fallback;
  const value = text.trim();
  if (!/^\d{1,7}$/.test(value) || Number(value) < min) {
    throw new Error(
      `${name} must be a whole number of at least ${min}${name.endsWith("IN_FLIGHT") ? ", or off" : ""} (got '${text}').`,
    );
  }
  return Number(value);
}

/** The slots the environment asks for, or "off" (PEDIGREE_VERIFY_MAX_IN_FLIGHT=off) for no admission control. */
export function parseSlotConfig(env: Record<string, string | undefined> = process.env): SlotConfig | "off" {
  if (env.PEDIGREE_VERIFY_MAX_IN_FLIGHT?.trim().toLowerCase() === "off") return "off";
  return {
    maxInFlight: wholeNumber(env, "PEDIGREE_VERIFY_MAX_IN_FLIGHT", DEFAULT_SLOTS.maxInFlight, 1),
    maxQueued: wholeNumber(env, "PEDIGREE_VERIFY_MAX_QUEUED", DEFAULT_SLOTS.maxQueued, 0),
    maxWaitMs: wholeNumber(env, "PEDIGREE_VERIFY_MAX_WAIT_MS", DEFAULT_SLOTS.maxWaitMs, 1),
  };
}

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

export class InFlightLimiter {
  readonly config: SlotConfig;
  private active = 0;
  /** Waiting checks, oldest first; a refused one is taken out at once. */
  private readonly waiting: Waiter[] = [];

  constructor(config: SlotConfig) {
    this.config = config;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `work` in a slot, after waiting its turn if every slot is taken; or throws 429 BUSY. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.config.maxInFlight) await this.waitForSlot();
    else this.active++;
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Resolves once a slot is handed over (counted as active already), or rejects with BUSY. */
  private waitForSlot(): Promise<void> {
    if (this.waiting.length >= this.config.maxQueued) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(this.busy());
        }, this.config.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot to the oldest waiting check, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.active--;
    else next.admit();
  }

  private busy(): ApiError {
    return new ApiError(
      429,
      BUSY_CODE,
      "The verification service is busy right now. Try again in a second; nothing is wrong with the pack.",
      // The sizes of the slots and the queue stay private: they would tell an attacker how much
      // load tips the server over.
      { details: { retryAfterSeconds: 1 }, headers: { "retry-after": "1" } },
    );
  }
}

const holder = globalThis as typeof globalThis & {
  __pedigreeVerifySlots?: { key: string; limiter: InFlightLimiter | undefined };
};

/** The process's verification slots, per the environment (re-read when it changes). */
export function verificationSlots(env: NodeJS.ProcessEnv = process.env): InFlightLimiter | undefined {
  const key = [env.PEDIGREE_VERIFY_MAX_IN_FLIGHT, env.PEDIGREE_VERIFY_MAX_QUEUED, env.PEDIGREE_VERIFY_MAX_WAIT_MS].join(
    "|",
  );
  if (holder.__pedigreeVerifySlots === undefined || holder.__pedigreeVerifySlots.key !== key) {
    const config = parseSlotConfig(env);
    holder.__pedigreeVerifySlots = { key, limiter: config === "off" ? undefined : new InFlightLimiter(config) };
  }
  return holder.__pedigreeVerifySlots.limiter;
}

/** Runs one verification within the process's slots (or directly when admission control is off). */
export function withVerificationSlot<T>(work: () => Promise<T>): Promise<T> {
  const slots = verificationSlots();
  return slots === undefined ? work() : slots.run(work);
}
