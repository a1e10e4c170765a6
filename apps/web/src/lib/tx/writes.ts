/**
 * A dashboard write, stated once: the write API's operation and its plain arguments (GTINs, lots,
 * serials, addresses, dates as numbers), as POST /api/writes takes them. The contract call of the
 * count ledger (PedigreeLedger) is derived from that description here, for both paths: the
 * server's operation table (server/signer/operations.ts) builds its calls with `countLedgerCall`,
 * and the browser wallet path does too. So one description per write, and one translation of it.
 *
 * Framework-free and without server imports: the browser bundles it.
 */
import { batchIdOf, gtinToUint64, packStateNumber, shipmentRefOf, type PackStateName } from "@pedigree/ledger";
import { zeroHash, type Address, type Hex } from "viem";
import type { LedgerCall } from "./run.ts";

/** A line of a count-ledger shipment: units of one batch. */
export interface CountLine {
  gtin: string;
  lot: string;
  quantity: number;
}

/** A pack named as it is printed: its batch and serial. */
export interface PackName {
  gtin: string;
  lot: string;
  serial: string;
}

export type OtherPackState = Exclude<PackStateName, "ACTIVE" | "DISPENSED">;

/** Every write the dashboard asks for that the write API has an operation for (docs/API.md, "Writes"). */
export type CountWrite =
  | {
      operation: "register-product";
      arguments: { gtin: string; name: string; strength: string; dosageForm: string };
    }
  | {
      operation: "register-batch";
      arguments: {
        gtin: string;
        lot: string;
        /** YYYYMMDD (DD = 00 for the last day of the month). */
        expiry: number;
        packCount: number;
        serialsRoot: Hex;
        documentHash?: Hex;
      };
    }
  | { operation: "ship"; arguments: { to: Address; reference: string; lines: CountLine[] } }
  | { operation: "cancel-shipment"; arguments: { shipmentId: Hex; to: Address; lines: CountLine[] } }
  | { operation: "receive"; arguments: { shipmentId: Hex; from: Address; lines: CountLine[] } }
  | { operation: "reject"; arguments: { shipmentId: Hex; from: Address; lines: CountLine[]; reason: string } }
  | { operation: "dispense"; arguments: PackName }
  | { operation: "decommission"; arguments: PackName & { state: OtherPackState } }
  | { operation: "reactivate"; arguments: PackName }
  | { operation: "recall"; arguments: { gtin: string; lot: string; reason: string } }
  | { operation: "suspend-batch"; arguments: { gtin: string; lot: string; reason: string } }
  | { operation: "reinstate-batch"; arguments: { gtin: string; lot: string } };

export type CountOperationName = CountWrite["operation"];

/**
 * A write the dashboard makes: an operation of the write API, or a contract call the write API has
 * no operation for (the network administrator's steps: onboarding, suspending a participant,
 * pausing), which only a wallet signs.
 */
export type DashboardWrite = CountWrite | { operation: "wallet-only"; call: LedgerCall };

/** Where a pack is in its batch's serial list, and the proof of it: what `decommission` takes. */
export interface PackInList {
  batchId: Hex;
  index: number;
  proof: readonly Hex[];
}

/** Finds a pack in its batch's stored serial list (the server's database, or GET /api/packs/proof). */
export type PackLocator = (pack: PackName) => Promise<PackInList>;

const countLines = (lines: readonly CountLine[]) =>
  lines.map((line) => ({ batchId: batchIdOf(line.gtin, line.lot), quantity: BigInt(line.quantity) }));

/** The count ledger's contract call for `write`; `locate` is asked only for the writes naming a pack. */
export async function countLedgerCall(write: CountWrite, locate: PackLocator): Promise<LedgerCall> {
  switch (write.operation) {
    case "register-product": {
      const a = write.arguments;
      return { functionName: "registerProduct", args: [gtinToUint64(a.gtin), a.name, a.strength, a.dosageForm] };
    }
    case "register-batch": {
      const a = write.arguments;
      return {
        functionName: "registerBatch",
        args: [gtinToUint64(a.gtin), a.lot, a.expiry, a.packCount, a.serialsRoot, a.documentHash ?? zeroHash],
      };
    }
    case "ship": {
      const a = write.arguments;
      return { functionName: "ship", args: [a.to, shipmentRefOf(a.reference), countLines(a.lines)] };
    }
    case "cancel-shipment": {
      const a = write.arguments;
      return { functionName: "cancelShipment", args: [a.shipmentId, a.to, countLines(a.lines)] };
    }
    case "receive": {
      const a = write.arguments;
      return { functionName: "receiveShipment", args: [a.shipmentId, a.from, countLines(a.lines)] };
    }
    case "reject": {
      const a = write.arguments;
      return { functionName: "rejectShipment", args: [a.shipmentId, a.from, countLines(a.lines), a.reason] };
    }
    case "dispense":
    case "decommission": {
      const a = write.arguments;
      const pack = await locate({ gtin: a.gtin, lot: a.lot, serial: a.serial });
      const state: PackStateName = write.operation === "dispense" ? "DISPENSED" : write.arguments.state;
      return {
        functionName: "decommission",
        args: [pack.batchId, BigInt(pack.index), a.serial, pack.proof, packStateNumber(state)],
      };
    }
    case "reactivate": {
      const pack = await locate(write.arguments);
      return { functionName: "reactivate", args: [pack.batchId, BigInt(pack.index)] };
    }
    case "recall":
      return {
        functionName: "recallBatch",
        args: [batchIdOf(write.arguments.gtin, write.arguments.lot), write.arguments.reason],
      };
    case "suspend-batch":
      return {
        functionName: "suspendBatch",
        args: [batchIdOf(write.arguments.gtin, write.arguments.lot), write.arguments.reason],
      };
    case "reinstate-batch":
      return { functionName: "reinstateBatch", args: [batchIdOf(write.arguments.gtin, write.arguments.lot)] };
  }
}
