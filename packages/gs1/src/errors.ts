/**
 * Every way a GS1 code can be refused. The union is closed: callers can
 * `switch` on it exhaustively, and a new code is a breaking change.
 * README.md lists each code with an example.
 */
export type Gs1ErrorCode =
  // The input as a whole
  | "NOT_A_STRING"
  | "INPUT_TOO_LONG"
  | "EMPTY_INPUT"
  | "UNRECOGNISED_FORMAT"
  | "UNSUPPORTED_SYMBOLOGY"
  // Finding the AIs
  | "EXPECTED_AI"
  | "UNKNOWN_AI"
  | "UNEXPECTED_SEPARATOR"
  | "HRI_SYNTAX"
  // One value
  | "EMPTY_VALUE"
  | "BAD_LENGTH"
  | "TOO_LONG"
  | "NOT_DIGITS"
  | "CSET82"
  | "GTIN_CHECK_DIGIT"
  | "GLN_CHECK_DIGIT"
  | "SSCC_CHECK_DIGIT"
  | "BAD_DATE"
  // How the values go together
  | "MISSING_GTIN"
  | "DUPLICATE_AI"
  // The text printed on a pack
  | "UNKNOWN_FIELD"
  | "NDC_WITHOUT_GTIN"
  // GS1 Digital Link
  | "DL_BAD_URI"
  | "DL_BAD_PERCENT_ENCODING"
  | "DL_TRAILING_SLASH"
  | "DL_NO_PRIMARY_KEY"
  | "DL_BAD_PATH"
  | "DL_QUALIFIER_ORDER"
  | "DL_QUALIFIER_NOT_ALLOWED"
  | "DL_SERIAL_IN_QUERY"
  | "DL_LOT_IN_QUERY";

/**
 * What is wrong and where. `message` is plain English for the person holding
 * the pack; the other fields are for programs.
 */
export type Gs1Error = {
  code: Gs1ErrorCode;
  message: string;
  /** The Application Identifier the error concerns, e.g. "01", when there is one. */
  ai?: string;
  /** Offset (UTF-16 code units) in the string that was parsed, when known. */
  at?: number;
  /** What the standard wants, e.g. the correct check digit "8". */
  expected?: string;
  /** What was found instead, e.g. "9". */
  found?: string;
};

/** Either a value or the reason there is none. */
export type Gs1Result<T> = { ok: true; value: T } | { ok: false; error: Gs1Error };

/**
 * Thrown by the writers (`toElementString`, `toHri`, `toDigitalLink`) when
 * asked to write a value that is not a valid GS1 code; carries the same
 * typed `Gs1Error` that `parseGs1` would return.
 */
export class Gs1FormatError extends Error {
  readonly code: Gs1ErrorCode;
  readonly error: Gs1Error;

  constructor(error: Gs1Error) {
    super(error.message);
    this.name = "Gs1FormatError";
    this.code = error.code;
    this.error = error;
  }
}

/** Builds a Gs1Error without undefined-valued keys, so errors compare cleanly. */
export function gs1Error(
  code: Gs1ErrorCode,
  message: string,
  details?: {
    ai?: string | undefined;
    at?: number | undefined;
    expected?: string | undefined;
    found?: string | undefined;
  },
): Gs1Error {
  const error: Gs1Error = { code, message };
  if (details !== undefined) {
    if (details.ai !== undefined) error.ai = details.ai;
    if (details.at !== undefined) error.at = details.at;
    if (details.expected !== undefined) error.expected = details.expected;
    if (details.found !== undefined) error.found = details.found;
  }
  return error;
}

/** Shows a character so that invisible and control characters are visible in messages. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code === 0x20) return "a space";
  if (code === 0x1d) return "a GS separator";
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code > 0x7e) return `'${ch}' (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
  return `'${ch}'`;
}
