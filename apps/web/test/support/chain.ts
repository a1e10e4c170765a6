/**
 * A real local chain for the application-side tests: `hardhat node` on a free loopback port,
 * with the ledger deployed from the compiled artifact (run `npm run build` at the repository
 * root first; `npm test` does). Gives viem clients, the chain's funded accounts, and the
 * snapshot/revert/mine controls the reorganisation tests need.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Address,
  type Hex,
  type PublicClient,
  type TestClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import type { LedgerTarget } from "../../src/server/context.ts";
import { repositoryRoot } from "../../src/server/db/database.ts";

/** Hardhat's default accounts (the well-known test mnemonic): never hold value. */
export const TEST_PRIVATE_KEYS: readonly Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

export interface TestChain {
  rpcUrl: string;
  chainId: number;
  /** The ledger's address and the block it was deployed in. */
  address: Address;
  /** With the package-level ledger: its read-only views (PedigreePackageLens). */
  lens?: Address;
  deploymentBlock: number;
  /** The same, as the app's context wants it: `createAppContext({ database, target: chain.target })`. */
  target: LedgerTarget;
  /** accounts[0] deployed the ledger and holds its admin role. */
  accounts: PrivateKeyAccount[];
  publicClient: PublicClient;
  testClient: TestClient;
  wallet(account: PrivateKeyAccount): WalletClient;
  /** Stops the node; the chain's state is gone. */
  stop(): Promise<void>;
  /** The node's process, for tests that kill it to see what happens while the chain is away. */
  process(): ChildProcess;
}

/** A free TCP port on loopback (the OS picks it), for a node or server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export function ledgerArtifact(contract: LedgerContract = "PedigreeLedger"): { abi: unknown[]; bytecode: Hex } {
  const file = path.join(repositoryRoot(), `artifacts/contracts/${contract}.sol/${contract}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { abi: unknown[]; bytecode: Hex };
  } catch (error) {
    throw new Error(`The ledger is not compiled (${file}): run \`npm run build\` at the repository root.`, {
      cause: error,
    });
  }
}

/** The count ledger the application deploys today, or the package-level ledger that replaces it. */
export type LedgerContract = "PedigreeLedger" | "PedigreePackageLedger" | "PedigreePackageLens";

export interface StartTestChainOptions {
  port?: number;
  /** Which ledger to deploy (default PedigreeLedger; the package-level one comes with its lens); the target's `kind` follows. */
  contract?: Exclude<LedgerContract, "PedigreePackageLens">;
  /** Mine a block every `blockTime` ms instead of one per transaction. */
  blockTime?: number;
  /** The chain's genesis time (ISO string), for histories in the past (the demo world). Default: now. */
  initialDate?: string;
}

export async function startTestChain(options: StartTestChainOptions = {}): Promise<TestChain> {
  const port = options.port ?? (await freePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  const root = repositoryRoot();
  // `--network hardhat`: the config's in-process network, whose genesis time PEDIGREE_CHAIN_INITIAL_DATE sets.
  const args = ["--network", "hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)];
  // Run Hardhat's CLI on this process's Node (22): its bin shim would take whatever `node` is first on PATH.
  const child = spawn(process.execPath, [path.join(root, "node_modules/hardhat/dist/src/cli.js"), ...args], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
      PEDIGREE_CHAIN_INITIAL_DATE: options.initialDate ?? "",
    },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const transport = http(rpcUrl, { retryCount: 0, timeout: 5_000 });
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 50 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}): ${stderr}`);
    try {
      await publicClient.getChainId();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`hardhat node did not answer on ${rpcUrl} within 60 s: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const accounts = TEST_PRIVATE_KEYS.map((key) => privateKeyToAccount(key));
  const wallet = (account: PrivateKeyAccount) => createWalletClient({ account, chain: hardhat, transport });
  const { abi, bytecode } = ledgerArtifact(options.contract);
  const admin = accounts[0]!;
  const hash = await wallet(admin).deployContract({
    abi,
    bytecode,
    args: [admin.address, 2 * 24 * 60 * 60],
    chain: hardhat,
    account: admin,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.contractAddress == null) throw new Error("The ledger deployment created no contract");
  if (options.blockTime !== undefined) {
    const testClient = createTestClient({ chain: hardhat, mode: "hardhat", transport });
    await testClient.setAutomine(false);
    await testClient.setIntervalMining({ interval: options.blockTime });
  }
  let lens: Address | undefined;
  if (options.contract === "PedigreePackageLedger") {
    const lensArtifact = ledgerArtifact("PedigreePackageLens");
    const lensHash = await wallet(admin).deployContract({
      abi: lensArtifact.abi,
      bytecode: lensArtifact.bytecode,
      args: [receipt.contractAddress],
      chain: hardhat,
      account: admin,
    });
    lens = (await publicClient.waitForTransactionReceipt({ hash: lensHash })).contractAddress ?? undefined;
    if (lens === undefined) throw new Error("The lens deployment created no contract");
  }
  const chainId = await publicClient.getChainId();
  const deploymentBlock = Number(receipt.blockNumber);
  return {
    rpcUrl,
    chainId,
    address: receipt.contractAddress,
    lens,
    deploymentBlock,
    target: {
      chainId,
      address: receipt.contractAddress,
      deploymentBlock,
      rpcUrl,
      kind: options.contract === "PedigreePackageLedger" ? "package" : "count",
    },
    accounts,
    publicClient: publicClient as PublicClient,
    testClient: createTestClient({ chain: hardhat, mode: "hardhat", transport }),
    wallet,
    process: () => child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
