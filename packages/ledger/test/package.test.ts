import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";

describe("@pedigree/ledger as a workspace package", () => {
  it("is importable by its package name from plain Node, and its pieces work together", async () => {
    const ledger = await import("@pedigree/ledger");
    const list = ledger.parseSerialList("serial\nPK-1\nPK-2\n");
    assert.ok(list.ok);
    const manifest = ledger.buildManifest(list.serials);
    assert.equal(manifest.indexOf("PK-2"), 1);
    assert.equal(ledger.verdictFromContract(0), "GENUINE");
    assert.equal(ledger.ledgerAddress(31337), ledger.deployments["31337"]?.address);
    assert.equal(ledger.toEpcisDocument([], { creationDate: new Date(0) }).schemaVersion, "2.0");
  });

  it("exports the documented API, the existing exports included", async () => {
    const ledger = await import("@pedigree/ledger");
    assert.deepEqual(Object.keys(ledger).sort(), [
      "AGGREGATIONS",
      "BATCH_STATUSES",
      "CBV_MDA_NAMESPACE",
      "CONTRACT_VERDICTS",
      "CompanyPrefixes",
      "DEFAULT_SERIAL_LENGTH",
      "DSCSA_LEGAL_NOTICE",
      "EPCIS_1_2_NAMESPACE",
      "EPCIS_CONTEXT",
      "EPCIS_EVENT_ID_NAMESPACE",
      "Epcis12Error",
      "GS1US_HEALTHCARE_NAMESPACE",
      "LEDGER_EVENT_NAMES",
      "LedgerWriteError",
      "MAX_GUESS_PROBABILITY",
      "MAX_REPORTED_SERIAL_ERRORS",
      "MAX_SERIAL_COUNT",
      "MAX_SERIAL_LENGTH",
      "MIN_SEED_BYTES",
      "PACKAGE_CONTRACT_VERDICTS",
      "PACKAGE_EVENT_BIZ_STEPS",
      "PACK_STATES",
      "PACK_STATE_EPCIS",
      "PEDIGREE_EPCIS_NAMESPACE",
      "PLACE_KINDS",
      "QUARANTINE_OUTCOMES",
      "ROLES",
      "SBDH_NAMESPACE",
      "SERIAL_ALPHABET",
      "SerialGenerationError",
      "SerialTree",
      "VERDICTS",
      "VERDICT_OF_CONTRACT_VERDICT",
      "aggregationName",
      "batchIdOf",
      "batchStatusName",
      "batchStatusNumber",
      "buildManifest",
      "checkSerial",
      "contractVerdictName",
      "createLedgerWriter",
      "createPackageLedgerWriter",
      "decideVerdict",
      "decodeLedgerError",
      "deployments",
      "epcUriOf",
      "epcisDocumentOf",
      "epcisEventId",
      "explainLedgerError",
      "generateSerials",
      "glnFromUint64",
      "gtinFromUint64",
      "gtinToUint64",
      "hashInnerNodes",
      "isoDateFromYyyymmdd",
      "ledgerAddress",
      "ledgerDeployment",
      "ledgerEventFromLog",
      "lgtinUrn",
      "minimumSerialLength",
      "nodeBytesFor",
      "packProofFlags",
      "packStateName",
      "packStateNumber",
      "packageContractVerdictName",
      "packageLedgerAbi",
      "packageLensAbi",
      "parseSerialList",
      "partyUri",
      "pedigreeLedgerAbi",
      "placeKindName",
      "placeLeaves",
      "productPatternUrn",
      "quarantineOutcomeName",
      "quarantineOutcomeNumber",
      "readPackVerification",
      "roleName",
      "roleNumber",
      "serialGuessProbability",
      "serialLeafHash",
      "serialLeafHashes",
      "sglnUrn",
      "sgtinUrn",
      "shipmentRefOf",
      "shipmentRefText",
      "ssccUrn",
      "toEpcis12Document",
      "toEpcisDocument",
      "toEpcisEvent",
      "toEpcisEvents",
      "uuidV5",
      "verdictFromContract",
      "yyyymmddFromGs1Expiry",
      "yyyymmddFromIsoDate",
    ]);
  });

  it("imports only its declared dependencies, and relative files with their .ts extension", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const allowed = new Set(Object.keys(manifest.dependencies));
    const sources = readdirSync(new URL("../src/", import.meta.url), { recursive: true, encoding: "utf8" }).filter(
      (file) => file.endsWith(".ts"),
    );
    for (const file of sources) {
      const text = readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8");
      for (const [, specifier] of text.matchAll(/from "([^"]+)"/g)) {
        if (specifier!.startsWith(".")) assert.match(specifier!, /\.ts$/, `${file} imports ${specifier}`);
        else {
          const name = specifier!.startsWith("@")
            ? specifier!.split("/").slice(0, 2).join("/")
            : specifier!.split("/")[0]!;
          assert.ok(allowed.has(name), `${file} imports ${specifier}, not a dependency of @pedigree/ledger`);
        }
      }
    }
  });
});
