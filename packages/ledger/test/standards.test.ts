/**
 * The standards' files in standards/ are GS1's, unchanged: every one is listed in its folder's
 * SHA256SUMS with the hash it was included with, and none is missing or unlisted (a formatter run
 * over them, or a hand "fix", would no longer be the schema GS1 published).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { EPCIS_SCHEMA_PATH } from "./epcisSchema.ts";

const EPCIS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../standards/epcis");
/** The folder's own files, not GS1's. */
const OURS = new Set(["README.md", "NOTICE.md", "SHA256SUMS"]);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

describe("standards/epcis", () => {
  const listed = new Map(
    readFileSync(path.join(EPCIS_DIR, "SHA256SUMS"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
        assert.ok(match, `SHA256SUMS line not in sha256sum's format: ${line}`);
        return [match[2]!, match[1]!] as const;
      }),
  );

  it("holds the EPCIS 2.0 JSON Schema the tests validate against, and the EPCIS 1.2 XSDs", () => {
    assert.equal(path.relative(EPCIS_DIR, EPCIS_SCHEMA_PATH), "EPCIS-JSON-Schema.json");
    for (const file of ["EPCIS-JSON-Schema.json", "xsd-1.2/EPCglobal-epcis-1_2.xsd"]) assert.ok(listed.has(file), file);
  });

  it("every file is GS1's as included: its SHA-256 is the one in SHA256SUMS, and none is unlisted", () => {
    const present = filesUnder(EPCIS_DIR).filter((file) => !OURS.has(file));
    assert.deepEqual(present, [...listed.keys()].sort());
    for (const [file, sha256] of listed) {
      const actual = createHash("sha256")
        .update(readFileSync(path.join(EPCIS_DIR, file)))
        .digest("hex");
      assert.equal(actual, sha256, `${file} differs from the file GS1 published`);
    }
  });
});
