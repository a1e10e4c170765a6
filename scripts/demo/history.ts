/**
 * What a ledger's demo history (./count-history.ts, ./package-history.ts) gets from the seed
 * (./seed.ts) and gives back: the seed owns the clock, the parties, the batches and their serial
 * lists; a history adds the steps that move stock and says which packs its examples are.
 */
import type { Address, Hex } from "viem";
import type {
  BatchRegistration,
  LedgerErrorLookup,
  LedgerWriterOptions,
  RegistryWriter,
  SerialManifest,
  Verdict,
  WriteReceipt,
} from "@pedigree/ledger";
import type { BatchKeyName, PartyKey } from "./world.ts";

/** The reference of the demo's saleable return (Central Pharmacy to Northwind). */
export const SALEABLE_RETURN_REFERENCE = "CP-RET-251121";

/** What both ledgers' writers offer the seed: the registry's writes and a batch's registration. */
export interface SeedWriter extends RegistryWriter {
  registerBatch(input: BatchRegistration): Promise<WriteReceipt & { batchId: Hex }>;
}

export interface HistoryContext {
  /** Adds a step `daysAgo` days before the moment of seeding; same-day steps keep their order. */
  at(daysAgo: number, what: string, run: () => Promise<unknown>): void;
  addresses: Record<PartyKey, Address>;
  batchIds: Record<BatchKeyName, Hex>;
  manifestOf(key: BatchKeyName): SerialManifest;
  lookup: LedgerErrorLookup;
  /** One writer per party, each signing with the party's demo account. */
  writersFor<W>(create: (options: LedgerWriterOptions) => W): Record<PartyKey, W>;
}

/** A pack the history put in a state worth showing, beyond the examples every history has. */
export interface HistoryExample {
  verdict: Verdict;
  description: string;
  batch: BatchKeyName;
  index: number;
}

/** A logistic unit the history packed (package-level ledger only). */
export interface DemoUnit {
  /** SSCC, 18 digits (AI 00). */
  sscc: string;
  kind: "case" | "pallet" | "tote";
  packer: PartyKey;
  /** A case packed off the line, or a tote picked: its batch and the pack indexes [from, to) put in it. */
  packs?: { batch: BatchKeyName; from: number; to: number };
  /** A pallet or tote: the SSCCs of the units it was built from. */
  children?: string[];
}

export interface DemoHistory<W extends SeedWriter> {
  writers: Record<PartyKey, W>;
  /** Every unit packed, in the order they were packed (none on the count ledger). */
  units: DemoUnit[];
  /** The metformin pack Northwind destroyed (the DECOMMISSIONED example). */
  destroyedMetformin: number;
  examples: HistoryExample[];
}
