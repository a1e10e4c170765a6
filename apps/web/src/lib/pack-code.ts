/**
 * A pack code as the pages take it in: the GS1 forms scanners and cameras send, then the text
 * printed beside the code that people type when a scanner fails. And the reader's refusals in the
 * words of the people at the counter and at home: which part of the code is wrong and what to
 * do, never an AI number, a separator's name or a character position.
 *
 * Plain TypeScript with no browser or server APIs: the scanner, the patient's page and the
 * verdict card share it.
 */
import { parseGs1, parsePrintedText, toHri, type Gs1Error, type Gs1Value, type ParseOptions } from "@pedigree/gs1";

/** How a code reached the page: from a scanner or a camera, or typed (or pasted) by a person. */
export type PackCodeEntry = "scanned" | "typed";

export type PackCodeReading =
  /** `code` is what the server is sent: the scan as it came, or printed text in the bracketed form. */
  { ok: true; value: Gs1Value; code: string } | { ok: false; error: Gs1Error };

/** `options.now` dates two-digit years (the server passes its clock); the device's clock by default. */
export function readPackCode(text: string, options?: ParseOptions): PackCodeReading {
  const scanned = parseGs1(text, options);
  if (scanned.ok) return { ok: true, value: scanned.value, code: text };
  const printed = parsePrintedText(text, options);
  // The server reads GS1 forms only; the bracketed form carries the same identifiers.
  if (printed.ok) return { ok: true, value: printed.value, code: toHri(printed.value) };
  // Text that starts with a field name (GTIN, PC, SN...) is printed text with a mistake in it;
  // anything else is explained as the GS1 code it was meant to be.
  return { ok: false, error: printed.error.code === "UNRECOGNISED_FORMAT" ? scanned.error : printed.error };
}

/**
 * The code again with its serial in capital letters, when the serial holds small ones: serials
 * are printed in capitals and GS1 serials are case-sensitive, so "abc123" is most likely a typing
 * slip for "ABC123", not another pack.
 */
export function uppercaseSerialReading(value: Gs1Value): { serial: string; code: string } | undefined {
  const serial = value.serial?.toUpperCase();
  if (serial === undefined || serial === value.serial) return undefined;
  return { serial, code: toHri({ ...value, serial }) };
}

const FIELD_WORDS: Record<string, string> = {
  "01": "the product number (GTIN)",
  "10": "the batch number (lot)",
  "17": "the expiry date",
  "21": "the serial number",
  "00": "the shipping code (SSCC)",
  "414": "the location number (GLN)",
  "417": "the company number (GLN)",
  "715": "the NDC",
};

function fieldOf(ai: string | undefined): string {
  if (ai === undefined) return "one part of the code";
  return FIELD_WORDS[ai] ?? (ai.startsWith("71") ? "the national number" : "one part of the code");
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function shown(found: string | undefined): string {
  if (found === undefined) return "a character";
  return found === " " ? "a space" : `“${found}”`;
}

const RETYPE =
  "Type the text printed beside the code as it appears on the pack, for example " +
  "GTIN 09520120100028 SN ABC123 LOT L1 EXP 2028-05, or scan the square code again.";

/**
 * Why a code cannot be read and what to do next, in plain words (one or two sentences). Takes the
 * reader's error, or a verdict's `codeError` (which has only the code; MISSING_SERIAL included).
 */
export function packCodeProblem(error: Pick<Gs1Error, "ai" | "expected" | "found"> & { code: string }): string {
  const field = fieldOf(error.ai);
  switch (error.code) {
    case "EMPTY_INPUT":
      return "There is nothing to read. Scan the code, or type the text printed beside it.";
    case "INPUT_TOO_LONG":
      return "This is far longer than any pack code. Scan or type only the code.";
    case "UNSUPPORTED_SYMBOLOGY":
      return "This barcode is not the pack's square code (an ordinary barcode names no single pack). Scan the square code.";
    case "EMPTY_VALUE":
      return `${capitalised(field)} is empty. ${RETYPE}`;
    case "BAD_LENGTH":
      if (error.ai === "01" && error.found !== undefined) {
        return `The product number (GTIN) has ${error.found} digits; it has 14. Check it against the pack.`;
      }
      if (error.ai === "715") {
        return "The NDC is not written as on US packs: 10 digits, as 4-4-2, 5-3-2 or 5-4-1, or 11 as 5-4-2.";
      }
      return `${capitalised(field)} is not as long as it should be. Check it against the pack.`;
    case "TOO_LONG":
      return `${capitalised(field)} is longer than any printed on a pack (at most 20 characters): check that nothing else ran into it.`;
    case "NOT_DIGITS":
      return `${capitalised(field)} has only digits, but what was read holds ${shown(error.found)}. Check it against the pack.`;
    case "CSET82":
      return `${capitalised(field)} holds ${shown(error.found)}, which pack codes never contain. Check it against the pack.`;
    case "GTIN_CHECK_DIGIT":
      return (
        "The product number (GTIN) does not add up: its last digit, the check digit, " +
        (error.expected === undefined ? "does not fit the others" : `should be ${error.expected}`) +
        ". A digit was mistyped or misread; check all 14 against the pack."
      );
    case "GLN_CHECK_DIGIT":
    case "SSCC_CHECK_DIGIT":
      return `${capitalised(field)} does not add up (its check digit is wrong). Check it against the label.`;
    case "BAD_DATE":
      return "The expiry date is not a real date. Type it as printed, for example 05/2028, 2028-05 or 280531.";
    case "MISSING_GTIN":
      return "The code has no product number (GTIN). Add the GTIN (or PC) printed on the pack.";
    case "MISSING_SERIAL":
      return "The code has no serial number, so it does not name one pack. Scan the square code on the pack.";
    case "DUPLICATE_AI":
      return `${capitalised(field)} is given twice, with different values. Keep the one printed on the pack.`;
    case "UNKNOWN_FIELD":
      return (
        `“${error.found ?? ""}” is not part of the code printed on packs. Give each part with the name ` +
        "printed before it: GTIN (or PC), SN, LOT and EXP."
      );
    case "NDC_WITHOUT_GTIN":
      return (
        "An NDC alone cannot be turned into the pack's product number (GTIN) reliably. Type the GTIN " +
        "printed on the pack as well (14 digits, after GTIN or PC)."
      );
    default:
      if (error.code.startsWith("DL_")) {
        return "This link is not a medicine pack link we can read. Scan the square code, or type the text printed beside it.";
      }
      return RETYPE;
  }
}
