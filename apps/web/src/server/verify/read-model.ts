/**
 * The ledger's `verifyPack`, answered from the read model instead of the chain (issue 16, item 3):
 * a public check costs no call to the chain's node, which on a real network is a remote RPC
 * provider paid per request and tens of milliseconds away. The answer is the ledger's state at
 * the block the read model has indexed, and says so (its number and time); a check for
 * dispensing, and any check while the read model lags (PEDIGREE_MAX_LAG), reads the chain.
 *
 * `verificationFromReadModel` follows `verifyPack` step by step (the count ledger's, and the
 * package-level lens's, which adds quarantine and says where the pack is), so both paths give the
 * same `LedgerVerification` for the same block; test/verify-read-model.test.ts (count) and
 * test/package-verify.test.ts (package) check that. Addresses come checksummed, as the chain gives them.
 */
import { isoDateFromYyyymmdd, type BatchStatusName, type PackStateName, type PackVerification } from "@pedigree/ledger";
import { getAddress, type Address, type Hex } from "viem";

/**
 * Where a proved pack is on the package-level ledger: the lens's `Location` as the read model names
 * places. For a pack inside units, the custody (place and parties) is that of the top-most unit.
 */
export interface PackPlace {
  place: "HELD" | "IN_TRANSIT" | "QUARANTINED" | "DECOMMISSIONED" | "DESTROYED";
  /** HELD, QUARANTINED: the holder; IN_TRANSIT: the sender; DECOMMISSIONED, DESTROYED: who did it. */
  party: Address | null;
  /** IN_TRANSIT: the recipient. */
  recipient: Address | null;
  /** The unit directly containing the pack, and the top-most one (18-digit SSCCs), when inside units. */
  unit: string | null;
  top: string | null;
}

/** A pack's decommissioning record, as both ledgers' `verifyPack` lead to it; `quarantined` only on the package-level one. */
export interface PackRecord {
  state: PackStateName;
  by?: Address;
  at?: number;
  quarantined?: boolean;
}

/** `verifyPack`'s answer as a check uses it, from either ledger and either source. */
export interface LedgerVerification extends Omit<PackVerification, "pack"> {
  /** The pack's record; undefined when `verifyPack` stopped before reading it (unknown, mismatch). */
  pack?: PackRecord;
  /** The package-level ledger: where the pack is (undefined where `pack` is, and on the count ledger). */
  place?: PackPlace;
}

/**
 * What a pack's place says of its record: who decommissioned it and when, or that it is
 * quarantined. A pack destroyed as illegitimate at the end of a quarantine (with the unit it was
 * in, maybe) has no time on record, only who ended the quarantine.
 */
export function packRecordOf(place: PackPlace, state: string | null, at: number | null): PackRecord {
  if (place.place === "DECOMMISSIONED") {
    return {
      state: (state ?? "DESTROYED") as PackStateName,
      ...(place.party === null ? {} : { by: place.party }),
      ...(at === null ? {} : { at }),
    };
  }
  if (place.place === "DESTROYED") return { state: "DESTROYED", ...(place.party === null ? {} : { by: place.party }) };
  if (place.place === "QUARANTINED") return { state: "ACTIVE", quarantined: true };
  return { state: "ACTIVE" };
}

/** What the read model holds for one pack code at its indexed block. */
export interface IndexedPackRecords {
  batchId: Hex;
  /** The GTIN is registered. */
  productKnown: boolean;
  batch: {
    manufacturer: string;
    status: string;
    /** YYYYMMDD (DD = 00: the month's last day). */
    expiry: number;
    packCount: number;
    serialsRoot: string;
  } | null;
  /**
   * The serial's index in the batch's list, when the list stored here (whose root is the
   * batch's on the ledger, checked at upload) holds the serial.
   */
  index: number | undefined;
  /**
   * The pack's row in pack_states (count ledger; none for a pack never decommissioned), or what its
   * place says (package-level ledger, `packRecordOf`).
   */
  pack: { state: string; by: string; at: number } | PackRecord | null;
  /** The package-level ledger: where the pack is, at the indexed block. */
  place?: PackPlace;
  /** The label's expiry, YYYYMMDD, when the code carries one. */
  labelExpiry?: number;
  /** Unix seconds of the indexed block: the contract's `block.timestamp` there. */
  blockTime: number;
}

const SECONDS_PER_DAY = 86_400;

/** Days since 1970-01-01 of a YYYYMMDD date (DD = 00: last day), or undefined for a number that is no date. */
function epochDay(yyyymmdd: number): number | undefined {
  try {
    return Date.parse(`${isoDateFromYyyymmdd(yyyymmdd)}T00:00:00Z`) / (SECONDS_PER_DAY * 1000);
  } catch {
    return undefined;
  }
}

export function verificationFromReadModel(records: IndexedPackRecords): LedgerVerification {
  const { batchId, batch } = records;
  if (batch === null) {
    // A batch implies its product, so the product decides only when the batch is unknown.
    return {
      verdict: "UNKNOWN_PRODUCT",
      contractVerdict: records.productKnown ? "UnknownBatch" : "UnknownProduct",
      batchId,
    };
  }
  const result: LedgerVerification = {
    verdict: "UNKNOWN_SERIAL",
    contractVerdict: "UnknownSerial",
    batchId,
    batch: {
      manufacturer: getAddress(batch.manufacturer),
      status: batch.status as BatchStatusName,
      expiry: batch.expiry,
      packCount: batch.packCount,
      serialsRoot: batch.serialsRoot as Hex,
    },
  };
  if (records.index === undefined || records.index >= batch.packCount) return result;
  const expiryDay = epochDay(batch.expiry);
  if (records.labelExpiry !== undefined && records.labelExpiry !== 0) {
    const labelDay = epochDay(records.labelExpiry);
    if (labelDay === undefined || labelDay !== expiryDay) {
      return { ...result, verdict: "MISMATCH", contractVerdict: "Mismatch" };
    }
  }
  const state = (records.pack?.state ?? "ACTIVE") as PackStateName;
  const { by, at } = records.pack ?? {};
  const quarantined = records.pack !== null && "quarantined" in records.pack && records.pack.quarantined === true;
  // An undone dispense is ACTIVE again with no one's name on it, as the contract's record is.
  result.pack =
    state === "ACTIVE" || records.pack === null
      ? { state, ...(quarantined ? { quarantined } : {}) }
      : { state, ...(by === undefined ? {} : { by: getAddress(by) }), ...(at === undefined ? {} : { at }) };
  if (records.place !== undefined) result.place = records.place;
  const today = Math.floor(records.blockTime / SECONDS_PER_DAY);
  if (batch.status === "RECALLED") return { ...result, verdict: "RECALLED", contractVerdict: "Recalled" };
  if (batch.status === "SUSPENDED") return { ...result, verdict: "SUSPENDED", contractVerdict: "Suspended" };
  // Only the package-level ledger quarantines (the batch, or the pack's place); its lens decides it here.
  if (batch.status === "QUARANTINED" || quarantined) {
    return { ...result, verdict: "QUARANTINED", contractVerdict: "Quarantined" };
  }
  if (state !== "ACTIVE" && state !== "DISPENSED") {
    return { ...result, verdict: "DECOMMISSIONED", contractVerdict: "Decommissioned" };
  }
  if (expiryDay !== undefined && expiryDay < today)
    return { ...result, verdict: "EXPIRED", contractVerdict: "Expired" };
  if (state === "DISPENSED") return { ...result, verdict: "DISPENSED", contractVerdict: "Dispensed" };
  return { ...result, verdict: "GENUINE", contractVerdict: "Genuine" };
}

/**
 * How far behind the read model may be for a public check to be answered from it: the seconds
 * since the indexer last found itself at the chain's safe head (PEDIGREE_MAX_LAG, default 15 s;
 * `0` sends every check to the chain). Past it, the indexer is stalled or catching up, and the
 * chain answers.
 */
export function maxLagSeconds(env: Record<string, string | undefined> = process.env): number {
  const configured = env.PEDIGREE_MAX_LAG?.trim();
  if (configured === undefined || configured === "") return 15;
  const value = Number(configured.replace(/s$/, ""));
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(
      `PEDIGREE_MAX_LAG must be a number of seconds, 0 or more (got '${configured}'): how long since the read model last caught up with the chain a public check may still be answered from it.`,
    );
  }
  return value;
}
