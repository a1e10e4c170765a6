import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Gs1FormatError,
  toDigitalLink,
  toElementString,
  toHri,
  validateGs1Value,
  type Gs1Value,
} from "../src/index.ts";

const full: Gs1Value = {
  gtin: "09520123456788",
  lot: "L+1",
  serial: "AB/12",
  expiry: { raw: "280200", date: "2028-02-29" },
  sscc: "106141411234567897",
  gln: "5412345000013",
  partyGln: "5412345000013",
  nationalNumbers: { "715": "N(1)", "710": "PZN1" },
};

function thrownCode(write: () => unknown): string {
  try {
    write();
    return "no error";
  } catch (error) {
    assert.ok(error instanceof Gs1FormatError, String(error));
    return error.code;
  }
}

describe("writers", () => {
  it("toElementString puts predefined-length AIs first and GS only between variable-length values", () => {
    assert.equal(
      toElementString(full),
      "00106141411234567897" +
        "0109520123456788" +
        "17280200" +
        "4145412345000013" +
        "4175412345000013" +
        "10L+1\u001d21AB/12\u001d710PZN1\u001d715N(1)",
    );
    assert.equal(toElementString({ gtin: "09520123456788", serial: "X" }), "010952012345678821X");
  });

  it("toHri writes bracketed AIs in the same order", () => {
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

  it("toDigitalLink puts 01, 10, 21 in the path, other AIs in the query in numeric order, on any base", () => {
    assert.equal(
      toDigitalLink(full),
      "https://id.gs1.org/01/09520123456788/10/L%2B1/21/AB%2F12?00=106141411234567897&17=280200&414=5412345000013&417=5412345000013&710=PZN1&715=N%281%29",
    );
    assert.equal(
      toDigitalLink({ gtin: "09520123456788" }, "https://example.com/prefix/"),
      "https://example.com/prefix/01/09520123456788",
    );
  });

  it("toDigitalLink uses SSCC, then GLN, then party GLN as the primary key when there is no GTIN", () => {
    assert.equal(
      toDigitalLink({ sscc: "106141411234567897", gln: "5412345000013" }),
      "https://id.gs1.org/00/106141411234567897?414=5412345000013",
    );
    assert.equal(
      toDigitalLink({ gln: "5412345000013", partyGln: "5412345000013" }),
      "https://id.gs1.org/414/5412345000013?417=5412345000013",
    );
    assert.equal(toDigitalLink({ partyGln: "5412345000013" }), "https://id.gs1.org/417/5412345000013");
  });

  it("percent-encodes every CSET 82 character except A-Z a-z 0-9 - . _", () => {
    const serial = "!\"%&'()*+,-./:;<=>?_";
    assert.equal(
      toDigitalLink({ gtin: "09520123456788", serial }),
      "https://id.gs1.org/01/09520123456788/21/%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_",
    );
  });

  it("refuses to write invalid values, with a typed Gs1FormatError", () => {
    assert.equal(
      thrownCode(() => toElementString({ gtin: "09520123456789" })),
      "GTIN_CHECK_DIGIT",
    );
    assert.equal(
      thrownCode(() => toHri({ lot: "ABC" })),
      "MISSING_GTIN",
    );
    assert.equal(
      thrownCode(() => toHri({ gtin: "09520123456788", lot: "A B" })),
      "CSET82",
    );
    assert.equal(
      thrownCode(() => toHri({ gtin: "09520123456788", serial: "" })),
      "EMPTY_VALUE",
    );
    assert.equal(
      thrownCode(() => toHri({ gtin: "09520123456788", expiry: { raw: "270229", date: "" } })),
      "BAD_DATE",
    );
    assert.equal(
      thrownCode(() => toHri({})),
      "EMPTY_INPUT",
    );
    assert.equal(
      thrownCode(() => toDigitalLink({ gtin: "09520123456788" }, "ftp://x")),
      "DL_BAD_URI",
    );
    assert.equal(
      thrownCode(() => toDigitalLink({ gtin: "09520123456788" }, "https://x.org/?a=b")),
      "DL_BAD_URI",
    );
    const bogus = {
      gtin: "09520123456788",
      nationalNumbers: { "799": "X" },
    } as unknown as Gs1Value;
    assert.equal(
      thrownCode(() => toHri(bogus)),
      "UNKNOWN_AI",
    );
    assert.equal(
      thrownCode(() => toHri({ gtin: 9520123456788 } as unknown as Gs1Value)),
      "NOT_A_STRING",
    );
    assert.equal(
      thrownCode(() => toHri(null as unknown as Gs1Value)),
      "EMPTY_INPUT",
    );
  });

  it("validateGs1Value recomputes expiry.date from expiry.raw", () => {
    const result = validateGs1Value(
      { gtin: "09520123456788", expiry: { raw: "280200", date: "wrong" } },
      { now: new Date("2025-01-01T00:00:00Z") },
    );
    assert.deepEqual(result, {
      ok: true,
      value: {
        gtin: "09520123456788",
        expiry: { raw: "280200", date: "2028-02-29" },
      },
    });
  });
});
