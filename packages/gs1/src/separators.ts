/**
 * What ends a variable-length value in scan data. The real one is GS
 * (ASCII 29, 0x1D), which a GS1 scanner sends for FNC1. Keyboard-wedge
 * scanners often cannot type GS, so they send a substitute; we accept the
 * substitutes below. None of them is a CSET 82 character, so none can be
 * part of a lot, serial or national number: accepting them never changes
 * the meaning of valid data. README.md explains the choice.
 */
export const GS = 0x1d;

/** The accepted substitutes for GS, as strings, for documentation and tests. */
export const GS_SUBSTITUTES: readonly string[] = [
  "\u001d", // GS itself
  "^", // FNC1 in GS1's own unbracketed notation (GS1 Barcode Syntax Engine, BWIPP); a common wedge-scanner setting
  "\u2194", // "↔": what Windows shows when a wedge scanner types GS as Alt+029 (code page 437 maps 0x1D to ↔)
  "\u241d", // "␝" SYMBOL FOR GROUP SEPARATOR: the visible stand-in some apps and scanner tools emit
];

/** True when the UTF-16 code unit `c` is GS or an accepted substitute. */
export function isSeparator(c: number): boolean {
  return c === GS || c === 0x5e || c === 0x2194 || c === 0x241d;
}
