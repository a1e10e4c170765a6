/**
 * Turns what a barcode reader returns into the text @pedigree/gs1 reads. zxing-wasm, asked for
 * "Plain" text, gives a GS1 DataMatrix's message with FNC1 already turned into GS separators and
 * reports the symbology identifier (]d2 for GS1 DataMatrix, ]Q3 for GS1 QR, ]Q1 for a plain QR
 * code holding a Digital Link URL) separately; putting the identifier back in front is exactly
 * what a hardware scanner sends, and parseGs1 strips it.
 *
 * Plain TypeScript with no browser APIs, so the Node tests run it on real zxing output.
 */
import { SYMBOLOGY_IDENTIFIERS } from "@pedigree/gs1";

/** The reader options the scanner uses for camera frames and image files. */
export const PACK_CODE_READER_OPTIONS = {
  formats: ["DataMatrix", "QRCode"],
  textMode: "Plain",
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  maxNumberOfSymbols: 4,
} as const;

export interface DecodedSymbol {
  text: string;
  symbologyIdentifier: string;
  isValid: boolean;
}

/** The scan data for one decoded symbol, as a hardware scanner would send it. */
export function scanTextOf(symbol: DecodedSymbol): string {
  const id = symbol.symbologyIdentifier;
  return SYMBOLOGY_IDENTIFIERS.includes(id) ? id + symbol.text : symbol.text;
}

/**
 * Keyboard-wedge scanners type GS (FNC1) as Ctrl+] (ASCII 29) or not at all. Browsers give
 * Ctrl+] as a key event with no character, so the field inserts the visible stand-in "␝",
 * which @pedigree/gs1 accepts as a separator.
 */
export const VISIBLE_GS = "\u241d";
export function isGroupSeparatorKey(event: { key: string; ctrlKey: boolean; keyCode?: number }): boolean {
  return (event.ctrlKey && (event.key === "]" || event.keyCode === 221)) || event.keyCode === 29;
}
