/**
 * GS1's official EPCIS 2.0 JSON Schema, compiled once with ajv (draft-07) and ajv-formats. The
 * schema is kept, unchanged, in this package's standards/epcis/ (see its NOTICE.md), so the tests
 * need nothing outside the repository.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import ajvFormats from "ajv-formats";

// ajv-formats is CommonJS: its default export is the module object, whose `default` is the plugin.
const addFormats = ajvFormats.default;

export const EPCIS_SCHEMA_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../standards/epcis/EPCIS-JSON-Schema.json",
);

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(EPCIS_SCHEMA_PATH, "utf8")) as object);

/** Fails the test with every ajv error (path, message, params) when `document` does not validate. */
export function assertValidEpcis(document: unknown, label = "EPCIS document"): void {
  if (validate(document)) return;
  const errors = (validate.errors ?? [])
    .map((error) => `  ${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`)
    .join("\n");
  assert.fail(
    `${label} does not validate against ${EPCIS_SCHEMA_PATH}:\n${errors}\n${JSON.stringify(document, null, 2)}`,
  );
}

/** True when `document` validates; for tests that expect a document to be refused. */
export function isValidEpcis(document: unknown): boolean {
  return validate(document) === true;
}
