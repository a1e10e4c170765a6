import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  BATCH_STATUSES,
  CONTRACT_VERDICTS,
  PACK_STATES,
  ROLES,
  batchStatusName,
  batchStatusNumber,
  contractVerdictName,
  packStateName,
  packStateNumber,
  roleName,
  roleNumber,
} from "../src/enums.ts";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const interfaceText = (file: string) => readFileSync(path.join(repositoryRoot, "contracts/interfaces", file), "utf8");
/** The ledger's interface and the registry's it extends (roles are the registry's). */
const solidity = interfaceText("IPedigreeLedger.sol") + interfaceText("IPedigreeRegistry.sol");

/** The members of `enum <name> { ... }` in the interfaces, in declaration order. */
function solidityEnum(name: string): string[] {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(solidity)?.[1];
  assert.ok(body, `enum ${name} is declared in IPedigreeLedger.sol or IPedigreeRegistry.sol`);
  return body.split(",").map((member) => member.trim());
}

const upperSnake = (member: string) => member.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();

describe("enum names", () => {
  it("follow the declaration order of IPedigreeLedger.sol and IPedigreeRegistry.sol", () => {
    assert.deepEqual([...ROLES], solidityEnum("Role").map(upperSnake));
    assert.deepEqual([...BATCH_STATUSES], solidityEnum("BatchStatus").map(upperSnake));
    assert.deepEqual([...PACK_STATES], solidityEnum("PackState").map(upperSnake));
    assert.deepEqual([...CONTRACT_VERDICTS], solidityEnum("Verdict"));
  });

  it("convert numbers (or bigints) to names and back, and refuse numbers the contract does not define", () => {
    assert.equal(packStateName(1), "DISPENSED");
    assert.equal(packStateName(6n), "LOCKED");
    assert.equal(batchStatusName(3), "RECALLED");
    assert.equal(roleName(4), "PHARMACY");
    assert.equal(contractVerdictName(8), "UnknownBatch");
    assert.equal(packStateNumber("DISPENSED"), 1);
    assert.equal(batchStatusNumber("SUSPENDED"), 2);
    assert.equal(roleNumber("MANUFACTURER"), 2);
    PACK_STATES.forEach((name, n) => assert.equal(packStateName(packStateNumber(name)), PACK_STATES[n]));
    assert.throws(() => packStateName(7), /PackState 7 is not one the ledger defines \(0 to 6\)/);
    assert.throws(() => batchStatusName(-1), RangeError);
    assert.throws(() => roleName(1.5), RangeError);
    assert.throws(() => packStateNumber("GONE" as never), /'GONE' is not a pack state/);
  });
});
