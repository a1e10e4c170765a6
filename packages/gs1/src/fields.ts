import { firstNonCset82 } from "./cset82.ts";
import { describeChar, gs1Error, type Gs1Error } from "./errors.ts";

/**
 * Shape check for a fixed-length numeric value: empty, non-digits, wrong
 * length. Returns undefined when the value has the right shape. `at` is the
 * value's offset in the parsed input, when known.
 */
export function checkFixedDigits(
  value: string,
  ai: string,
  length: number,
  label: string,
  at: number | undefined,
): Gs1Error | undefined {
  if (value.length === 0) {
    return gs1Error("EMPTY_VALUE", `${label} is empty; it needs ${length} digits (AI ${ai})`, { ai, at });
  }
  const checked = Math.min(value.length, length);
  for (let i = 0; i < checked; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) {
      return gs1Error(
        "NOT_DIGITS",
        `${label} must be digits only, found ${describeChar(value[i] ?? "")} at character ${i + 1} (AI ${ai})`,
        { ai, at: offset(at, i), expected: "0-9", found: value[i] },
      );
    }
  }
  if (value.length !== length) {
    return gs1Error("BAD_LENGTH", `${label} must have ${length} digits, found ${value.length} (AI ${ai})`, {
      ai,
      at,
      expected: String(length),
      found: String(value.length),
    });
  }
  return undefined;
}

/**
 * Shape check for a variable-length CSET 82 value of 1 to `max` characters:
 * empty, too long, a character outside CSET 82. `ai` is undefined for a
 * printed field that no AI carries (the EU's national number "NN").
 */
export function checkCset82Text(
  value: string,
  ai: string | undefined,
  max: number,
  label: string,
  at: number | undefined,
): Gs1Error | undefined {
  const where = ai === undefined ? "" : ` (AI ${ai})`;
  if (value.length === 0) {
    return gs1Error("EMPTY_VALUE", `${label} is empty; it needs 1 to ${max} characters${where}`, { ai, at });
  }
  const bad = firstNonCset82(value, 0, value.length);
  if (bad !== -1) {
    const ch = String.fromCodePoint(value.codePointAt(bad) ?? 0);
    return gs1Error(
      "CSET82",
      `${label} contains ${describeChar(ch)} at character ${bad + 1}, which GS1 does not allow ` +
        `(allowed: A-Z a-z 0-9 and ! " % & ' ( ) * + , - . / : ; < = > ? _)${where}`,
      { ai, at: offset(at, bad), found: ch },
    );
  }
  if (value.length > max) {
    return gs1Error("TOO_LONG", `${label} has ${value.length} characters; at most ${max} are allowed${where}`, {
      ai,
      at: offset(at, max),
      expected: `at most ${max}`,
      found: String(value.length),
    });
  }
  return undefined;
}

function offset(at: number | undefined, delta: number): number | undefined {
  return at === undefined ? undefined : at + delta;
}
