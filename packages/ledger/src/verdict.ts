/**
 * The answer to "is this pack genuine and may it be supplied?", from what the label says, what
 * the chain records and what the batch's serial manifest holds. A pure function: the caller reads
 * the sources (and says when one could not be read); this module only decides.
 *
 * Order (the contract's `verifyPack`, refined with what only the manifest knows):
 * INVALID_CODE → UNAVAILABLE → UNKNOWN_PRODUCT → MISMATCH (serial of another lot) → UNKNOWN_SERIAL
 * → MISMATCH (lot or expiry on the label) → RECALLED → SUSPENDED → QUARANTINED → DECOMMISSIONED →
 * EXPIRED → DISPENSED → GENUINE. QUARANTINED is the package-level ledger's (its batch status, or the
 * pack's place: itself or the unit around it quarantined); the count ledger never gives it.
 */
import type { Gs1Error, ParseResult } from "@pedigree/gs1";
import {
  CONTRACT_VERDICTS,
  type BatchStatusName,
  type ContractVerdictName,
  type PackageContractVerdictName,
  type PackStateName,
} from "./enums.ts";
import { isoDateFromYyyymmdd, isoTimestamp, utcIsoDate } from "./dates.ts";
import type { Hex, Party } from "./types.ts";

export const VERDICTS = [
  "GENUINE",
  "DISPENSED",
  "DECOMMISSIONED",
  "RECALLED",
  "SUSPENDED",
  "QUARANTINED",
  "EXPIRED",
  "MISMATCH",
  "UNKNOWN_SERIAL",
  "UNKNOWN_PRODUCT",
  "UNAVAILABLE",
  "INVALID_CODE",
] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * IPedigreeLedger.Verdict and IPedigreePackageLedger.Verdict → this package's verdict. The contracts'
 * UnknownBatch is UNKNOWN_PRODUCT (facts.unknown = "batch").
 */
export const VERDICT_OF_CONTRACT_VERDICT: Readonly<Record<ContractVerdictName | PackageContractVerdictName, Verdict>> =
  {
    Genuine: "GENUINE",
    Dispensed: "DISPENSED",
    Decommissioned: "DECOMMISSIONED",
    Recalled: "RECALLED",
    Suspended: "SUSPENDED",
    Quarantined: "QUARANTINED",
    Expired: "EXPIRED",
    Mismatch: "MISMATCH",
    UnknownSerial: "UNKNOWN_SERIAL",
    UnknownBatch: "UNKNOWN_PRODUCT",
    UnknownProduct: "UNKNOWN_PRODUCT",
  };

/** The contract's Verdict number (0 to 9) → this package's verdict. Throws a RangeError for any other number. */
export function verdictFromContract(value: number | bigint): Verdict {
  const name = CONTRACT_VERDICTS[Number(value)];
  if (name === undefined || !Number.isInteger(Number(value))) {
    throw new RangeError(
      `Verdict ${String(value)} is not one the ledger defines (0 to ${CONTRACT_VERDICTS.length - 1})`,
    );
  }
  return VERDICT_OF_CONTRACT_VERDICT[name];
}

// ---------------------------------------------------------------- input

export interface ChainProduct {
  name: string;
  strength?: string;
  dosageForm?: string;
  manufacturer?: Party;
}

export interface ChainBatch {
  batchId?: Hex;
  lot: string;
  /** NONE means the ledger has no such batch (what `batch(batchId)` returns for an unknown id). */
  status: BatchStatusName;
  /** YYYYMMDD; DD = 00 is the last day of the month. */
  expiry: number;
  manufacturer?: Party;
  packCount?: number;
  /** From the BatchRecalled event, when the caller has it. */
  recall?: { reason?: string; by?: Party; at?: number };
  /** From the latest BatchSuspended event, when the caller has it. */
  suspension?: { reason?: string; by?: Party; at?: number };
  /** From the latest BatchQuarantined event, when the caller has it (package-level ledger). */
  quarantine?: { reason?: string; by?: Party; at?: number };
  /** Who holds units of the batch now (from the read model), when known. */
  holders?: Party[];
}

/** The pack's decommissioning record. Leave it out (or ACTIVE) for a pack never decommissioned. */
export interface ChainPack {
  state: PackStateName;
  by?: Party;
  /** Unix seconds. */
  at?: number;
  /**
   * The pack is quarantined where it is: itself, or the unit at the top of its nesting (package-level
   * ledger; its batch's quarantine is the batch's status).
   */
  quarantined?: boolean;
}

export type ChainReading =
  | { status: "unavailable"; reason: string }
  | { status: "ok"; product?: ChainProduct; batch?: ChainBatch; pack?: ChainPack };

export type ManifestReading =
  | { status: "unavailable"; reason?: string }
  | {
      status: "ok";
      /** Whether the serial is in the manifest of the batch the chain reading describes. */
      found: boolean;
      index?: number;
      /** Other lots of this GTIN whose manifests hold the serial. */
      otherLots?: readonly string[];
    };

export interface VerdictInput {
  /** What `parseGs1` returned for the scanned code. */
  code: ParseResult;
  chain: ChainReading;
  manifest: ManifestReading;
  now: Date;
  /** "dispense" when a pharmacy scans to supply the pack: then an inactive pack raises an alert. Default "verify". */
  purpose?: "verify" | "dispense";
}

// ---------------------------------------------------------------- output

export interface VerdictFacts {
  /** From the label. */
  gtin?: string;
  lot?: string;
  serial?: string;
  /** The label's expiry, YYYY-MM-DD. */
  labelExpiry?: string;
  product?: { gtin: string; name: string; strength?: string; dosageForm?: string };
  manufacturer?: Party;
  batch?: { batchId?: Hex; lot: string; expiry: string; status: BatchStatusName; packCount?: number };
  packIndex?: number;
  holders?: Party[];
  dispensed?: { at?: string; by?: Party };
  decommissioned?: { state: Exclude<PackStateName, "ACTIVE" | "DISPENSED">; at?: string; by?: Party };
  recall?: { reason?: string; at?: string; by?: Party };
  suspension?: { reason?: string; at?: string; by?: Party };
  /** QUARANTINED: the batch's quarantine (its reason, when and by whom), or `{ pack: true }` for the pack's own. */
  quarantine?: { reason?: string; at?: string; by?: Party; pack?: true };
  /** EXPIRED: the batch's expiry (YYYY-MM-DD) is before today (UTC). */
  expiredOn?: string;
  /** UNKNOWN_PRODUCT: whether the GTIN or only the batch (GTIN + lot) is unknown. */
  unknown?: "product" | "batch";
  /** MISMATCH: which label field disagrees with the record, what the label says and what the record says. */
  mismatch?: { field: "lot" | "expiry"; label: string; record: string | string[] };
  /** UNAVAILABLE: which sources could not be read. */
  unavailable?: { source: "chain" | "manifest"; reason: string }[];
  /** INVALID_CODE: the parser's error, or MISSING_GTIN / MISSING_SERIAL for a code that cannot name a pack. */
  codeError?: Gs1Error | { code: "MISSING_GTIN" | "MISSING_SERIAL"; message: string };
}

export interface VerdictResult {
  verdict: Verdict;
  facts: VerdictFacts;
  /**
   * A potential falsification to investigate (EU wording; never "fake"): unknown product, batch
   * or serial, a mismatch, or, when scanning to dispense, a pack already decommissioned.
   */
  alert: boolean;
}

const DECOMMISSIONED_STATES: ReadonlySet<PackStateName> = new Set([
  "DESTROYED",
  "STOLEN",
  "SAMPLE",
  "EXPORTED",
  "LOCKED",
]);

export function decideVerdict(input: VerdictInput): VerdictResult {
  const { code, chain, manifest, now } = input;
  if (!code.ok) return result("INVALID_CODE", { codeError: code.error });
  const label = code.value;
  const facts: VerdictFacts = {};
  if (label.gtin !== undefined) facts.gtin = label.gtin;
  if (label.lot !== undefined) facts.lot = label.lot;
  if (label.serial !== undefined) facts.serial = label.serial;
  if (label.expiry !== undefined) facts.labelExpiry = label.expiry.date;
  if (label.gtin === undefined) {
    return result("INVALID_CODE", {
      ...facts,
      codeError: { code: "MISSING_GTIN", message: "The code has no GTIN (AI 01), so it names no product" },
    });
  }
  if (label.serial === undefined) {
    return result("INVALID_CODE", {
      ...facts,
      codeError: { code: "MISSING_SERIAL", message: "The code has no serial number (AI 21), so it names no pack" },
    });
  }

  const unavailable: { source: "chain" | "manifest"; reason: string }[] = [];
  if (chain.status !== "ok") unavailable.push({ source: "chain", reason: chain.reason });
  if (manifest.status !== "ok") {
    unavailable.push({ source: "manifest", reason: manifest.reason ?? "the serial manifest could not be read" });
  }
  if (chain.status !== "ok" || manifest.status !== "ok") return result("UNAVAILABLE", { ...facts, unavailable });

  const { product, batch, pack } = chain;
  if (product !== undefined) {
    facts.product = { gtin: label.gtin, name: product.name };
    if (product.strength !== undefined) facts.product.strength = product.strength;
    if (product.dosageForm !== undefined) facts.product.dosageForm = product.dosageForm;
    if (product.manufacturer !== undefined) facts.manufacturer = product.manufacturer;
  }
  if (batch === undefined || batch.status === "NONE") {
    // A batch implies its product, so the product only matters when the batch is unknown.
    if (product === undefined) return result("UNKNOWN_PRODUCT", { ...facts, unknown: "product" });
    // Without a lot on the label the caller looks the serial up across the product's manifests.
    if (label.lot === undefined && !manifest.found && (manifest.otherLots ?? []).length === 0) {
      return result("UNKNOWN_SERIAL", facts);
    }
    return result("UNKNOWN_PRODUCT", { ...facts, unknown: "batch" });
  }

  const expiry = isoDateFromYyyymmdd(batch.expiry);
  facts.batch = { lot: batch.lot, expiry, status: batch.status };
  if (batch.batchId !== undefined) facts.batch.batchId = batch.batchId;
  if (batch.packCount !== undefined) facts.batch.packCount = batch.packCount;
  if (batch.manufacturer !== undefined) facts.manufacturer = batch.manufacturer;
  if (batch.holders !== undefined) facts.holders = batch.holders;

  if (!manifest.found) {
    const otherLots = manifest.otherLots ?? [];
    if (otherLots.length > 0) {
      return result("MISMATCH", {
        ...facts,
        mismatch: { field: "lot", label: label.lot ?? batch.lot, record: [...otherLots] },
      });
    }
    return result("UNKNOWN_SERIAL", facts);
  }
  if (manifest.index !== undefined) facts.packIndex = manifest.index;
  if (label.lot !== undefined && label.lot !== batch.lot) {
    return result("MISMATCH", { ...facts, mismatch: { field: "lot", label: label.lot, record: batch.lot } });
  }
  if (label.expiry !== undefined && label.expiry.date !== expiry) {
    return result("MISMATCH", { ...facts, mismatch: { field: "expiry", label: label.expiry.date, record: expiry } });
  }

  // From here the pack is real: everything known about it goes in the facts, whatever the verdict.
  const state = pack?.state ?? "ACTIVE";
  if (pack !== undefined && state === "DISPENSED") facts.dispensed = when(pack);
  if (pack !== undefined && DECOMMISSIONED_STATES.has(state)) {
    facts.decommissioned = { state: state as Exclude<PackStateName, "ACTIVE" | "DISPENSED">, ...when(pack) };
  }
  if (batch.status === "RECALLED") facts.recall = batch.recall === undefined ? {} : record(batch.recall);
  if (batch.status === "SUSPENDED") facts.suspension = batch.suspension === undefined ? {} : record(batch.suspension);
  const quarantined = batch.status === "QUARANTINED" || pack?.quarantined === true;
  if (batch.status === "QUARANTINED") facts.quarantine = batch.quarantine === undefined ? {} : record(batch.quarantine);
  else if (quarantined) facts.quarantine = { pack: true };
  const expired = expiry < utcIsoDate(now);
  if (expired) facts.expiredOn = expiry;

  if (batch.status === "RECALLED") return result("RECALLED", facts);
  if (batch.status === "SUSPENDED") return result("SUSPENDED", facts);
  if (quarantined) return result("QUARANTINED", facts);
  if (DECOMMISSIONED_STATES.has(state)) return result("DECOMMISSIONED", facts);
  if (expired) return result("EXPIRED", facts);
  if (state === "DISPENSED") return result("DISPENSED", facts);
  return result("GENUINE", facts);

  function result(verdict: Verdict, verdictFacts: VerdictFacts): VerdictResult {
    const inactive = verdict === "DISPENSED" || verdict === "DECOMMISSIONED";
    const alert =
      verdict === "UNKNOWN_PRODUCT" ||
      verdict === "UNKNOWN_SERIAL" ||
      verdict === "MISMATCH" ||
      (inactive && input.purpose === "dispense");
    return { verdict, facts: verdictFacts, alert };
  }
}

function when(pack: ChainPack): { at?: string; by?: Party } {
  const out: { at?: string; by?: Party } = {};
  if (pack.at !== undefined && pack.at > 0) out.at = isoTimestamp(pack.at);
  if (pack.by !== undefined) out.by = pack.by;
  return out;
}

function record(event: { reason?: string; by?: Party; at?: number }): { reason?: string; at?: string; by?: Party } {
  const out: { reason?: string; at?: string; by?: Party } = {};
  if (event.reason !== undefined) out.reason = event.reason;
  if (event.at !== undefined) out.at = isoTimestamp(event.at);
  if (event.by !== undefined) out.by = event.by;
  return out;
}
