/**
 * Cross-checks against independent implementations (devDependencies only):
 * - digital-link.js (GS1 Digital Link ABNF grammar + check digits) validates
 *   the URIs toDigitalLink writes and agrees on the ones it refuses;
 * - bwip-js (BWIPP, with its GS1 linter) encodes GS1 barcodes from toHri's
 *   output, zxing-wasm (ZXing-C++) decodes the images, and parseGs1 reads
 *   back what was encoded.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import bwipjs from "bwip-js";
import digitalLinkJs from "digital-link.js";
import fc from "fast-check";
import { prepareZXingModule, readBarcodes, type ReadResult } from "zxing-wasm/reader";
import { parseGs1, toDigitalLink, toHri, type Gs1Value } from "../src/index.ts";
import { digitalLinkBase, gs1Value, NOW, packValue } from "./arbitraries.ts";

const opts = { now: NOW };

/**
 * Known gaps in digital-link.js 1.4.3, so values that hit them are left out:
 * its compiled grammar has no 714=/715= query parameters, expects a raw '"'
 * where RFC 3986 and the GS1 DL standard want %22, and its check-digit test
 * fails valid party GLNs (417) as the primary key.
 */
function referenceCanRead(v: Gs1Value): boolean {
  const numbers = v.nationalNumbers ?? {};
  const texts = [v.lot, v.serial, ...Object.values(numbers)];
  return (
    numbers["714"] === undefined &&
    numbers["715"] === undefined &&
    texts.every((t) => t === undefined || !t.includes('"')) &&
    (v.gtin !== undefined || v.sscc !== undefined || v.gln !== undefined)
  );
}

/**
 * digital-link.js strips a prefix path with String.replace, which removes the
 * first occurrence: "https://z.aa/z" loses the "/z" of "//z.aa" instead.
 * Bases whose prefix path also occurs earlier are left out.
 */
function referenceHandlesBase(base: string): boolean {
  const pathStart = base.indexOf("/", base.indexOf("://") + 3);
  return pathStart === -1 || base.indexOf(base.slice(pathStart)) === pathStart;
}

describe("cross-check: digital-link.js", () => {
  it("accepts every Digital Link toDigitalLink writes, and decomposes it into the same AIs", () => {
    fc.assert(
      fc.property(gs1Value.filter(referenceCanRead), digitalLinkBase.filter(referenceHandlesBase), (v, base) => {
        const uri = toDigitalLink(v, base);
        const reference = digitalLinkJs.DigitalLink(uri);
        assert.ok(reference.isValid(), uri);
        assert.equal(reference.getDomain(), base);
        const ours = parseGs1(uri, opts);
        assert.ok(ours.ok);
        const theirs: Record<string, string> = {
          ...reference.getIdentifier(),
          ...reference.getKeyQualifiers(),
          ...reference.getAttributes(),
        };
        const decoded = Object.fromEntries(Object.entries(theirs).map(([k, x]) => [k, decodeURIComponent(x)]));
        const { value } = ours;
        const expected: Record<string, string> = {};
        if (value.gtin !== undefined) expected["01"] = value.gtin;
        if (value.sscc !== undefined) expected["00"] = value.sscc;
        if (value.gln !== undefined) expected["414"] = value.gln;
        if (value.partyGln !== undefined) expected["417"] = value.partyGln;
        if (value.lot !== undefined) expected["10"] = value.lot;
        if (value.serial !== undefined) expected["21"] = value.serial;
        if (value.expiry !== undefined) expected["17"] = value.expiry.raw;
        for (const [ai, text] of Object.entries(value.nationalNumbers ?? {})) expected[ai] = text;
        assert.deepEqual(decoded, expected);
      }),
      { numRuns: 100 },
    );
  });

  it("agrees on Digital Links that break the standard's rules", () => {
    const invalid = [
      "https://id.gs1.org/01/09520123456789", // check digit
      "https://id.gs1.org/01/09520123456788/21/X/10/L", // qualifiers out of order
      "https://id.gs1.org/01/09520123456788?21=XYZ987", // 21 in the query
      "https://id.gs1.org/01/09520123456788?17=", // empty value
      "https://id.gs1.org/01/09520123456788/10/A%20B", // space is not CSET 82
      "https://id.gs1.org/01/0952012345", // GTIN length
      "https://id.gs1.org/01/09520123456788/17/271231", // 17 belongs in the query
    ];
    for (const uri of invalid) {
      assert.equal(digitalLinkJs.DigitalLink(uri).isValid(), false, `digital-link.js: ${uri}`);
      assert.equal(parseGs1(uri, opts).ok, false, `parseGs1: ${uri}`);
    }
    const valid = [
      "https://id.gs1.org/01/09520123456788/10/ABC123/21/XYZ987?17=271231",
      "https://id.gs1.org/01/09520123456788/10/L%2B1/21/AB%2F12?17=280229",
      "https://id.gs1.org/01/96385074",
      "https://example.com:8080/01/09520123456788?00=106141411234567897&414=5412345000013&710=PZN1",
      "https://id.gs1.org/00/106141411234567897?414=5412345000013",
    ];
    for (const uri of valid) {
      assert.equal(digitalLinkJs.DigitalLink(uri).isValid(), true, `digital-link.js: ${uri}`);
      assert.equal(parseGs1(uri, opts).ok, true, `parseGs1: ${uri}`);
    }
  });
});

/** The reader's .wasm comes from node_modules, never from a CDN. */
async function loadZxingFromNodeModules(): Promise<void> {
  const wasmPath = fileURLToPath(import.meta.resolve("zxing-wasm/reader/zxing_reader.wasm"));
  const bytes = readFileSync(wasmPath);
  const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  await prepareZXingModule({
    overrides: { wasmBinary, locateFile: () => wasmPath },
    fireImmediately: true,
  });
}

async function encodeAndDecode(bcid: string, text: string, textMode: "Plain" | "HRI" = "Plain"): Promise<ReadResult> {
  // A quiet zone and a white background, as on a printed label.
  const png = await bwipjs.toBuffer({
    bcid,
    text,
    scale: 3,
    paddingwidth: 10,
    paddingheight: 10,
    backgroundcolor: "FFFFFF",
  });
  const results = await readBarcodes(png, { textMode, tryHarder: true });
  assert.equal(results.length, 1, `${bcid} ${text}: ${results.length} symbols decoded`);
  return results[0] as ReadResult;
}

/** As a scanner sends it: symbology identifier, then the data. */
function scanned(result: ReadResult): string {
  return result.symbologyIdentifier + result.text;
}

describe("cross-check: bwip-js images decoded by zxing-wasm", () => {
  before(loadZxingFromNodeModules);

  const examples: Gs1Value[] = [
    {
      gtin: "09520123456788",
      expiry: { raw: "271231", date: "2027-12-31" },
      lot: "ABC123",
      serial: "XYZ987",
    },
    {
      gtin: "09520123456788",
      serial: "AB/12",
      expiry: { raw: "280200", date: "2028-02-29" },
      lot: "L+1",
      nationalNumbers: { "710": "12345678", "715": "0777-3105-02" },
    },
    // A few generated packs; parentheses left out because BWIPP's bracketed input has its own escaping.
    ...fc.sample(
      packValue.filter((v) => !`${v.lot}${v.serial}`.includes("(") && !`${v.lot}${v.serial}`.includes(")")),
      { numRuns: 3, seed: 20250615 },
    ),
  ];

  for (const [index, value] of examples.entries()) {
    it(`GS1 DataMatrix #${index + 1} (]d2) reads back as the encoded value`, async () => {
      const result = await encodeAndDecode("gs1datamatrix", toHri(value));
      assert.equal(result.symbologyIdentifier, "]d2");
      assert.deepEqual(parseGs1(scanned(result), opts), {
        ok: true,
        form: "element-string",
        value,
      });
      assert.deepEqual(parseGs1(result.text, opts), { ok: true, form: "element-string", value }, "without ]d2");
    });
  }

  it("zxing's own HRI text mode parses too", async () => {
    const value = examples[0] as Gs1Value;
    const result = await encodeAndDecode("gs1datamatrix", toHri(value), "HRI");
    assert.deepEqual(parseGs1(result.text, opts), {
      ok: true,
      form: "hri",
      value,
    });
  });

  it("GS1 QR (]Q3), GS1-128 (]C1) and GS1 DataBar Expanded (]e0) read back as encoded", async () => {
    const pack = examples[1] as Gs1Value;
    const qr = await encodeAndDecode("gs1qrcode", toHri(pack));
    assert.equal(qr.symbologyIdentifier, "]Q3");
    assert.deepEqual(parseGs1(scanned(qr), opts), {
      ok: true,
      form: "element-string",
      value: pack,
    });

    const sscc: Gs1Value = { sscc: "106141411234567897" };
    const gs1128 = await encodeAndDecode("gs1-128", toHri(sscc));
    assert.equal(gs1128.symbologyIdentifier, "]C1");
    assert.deepEqual(parseGs1(scanned(gs1128), opts), {
      ok: true,
      form: "element-string",
      value: sscc,
    });

    const batch: Gs1Value = {
      gtin: "09520123456788",
      expiry: { raw: "271231", date: "2027-12-31" },
      lot: "ABC123",
    };
    const databar = await encodeAndDecode("databarexpanded", toHri(batch));
    assert.equal(databar.symbologyIdentifier, "]e0");
    assert.deepEqual(parseGs1(scanned(databar), opts), {
      ok: true,
      form: "element-string",
      value: batch,
    });
  });

  it("a Digital Link in a plain QR code (]Q1) reads back as the encoded value", async () => {
    for (const value of examples.slice(0, 3)) {
      const base = "https://pedigree.example/dl";
      const result = await encodeAndDecode("qrcode", toDigitalLink(value, base));
      assert.equal(result.symbologyIdentifier, "]Q1");
      assert.deepEqual(parseGs1(scanned(result), opts), {
        ok: true,
        form: "digital-link",
        value: { ...value, digitalLinkBase: base },
      });
    }
  });

  it("BWIPP's GS1 linter refuses the codes parseGs1 refuses", async () => {
    for (const hri of [
      "(01)09520123456789",
      "(01)09520123456788(17)271332",
      "(01)09520123456788(17)270229",
      "(21)XYZ987",
    ]) {
      await assert.rejects(bwipjs.toBuffer({ bcid: "gs1datamatrix", text: hri }), /bwipp\.GS1/, hri);
      assert.equal(parseGs1(hri, opts).ok, false, hri);
    }
  });
});
