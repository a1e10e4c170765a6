/**
 * fast-check generators for valid GS1 values, built from the rules in
 * STANDARDS.md with their own reference arithmetic (not the package's), so
 * the property tests check the package against an independent reading.
 */
import fc from "fast-check";
import type { Gs1Value, NationalNumberAi } from "../src/index.ts";

/** "Today" for every property test: expiry years resolve in 1976-2075. */
export const NOW = new Date("2025-06-15T12:00:00Z");

/** CSET 82, written out from STANDARDS.md. */
export const CSET82_CHARS = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/** Reference mod-10: weights 3,1,3,... from the right of the body. */
export function referenceCheckDigit(body: string): number {
  let sum = 0;
  const digits = [...body].reverse();
  digits.forEach((d, i) => {
    sum += Number(d) * (i % 2 === 0 ? 3 : 1);
  });
  return (10 - (sum % 10)) % 10;
}

const digit = fc.constantFrom(..."0123456789");

export function digits(length: number): fc.Arbitrary<string> {
  return fc.string({ unit: digit, minLength: length, maxLength: length });
}

/** A key of `length` digits (check digit included) whose check digit is right. */
export function keyWithCheckDigit(length: number): fc.Arbitrary<string> {
  return digits(length - 1).map((body) => body + String(referenceCheckDigit(body)));
}

export const gtin14 = keyWithCheckDigit(14);
export const gln = keyWithCheckDigit(13);
export const sscc = keyWithCheckDigit(18);

export const cset82Text = fc.string({
  unit: fc.constantFrom(...CSET82_CHARS),
  minLength: 1,
  maxLength: 20,
});

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** A valid AI 17 date around NOW, with the date a reader should compute for it. */
export const expiry = fc
  .record({
    year: fc.integer({ min: 1976, max: 2075 }),
    month: fc.integer({ min: 1, max: 12 }),
    dayPick: fc.nat(),
  })
  .map(({ year, month, dayPick }) => {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const day = dayPick % (last + 1); // 0 = "last day of the month"
    const raw = `${pad2(year % 100)}${pad2(month)}${pad2(day)}`;
    return {
      raw,
      date: `${year}-${pad2(month)}-${pad2(day === 0 ? last : day)}`,
    };
  });

const nationalNumbers = fc
  .record(
    {
      "710": cset82Text,
      "711": cset82Text,
      "712": cset82Text,
      "713": cset82Text,
      "714": cset82Text,
      "715": cset82Text,
    } satisfies Record<NationalNumberAi, fc.Arbitrary<string>>,
    { requiredKeys: [], noNullPrototype: true },
  )
  .filter((numbers) => Object.keys(numbers).length > 0);

/**
 * Any valid value: every AI optional, a GTIN whenever an AI that needs one
 * is present, at least one identifier.
 */
export const gs1Value: fc.Arbitrary<Gs1Value> = fc
  .record(
    {
      gtin: gtin14,
      lot: cset82Text,
      serial: cset82Text,
      expiry,
      sscc,
      gln,
      partyGln: gln,
      nationalNumbers,
    },
    { requiredKeys: [], noNullPrototype: true },
  )
  .chain((value) => {
    const needsGtin =
      value.lot !== undefined ||
      value.serial !== undefined ||
      value.expiry !== undefined ||
      value.nationalNumbers !== undefined;
    const hasKey =
      value.gtin !== undefined || value.sscc !== undefined || value.gln !== undefined || value.partyGln !== undefined;
    if (value.gtin === undefined && (needsGtin || !hasKey)) return gtin14.map((gtin) => ({ ...value, gtin }));
    return fc.constant(value);
  });

/** The pack codes pharmacists scan most: GTIN, expiry, lot, serial. */
export const packValue: fc.Arbitrary<Gs1Value> = fc.record(
  { gtin: gtin14, expiry, lot: cset82Text, serial: cset82Text },
  { noNullPrototype: true },
);

const pathSegment = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"),
  minLength: 1,
  maxLength: 8,
});

/** Digital Link bases: any host, optional prefix path. */
export const digitalLinkBase: fc.Arbitrary<string> = fc.oneof(
  fc.constant("https://id.gs1.org"),
  fc
    .record({
      scheme: fc.constantFrom("https", "http"),
      host: fc.domain(),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      path: fc.array(pathSegment, { maxLength: 3 }),
    })
    .map(({ scheme, host, port, path }) => {
      const authority = port === undefined ? host : `${host}:${port}`;
      return `${scheme}://${authority}${path.map((p) => `/${p}`).join("")}`;
    }),
);
