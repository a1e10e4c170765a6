/**
 * The ledger's custody events as the application sees them: decoded, with plain numbers and
 * strings, the parties resolved to names and GLNs, and each event's batch named by GTIN and lot.
 * `ledgerEventFromLog` reshapes a viem log into one; the EPCIS mapping and timelines read these.
 */
import type { DecodeEventLogReturnType } from "viem";
import type { pedigreeLedgerAbi } from "./generated/pedigreeLedgerAbi.ts";
import { packStateName, type PackStateName } from "./enums.ts";
import { gtinFromUint64 } from "./client.ts";
import type { Address, Hex, Party } from "./types.ts";

export const LEDGER_EVENT_NAMES = [
  "BatchRegistered",
  "UnitsShipped",
  "UnitsReceived",
  "UnitsRejected",
  "ShipmentCancelled",
  "PackDecommissioned",
  "PackReactivated",
  "BatchRecalled",
  "BatchSuspended",
  "BatchReinstated",
] as const;
export type LedgerEventName = (typeof LEDGER_EVENT_NAMES)[number];

export interface BatchRef {
  batchId: Hex;
  /** GTIN-14 with leading zeros. */
  gtin: string;
  lot: string;
}

/** Where an event sits on the chain, and its batch. */
export interface LedgerEventBase {
  chainId: number;
  blockNumber: number;
  transactionHash: Hex;
  logIndex: number;
  /** Block timestamp, unix seconds. */
  timestamp: number;
  batch: BatchRef;
}

export interface BatchRegisteredEvent extends LedgerEventBase {
  eventName: "BatchRegistered";
  manufacturer: Party;
  /** YYYYMMDD. */
  expiry: number;
  packCount: number;
  serialsRoot: Hex;
  /** Zero hash when no document was attached. */
  documentHash: Hex;
}

export interface UnitsShippedEvent extends LedgerEventBase {
  eventName: "UnitsShipped";
  shipmentId: Hex;
  from: Party;
  to: Party;
  quantity: number;
  /** The shipment's business reference as bytes32 (see `shipmentRefText`). */
  shipmentRef: Hex;
}

export interface UnitsReceivedEvent extends LedgerEventBase {
  eventName: "UnitsReceived";
  shipmentId: Hex;
  by: Party;
  from: Party;
  quantity: number;
}

export interface UnitsRejectedEvent extends LedgerEventBase {
  eventName: "UnitsRejected";
  shipmentId: Hex;
  by: Party;
  from: Party;
  quantity: number;
  reason: string;
}

export interface ShipmentCancelledEvent extends LedgerEventBase {
  eventName: "ShipmentCancelled";
  shipmentId: Hex;
  by: Party;
  to: Party;
  quantity: number;
}

export interface PackDecommissionedEvent extends LedgerEventBase {
  eventName: "PackDecommissioned";
  index: number;
  /** The pack's serial, when the manifest is at hand. */
  serial?: string;
  by: Party;
  state: PackStateName;
}

export interface PackReactivatedEvent extends LedgerEventBase {
  eventName: "PackReactivated";
  index: number;
  serial?: string;
  by: Party;
  previousState: PackStateName;
}

export interface BatchRecalledEvent extends LedgerEventBase {
  eventName: "BatchRecalled";
  by: Party;
  reason: string;
}

export interface BatchSuspendedEvent extends LedgerEventBase {
  eventName: "BatchSuspended";
  by: Party;
  reason: string;
}

export interface BatchReinstatedEvent extends LedgerEventBase {
  eventName: "BatchReinstated";
  by: Party;
}

export type LedgerEvent =
  | BatchRegisteredEvent
  | UnitsShippedEvent
  | UnitsReceivedEvent
  | UnitsRejectedEvent
  | ShipmentCancelledEvent
  | PackDecommissionedEvent
  | PackReactivatedEvent
  | BatchRecalledEvent
  | BatchSuspendedEvent
  | BatchReinstatedEvent;

/** A log decoded against the ledger's ABI, as `parseEventLogs({ abi: pedigreeLedgerAbi, logs })` returns it. */
export type DecodedLedgerLog = DecodeEventLogReturnType<typeof pedigreeLedgerAbi> & {
  blockNumber: bigint | null;
  transactionHash: Hex | null;
  logIndex: number | null;
  blockTimestamp?: bigint | null | undefined;
};

/** What `ledgerEventFromLog` needs besides the log; the indexer has all of it at hand. */
export interface LedgerLogContext {
  chainId: number;
  /** Name and GLN of an account (from ParticipantOnboarded); `{ address }` alone when unknown. */
  party(address: Address): Party;
  /** GTIN and lot of a batch (from its BatchRegistered event). */
  batch(batchId: Hex): { gtin: string; lot: string } | undefined;
  /** The serial at an index of a batch's manifest, when the manifest is stored. */
  serial?(batchId: Hex, index: number): string | undefined;
  /** The block's timestamp (unix seconds), for logs that do not carry `blockTimestamp`. */
  blockTimestamp?(blockNumber: bigint): number;
}

/**
 * Reshapes a decoded ledger log into a LedgerEvent; undefined for the ledger's other events
 * (participants, products, roles, pause). Throws for a pending log (no block yet), a log of a
 * batch the context does not know, or when no block timestamp is available.
 */
export function ledgerEventFromLog(log: DecodedLedgerLog, context: LedgerLogContext): LedgerEvent | undefined {
  if (!(LEDGER_EVENT_NAMES as readonly string[]).includes(log.eventName)) return undefined;
  if (log.blockNumber === null || log.transactionHash === null || log.logIndex === null) {
    throw new Error(`The ${log.eventName} log is pending (no block yet); only mined logs become ledger events`);
  }
  const blockNumber = log.blockNumber;
  const timestamp =
    log.blockTimestamp !== undefined && log.blockTimestamp !== null
      ? Number(log.blockTimestamp)
      : context.blockTimestamp?.(blockNumber);
  if (timestamp === undefined) {
    throw new Error(`No timestamp for block ${blockNumber}: give the context a blockTimestamp(blockNumber) function`);
  }
  const base = {
    chainId: context.chainId,
    blockNumber: Number(blockNumber),
    transactionHash: log.transactionHash,
    logIndex: log.logIndex,
    timestamp,
  };
  const batchOf = (batchId: Hex): BatchRef => {
    const known = context.batch(batchId);
    if (known === undefined) {
      throw new Error(
        `${log.eventName} names batch ${batchId}, which the context does not know (no BatchRegistered seen)`,
      );
    }
    return { batchId, gtin: known.gtin, lot: known.lot };
  };
  const withSerial = (batchId: Hex, index: number): { serial?: string } => {
    const serial = context.serial?.(batchId, index);
    return serial === undefined ? {} : { serial };
  };

  switch (log.eventName) {
    case "BatchRegistered": {
      const a = log.args;
      return {
        ...base,
        eventName: "BatchRegistered",
        batch: { batchId: a.batchId, gtin: gtinFromUint64(a.gtin), lot: a.lot },
        manufacturer: context.party(a.manufacturer),
        expiry: Number(a.expiry),
        packCount: Number(a.packCount),
        serialsRoot: a.serialsRoot,
        documentHash: a.documentHash,
      };
    }
    case "UnitsShipped": {
      const a = log.args;
      return {
        ...base,
        eventName: "UnitsShipped",
        batch: batchOf(a.batchId),
        shipmentId: a.shipmentId,
        from: context.party(a.from),
        to: context.party(a.to),
        quantity: Number(a.quantity),
        shipmentRef: a.shipmentRef,
      };
    }
    case "UnitsReceived": {
      const a = log.args;
      return {
        ...base,
        eventName: "UnitsReceived",
        batch: batchOf(a.batchId),
        shipmentId: a.shipmentId,
        by: context.party(a.by),
        from: context.party(a.from),
        quantity: Number(a.quantity),
      };
    }
    case "UnitsRejected": {
      const a = log.args;
      return {
        ...base,
        eventName: "UnitsRejected",
        batch: batchOf(a.batchId),
        shipmentId: a.shipmentId,
        by: context.party(a.by),
        from: context.party(a.from),
        quantity: Number(a.quantity),
        reason: a.reason,
      };
    }
    case "ShipmentCancelled": {
      const a = log.args;
      return {
        ...base,
        eventName: "ShipmentCancelled",
        batch: batchOf(a.batchId),
        shipmentId: a.shipmentId,
        by: context.party(a.by),
        to: context.party(a.to),
        quantity: Number(a.quantity),
      };
    }
    case "PackDecommissioned": {
      const a = log.args;
      const index = Number(a.index);
      return {
        ...base,
        eventName: "PackDecommissioned",
        batch: batchOf(a.batchId),
        index,
        ...withSerial(a.batchId, index),
        by: context.party(a.by),
        state: packStateName(a.state),
      };
    }
    case "PackReactivated": {
      const a = log.args;
      const index = Number(a.index);
      return {
        ...base,
        eventName: "PackReactivated",
        batch: batchOf(a.batchId),
        index,
        ...withSerial(a.batchId, index),
        by: context.party(a.by),
        previousState: packStateName(a.previousState),
      };
    }
    case "BatchRecalled":
    case "BatchSuspended": {
      const a = log.args;
      return {
        ...base,
        eventName: log.eventName,
        batch: batchOf(a.batchId),
        by: context.party(a.by),
        reason: a.reason,
      };
    }
    case "BatchReinstated": {
      const a = log.args;
      return { ...base, eventName: "BatchReinstated", batch: batchOf(a.batchId), by: context.party(a.by) };
    }
    default:
      return undefined;
  }
}

/**
 * A bytes32 shipment reference as text: the string `encodeBytes32String` / viem's
 * `stringToHex(s, { size: 32 })` wrote (printable ASCII, zero-padded), or else the hex itself.
 */
export function shipmentRefText(shipmentRef: Hex): string {
  const hex = shipmentRef.slice(2);
  let text = "";
  let ended = false;
  for (let i = 0; i + 2 <= hex.length; i += 2) {
    const byte = Number.parseInt(hex.slice(i, i + 2), 16);
    if (byte === 0) {
      ended = true;
      continue;
    }
    if (ended || byte < 0x20 || byte > 0x7e) return shipmentRef;
    text += String.fromCharCode(byte);
  }
  return text === "" ? shipmentRef : text;
}
