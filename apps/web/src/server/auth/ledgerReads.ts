/**
 * The two ledger reads that authorisation depends on: who an address is now (role, suspension),
 * and a batch's record (its manufacturer and serials root). Read on chain at each request, never
 * from the read model, so a suspension takes effect from the block it lands in, not when the
 * indexer catches up.
 */
import {
  batchStatusName,
  glnFromUint64,
  pedigreeLedgerAbi,
  roleName,
  type BatchStatusName,
  type RoleName,
} from "@pedigree/ledger";
import type { Address, Hex } from "viem";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";

export interface ChainParticipant {
  address: Address;
  /** NONE when the address was never onboarded. */
  role: RoleName;
  suspended: boolean;
  legalName: string;
  /** 13 digits, or undefined for a non-participant. */
  gln?: string;
}

export interface ChainBatch {
  batchId: Hex;
  manufacturer: Address;
  /** QUARANTINED only on the package-level ledger. */
  status: Exclude<BatchStatusName, "NONE">;
  /** YYYYMMDD. */
  expiry: number;
  packCount: number;
  serialsRoot: Hex;
}

export function ledgerUnavailable(error: unknown): ApiError {
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new ApiError(
    503,
    "LEDGER_UNAVAILABLE",
    "The ledger cannot be read right now, so your rights could not be checked. Try again in a moment.",
    { details: { reason }, headers: { "retry-after": "5" } },
  );
}

export async function readParticipant(ctx: AppContext, address: Address): Promise<ChainParticipant> {
  let record;
  try {
    record = await ctx.chain.readContract({
      address: ctx.ledger.address,
      abi: pedigreeLedgerAbi,
      functionName: "participant",
      args: [address],
    });
  } catch (error) {
    throw ledgerUnavailable(error);
  }
  const role = roleName(record.role);
  return {
    address,
    role,
    suspended: record.suspended,
    legalName: record.legalName,
    ...(role === "NONE" ? {} : { gln: glnFromUint64(record.gln) }),
  };
}

/** The batch's on-chain record, or undefined when the ledger has no such batch. */
export async function readBatch(ctx: AppContext, batchId: Hex): Promise<ChainBatch | undefined> {
  let record;
  try {
    record = await ctx.chain.readContract({
      address: ctx.ledger.address,
      abi: pedigreeLedgerAbi,
      functionName: "batch",
      args: [batchId],
    });
  } catch (error) {
    throw ledgerUnavailable(error);
  }
  const status = batchStatusName(record.status);
  if (status === "NONE") return undefined;
  return {
    batchId,
    manufacturer: record.manufacturer,
    status,
    expiry: Number(record.expiry),
    packCount: Number(record.packCount),
    serialsRoot: record.serialsRoot,
  };
}
