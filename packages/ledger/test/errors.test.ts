import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BaseError,
  ChainMismatchError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  InsufficientFundsError,
  keccak256,
  stringToHex,
  UserRejectedRequestError,
  type AbiParameter,
  type Hex,
} from "viem";
import { hardhat } from "viem/chains";
import { decodeLedgerError, explainLedgerError, type LedgerErrorLookup } from "../src/errors.ts";
import { pedigreeLedgerAbi } from "../src/generated/pedigreeLedgerAbi.ts";
import { acme, BATCH_ID, central, GTIN, LOT } from "./fixtures.ts";

const ledgerErrors = pedigreeLedgerAbi.filter((item) => item.type === "error");

const lookup: LedgerErrorLookup = {
  party: (address) =>
    [acme, central].find((party) => party.address.toLowerCase() === address.toLowerCase()) as
      { name: string; gln: string } | undefined,
  batch: (batchId) =>
    batchId === BATCH_ID
      ? {
          gtin: GTIN,
          lot: LOT,
          productName: "Amoxicillin 500 mg capsules",
          recalledAt: "2026-03-03T09:30:00Z",
          recalledBy: acme.address,
        }
      : undefined,
};

/** A plausible value for each argument of an error, by its ABI type and name. */
function sampleArgument(input: AbiParameter): unknown {
  switch (input.type) {
    case "address":
      return input.name === "to" || input.name === "holder" ? central.address : acme.address;
    case "bytes32":
      return BATCH_ID;
    case "string":
      return input.name === "lot" ? "A1 B" : "952012";
    case "uint8":
      return 3;
    case "uint32":
      return input.name === "dispensedAt" ? 1_767_225_600 : 20_260_303;
    case "uint48":
      return 1_767_225_600;
    case "uint64":
      return 9_520_123_456_788n;
    case "uint256":
      return input.name === "deadline" ? 1_768_089_600n : 7n;
    default:
      throw new Error(`No sample for ABI type ${input.type}: extend sampleArgument`);
  }
}

function revertDataOf(errorName: string, args: readonly unknown[]): Hex {
  return encodeErrorResult({ abi: pedigreeLedgerAbi, errorName, args } as Parameters<typeof encodeErrorResult>[0]);
}

/** What viem throws when simulateContract/writeContract reverts with `data`. */
function viemRevert(data: Hex): ContractFunctionExecutionError {
  const reverted = new ContractFunctionRevertedError({ abi: pedigreeLedgerAbi, data, functionName: "ship" });
  return new ContractFunctionExecutionError(reverted, {
    abi: pedigreeLedgerAbi,
    functionName: "ship",
    args: [central.address, `0x${"0".repeat(64)}`, []],
  });
}

describe("explainLedgerError: every custom error of the ABI", () => {
  it("the ABI declares the ledger's errors and OpenZeppelin's (a new one must be explained here)", () => {
    assert.ok(ledgerErrors.length >= 45, `only ${ledgerErrors.length} errors in the ABI`);
  });

  for (const abiError of ledgerErrors) {
    it(`${abiError.name}: one plain sentence, from a viem revert and from raw data alike`, () => {
      const args = abiError.inputs.map(sampleArgument);
      const data = revertDataOf(abiError.name, args);
      const fromViem = explainLedgerError(viemRevert(data), lookup);
      const fromRaw = explainLedgerError(data, lookup);
      assert.deepEqual(fromRaw, fromViem);
      assert.equal(fromViem.code, abiError.name);
      const { message } = fromViem;
      assert.match(message, /^[A-Z0-9'"]/, `starts as a sentence: ${message}`);
      assert.match(message, /[.]$/, `ends as a sentence: ${message}`);
      assert.doesNotMatch(message, /undefined|NaN|\[object|null|Pedigree[A-Z]|0x[0-9a-f]{64}/, message);
      assert.ok(message.length >= 30 && message.length <= 320, `length ${message.length}: ${message}`);
      // The lookup's names replace ids: a batch id names the batch, an address names the party.
      const inputNames = abiError.inputs.map((input) => input.name);
      if (inputNames.includes("batchId") && !["PedigreeUndoWindowClosed"].includes(abiError.name)) {
        const withoutLookup = explainLedgerError(data).message;
        const namesBatch = message.includes(LOT) || message.includes("Amoxicillin");
        if (withoutLookup.includes("0x")) assert.ok(namesBatch, `names the batch: ${message}`);
      }
      for (const input of abiError.inputs) {
        if (input.type !== "address") continue;
        const name = input.name === "to" || input.name === "holder" ? central.name! : acme.name!;
        const shown = message.includes(name) || !explainLedgerError(data).message.includes("account 0x");
        assert.ok(shown, `names ${input.name} as ${name}: ${message}`);
      }
    });
  }
});

describe("explainLedgerError: the sentences people read", () => {
  const explain = (errorName: string, args: readonly unknown[], withLookup = lookup) =>
    explainLedgerError(viemRevert(revertDataOf(errorName, args)), withLookup).message;

  it("a recalled batch names when and by whom, and what cannot be done", () => {
    assert.equal(
      explain("PedigreeBatchNotMovable", [BATCH_ID, 3, 20_270_300]),
      "This batch A1234 of Amoxicillin 500 mg capsules was recalled on 3 March 2026 by Acme Pharma AG: it cannot be shipped, except back to its manufacturer.",
    );
    assert.match(
      explain("PedigreeDispenseNotAllowed", [BATCH_ID, 3, 20_270_300]),
      /recalled on 3 March 2026 by Acme Pharma AG: its packs may not be dispensed/,
    );
  });

  it("an expired or suspended batch says so, with the expiry date (DD = 00 is the month's last day)", () => {
    assert.match(
      explain("PedigreeBatchNotMovable", [BATCH_ID, 1, 20_250_200]),
      /expired on 28 February 2025: it cannot be shipped/,
    );
    assert.match(
      explain("PedigreeDispenseNotAllowed", [BATCH_ID, 2, 20_270_101]),
      /is suspended by a regulator: its packs may not be dispensed/,
    );
  });

  it("without a lookup, ids are shortened and addresses shown whole", () => {
    const message = explain("PedigreeInsufficientUnits", [BATCH_ID, central.address, 3n, 5n], {});
    assert.equal(
      message,
      `Account ${central.address} holds 3 units of batch ${BATCH_ID.slice(0, 8)}…${BATCH_ID.slice(-4)}, fewer than the 5 requested: use at most 3.`,
    );
  });

  it("a pack dispensed twice is a potential falsification, not an ordinary refusal", () => {
    assert.match(
      explain("PedigreePackNotActive", [BATCH_ID, 12n, 1]),
      /already dispensed: it cannot be dispensed again\. Do not hand it out; treat it as a potential falsification/,
    );
    assert.match(explain("PedigreePackNotActive", [BATCH_ID, 12n, 2]), /is already destroyed/);
  });

  it("bad identifiers say what the right form is", () => {
    assert.match(
      explain("PedigreeInvalidGtin", [9_520_123_456_781n]),
      /09520123456781 is not a valid GTIN-14.*check digit would be 8/,
    );
    assert.match(explain("PedigreeInvalidGln", [9_520_000_000_010n]), /9520000000010 is not a valid GLN.*would be 1/);
    assert.match(
      explain("PedigreeInvalidLot", ["A B", 1n]),
      /Lot 'A B' has a character GS1 does not allow \(' ' at position 2\)/,
    );
    assert.match(explain("PedigreeInvalidLot", ["", 0n]), /1 to 20 characters; '' has 0/);
    assert.match(explain("PedigreeInvalidExpiry", [20_200_100]), /31 January 2020 is already past/);
    assert.match(
      explain("PedigreeInvalidExpiry", [20_201_341]),
      /20201341 is not an expiry date: write it as YYYYMMDD/,
    );
  });

  it("role refusals name the role needed", () => {
    const roleId = (name: string) => keccak256(stringToHex(name));
    assert.match(
      explain("AccessControlUnauthorizedAccount", [central.address, `0x${"0".repeat(64)}`]),
      /^Central Pharmacy is not the ledger's administrator: only the administrator can do this\.$/,
    );
    assert.match(
      explain("AccessControlUnauthorizedAccount", [acme.address, roleId("PHARMACY_ROLE")]),
      /^Acme Pharma AG is not a pharmacy: only a pharmacy can dispense/,
    );
    assert.match(
      explain("AccessControlUnauthorizedAccount", [central.address, roleId("MANUFACTURER_ROLE")]),
      /^Central Pharmacy is not an active manufacturer: only a manufacturer can do this/,
    );
  });

  it("routes: shipping to oneself, and a route the roles forbid", () => {
    assert.equal(
      explain("PedigreeRouteNotAllowed", [acme.address, 2, acme.address, 2]),
      "A shipment cannot go to its own sender: choose another recipient.",
    );
    assert.match(
      explain("PedigreeRouteNotAllowed", [central.address, 4, acme.address, 4]),
      /^Central Pharmacy is a pharmacy and cannot ship to Acme Pharma AG, which is a pharmacy: manufacturers ship to distributors/,
    );
  });

  it("a lookup that throws is treated as not knowing", () => {
    const throwing: LedgerErrorLookup = {
      party: () => {
        throw new Error("database down");
      },
      batch: () => {
        throw new Error("database down");
      },
    };
    assert.match(explain("PedigreeUnknownBatch", [BATCH_ID], throwing), /^Batch 0x0c512b…486b is not registered/);
  });
});

describe("explainLedgerError: failures that are not the ledger's", () => {
  it("a cancelled signature", () => {
    const error = new BaseError("request failed", { cause: new UserRejectedRequestError(new Error("User denied")) });
    assert.deepEqual(explainLedgerError(error), {
      code: "USER_REJECTED",
      message: "You cancelled the signature in your wallet; nothing was recorded.",
    });
    // A wallet's bare EIP-1193 error.
    assert.equal(explainLedgerError({ code: 4001, message: "User rejected the request." }).code, "USER_REJECTED");
  });

  it("insufficient funds, from viem and from Hardhat's own wording", () => {
    assert.equal(explainLedgerError(new InsufficientFundsError()).code, "INSUFFICIENT_FUNDS");
    const hardhat = new BaseError("failed", {
      cause: new Error(
        "Sender doesn't have enough funds to send tx. The max upfront cost is: 1 and the sender's balance is: 0.",
      ),
    });
    assert.match(explainLedgerError(hardhat).message, /does not have enough funds to pay the network fee/);
  });

  it("an unreachable chain, and the wrong chain", () => {
    const down = new HttpRequestError({ url: "http://127.0.0.1:8545", details: "fetch failed" });
    assert.equal(explainLedgerError(down).code, "CHAIN_UNREACHABLE");
    assert.match(explainLedgerError(down).message, /cannot be reached/);
    const wrong = new ChainMismatchError({ chain: hardhat, currentChainId: 1 });
    assert.equal(explainLedgerError(wrong).code, "WRONG_CHAIN");
  });

  it("reverts the ledger does not declare: Error(string), panics, unknown selectors, no data", () => {
    const withReason = encodeErrorResult({
      abi: [{ type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] }],
      errorName: "Error",
      args: ["nope"],
    });
    assert.deepEqual(explainLedgerError(viemRevert(withReason)), {
      code: "REVERTED_WITH_REASON",
      message: "The ledger refused the transaction: nope. Nothing was recorded.",
    });
    const panic = encodeErrorResult({
      abi: [{ type: "error", name: "Panic", inputs: [{ name: "code", type: "uint256" }] }],
      errorName: "Panic",
      args: [0x11n],
    });
    assert.equal(explainLedgerError(viemRevert(panic)).code, "PANIC");
    assert.equal(explainLedgerError("0xdeadbeef").code, "UNKNOWN_REVERT");
    assert.match(explainLedgerError("0xdeadbeef").message, /selector 0xdeadbeef/);
    assert.equal(explainLedgerError(viemRevert("0x")).code, "REVERTED_WITHOUT_REASON");
  });

  it("anything else keeps its first line, and nothing throws", () => {
    assert.deepEqual(explainLedgerError(new Error("nonce too low\nstack...")), {
      code: "UNKNOWN",
      message: "The transaction could not be completed: nonce too low. Nothing was recorded; try again.",
    });
    for (const odd of [undefined, null, 42, "", {}, [], Symbol("x")]) {
      assert.equal(typeof explainLedgerError(odd).message, "string");
    }
  });

  it("decodeLedgerError returns the error's name and arguments, or undefined", () => {
    const data = revertDataOf("PedigreeZeroQuantity", [BATCH_ID]);
    assert.deepEqual(decodeLedgerError(viemRevert(data)), { errorName: "PedigreeZeroQuantity", args: [BATCH_ID] });
    assert.equal(decodeLedgerError(new Error("x")), undefined);
  });
});
