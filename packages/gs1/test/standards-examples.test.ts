/**
 * Every example and every invalid example in /work/shared/STANDARDS.md
 * ("GS1 application identifiers", "What a scanner hands over", "GS1 Digital
 * Link URIs").
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gs1CheckDigit, isValidGtin, parseGs1, toDigitalLink, toHri } from "../src/index.ts";

const now = new Date("2025-06-15T00:00:00Z");

describe("STANDARDS.md examples", () => {
  it("check digit: body 0952012345678 gives 8, so 09520123456788 is a valid GTIN-14", () => {
    assert.equal(gs1CheckDigit("0952012345678"), 8);
    assert.equal(isValidGtin("09520123456788"), true);
  });

  it("reads the human-readable example (01)09520123456788(17)271231(10)ABC123(21)XYZ987", () => {
    assert.deepEqual(parseGs1("(01)09520123456788(17)271231(10)ABC123(21)XYZ987", { now }), {
      ok: true,
      form: "hri",
      value: {
        gtin: "09520123456788",
        expiry: { raw: "271231", date: "2027-12-31" },
        lot: "ABC123",
        serial: "XYZ987",
      },
    });
  });

  it("the first example is https://id.gs1.org/01/09520123456788/10/ABC123/21/XYZ987?17=271231", () => {
    const hri = parseGs1("(01)09520123456788(17)271231(10)ABC123(21)XYZ987", {
      now,
    });
    assert.ok(hri.ok);
    assert.equal(toDigitalLink(hri.value), "https://id.gs1.org/01/09520123456788/10/ABC123/21/XYZ987?17=271231");
    const dl = parseGs1("https://id.gs1.org/01/09520123456788/10/ABC123/21/XYZ987?17=271231", { now });
    assert.deepEqual(dl, {
      ok: true,
      form: "digital-link",
      value: { ...hri.value, digitalLinkBase: "https://id.gs1.org" },
    });
  });

  it("the second example, with / and + in values, is percent-encoded as %2F and %2B", () => {
    const hri = parseGs1("(01)09520123456788(21)AB/12(17)280229(10)L+1", {
      now,
    });
    assert.ok(hri.ok);
    assert.deepEqual(hri.value, {
      gtin: "09520123456788",
      serial: "AB/12",
      expiry: { raw: "280229", date: "2028-02-29" },
      lot: "L+1",
    });
    assert.equal(toDigitalLink(hri.value), "https://id.gs1.org/01/09520123456788/10/L%2B1/21/AB%2F12?17=280229");
    const dl = parseGs1("https://id.gs1.org/01/09520123456788/10/L%2B1/21/AB%2F12?17=280229", { now });
    assert.ok(dl.ok);
    assert.deepEqual(dl.value, {
      ...hri.value,
      digitalLinkBase: "https://id.gs1.org",
    });
  });

  it("reads GS1 DataMatrix scan data with ]d2, without it, and with a leading GS instead", () => {
    const expected = {
      gtin: "09520123456788",
      expiry: { raw: "271231", date: "2027-12-31" },
      lot: "ABC123",
      serial: "XYZ987",
    };
    for (const scan of [
      "]d201095201234567881727123110ABC123\u001d21XYZ987",
      "01095201234567881727123110ABC123\u001d21XYZ987",
      "\u001d01095201234567881727123110ABC123\u001d21XYZ987",
    ]) {
      assert.deepEqual(parseGs1(scan, { now }), { ok: true, form: "element-string", value: expected }, scan);
    }
  });

  it("reads a Digital Link carried in a QR code or DataMatrix (]Q1 / ]d1)", () => {
    for (const id of ["]Q1", "]d1"]) {
      const result = parseGs1(`${id}https://id.gs1.org/01/09520123456788/10/ABC123/21/XYZ987?17=271231`, { now });
      assert.ok(result.ok && result.form === "digital-link", id);
      assert.equal(result.value.serial, "XYZ987");
    }
  });

  it("the writers produce the examples' HRI", () => {
    assert.equal(
      toHri({
        gtin: "09520123456788",
        expiry: { raw: "271231", date: "2027-12-31" },
        lot: "ABC123",
        serial: "XYZ987",
      }),
      "(01)09520123456788(17)271231(10)ABC123(21)XYZ987",
    );
  });
});

describe("STANDARDS.md invalid inputs", () => {
  const cases: Array<[input: string, code: string, ai: string | undefined, messageIncludes: string]> = [
    ["(01)09520123456789", "GTIN_CHECK_DIGIT", "01", "GTIN check digit should be 8, found 9"],
    ["(17)271332", "BAD_DATE", "17", "month 13"],
    ["(17)270229", "BAD_DATE", "17", "2027 is not a leap year"],
    ["(21)AB CD", "CSET82", "21", "a space"],
    [
      "https://id.gs1.org/01/09520123456788/21/X/10/L",
      "DL_QUALIFIER_ORDER",
      "10",
      "/10/<lot> must come before /21/<serial>",
    ],
  ];
  for (const [input, code, ai, messageIncludes] of cases) {
    it(`refuses ${input} with ${code}`, () => {
      const result = parseGs1(input, { now });
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.code, code);
      assert.equal(result.error.ai, ai);
      assert.ok(result.error.message.includes(messageIncludes), result.error.message);
    });
  }

  it("reports where the wrong check digit is and what it should be", () => {
    const result = parseGs1("(01)09520123456789");
    assert.deepEqual(result, {
      ok: false,
      error: {
        code: "GTIN_CHECK_DIGIT",
        message: "GTIN check digit should be 8, found 9 (AI 01)",
        ai: "01",
        at: 17,
        expected: "8",
        found: "9",
      },
    });
  });

  it("Digital Link rules: 21 never in the query, 10 not in the query with 01 in the path, no trailing /, no duplicates, no unknown numeric keys, no empty values", () => {
    const cases: Array<[string, string]> = [
      ["https://id.gs1.org/01/09520123456788?21=XYZ987", "DL_SERIAL_IN_QUERY"],
      ["https://id.gs1.org/01/09520123456788?10=ABC123", "DL_LOT_IN_QUERY"],
      ["https://id.gs1.org/01/09520123456788/10/ABC123/", "DL_TRAILING_SLASH"],
      ["https://id.gs1.org/01/09520123456788?17=271231&17=271231", "DUPLICATE_AI"],
      ["https://id.gs1.org/01/09520123456788?99=X", "UNKNOWN_AI"],
      ["https://id.gs1.org/01/09520123456788?17=", "EMPTY_VALUE"],
      ["https://id.gs1.org/01/09520123456788/10/", "DL_TRAILING_SLASH"],
      ["https://id.gs1.org/01/0952012345", "BAD_LENGTH"],
    ];
    for (const [input, code] of cases) {
      const result = parseGs1(input, { now });
      assert.equal(result.ok ? "ok" : result.error.code, code, input);
    }
  });

  it("Digital Link: non-numeric query keys such as linkType are ignored", () => {
    const result = parseGs1("https://id.gs1.org/01/09520123456788?linkType=gs1:pip&17=271231&foo=bar", { now });
    assert.ok(result.ok);
    assert.deepEqual(result.value.expiry, {
      raw: "271231",
      date: "2027-12-31",
    });
  });
});
