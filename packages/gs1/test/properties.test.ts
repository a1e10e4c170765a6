import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  GS_SUBSTITUTES,
  isValidGln,
  isValidGtin,
  isValidSscc,
  parseGs1,
  toDigitalLink,
  toElementString,
  toHri,
  validateGs1Value,
  type ParseResult,
} from "../src/index.ts";
import { digitalLinkBase, ERROR_CODES, gs1Value, NOW } from "./arbitraries.ts";

const opts = { now: NOW };

/** What any parse result must look like, whatever the input. */
function assertWellFormed(input: string, result: ParseResult): void {
  if (result.ok) {
    assert.ok(["element-string", "hri", "digital-link"].includes(result.form));
    const { value } = result;
    if (value.gtin !== undefined) assert.ok(isValidGtin(value.gtin) && value.gtin.length === 14, value.gtin);
    if (value.sscc !== undefined) assert.ok(isValidSscc(value.sscc));
    if (value.gln !== undefined) assert.ok(isValidGln(value.gln));
    if (value.partyGln !== undefined) assert.ok(isValidGln(value.partyGln));
    assert.equal(value.digitalLinkBase !== undefined, result.form === "digital-link");
    // A value that was read can be written again and read back the same.
    assert.deepEqual(validateGs1Value(value, opts), { ok: true, value });
    const { digitalLinkBase: _base, ...identifiers } = value;
    assert.deepEqual(parseGs1(toElementString(value), opts), {
      ok: true,
      form: "element-string",
      value: identifiers,
    });
  } else {
    assert.ok(ERROR_CODES[result.error.code], result.error.code);
    assert.equal(typeof result.error.message, "string");
    assert.ok(result.error.message.length > 0);
    if (result.error.at !== undefined) {
      assert.ok(
        Number.isInteger(result.error.at) && result.error.at >= 0 && result.error.at <= input.length,
        JSON.stringify(result.error),
      );
    }
  }
}

describe("properties", () => {
  it("parseGs1(toElementString(v)) returns v", () => {
    fc.assert(
      fc.property(gs1Value, (v) => {
        assert.deepEqual(parseGs1(toElementString(v), opts), {
          ok: true,
          form: "element-string",
          value: v,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("parseGs1(toHri(v)) returns v", () => {
    fc.assert(
      fc.property(gs1Value, (v) => {
        assert.deepEqual(parseGs1(toHri(v), opts), {
          ok: true,
          form: "hri",
          value: v,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("parseGs1(toDigitalLink(v, base)) returns v with that base", () => {
    fc.assert(
      fc.property(gs1Value, digitalLinkBase, (v, base) => {
        assert.deepEqual(parseGs1(toDigitalLink(v, base), opts), {
          ok: true,
          form: "digital-link",
          value: { ...v, digitalLinkBase: base },
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("scan data reads the same with a symbology identifier, a leading FNC1, wedge substitutes and white space", () => {
    fc.assert(
      fc.property(
        gs1Value,
        fc.constantFrom("", "]d2", "]Q3", "]C1", "]e0"),
        fc.boolean(),
        fc.constantFrom(...GS_SUBSTITUTES),
        fc.constantFrom("", " ", "\r\n", "\t"),
        (v, id, leadingFnc1, separator, space) => {
          const scan = `${space}${id}${leadingFnc1 ? separator : ""}${toElementString(v).replaceAll("\u001d", separator)}${space}`;
          assert.deepEqual(parseGs1(scan, opts), {
            ok: true,
            form: "element-string",
            value: v,
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("arbitrary strings never throw and give a well-formed result", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })), (s) => {
        assertWellFormed(s, parseGs1(s, opts));
      }),
      { numRuns: 2000 },
    );
  });

  it("byte soup never throws, decoded as Latin-1 or UTF-8", () => {
    const utf8 = new TextDecoder();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const latin1 = String.fromCharCode(...bytes);
        assertWellFormed(latin1, parseGs1(latin1, opts));
        const text = utf8.decode(bytes);
        assertWellFormed(text, parseGs1(text, opts));
      }),
      { numRuns: 1000 },
    );
  });

  it("valid codes with random edits never throw, and whatever they parse to is valid", () => {
    const alphabet = fc.constantFrom(
      ..."0123456789()/%?&=#;:]^dQ2 \u001d\u2194ABZaz-+.!_é",
      "%2F",
      "/01/",
      "(01)",
      "(10)",
      "/21/",
      "?17=",
      "]d2",
    );
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 3 }),
      insert: fc.array(alphabet, { maxLength: 3 }),
    });
    const code = fc.oneof(
      gs1Value.map((v) => toElementString(v)),
      gs1Value.map((v) => toHri(v)),
      fc.tuple(gs1Value, digitalLinkBase).map(([v, base]) => toDigitalLink(v, base)),
    );
    fc.assert(
      fc.property(code, fc.array(edit, { minLength: 1, maxLength: 4 }), (original, edits) => {
        let s = original;
        for (const e of edits) {
          const at = e.at % (s.length + 1);
          s = s.slice(0, at) + e.insert.join("") + s.slice(at + e.remove);
        }
        assertWellFormed(s, parseGs1(s, opts));
      }),
      { numRuns: 3000 },
    );
  });

  it("anything that is not a string gives NOT_A_STRING", () => {
    fc.assert(
      fc.property(
        fc.anything().filter((x) => typeof x !== "string"),
        (x) => {
          const result = parseGs1(x as string, opts);
          assert.ok(!result.ok && result.error.code === "NOT_A_STRING");
        },
      ),
      { numRuns: 300 },
    );
  });
});
