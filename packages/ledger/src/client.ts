/**
 * Small typed helpers over the generated ABI for viem clients. They take and return the app's
 * plain types (numbers, strings, enum names), so callers never handle bigint plumbing.
 */
import { encodeAbiParameters, keccak256, zeroAddress, type PublicClient } from "viem";
import { deployments, type LedgerDeployment } from "./generated/deployments.ts";
import { pedigreeLedgerAbi } from "./generated/pedigreeLedgerAbi.ts";
import {
  batchStatusName,
  contractVerdictName,
  packStateName,
  type BatchStatusName,
  type ContractVerdictName,
  type PackageContractVerdictName,
  type PackStateName,
} from "./enums.ts";
import { verdictFromContract, type Verdict } from "./verdict.ts";
import type { Address, Hex } from "./types.ts";

export { yyyymmddFromGs1Expiry } from "./dates.ts";

/** What the helpers need of a viem client: a public client, or anything with its `readContract`. */
export type LedgerReader = Pick<PublicClient, "readContract">;

/** The ledger's deployment (address and deployment block) on `chainId`; throws when there is none. */
export function ledgerDeployment(chainId: number): LedgerDeployment {
  const deployment = deployments[String(chainId)];
  if (deployment === undefined) {
    const known = Object.keys(deployments);
    throw new Error(
      `No Pedigree ledger is deployed on chain id ${chainId} as far as this build knows` +
        ` (known chain ids: ${known.length > 0 ? known.join(", ") : "none"}). Deploy it (npm run deploy:local for the` +
        ` local chain, node scripts/deploy.ts --network remote otherwise), then run npm run export:ledger to record` +
        ` its address in packages/ledger/src/generated/deployments.ts.`,
    );
  }
  return deployment;
}

/** The ledger's address on `chainId`; throws an error saying how to deploy when there is none. */
export function ledgerAddress(chainId: number): Address {
  return ledgerDeployment(chainId).address;
}

/** GTIN-14 (string of digits, or bigint) → the contract's uint64. */
export function gtinToUint64(gtin: string | bigint): bigint {
  if (typeof gtin === "bigint") {
    if (gtin < 0n || gtin > 99_999_999_999_999n) throw new RangeError(`GTIN ${gtin} has more than 14 digits`);
    return gtin;
  }
  if (!/^\d{1,14}$/.test(gtin)) throw new RangeError(`GTIN '${gtin}' must be 1 to 14 digits`);
  return BigInt(gtin);
}

/** The contract's uint64 → GTIN-14 string with its leading zeros. */
export function gtinFromUint64(gtin: bigint | number): string {
  return BigInt(gtin).toString().padStart(14, "0");
}

/** The contract's uint64 GLN (participant records, ParticipantOnboarded) → 13-digit GLN string, for `Party.gln`. */
export function glnFromUint64(gln: bigint | number): string {
  return BigInt(gln).toString().padStart(13, "0");
}

/** The batch id as the contract computes it: keccak256(abi.encode(uint64 gtin, string lot)). */
export function batchIdOf(gtin: string | bigint, lot: string): Hex {
  return keccak256(encodeAbiParameters([{ type: "uint64" }, { type: "string" }], [gtinToUint64(gtin), lot]));
}

export interface PackVerificationQuery {
  chainId: number;
  /** GTIN-14, as `parseGs1` returns it. */
  gtin: string;
  lot: string;
  serial: string;
  /** The serial's index in the batch's manifest, and its Merkle proof (`manifest.proofFor(serial)`). */
  index: number;
  proof: readonly Hex[];
  /** The label's expiry as YYYYMMDD (see `yyyymmddFromGs1Expiry`); leave out when the code has none. */
  labelExpiry?: number;
  /** Read from this address instead of the chain's recorded deployment. */
  address?: Address;
  /** Read at this block (for consistent reads alongside an indexer). */
  blockNumber?: number;
}

export interface PackVerification {
  /** The contract's verdict as this package names verdicts. */
  verdict: Verdict;
  /** The contract's own name, which tells UnknownBatch from UnknownProduct (Quarantined: the package-level ledger's). */
  contractVerdict: ContractVerdictName | PackageContractVerdictName;
  batchId: Hex;
  /** Undefined when the ledger has no such batch. */
  batch?: {
    manufacturer: Address;
    status: BatchStatusName;
    /** YYYYMMDD. */
    expiry: number;
    packCount: number;
    serialsRoot: Hex;
  };
  /** The pack's record; `by` and `at` only for a decommissioned pack. Undefined when the contract stopped before reading it. */
  pack?: { state: PackStateName; by?: Address; at?: number };
}

/** Calls `verifyPack` (a view: no transaction, no gas for the caller) and reshapes its answer. */
export async function readPackVerification(
  client: LedgerReader,
  query: PackVerificationQuery,
): Promise<PackVerification> {
  const address = query.address ?? ledgerAddress(query.chainId);
  const result = await client.readContract({
    address,
    abi: pedigreeLedgerAbi,
    functionName: "verifyPack",
    args: [
      gtinToUint64(query.gtin),
      query.lot,
      query.serial,
      BigInt(query.index),
      [...query.proof],
      query.labelExpiry ?? 0,
    ],
    ...(query.blockNumber === undefined ? {} : { blockNumber: BigInt(query.blockNumber) }),
  });
  const contractVerdict = contractVerdictName(result.verdict);
  const verification: PackVerification = {
    verdict: verdictFromContract(result.verdict),
    contractVerdict,
    batchId: result.batchId,
  };
  const status = batchStatusName(result.batch.status);
  if (status !== "NONE") {
    verification.batch = {
      manufacturer: result.batch.manufacturer,
      status,
      expiry: Number(result.batch.expiry),
      packCount: Number(result.batch.packCount),
      serialsRoot: result.batch.serialsRoot,
    };
  }
  // The contract fills the pack record only once the serial is proved and the label matches.
  const packRead = !["UnknownBatch", "UnknownProduct", "UnknownSerial", "Mismatch"].includes(contractVerdict);
  if (packRead) {
    const state = packStateName(result.pack.state);
    verification.pack =
      state === "ACTIVE" || result.pack.by === zeroAddress
        ? { state }
        : { state, by: result.pack.by, at: Number(result.pack.at) };
  }
  return verification;
}
