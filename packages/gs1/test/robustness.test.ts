import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_INPUT_LENGTH, parseGs1, type ParseOptions } from "../src/index.ts";

describe("robustness", () => {
  it("refuses input longer than 512 characters before any other work", () => {
    const long = "(01)09520123456788" + " ".repeat(MAX_INPUT_LENGTH);
    const result = parseGs1(long);
    assert.ok(!result.ok);
    assert.equal(result.error.code, "INPUT_TOO_LONG");
    assert.equal(parseGs1("x".repeat(1_000_000)).ok, false);
    assert.equal(MAX_INPUT_LENGTH, 512);
    const exactly512 = "0109520123456788" + " ".repeat(512 - 16);
    assert.equal(parseGs1(exactly512).ok, true);
  });

  it("returns NOT_A_STRING for anything that is not a string", () => {
    for (const input of [undefined, null, 42, {}, [], Symbol("x"), () => "", new String("0109520123456788")]) {
      const result = parseGs1(input as unknown as string);
      assert.ok(!result.ok);
      assert.equal(result.error.code, "NOT_A_STRING");
    }
  });

  it("ignores options it cannot use instead of throwing", () => {
    for (const options of [null, 5, "x", { now: "2025" }, { now: new Date(Number.NaN) }]) {
      const result = parseGs1("(01)09520123456788(17)271231", options as unknown as ParseOptions);
      assert.ok(result.ok, JSON.stringify(options));
    }
  });

  it("refuses text that is no GS1 form with UNRECOGNISED_FORMAT", () => {
    for (const input of ["hello", "id.gs1.org/01/09520123456788", "ftp://x/01/09520123456788", "#01"]) {
      const result = parseGs1(input);
      assert.equal(result.ok ? "ok" : result.error.code, "UNRECOGNISED_FORMAT", input);
    }
  });
});
