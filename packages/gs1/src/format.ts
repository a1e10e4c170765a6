import { addElement, AI_SPECS, CANONICAL_ORDER, finishValue, NATIONAL_NUMBER_AIS, newValueBuilder } from "./ais.ts";
import { percentEncode, schemeLength } from "./digital-link.ts";
import { Gs1FormatError, gs1Error, type Gs1Result } from "./errors.ts";
import { aiBracketEnd } from "./hri.ts";
import type { Gs1Value, NationalNumberAi, SupportedAi } from "./types.ts";

type Field = Exclude<keyof Gs1Value, "expiry" | "nationalNumbers" | "digitalLinkBase">;

const FIELD_OF: Partial<Record<SupportedAi, Field>> = {
  "00": "sscc",
  "01": "gtin",
  "10": "lot",
  "21": "serial",
  "414": "gln",
  "417": "partyGln",
};

/** The raw text of one AI in `value`, or undefined when absent. */
function rawOf(value: Gs1Value, ai: SupportedAi): unknown {
  if (ai === "17")
    return value.expiry === undefined ? undefined : ((value.expiry as { raw?: unknown } | null)?.raw ?? null);
  const field = FIELD_OF[ai];
  if (field !== undefined) return value[field];
  return value.nationalNumbers?.[ai as NationalNumberAi];
}

/**
 * Checks a value by the same rules `parseGs1` applies (check digits,
 * lengths, CSET 82, real dates, AIs that need a GTIN) and returns it
 * normalised: `expiry.date` is recomputed from `expiry.raw` around `now`.
 * `digitalLinkBase`, when present, is kept as it is.
 */
export function validateGs1Value(value: Gs1Value, options?: { now?: Date }): Gs1Result<Gs1Value> {
  if (value === null || typeof value !== "object") {
    return {
      ok: false,
      error: gs1Error("EMPTY_INPUT", "Expected a Gs1Value object"),
    };
  }
  const numbers: unknown = value.nationalNumbers;
  if (numbers !== undefined) {
    if (numbers === null || typeof numbers !== "object") {
      return {
        ok: false,
        error: gs1Error("NOT_A_STRING", "nationalNumbers must be an object keyed by AI 710-715"),
      };
    }
    for (const key of Object.keys(numbers)) {
      if (!(NATIONAL_NUMBER_AIS as readonly string[]).includes(key)) {
        return {
          ok: false,
          error: gs1Error("UNKNOWN_AI", `AI ${key} is not a national drug number AI (710-715)`, { ai: key }),
        };
      }
    }
  }
  const now = options?.now instanceof Date ? options.now : undefined;
  const builder = newValueBuilder(now, false);
  let count = 0;
  for (const ai of CANONICAL_ORDER) {
    const raw = rawOf(value, ai);
    if (raw === undefined) continue;
    count++;
    const error = addElement(builder, AI_SPECS[ai], raw as string, undefined);
    if (error !== undefined) return { ok: false, error };
  }
  if (count === 0) {
    return {
      ok: false,
      error: gs1Error("EMPTY_INPUT", "The value holds no GS1 identifiers"),
    };
  }
  const built = finishValue(builder);
  if ("code" in built) return { ok: false, error: built };
  if (typeof value.digitalLinkBase === "string") built.digitalLinkBase = value.digitalLinkBase;
  return { ok: true, value: built };
}

/** The AIs of a valid value with their text, in canonical order. */
function elementsOf(value: Gs1Value): Array<[SupportedAi, string]> {
  const checked = validateGs1Value(value);
  if (!checked.ok) throw new Gs1FormatError(checked.error);
  const out: Array<[SupportedAi, string]> = [];
  for (const ai of CANONICAL_ORDER) {
    const raw = rawOf(checked.value, ai);
    if (typeof raw === "string") out.push([ai, raw]);
  }
  return out;
}

/**
 * The element string (barcode message data) for `value`: AIs and values
 * back to back, predefined-length AIs first, a GS (0x1D) after each
 * variable-length value that is not last. No symbology identifier.
 * Throws Gs1FormatError (typed) when `value` is not a valid code.
 */
export function toElementString(value: Gs1Value): string {
  const elements = elementsOf(value);
  let out = "";
  for (let i = 0; i < elements.length; i++) {
    const [ai, text] = elements[i] as [SupportedAi, string];
    out += ai + text;
    if (AI_SPECS[ai].fixedLength === 0 && i < elements.length - 1) out += "\u001d";
  }
  return out;
}

/** Escapes a "(" that would otherwise read as an AI in brackets, e.g. a lot "A(12)B". */
function escapeHri(text: string): string {
  let out = "";
  let from = 0;
  for (let i = text.indexOf("("); i !== -1; i = text.indexOf("(", i + 1)) {
    if (aiBracketEnd(text, i, text.length) === -1) continue;
    out += text.slice(from, i) + "\\";
    from = i;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * The human-readable form, e.g. "(01)09520123456788(17)271231(10)ABC123(21)XYZ987".
 * A "(" in a value that would read as an AI in brackets is written "\(".
 * Throws Gs1FormatError (typed) when `value` is not a valid code.
 */
export function toHri(value: Gs1Value): string {
  let out = "";
  for (const [ai, text] of elementsOf(value)) out += `(${ai})${escapeHri(text)}`;
  return out;
}

/** Checks a Digital Link base URL and drops trailing slashes. */
function normaliseBase(base: string): string {
  if (typeof base !== "string") {
    throw new Gs1FormatError(gs1Error("DL_BAD_URI", "The Digital Link base must be a URL such as https://id.gs1.org"));
  }
  let end = base.length;
  while (end > 0 && base.charCodeAt(end - 1) === 0x2f) end--;
  const scheme = schemeLength(base, 0, end);
  let hostEnd = scheme;
  while (hostEnd < end && base.charCodeAt(hostEnd) !== 0x2f) hostEnd++;
  let bad = -1;
  for (let i = 0; i < end && bad === -1; i++) {
    const c = base.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3f || c === 0x23) bad = i;
  }
  if (scheme === 0 || hostEnd === scheme || bad !== -1) {
    throw new Gs1FormatError(
      gs1Error(
        "DL_BAD_URI",
        `The Digital Link base '${base}' must be http:// or https://, a host and an optional path, without ? or #`,
        bad === -1 ? undefined : { at: bad },
      ),
    );
  }
  return base.slice(0, end);
}

/**
 * The GS1 Digital Link URI for `value`, on `base` (scheme, host and optional
 * prefix path; trailing slashes are dropped). The primary key is the GTIN
 * (with /10/ lot and /21/ serial in the path), else the SSCC (/00/), else the
 * GLN (/414/), else the party GLN (/417/); other AIs go in the query in
 * numeric order. Values are percent-encoded. Throws Gs1FormatError (typed)
 * when `value` is not a valid code or `base` is not a URL.
 */
export function toDigitalLink(value: Gs1Value, base: string = "https://id.gs1.org"): string {
  const root = normaliseBase(base);
  const elements = elementsOf(value);
  const has = (ai: SupportedAi): boolean => elements.some(([a]) => a === ai);
  const key: SupportedAi = has("01") ? "01" : has("00") ? "00" : has("414") ? "414" : "417";
  const inPath = (ai: SupportedAi): boolean => ai === key || (key === "01" && (ai === "10" || ai === "21"));
  const text = (ai: SupportedAi): string => elements.find(([a]) => a === ai)?.[1] ?? "";

  let out = `${root}/${key}/${percentEncode(text(key))}`;
  if (key === "01") {
    if (has("10")) out += `/10/${percentEncode(text("10"))}`;
    if (has("21")) out += `/21/${percentEncode(text("21"))}`;
  }
  let separator = "?";
  const query = elements.filter(([ai]) => !inPath(ai)).sort(([a], [b]) => Number(a) - Number(b));
  for (const [ai, t] of query) {
    out += `${separator}${ai}=${percentEncode(t)}`;
    separator = "&";
  }
  return out;
}
