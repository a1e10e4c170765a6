import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak_256, keccakP } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { keccak256Into, keccakF1600 } from "../src/manifest/keccak.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function keccak256(input: Uint8Array): string {
  const out = new Uint8Array(40);
  keccak256Into(input, input.length, out, 8);
  assert.deepEqual([...out.subarray(0, 8)], [0, 0, 0, 0, 0, 0, 0, 0], "writes only its 32 bytes");
  return hex(out.subarray(8));
}

describe("keccak256Into", () => {
  it("gives Ethereum's keccak256 of known inputs", () => {
    assert.equal(keccak256(new Uint8Array()), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assert.equal(
      keccak256(new TextEncoder().encode("hello world")),
      "47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad",
    );
  });

  it("agrees with noble's keccak_256 for every length around the block size", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (input) => {
        assert.equal(keccak256(input), hex(keccak_256(input)));
      }),
      { numRuns: 400 },
    );
    for (const length of [0, 1, 31, 32, 33, 63, 64, 127, 128, 134, 135, 136, 137, 271, 272]) {
      const input = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      assert.equal(keccak256(input), hex(keccak_256(input)), `length ${length}`);
    }
  });

  it("hashes only the first `length` bytes of a longer buffer", () => {
    const buffer = Uint8Array.from({ length: 100 }, (_, i) => i);
    const out = new Uint8Array(32);
    keccak256Into(buffer, 64, out, 0);
    assert.equal(hex(out), hex(keccak_256(buffer.subarray(0, 64))));
  });
});

describe("keccakF1600", () => {
  it("is noble's Keccak-f[1600] permutation, applied again and again to arbitrary states", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 50, maxLength: 50 }), (words) => {
        const ours = Uint32Array.from(words);
        const reference = Uint32Array.from(words);
        for (let i = 0; i < 5; i++) {
          keccakF1600(ours);
          keccakP(reference, 24);
          assert.deepEqual(ours, reference);
        }
      }),
      { numRuns: 200 },
    );
  });
});
