import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { isCset82 } from "@pedigree/gs1";
import {
  DEFAULT_SERIAL_LENGTH,
  MAX_GUESS_PROBABILITY,
  SERIAL_ALPHABET,
  SerialGenerationError,
  generateSerials,
  minimumSerialLength,
  serialGuessProbability,
} from "../src/manifest/generate.ts";
import { parseSerialList } from "../src/manifest/serialList.ts";

const SEED = "batch A1234 secret seed, 32 byte";

/** The i-th candidate serial, computed the slow, obvious way (one fresh HMAC per block). */
function candidate(seed: string, i: number, length: number): string {
  let serial = "";
  for (let block = 0; serial.length < length; block++) {
    const message = new Uint8Array(12);
    const view = new DataView(message.buffer);
    view.setUint32(0, Math.floor(i / 2 ** 32));
    view.setUint32(4, i >>> 0);
    view.setUint32(8, block);
    for (const byte of hmac(sha256, new TextEncoder().encode(seed), message)) {
      if (serial.length < length) serial += SERIAL_ALPHABET[byte % 32];
    }
  }
  return serial;
}

function refusal(run: () => unknown): SerialGenerationError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof SerialGenerationError, `expected a SerialGenerationError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a refusal");
}

describe("generateSerials", () => {
  it("uses an unambiguous 32-character alphabet of CSET 82 characters (no 0, O, 1, I)", () => {
    assert.equal(SERIAL_ALPHABET.length, 32);
    assert.equal(new Set(SERIAL_ALPHABET).size, 32);
    assert.ok(isCset82(SERIAL_ALPHABET));
    assert.doesNotMatch(SERIAL_ALPHABET, /[0O1I]/);
  });

  it("is reproducible from the seed, and a different seed gives a different list", () => {
    const first = generateSerials({ count: 500, seed: SEED });
    assert.deepEqual(generateSerials({ count: 500, seed: SEED }), first);
    assert.deepEqual(generateSerials({ count: 200, seed: SEED }), first.slice(0, 200), "a shorter run is a prefix");
    const other = generateSerials({ count: 500, seed: `${SEED}!` });
    assert.equal(other.filter((serial) => first.includes(serial)).length, 0);
    const bytes = generateSerials({ count: 3, seed: new TextEncoder().encode(SEED) });
    assert.deepEqual(bytes, first.slice(0, 3), "a string seed is its UTF-8 bytes");
  });

  it("derives serial i from HMAC-SHA-256(seed, uint64 i ‖ uint32 block), as documented", () => {
    const serials = generateSerials({ count: 20, seed: SEED, length: 20 });
    serials.forEach((serial, i) => assert.equal(serial, candidate(SEED, i, 20)));
    assert.deepEqual(
      generateSerials({ count: 5, seed: SEED, length: 7 }),
      [0, 1, 2, 3, 4].map((i) => candidate(SEED, i, 7)),
    );
  });

  it("gives unique, valid GS1 serials of the requested length that parseSerialList accepts", () => {
    const serials = generateSerials({ count: 20_000, seed: SEED });
    assert.equal(new Set(serials).size, serials.length);
    assert.ok(serials.every((serial) => serial.length === DEFAULT_SERIAL_LENGTH && /^[2-9A-HJ-NP-Z]+$/.test(serial)));
    const parsed = parseSerialList(serials.join("\n"));
    assert.ok(parsed.ok);
    assert.equal(parsed.serials.length, serials.length);
  });

  it("spreads characters evenly (no modulo bias) and is not sequential", () => {
    const serials = generateSerials({ count: 10_000, seed: SEED });
    const counts = new Map<string, number>();
    for (const serial of serials)
      for (const character of serial) counts.set(character, (counts.get(character) ?? 0) + 1);
    const expected = (10_000 * DEFAULT_SERIAL_LENGTH) / 32;
    // Chi-square with 31 degrees of freedom: 61.1 is the 0.1% critical value.
    const chiSquare = [...SERIAL_ALPHABET].reduce(
      (sum, c) => sum + ((counts.get(c) ?? 0) - expected) ** 2 / expected,
      0,
    );
    assert.ok(chiSquare < 61.1, `chi-square ${chiSquare.toFixed(1)}`);
    const sorted = [...serials].sort();
    assert.notDeepEqual(serials, sorted);
    const sharedPrefixes = serials
      .slice(1)
      .filter((serial, i) => serial.slice(0, 3) === serials[i]?.slice(0, 3)).length;
    assert.ok(sharedPrefixes < 10, "neighbours do not share prefixes");
  });

  it("skips a serial equal to an earlier one and takes the next candidate, deterministically", () => {
    // Short serials (4 characters, 1,048,576 values) collide now and then among 100: find a seed that does.
    let seed = "";
    let candidates: string[] = [];
    for (let attempt = 0; attempt < 2000; attempt++) {
      seed = `collision search seed ${attempt}`;
      candidates = Array.from({ length: 100 }, (_, i) => candidate(seed, i, 4));
      if (new Set(candidates).size < 100) break;
    }
    assert.ok(new Set(candidates).size < 100, "a colliding seed exists");
    const unique = [...new Set(candidates)];
    const serials = generateSerials({ count: unique.length, seed, length: 4 });
    assert.deepEqual(serials, unique);
    const more = generateSerials({ count: 100, seed, length: 4 });
    assert.equal(new Set(more).size, 100);
    assert.deepEqual(more.slice(0, unique.length), unique);
  });

  it("refuses seeds shorter than 16 bytes, or not text or bytes", () => {
    assert.equal(refusal(() => generateSerials({ count: 1, seed: "fifteen bytes.." })).code, "BAD_SEED");
    assert.equal(refusal(() => generateSerials({ count: 1, seed: new Uint8Array(15) })).code, "BAD_SEED");
    assert.match(refusal(() => generateSerials({ count: 1, seed: "short" })).message, /5 bytes; at least 16/);
    assert.equal(refusal(() => generateSerials({ count: 1, seed: 42 as unknown as string })).code, "BAD_SEED");
    assert.equal(generateSerials({ count: 1, seed: "sixteen bytes..." }).length, 1);
    assert.equal(generateSerials({ count: 1, seed: "ééééééééé" }).length, 1, "9 characters, 18 UTF-8 bytes");
  });

  it("refuses counts and lengths outside what GS1 and the contract allow", () => {
    for (const count of [0, -1, 1.5, Number.NaN, 2 ** 32]) {
      assert.equal(refusal(() => generateSerials({ count, seed: SEED })).code, "BAD_COUNT", String(count));
    }
    for (const length of [0, 21, 2.5]) {
      assert.equal(refusal(() => generateSerials({ count: 1, seed: SEED, length })).code, "BAD_LENGTH", String(length));
    }
    assert.equal(generateSerials({ count: 1, seed: SEED, length: 20 })[0]?.length, 20);
  });
});

describe("guessing probability (EU: below 1 in 10,000)", () => {
  it("is count / 32^length", () => {
    assert.equal(serialGuessProbability(1_000_000, 12), 1_000_000 / 32 ** 12);
    assert.equal(serialGuessProbability(1, 1), 1 / 32);
    assert.equal(serialGuessProbability(10, 2, 10), 0.1);
  });

  it("is far below 1 in 10,000 for the defaults at 1,000,000 packs", () => {
    const probability = serialGuessProbability(1_000_000);
    assert.ok(probability < MAX_GUESS_PROBABILITY);
    assert.ok(probability < 1e-12, `${probability}`); // 8.67e-13
    assert.equal(MAX_GUESS_PROBABILITY, 1 / 10_000);
  });

  it("refuses a length or count that would break the bound, saying the length needed", () => {
    assert.equal(minimumSerialLength(1_000_000), 7);
    const error = refusal(() => generateSerials({ count: 1_000_000, seed: SEED, length: 6 }));
    assert.equal(error.code, "GUESSABLE");
    assert.match(
      error.message,
      /1000000 serials of 6 characters could be guessed with probability 0\.000931.*at least 7 characters/,
    );
    // 32^4 / 10,000 = 104.86: 104 serials of 4 characters pass, 105 do not.
    assert.equal(refusal(() => generateSerials({ count: 105, seed: SEED, length: 4 })).code, "GUESSABLE");
    assert.equal(generateSerials({ count: 104, seed: SEED, length: 4 }).length, 104);
  });
});
