/**
 * Reading a batch's serial list as a manufacturer uploads it (CSV or one serial per line), with
 * GS1 AI 21 rules: 1 to 20 characters of CSET 82, each serial once. A bad list is refused whole,
 * with the line of every bad entry, so the manufacturer can fix the file in one pass.
 */
import { isCset82 } from "@pedigree/gs1";

/** GS1 AI 21: at most 20 characters. */
export const MAX_SERIAL_LENGTH = 20;
/** At most this many errors are listed; the rest are only counted (`truncated`). */
export const MAX_REPORTED_SERIAL_ERRORS = 1000;
/** A bad entry is quoted in its error up to this many characters, so a garbage upload stays small. */
const QUOTED_SERIAL_LENGTH = 40;

export type SerialErrorCode = "EMPTY" | "TOO_LONG" | "CSET82" | "DUPLICATE";

export interface SerialListError {
  /** 1-based line in the file (or position in the array), header and blank lines counted. */
  line: number;
  /** The entry as read (trimmed; cut to 40 characters with "…" when longer). */
  serial: string;
  code: SerialErrorCode;
  message: string;
  /** DUPLICATE only: the line where the serial first appears. */
  firstLine?: number;
}

export type SerialListResult =
  | { ok: true; serials: string[] }
  | {
      ok: false;
      /** The first 1,000 errors, in line order. */
      errors: SerialListError[];
      /** How many errors there are in all. */
      errorCount: number;
      /** How many errors are not listed (errorCount - errors.length). */
      truncated: number;
      /** One sentence for the uploader, saying how many lines are bad and whether the list is cut. */
      message: string;
    };

/** Why `serial` is not a valid GS1 serial (AI 21), or undefined when it is. Length and characters only. */
export function checkSerial(
  serial: string,
): { code: Exclude<SerialErrorCode, "DUPLICATE">; message: string } | undefined {
  if (serial.length === 0) return { code: "EMPTY", message: "no serial; a serial needs 1 to 20 characters" };
  if (serial.length > MAX_SERIAL_LENGTH) {
    return {
      code: "TOO_LONG",
      message: `the serial has ${serial.length} characters; at most ${MAX_SERIAL_LENGTH} are allowed (GS1 AI 21)`,
    };
  }
  if (!isCset82(serial)) {
    const at = [...serial].findIndex((character) => !isCset82(character));
    const character = [...serial][at] ?? "";
    return {
      code: "CSET82",
      message:
        `the serial contains ${describeCharacter(character)} at character ${at + 1}, which GS1 does not allow ` +
        `(allowed: A-Z a-z 0-9 and ! " % & ' ( ) * + , - . / : ; < = > ? _)`,
    };
  }
  return undefined;
}

/**
 * Reads a serial list. Text: one serial per line (LF or CRLF; a leading byte-order mark and blank
 * lines at the end are ignored); surrounding white space is trimmed; a first line reading `serial`
 * (any case) is a header and skipped; on a line with commas the first column is the serial, and it
 * may be quoted as in RFC 4180 (`"A,1"`, `"A""B"`), since CSET 82 contains both `,` and `"`.
 * An array: each element is one serial, taken as it is (no trimming, no header, no columns).
 */
export function parseSerialList(input: string | readonly string[]): SerialListResult {
  if (typeof input !== "string" && !Array.isArray(input)) {
    throw new TypeError(`parseSerialList expects the list as text or an array of strings, got ${typeof input}`);
  }
  const fromText = typeof input === "string";
  const lines: readonly string[] = fromText ? splitLines(input) : input;
  const serials: string[] = [];
  const firstLineOf = new Map<string, number>();
  const errors: SerialListError[] = [];
  let errorCount = 0;
  const fail = (error: SerialListError) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_SERIAL_ERRORS) errors.push(error);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i];
    const serial = fromText ? firstColumn(raw as string) : typeof raw === "string" ? raw : String(raw);
    if (fromText && i === 0 && serial.toLowerCase() === "serial") continue;
    const problem = checkSerial(serial);
    if (problem !== undefined) {
      fail({ line, serial: quote(serial), code: problem.code, message: `Line ${line}: ${problem.message}` });
      continue;
    }
    const firstLine = firstLineOf.get(serial);
    if (firstLine !== undefined) {
      fail({
        line,
        serial,
        code: "DUPLICATE",
        message: `Line ${line}: serial ${serial} already appears on line ${firstLine}; each serial may appear once`,
        firstLine,
      });
      continue;
    }
    firstLineOf.set(serial, line);
    serials.push(serial);
  }

  if (errorCount === 0) {
    if (serials.length === 0) {
      return {
        ok: false,
        errors: [{ line: 0, serial: "", code: "EMPTY", message: "The list holds no serials" }],
        errorCount: 1,
        truncated: 0,
        message: "The list holds no serials; nothing was read.",
      };
    }
    return { ok: true, serials };
  }
  const truncated = errorCount - errors.length;
  const lineWord = errorCount === 1 ? "line is" : "lines are";
  const message =
    `The list was refused: ${errorCount.toLocaleString("en-US")} ${lineWord} bad` +
    (truncated > 0
      ? `; the first ${errors.length.toLocaleString("en-US")} are listed, ${truncated.toLocaleString("en-US")} more are not.`
      : ".");
  return { ok: false, errors, errorCount, truncated, message };
}

function splitLines(text: string): string[] {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split("\n");
  let end = lines.length;
  while (end > 0 && (lines[end - 1] as string).trim() === "") end--;
  lines.length = end;
  return lines;
}

/** The first CSV column of a line, trimmed; an RFC 4180 quoted field is unquoted. */
function firstColumn(line: string): string {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  const start = text.length - text.trimStart().length;
  if (text.charCodeAt(start) === 0x22) {
    const quoted = readQuotedField(text, start);
    if (quoted !== undefined) return quoted;
  }
  const comma = text.indexOf(",");
  return (comma < 0 ? text : text.slice(0, comma)).trim();
}

/** The value of the quoted field at `start`, or undefined when it is not a well-formed quoted field. */
function readQuotedField(text: string, start: number): string | undefined {
  let value = "";
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return undefined;
    value += text.slice(from, quote);
    if (text.charCodeAt(quote + 1) === 0x22) {
      value += '"';
      from = quote + 2;
      continue;
    }
    const rest = text.slice(quote + 1).trimStart();
    return rest === "" || rest.startsWith(",") ? value : undefined;
  }
}

function quote(serial: string): string {
  return serial.length > QUOTED_SERIAL_LENGTH ? `${serial.slice(0, QUOTED_SERIAL_LENGTH)}…` : serial;
}

function describeCharacter(character: string): string {
  if (character === " ") return "a space";
  if (character === "\t") return "a tab";
  const code = character.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return code < 0x20 || code === 0x7f ? `the control character ${hex}` : `'${character}' (${hex})`;
}
