/**
 * Arbitrary text as it may arrive in a URL's path segments and query, for property tests of the
 * HTTP surface (test/api-properties.test.ts through the test server, e2e/bad-input.e2e.ts against
 * `next start`): percent-encoded anything, percent garbage, overlong and invalid UTF-8, numbers
 * past every bound, and CSET 82's punctuation as it is.
 */
import fc from "fast-check";

export const urlText = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme", maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: "binary", maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom("%", "%%", "%zz", "%C3%28", "%C0%AF", "%ED%A0%80", "%FF%FE", "%00", "%E0%A4%A", "a%2", "%2F..%2F"),
  fc.constantFrom(`!"%&'()*+,-./:;<=>?_`, "%2525", "a+b", "a%2Bb", "..", "%2e%2e"),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom("1e400", "-0", "NaN", "Infinity", "0x", "9".repeat(400), "true", "[]", "{}", "null"),
  // Long values, while the whole URL stays under what HTTP servers parse (Node: 16 KB of headers).
  fc.integer({ min: 1, max: 1500 }).map((n) => "A".repeat(n)),
  fc.constantFrom("09506000134352", "(01)09506000134352(21)1", "0x" + "ab".repeat(20), "2026-01-01", "CLOSED"),
);

/** A query string (with its "?", or empty) over `keys` and arbitrary ones; keys may repeat. */
export const queryString = (keys: string[]) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...(keys.length > 0 ? keys : ["x"])), urlText), fc.option(urlText)), {
      maxLength: 6,
    })
    .map((pairs) =>
      pairs.length === 0 ? "" : `?${pairs.map(([key, value]) => (value === null ? key : `${key}=${value}`)).join("&")}`,
    );
