/**
 * A real local chain for the package's write tests and the demo seed's test: a Hardhat node on a
 * free loopback port (optionally starting in the past, see hardhat-node.ts) with the ledger
 * deployed from the compiled artifact by the first of Hardhat's well-known test accounts.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import type { Address } from "../../src/types.ts";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
/** Hardhat's well-known test mnemonic: its accounts hold test funds only, on every local chain. */
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";

export interface LocalChain {
  rpcUrl: string;
  /** The ledger's address and deployment block. */
  address: Address;
  deploymentBlock: number;
  /** Which ledger: the count ledger (PedigreeLedger) or the package-level one (PedigreePackageLedger). */
  kind: "count" | "package";
  /** With the package-level ledger: its read-only views (PedigreePackageLens). */
  lens?: Address;
  /** Accounts 0..9 of the test mnemonic; 0 deployed the ledger and is its admin. */
  accounts: HDAccount[];
  publicClient: PublicClient;
  testClient: TestClient;
  wallet(account: Account): WalletClient<Transport, Chain, Account>;
  stop(): Promise<void>;
}

export async function startLocalChain(
  options: { genesisTime?: Date; ledger?: "count" | "package" } = {},
): Promise<LocalChain> {
  const kind = options.ledger ?? "count";
  const args = [path.join(ROOT, "packages/ledger/test/support/hardhat-node.ts"), "0"];
  if (options.genesisTime !== undefined) args.push(options.genesisTime.toISOString());
  const child = spawn(path.join(ROOT, "node_modules/.bin/node"), args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The Hardhat node did not start within 60 s: ${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The Hardhat node exited (${code}): ${output}`));
    });
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  const transport = http(rpcUrl, { retryCount: 0, timeout: 10_000 });
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 20 });
  const accounts = Array.from({ length: 10 }, (_, addressIndex) => mnemonicToAccount(TEST_MNEMONIC, { addressIndex }));
  const wallet = (account: Account) => createWalletClient({ account, chain: hardhat, transport });

  const admin = accounts[0]!;
  const deployed = async (contract: string, args: unknown[]) => {
    const artifact = JSON.parse(
      readFileSync(path.join(ROOT, `artifacts/contracts/${contract}.sol/${contract}.json`), "utf8"),
    ) as { abi: unknown[]; bytecode: Hex };
    const hash = await wallet(admin).deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.contractAddress == null) throw new Error(`The ${contract} deployment created no contract`);
    return { address: receipt.contractAddress, blockNumber: Number(receipt.blockNumber) };
  };
  const ledger = await deployed(kind === "package" ? "PedigreePackageLedger" : "PedigreeLedger", [
    admin.address,
    2 * 24 * 60 * 60,
  ]);
  const lens = kind === "package" ? (await deployed("PedigreePackageLens", [ledger.address])).address : undefined;

  return {
    rpcUrl,
    address: ledger.address,
    deploymentBlock: ledger.blockNumber,
    kind,
    ...(lens === undefined ? {} : { lens }),
    accounts,
    publicClient: publicClient as PublicClient,
    testClient: createTestClient({ chain: hardhat, mode: "hardhat", transport }),
    wallet,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
