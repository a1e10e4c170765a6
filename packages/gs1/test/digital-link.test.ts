import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGs1 } from "../src/index.ts";

const now = new Date("2025-06-15T00:00:00Z");
const GTIN = "09520123456788";

function code(input: string): string {
  const result = parseGs1(input, { now });
  return result.ok ? "ok" : result.error.code;
}

describe("GS1 Digital Link URIs", () => {
  it("reads any host, any prefix path, and keeps them as digitalLinkBase", () => {
    const cases: Array<[string, string]> = [
      [`https://id.gs1.org/01/${GTIN}`, "https://id.gs1.org"],
      [`https://example.com/01/${GTIN}`, "https://example.com"],
      [`http://example.com:8080/01/${GTIN}`, "http://example.com:8080"],
      [`https://brand.example/some/prefix/path/01/${GTIN}`, "https://brand.example/some/prefix/path"],
      [`https://brand.example/01/x/01/${GTIN}`, "https://brand.example/01/x"],
      [`HTTPS://ID.GS1.ORG/01/${GTIN}`, "HTTPS://ID.GS1.ORG"],
    ];
    for (const [url, base] of cases) {
      assert.deepEqual(
        parseGs1(url, { now }),
        {
          ok: true,
          form: "digital-link",
          value: { gtin: GTIN, digitalLinkBase: base },
        },
        url,
      );
    }
  });

  it("pads GTIN-8, -12 and -13 in the path to 14 digits", () => {
    const cases: Array<[string, string]> = [
      ["96385074", "00000096385074"],
      ["036000291452", "00036000291452"],
      ["4006381333931", "04006381333931"],
    ];
    for (const [short, gtin14] of cases) {
      const result = parseGs1(`https://id.gs1.org/01/${short}`, { now });
      assert.ok(result.ok, short);
      assert.equal(result.value.gtin, gtin14);
    }
    assert.equal(code("https://id.gs1.org/01/96385075"), "GTIN_CHECK_DIGIT");
    assert.equal(code("https://id.gs1.org/01/963850741"), "BAD_LENGTH");
  });

  it("decodes percent-encoded values, upper or lower case hex; '+' stays '+'", () => {
    const result = parseGs1(`https://id.gs1.org/01/${GTIN}/10/A%2fB%2B/21/%21%22%25%26%27%28%29%2A?710=P%3aZ+N`, {
      now,
    });
    assert.ok(result.ok);
    assert.equal(result.value.lot, "A/B+");
    assert.equal(result.value.serial, "!\"%&'()*");
    assert.deepEqual(result.value.nationalNumbers, { "710": "P:Z+N" });
  });

  it("reads AIs in the query, separated by & or ;, and ignores non-numeric keys and the fragment", () => {
    const result = parseGs1(
      `https://id.gs1.org/01/${GTIN}/10/L1?linkType=gs1:pip&17=280200;715=NDC1&context=x=y&&00=106141411234567897#frag`,
      { now },
    );
    assert.deepEqual(result, {
      ok: true,
      form: "digital-link",
      value: {
        gtin: GTIN,
        lot: "L1",
        expiry: { raw: "280200", date: "2028-02-29" },
        nationalNumbers: { "715": "NDC1" },
        sscc: "106141411234567897",
        digitalLinkBase: "https://id.gs1.org",
      },
    });
  });

  it("reads SSCC, location GLN and party GLN as primary keys", () => {
    assert.deepEqual(parseGs1("https://id.gs1.org/00/106141411234567897", { now }), {
      ok: true,
      form: "digital-link",
      value: {
        sscc: "106141411234567897",
        digitalLinkBase: "https://id.gs1.org",
      },
    });
    const gln = parseGs1("https://id.gs1.org/414/5412345000013?417=5412345000013", { now });
    assert.ok(gln.ok);
    assert.deepEqual([gln.value.gln, gln.value.partyGln], ["5412345000013", "5412345000013"]);
    assert.equal(parseGs1("https://id.gs1.org/417/5412345000013", { now }).ok, true);
  });

  it("refuses qualifiers out of order, in the wrong place or after the wrong key", () => {
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/21/X/10/L`), "DL_QUALIFIER_ORDER");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/A/10/B`), "DUPLICATE_AI");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/17/271231`), "DL_QUALIFIER_NOT_ALLOWED");
    assert.equal(code("https://id.gs1.org/00/106141411234567897/21/X"), "DL_QUALIFIER_NOT_ALLOWED");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/22/V1`), "UNKNOWN_AI");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/235/X`), "UNKNOWN_AI");
  });

  it("refuses 21 anywhere in the query, and 10 in the query when the path has 01", () => {
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?21=X`), "DL_SERIAL_IN_QUERY");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/L?21=X`), "DL_SERIAL_IN_QUERY");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?10=L`), "DL_LOT_IN_QUERY");
    assert.equal(code("https://id.gs1.org/00/106141411234567897?10=L"), "MISSING_GTIN");
  });

  it("refuses any duplicated AI, even with the same value", () => {
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?17=271231&17=271231`), "DUPLICATE_AI");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?01=${GTIN}`), "DUPLICATE_AI");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?710=A&710=A`), "DUPLICATE_AI");
  });

  it("refuses a trailing slash, before a query too", () => {
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/`), "DL_TRAILING_SLASH");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/?17=271231`), "DL_TRAILING_SLASH");
    assert.equal(code("https://id.gs1.org/"), "DL_TRAILING_SLASH");
  });

  it("refuses empty values in the path and in the query", () => {
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10`), "EMPTY_VALUE");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10//21/X`), "EMPTY_VALUE");
    assert.equal(code(`https://id.gs1.org/01//10/X`), "EMPTY_VALUE");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?17=`), "EMPTY_VALUE");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?17`), "EMPTY_VALUE");
  });

  it("refuses unknown numeric keys in the path and the query", () => {
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?3103=000123`), "UNKNOWN_AI");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?7=1`), "UNKNOWN_AI");
    assert.equal(code(`https://id.gs1.org/8004/12345`), "UNKNOWN_AI");
  });

  it("applies the per-AI rules to decoded values", () => {
    assert.equal(code("https://id.gs1.org/01/09520123456789"), "GTIN_CHECK_DIGIT");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/AB%20C`), "CSET82");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/%C3%A9`), "CSET82");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/21/${"X".repeat(21)}`), "TOO_LONG");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?17=270229`), "BAD_DATE");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}?17=2702`), "BAD_LENGTH");
    assert.equal(code("https://id.gs1.org/01/0952012345678X"), "NOT_DIGITS");
  });

  it("refuses bad percent-encoding and characters a URL cannot hold", () => {
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/A%2`), "DL_BAD_PERCENT_ENCODING");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/A%ZZ`), "DL_BAD_PERCENT_ENCODING");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/AB C`), "DL_BAD_URI");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/10/ABé`), "DL_BAD_URI");
    assert.equal(code(`https:///01/${GTIN}`), "DL_BAD_URI");
  });

  it("refuses paths without a primary key or with stray segments", () => {
    assert.equal(code("https://id.gs1.org"), "DL_NO_PRIMARY_KEY");
    assert.equal(code("https://example.com/products/aspirin"), "DL_NO_PRIMARY_KEY");
    assert.equal(code(`https://id.gs1.org/gtin/${GTIN}`), "DL_NO_PRIMARY_KEY");
    assert.equal(code("https://id.gs1.org/10/LOT1"), "DL_NO_PRIMARY_KEY");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/lot/L1`), "DL_BAD_PATH");
    assert.equal(code(`https://id.gs1.org/01/${GTIN}/extra`), "DL_BAD_PATH");
  });

  it("says where the problem is", () => {
    const result = parseGs1(`https://id.gs1.org/01/${GTIN}/21/X/10/L`, { now });
    assert.ok(!result.ok);
    assert.equal(result.error.at, `https://id.gs1.org/01/${GTIN}/21/X/`.length);
    const check = parseGs1("https://id.gs1.org/01/09520123456789", { now });
    assert.ok(!check.ok);
    assert.equal(check.error.at, "https://id.gs1.org/01/0952012345678".length);
  });
});
