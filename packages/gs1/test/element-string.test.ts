import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GS_SUBSTITUTES, parseGs1, type Gs1Value } from "../src/index.ts";

const now = new Date("2025-06-15T00:00:00Z");
const GS = "\u001d";
const pack: Gs1Value = {
  gtin: "09520123456788",
  expiry: { raw: "271231", date: "2027-12-31" },
  lot: "ABC123",
  serial: "XYZ987",
};
const scan = `01095201234567881727123110ABC123${GS}21XYZ987`;

function code(input: string): string {
  const result = parseGs1(input, { now });
  return result.ok ? "ok" : result.error.code;
}

describe("element strings (scan data)", () => {
  it("reads AIs in any order, variable-length values ended by GS or by the end", () => {
    assert.deepEqual(parseGs1(scan, { now }), {
      ok: true,
      form: "element-string",
      value: pack,
    });
    const reordered = `10ABC123${GS}010952012345678821XYZ987${GS}17271231`;
    assert.deepEqual(parseGs1(reordered, { now }), {
      ok: true,
      form: "element-string",
      value: pack,
    });
  });

  for (const id of ["]d2", "]Q3", "]C1", "]e0", "]d1", "]Q1"]) {
    it(`strips the symbology identifier ${id}`, () => {
      assert.deepEqual(parseGs1(id + scan, { now }), {
        ok: true,
        form: "element-string",
        value: pack,
      });
    });
  }

  it("accepts a leading FNC1 sent as GS, also after a symbology identifier", () => {
    assert.deepEqual(parseGs1(GS + scan, { now }), {
      ok: true,
      form: "element-string",
      value: pack,
    });
    assert.deepEqual(parseGs1(`]d2${GS}${scan}`, { now }), {
      ok: true,
      form: "element-string",
      value: pack,
    });
  });

  it("tolerates a separator after a predefined-length value and at the very end", () => {
    const redundant = `0109520123456788${GS}17271231${GS}10ABC123${GS}21XYZ987${GS}`;
    assert.deepEqual(parseGs1(redundant, { now }), {
      ok: true,
      form: "element-string",
      value: pack,
    });
  });

  for (const substitute of GS_SUBSTITUTES) {
    it(`accepts the keyboard-wedge separator substitute ${JSON.stringify(substitute)} wherever GS may stand`, () => {
      const wedge = substitute + scan.replaceAll(GS, substitute);
      assert.deepEqual(parseGs1(wedge, { now }), {
        ok: true,
        form: "element-string",
        value: pack,
      });
    });
  }

  it("does not take CSET 82 look-alikes such as <GS> or | as separators", () => {
    // "<GS>" is four CSET 82 characters, so it is lot data: the lot then runs into AI 21.
    const result = parseGs1(`0109520123456788172712311012<GS>21XYZ987`, {
      now,
    });
    assert.ok(result.ok);
    assert.equal(result.value.lot, "12<GS>21XYZ987");
    assert.equal(code(`01095201234567881727123110ABC|21XYZ987`), "CSET82");
  });

  it("ignores surrounding white space, including a scanner's CR/LF/Tab suffix", () => {
    assert.deepEqual(parseGs1(` \t]d2${scan}\r\n`, { now }), {
      ok: true,
      form: "element-string",
      value: pack,
    });
  });

  it("reads SSCC, GLNs and national drug numbers", () => {
    const result = parseGs1(
      `00106141411234567897414541234500001341754123450000130109520123456788710PZN12345${GS}715NDC-1`,
      { now },
    );
    assert.deepEqual(result, {
      ok: true,
      form: "element-string",
      value: {
        sscc: "106141411234567897",
        gln: "5412345000013",
        partyGln: "5412345000013",
        gtin: "09520123456788",
        nationalNumbers: { "710": "PZN12345", "715": "NDC-1" },
      },
    });
  });

  it("accepts a repeated AI with the same value and refuses one with a different value", () => {
    assert.equal(code(`010952012345678810ABC${GS}10ABC`), "ok");
    const result = parseGs1(`010952012345678810ABC${GS}10ABD`, { now });
    assert.ok(!result.ok);
    assert.equal(result.error.code, "DUPLICATE_AI");
    assert.equal(result.error.ai, "10");
    assert.match(result.error.message, /'ABC' and 'ABD'/);
    assert.equal(code("0109520123456788010952012345678817271231"), "ok");
    assert.equal(code("01095201234567881727123117271230"), "DUPLICATE_AI");
  });

  it("refuses lot, serial, expiry and national numbers without a GTIN", () => {
    for (const input of ["10ABC", "21XYZ", "17271231", "710PZN1", "00106141411234567897" + "10ABC"]) {
      const result = parseGs1(input, { now });
      assert.equal(result.ok ? "ok" : result.error.code, "MISSING_GTIN", input);
    }
    assert.equal(code("00106141411234567897"), "ok");
    assert.equal(code("4145412345000013"), "ok");
  });

  it("refuses unknown AIs, naming the AI and where it is", () => {
    const result = parseGs1("01095201234567883103000123", { now });
    assert.ok(!result.ok);
    assert.deepEqual([result.error.code, result.error.ai, result.error.at], ["UNKNOWN_AI", "3103", 16]);
    assert.match(result.error.message, /not one Pedigree reads/);
    for (const input of [
      "0209520123456788",
      "1123101",
      "22ABC",
      "240X",
      "4155412345000013",
      "716X",
      "8200x",
      "99X",
      "11",
    ]) {
      assert.equal(code(`0109520123456788${input}`), "UNKNOWN_AI", input);
    }
  });

  it("refuses wrong lengths of predefined-length values", () => {
    assert.equal(code("010952012345678"), "BAD_LENGTH"); // 13 digits at the end
    assert.equal(code(`010952012345678${GS}10ABC`), "BAD_LENGTH"); // cut short by a separator
    assert.equal(code("0109520123456788171231"), "BAD_LENGTH");
    assert.equal(code("414541234500001"), "BAD_LENGTH");
    assert.equal(code("0010614141123456789"), "BAD_LENGTH");
  });

  it("refuses lot or serial longer than 20, hinting at a missing separator", () => {
    const result = parseGs1("010952012345678810ABCDEFGHIJKLMNOPQRSTU", { now });
    assert.ok(!result.ok);
    assert.equal(result.error.code, "TOO_LONG");
    assert.equal(result.error.ai, "10");
    assert.match(result.error.message, /21 characters; at most 20/);
    assert.match(result.error.message, /separator may be missing/);
    assert.equal(code("010952012345678810ABCDEFGHIJKLMNOPQRST"), "ok"); // exactly 20
    assert.equal(code("010952012345678821ABCDEFGHIJKLMNOPQRSTU"), "TOO_LONG");
    assert.equal(code("0109520123456788710ABCDEFGHIJKLMNOPQRSTU"), "TOO_LONG");
  });

  it("refuses wrong check digits of GTIN, GLN and SSCC with their own codes", () => {
    assert.equal(code("0109520123456789"), "GTIN_CHECK_DIGIT");
    assert.equal(code("4145412345000014"), "GLN_CHECK_DIGIT");
    assert.equal(code("4175412345000014"), "GLN_CHECK_DIGIT");
    assert.equal(code("00106141411234567898"), "SSCC_CHECK_DIGIT");
  });

  it("refuses letters in numeric values and characters outside CSET 82 in text values", () => {
    assert.equal(code("01095201234567A8"), "NOT_DIGITS");
    assert.equal(code("0109520123456788172712A1"), "NOT_DIGITS");
    assert.equal(code("010952012345678810AB#C"), "CSET82");
    assert.equal(code("010952012345678821AB@C"), "CSET82");
    assert.equal(code("010952012345678821ABé"), "CSET82");
  });

  it("refuses empty values", () => {
    assert.equal(code(`010952012345678810${GS}21X`), "EMPTY_VALUE");
    assert.equal(code("010952012345678821"), "EMPTY_VALUE");
    assert.equal(code(`01${GS}`), "EMPTY_VALUE");
  });

  it("refuses two separators in a row and data that is not an AI", () => {
    assert.equal(code(`010952012345678810A${GS}${GS}21X`), "UNEXPECTED_SEPARATOR");
    assert.equal(code(`${GS}${GS}0109520123456788`), "UNEXPECTED_SEPARATOR");
    assert.equal(code("0109520123456788 10ABC"), "EXPECTED_AI");
    assert.equal(code("01095201234567881"), "EXPECTED_AI");
    assert.equal(code("0109520123456788X"), "EXPECTED_AI");
  });

  it("refuses bare identifiers and separators with EMPTY_INPUT", () => {
    assert.equal(code("]d2"), "EMPTY_INPUT");
    assert.equal(code(GS), "EMPTY_INPUT");
    assert.equal(code("  "), "EMPTY_INPUT");
  });

  it("refuses unknown symbology identifiers", () => {
    const result = parseGs1("]E0" + "4006381333931", { now });
    assert.ok(!result.ok);
    assert.equal(result.error.code, "UNSUPPORTED_SYMBOLOGY");
    assert.equal(result.error.found, "]E0");
  });
});
