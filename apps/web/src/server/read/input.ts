/**
 * Reading the read API's inputs: every query string and path parameter goes through zod here, and
 * a bad one becomes a 400 with a message that says what is wrong and what to send instead.
 */
import { z } from "zod";
import { gs1CheckDigit, isCset82 } from "@pedigree/gs1";
import { ApiError } from "../api/errors.ts";

/**
 * A GTIN as the ledger keys it: 14 digits. GTIN-8, -12 and -13 are accepted and left-padded with
 * zeros (GS1's rule, which keeps the check digit); the check digit must be right.
 */
export function normaliseGtin(raw: string, parameter = "gtin"): string {
  const value = raw.trim();
  if (!/^\d+$/.test(value) || ![8, 12, 13, 14].includes(value.length)) {
    throw new ApiError(
      400,
      "INVALID_GTIN",
      `'${clip(value)}' is not a GTIN: send 14 digits (GTIN-14), or 8, 12 or 13 digits, which are padded with leading zeros.`,
      { details: { parameter } },
    );
  }
  const gtin = value.padStart(14, "0");
  const expected = gs1CheckDigit(gtin.slice(0, 13));
  if (String(expected) !== gtin[13]) {
    throw new ApiError(
      400,
      "INVALID_GTIN",
      `GTIN ${value} has a wrong check digit: the last digit should be ${expected}, not ${gtin[13]}. Check for a typing error.`,
      { details: { parameter, expected: String(expected), found: gtin[13] } },
    );
  }
  return gtin;
}

/** A lot (AI 10): 1 to 20 characters of GS1's character set 82. */
export function checkLot(lot: string, parameter = "lot"): string {
  if (lot.length < 1 || lot.length > 20 || !isCset82(lot)) {
    throw new ApiError(
      400,
      "INVALID_LOT",
      `'${clip(lot)}' is not a GS1 lot number: a lot has 1 to 20 characters among letters, digits and ! " % & ' ( ) * + , - . / : ; < = > ? _ (no spaces).`,
      { details: { parameter } },
    );
  }
  return lot;
}

export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be an account address: 0x followed by 40 hexadecimal digits")
  .transform((a) => a.toLowerCase());

export function parseAddress(raw: string, parameter = "address"): string {
  const parsed = addressSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(
      400,
      "INVALID_ADDRESS",
      `'${clip(raw)}' is not an account address: send 0x followed by 40 hexadecimal digits.`,
      { details: { parameter } },
    );
  }
  return parsed.data;
}

/** An ISO 8601 date (YYYY-MM-DD, the start of that day in UTC) or date-time with a zone. */
export const isoInstantSchema = z
  .string()
  .refine(
    (s) =>
      (/^\d{4}-\d{2}-\d{2}$/.test(s) ||
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) &&
      isCalendarDate(s.slice(0, 10)) &&
      !Number.isNaN(Date.parse(s)),
    "must be an ISO 8601 date (2026-03-01) or date-time with a time zone (2026-03-01T12:00:00Z)",
  )
  .transform((s) => new Date(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)));

function isCalendarDate(yyyyMmDd: string): boolean {
  const ms = Date.parse(`${yyyyMmDd}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === yyyyMmDd;
}

/** Page sizes are bounded so one request cannot ask the server for everything at once. */
export function pageSizeSchema(defaultSize: number, max: number) {
  return z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int(`must be a whole number from 1 to ${max}`)
    .min(1, `must be a whole number from 1 to ${max}`)
    .max(max, `must be at most ${max}; follow the next page link for more`)
    .default(defaultSize);
}

/**
 * The query string as an object for zod: a parameter given once is a string, one given several
 * times an array (the schema decides what it accepts). A NUL character (`%00`) is refused here,
 * for every route at once: no identifier contains one, and PostgreSQL cannot take one in a text
 * parameter (it would fail the query, a 500, where PGlite happens to accept it).
 */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    if (key.includes("\0") || all.some((value) => value.includes("\0"))) {
      const name = key.replaceAll("\0", "%00");
      throw new ApiError(
        400,
        "INVALID_QUERY",
        `The request's parameters are not valid: ${name} contains a NUL character (%00), which no identifier or search term contains; remove it and try again.`,
        { details: [{ parameter: name, message: "contains a NUL character (%00)" }] },
      );
    }
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

/** Parses the query string with `schema`, or throws a 400 naming each bad parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, params: URLSearchParams): z.output<T> {
  // reportInput: zod 4 leaves the input out of its issues otherwise, and a repeated parameter would read "is required".
  const parsed = schema.safeParse(queryObject(params), { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const parameter = issue.path.length > 0 ? String(issue.path[0]) : "(query)";
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown parameter(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}`
        : issue.code === "invalid_type" && issue.input === undefined
          ? "is required"
          : issue.code === "invalid_type" && Array.isArray(issue.input)
            ? "was given more than once; give it once"
            : issue.message;
    return { parameter, message };
  });
  throw new ApiError(
    400,
    "INVALID_QUERY",
    `The request's parameters are not valid: ${problems.map((p) => (p.parameter === "(query)" ? p.message : `${p.parameter} ${p.message}`)).join("; ")}.`,
    { details: problems },
  );
}

/** A single-valued parameter (a repeated one is refused rather than silently reduced to one). */
export const single = z.string();

/** Trims user input for messages, so an error never echoes a whole pasted document. */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
