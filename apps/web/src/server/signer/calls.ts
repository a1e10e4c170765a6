/**
 * What the queue sends: a call of a contract function, named by the ABI it is encoded with, the
 * contract's address, the function and its arguments. The queue itself knows nothing of the
 * ledger: the count ledger of today and the package-level ledger the application is moving to
 * both go through it, and so will any contract whose ABI is added here.
 *
 * A write is stored as its calldata (what is signed) with the ABI's name, so a restarted worker
 * needs nothing else to sign it, simulate it again or explain its revert.
 */
import { decodeFunctionData, encodeFunctionData, type Abi, type Address, type Hex } from "viem";
import { packageLedgerAbi, pedigreeLedgerAbi } from "@pedigree/ledger";
import type { LedgerKind } from "../context.ts";

export const CALL_ABIS = {
  "count-ledger": pedigreeLedgerAbi,
  "package-ledger": packageLedgerAbi,
} as const satisfies Record<string, Abi>;

export type CallAbiName = keyof typeof CALL_ABIS;

export interface ContractCall {
  abi: CallAbiName;
  address: Address;
  functionName: string;
  args: readonly unknown[];
}

/** The ABI name of the ledger a deployment runs. */
export function ledgerAbiName(kind: LedgerKind | undefined): CallAbiName {
  return kind === "package" ? "package-ledger" : "count-ledger";
}

export function abiOf(name: string): Abi {
  const abi = (CALL_ABIS as Record<string, Abi>)[name];
  if (abi === undefined)
    throw new Error(`No ABI named '${name}' is known to this server (a write stored by a newer version?).`);
  return abi;
}

export function encodeCall(call: ContractCall): Hex {
  return encodeFunctionData({ abi: abiOf(call.abi), functionName: call.functionName, args: call.args } as never);
}

/** A stored write's call, decoded back from its calldata. */
export function decodeCall(stored: { abi: string; contract: string; calldata: string }): ContractCall {
  const abi = abiOf(stored.abi);
  const { functionName, args } = decodeFunctionData({ abi, data: stored.calldata as Hex });
  return { abi: stored.abi as CallAbiName, address: stored.contract as Address, functionName, args: args ?? [] };
}

/** A value as JSON can hold it: bigints as decimal strings, recursively (event arguments, call arguments). */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonSafe(item)]));
  }
  return value;
}
