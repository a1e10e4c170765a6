/**
 * Pack label barcodes drawn with bwip-js as SVG (server side: printing needs no script), and what
 * one label carries. Plain TypeScript without app aliases, so the Node tests render the same
 * symbols to PNG and read them back with zxing, and the PDF's worker thread draws the same labels.
 */
import bwipjs, { type RenderOptions } from "bwip-js/node";
import { toDigitalLink, toElementString, toHri, type Gs1Value } from "@pedigree/gs1";

export interface PackLabel {
  index: number;
  serial: string;
  hri: string;
  digitalLink: string;
  dataMatrixSvg: string;
  qrSvg: string;
}

/** A pack's label: its Digital Link on `origin` (in the QR code), its GS1 DataMatrix and its text. */
export function packLabel(value: Gs1Value & { serial: string }, index: number, origin: string): PackLabel {
  const digitalLink = toDigitalLink(value, origin);
  return {
    index,
    serial: value.serial,
    hri: toHri(value),
    digitalLink,
    dataMatrixSvg: dataMatrixSvg(value),
    qrSvg: qrCodeSvg(digitalLink),
  };
}

/** GS1 DataMatrix: FNC1 first (that makes it GS1), FNC1 as the separator after variable-length fields. */
export function dataMatrixOptions(value: Gs1Value): RenderOptions {
  const scanData = toElementString(value).replaceAll("\u001d", "^FNC1");
  return { bcid: "datamatrix", text: `^FNC1${scanData}`, parsefnc: true, scale: 3 };
}

/** A QR code holding the pack's Digital Link URL: what a plain phone camera opens. */
export function qrCodeOptions(url: string): RenderOptions {
  // BWIPP's default error correction for QR is M (15%), enough for a printed box.
  return { bcid: "qrcode", text: url, scale: 3 };
}

export function dataMatrixSvg(value: Gs1Value): string {
  return bwipjs.toSVG(dataMatrixOptions(value));
}

export function qrCodeSvg(url: string): string {
  return bwipjs.toSVG(qrCodeOptions(url));
}
