import {
  addElement,
  addShortOrFullGtin,
  AI_SPECS,
  aiAt,
  aiSpecOf,
  SUPPORTED_AI_LIST,
  type AiSpec,
  type ValueBuilder,
} from "./ais.ts";
import { describeChar, gs1Error, type Gs1Error } from "./errors.ts";

const SLASH = 0x2f;
const QUESTION = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;
const AMP = 0x26;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;

/** Length of "http://" or "https://" (any case) at `s[start]`, else 0. */
export function schemeLength(s: string, start: number, end: number): number {
  if (end - start < 7) return 0;
  const h = s.charCodeAt(start) | 0x20;
  const t1 = s.charCodeAt(start + 1) | 0x20;
  const t2 = s.charCodeAt(start + 2) | 0x20;
  const p = s.charCodeAt(start + 3) | 0x20;
  if (h !== 0x68 || t1 !== 0x74 || t2 !== 0x74 || p !== 0x70) return 0;
  let i = start + 4;
  if ((s.charCodeAt(i) | 0x20) === 0x73) i++;
  if (i + 3 > end || s.charCodeAt(i) !== 0x3a || s.charCodeAt(i + 1) !== SLASH || s.charCodeAt(i + 2) !== SLASH) {
    return 0;
  }
  return i + 3 - start;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

let utf8: TextDecoder | undefined;

/** Percent-decodes `s[start, end)`; a "+" stays a "+" (RFC 3986, not form encoding). */
function percentDecode(s: string, start: number, end: number, ai: string): string | Gs1Error {
  const firstPercent = s.indexOf("%", start);
  if (firstPercent === -1 || firstPercent >= end) return s.slice(start, end);
  const bytes: number[] = [];
  let ascii = true;
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c !== PERCENT) {
      bytes.push(c);
      continue;
    }
    const hi = k + 2 < end ? hexValue(s.charCodeAt(k + 1)) : -1;
    const lo = k + 2 < end ? hexValue(s.charCodeAt(k + 2)) : -1;
    if (hi < 0 || lo < 0) {
      return gs1Error(
        "DL_BAD_PERCENT_ENCODING",
        `Bad percent-encoding at position ${k}: '%' must be followed by two hexadecimal digits (AI ${ai})`,
        { ai, at: k, found: s.slice(k, Math.min(end, k + 3)) },
      );
    }
    const byte = hi * 16 + lo;
    if (byte >= 0x80) ascii = false;
    bytes.push(byte);
    k += 2;
  }
  if (ascii) return String.fromCharCode(...bytes);
  utf8 ??= new TextDecoder("utf-8");
  return utf8.decode(new Uint8Array(bytes));
}

/** Adds one Digital Link value, decoding it; offsets are kept only when nothing was decoded. */
function addDecoded(
  b: ValueBuilder,
  spec: AiSpec,
  s: string,
  start: number,
  end: number,
  aiAt: number,
): Gs1Error | undefined {
  const decoded = percentDecode(s, start, end, spec.ai);
  if (typeof decoded !== "string") return decoded;
  const exact = decoded.length === end - start;
  // The DL grammar allows GTIN-8, -12, -13 and -14 in the path.
  if (spec.ai === "01")
    return addShortOrFullGtin(b, decoded, exact ? start : undefined, aiAt, "GTIN in a Digital Link");
  return addElement(b, spec, decoded, exact ? start : undefined, aiAt);
}

/** Qualifier rank after /01/: GS1 DL path order is 22, 10, 21; Pedigree reads 10 and 21. */
function qualifierRank(ai: string): number {
  return ai === "10" ? 1 : ai === "21" ? 2 : 0;
}

function isPrimaryKey(ai: string): boolean {
  return ai === "01" || ai === "00" || ai === "414" || ai === "417";
}

function isDigitsOfLength(s: string, start: number, end: number, min: number, max: number): boolean {
  const len = end - start;
  if (len < min || len > max) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const PRIMARY_KEY_HINT = "/01/<GTIN> (or /00/<SSCC>, /414/<GLN>, /417/<party GLN>)";

/**
 * Reads a GS1 Digital Link URI in `s[start, end)`, which begins with
 * http:// or https://. Any host, any prefix path before the primary key,
 * path qualifiers in GS1 order, AIs in the query; non-numeric query keys
 * (linkType, ...) and a #fragment are ignored. Returns the base URL (scheme,
 * host and prefix path) or an error.
 */
export function scanDigitalLink(s: string, start: number, end: number, b: ValueBuilder): { base: string } | Gs1Error {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) {
      return gs1Error(
        "DL_BAD_URI",
        `A URL may not contain ${describeChar(s[i] ?? "")} (position ${i}); characters outside A-Z a-z 0-9 and - . _ ~ must be percent-encoded`,
        { at: i, found: s[i] },
      );
    }
  }
  const authorityStart = start + schemeLength(s, start, end);
  let pathStart = authorityStart;
  while (pathStart < end) {
    const c = s.charCodeAt(pathStart);
    if (c === SLASH || c === QUESTION || c === HASH) break;
    pathStart++;
  }
  if (pathStart === authorityStart) {
    return gs1Error("DL_BAD_URI", `The URL has no host name after '${s.slice(start, authorityStart)}'`, {
      at: authorityStart,
    });
  }
  let pathEnd = pathStart;
  while (pathEnd < end) {
    const c = s.charCodeAt(pathEnd);
    if (c === QUESTION || c === HASH) break;
    pathEnd++;
  }
  if (pathEnd > pathStart && s.charCodeAt(pathEnd - 1) === SLASH) {
    return gs1Error("DL_TRAILING_SLASH", "A GS1 Digital Link must not end its path with '/'", { at: pathEnd - 1 });
  }

  // Path segments: segStart[k] .. segEnd[k], each after a "/".
  const segStart: number[] = [];
  const segEnd: number[] = [];
  for (let i = pathStart; i < pathEnd;) {
    const from = i + 1;
    let to = from;
    while (to < pathEnd && s.charCodeAt(to) !== SLASH) to++;
    segStart.push(from);
    segEnd.push(to);
    i = to;
  }
  const n = segStart.length;
  const segAi = (k: number): AiSpec | undefined => {
    const from = segStart[k] ?? 0;
    const to = segEnd[k] ?? 0;
    if (to - from < 2 || to - from > 4) return undefined;
    const spec = aiAt(s, from, to);
    return spec !== undefined && spec.ai.length === to - from ? spec : undefined;
  };

  // Walk key/value pairs back from the end of the path to the primary key;
  // whatever lies before it is the prefix path.
  let primary = -1;
  let k = n - 2;
  const qualifiers: number[] = [];
  let stoppedAt = -1;
  while (k >= 0) {
    const spec = segAi(k);
    const from = segStart[k] ?? 0;
    const to = segEnd[k] ?? 0;
    if (spec !== undefined && isPrimaryKey(spec.ai)) {
      primary = k;
      break;
    }
    if (spec !== undefined && qualifierRank(spec.ai) > 0) {
      qualifiers.push(k);
      k -= 2;
      continue;
    }
    if (spec !== undefined) {
      return gs1Error(
        "DL_QUALIFIER_NOT_ALLOWED",
        `${spec.label} (AI ${spec.ai}) belongs in the query string (?${spec.ai}=...), not in the path`,
        { ai: spec.ai, at: from },
      );
    }
    if (isDigitsOfLength(s, from, to, 2, 4)) {
      const ai = s.slice(from, to);
      return gs1Error("UNKNOWN_AI", `AI ${ai} in the path is not one Pedigree reads (it reads ${SUPPORTED_AI_LIST})`, {
        ai,
        at: from,
      });
    }
    stoppedAt = k;
    break;
  }

  if (primary === -1) return diagnosePath(s, pathStart, pathEnd, segStart, segEnd, segAi, stoppedAt);

  const keySpec = segAi(primary) ?? AI_SPECS["01"];
  const keyError = addDecoded(
    b,
    keySpec,
    s,
    segStart[primary + 1] ?? 0,
    segEnd[primary + 1] ?? 0,
    segStart[primary] ?? 0,
  );
  if (keyError !== undefined) return keyError;

  let previousRank = 0;
  for (let q = qualifiers.length - 1; q >= 0; q--) {
    const at = qualifiers[q] ?? 0;
    const spec = segAi(at) ?? AI_SPECS["10"];
    const from = segStart[at] ?? 0;
    if (keySpec.ai !== "01") {
      return gs1Error(
        "DL_QUALIFIER_NOT_ALLOWED",
        `A Digital Link for ${keySpec.label} (AI ${keySpec.ai}) takes no /${spec.ai}/ in its path`,
        { ai: spec.ai, at: from },
      );
    }
    const rank = qualifierRank(spec.ai);
    if (rank < previousRank) {
      return gs1Error(
        "DL_QUALIFIER_ORDER",
        `In a Digital Link path /10/<lot> must come before /21/<serial>; found /${spec.ai}/ after /21/`,
        { ai: spec.ai, at: from },
      );
    }
    previousRank = rank;
    const error = addDecoded(b, spec, s, segStart[at + 1] ?? 0, segEnd[at + 1] ?? 0, from);
    if (error !== undefined) return error;
  }

  if (pathEnd < end && s.charCodeAt(pathEnd) === QUESTION) {
    let queryEnd = pathEnd + 1;
    while (queryEnd < end && s.charCodeAt(queryEnd) !== HASH) queryEnd++;
    const error = scanQuery(s, pathEnd + 1, queryEnd, keySpec, b);
    if (error !== undefined) return error;
  }

  return { base: s.slice(start, (segStart[primary] ?? pathStart + 1) - 1) };
}

/** Explains why no primary key could be read from the path. */
function diagnosePath(
  s: string,
  pathStart: number,
  pathEnd: number,
  segStart: readonly number[],
  segEnd: readonly number[],
  segAi: (k: number) => AiSpec | undefined,
  stoppedAt: number,
): Gs1Error {
  const n = segStart.length;
  let key = -1;
  for (let j = n - 1; j >= 0 && key === -1; j--) {
    const spec = segAi(j);
    if (spec !== undefined && isPrimaryKey(spec.ai)) key = j;
  }
  if (key === -1) {
    const hint = s.slice(pathStart, pathEnd).includes("/gtin/")
      ? "; short names such as /gtin/ (GS1 Digital Link 1.0) are not read, use /01/"
      : "";
    return gs1Error("DL_NO_PRIMARY_KEY", `The Digital Link path has no ${PRIMARY_KEY_HINT}${hint}`, {
      at: pathStart,
    });
  }
  const last = n - 1;
  if ((n - key) % 2 === 1) {
    // An odd number of segments from the key on: the last one has no partner.
    const lastSpec = segAi(last);
    if (lastSpec !== undefined) {
      return gs1Error("EMPTY_VALUE", `${lastSpec.label} (AI ${lastSpec.ai}) has no value at the end of the path`, {
        ai: lastSpec.ai,
        at: segStart[last],
      });
    }
    stoppedAt = last;
  }
  const from = segStart[stoppedAt] ?? pathStart;
  return gs1Error(
    "DL_BAD_PATH",
    `Cannot read the Digital Link path at '${s.slice(from, segEnd[stoppedAt] ?? pathEnd)}' (position ${from}): ` +
      "after /01/<GTIN> only /10/<lot> and then /21/<serial> may follow",
    { at: from },
  );
}

/** Reads the AIs in the query string; non-numeric keys are ignored. */
function scanQuery(s: string, start: number, end: number, keySpec: AiSpec, b: ValueBuilder): Gs1Error | undefined {
  let i = start;
  while (i < end) {
    let paramEnd = i;
    let eq = -1;
    while (paramEnd < end) {
      const c = s.charCodeAt(paramEnd);
      if (c === AMP || c === SEMICOLON) break;
      if (c === EQUALS && eq === -1) eq = paramEnd;
      paramEnd++;
    }
    const keyEnd = eq === -1 ? paramEnd : eq;
    if (isDigitsOfLength(s, i, keyEnd, 1, Number.MAX_SAFE_INTEGER)) {
      const ai = s.slice(i, keyEnd);
      const spec = aiSpecOf(ai);
      if (spec === undefined) {
        return gs1Error(
          "UNKNOWN_AI",
          `AI ${ai} in the query is not one Pedigree reads (it reads ${SUPPORTED_AI_LIST})`,
          { ai, at: i },
        );
      }
      if (spec.ai === "21") {
        return gs1Error(
          "DL_SERIAL_IN_QUERY",
          "A serial number (AI 21) must be in the Digital Link path (/21/<serial>), never in the query",
          { ai: "21", at: i },
        );
      }
      if (spec.ai === "10" && keySpec.ai === "01") {
        return gs1Error(
          "DL_LOT_IN_QUERY",
          "With a GTIN in the path, the lot (AI 10) must be in the path too (/10/<lot>), not in the query",
          { ai: "10", at: i },
        );
      }
      const valueStart = eq === -1 ? paramEnd : eq + 1;
      if (valueStart >= paramEnd) {
        return gs1Error("EMPTY_VALUE", `${spec.label} (AI ${spec.ai}) has no value in the query`, {
          ai: spec.ai,
          at: valueStart,
        });
      }
      const error = addDecoded(b, spec, s, valueStart, paramEnd, i);
      if (error !== undefined) return error;
    }
    i = paramEnd + 1;
  }
  return undefined;
}

/** Characters written as-is in Digital Link values; everything else in CSET 82 is percent-encoded. */
function isUnreservedInValue(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 0x2d || c === 0x2e || c === 0x5f
  );
}

/**
 * Percent-encodes a value for a Digital Link: A-Z a-z 0-9 - . _ stay,
 * every other character becomes %XX (GS1 Digital Link URI syntax; "/" is
 * %2F, "+" is %2B). Values are CSET 82, hence ASCII.
 */
export function percentEncode(value: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (isUnreservedInValue(c)) continue;
    out += value.slice(from, i) + "%" + (c < 16 ? "0" : "") + c.toString(16).toUpperCase();
    from = i + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}
