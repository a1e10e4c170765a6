import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isCset82 } from "@pedigree/gs1";
import { MAX_REPORTED_SERIAL_ERRORS, checkSerial, parseSerialList } from "../src/manifest/serialList.ts";

const CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/** Serials that need no quoting in a plain list (no comma, no leading quote, no surrounding space). */
const plainSerial = fc
  .array(fc.constantFrom(...CSET82.replace(/[,"]/g, "")), { minLength: 1, maxLength: 20 })
  .map((chars) => chars.join(""));
const anySerial = fc.array(fc.constantFrom(...CSET82), { minLength: 1, maxLength: 20 }).map((chars) => chars.join(""));

function refused(input: string | readonly string[]) {
  const result = parseSerialList(input);
  assert.equal(result.ok, false, `expected ${JSON.stringify(input).slice(0, 80)} to be refused`);
  return result as Extract<ReturnType<typeof parseSerialList>, { ok: false }>;
}

describe("parseSerialList", () => {
  it("reads one serial per line, with LF or CRLF, a trailing newline and surrounding spaces", () => {
    assert.deepEqual(parseSerialList("A1\nB2\nC3"), { ok: true, serials: ["A1", "B2", "C3"] });
    assert.deepEqual(parseSerialList("A1\r\nB2\r\nC3\r\n"), { ok: true, serials: ["A1", "B2", "C3"] });
    assert.deepEqual(parseSerialList("  A1 \n\tB2\t\nC3\n\n  \n"), { ok: true, serials: ["A1", "B2", "C3"] });
    assert.deepEqual(parseSerialList("\uFEFFA1\nB2\n"), { ok: true, serials: ["A1", "B2"] }, "Excel's byte-order mark");
  });

  it("skips a header line named serial (any case), only as the first line", () => {
    assert.deepEqual(parseSerialList("serial\nA1\nB2"), { ok: true, serials: ["A1", "B2"] });
    assert.deepEqual(parseSerialList("Serial,batch\r\nA1,L1\r\nB2,L1\r\n"), { ok: true, serials: ["A1", "B2"] });
    assert.deepEqual(parseSerialList(" SERIAL \nA1"), { ok: true, serials: ["A1"] });
    assert.deepEqual(parseSerialList("A1\nserial"), { ok: true, serials: ["A1", "serial"] });
  });

  it('takes the first CSV column, unquoting RFC 4180 fields (CSET 82 has both , and ")', () => {
    assert.deepEqual(parseSerialList("A1,2026-01-01,x\nB2 , y"), { ok: true, serials: ["A1", "B2"] });
    assert.deepEqual(parseSerialList('"A,1",x\n"B""2"\n "C3" ,y'), { ok: true, serials: ["A,1", 'B"2', "C3"] });
    // A lone quote is data, not a quoted field.
    assert.deepEqual(parseSerialList('"A1\nB"2'), { ok: true, serials: ['"A1', 'B"2'] });
  });

  it("takes an array's elements as they are, numbering them from 1", () => {
    assert.deepEqual(parseSerialList(["A1", "serial", "B,2"]), { ok: true, serials: ["A1", "serial", "B,2"] });
    const result = refused(["A1", " B2", "A1"]);
    assert.deepEqual(
      result.errors.map((e) => [e.line, e.code]),
      [
        [2, "CSET82"],
        [3, "DUPLICATE"],
      ],
    );
  });

  it("refuses the whole list, naming the line (as in the file) and the reason of every bad entry", () => {
    const text = ["serial", "GOOD1", "", "ABCDEFGHIJKLMNOPQRSTU", "AB CD", "GOOD2", "GOOD1", "x#y", "GOOD2", "ÄB"].join(
      "\r\n",
    );
    const result = refused(text);
    assert.deepEqual(
      result.errors.map(({ line, code, serial, firstLine }) => ({ line, code, serial, firstLine })),
      [
        { line: 3, code: "EMPTY", serial: "", firstLine: undefined },
        { line: 4, code: "TOO_LONG", serial: "ABCDEFGHIJKLMNOPQRSTU", firstLine: undefined },
        { line: 5, code: "CSET82", serial: "AB CD", firstLine: undefined },
        { line: 7, code: "DUPLICATE", serial: "GOOD1", firstLine: 2 },
        { line: 8, code: "CSET82", serial: "x#y", firstLine: undefined },
        { line: 9, code: "DUPLICATE", serial: "GOOD2", firstLine: 6 },
        { line: 10, code: "CSET82", serial: "ÄB", firstLine: undefined },
      ],
    );
    assert.equal(result.errorCount, 7);
    assert.equal(result.truncated, 0);
    assert.equal(result.message, "The list was refused: 7 lines are bad.");
    assert.equal(result.errors[0]?.message, "Line 3: no serial; a serial needs 1 to 20 characters");
    assert.equal(result.errors[1]?.message, "Line 4: the serial has 21 characters; at most 20 are allowed (GS1 AI 21)");
    assert.match(
      result.errors[2]?.message ?? "",
      /^Line 5: the serial contains a space at character 3, which GS1 does not allow/,
    );
    assert.equal(
      result.errors[3]?.message,
      "Line 7: serial GOOD1 already appears on line 2; each serial may appear once",
    );
    assert.match(result.errors[4]?.message ?? "", /contains '#' \(U\+0023\) at character 2/);
    assert.equal("firstLine" in (result.errors[0] ?? {}), false);
  });

  it("refuses an empty list", () => {
    for (const input of ["", "\n\n", "serial\n", []]) {
      const result = refused(input);
      assert.equal(result.errors[0]?.code, "EMPTY");
      assert.match(result.message, /no serials/);
    }
  });

  it("lists at most 1,000 errors, counts the rest and says so, and quotes long garbage briefly", () => {
    const garbage = Array.from({ length: 2500 }, (_, i) => (i % 2 === 0 ? `bad serial ${i}` : "x".repeat(10_000))).join(
      "\n",
    );
    const result = refused(garbage);
    assert.equal(result.errors.length, MAX_REPORTED_SERIAL_ERRORS);
    assert.equal(result.errorCount, 2500);
    assert.equal(result.truncated, 1500);
    assert.equal(
      result.message,
      "The list was refused: 2,500 lines are bad; the first 1,000 are listed, 1,500 more are not.",
    );
    assert.equal(result.errors[999]?.line, 1000);
    assert.equal(result.errors[1]?.serial, `${"x".repeat(40)}…`);
  });

  it("accepts every list of distinct valid serials, whatever the line endings and header", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(plainSerial, { minLength: 1, maxLength: 60 }),
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        fc.boolean(),
        (serials, eol, header, trailing) => {
          fc.pre(serials[0]?.toLowerCase() !== "serial" || header);
          const text = (header ? ["Serial", ...serials] : serials).join(eol) + (trailing ? eol : "");
          assert.deepEqual(parseSerialList(text), { ok: true, serials });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("round-trips any valid serial through a quoted CSV column", () => {
    fc.assert(
      fc.property(fc.uniqueArray(anySerial, { minLength: 1, maxLength: 30 }), (serials) => {
        const csv = ["serial,note", ...serials.map((s) => `"${s.replace(/"/g, '""')}",n`)].join("\n");
        assert.deepEqual(parseSerialList(csv), { ok: true, serials });
      }),
      { numRuns: 200 },
    );
  });

  it("never throws on arbitrary text, and reports exactly the lines checkSerial or a repeat condemns", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anySerial, fc.string({ maxLength: 25 })), { maxLength: 40 }), (entries) => {
        const result = parseSerialList(entries);
        const expectedBad: number[] = [];
        const seen = new Set<string>();
        entries.forEach((entry, i) => {
          if (checkSerial(entry) !== undefined) expectedBad.push(i + 1);
          else if (seen.has(entry)) expectedBad.push(i + 1);
          else seen.add(entry);
        });
        if (result.ok) {
          assert.equal(expectedBad.length, 0);
          assert.ok(result.serials.every((s) => s.length >= 1 && s.length <= 20 && isCset82(s)));
        } else if (entries.length > 0) {
          assert.deepEqual(
            result.errors.map((e) => e.line),
            expectedBad,
          );
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), (text) => {
        parseSerialList(text);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses input that is neither text nor an array with a TypeError", () => {
    assert.throws(() => parseSerialList(42 as unknown as string), TypeError);
  });
});
