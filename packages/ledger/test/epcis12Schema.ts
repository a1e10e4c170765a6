/**
 * GS1's EPCIS 1.2 XML Schema (EPCglobal-epcis-1_2.xsd and the schemas it imports and includes:
 * EPCglobal base types, the Standard Business Document Header), run by libxml2 compiled to
 * WebAssembly (xmllint-wasm). The schemas are kept, unchanged, in standards/epcis/xsd-1.2/ (see its
 * NOTICE.md); every file of the folder is handed to xmllint, which does no I/O of its own.
 *
 * The GS1 US healthcare elements (gs1ushc:*), the cbvmda ILMD fields and the pedigree extensions
 * sit where the schema admits elements of other namespaces (`##other`, processContents="lax"): with
 * no schema of their own loaded they are checked for well-formedness and placement only.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { validateXML, type XMLFileInfo } from "xmllint-wasm";

export const EPCIS_12_XSD_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../standards/epcis/xsd-1.2",
);
const MAIN_SCHEMA = "EPCglobal-epcis-1_2.xsd";

const schemaFiles: XMLFileInfo[] = readdirSync(EPCIS_12_XSD_DIR)
  .filter((file) => file.endsWith(".xsd"))
  .map((file) => ({ fileName: file, contents: readFileSync(path.join(EPCIS_12_XSD_DIR, file), "utf8") }));
const main = schemaFiles.find((file) => file.fileName === MAIN_SCHEMA);
assert.ok(main, `${MAIN_SCHEMA} is missing from ${EPCIS_12_XSD_DIR}`);
const imported = schemaFiles.filter((file) => file !== main);

/** xmllint's verdict on each document, in order: undefined when valid, else its error messages. */
export async function epcis12SchemaErrors(documents: readonly string[]): Promise<(string[] | undefined)[]> {
  if (documents.length === 0) return [];
  const xml = documents.map((contents, i) => ({ fileName: `document-${i}.xml`, contents }));
  const result = await validateXML({ xml, schema: [main!], preload: imported, maxMemoryPages: 16 * 1024 });
  const errors = documents.map((): string[] => []);
  for (const error of result.errors) {
    // Errors name their document in `loc`; xmllint's closing "<file> fails to validate" only in its text.
    const file = error.loc?.fileName ?? /^(document-\d+\.xml) fails to validate/.exec(error.rawMessage)?.[1] ?? "";
    const index = Number(/^document-(\d+)\.xml$/.exec(file)?.[1] ?? -1);
    // An error xmllint does not place in a document (a schema problem) fails every document.
    for (const i of index >= 0 ? [index] : errors.keys()) errors[i]!.push(error.message);
  }
  return errors.map((list) => (list.length === 0 ? undefined : list));
}

/** Fails the test with xmllint's messages and the document when `document` does not validate. */
export async function assertValidEpcis12(document: string, label = "EPCIS 1.2 document"): Promise<void> {
  const [errors] = await epcis12SchemaErrors([document]);
  if (errors === undefined) return;
  assert.fail(`${label} does not validate against ${MAIN_SCHEMA}:\n  ${errors.join("\n  ")}\n${document}`);
}
