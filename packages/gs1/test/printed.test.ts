/**
 * The text printed beside a pack's code (STANDARDS.md, "What a scanner hands over"): the EU FMD
 * and US DSCSA layouts, the checks every value gets, and properties over generated labels.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  isCset82,
  isValidGtin,
  MAX_INPUT_LENGTH,
  parseGs1,
  parsePrintedText,
  toHri,
  validateGs1Value,
  type PrintedTextResult,
} from "../src/index.ts";
import { ERROR_CODES, gtin14, NOW, printedPack } from "./arbitraries.ts";

const now = NOW;
const read = (text: string) => parsePrintedText(text, { now });
const codeOf = (text: string) => {
  const result = read(text);
  return result.ok ? "ok" : result.error.code;
};

const PACK = {
  gtin: "09520120100028",
  serial: "ABC123",
  lot: "L1",
  expiry: { raw: "280500", date: "2028-05-31" },
};

/** What any result must look like: a valid value the GS1 forms carry unchanged, or a known error. */
function assertWellFormed(input: string, result: PrintedTextResult): void {
  if (result.ok) {
    const { value } = result;
    assert.ok(value.gtin !== undefined && value.gtin.length === 14 && isValidGtin(value.gtin), value.gtin);
    assert.deepEqual(validateGs1Value(value, { now }), { ok: true, value });
    // What the UI sends the server for typed text: the same identifiers in the bracketed form.
    assert.deepEqual(parseGs1(toHri(value), { now }), { ok: true, form: "hri", value });
    if (result.nationalNumber !== undefined) {
      assert.ok(isCset82(result.nationalNumber) && result.nationalNumber.length >= 1);
      assert.ok(result.nationalNumber.length <= 20);
    }
  } else {
    assert.ok(ERROR_CODES[result.error.code], result.error.code);
    assert.ok(result.error.message.length > 0);
    if (result.error.at !== undefined) {
      assert.ok(
        Number.isInteger(result.error.at) && result.error.at >= 0 && result.error.at <= input.length,
        JSON.stringify(result.error),
      );
    }
  }
}

describe("parsePrintedText: the label layouts", () => {
  it("reads the US DSCSA layout: GTIN, SN, LOT, EXP", () => {
    assert.deepEqual(read("GTIN 09520120100028 SN ABC123 LOT L1 EXP 2028-05"), { ok: true, value: PACK });
    assert.deepEqual(read("GTIN: 09520120100028\nSN: ABC123\nLOT: L1\nEXP: 2028-05"), { ok: true, value: PACK });
  });

  it("reads the EU FMD layout: PC, SN, NN beside Lot/Batch/Ch.-B. and EXP/Exp./Verw. bis", () => {
    for (const text of [
      "PC: 09520120100028\nSN: ABC123\nLot: L1\nEXP: 05/2028",
      "PC: 09520120100028\r\nSN: ABC123\r\nBatch: L1\r\nExp. 05/2028",
      "Ch.-B. L1 Verw. bis 05/2028 PC 09520120100028 SN ABC123",
      "PC 09520120100028 SN ABC123 LOT L1 EXP 280500",
    ]) {
      assert.deepEqual(read(text), { ok: true, value: PACK }, text);
    }
    assert.deepEqual(read("PC: 09520120100028\nSN: ABC123\nNN: 12345678\nCh.-B.: L1\nVerw. bis: 05/2028"), {
      ok: true,
      value: PACK,
      nationalNumber: "12345678",
    });
  });

  it("reads every expiry form: MM/YYYY and YYYY-MM as the month's last day, YYMMDD, YYYY-MM-DD", () => {
    const expiryOf = (text: string) => {
      const result = read(`PC 09520120100028 EXP ${text}`);
      assert.ok(result.ok, text);
      return result.value.expiry;
    };
    assert.deepEqual(expiryOf("02/2028"), { raw: "280200", date: "2028-02-29" });
    assert.deepEqual(expiryOf("2027-02"), { raw: "270200", date: "2027-02-28" });
    assert.deepEqual(expiryOf("280515"), { raw: "280515", date: "2028-05-15" });
    assert.deepEqual(expiryOf("280500"), { raw: "280500", date: "2028-05-31" });
    assert.deepEqual(expiryOf("2028-05-15"), { raw: "280515", date: "2028-05-15" });
  });

  it("separates fields by spaces, line breaks, colons or nothing", () => {
    for (const text of [
      "PC:09520120100028SN:ABC123LOT:L1EXP:2028-05",
      "GTIN09520120100028 SNABC123 LOTL1 EXP2028-05",
      "PC:09520120100028:SN:ABC123\tLOT:L1:EXP:05/2028",
      "  gtin 09520120100028 sn ABC123 lot L1 exp 2028-05 \n",
      "PC 09520120100028 SN ABC123 Lot L1 Verw.bis 05/2028",
    ]) {
      assert.deepEqual(read(text), { ok: true, value: PACK }, JSON.stringify(text));
    }
  });

  it("keeps a serial's case: GS1 serials are case-sensitive, and a lowercase one is for the UI to point out", () => {
    const result = read("GTIN 09520120100028 SN abc123");
    assert.ok(result.ok);
    assert.equal(result.value.serial, "abc123");
  });

  it("pads a GTIN-8, -12 or -13 to 14 digits, as the Digital Link does", () => {
    const result = read("PC 9520120100028 SN ABC123");
    assert.ok(result.ok);
    assert.equal(result.value.gtin, "09520120100028");
    assert.equal(codeOf("GTIN 96385074 SN X"), "ok");
    assert.equal(codeOf("GTIN 95201201000 SN X"), "BAD_LENGTH");
  });

  it("keeps an NDC printed beside the GTIN as AI 715, and refuses an NDC alone in plain terms", () => {
    const result = read("GTIN 00312345678906 NDC 12345-678-90 SN ABC123 LOT L1 EXP 2028-05");
    assert.ok(result.ok);
    assert.deepEqual(result.value.nationalNumbers, { "715": "12345-678-90" });
    const alone = read("NDC 12345-678-90 SN ABC123 LOT L1 EXP 2028-05");
    assert.ok(!alone.ok);
    assert.equal(alone.error.code, "NDC_WITHOUT_GTIN");
    assert.equal(alone.error.at, 0);
    assert.match(alone.error.message, /NDC alone/);
    assert.equal(codeOf("GTIN 00312345678906 NDC 1234-567-89"), "BAD_LENGTH");
    assert.equal(codeOf("GTIN 00312345678906 NDC 12345-678-9O"), "NOT_DIGITS");
  });
});

describe("parsePrintedText: what it refuses", () => {
  it("checks the GTIN's check digit and says where it is", () => {
    const result = read("GTIN 09520120100029 SN ABC123");
    assert.ok(!result.ok);
    assert.deepEqual(
      { code: result.error.code, at: result.error.at, expected: result.error.expected },
      { code: "GTIN_CHECK_DIGIT", at: 18, expected: "8" },
    );
  });

  it("refuses dates that are not real, or not in a printed form, or too far off for a GS1 date", () => {
    for (const [text, at] of [
      ["EXP 13/2028", 22],
      ["EXP 2027-02-29", undefined],
      ["EXP 31.05.2028", 22],
      ["EXP 5/2028", 22],
      ["EXP 2099-01", 22],
      ["EXP", undefined],
    ] as const) {
      const result = read(`PC 09520120100028 ${text}`);
      assert.ok(!result.ok, text);
      assert.equal(result.error.code, "BAD_DATE", text);
      if (at !== undefined) assert.equal(result.error.at, at, text);
    }
  });

  it("checks serials and lots as GS1 does: CSET 82, 1 to 20 characters, one value per field", () => {
    assert.equal(codeOf("PC 09520120100028 SN AB#1"), "CSET82");
    assert.equal(codeOf(`PC 09520120100028 LOT ${"L".repeat(21)}`), "TOO_LONG");
    assert.equal(codeOf("PC 09520120100028 SN:"), "EMPTY_VALUE");
    assert.equal(codeOf("PC 09520120100028 SN: LOT: L1"), "EMPTY_VALUE");
    assert.equal(codeOf("PC 09520120100028 SN A SN B"), "DUPLICATE_AI");
    assert.equal(codeOf("PC 09520120100028 SN A SN A"), "ok");
    assert.equal(codeOf("PC 09520120100028 NN 1 NN 2"), "DUPLICATE_AI");
    assert.equal(codeOf("PC 09520120100028 PC 09520123456788"), "DUPLICATE_AI");
  });

  it("refuses text it cannot place, naming what it found", () => {
    const result = read("PC 09520120100028 COLOUR red");
    assert.ok(!result.ok);
    assert.deepEqual(
      { code: result.error.code, at: result.error.at, found: result.error.found },
      {
        code: "UNKNOWN_FIELD",
        at: 18,
        found: "COLOUR",
      },
    );
  });

  it("needs the GTIN", () => {
    const result = read("SN ABC123 LOT L1");
    assert.ok(!result.ok);
    assert.equal(result.error.code, "MISSING_GTIN");
  });

  it("leaves the GS1 forms to parseGs1 and refuses what is no printed text", () => {
    for (const text of [
      "(01)09520120100028(21)ABC123",
      "0109520120100028",
      "]d20109520120100028",
      "https://id.gs1.org/01/09520120100028",
      "hello",
    ]) {
      assert.equal(codeOf(text), "UNRECOGNISED_FORMAT", text);
    }
  });

  it("checks its input as parseGs1 does: text, at most 512 characters, not empty", () => {
    assert.equal(codeOf(" \n "), "EMPTY_INPUT");
    assert.equal(codeOf(`PC 09520120100028 SN A${" ".repeat(MAX_INPUT_LENGTH)}`), "INPUT_TOO_LONG");
    for (const input of [undefined, null, 42, {}, new String("PC 09520120100028")]) {
      const result = parsePrintedText(input as unknown as string);
      assert.ok(!result.ok && result.error.code === "NOT_A_STRING");
    }
  });
});

describe("parsePrintedText: properties", () => {
  it("reads every generated label layout back to the values printed", () => {
    fc.assert(
      fc.property(printedPack, ({ text, expected }) => {
        assert.deepEqual(read(text), expected, JSON.stringify(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses a GTIN with any one digit changed (the check digit catches every single-digit error)", () => {
    fc.assert(
      fc.property(gtin14, fc.nat({ max: 13 }), fc.integer({ min: 1, max: 9 }), (gtin, position, shift) => {
        const digit = (Number(gtin[position]) + shift) % 10;
        const changed = gtin.slice(0, position) + String(digit) + gtin.slice(position + 1);
        for (const name of ["GTIN ", "PC: ", "pc"]) {
          const result = read(`${name}${changed} SN X`);
          assert.ok(!result.ok && result.error.code === "GTIN_CHECK_DIGIT", `${name}${changed}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on strings made of field names, digits and separators, and gives a well-formed result", () => {
    const piece = fc.constantFrom(
      ..."0123456789:/-. \n\t#aAZ",
      "PC",
      "GTIN",
      "SN",
      "LOT",
      "Lot",
      "Batch",
      "Ch.-B.",
      "EXP",
      "Exp.",
      "Verw. bis",
      "NN",
      "NDC",
      "09520120100028",
      "9520120100028",
      "2028",
      "05/",
      "12345-678-90",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        assertWellFormed(text, read(text));
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws on arbitrary strings or randomly edited labels, and gives a well-formed result", () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 3 }),
      insert: fc.string({ maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "binary" }),
          fc.tuple(printedPack, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([{ text }, edits]) => {
            let s = text;
            for (const e of edits) {
              const at = e.at % (s.length + 1);
              s = s.slice(0, at) + e.insert + s.slice(at + e.remove);
            }
            return s;
          }),
        ),
        (text) => assertWellFormed(text, read(text)),
      ),
      { numRuns: 3000 },
    );
  });
});
