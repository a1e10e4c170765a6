/**
 * Serial numbers for a batch: non-sequential and unguessable (EU Delegated Regulation 2016/161,
 * art. 4: the probability of guessing a serial must be negligible and in any case below 1 in
 * 10,000), yet reproducible by whoever holds the batch's secret seed, so a label run can be
 * reprinted without storing the list anywhere else.
 *
 * Serial number i comes from HMAC-SHA-256(seed, uint64 i ‖ uint32 block) (big-endian; block 0,
 * then 1, 2... only if more bytes are needed), each byte mapped onto a 32-character alphabet by
 * rejection sampling (with 32 characters every byte is accepted, so there is no modulo bias). A
 * serial equal to an earlier one is skipped and the next i is tried, so the list is unique and
 * the same seed always gives the same list.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { MAX_SERIAL_LENGTH } from "./serialList.ts";

/** Digits and upper-case letters without 0, O, 1 and I, which people misread; all CSET 82. */
export const SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export const DEFAULT_SERIAL_LENGTH = 12;
/** EU FMD: the probability of guessing a valid serial must be below 1 in 10,000. */
export const MAX_GUESS_PROBABILITY = 1 / 10_000;
export const MIN_SEED_BYTES = 16;
/** The contract's pack count is a uint32. */
export const MAX_SERIAL_COUNT = 0xffff_ffff;

export type SerialGenerationErrorCode = "BAD_SEED" | "BAD_COUNT" | "BAD_LENGTH" | "GUESSABLE";

/** Why a generation request was refused. `code` is for programs, `message` for people. */
export class SerialGenerationError extends Error {
  override readonly name = "SerialGenerationError";
  readonly code: SerialGenerationErrorCode;

  constructor(code: SerialGenerationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface GenerateSerialsOptions {
  count: number;
  /** The batch's secret: at least 16 bytes (a string counts its UTF-8 bytes). Use 32 random bytes, one seed per batch. */
  seed: string | Uint8Array;
  /** Characters per serial, 1 to 20; default 12. */
  length?: number;
}

/**
 * The probability that one guess of a serial of `length` characters from an alphabet of
 * `alphabetSize` hits one of `count` valid serials: count / alphabetSize^length.
 */
export function serialGuessProbability(
  count: number,
  length: number = DEFAULT_SERIAL_LENGTH,
  alphabetSize: number = SERIAL_ALPHABET.length,
): number {
  return count / alphabetSize ** length;
}

/**
 * `count` unique serials derived from `seed`. Throws SerialGenerationError (BAD_COUNT, BAD_LENGTH,
 * BAD_SEED, GUESSABLE) rather than produce serials that break the EU guessing bound.
 */
export function generateSerials({ count, seed, length = DEFAULT_SERIAL_LENGTH }: GenerateSerialsOptions): string[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SERIAL_COUNT) {
    throw new SerialGenerationError(
      "BAD_COUNT",
      `Cannot generate ${String(count)} serials: the count must be a whole number from 1 to ${MAX_SERIAL_COUNT}`,
    );
  }
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_SERIAL_LENGTH) {
    throw new SerialGenerationError(
      "BAD_LENGTH",
      `Cannot generate serials of ${String(length)} characters: GS1 serials (AI 21) have 1 to ${MAX_SERIAL_LENGTH}`,
    );
  }
  const probability = serialGuessProbability(count, length);
  if (!(probability < MAX_GUESS_PROBABILITY)) {
    const needed = minimumSerialLength(count);
    throw new SerialGenerationError(
      "GUESSABLE",
      `${count} serials of ${length} characters could be guessed with probability ${probability.toPrecision(3)}, ` +
        `which is not below 1 in 10,000 (EU FMD); use at least ${needed} characters`,
    );
  }
  const key = seedBytes(seed);

  const alphabetSize = SERIAL_ALPHABET.length;
  // Bytes at or above `limit` are rejected, so every character is equally likely.
  const limit = 256 - (256 % alphabetSize);
  // Keyed once; each serial clones the keyed state (a fresh HMAC per serial costs 5x more).
  const keyed = hmac.create(sha256, key);
  let running = keyed.clone();
  const message = new Uint8Array(12);
  const view = new DataView(message.buffer);
  const digest = new Uint8Array(32);

  const serials: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; serials.length < count; i++) {
    view.setUint32(0, Math.floor(i / 0x1_0000_0000));
    view.setUint32(4, i >>> 0);
    let serial = "";
    for (let block = 0; serial.length < length; block++) {
      view.setUint32(8, block);
      running = keyed._cloneInto(running);
      running.update(message);
      running.digestInto(digest);
      for (let b = 0; b < digest.length && serial.length < length; b++) {
        const byte = digest[b] as number;
        if (byte < limit) serial += SERIAL_ALPHABET[byte % alphabetSize];
      }
    }
    if (seen.has(serial)) continue;
    seen.add(serial);
    serials.push(serial);
  }
  return serials;
}

/** The shortest serial length that keeps `count` serials below the EU guessing bound. */
export function minimumSerialLength(count: number, alphabetSize: number = SERIAL_ALPHABET.length): number {
  let length = 1;
  while (!(serialGuessProbability(count, length, alphabetSize) < MAX_GUESS_PROBABILITY)) length++;
  return length;
}

function seedBytes(seed: string | Uint8Array): Uint8Array {
  const bytes =
    typeof seed === "string" ? new TextEncoder().encode(seed) : seed instanceof Uint8Array ? seed : undefined;
  if (bytes === undefined) {
    throw new SerialGenerationError("BAD_SEED", "The seed must be a string or bytes (Uint8Array)");
  }
  if (bytes.length < MIN_SEED_BYTES) {
    throw new SerialGenerationError(
      "BAD_SEED",
      `The seed has ${bytes.length} bytes; at least ${MIN_SEED_BYTES} are needed (use 32 random bytes, kept secret)`,
    );
  }
  return bytes;
}
