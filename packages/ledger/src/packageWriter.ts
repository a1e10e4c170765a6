/**
 * Typed writes to the package-level ledger (PedigreePackageLedger) for programs: the demo seed,
 * the command line, tests. The same machinery as the count ledger's writer (./writer.ts: simulate,
 * send, wait, every failure a LedgerWriteError), over custody by identity: logistic units named by
 * their 18-digit SSCC, packs by batch and index (or serial), and the unit a fresh pack is in.
 *
 * What the ledger would refuse with a vaguer message, or what costs nothing to catch here, is
 * refused before anything is signed: an SSCC with a wrong check digit, a company prefix length
 * outside 6 to 12, a serial not in the manifest given, a rejection without a reason.
 */
import { parseEventLogs } from "viem";
import { packStateNumber, quarantineOutcomeNumber, type PackStateName, type QuarantineOutcomeName } from "./enums.ts";
import { invalidSsccMessage, type LedgerErrorLookup } from "./errors.ts";
import { packageLedgerAbi } from "./generated/packageLedgerAbi.ts";
import type { SerialManifest } from "./manifest/manifest.ts";
import type { Hex } from "./types.ts";
import {
  LedgerWriteError,
  batchIdOfKey,
  contractWriter,
  missingEventError,
  registryWrites,
  serialIndexOf,
  shipmentRefOf,
  uint32,
  type BatchKey,
  type LedgerWriterOptions,
  batchWrites,
  type BatchWriter,
  type RegistryWriter,
  type WriteReceipt,
} from "./writer.ts";

/**
 * One pack, by its index in its batch's serial list or by its serial (looked up in the batch's
 * manifest, refused before sending when it is not there). Naming it by serial also lets a refusal
 * name the pack by its serial.
 */
export type PackIdentity =
  | { batch: BatchKey; index: number; serial?: never; manifest?: never }
  | { batch: BatchKey; serial: string; manifest: Pick<SerialManifest, "indexOf">; index?: never };

/**
 * A pack as a step names it: its identity, and `unit`, the SSCC of the unit directly holding it
 * when it is inside one (for a fresh pack, the range-packed case whose range holds it). Omit
 * `unit` for a loose pack; the ledger refuses a pack named in the wrong unit
 * (PedigreePackNotInUnit).
 */
export type PackInput = PackIdentity & { unit?: string };

/** What a step acts on: logistic units by SSCC (18 digits, AI 00), and packs. Either may be left out. */
export interface ItemsInput {
  units?: readonly string[];
  packs?: readonly PackInput[];
}

type DecommissionState = Exclude<PackStateName, "ACTIVE">;

/** The package ledger's writes; registering a batch (BatchWriter) leaves every pack fresh with its manufacturer. */
export interface PackageLedgerWriter extends RegistryWriter, BatchWriter {
  /** A regulator or the batch's manufacturer: its packs can neither be supplied nor dispensed. */
  quarantineBatch(input: { batch: BatchKey; reason: string }): Promise<WriteReceipt>;
  /** CLEARED makes the batch active again; ILLEGITIMATE recalls it for good. */
  endBatchQuarantine(input: { batch: BatchKey; outcome: QuarantineOutcomeName; reason: string }): Promise<WriteReceipt>;

  /**
   * Packs the next `count` fresh packs of the caller's batch into the new case `sscc`, in the
   * packaging line's order. Returns the range packed: packs [firstIndex, firstIndex + count).
   */
  packRange(input: {
    sscc: string;
    /** Digits of the manufacturer's GS1 company prefix inside `sscc` (6 to 12). */
    prefixLength: number;
    batch: BatchKey;
    count: number;
  }): Promise<WriteReceipt & { sscc: string; batchId: Hex; firstIndex: number; count: number }>;
  /**
   * Puts units (at the top of their nesting) and packs the caller holds into the new unit `sscc`
   * (a pallet, a tote); packs inside a unit the caller holds are taken out of it.
   */
  aggregate(
    input: {
      sscc: string;
      /** Required of a manufacturer (the digits of its company prefix in `sscc`); others may omit it. */
      prefixLength?: number;
    } & ItemsInput,
  ): Promise<WriteReceipt>;
  /** Takes units and packs out of unit `sscc`, which the caller holds; they become loose with it. */
  disaggregate(input: { sscc: string } & ItemsInput): Promise<WriteReceipt>;

  /** Ships units (with all inside them) and loose packs; returns the shipment id the ledger gave it. */
  ship(
    input: {
      to: Hex;
      /** The business reference (ASN number, SSCC...): up to 32 bytes of text, or a bytes32. */
      reference: string;
    } & ItemsInput,
  ): Promise<WriteReceipt & { shipmentId: Hex }>;
  /**
   * Settles what was shipped to the caller: `received` joins its custody, `rejected` goes back to
   * the sender, which needs a `reason`. What is not listed stays in transit.
   */
  receiveShipment(input: {
    shipmentId: Hex;
    received: ItemsInput;
    rejected?: ItemsInput;
    reason?: string;
  }): Promise<WriteReceipt>;
  /** Withdraws items the caller shipped that the recipient has not settled. */
  cancelShipment(input: { shipmentId: Hex } & ItemsInput): Promise<WriteReceipt>;

  /** One pack the caller holds; dispensed unless `state` says otherwise (no proof: holding it is the check). */
  decommission(input: { pack: PackInput; state?: DecommissionState }): Promise<WriteReceipt>;
  /** Several packs the caller holds, of any batches and units, all into `state` (default DISPENSED). */
  decommissionMany(input: { packs: readonly PackInput[]; state?: DecommissionState }): Promise<WriteReceipt>;
  /** Undoes a dispense (within 10 days) or a lock, by the party that did it; the pack is loose with it again. */
  reactivate(pack: PackIdentity): Promise<WriteReceipt>;

  /** Quarantines top-level units and loose packs: by their holder, or a regulator whoever holds them. */
  quarantine(input: ItemsInput & { reason: string }): Promise<WriteReceipt>;
  /** CLEARED gives them back to their holder; ILLEGITIMATE destroys them with all inside them. */
  endQuarantine(input: ItemsInput & { outcome: QuarantineOutcomeName; reason: string }): Promise<WriteReceipt>;
}

interface PackRef {
  batchId: Hex;
  index: bigint;
  unit: bigint;
}

interface Items {
  units: bigint[];
  packs: PackRef[];
}

/**
 * The arguments of one call: packs and units as the contract takes them, and the serials of the
 * packs named by serial, so that a refusal naming one of them says its serial.
 */
function callArguments() {
  const serials = new Map<string, string>();
  const key = (batchId: Hex, index: number) => `${batchId.toLowerCase()}:${index}`;

  const index = (pack: PackIdentity): { batchId: Hex; index: number } => {
    const batchId = batchIdOfKey(pack.batch);
    if (pack.serial === undefined) return { batchId, index: uint32(pack.index, "pack index") };
    const { serial, manifest } = pack;
    // The type requires it; a caller from plain JavaScript or parsed input may still leave it out.
    if ((manifest as typeof manifest | undefined) === undefined) {
      // Only the batch's manifest knows a serial's index; the ledger knows its serials' root alone.
      throw new LedgerWriteError(
        "MANIFEST_REQUIRED",
        `Pack ${serial} is named by its serial without its batch's serial manifest: give the manifest, or the pack's index. Nothing was sent.`,
      );
    }
    const found = serialIndexOf(manifest, serial);
    serials.set(key(batchId, found), serial);
    return { batchId, index: found };
  };
  const packRef = (pack: PackInput): PackRef => {
    const identity = index(pack);
    return {
      batchId: identity.batchId,
      index: BigInt(identity.index),
      unit: pack.unit === undefined ? 0n : ssccOf(pack.unit, "unit of the pack"),
    };
  };
  const items = (input: ItemsInput | undefined): Items => ({
    units: (input?.units ?? []).map((sscc) => ssccOf(sscc, "unit")),
    packs: (input?.packs ?? []).map(packRef),
  });
  const lookup: LedgerErrorLookup = { serial: (batchId, at) => serials.get(key(batchId, at)) };
  return { index, packRef, items, lookup };
}

export function createPackageLedgerWriter(options: LedgerWriterOptions): PackageLedgerWriter {
  const { account, send, write } = contractWriter(packageLedgerAbi, options);

  // Every write is async, so that input refused before sending (a bad SSCC, an unknown serial)
  // rejects the promise like a refusal by the ledger, instead of throwing at the call.
  return {
    ...registryWrites(account, write),

    ...batchWrites(write),
    quarantineBatch: async ({ batch, reason }) => write("quarantineBatch", [batchIdOfKey(batch), reason]),
    endBatchQuarantine: async ({ batch, outcome, reason }) =>
      write("endBatchQuarantine", [batchIdOfKey(batch), quarantineOutcomeNumber(outcome), reason]),

    async packRange({ sscc, prefixLength, batch, count }) {
      const batchId = batchIdOfKey(batch);
      const { logs, ...written } = await send("packRange", [
        ssccOf(sscc, "case"),
        BigInt(companyPrefixLength(prefixLength)),
        batchId,
        BigInt(uint32(count, "pack count")),
      ]);
      const packed = parseEventLogs({ abi: packageLedgerAbi, eventName: "UnitPacked", logs })[0];
      if (packed === undefined) {
        throw missingEventError("NO_UNIT_EVENT", "packed case", written.transactionHash, options.address);
      }
      return {
        ...written,
        sscc,
        batchId,
        firstIndex: Number(packed.args.firstIndex),
        count: Number(packed.args.count),
      };
    },
    async aggregate({ sscc, prefixLength, ...children }) {
      const call = callArguments();
      // The contract ignores the prefix length of anyone but a manufacturer, so 0 stands for "none given".
      const length = prefixLength === undefined ? 0n : BigInt(companyPrefixLength(prefixLength));
      return write("aggregate", [ssccOf(sscc, "new unit"), length, call.items(children)], call.lookup);
    },
    async disaggregate({ sscc, ...children }) {
      const call = callArguments();
      return write("disaggregate", [ssccOf(sscc, "unit"), call.items(children)], call.lookup);
    },

    async ship({ to, reference, ...items }) {
      const call = callArguments();
      const { logs, ...written } = await send("ship", [to, shipmentRefOf(reference), call.items(items)], call.lookup);
      const shipmentId = parseEventLogs({ abi: packageLedgerAbi, eventName: "ShipmentShipped", logs })[0]?.args
        .shipmentId;
      if (shipmentId === undefined) {
        throw missingEventError("NO_SHIPMENT_EVENT", "shipment", written.transactionHash, options.address);
      }
      return { ...written, shipmentId };
    },
    async receiveShipment({ shipmentId, received, rejected, reason = "" }) {
      const call = callArguments();
      const rejectedItems = call.items(rejected);
      if ((rejectedItems.units.length > 0 || rejectedItems.packs.length > 0) && reason.trim() === "") {
        // The ledger would refuse an empty reason too, but accept one of spaces: the sender and
        // every auditor read this reason to learn why the goods came back.
        throw new LedgerWriteError(
          "REJECTION_REASON_REQUIRED",
          "Rejected items need a reason (such as 'Temperature excursion in transit'): the sender and auditors read it " +
            "to learn why the goods came back. Give a reason, or receive those items instead. Nothing was sent.",
        );
      }
      return write("receiveShipment", [shipmentId, call.items(received), rejectedItems, reason], call.lookup);
    },
    async cancelShipment({ shipmentId, ...items }) {
      const call = callArguments();
      return write("cancelShipment", [shipmentId, call.items(items)], call.lookup);
    },

    async decommission({ pack, state = "DISPENSED" }) {
      const call = callArguments();
      const ref = call.packRef(pack);
      return write("decommission", [ref.batchId, ref.index, ref.unit, packStateNumber(state)], call.lookup);
    },
    async decommissionMany({ packs, state = "DISPENSED" }) {
      const call = callArguments();
      return write("decommissionMany", [packs.map(call.packRef), packStateNumber(state)], call.lookup);
    },
    async reactivate(pack) {
      const call = callArguments();
      const { batchId, index } = call.index(pack);
      return write("reactivate", [batchId, BigInt(index)], call.lookup);
    },

    async quarantine({ reason, ...items }) {
      const call = callArguments();
      return write("quarantine", [call.items(items), reason], call.lookup);
    },
    async endQuarantine({ outcome, reason, ...items }) {
      const call = callArguments();
      return write("endQuarantine", [call.items(items), quarantineOutcomeNumber(outcome), reason], call.lookup);
    },
  };
}

/** An SSCC as its label's 18 digits (AI 00) → the contract's uint256; a wrong one is refused before sending. */
function ssccOf(sscc: string, what: string): bigint {
  const text = String(sscc);
  const invalid = invalidSsccMessage(text);
  if (invalid !== undefined) throw new LedgerWriteError("BAD_SSCC", `The ${what}: ${invalid} Nothing was sent.`);
  return BigInt(text);
}

function companyPrefixLength(length: number): number {
  if (!Number.isInteger(length) || length < 6 || length > 12) {
    throw new LedgerWriteError(
      "BAD_PREFIX_LENGTH",
      `The company prefix length ${String(length)} is not one GS1 assigns: a company prefix has 6 to 12 digits ` +
        "(those after the SSCC's extension digit). Nothing was sent.",
    );
  }
  return length;
}
