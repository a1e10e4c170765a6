/**
 * The wallet half of the dashboard's one write path (use-ledger-write.ts chooses; the other half,
 * through the organisation's server, is server-write.ts): simulate (so a revert is explained
 * before the wallet opens), ask for the signature, wait for the receipt. Each step is reported as
 * a phase the UI shows; no page keeps its own spinner. Framework-free so tests drive it against a
 * real chain.
 */
import type {
  Account,
  Address,
  ContractFunctionArgs,
  ContractFunctionName,
  Hash,
  PublicClient,
  TransactionReceipt,
  WalletClient,
} from "viem";
import { explainLedgerError, packageLedgerAbi, pedigreeLedgerAbi, type LedgerErrorLookup } from "@pedigree/ledger";

export type LedgerWriteName = ContractFunctionName<typeof pedigreeLedgerAbi, "nonpayable">;

/** A call of the count ledger (PedigreeLedger). */
export interface LedgerCall<N extends LedgerWriteName = LedgerWriteName> {
  functionName: N;
  args: ContractFunctionArgs<typeof pedigreeLedgerAbi, "nonpayable", N>;
}

export type PackageLedgerWriteName = ContractFunctionName<typeof packageLedgerAbi, "nonpayable">;

/** A call of the package-level ledger (PedigreePackageLedger). */
export interface PackageLedgerCall<N extends PackageLedgerWriteName = PackageLedgerWriteName> {
  ledger: "package";
  functionName: N;
  args: ContractFunctionArgs<typeof packageLedgerAbi, "nonpayable", N>;
}

export type TxPhase =
  | { phase: "idle" }
  | { phase: "checking" }
  | { phase: "signing" }
  /** Accepted by the organisation's server, waiting for its turn in the key's queue (server path only). */
  | { phase: "queued"; writeId: number; waitingFor?: string }
  | { phase: "pending"; hash: Hash }
  | { phase: "confirmed"; hash: Hash; blockNumber: bigint }
  | { phase: "failed"; message: string; errorName?: string; hash?: Hash };

export interface LedgerWriteClients {
  publicClient: Pick<PublicClient, "simulateContract" | "waitForTransactionReceipt">;
  walletClient: Pick<WalletClient, "writeContract"> & { account?: Account };
  ledgerAddress: Address;
  lookup?: LedgerErrorLookup;
}

export type LedgerWriteResult =
  | { ok: true; hash: Hash; blockNumber: bigint; receipt?: TransactionReceipt }
  | { ok: false; message: string; errorName?: string; hash?: Hash };

export async function runLedgerWrite(
  clients: LedgerWriteClients,
  call: LedgerCall | PackageLedgerCall,
  onPhase: (phase: TxPhase) => void = () => {},
): Promise<LedgerWriteResult> {
  const fail = (error: unknown, hash?: Hash): LedgerWriteResult => {
    const { code, message } = explainLedgerError(error, clients.lookup);
    // Ledger refusals carry the contract's error name; the generic codes (USER_REJECTED...) are upper case.
    const explanation = { message, ...(/^[A-Z][a-z]/.test(code) ? { errorName: code } : {}) };
    const failed = { phase: "failed" as const, ...explanation, ...(hash ? { hash } : {}) };
    onPhase(failed);
    return { ok: false, ...explanation, ...(hash ? { hash } : {}) };
  };
  const account = clients.walletClient.account;
  if (!account) return fail(new Error("Connect a wallet first."));

  onPhase({ phase: "checking" });
  let request: unknown;
  try {
    const simulation = await clients.publicClient.simulateContract({
      address: clients.ledgerAddress,
      abi: "ledger" in call ? packageLedgerAbi : pedigreeLedgerAbi,
      functionName: call.functionName,
      args: call.args,
      account,
    } as never);
    request = (simulation as { request: unknown }).request;
  } catch (error) {
    return fail(error);
  }

  onPhase({ phase: "signing" });
  let hash: Hash;
  try {
    hash = await clients.walletClient.writeContract(request as never);
  } catch (error) {
    return fail(error);
  }

  onPhase({ phase: "pending", hash });
  try {
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== "success") {
      return fail(new Error("The transaction was mined but reverted; nothing changed on the ledger."), hash);
    }
    onPhase({ phase: "confirmed", hash, blockNumber: receipt.blockNumber });
    return { ok: true, hash, blockNumber: receipt.blockNumber, receipt };
  } catch (error) {
    return fail(error, hash);
  }
}
