/**
 * @pedigree/gs1 — GS1 identifiers for medicine packs: read every real form
 * of a pack code (scan data, human-readable form, Digital Link, the text
 * printed beside the code), refuse malformed ones with a typed reason, and
 * write codes for labels.
 */
export { parseGs1, MAX_INPUT_LENGTH, SYMBOLOGY_IDENTIFIERS } from "./parse.ts";
export { parsePrintedText } from "./printed.ts";
export { toDigitalLink, toElementString, toHri, validateGs1Value } from "./format.ts";
export { gs1CheckDigit, isValidGln, isValidGtin, isValidSscc } from "./checkdigit.ts";
export { isCset82 } from "./cset82.ts";
export { expiryToDate, isLeapYear, lastDayOfMonth, resolveTwoDigitYear } from "./dates.ts";
export { GS_SUBSTITUTES } from "./separators.ts";
export { Gs1FormatError } from "./errors.ts";
export type { Expiry } from "./dates.ts";
export type { Gs1Error, Gs1ErrorCode, Gs1Result } from "./errors.ts";
export type { PrintedTextResult } from "./printed.ts";
export type { Gs1Form, Gs1Value, NationalNumberAi, ParseOptions, ParseResult, SupportedAi } from "./types.ts";
