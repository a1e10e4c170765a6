import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGs1, toHri } from "../src/index.ts";

const now = new Date("2025-06-15T00:00:00Z");

function code(input: string): string {
  const result = parseGs1(input, { now });
  return result.ok ? "ok" : result.error.code;
}

describe("human-readable form (HRI)", () => {
  it("reads values delimited by bracketed AIs, with spaces as printed on labels", () => {
    const expected = {
      ok: true,
      form: "hri",
      value: {
        gtin: "09520123456788",
        expiry: { raw: "271200", date: "2027-12-31" },
        lot: "ABC123",
      },
    };
    assert.deepEqual(parseGs1("(01)09520123456788(17)271200(10)ABC123", { now }), expected);
    assert.deepEqual(parseGs1("(01) 09520123456788 (17) 271200 (10) ABC123", { now }), expected);
    assert.deepEqual(parseGs1("  (01)09520123456788(17)271200(10)ABC123\n", { now }), expected);
  });

  it("treats brackets that do not enclose 2-4 digits as data, and \\( as a literal bracket", () => {
    const lots: Array<[string, string]> = [
      ["(10)A(B)C", "A(B)C"],
      ["(10)A(1)C", "A(1)C"],
      ["(10)(X", "(X"],
      ["(10)A\\(12)B", "A(12)B"],
      ["(10)A)", "A)"],
    ];
    for (const [hri, lot] of lots) {
      const result = parseGs1(`(01)09520123456788${hri}`, { now });
      assert.ok(result.ok, hri);
      assert.equal(result.value.lot, lot, hri);
    }
    assert.equal(toHri({ gtin: "09520123456788", lot: "A(12)B" }), "(01)09520123456788(10)A\\(12)B");
    assert.equal(toHri({ gtin: "09520123456788", lot: "A(B)" }), "(01)09520123456788(10)A(B)");
  });

  it("refuses a lot containing what reads as a bracketed AI", () => {
    assert.equal(code("(01)09520123456788(10)A(12)B"), "UNKNOWN_AI");
  });

  it("refuses malformed brackets with HRI_SYNTAX", () => {
    for (const input of ["(01", "(1)2", "(0A)09520123456788", "()", "(01234)5"])
      assert.equal(code(input), "HRI_SYNTAX", input);
  });

  it("refuses unknown AIs", () => {
    const result = parseGs1("(01)09520123456788(3103)000123", { now });
    assert.ok(!result.ok);
    assert.deepEqual([result.error.code, result.error.ai], ["UNKNOWN_AI", "3103"]);
  });

  it("refuses wrong lengths, empty values and characters outside CSET 82", () => {
    assert.equal(code("(01)0952012345678"), "BAD_LENGTH");
    assert.equal(code("(01)095201234567888"), "BAD_LENGTH");
    assert.equal(code("(17)2712"), "BAD_LENGTH");
    assert.equal(code("(01)09520123456788(10)"), "EMPTY_VALUE");
    assert.equal(code("(01)09520123456788(10)(21)X"), "EMPTY_VALUE");
    assert.equal(code("(01)09520123456788(10)ABC#"), "CSET82");
    assert.equal(code("(01)09520123456788(21)" + "X".repeat(21)), "TOO_LONG");
  });

  it("applies the same association and duplicate rules as scan data", () => {
    assert.equal(code("(21)XYZ"), "MISSING_GTIN");
    assert.equal(code("(01)09520123456788(10)A(10)A"), "ok");
    assert.equal(code("(01)09520123456788(10)A(10)B"), "DUPLICATE_AI");
  });

  it("points at the AI when an association is missing", () => {
    const result = parseGs1("(10)ABC", { now });
    assert.ok(!result.ok);
    assert.equal(result.error.at, 1);
  });
});
