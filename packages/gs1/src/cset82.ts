/**
 * GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1):
 * ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z
 * Not in it: space, # $ @ [ \ ] ^ ` { | } ~, control characters, non-ASCII.
 */
const CSET82 = new Uint8Array(128);
for (const ch of "!\"%&'()*+,-./:;<=>?_") CSET82[ch.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) CSET82[c] = 1;
for (let c = 65; c <= 90; c++) CSET82[c] = 1;
for (let c = 97; c <= 122; c++) CSET82[c] = 1;

/** True when the UTF-16 code unit `c` is a CSET 82 character. */
export function isCset82Code(c: number): boolean {
  return c < 128 && CSET82[c] === 1;
}

/** Index of the first character of `s[start, end)` outside CSET 82, or -1. */
export function firstNonCset82(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || CSET82[c] !== 1) return i;
  }
  return -1;
}

/**
 * True when every character of `s` is in GS1 CSET 82 (the set allowed in
 * lots, serials and national drug numbers). The empty string passes; length
 * limits are the caller's business.
 */
export function isCset82(s: string): boolean {
  return typeof s === "string" && firstNonCset82(s, 0, s.length) === -1;
}
