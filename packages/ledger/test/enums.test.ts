import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  AGGREGATIONS,
  BATCH_STATUSES,
  CONTRACT_VERDICTS,
  PACKAGE_CONTRACT_VERDICTS,
  PLACE_KINDS,
  QUARANTINE_OUTCOMES,
  PACK_STATES,
  ROLES,
  batchStatusName,
  batchStatusNumber,
  contractVerdictName,
  packageContractVerdictName,
  packStateName,
  packStateNumber,
  quarantineOutcomeName,
  quarantineOutcomeNumber,
  roleName,
  roleNumber,
} from "../src/enums.ts";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const interfaceText = (file: string) => readFileSync(path.join(repositoryRoot, "contracts/interfaces", file), "utf8");
/** The ledgers' interfaces and the registry's they extend (roles are the registry's). */
const countLedger = interfaceText("IPedigreeLedger.sol") + interfaceText("IPedigreeRegistry.sol");
const packageLedger = interfaceText("IPedigreePackageLedger.sol") + interfaceText("IPedigreeRegistry.sol");

/** The members of `enum <name> { ... }` in an interface's text, in declaration order. */
function solidityEnum(name: string, solidity = packageLedger): string[] {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(solidity)?.[1];
  assert.ok(body, `enum ${name} is declared in the interface`);
  return body.split(",").map((member) => member.trim());
}

const upperSnake = (member: string) => member.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();

describe("enum names", () => {
  it("follow the declaration order of IPedigreeLedger.sol and IPedigreeRegistry.sol", () => {
    assert.deepEqual([...ROLES], solidityEnum("Role").map(upperSnake));
    assert.deepEqual([...BATCH_STATUSES], solidityEnum("BatchStatus").map(upperSnake));
    assert.deepEqual([...PACK_STATES], solidityEnum("PackState").map(upperSnake));
    assert.deepEqual([...CONTRACT_VERDICTS], solidityEnum("Verdict", countLedger));
    assert.deepEqual([...PACKAGE_CONTRACT_VERDICTS], solidityEnum("Verdict"));
    assert.deepEqual([...PLACE_KINDS], solidityEnum("PlaceKind").map(upperSnake));
    assert.deepEqual([...AGGREGATIONS], solidityEnum("Aggregation").map(upperSnake));
    assert.deepEqual([...QUARANTINE_OUTCOMES], solidityEnum("QuarantineOutcome").map(upperSnake));
  });

  it("of the count ledger are the package ledger's, without its quarantine", () => {
    assert.deepEqual(solidityEnum("Role", countLedger), solidityEnum("Role"));
    assert.deepEqual(solidityEnum("PackState", countLedger), solidityEnum("PackState"));
    assert.deepEqual([...solidityEnum("BatchStatus", countLedger), "Quarantined"], solidityEnum("BatchStatus"));
    const countVerdicts = solidityEnum("Verdict", countLedger);
    assert.deepEqual(solidityEnum("Verdict"), [...countVerdicts.slice(0, 5), "Quarantined", ...countVerdicts.slice(5)]);
  });

  it("convert numbers (or bigints) to names and back, and refuse numbers the contract does not define", () => {
    assert.equal(packStateName(1), "DISPENSED");
    assert.equal(packStateName(6n), "LOCKED");
    assert.equal(batchStatusName(3), "RECALLED");
    assert.equal(roleName(4), "PHARMACY");
    assert.equal(contractVerdictName(8), "UnknownBatch");
    assert.equal(packageContractVerdictName(5), "Quarantined");
    assert.equal(packageContractVerdictName(9n), "UnknownBatch");
    assert.throws(() => packageContractVerdictName(11), /Verdict 11 is not one the ledger defines \(0 to 10\)/);
    assert.equal(packStateNumber("DISPENSED"), 1);
    assert.equal(batchStatusNumber("SUSPENDED"), 2);
    assert.equal(roleNumber("MANUFACTURER"), 2);
    PACK_STATES.forEach((name, n) => assert.equal(packStateName(packStateNumber(name)), PACK_STATES[n]));
    assert.throws(() => packStateName(7), /PackState 7 is not one the ledger defines \(0 to 6\)/);
    assert.throws(() => batchStatusName(-1), RangeError);
    assert.throws(() => roleName(1.5), RangeError);
    assert.throws(() => packStateNumber("GONE" as never), /'GONE' is not a pack state/);
    assert.equal(quarantineOutcomeNumber("CLEARED"), 0);
    assert.equal(quarantineOutcomeNumber("ILLEGITIMATE"), 1);
    QUARANTINE_OUTCOMES.forEach((name) => assert.equal(quarantineOutcomeName(quarantineOutcomeNumber(name)), name));
    assert.throws(() => quarantineOutcomeNumber("FORGIVEN" as never), /'FORGIVEN' is not a quarantine outcome/);
  });
});
