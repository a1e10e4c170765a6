import { addElement, addShortOrFullGtin, AI_SPECS, finishValue, newValueBuilder, type ValueBuilder } from "./ais.ts";
import { currentUtcYear, resolveTwoDigitYear } from "./dates.ts";
import { describeChar, gs1Error, type Gs1Error } from "./errors.ts";
import { checkCset82Text } from "./fields.ts";
import { isWhiteSpace, nowOf, trimmedBounds } from "./parse.ts";
import type { Gs1Value, ParseOptions } from "./types.ts";

/** What `parsePrintedText` returns: the pack's identifiers, or why the text cannot be read. */
export type PrintedTextResult =
  | {
      ok: true;
      /** The identifiers, as `parseGs1` reads them from the same pack's barcode. */
      value: Gs1Value;
      /**
       * The EU's "NN:" national reimbursement number. The label does not say which country's
       * scheme it belongs to, so it has no AI 710-714 and stays out of `value`.
       */
      nationalNumber?: string;
    }
  | { ok: false; error: Gs1Error };

type PrintedField = "gtin" | "ndc" | "serial" | "lot" | "expiry" | "nationalNumber";

/**
 * The field names printed on packs (EU FMD: PC, SN, NN, Lot/LOT/Batch/Ch.-B., EXP/Exp./Verw. bis;
 * US DSCSA: GTIN or NDC, SN, LOT, EXP), compared without regard to case. Longest first, so that
 * "Exp." wins over "EXP"; no name is the end of another, which the glued-name rule relies on. A
 * space stands for any white space, none included.
 */
const FIELD_NAMES: readonly { name: string; field: PrintedField }[] = [
  { name: "Verw. bis", field: "expiry" },
  { name: "Ch.-B.", field: "lot" },
  { name: "Batch", field: "lot" },
  { name: "GTIN", field: "gtin" },
  { name: "Exp.", field: "expiry" },
  { name: "EXP", field: "expiry" },
  { name: "LOT", field: "lot" },
  { name: "NDC", field: "ndc" },
  { name: "PC", field: "gtin" },
  { name: "SN", field: "serial" },
  { name: "NN", field: "nationalNumber" },
];

const COLON = 0x3a;
const HYPHEN = 0x2d;
const SLASH = 0x2f;

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Labels separate their fields with white space (a line break too) or colons. */
function isFieldSeparator(c: number): boolean {
  return c === COLON || isWhiteSpace(c);
}

/** The index after `name` when it is written at `s[i]`, else -1. */
function nameEnd(s: string, i: number, end: number, name: string): number {
  let j = i;
  for (let k = 0; k < name.length; k++) {
    const want = name.charCodeAt(k);
    if (want === 0x20) {
      while (j < end && isWhiteSpace(s.charCodeAt(j))) j++;
    } else if (j < end && lowerAscii(s.charCodeAt(j)) === lowerAscii(want)) {
      j++;
    } else {
      return -1;
    }
  }
  return j;
}

function fieldNameAt(s: string, i: number, end: number): { field: PrintedField; next: number } | undefined {
  for (const { name, field } of FIELD_NAMES) {
    const next = nameEnd(s, i, end, name);
    if (next !== -1) return { field, next };
  }
  return undefined;
}

/**
 * Where a field name glued to the end of `s[start, end)` begins ("ABC123LOT" before ":"), else
 * -1. A colon is never part of a printed value, so "SN:ABC123LOT:L1" is two fields. The text
 * holds no white space, so a name's spaces match none there ("Verw.bis").
 */
function gluedNameStart(s: string, start: number, end: number): number {
  for (const { name } of FIELD_NAMES) {
    const at = end - name.replaceAll(" ", "").length;
    if (at >= start && nameEnd(s, at, end, name) === end) return at;
  }
  return -1;
}

function tokenEnd(s: string, i: number, end: number): number {
  let j = i;
  while (j < end && !isFieldSeparator(s.charCodeAt(j))) j++;
  return j;
}

/**
 * The end of a value of fixed shape (digits, a date, an NDC): the run of characters it may hold,
 * when a separator, a field name or the end follows it ("none" between fields); otherwise the
 * whole token, so the value's check says what is wrong with it.
 */
function shapedValueEnd(s: string, i: number, end: number, allowed: (c: number) => boolean): number {
  let j = i;
  while (j < end && allowed(s.charCodeAt(j))) j++;
  if (j === end || isFieldSeparator(s.charCodeAt(j)) || fieldNameAt(s, j, end) !== undefined) return j;
  return tokenEnd(s, j, end);
}

function isDateCharacter(c: number): boolean {
  return isDigit(c) || c === SLASH || c === HYPHEN || c === 0x2e; /* . */
}

function isNdcCharacter(c: number): boolean {
  return isDigit(c) || c === HYPHEN;
}

function allDigits(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isDigit(s.charCodeAt(k))) return false;
  return true;
}

function number(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) n = n * 10 + (s.charCodeAt(k) - 48);
  return n;
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Adds a printed expiry date: YYMMDD as in AI 17, or MM/YYYY, YYYY-MM (the month's last day, as
 * AI 17 writes it with DD = 00) or YYYY-MM-DD. `at` is the date's offset in the input.
 */
function addPrintedExpiry(b: ValueBuilder, s: string, at: number, to: number, nameAt: number): Gs1Error | undefined {
  const spec = AI_SPECS["17"];
  const text = s.slice(at, to);
  if (text.length === 6 && allDigits(s, at, to)) return addElement(b, spec, text, at, nameAt);
  let year: number;
  let month: number;
  let monthAt: number;
  let day = "00";
  if (text.length === 7 && text.charCodeAt(2) === SLASH && allDigits(text, 0, 2) && allDigits(text, 3, 7)) {
    month = number(text, 0, 2);
    year = number(text, 3, 7);
    monthAt = at;
  } else if (
    (text.length === 7 || (text.length === 10 && text.charCodeAt(7) === HYPHEN && allDigits(text, 8, 10))) &&
    text.charCodeAt(4) === HYPHEN &&
    allDigits(text, 0, 4) &&
    allDigits(text, 5, 7)
  ) {
    year = number(text, 0, 4);
    month = number(text, 5, 7);
    monthAt = at + 5;
    if (text.length === 10) day = text.slice(8, 10);
  } else {
    return gs1Error(
      "BAD_DATE",
      `Expiry date '${text}' is not written as MM/YYYY, YYYY-MM, YYYY-MM-DD or YYMMDD (AI 17)`,
      { ai: "17", at, expected: "MM/YYYY, YYYY-MM, YYYY-MM-DD or YYMMDD", found: text },
    );
  }
  if (month < 1 || month > 12) {
    return gs1Error("BAD_DATE", `Expiry date ${text} has month ${twoDigits(month)}; months run from 01 to 12 (AI 17)`, {
      ai: "17",
      at: monthAt,
      expected: "month 01-12",
      found: twoDigits(month),
    });
  }
  const currentYear = currentUtcYear(b.now);
  if (resolveTwoDigitYear(year % 100, currentYear) !== year) {
    return gs1Error(
      "BAD_DATE",
      `Expiry year ${year} is outside the years a GS1 date can name now, ${currentYear - 49} to ${currentYear + 50} (AI 17)`,
      { ai: "17", at, expected: `${currentYear - 49}-${currentYear + 50}`, found: String(year) },
    );
  }
  // The converted date's offsets do not map onto what was typed.
  return addElement(b, spec, `${twoDigits(year % 100)}${twoDigits(month)}${day}`, undefined, nameAt);
}

/** NDC layouts: 10 digits as 4-4-2, 5-3-2 or 5-4-1, the 11-digit 5-4-2 billing form, or the digits alone. */
const NDC_LAYOUTS = ["10", "11", "4-4-2", "5-3-2", "5-4-1", "5-4-2"];

function checkNdc(text: string, at: number): Gs1Error | undefined {
  let layout = "";
  let run = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === HYPHEN) {
      layout += `${run}-`;
      run = 0;
    } else if (isDigit(c)) {
      run++;
    } else {
      return gs1Error(
        "NOT_DIGITS",
        `NDC must be digits and hyphens, found ${describeChar(text[k] ?? "")} at character ${k + 1} (AI 715)`,
        { ai: "715", at: at + k, expected: "0-9 and -", found: text[k] },
      );
    }
  }
  layout += String(run);
  if (NDC_LAYOUTS.includes(layout)) return undefined;
  return gs1Error(
    "BAD_LENGTH",
    `NDC '${text}' is not 10 digits (4-4-2, 5-3-2 or 5-4-1) or 11 digits (5-4-2) (AI 715)`,
    { ai: "715", at, expected: NDC_LAYOUTS.join(", "), found: layout },
  );
}

/**
 * Reads the text printed beside a pack's code, as people type it when a scanner fails:
 *
 *   GTIN 09520120100028 SN ABC123 LOT L1 EXP 2028-05
 *   PC: 09520123456788 / SN: XYZ987 / Batch: L1 / EXP: 05/2028   (each on its own line)
 *   PC 09520123456788 SN XYZ987 NN 12345678 Ch.-B. L1 Verw. bis 05/2028
 *
 * Field names in any case and order, each followed by its value; fields and names separated by
 * white space (line breaks too), colons, or nothing. A GTIN (8, 12, 13 or 14 digits, padded to
 * 14) and a date end where their shape ends; a serial, lot or national number ends at white
 * space, or at a colon (which is never part of a printed value), so "SN:ABC123LOT:L1" reads.
 * Every value is checked as in `parseGs1`: the GTIN's check digit, CSET 82, lengths, real
 * dates. Serials and lots keep their case (GS1 values are case-sensitive).
 *
 * An NDC alone is refused (NDC_WITHOUT_GTIN): which GTIN carries it depends on the packaging
 * level and on how the NDC's segments were padded, neither of which the NDC tells. Beside a
 * GTIN it is kept as AI 715.
 *
 * Never throws, whatever `input` is.
 */
export function parsePrintedText(input: string, options?: ParseOptions): PrintedTextResult {
  const bounds = trimmedBounds(input);
  if ("code" in bounds) return { ok: false, error: bounds };
  const { start, end } = bounds;
  if (fieldNameAt(input, start, end) === undefined) {
    return {
      ok: false,
      error: gs1Error(
        "UNRECOGNISED_FORMAT",
        `Not the text printed on a pack: expected a field name such as GTIN, PC, SN, LOT or EXP at position ${start}, found ${describeChar(input[start] ?? "")}`,
        { at: start },
      ),
    };
  }
  const b = newValueBuilder(nowOf(options), false);
  let nationalNumber: string | undefined;
  let ndcAt: number | undefined;
  let i = start;
  for (;;) {
    while (i < end && isFieldSeparator(input.charCodeAt(i))) i++;
    if (i >= end) break;
    const name = fieldNameAt(input, i, end);
    if (name === undefined) {
      const found = input.slice(i, tokenEnd(input, i, end));
      return {
        ok: false,
        error: gs1Error(
          "UNKNOWN_FIELD",
          `Expected a field name such as GTIN, PC, SN, LOT or EXP at position ${i}, found '${found}'`,
          { at: i, found },
        ),
      };
    }
    const nameAt = i;
    i = name.next;
    while (i < end && isFieldSeparator(input.charCodeAt(i))) i++;
    const at = i;
    let error: Gs1Error | undefined;
    switch (name.field) {
      case "gtin":
        i = shapedValueEnd(input, at, end, isDigit);
        error = addShortOrFullGtin(b, input.slice(at, i), at, nameAt, "GTIN");
        break;
      case "expiry":
        i = shapedValueEnd(input, at, end, isDateCharacter);
        error = addPrintedExpiry(b, input, at, i, nameAt);
        break;
      case "ndc":
        i = shapedValueEnd(input, at, end, isNdcCharacter);
        error = checkNdc(input.slice(at, i), at) ?? addElement(b, AI_SPECS["715"], input.slice(at, i), at, nameAt);
        ndcAt ??= nameAt;
        break;
      default: {
        i = tokenEnd(input, at, end);
        if (i < end && input.charCodeAt(i) === COLON) {
          const glued = gluedNameStart(input, at, i);
          if (glued !== -1) i = glued;
        }
        const text = input.slice(at, i);
        if (name.field === "serial") error = addElement(b, AI_SPECS["21"], text, at, nameAt);
        else if (name.field === "lot") error = addElement(b, AI_SPECS["10"], text, at, nameAt);
        else {
          error = checkCset82Text(text, undefined, 20, "National number (NN)", at);
          if (error === undefined && nationalNumber !== undefined && nationalNumber !== text) {
            error = gs1Error(
              "DUPLICATE_AI",
              `National number (NN) appears twice with different values, '${nationalNumber}' and '${text}'`,
              { at, expected: nationalNumber, found: text },
            );
          }
          nationalNumber = text;
        }
      }
    }
    if (error !== undefined) return { ok: false, error };
  }
  if (b.value.gtin === undefined) {
    const error =
      ndcAt !== undefined
        ? gs1Error(
            "NDC_WITHOUT_GTIN",
            "An NDC alone does not tell which GTIN the pack carries (that depends on its packaging level and on how the NDC was padded); give the GTIN printed on the pack",
            { ai: "715", at: ndcAt },
          )
        : gs1Error("MISSING_GTIN", "The text names no product: the GTIN, printed as PC or GTIN, is missing", {
            ai: "01",
            at: start,
          });
    return { ok: false, error };
  }
  const value = finishValue(b);
  if ("code" in value) return { ok: false, error: value };
  return nationalNumber === undefined ? { ok: true, value } : { ok: true, value, nationalNumber };
}
