/**
 * GS1 mod-10 check digit of `s[start, end)`, which must be ASCII digits
 * (the caller checks). From the rightmost digit leftwards the weights are
 * 3, 1, 3, 1, ...; check = (10 - sum mod 10) mod 10.
 */
export function checkDigitOfRange(s: string, start: number, end: number): number {
  let sum = 0;
  let weight = 3;
  for (let i = end - 1; i >= start; i--) {
    sum += (s.charCodeAt(i) - 48) * weight;
    weight = 4 - weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `s[start, end)` is non-empty and all ASCII digits. */
export function isDigitsRange(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The GS1 check digit for `body` (the digits without their check digit),
 * e.g. `gs1CheckDigit("0952012345678") === 8`. Works for every GS1 key that
 * uses mod-10 (GTIN-8/12/13/14, GLN, SSCC, ...). Returns `undefined` when
 * `body` is empty or holds anything but the digits 0-9.
 */
export function gs1CheckDigit(body: string): number | undefined {
  if (typeof body !== "string" || !isDigitsRange(body, 0, body.length)) return undefined;
  return checkDigitOfRange(body, 0, body.length);
}

function hasValidCheckDigit(s: unknown, lengths: readonly number[]): boolean {
  if (typeof s !== "string" || !lengths.includes(s.length) || !isDigitsRange(s, 0, s.length)) return false;
  return checkDigitOfRange(s, 0, s.length - 1) === s.charCodeAt(s.length - 1) - 48;
}

const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/** True for a GTIN-8, -12, -13 or -14 (digits only) whose check digit is right. */
export function isValidGtin(s: string): boolean {
  return hasValidCheckDigit(s, GTIN_LENGTHS);
}

/** True for a 13-digit GLN whose check digit is right. */
export function isValidGln(s: string): boolean {
  return hasValidCheckDigit(s, [13]);
}

/** True for an 18-digit SSCC whose check digit is right. */
export function isValidSscc(s: string): boolean {
  return hasValidCheckDigit(s, [18]);
}
