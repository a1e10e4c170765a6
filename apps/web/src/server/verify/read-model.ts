/**
 * The ledger's `verifyPack`, answered from the read model instead of the chain (issue 16, item 3):
 * a public check costs no call to the chain's node, which on a real network is a remote RPC
 * provider paid per request and tens of milliseconds away. The answer is the ledger's state at
 * the block the read model has indexed, and says so (its number and time); a check for
 * dispensing, and any check while the read model lags (PEDIGREE_MAX_LAG), reads the chain.
 *
 * `verificationFromReadModel` follows `PedigreeLedger.verifyPack` step by step, so both paths give
 * the same `PackVerification` for the same block; test/verify-read-model.test.ts checks that on
 * every pack of a world and of random histories. Addresses come checksummed, as the chain gives them.
 */
import { isoDateFromYyyymmdd, type BatchStatusName, type PackStateName, type PackVerification } from "@pedigree/ledger";
import { getAddress, type Hex } from "viem";

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
  /** The pack's row in pack_states; none for a pack never decommissioned. */
  pack: { state: string; by: string; at: number } | null;
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

export function verificationFromReadModel(records: IndexedPackRecords): PackVerification {
  const { batchId, batch } = records;
  if (batch === null) {
    // A batch implies its product, so the product decides only when the batch is unknown.
    return {
      verdict: "UNKNOWN_PRODUCT",
      contractVerdict: records.productKnown ? "UnknownBatch" : "UnknownProduct",
      batchId,
    };
  }
  const result: PackVerification = {
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
  // An undone dispense is ACTIVE again with no one's name on it, as the contract's record is.
  result.pack =
    state === "ACTIVE" || records.pack === null
      ? { state }
      : { state, by: getAddress(records.pack.by), at: records.pack.at };
  const today = Math.floor(records.blockTime / SECONDS_PER_DAY);
  if (batch.status === "RECALLED") return { ...result, verdict: "RECALLED", contractVerdict: "Recalled" };
  if (batch.status === "SUSPENDED") return { ...result, verdict: "SUSPENDED", contractVerdict: "Suspended" };
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
