/**
 * The package-level ledger's custody events for the EPCIS tests: two cases packed from the
 * fixtures' batch (./fixtures.ts), one with the packs' serials at hand and one without, a pallet
 * of both, a tote made of a loose pack and a pack taken out of a case, a shipment, settlements in
 * part and in full, a cancellation, a pack dispensed from inside its case, and quarantines.
 */
import { gs1CheckDigit } from "@pedigree/gs1";
import type {
  ChainPosition,
  CustodyPack,
  ItemsQuarantinedEvent,
  ItemsQuarantineEndedEvent,
  PackageLedgerEvent,
  ShipmentReceivedEvent,
} from "../src/epcis.ts";
import type { BatchRef } from "../src/events.ts";
import type { Hex } from "../src/types.ts";
import { ASN_1, BATCH_ID, CHAIN_ID, GTIN, LOT, acme, central, northwind, regulator } from "./fixtures.ts";

/** An SSCC under a company prefix: extension digit, prefix, serial reference, check digit. */
export function ssccOf(prefix: string, serial: number, extension = 3): string {
  const body = `${extension}${prefix}${String(serial).padStart(16 - prefix.length, "0")}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/** Acme's cases and pallet, under the product's company prefix (952012). */
export const CASE_A = ssccOf("952012", 1);
export const CASE_B = ssccOf("952012", 2);
export const PALLET = ssccOf("952012", 3);
/** Northwind's tote, under a prefix no one was assigned on chain. */
export const TOTE = ssccOf("0614141", 4, 0);

export const BATCH: BatchRef = { batchId: BATCH_ID, gtin: GTIN, lot: LOT };
export const SERIALS = ["PK0", "PK1", "PK2", "PK3", "PK4", "PK5", "PK6", "PK7"];
export const SHIPMENT: Hex = `0x${"5a".repeat(32)}`;

/** Pack `index` of the fixtures' batch, named by its serial unless `named` is false. */
export const pack = (index: number, named = true, within?: string): CustodyPack => ({
  batch: BATCH,
  index,
  ...(named ? { serial: SERIALS[index]! } : {}),
  ...(within === undefined ? {} : { within }),
});

let nextLog = 100;
function at(blockNumber: number): ChainPosition {
  return {
    chainId: CHAIN_ID,
    blockNumber,
    transactionHash: `0x${(0xdef000 + blockNumber).toString(16).padStart(64, "0")}`,
    logIndex: nextLog++,
    timestamp: 1_767_225_600 + blockNumber * 12,
  };
}

const quarantined = (items: ItemsQuarantinedEvent["items"]): ItemsQuarantinedEvent => ({
  ...at(30),
  eventName: "ItemsQuarantined",
  by: regulator,
  items,
  reason: "Suspect: broken seals",
});
const quarantineEnded = (outcome: ItemsQuarantineEndedEvent["outcome"]): ItemsQuarantineEndedEvent => ({
  ...at(31),
  eventName: "ItemsQuarantineEnded",
  by: regulator,
  outcome,
  items: { units: [CASE_B], packs: [pack(6)] },
  reason: outcome === "CLEARED" ? "Genuine after all" : "Falsified",
});
const settled = (received: ShipmentReceivedEvent["received"], rejected: ShipmentReceivedEvent["rejected"]) =>
  ({
    ...at(25),
    eventName: "ShipmentReceived",
    shipmentId: SHIPMENT,
    by: northwind,
    from: acme,
    received,
    rejected,
    reason: rejected.units.length + rejected.packs.length > 0 ? "Damaged in transit" : "",
  }) satisfies ShipmentReceivedEvent;
const nothing = { units: [], packs: [] };

export const PACKAGE_EVENTS = {
  packedNamed: {
    ...at(20),
    eventName: "UnitPacked",
    sscc: CASE_A,
    by: acme,
    batch: BATCH,
    firstIndex: 0,
    count: 3,
    packs: [pack(0), pack(1), pack(2)],
  },
  packedUnnamed: {
    ...at(20),
    eventName: "UnitPacked",
    sscc: CASE_B,
    by: acme,
    batch: BATCH,
    firstIndex: 3,
    count: 3,
    packs: [pack(3, false), pack(4, false), pack(5, false)],
  },
  palletised: {
    ...at(21),
    eventName: "UnitAggregated",
    sscc: PALLET,
    action: "ADD",
    by: acme,
    items: { units: [CASE_A, CASE_B], packs: [] },
  },
  toteFromWithin: {
    ...at(22),
    eventName: "UnitAggregated",
    sscc: TOTE,
    action: "ADD",
    by: northwind,
    items: { units: [], packs: [pack(6), pack(1, true, CASE_A)] },
  },
  disaggregated: {
    ...at(23),
    eventName: "UnitAggregated",
    sscc: PALLET,
    action: "DELETE",
    by: northwind,
    items: { units: [CASE_B], packs: [] },
  },
  shipped: {
    ...at(24),
    eventName: "ShipmentShipped",
    shipmentId: SHIPMENT,
    from: acme,
    to: northwind,
    shipmentRef: ASN_1,
    items: { units: [PALLET], packs: [pack(7), pack(6, false)] },
  },
  receivedInPart: settled({ units: [PALLET], packs: [pack(6, false)] }, { units: [], packs: [pack(7)] }),
  receivedInFull: settled({ units: [PALLET], packs: [pack(6, false), pack(7)] }, nothing),
  rejectedInFull: settled(nothing, { units: [PALLET], packs: [pack(6, false), pack(7)] }),
  cancelled: {
    ...at(26),
    eventName: "ShipmentCancelled",
    shipmentId: SHIPMENT,
    by: northwind,
    to: central,
    items: { units: [CASE_B], packs: [] },
  },
  dispensedInCase: {
    ...at(27),
    eventName: "PackDecommissioned",
    batch: BATCH,
    index: 2,
    serial: "PK2",
    by: central,
    state: "DISPENSED",
    within: CASE_A,
  },
  quarantined: quarantined({ units: [CASE_B], packs: [pack(6)] }),
  quarantineCleared: quarantineEnded("CLEARED"),
  quarantineIllegitimate: quarantineEnded("ILLEGITIMATE"),
  batchQuarantined: {
    ...at(32),
    eventName: "BatchQuarantined",
    batch: BATCH,
    by: acme,
    reason: "Complaints of an odd taste",
  },
  batchQuarantineCleared: {
    ...at(33),
    eventName: "BatchQuarantineEnded",
    batch: BATCH,
    by: regulator,
    outcome: "CLEARED",
    reason: "Assay within specification",
  },
  batchQuarantineIllegitimate: {
    ...at(33),
    eventName: "BatchQuarantineEnded",
    batch: BATCH,
    by: regulator,
    outcome: "ILLEGITIMATE",
    reason: "Counterfeit lot",
  },
} satisfies Record<string, PackageLedgerEvent>;
