/**
 * The printed labels and the scanner agree: every pack label's GS1 DataMatrix and Digital Link
 * QR code, drawn by bwip-js with the options the label sheet uses, is read by zxing-wasm (the
 * scanner's reader, with the scanner's options) into scan data that @pedigree/gs1 parses back to
 * the same pack. Runs zxing's wasm in Node from the installed package.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it, before } from "node:test";
import bwipjs from "bwip-js/node";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { gs1CheckDigit, parseGs1, toDigitalLink, type Gs1Value } from "@pedigree/gs1";
import { dataMatrixOptions, dataMatrixSvg, qrCodeOptions } from "../src/app/labels/barcodes.ts";
import {
  isGroupSeparatorKey,
  PACK_CODE_READER_OPTIONS,
  scanTextOf,
  VISIBLE_GS,
} from "../src/components/scanner/scan-text.ts";

async function scan(png: Buffer): Promise<string[]> {
  const results = await readBarcodes(new Uint8Array(png), {
    ...PACK_CODE_READER_OPTIONS,
    formats: [...PACK_CODE_READER_OPTIONS.formats],
  });
  return results.filter((r) => r.isValid).map(scanTextOf);
}

const gtin = (body: string) => body + String(gs1CheckDigit(body));
const ACME = gtin("0952012300001");
const BOREALIS = gtin("0952034000001");

const packs: Gs1Value[] = [
  { gtin: ACME, lot: "A24-117", serial: "K7Q2M9XH4TPA", expiry: { raw: "271231", date: "" } },
  // Lot and serial with CSET 82 punctuation, a day-00 expiry, and a lot that looks like an AI in brackets.
  { gtin: BOREALIS, lot: "L(10)/%&x", serial: "s-1.2:3;<=>?_", expiry: { raw: "280200", date: "" } },
  { gtin: ACME, serial: "ONLYSERIAL1" },
];

describe("pack labels read back by the scanner", () => {
  before(() => {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(require.resolve("zxing-wasm/reader/zxing_reader.wasm"));
    prepareZXingModule({
      overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
    });
  });

  for (const pack of packs) {
    it(`reads the GS1 DataMatrix of ${pack.serial} as ]d2 scan data with the same identifiers`, async () => {
      const png = await bwipjs.toBuffer({ ...dataMatrixOptions(pack), backgroundcolor: "FFFFFF", padding: 4 });
      const [text, ...others] = await scan(png);
      assert.equal(others.length, 0);
      assert.ok(
        text?.startsWith("]d2"),
        `scan data should carry the GS1 DataMatrix identifier, got ${JSON.stringify(text)}`,
      );
      const parsed = parseGs1(text ?? "");
      assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.equal(parsed.form, "element-string");
      assert.equal(parsed.value.gtin, pack.gtin);
      assert.equal(parsed.value.lot, pack.lot);
      assert.equal(parsed.value.serial, pack.serial);
      assert.equal(parsed.value.expiry?.raw, pack.expiry?.raw);
    });
  }

  it("reads the Digital Link QR code as the URL on this app's origin", async () => {
    const pack = packs[1]!;
    const url = toDigitalLink(pack, "http://127.0.0.1:3000");
    const png = await bwipjs.toBuffer({ ...qrCodeOptions(url), backgroundcolor: "FFFFFF", padding: 4 });
    const [text] = await scan(png);
    assert.equal(text, `]Q1${url}`);
    const parsed = parseGs1(text!);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.form, "digital-link");
    assert.equal(parsed.value.digitalLinkBase, "http://127.0.0.1:3000");
    assert.equal(parsed.value.lot, pack.lot);
    assert.equal(parsed.value.serial, pack.serial);
  });

  it("finds nothing in a picture without a code", async () => {
    const png = await bwipjs.toBuffer({ bcid: "code128", text: "NOT A PACK", backgroundcolor: "FFFFFF" });
    assert.deepEqual(await scan(png), []);
  });

  it("draws the DataMatrix as a standalone SVG for the printed sheet", () => {
    const svg = dataMatrixSvg(packs[0]!);
    assert.match(svg, /^<svg[^>]*viewBox="0 0 \d+ \d+"/);
    assert.doesNotMatch(svg, /<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("refuses to draw a pack that is not a valid code", () => {
    assert.throws(
      () => dataMatrixOptions({ gtin: ACME.slice(0, 13) + String((Number(ACME[13]) + 1) % 10), serial: "X" }),
      /check digit/i,
    );
  });
});

describe("scan text", () => {
  it("keeps the GS1 symbology identifiers and drops no text", () => {
    assert.equal(
      scanTextOf({ text: "0109520123000019\u001d21X", symbologyIdentifier: "]d2", isValid: true }),
      "]d20109520123000019\u001d21X",
    );
    assert.equal(
      scanTextOf({ text: "https://x.org/01/1", symbologyIdentifier: "]Q1", isValid: true }),
      "]Q1https://x.org/01/1",
    );
    // An identifier that introduces no GS1 data is dropped: the message stands on its own.
    assert.equal(scanTextOf({ text: "hello", symbologyIdentifier: "]d0", isValid: true }), "hello");
  });

  it("treats Ctrl+] (what a wedge scanner types for GS) as the separator, and the stand-in parses", () => {
    assert.equal(isGroupSeparatorKey({ key: "]", ctrlKey: true }), true);
    assert.equal(isGroupSeparatorKey({ key: "Unidentified", ctrlKey: false, keyCode: 29 }), true);
    assert.equal(isGroupSeparatorKey({ key: "]", ctrlKey: false }), false);
    assert.equal(isGroupSeparatorKey({ key: "a", ctrlKey: true }), false);
    const typed = `01${ACME}1727123110A24-117${VISIBLE_GS}21K7Q2M9XH4TPA`;
    const parsed = parseGs1(typed);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.value.lot, "A24-117");
    assert.equal(parsed.value.serial, "K7Q2M9XH4TPA");
  });
});
