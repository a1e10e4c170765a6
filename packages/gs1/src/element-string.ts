import { addElement, aiAt, aiLengthFromPrefix, SUPPORTED_AI_LIST, type ValueBuilder } from "./ais.ts";
import { describeChar, gs1Error, type Gs1Error } from "./errors.ts";
import { isSeparator } from "./separators.ts";

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Reads an element string (scan data) in `s[start, end)`: AIs and values
 * back to back, a separator after each variable-length value that is not
 * last. One leading separator (FNC1 sent as GS) is skipped; a separator
 * after a predefined-length value is tolerated.
 */
export function scanElementString(s: string, start: number, end: number, b: ValueBuilder): Gs1Error | undefined {
  let i = start;
  if (i < end && isSeparator(s.charCodeAt(i))) i++;
  if (i >= end) {
    return gs1Error("EMPTY_INPUT", "The scan holds no data after its separator", { at: start });
  }
  while (i < end) {
    const c = s.charCodeAt(i);
    if (isSeparator(c)) {
      return gs1Error(
        "UNEXPECTED_SEPARATOR",
        `Two separators in a row at position ${i}; an AI was expected after the first`,
        { at: i },
      );
    }
    if (!isDigit(c)) {
      return gs1Error("EXPECTED_AI", `Expected an AI (digits) at position ${i}, found ${describeChar(s[i] ?? "")}`, {
        at: i,
        found: s[i],
      });
    }
    if (i + 1 >= end) {
      return gs1Error("EXPECTED_AI", `The data ends in the middle of an AI at position ${i}`, { at: i, found: s[i] });
    }
    if (!isDigit(s.charCodeAt(i + 1))) {
      return gs1Error(
        "EXPECTED_AI",
        `Expected an AI (digits) at position ${i}, found ${describeChar(s[i + 1] ?? "")} after '${s[i]}'`,
        { at: i + 1, found: s[i + 1] },
      );
    }
    const spec = aiAt(s, i, end);
    if (spec === undefined) {
      const max = Math.min(aiLengthFromPrefix(s, i), end - i);
      let len = 2;
      while (len < max && isDigit(s.charCodeAt(i + len))) len++;
      const ai = s.slice(i, i + len);
      return gs1Error(
        "UNKNOWN_AI",
        `AI ${ai} at position ${i} is not one Pedigree reads (it reads ${SUPPORTED_AI_LIST})`,
        { ai, at: i },
      );
    }
    i += spec.ai.length;
    const valueStart = i;
    if (spec.fixedLength > 0) {
      const stop = Math.min(end, i + spec.fixedLength);
      while (i < stop && !isSeparator(s.charCodeAt(i))) i++;
    } else {
      while (i < end && !isSeparator(s.charCodeAt(i))) i++;
    }
    const error = addElement(b, spec, s.slice(valueStart, i), valueStart);
    if (error !== undefined) {
      if (error.code === "TOO_LONG") {
        error.message += "; if another AI follows it, a GS separator may be missing";
      }
      return error;
    }
    if (i < end && isSeparator(s.charCodeAt(i))) i++;
  }
  return undefined;
}
