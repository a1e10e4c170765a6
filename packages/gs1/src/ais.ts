import { checkDigitOfRange } from "./checkdigit.ts";
import { currentUtcYear, readExpiry } from "./dates.ts";
import { gs1Error, type Gs1Error, type Gs1ErrorCode } from "./errors.ts";
import { checkCset82Text, checkFixedDigits } from "./fields.ts";
import type { Gs1Value, NationalNumberAi, SupportedAi } from "./types.ts";

/** How one supported AI is written and checked (GS1 syntax dictionary). */
export type AiSpec = {
  readonly ai: SupportedAi;
  /** Digits for predefined-length AIs (no separator needed after them); 0 for variable length. */
  readonly fixedLength: number;
  /** Maximum characters for variable-length AIs. */
  readonly maxLength: number;
  /** Name used in messages, e.g. "Lot". */
  readonly label: string;
  /** "req=01": only valid together with a GTIN. */
  readonly needsGtin: boolean;
  /** The error code for a wrong check digit, for keys that carry one. */
  readonly checkDigitCode?: Gs1ErrorCode;
};

function fixed(
  ai: SupportedAi,
  length: number,
  label: string,
  needsGtin: boolean,
  checkDigitCode?: Gs1ErrorCode,
): AiSpec {
  return checkDigitCode === undefined
    ? { ai, fixedLength: length, maxLength: length, label, needsGtin }
    : {
        ai,
        fixedLength: length,
        maxLength: length,
        label,
        needsGtin,
        checkDigitCode,
      };
}

function variable(ai: SupportedAi, label: string): AiSpec {
  return { ai, fixedLength: 0, maxLength: 20, label, needsGtin: true };
}

export const AI_SPECS: Readonly<Record<SupportedAi, AiSpec>> = {
  "00": fixed("00", 18, "SSCC", false, "SSCC_CHECK_DIGIT"),
  "01": fixed("01", 14, "GTIN", false, "GTIN_CHECK_DIGIT"),
  "10": variable("10", "Lot"),
  "17": fixed("17", 6, "Expiry date", true),
  "21": variable("21", "Serial number"),
  "414": fixed("414", 13, "Location GLN", false, "GLN_CHECK_DIGIT"),
  "417": fixed("417", 13, "Party GLN", false, "GLN_CHECK_DIGIT"),
  "710": variable("710", "National number (PZN)"),
  "711": variable("711", "National number (CIP)"),
  "712": variable("712", "National number (CN)"),
  "713": variable("713", "National number (DRN)"),
  "714": variable("714", "National number (AIM)"),
  "715": variable("715", "National number (NDC)"),
};

export const NATIONAL_NUMBER_AIS: readonly NationalNumberAi[] = ["710", "711", "712", "713", "714", "715"];

/** The order the writers use: predefined-length AIs first, so fewer separators are needed. */
export const CANONICAL_ORDER: readonly SupportedAi[] = [
  "00",
  "01",
  "17",
  "414",
  "417",
  "10",
  "21",
  "710",
  "711",
  "712",
  "713",
  "714",
  "715",
];

export const SUPPORTED_AI_LIST = "00, 01, 10, 17, 21, 414, 417 and 710-715";

/**
 * The supported AI spelled by the digits at `s[i...]`, reading only as many
 * characters as that AI has; undefined when the characters there are not a
 * supported AI. Never reads past `end`.
 */
export function aiAt(s: string, i: number, end: number): AiSpec | undefined {
  if (i + 2 > end) return undefined;
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  if (a === 48) return b === 48 ? AI_SPECS["00"] : b === 49 ? AI_SPECS["01"] : undefined;
  if (a === 49) return b === 48 ? AI_SPECS["10"] : b === 55 ? AI_SPECS["17"] : undefined;
  if (a === 50) return b === 49 ? AI_SPECS["21"] : undefined;
  if (i + 3 > end) return undefined;
  const c = s.charCodeAt(i + 2);
  if (a === 52 && b === 49) return c === 52 ? AI_SPECS["414"] : c === 55 ? AI_SPECS["417"] : undefined;
  if (a === 55 && b === 49 && c >= 48 && c <= 53) return AI_SPECS[`71${c - 48}` as NationalNumberAi];
  return undefined;
}

/** Looks up a whole AI string such as "21" or "714". */
export function aiSpecOf(ai: string): AiSpec | undefined {
  const spec = aiAt(ai, 0, ai.length);
  return spec !== undefined && spec.ai.length === ai.length ? spec : undefined;
}

/**
 * How many digits the AI starting at `s[i]` has, by GS1's rule that the
 * first two digits fix an AI's length (GS1 General Specifications 3.2);
 * used only to quote an unsupported AI in an error message. Needs two digits at `s[i]`.
 */
export function aiLengthFromPrefix(s: string, i: number): number {
  const two = (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
  if ((two >= 23 && two <= 25) || (two >= 40 && two <= 42) || two === 71) return 3;
  if ((two >= 31 && two <= 36) || two === 39 || two === 43 || two === 70 || two === 72 || (two >= 80 && two <= 82)) {
    return 4;
  }
  return 2;
}

function checkKey(spec: AiSpec, value: string, at: number | undefined): Gs1Error | undefined {
  const shape = checkFixedDigits(value, spec.ai, spec.fixedLength, spec.label, at);
  if (shape !== undefined || spec.checkDigitCode === undefined) return shape;
  const last = value.length - 1;
  const expected = checkDigitOfRange(value, 0, last);
  const found = value.charCodeAt(last) - 48;
  if (expected === found) return undefined;
  return gs1Error(
    spec.checkDigitCode,
    `${spec.label} check digit should be ${expected}, found ${found} (AI ${spec.ai})`,
    {
      ai: spec.ai,
      at: at === undefined ? undefined : at + last,
      expected: String(expected),
      found: String(found),
    },
  );
}

/**
 * Collects checked elements into a Gs1Value, one element at a time, so that
 * errors come out in input order: per-value errors as each AI is read,
 * missing associations at the end.
 */
export type ValueBuilder = {
  readonly value: Gs1Value;
  readonly now: Date | undefined;
  /** Refuse any repeated AI (Digital Link); otherwise only repeats with a different value (GS1 General Specifications 4.14.1). */
  readonly strictDuplicates: boolean;
  currentYear: number;
  needsGtin: AiSpec | undefined;
  needsGtinAt: number | undefined;
};

export function newValueBuilder(now: Date | undefined, strictDuplicates: boolean): ValueBuilder {
  return {
    value: {},
    now,
    strictDuplicates,
    currentYear: 0,
    needsGtin: undefined,
    needsGtinAt: undefined,
  };
}

type TextField = "gtin" | "lot" | "serial" | "sscc" | "gln" | "partyGln";

const TEXT_FIELDS: Partial<Record<SupportedAi, TextField>> = {
  "00": "sscc",
  "01": "gtin",
  "10": "lot",
  "21": "serial",
  "414": "gln",
  "417": "partyGln",
};

/**
 * Checks one AI's value and adds it. `at` is the value's offset in the
 * parsed input, or undefined when offsets inside the value would not map
 * onto the input (a percent-decoded Digital Link value); `aiAt` is where the
 * AI itself is written (default: just before the value, as in scan data).
 */
export function addElement(
  b: ValueBuilder,
  spec: AiSpec,
  text: string,
  at: number | undefined,
  aiAt: number | undefined = at === undefined ? undefined : at - spec.ai.length,
): Gs1Error | undefined {
  const ai = spec.ai;
  if (typeof text !== "string") {
    return gs1Error("NOT_A_STRING", `${spec.label} (AI ${ai}) must be text`, {
      ai,
    });
  }
  const value = b.value;
  if (ai === "17") {
    const shape = checkFixedDigits(text, ai, spec.fixedLength, spec.label, at);
    if (shape !== undefined) return shape;
    if (b.currentYear === 0) b.currentYear = currentUtcYear(b.now);
    const expiry = readExpiry(text, b.currentYear, at);
    if ("code" in expiry) return expiry;
    if (value.expiry !== undefined) {
      const dup = duplicate(b, spec, value.expiry.raw, text, at);
      if (dup !== undefined) return dup;
    } else {
      value.expiry = expiry;
    }
  } else {
    const error =
      spec.fixedLength > 0 ? checkKey(spec, text, at) : checkCset82Text(text, ai, spec.maxLength, spec.label, at);
    if (error !== undefined) return error;
    const field = TEXT_FIELDS[ai];
    if (field !== undefined) {
      const previous = value[field];
      if (previous === undefined) value[field] = text;
      else {
        const dup = duplicate(b, spec, previous, text, at);
        if (dup !== undefined) return dup;
      }
    } else {
      const numbers = (value.nationalNumbers ??= {});
      const key = ai as NationalNumberAi;
      const previous = numbers[key];
      if (previous === undefined) numbers[key] = text;
      else {
        const dup = duplicate(b, spec, previous, text, at);
        if (dup !== undefined) return dup;
      }
    }
  }
  if (spec.needsGtin && b.needsGtin === undefined) {
    b.needsGtin = spec;
    b.needsGtinAt = aiAt;
  }
  return undefined;
}

/**
 * Adds a GTIN that may be written as GTIN-8, -12 or -13 as well as -14 (a Digital Link path, the
 * text printed on a pack): the shorter ones are padded with leading zeros to 14 digits, which
 * leaves the check digit as it is. `what` names the GTIN in the length error.
 */
export function addShortOrFullGtin(
  b: ValueBuilder,
  gtin: string,
  at: number | undefined,
  aiAt: number | undefined,
  what: string,
): Gs1Error | undefined {
  const spec = AI_SPECS["01"];
  let allDigits = gtin.length > 0;
  for (let i = 0; i < gtin.length && allDigits; i++) {
    const c = gtin.charCodeAt(i);
    allDigits = c >= 48 && c <= 57;
  }
  if (!allDigits || gtin.length === 14) return addElement(b, spec, gtin, at, aiAt);
  if (gtin.length === 8 || gtin.length === 12 || gtin.length === 13) {
    const pad = 14 - gtin.length;
    // Offsets in the padded value map onto the input only where the input has room for the zeros.
    const paddedAt = at === undefined || at < pad ? undefined : at - pad;
    return addElement(b, spec, "0".repeat(pad) + gtin, paddedAt, aiAt);
  }
  return gs1Error("BAD_LENGTH", `${what} must have 8, 12, 13 or 14 digits, found ${gtin.length} (AI 01)`, {
    ai: "01",
    at,
    expected: "8, 12, 13 or 14",
    found: String(gtin.length),
  });
}

function duplicate(
  b: ValueBuilder,
  spec: AiSpec,
  previous: string,
  text: string,
  at: number | undefined,
): Gs1Error | undefined {
  if (b.strictDuplicates) {
    return gs1Error(
      "DUPLICATE_AI",
      `${spec.label} (AI ${spec.ai}) appears twice; a Digital Link may give each AI only once`,
      { ai: spec.ai, at },
    );
  }
  if (previous === text) return undefined;
  return gs1Error(
    "DUPLICATE_AI",
    `${spec.label} (AI ${spec.ai}) appears twice with different values, '${previous}' and '${text}'`,
    { ai: spec.ai, at, expected: previous, found: text },
  );
}

/** The assembled value, or MISSING_GTIN when an AI that needs 01 came without it. */
export function finishValue(b: ValueBuilder): Gs1Value | Gs1Error {
  const needs = b.needsGtin;
  if (needs !== undefined && b.value.gtin === undefined) {
    return gs1Error(
      "MISSING_GTIN",
      `${needs.label} (AI ${needs.ai}) is only valid together with a GTIN (AI 01), and the code has none`,
      { ai: needs.ai, at: b.needsGtinAt },
    );
  }
  return b.value;
}
