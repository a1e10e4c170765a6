/**
 * fast-check generators for valid GS1 values and for the text printed on
 * packs, built from the rules in STANDARDS.md with their own reference
 * arithmetic (not the package's), so the property tests check the package
 * against an independent reading; and the closed list of error codes.
 */
import fc from "fast-check";
import type { Gs1ErrorCode, Gs1Value, NationalNumberAi } from "../src/index.ts";

/** Every error code; a Record over the union makes the compiler check the list is complete. */
export const ERROR_CODES: Record<Gs1ErrorCode, true> = {
  NOT_A_STRING: true,
  INPUT_TOO_LONG: true,
  EMPTY_INPUT: true,
  UNRECOGNISED_FORMAT: true,
  UNSUPPORTED_SYMBOLOGY: true,
  EXPECTED_AI: true,
  UNKNOWN_AI: true,
  UNEXPECTED_SEPARATOR: true,
  HRI_SYNTAX: true,
  EMPTY_VALUE: true,
  BAD_LENGTH: true,
  TOO_LONG: true,
  NOT_DIGITS: true,
  CSET82: true,
  GTIN_CHECK_DIGIT: true,
  GLN_CHECK_DIGIT: true,
  SSCC_CHECK_DIGIT: true,
  BAD_DATE: true,
  MISSING_GTIN: true,
  DUPLICATE_AI: true,
  UNKNOWN_FIELD: true,
  NDC_WITHOUT_GTIN: true,
  DL_BAD_URI: true,
  DL_BAD_PERCENT_ENCODING: true,
  DL_TRAILING_SLASH: true,
  DL_NO_PRIMARY_KEY: true,
  DL_BAD_PATH: true,
  DL_QUALIFIER_ORDER: true,
  DL_QUALIFIER_NOT_ALLOWED: true,
  DL_SERIAL_IN_QUERY: true,
  DL_LOT_IN_QUERY: true,
};

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

/** A printed value never holds a colon: labels use it to separate fields. */
const printedValueText = fc.string({
  unit: fc.constantFrom(...CSET82_CHARS.replace(":", "")),
  minLength: 1,
  maxLength: 20,
});

/** How labels spell each field's name (STANDARDS.md, "What a scanner hands over"), in any case. */
const NAME_SPELLINGS = {
  gtin: ["GTIN", "PC", "gtin", "Pc"],
  serial: ["SN", "sn"],
  lot: ["LOT", "Lot", "lot", "Batch", "BATCH", "Ch.-B.", "ch.-b."],
  expiry: ["EXP", "Exp.", "exp", "EXP.", "Verw. bis", "Verw.bis", "verw.  bis"],
  nationalNumber: ["NN", "nn"],
  ndc: ["NDC", "ndc"],
} as const;

type PrintedField = keyof typeof NAME_SPELLINGS;

/** A field as printed, and whether its value has a shape that ends by itself (digits, a date). */
type PrintedPart = { field: PrintedField; text: string; shaped: boolean };

/** The expiry as a label prints it, with the AI 17 value a reader should make of it. */
const printedExpiry = expiry.chain(({ raw, date }) => {
  const [year, month] = [date.slice(0, 4), date.slice(5, 7)];
  const monthOnly = {
    raw: `${raw.slice(0, 4)}00`,
    date: `${year}-${month}-${pad2(lastDay(Number(year), Number(month)))}`,
  };
  const forms: fc.Arbitrary<{ text: string; expiry: { raw: string; date: string } }>[] = [
    fc.constant({ text: raw, expiry: { raw, date } }),
    fc.constant({ text: `${month}/${year}`, expiry: monthOnly }),
    fc.constant({ text: `${year}-${month}`, expiry: monthOnly }),
  ];
  if (raw.slice(4) !== "00") forms.push(fc.constant({ text: date, expiry: { raw, date } }));
  return fc.oneof(...forms);
});

function lastDay(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** An NDC in one of its printed layouts. */
const ndc = fc
  .constantFrom([10], [11], [4, 4, 2], [5, 3, 2], [5, 4, 1], [5, 4, 2])
  .chain((layout) => fc.tuple(...layout.map((n) => digits(n))).map((segments) => segments.join("-")));

/**
 * The text printed on a pack, in any of the label layouts: every field optional but the GTIN,
 * fields in any order, names in their spellings, and separators of white space, colons or none
 * where none is unambiguous: after a value with a shape of its own, or before a name followed
 * by a colon. Comes with what `parsePrintedText` must return.
 */
export const printedPack = fc
  .record(
    {
      gtin: gtin14.chain((gtin) =>
        gtin.startsWith("0")
          ? fc.constantFrom(gtin, gtin.slice(1)).map((text) => ({ gtin, text }))
          : fc.constant({ gtin, text: gtin }),
      ),
      serial: printedValueText,
      lot: printedValueText,
      expiry: printedExpiry,
      nationalNumber: printedValueText,
      ndc,
    },
    { requiredKeys: ["gtin"], noNullPrototype: true },
  )
  .chain((fields) => {
    const parts: PrintedPart[] = [{ field: "gtin", text: fields.gtin.text, shaped: true }];
    if (fields.serial !== undefined) parts.push({ field: "serial", text: fields.serial, shaped: false });
    if (fields.lot !== undefined) parts.push({ field: "lot", text: fields.lot, shaped: false });
    if (fields.expiry !== undefined) parts.push({ field: "expiry", text: fields.expiry.text, shaped: true });
    if (fields.nationalNumber !== undefined) {
      parts.push({ field: "nationalNumber", text: fields.nationalNumber, shaped: false });
    }
    if (fields.ndc !== undefined) parts.push({ field: "ndc", text: fields.ndc, shaped: true });
    const value: Gs1Value = { gtin: fields.gtin.gtin };
    if (fields.serial !== undefined) value.serial = fields.serial;
    if (fields.lot !== undefined) value.lot = fields.lot;
    if (fields.expiry !== undefined) value.expiry = fields.expiry.expiry;
    if (fields.ndc !== undefined) value.nationalNumbers = { "715": fields.ndc };
    const expected =
      fields.nationalNumber === undefined
        ? { ok: true as const, value }
        : { ok: true as const, value, nationalNumber: fields.nationalNumber };
    const layout = fc.record({
      afterName: fc.constantFrom("", " ", ":", ": ", " : ", "\t", ":\n"),
      afterValue: fc.constantFrom(" ", "\n", "\r\n", "\t", "  ", ": ", ""),
    });
    return fc
      .tuple(
        fc.shuffledSubarray(parts, { minLength: parts.length }),
        fc.array(layout, { minLength: parts.length, maxLength: parts.length }),
        fc.array(fc.nat(), { minLength: parts.length, maxLength: parts.length }),
        fc.constantFrom("", " ", "\n"),
        fc.constantFrom("", " ", "\r\n"),
      )
      .map(([ordered, layouts, spellingPicks, lead, trail]) => {
        const names = ordered.map((part, k) => {
          const spellings: readonly string[] = NAME_SPELLINGS[part.field];
          return spellings[(spellingPicks[k] ?? 0) % spellings.length] ?? part.field;
        });
        let text = lead;
        ordered.forEach((part, k) => {
          const { afterName } = layouts[k]!;
          text += names[k] + afterName + part.text;
          if (k === ordered.length - 1) return;
          const next = layouts[k + 1]!;
          // A value of free text ends at white space, or where a name glued to it meets a colon.
          const glueable = next.afterName.startsWith(":") && !/\s/.test(names[k + 1]!);
          const afterValue = layouts[k]!.afterValue;
          const free = afterValue === "" ? glueable : /^\s/.test(afterValue);
          text += part.shaped || free ? afterValue : " ";
        });
        return { text: text + trail, expected };
      });
  });
