/**
 * A dashboard write, stated once: the write API's operation and its plain arguments (GTINs, lots,
 * serials, SSCCs, addresses, dates as numbers), as POST /api/writes takes them. The contract call
 * is derived from that description here, for both paths: the server's operation tables
 * (server/signer/operations.ts) build their calls with `countLedgerCall` and `packageLedgerCall`,
 * and the browser wallet path does too. So one description per write, and one translation of it
 * per ledger.
 *
 * The two ledgers share the batch writes; their custody writes differ (quantities of a batch on
 * the count ledger, units and packs by identity on the package ledger), so a package write says
 * `ledger: "package"`.
 *
 * Framework-free and without server imports: the browser bundles it.
 */
import {
  batchIdOf,
  gtinToUint64,
  packStateNumber,
  quarantineOutcomeNumber,
  shipmentRefOf,
  type PackStateName,
  type QuarantineOutcomeName,
} from "@pedigree/ledger";
import { zeroHash, type Address, type Hex } from "viem";
import type { LedgerCall, PackageLedgerCall } from "./run.ts";

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
 * A pack of the package ledger as a write names it: by serial (found in its batch's stored list)
 * or by index, and `unit`, the SSCC of the unit directly holding it (omitted for a loose pack).
 */
export interface PackageRef {
  gtin: string;
  lot: string;
  serial?: string;
  index?: number;
  unit?: string;
}

/** What a package-ledger step acts on: logistic units by SSCC (18 digits), and packs. */
export interface Items {
  units?: string[];
  packs?: PackageRef[];
}

type BatchWrite = Extract<
  CountWrite,
  { operation: "register-product" | "register-batch" | "recall" | "suspend-batch" | "reinstate-batch" }
>;

/** The package ledger's writes, as POST /api/writes takes them on a package-ledger deployment. */
export type PackageWrite = { ledger: "package" } & (
  | BatchWrite
  | { operation: "ship"; arguments: { to: Address; reference: string } & Items }
  | { operation: "cancel-shipment"; arguments: { shipmentId: Hex } & Items }
  | {
      operation: "receive";
      /** Receives the items listed, and refuses `rejected` with `reason` in the same step. */
      arguments: { shipmentId: Hex } & Items & { rejected?: Items; reason?: string };
    }
  | { operation: "reject"; arguments: { shipmentId: Hex; reason: string } & Items }
  | {
      operation: "pack-range";
      arguments: { sscc: string; prefixLength: number; gtin: string; lot: string; count: number };
    }
  | { operation: "aggregate"; arguments: { sscc: string; prefixLength: number } & Items }
  | { operation: "disaggregate"; arguments: { sscc: string } & Items }
  | { operation: "dispense"; arguments: { pack: PackageRef } }
  | { operation: "decommission"; arguments: { pack: PackageRef; state: OtherPackState } }
  | { operation: "reactivate"; arguments: { pack: PackageRef } }
  | { operation: "quarantine"; arguments: Items & { reason: string } }
  | {
      operation: "end-quarantine";
      /** CLEARED: back with their holder; ILLEGITIMATE: destroyed. */
      arguments: Items & { outcome: QuarantineOutcomeName; reason: string };
    }
  | { operation: "quarantine-batch"; arguments: { gtin: string; lot: string; reason: string } }
  | {
      operation: "end-batch-quarantine";
      arguments: { gtin: string; lot: string; outcome: QuarantineOutcomeName; reason: string };
    }
);

export type PackageOperationName = PackageWrite["operation"];

/**
 * A write the dashboard makes: an operation of the write API, or a contract call the write API has
 * no operation for (the network administrator's steps: onboarding, suspending a participant,
 * pausing), which only a wallet signs.
 */
export type DashboardWrite = CountWrite | PackageWrite | { operation: "wallet-only"; call: LedgerCall };

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

/** A pack as the package ledger takes it (PackRef): batch, index, and the unit directly holding it (0: loose). */
async function packRefArg(pack: PackageRef, locate: PackLocator) {
  const index = pack.index ?? (await locate({ gtin: pack.gtin, lot: pack.lot, serial: pack.serial ?? "" })).index;
  return { batchId: batchIdOf(pack.gtin, pack.lot), index: BigInt(index), unit: BigInt(pack.unit ?? 0) };
}

async function itemsArg(items: Items | undefined, locate: PackLocator) {
  const packs = [];
  for (const pack of items?.packs ?? []) packs.push(await packRefArg(pack, locate));
  return { units: (items?.units ?? []).map((unit) => BigInt(unit)), packs };
}

const NOTHING = { units: [], packs: [] };

/** The package ledger's contract call for `write`; `locate` is asked for the packs named by serial. */
export async function packageLedgerCall(write: PackageWrite, locate: PackLocator): Promise<PackageLedgerCall> {
  const call = (functionName: PackageLedgerCall["functionName"], args: readonly unknown[]) =>
    ({ ledger: "package", functionName, args }) as PackageLedgerCall;
  switch (write.operation) {
    case "register-product":
    case "register-batch":
    case "recall":
    case "suspend-batch":
    case "reinstate-batch": {
      // The same call on both ledgers.
      const shared = await countLedgerCall(write, locate);
      return call(shared.functionName as PackageLedgerCall["functionName"], shared.args);
    }
    case "ship": {
      const a = write.arguments;
      return call("ship", [a.to, shipmentRefOf(a.reference), await itemsArg(a, locate)]);
    }
    case "cancel-shipment":
      return call("cancelShipment", [write.arguments.shipmentId, await itemsArg(write.arguments, locate)]);
    case "receive": {
      const a = write.arguments;
      return call("receiveShipment", [
        a.shipmentId,
        await itemsArg(a, locate),
        await itemsArg(a.rejected, locate),
        a.reason ?? "",
      ]);
    }
    case "reject": {
      const a = write.arguments;
      return call("receiveShipment", [a.shipmentId, NOTHING, await itemsArg(a, locate), a.reason]);
    }
    case "pack-range": {
      const a = write.arguments;
      return call("packRange", [BigInt(a.sscc), BigInt(a.prefixLength), batchIdOf(a.gtin, a.lot), BigInt(a.count)]);
    }
    case "aggregate": {
      const a = write.arguments;
      return call("aggregate", [BigInt(a.sscc), BigInt(a.prefixLength), await itemsArg(a, locate)]);
    }
    case "disaggregate":
      return call("disaggregate", [BigInt(write.arguments.sscc), await itemsArg(write.arguments, locate)]);
    case "dispense":
    case "decommission": {
      const ref = await packRefArg(write.arguments.pack, locate);
      const state: PackStateName = write.operation === "dispense" ? "DISPENSED" : write.arguments.state;
      return call("decommission", [ref.batchId, ref.index, ref.unit, packStateNumber(state)]);
    }
    case "reactivate": {
      const ref = await packRefArg(write.arguments.pack, locate);
      return call("reactivate", [ref.batchId, ref.index]);
    }
    case "quarantine":
      return call("quarantine", [await itemsArg(write.arguments, locate), write.arguments.reason]);
    case "end-quarantine": {
      const a = write.arguments;
      return call("endQuarantine", [await itemsArg(a, locate), quarantineOutcomeNumber(a.outcome), a.reason]);
    }
    case "quarantine-batch":
      return call("quarantineBatch", [batchIdOf(write.arguments.gtin, write.arguments.lot), write.arguments.reason]);
    case "end-batch-quarantine": {
      const a = write.arguments;
      return call("endBatchQuarantine", [batchIdOf(a.gtin, a.lot), quarantineOutcomeNumber(a.outcome), a.reason]);
    }
  }
}
