import { finishValue, newValueBuilder } from "./ais.ts";
import { scanDigitalLink, schemeLength } from "./digital-link.ts";
import { scanElementString } from "./element-string.ts";
import { describeChar, gs1Error, type Gs1Error } from "./errors.ts";
import { scanHri } from "./hri.ts";
import { isSeparator } from "./separators.ts";
import type { Gs1Form, ParseOptions, ParseResult } from "./types.ts";

/** Longer input is refused before any other work. */
export const MAX_INPUT_LENGTH = 512;

/**
 * Symbology identifiers a scanner may put in front of the data (ISO/IEC
 * 15424). The GS1 ones introduce an element string; ]d1 and ]Q1 introduce
 * plain data such as a Digital Link URL. Either way the identifier is
 * stripped and what follows is read in whichever form it is written.
 */
export const SYMBOLOGY_IDENTIFIERS: readonly string[] = ["]d2", "]Q3", "]C1", "]e0", "]d1", "]Q1"];

export function isWhiteSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

/**
 * What every reader checks first: the input is text, at most MAX_INPUT_LENGTH long, and holds
 * more than white space. Returns the bounds of the input without its surrounding white space.
 */
export function trimmedBounds(input: unknown): { start: number; end: number } | Gs1Error {
  if (typeof input !== "string") {
    return gs1Error("NOT_A_STRING", `Expected the code as text, got ${input === null ? "null" : typeof input}`);
  }
  if (input.length > MAX_INPUT_LENGTH) {
    return gs1Error(
      "INPUT_TOO_LONG",
      `The input is ${input.length} characters long; at most ${MAX_INPUT_LENGTH} are read`,
      {
        expected: `at most ${MAX_INPUT_LENGTH}`,
        found: String(input.length),
      },
    );
  }
  let start = 0;
  let end = input.length;
  while (start < end && isWhiteSpace(input.charCodeAt(start))) start++;
  while (end > start && isWhiteSpace(input.charCodeAt(end - 1))) end--;
  if (start === end) return gs1Error("EMPTY_INPUT", "The input is empty");
  return { start, end };
}

/** The `now` of options that hold a usable one. */
export function nowOf(options: ParseOptions | undefined): Date | undefined {
  return options !== null && typeof options === "object" && options.now instanceof Date ? options.now : undefined;
}

/** ]d2 ]Q3 ]C1 ]e0 ]d1 ]Q1, compared without allocating. */
function isSymbologyIdentifier(code: number, modifier: number): boolean {
  switch (code) {
    case 0x64 /* d */:
      return modifier === 0x32 || modifier === 0x31;
    case 0x51 /* Q */:
      return modifier === 0x33 || modifier === 0x31;
    case 0x43 /* C */:
      return modifier === 0x31;
    case 0x65 /* e */:
      return modifier === 0x30;
    default:
      return false;
  }
}

function fail(error: Gs1Error): ParseResult {
  return { ok: false, error };
}

/**
 * Reads a GS1 pack code in any of its real forms: scan data (element string,
 * with or without a symbology identifier, leading FNC1/GS, GS separators or
 * their keyboard-wedge substitutes), the human-readable form "(01)...(17)...",
 * or a GS1 Digital Link URI. Surrounding white space is ignored.
 *
 * Returns the identifiers found, or a typed error saying what is wrong and
 * where. Never throws, whatever `input` is.
 */
export function parseGs1(input: string, options?: ParseOptions): ParseResult {
  const bounds = trimmedBounds(input);
  if ("code" in bounds) return fail(bounds);
  let { start } = bounds;
  const { end } = bounds;

  if (input.charCodeAt(start) === 0x5d /* ] */) {
    if (!isSymbologyIdentifier(input.charCodeAt(start + 1), input.charCodeAt(start + 2))) {
      const id = input.slice(start, start + 3);
      return fail(
        gs1Error(
          "UNSUPPORTED_SYMBOLOGY",
          `The scan starts with symbology identifier '${id}', which is not a GS1 DataMatrix, GS1 QR, GS1-128 or GS1 DataBar code`,
          { at: start, found: id },
        ),
      );
    }
    start += 3;
    if (start >= end) {
      return fail(
        gs1Error("EMPTY_INPUT", `The scan holds nothing after '${input.slice(start - 3, start)}'`, { at: end }),
      );
    }
  }

  const now = nowOf(options);
  const first = input.charCodeAt(start);
  let form: Gs1Form;
  let error: Gs1Error | undefined;
  if (first === 0x28 /* ( */) {
    form = "hri";
    const builder = newValueBuilder(now, false);
    error = scanHri(input, start, end, builder);
    if (error === undefined) return finish(form, finishValue(builder), undefined);
  } else if ((first >= 48 && first <= 57) || isSeparator(first)) {
    form = "element-string";
    const builder = newValueBuilder(now, false);
    error = scanElementString(input, start, end, builder);
    if (error === undefined) return finish(form, finishValue(builder), undefined);
  } else if (schemeLength(input, start, end) > 0) {
    form = "digital-link";
    const builder = newValueBuilder(now, true);
    const scanned = scanDigitalLink(input, start, end, builder);
    if ("base" in scanned) return finish(form, finishValue(builder), scanned.base);
    error = scanned;
  } else {
    error = gs1Error(
      "UNRECOGNISED_FORMAT",
      `Not a GS1 code: expected scan data starting with an AI such as 01, the form (01)..., or a URL starting with https://; found ${describeChar(input[start] ?? "")} at position ${start}`,
      { at: start },
    );
  }
  return fail(error);
}

function finish(form: Gs1Form, built: ReturnType<typeof finishValue>, base: string | undefined): ParseResult {
  if ("code" in built) return { ok: false, error: built };
  if (base !== undefined) built.digitalLinkBase = base;
  return { ok: true, form, value: built };
}
