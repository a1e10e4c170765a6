/** A small world shared by the tests: the flow test's parties, one batch, and one event of each kind. */
import { batchIdOf } from "../src/client.ts";
import type { LedgerEvent, LedgerEventBase } from "../src/events.ts";
import type { Hex, Party } from "../src/types.ts";

export const CHAIN_ID = 31337;
export const GTIN = "09520123456788";
export const LOT = "A1234";
export const BATCH_ID = batchIdOf(GTIN, LOT);

export const acme: Party = {
  address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  name: "Acme Pharma AG",
  gln: "9520000000011",
};
export const northwind: Party = {
  address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  name: "Northwind Wholesale",
  gln: "9520000000028",
};
export const central: Party = {
  address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  name: "Central Pharmacy",
  gln: "9520000000035",
};
export const regulator: Party = {
  address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  name: "Medicines Agency",
  gln: "9520000000059",
};

export const ZERO_HASH: Hex = `0x${"0".repeat(64)}`;
const hash = (n: number): Hex => `0x${n.toString(16).padStart(64, "0")}`;
export const SHIPMENT_ID = hash(0x5111);
/** ethers.encodeBytes32String("ASN-1"). */
export const ASN_1: Hex = "0x41534e2d31000000000000000000000000000000000000000000000000000000";

let nextLog = 0;
function at(blockNumber: number): LedgerEventBase {
  const logIndex = nextLog++;
  return {
    chainId: CHAIN_ID,
    blockNumber,
    transactionHash: hash(0xabc000 + blockNumber),
    logIndex,
    timestamp: 1_767_225_600 + blockNumber * 12, // 2026-01-01T00:00:00Z + 12 s per block
    batch: { batchId: BATCH_ID, gtin: GTIN, lot: LOT },
  };
}

/** One event of each kind, in a plausible chain order. */
export const EVENTS = {
  registered: {
    ...at(2),
    eventName: "BatchRegistered",
    manufacturer: acme,
    expiry: 20301200,
    packCount: 64,
    serialsRoot: hash(0x7007),
    documentHash: ZERO_HASH,
  },
  shipped: {
    ...at(3),
    eventName: "UnitsShipped",
    shipmentId: SHIPMENT_ID,
    from: acme,
    to: northwind,
    quantity: 40,
    shipmentRef: ASN_1,
  },
  received: { ...at(4), eventName: "UnitsReceived", shipmentId: SHIPMENT_ID, by: northwind, from: acme, quantity: 40 },
  rejected: {
    ...at(5),
    eventName: "UnitsRejected",
    shipmentId: hash(0x5112),
    by: central,
    from: northwind,
    quantity: 5,
    reason: "damaged cases",
  },
  cancelled: {
    ...at(6),
    eventName: "ShipmentCancelled",
    shipmentId: hash(0x5113),
    by: northwind,
    to: central,
    quantity: 3,
  },
  dispensed: { ...at(7), eventName: "PackDecommissioned", index: 7, serial: "PK2F7Q", by: central, state: "DISPENSED" },
  dispensedWithoutSerial: { ...at(7), eventName: "PackDecommissioned", index: 8, by: central, state: "DISPENSED" },
  reactivated: {
    ...at(8),
    eventName: "PackReactivated",
    index: 7,
    serial: "PK2F7Q",
    by: central,
    previousState: "DISPENSED",
  },
  destroyed: { ...at(9), eventName: "PackDecommissioned", index: 9, serial: "PK2F7S", by: central, state: "DESTROYED" },
  stolen: { ...at(9), eventName: "PackDecommissioned", index: 10, serial: "PK2F7T", by: northwind, state: "STOLEN" },
  sample: { ...at(9), eventName: "PackDecommissioned", index: 11, serial: "PK2F7U", by: central, state: "SAMPLE" },
  exported: {
    ...at(9),
    eventName: "PackDecommissioned",
    index: 12,
    serial: "PK2F7V",
    by: northwind,
    state: "EXPORTED",
  },
  locked: { ...at(9), eventName: "PackDecommissioned", index: 13, serial: "A/B+C", by: central, state: "LOCKED" },
  suspended: { ...at(10), eventName: "BatchSuspended", by: regulator, reason: "out-of-specification assay" },
  reinstated: { ...at(11), eventName: "BatchReinstated", by: regulator },
  recalled: { ...at(12), eventName: "BatchRecalled", by: acme, reason: "contaminated excipient" },
} satisfies Record<string, LedgerEvent>;
