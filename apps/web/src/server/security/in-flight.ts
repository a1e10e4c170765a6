/**
 * Load shedding for verification: at most PEDIGREE_VERIFY_MAX_IN_FLIGHT checks (default 16) run
 * at once in this process. One more is refused at once with 429 BUSY and `Retry-After: 1`,
 * rather than queued behind the others until its client times out: under a burst, answered
 * checks stay fast and the rest are told plainly to try again in a second. `off` disables it.
 * `npm run bench:load` shows the effect.
 */
import { ApiError } from "../api/errors.ts";

export const DEFAULT_MAX_IN_FLIGHT = 16;
export const BUSY_CODE = "BUSY";

export function parseMaxInFlight(text: string | undefined, name = "PEDIGREE_VERIFY_MAX_IN_FLIGHT"): number | "off" {
  if (text === undefined || text.trim() === "") return DEFAULT_MAX_IN_FLIGHT;
  const value = text.trim().toLowerCase();
  if (value === "off") return "off";
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) {
    throw new Error(`${name} must be a whole number of at least 1, or off (got '${text}').`);
  }
  return Number(value);
}

export class InFlightLimiter {
  readonly max: number;
  private active = 0;

  constructor(max: number) {
    this.max = max;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Runs `work` in a slot, or throws 429 BUSY at once when every slot is taken. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      throw new ApiError(
        429,
        BUSY_CODE,
        "The verification service is busy right now. Try again in a second; nothing is wrong with the pack.",
        { details: { retryAfterSeconds: 1, maxInFlight: this.max }, headers: { "retry-after": "1" } },
      );
    }
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
    }
  }
}

const holder = globalThis as typeof globalThis & {
  __pedigreeVerifySlots?: { config: string | undefined; limiter: InFlightLimiter | undefined };
};

/** The process's verification slots, per PEDIGREE_VERIFY_MAX_IN_FLIGHT (re-read when it changes). */
export function verificationSlots(env: NodeJS.ProcessEnv = process.env): InFlightLimiter | undefined {
  const config = env.PEDIGREE_VERIFY_MAX_IN_FLIGHT;
  if (holder.__pedigreeVerifySlots === undefined || holder.__pedigreeVerifySlots.config !== config) {
    const max = parseMaxInFlight(config);
    holder.__pedigreeVerifySlots = { config, limiter: max === "off" ? undefined : new InFlightLimiter(max) };
  }
  return holder.__pedigreeVerifySlots.limiter;
}

/** Runs one verification within the process's slots (or directly when shedding is off). */
export function withVerificationSlot<T>(work: () => Promise<T>): Promise<T> {
  const slots = verificationSlots();
  return slots === undefined ? work() : slots.run(work);
}
