import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  expiryToDate,
  gs1CheckDigit,
  isCset82,
  isLeapYear,
  isValidGln,
  isValidGtin,
  isValidSscc,
  lastDayOfMonth,
  resolveTwoDigitYear,
} from "../src/index.ts";

describe("gs1CheckDigit", () => {
  it("computes the mod-10 check digit of every GS1 key length", () => {
    assert.equal(gs1CheckDigit("0952012345678"), 8); // GTIN-14 body
    assert.equal(gs1CheckDigit("400638133393"), 1); // GTIN-13 4006381333931
    assert.equal(gs1CheckDigit("9638507"), 4); // GTIN-8 96385074
    assert.equal(gs1CheckDigit("541234500001"), 3); // GLN 5412345000013
    assert.equal(gs1CheckDigit("10614141123456789"), 7); // SSCC 106141411234567897
    assert.equal(gs1CheckDigit("0"), 0);
  });

  it("returns undefined for empty or non-digit input instead of throwing", () => {
    assert.equal(gs1CheckDigit(""), undefined);
    assert.equal(gs1CheckDigit("12a4"), undefined);
    assert.equal(gs1CheckDigit("１２"), undefined); // full-width digits are not digits here
    assert.equal(gs1CheckDigit(42 as unknown as string), undefined);
  });
});

describe("isValidGtin / isValidGln / isValidSscc", () => {
  it("accepts GTIN-8, -12, -13 and -14 with a right check digit", () => {
    for (const gtin of ["96385074", "036000291452", "4006381333931", "09520123456788"])
      assert.ok(isValidGtin(gtin), gtin);
  });

  it("refuses GTINs with a wrong check digit, another length or non-digits", () => {
    for (const gtin of [
      "09520123456789",
      "0952012345678",
      "952012345678800",
      "0952012345678X",
      "",
      " 09520123456788",
    ]) {
      assert.equal(isValidGtin(gtin), false, gtin);
    }
    assert.equal(isValidGtin(null as unknown as string), false);
  });

  it("checks GLNs (13 digits) and SSCCs (18 digits)", () => {
    assert.equal(isValidGln("5412345000013"), true);
    assert.equal(isValidGln("5412345000014"), false);
    assert.equal(isValidGln("09520123456788"), false);
    assert.equal(isValidSscc("106141411234567897"), true);
    assert.equal(isValidSscc("106141411234567898"), false);
    assert.equal(isValidSscc("10614141123456789"), false);
  });
});

describe("isCset82", () => {
  it("accepts exactly the 82 characters of GS1 CSET 82", () => {
    const cset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    assert.equal(cset82.length, 82);
    assert.ok(isCset82(cset82));
    let count = 0;
    for (let c = 0; c < 0x3000; c++) if (isCset82(String.fromCharCode(c))) count++;
    assert.equal(count, 82);
  });

  it("refuses space, # $ @ and the other characters outside it", () => {
    for (const ch of [" ", "#", "$", "@", "[", "\\", "]", "^", "`", "{", "|", "}", "~", "\u001d", "é", "\u00a0"]) {
      assert.equal(isCset82(`A${ch}B`), false, JSON.stringify(ch));
    }
  });
});

describe("expiry dates", () => {
  const now = new Date("2025-06-15T00:00:00Z");

  it("DD = 00 means the last day of the month, leap years included", () => {
    assert.deepEqual(expiryToDate("280200", now), {
      ok: true,
      value: { raw: "280200", date: "2028-02-29" },
    });
    assert.deepEqual(expiryToDate("270200", now), {
      ok: true,
      value: { raw: "270200", date: "2027-02-28" },
    });
    assert.deepEqual(expiryToDate("270400", now), {
      ok: true,
      value: { raw: "270400", date: "2027-04-30" },
    });
    assert.deepEqual(expiryToDate("271200", now), {
      ok: true,
      value: { raw: "271200", date: "2027-12-31" },
    });
  });

  it("refuses impossible dates: month 00 or 13, 29 February of a non-leap year, 31 April", () => {
    for (const raw of ["271332", "270015", "270229", "270431", "270632", "260931"]) {
      const result = expiryToDate(raw, now);
      assert.equal(result.ok ? "ok" : result.error.code, "BAD_DATE", raw);
    }
    assert.equal(expiryToDate("280229", now).ok, true);
  });

  it("refuses wrong shapes with their own codes", () => {
    const code = (raw: string) => {
      const r = expiryToDate(raw, now);
      return r.ok ? "ok" : r.error.code;
    };
    assert.equal(code("27123"), "BAD_LENGTH");
    assert.equal(code("2712311"), "BAD_LENGTH");
    assert.equal(code("27A231"), "NOT_DIGITS");
    assert.equal(code(""), "EMPTY_VALUE");
    assert.equal(code(271231 as unknown as string), "NOT_A_STRING");
  });

  it("resolves two-digit years from 49 years back to 50 years ahead of today (GS1 GenSpecs 7.12)", () => {
    assert.equal(resolveTwoDigitYear(75, 2025), 2075); // +50
    assert.equal(resolveTwoDigitYear(76, 2025), 1976); // -49
    assert.equal(resolveTwoDigitYear(0, 2025), 2000);
    assert.equal(resolveTwoDigitYear(10, 2060), 2110); // +50 across the century
    assert.equal(resolveTwoDigitYear(11, 2060), 2011); // -49
    assert.equal(resolveTwoDigitYear(99, 2000), 1999);
    assert.equal(resolveTwoDigitYear(50, 2000), 2050);
    assert.equal(resolveTwoDigitYear(51, 2000), 1951);
  });

  it("uses the century from `now`, so 29 February 2100 is refused in 2060", () => {
    assert.deepEqual(expiryToDate("000229", new Date("2025-01-01T00:00:00Z")), {
      ok: true,
      value: { raw: "000229", date: "2000-02-29" },
    });
    const in2060 = expiryToDate("000229", new Date("2060-01-01T00:00:00Z"));
    assert.equal(in2060.ok, false);
    assert.ok(!in2060.ok && in2060.error.message.includes("2100 is not a leap year"), JSON.stringify(in2060));
  });

  it("lastDayOfMonth and isLeapYear follow the Gregorian calendar", () => {
    assert.equal(lastDayOfMonth(2028, 2), 29);
    assert.equal(lastDayOfMonth(2100, 2), 28);
    assert.equal(lastDayOfMonth(2000, 2), 29);
    assert.equal(lastDayOfMonth(2027, 9), 30);
    assert.equal(lastDayOfMonth(2027, 13), 0);
    assert.equal(isLeapYear(1900), false);
    assert.equal(isLeapYear(2024), true);
  });
});
