/**
 * Many ledger writes from one account, fast: signed locally with consecutive nonces and a fixed
 * gas limit (no estimate per call), sent while the node does not mine, then mined in blocks of
 * as many as fit. For benches that need tens of thousands of transactions on a local chain
 * before they measure something else; what they measure must not include this.
 */
import type { Abi, Hex, PrivateKeyAccount, TransactionReceipt } from "viem";
import { hardhat } from "viem/chains";
import type { TestChain } from "../../test/support/chain.ts";

export interface BulkCall {
  functionName: string;
  args: readonly unknown[];
  /** The gas limit to sign with: above what the call uses (a call that runs out reverts the bench). */
  gas: bigint;
}

/** Sends `calls` in order from `account`, `chunk` at a time per mined round, and checks every receipt succeeded. */
export async function sendBulk(
  chain: TestChain,
  account: PrivateKeyAccount,
  abi: Abi,
  calls: readonly BulkCall[],
  options: { chunk?: number; onProgress?: (done: number) => void } = {},
): Promise<void> {
  const chunk = options.chunk ?? 400;
  const wallet = chain.wallet(account);
  let nonce = await chain.publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
  await chain.testClient.setAutomine(false);
  try {
    for (let start = 0; start < calls.length; start += chunk) {
      const hashes: Hex[] = [];
      for (const call of calls.slice(start, start + chunk)) {
        hashes.push(
          await wallet.writeContract({
            address: chain.address,
            abi,
            functionName: call.functionName,
            args: call.args,
            account,
            chain: hardhat,
            nonce: nonce++,
            gas: call.gas,
            maxFeePerGas: 100_000_000_000n,
            maxPriorityFeePerGas: 1_000_000_000n,
          } as never),
        );
      }
      // Mine until the last of the chunk is in a block (a full block leaves the rest pending).
      for (;;) {
        await chain.testClient.mine({ blocks: 1 });
        const last = await chain.publicClient.getTransactionReceipt({ hash: hashes.at(-1)! }).catch(() => undefined);
        if (last !== undefined) break;
      }
      for (const hash of hashes) {
        const receipt = await chain.publicClient.getTransactionReceipt({ hash });
        if (receipt.status !== "success") throw new Error(`Bulk write ${hash} reverted`);
      }
      options.onProgress?.(Math.min(start + chunk, calls.length));
    }
  } finally {
    await chain.testClient.setAutomine(true);
  }
}

/** One write, mined at once (automine), with its receipt; a revert throws. */
export async function sendOne(
  chain: TestChain,
  account: PrivateKeyAccount,
  abi: Abi,
  call: Omit<BulkCall, "gas">,
): Promise<TransactionReceipt> {
  const hash = await chain.wallet(account).writeContract({
    address: chain.address,
    abi,
    functionName: call.functionName,
    args: call.args,
    account,
    chain: hardhat,
  } as never);
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") throw new Error(`${call.functionName} from ${account.address} reverted`);
  return receipt;
}
