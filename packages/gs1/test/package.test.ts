import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";

describe("@pedigree/gs1 as a workspace package", () => {
  it("is importable by its package name from plain Node", async () => {
    const gs1 = await import("@pedigree/gs1");
    assert.equal(typeof gs1.parseGs1, "function");
    assert.equal(gs1.parseGs1("(01)09520123456788").ok, true);
  });

  it("exports exactly the documented API", async () => {
    const gs1 = await import("@pedigree/gs1");
    assert.deepEqual(Object.keys(gs1).sort(), [
      "GS_SUBSTITUTES",
      "Gs1FormatError",
      "MAX_INPUT_LENGTH",
      "SYMBOLOGY_IDENTIFIERS",
      "expiryToDate",
      "gs1CheckDigit",
      "isCset82",
      "isLeapYear",
      "isValidGln",
      "isValidGtin",
      "isValidSscc",
      "lastDayOfMonth",
      "parseGs1",
      "parsePrintedText",
      "resolveTwoDigitYear",
      "toDigitalLink",
      "toElementString",
      "toHri",
      "validateGs1Value",
    ]);
  });

  it("has no runtime dependencies and its source imports nothing but its own files", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(manifest["dependencies"], undefined);
    assert.equal(manifest["peerDependencies"], undefined);
    const srcDir = new URL("../src/", import.meta.url);
    for (const file of readdirSync(srcDir)) {
      const source = readFileSync(new URL(file, srcDir), "utf8");
      for (const match of source.matchAll(/\bfrom\s+"([^"]+)"/g)) {
        assert.ok(match[1]?.startsWith("./") && match[1].endsWith(".ts"), `${file} imports ${match[1]}`);
      }
    }
  });
});
