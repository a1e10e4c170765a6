import { addElement, aiSpecOf, SUPPORTED_AI_LIST, type ValueBuilder } from "./ais.ts";
import { describeChar, gs1Error, type Gs1Error } from "./errors.ts";

const OPEN = 0x28; // (
const CLOSE = 0x29; // )
const SPACE = 0x20;
const BACKSLASH = 0x5c;

/**
 * If `s[i]` opens an AI in brackets — "(" then 2 to 4 digits then ")" —
 * the index just after ")", else -1. Only this pattern delimits values, so
 * a "(" inside a lot or serial is data unless it looks like "(NN)"; such a
 * "(" is written "\(" (GS1 Barcode Syntax Engine convention).
 */
export function aiBracketEnd(s: string, i: number, end: number): number {
  if (s.charCodeAt(i) !== OPEN) return -1;
  let j = i + 1;
  while (j < end && j - i <= 5) {
    const c = s.charCodeAt(j);
    if (c === CLOSE) return j - i - 1 >= 2 ? j + 1 : -1;
    if (c < 48 || c > 57) return -1;
    j++;
  }
  return -1;
}

/**
 * Reads the human-readable form "(01)09520123456788(17)271231(10)ABC123"
 * in `s[start, end)`. Spaces next to the bracketed AIs are allowed, as on
 * printed labels: "(01) 09520123456788 (17) 271231".
 */
export function scanHri(s: string, start: number, end: number, b: ValueBuilder): Gs1Error | undefined {
  let i = start;
  while (i < end) {
    while (i < end && s.charCodeAt(i) === SPACE) i++;
    const aiEnd = aiBracketEnd(s, i, end);
    if (aiEnd === -1) {
      return gs1Error(
        "HRI_SYNTAX",
        s.charCodeAt(i) === OPEN
          ? `Expected an AI in brackets such as (01) at position ${i}`
          : `Expected '(' and an AI at position ${i}, found ${describeChar(s[i] ?? "")}`,
        { at: i },
      );
    }
    const ai = s.slice(i + 1, aiEnd - 1);
    const spec = aiSpecOf(ai);
    if (spec === undefined) {
      return gs1Error("UNKNOWN_AI", `AI ${ai} is not one Pedigree reads (it reads ${SUPPORTED_AI_LIST})`, {
        ai,
        at: i + 1,
      });
    }
    const aiAt = i + 1;
    i = aiEnd;
    while (i < end && s.charCodeAt(i) === SPACE) i++;
    const valueStart = i;
    let escaped = false;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < end && s.charCodeAt(i + 1) === OPEN) {
        escaped = true;
        i += 2;
      } else if (c === OPEN && aiBracketEnd(s, i, end) !== -1) {
        break;
      } else {
        i++;
      }
    }
    let valueEnd = i;
    while (valueEnd > valueStart && s.charCodeAt(valueEnd - 1) === SPACE) valueEnd--;
    const raw = s.slice(valueStart, valueEnd);
    const error = escaped
      ? addElement(b, spec, raw.replaceAll("\\(", "("), undefined, aiAt)
      : addElement(b, spec, raw, valueStart, aiAt);
    if (error !== undefined) return error;
  }
  return undefined;
}
