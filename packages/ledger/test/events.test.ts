import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeAbiParameters, encodeEventTopics, parseEventLogs, stringToHex, type AbiEvent, type Log } from "viem";
import { pedigreeLedgerAbi } from "../src/generated/pedigreeLedgerAbi.ts";
import { ledgerEventFromLog, shipmentRefText, LEDGER_EVENT_NAMES, type LedgerLogContext } from "../src/events.ts";
import type { Address, Hex, Party } from "../src/types.ts";
import { ASN_1, BATCH_ID, CHAIN_ID, GTIN, LOT, acme, central, northwind, regulator } from "./fixtures.ts";

const LEDGER: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TX: Hex = `0x${"12".repeat(32)}`;
const BLOCK_TIME = 1_767_225_600;

let logIndex = 0;
/** A raw log as an RPC node returns it, encoded from the ABI. */
function rawLog(eventName: string, args: Record<string, unknown>, blockNumber = 9n): Log {
  const event = pedigreeLedgerAbi.find((item) => item.type === "event" && item.name === eventName) as AbiEvent;
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as [Hex, ...Hex[]];
  const dataInputs = event.inputs.filter((input) => !input.indexed);
  const data = encodeAbiParameters(
    dataInputs,
    dataInputs.map((input) => args[input.name as string]),
  );
  return {
    address: LEDGER,
    topics,
    data,
    blockHash: `0x${"bb".repeat(32)}`,
    blockNumber,
    logIndex: logIndex++,
    transactionHash: TX,
    transactionIndex: 0,
    removed: false,
  };
}

const parties = new Map<string, Party>([acme, northwind, central, regulator].map((p) => [p.address.toLowerCase(), p]));
const context: LedgerLogContext = {
  chainId: CHAIN_ID,
  party: (address) => parties.get(address.toLowerCase()) ?? { address },
  batch: (batchId) => (batchId === BATCH_ID ? { gtin: GTIN, lot: LOT } : undefined),
  serial: (batchId, index) => (batchId === BATCH_ID && index < 64 ? `PK${index}` : undefined),
  blockTimestamp: (blockNumber) => BLOCK_TIME + Number(blockNumber) * 12,
};

function reshape(log: Log) {
  const [decoded] = parseEventLogs({ abi: pedigreeLedgerAbi, logs: [log] });
  assert.ok(decoded, "the log decodes against the ledger ABI");
  return ledgerEventFromLog(decoded, context);
}

describe("ledgerEventFromLog", () => {
  it("reshapes BatchRegistered: GTIN-14 with its leading zero, numbers, the manufacturer resolved", () => {
    const event = reshape(
      rawLog("BatchRegistered", {
        batchId: BATCH_ID,
        gtin: 9520123456788n,
        manufacturer: acme.address,
        lot: LOT,
        expiry: 20301231,
        packCount: 64,
        serialsRoot: `0x${"77".repeat(32)}`,
        documentHash: `0x${"00".repeat(32)}`,
      }),
    );
    assert.deepEqual(event, {
      chainId: CHAIN_ID,
      blockNumber: 9,
      transactionHash: TX,
      logIndex: 0,
      timestamp: BLOCK_TIME + 9 * 12,
      eventName: "BatchRegistered",
      batch: { batchId: BATCH_ID, gtin: GTIN, lot: LOT },
      manufacturer: acme,
      expiry: 20301231,
      packCount: 64,
      serialsRoot: `0x${"77".repeat(32)}`,
      documentHash: `0x${"00".repeat(32)}`,
    });
  });

  it("reshapes the custody events with parties, quantities and the shipment reference", () => {
    const shipmentId: Hex = `0x${"5a".repeat(32)}`;
    const shipped = reshape(
      rawLog("UnitsShipped", {
        batchId: BATCH_ID,
        shipmentId,
        from: acme.address,
        to: northwind.address,
        quantity: 40n,
        shipmentRef: ASN_1,
      }),
    );
    assert.equal(shipped?.eventName, "UnitsShipped");
    assert.deepEqual(shipped && { from: (shipped as { from: Party }).from, to: (shipped as { to: Party }).to }, {
      from: acme,
      to: northwind,
    });
    assert.equal((shipped as { quantity: number }).quantity, 40);
    assert.equal(shipmentRefText((shipped as { shipmentRef: Hex }).shipmentRef), "ASN-1");

    const received = reshape(
      rawLog("UnitsReceived", {
        batchId: BATCH_ID,
        shipmentId,
        by: northwind.address,
        from: acme.address,
        quantity: 40n,
      }),
    );
    assert.deepEqual(received && { ...received, chainId: 0 }, {
      chainId: 0,
      blockNumber: 9,
      transactionHash: TX,
      logIndex: received?.logIndex,
      timestamp: BLOCK_TIME + 108,
      eventName: "UnitsReceived",
      batch: { batchId: BATCH_ID, gtin: GTIN, lot: LOT },
      shipmentId,
      by: northwind,
      from: acme,
      quantity: 40,
    });
    const rejected = reshape(
      rawLog("UnitsRejected", {
        batchId: BATCH_ID,
        shipmentId,
        by: central.address,
        from: northwind.address,
        quantity: 5n,
        reason: "damaged",
      }),
    );
    assert.equal(rejected?.eventName === "UnitsRejected" && rejected.reason, "damaged");
    const cancelled = reshape(
      rawLog("ShipmentCancelled", {
        batchId: BATCH_ID,
        shipmentId,
        by: northwind.address,
        to: central.address,
        quantity: 3n,
      }),
    );
    assert.equal(cancelled?.eventName === "ShipmentCancelled" && cancelled.to, central);
  });

  it("reshapes pack events with the state name and the serial from the manifest when known", () => {
    const dispensed = reshape(
      rawLog("PackDecommissioned", { batchId: BATCH_ID, index: 7n, by: central.address, state: 1 }),
    );
    assert.equal(dispensed?.eventName, "PackDecommissioned");
    assert.deepEqual(
      dispensed?.eventName === "PackDecommissioned" && [
        dispensed.index,
        dispensed.serial,
        dispensed.state,
        dispensed.by,
      ],
      [7, "PK7", "DISPENSED", central],
    );
    const unknownSerial = reshape(
      rawLog("PackDecommissioned", { batchId: BATCH_ID, index: 99n, by: central.address, state: 6 }),
    );
    assert.ok(unknownSerial?.eventName === "PackDecommissioned");
    assert.equal("serial" in unknownSerial, false);
    assert.equal(unknownSerial.state, "LOCKED");
    const reactivated = reshape(
      rawLog("PackReactivated", { batchId: BATCH_ID, index: 7n, by: central.address, previousState: 1 }),
    );
    assert.ok(reactivated?.eventName === "PackReactivated");
    assert.equal(reactivated.previousState, "DISPENSED");
  });

  it("reshapes recall, suspension and reinstatement with their reasons", () => {
    const recalled = reshape(rawLog("BatchRecalled", { batchId: BATCH_ID, by: acme.address, reason: "contamination" }));
    assert.ok(recalled?.eventName === "BatchRecalled");
    assert.deepEqual([recalled.by, recalled.reason], [acme, "contamination"]);
    const suspended = reshape(rawLog("BatchSuspended", { batchId: BATCH_ID, by: regulator.address, reason: "assay" }));
    assert.ok(suspended?.eventName === "BatchSuspended");
    assert.equal(suspended.reason, "assay");
    const reinstated = reshape(rawLog("BatchReinstated", { batchId: BATCH_ID, by: regulator.address }));
    assert.ok(reinstated?.eventName === "BatchReinstated");
    assert.deepEqual(reinstated.by, regulator);
  });

  it("covers every custody event the ABI declares, and ignores the others", () => {
    const abiEvents = pedigreeLedgerAbi.filter((item) => item.type === "event").map((item) => item.name);
    for (const name of LEDGER_EVENT_NAMES) assert.ok(abiEvents.includes(name), `${name} is in the ABI`);
    const onboarded = reshape(
      rawLog("ParticipantOnboarded", {
        account: acme.address,
        role: 2,
        number: 1,
        gln: 9520000000011n,
        legalName: "Acme",
      }),
    );
    assert.equal(onboarded, undefined);
  });

  it("uses the log's own blockTimestamp when the node sends one", () => {
    const log = {
      ...rawLog("BatchReinstated", { batchId: BATCH_ID, by: regulator.address }),
      blockTimestamp: 1_800_000_000n,
    };
    const [decoded] = parseEventLogs({ abi: pedigreeLedgerAbi, logs: [log] });
    assert.equal(ledgerEventFromLog(decoded!, { ...context, blockTimestamp: undefined })?.timestamp, 1_800_000_000);
  });

  it("refuses pending logs, unknown batches and missing timestamps with what to do", () => {
    const pending = { ...rawLog("BatchReinstated", { batchId: BATCH_ID, by: regulator.address }), blockNumber: null };
    const [decodedPending] = parseEventLogs({ abi: pedigreeLedgerAbi, logs: [pending as unknown as Log] });
    assert.throws(() => ledgerEventFromLog(decodedPending!, context), /pending/);
    const other = `0x${"99".repeat(32)}` as const;
    assert.throws(() => reshape(rawLog("BatchReinstated", { batchId: other, by: regulator.address })), /does not know/);
    const [decoded] = parseEventLogs({
      abi: pedigreeLedgerAbi,
      logs: [rawLog("BatchReinstated", { batchId: BATCH_ID, by: regulator.address })],
    });
    assert.throws(() => ledgerEventFromLog(decoded!, { ...context, blockTimestamp: undefined }), /blockTimestamp/);
  });
});

describe("shipmentRefText", () => {
  it("reads a bytes32 string, and keeps anything else as hex", () => {
    assert.equal(shipmentRefText(stringToHex("RET-1", { size: 32 })), "RET-1");
    assert.equal(shipmentRefText(stringToHex("ASN 2026/0001 x", { size: 32 })), "ASN 2026/0001 x");
    const binary: Hex = `0x${"01".repeat(32)}`;
    assert.equal(shipmentRefText(binary), binary);
    const gap: Hex = `0x4100${"42".padEnd(60, "0")}`;
    assert.equal(shipmentRefText(gap), gap, "text after padding is not a bytes32 string");
    const zero: Hex = `0x${"00".repeat(32)}`;
    assert.equal(shipmentRefText(zero), zero);
  });
});
