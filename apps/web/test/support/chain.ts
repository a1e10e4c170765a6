/**
 * A real local chain for the application-side tests: `hardhat node` on a free loopback port,
 * with the ledger deployed from the compiled artifact (run `npm run build` at the repository
 * root first; `npm test` does). Gives viem clients, the chain's funded accounts, and the
 * snapshot/revert/mine controls the reorganisation tests need.
 *
 * PEDIGREE_TEST_CHAIN=anvil runs the same tests on Foundry's anvil instead (scripts/anvil.ts),
 * with a chain id of its own and, with PEDIGREE_TEST_BLOCK_TIME=<seconds>, a block every so many
 * seconds: what the anvil suite of `npm test` does (scripts/test-all.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TestClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { ANVIL_CHAIN_ID, startAnvil } from "../../../../scripts/anvil.ts";
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

export type TestNode = "hardhat" | "anvil";

export interface TestChain {
  rpcUrl: string;
  chainId: number;
  /** Which node runs it. */
  node: TestNode;
  /** The chain for viem's wallet clients (its id is the node's: 31337 on Hardhat, ANVIL_CHAIN_ID on anvil). */
  viemChain: Chain;
  /** Milliseconds between blocks, or undefined when each transaction is mined at once. */
  blockTime: number | undefined;
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
  /** Default PEDIGREE_TEST_CHAIN, else hardhat. */
  node?: TestNode;
  /** Which ledger to deploy (default PedigreeLedger; the package-level one comes with its lens); the target's `kind` follows. */
  contract?: Exclude<LedgerContract, "PedigreePackageLens">;
  /**
   * Mine a block every `blockTime` ms instead of one per transaction (on anvil, whole seconds).
   * Default on anvil: PEDIGREE_TEST_BLOCK_TIME seconds, when set.
   */
  blockTime?: number;
  /** The chain's genesis time (ISO string), for histories in the past (the demo world). Default: now. */
  initialDate?: string;
}

/** The node the tests run on: PEDIGREE_TEST_CHAIN (hardhat or anvil), default hardhat. */
export function testNode(env: NodeJS.ProcessEnv = process.env): TestNode {
  const configured = env.PEDIGREE_TEST_CHAIN ?? "";
  if (configured === "" || configured === "hardhat") return "hardhat";
  if (configured === "anvil") return "anvil";
  throw new Error(`PEDIGREE_TEST_CHAIN is hardhat or anvil (got '${configured}').`);
}

/** PEDIGREE_TEST_BLOCK_TIME (seconds) as milliseconds, for anvil; undefined when unset. */
function testBlockTime(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const configured = env.PEDIGREE_TEST_BLOCK_TIME ?? "";
  if (configured === "") return undefined;
  const seconds = Number(configured);
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new Error(`PEDIGREE_TEST_BLOCK_TIME is a whole number of seconds, 1 or more (got '${configured}').`);
  }
  return seconds * 1000;
}

function viemChainOf(id: number, rpcUrl: string): Chain {
  if (id === hardhat.id) return { ...hardhat, rpcUrls: { default: { http: [rpcUrl] } } };
  return defineChain({
    id,
    name: `anvil (chain ${id})`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** Starts `hardhat node`; resolves with the process once it answers on `rpcUrl`. */
async function startHardhatNode(port: number, rpcUrl: string, initialDate: string | undefined): Promise<ChildProcess> {
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
      PEDIGREE_CHAIN_INITIAL_DATE: initialDate ?? "",
    },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 5_000 }) });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}): ${stderr}`);
    try {
      await probe.getChainId();
      return child;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`hardhat node did not answer on ${rpcUrl} within 60 s: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export async function startTestChain(options: StartTestChainOptions = {}): Promise<TestChain> {
  const port = options.port ?? (await freePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  const node = options.node ?? testNode();
  let blockTime = options.blockTime;
  let child: ChildProcess;
  if (node === "anvil") {
    blockTime ??= testBlockTime();
    if (blockTime !== undefined && blockTime % 1000 !== 0) {
      throw new RangeError(`anvil mines in whole seconds: a block time of ${blockTime} ms is not one.`);
    }
    const anvil = await startAnvil({
      port,
      chainId: ANVIL_CHAIN_ID,
      blockTime: blockTime === undefined ? undefined : blockTime / 1000,
      genesis: options.initialDate ? new Date(options.initialDate) : undefined,
    });
    child = anvil.process;
  } else {
    child = await startHardhatNode(port, rpcUrl, options.initialDate || undefined);
  }
  const transport = http(rpcUrl, { retryCount: 0, timeout: 5_000 });
  const chainId = await createPublicClient({ transport }).getChainId();
  const viemChain = viemChainOf(chainId, rpcUrl);
  const publicClient = createPublicClient({ chain: viemChain, transport, pollingInterval: 50 });
  const accounts = TEST_PRIVATE_KEYS.map((key) => privateKeyToAccount(key));
  const wallet = (account: PrivateKeyAccount) => createWalletClient({ account, chain: viemChain, transport });
  const { abi, bytecode } = ledgerArtifact(options.contract);
  const admin = accounts[0]!;
  const hash = await wallet(admin).deployContract({
    abi,
    bytecode,
    args: [admin.address, 2 * 24 * 60 * 60],
    chain: viemChain,
    account: admin,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.contractAddress == null) throw new Error("The ledger deployment created no contract");
  // Its own transport: mining thousands of blocks at once (anvil_mine, hardhat_mine) takes longer
  // than any read. On anvil each block costs more the longer the chain is: 1,700 blocks on top of
  // 1,500 take 6 to 8 s on this 2-core machine.
  const testClient = createTestClient({
    chain: viemChain,
    mode: node,
    transport: http(rpcUrl, { retryCount: 0, timeout: 120_000 }),
  });
  // Hardhat's node mines on a clock only once told to (anvil was started with its block time).
  if (node === "hardhat" && blockTime !== undefined) {
    await testClient.setAutomine(false);
    // viem takes seconds (and sends Hardhat milliseconds).
    await testClient.setIntervalMining({ interval: blockTime / 1000 });
  }
  let lens: Address | undefined;
  if (options.contract === "PedigreePackageLedger") {
    const lensArtifact = ledgerArtifact("PedigreePackageLens");
    const lensHash = await wallet(admin).deployContract({
      abi: lensArtifact.abi,
      bytecode: lensArtifact.bytecode,
      args: [receipt.contractAddress],
      chain: viemChain,
      account: admin,
    });
    lens = (await publicClient.waitForTransactionReceipt({ hash: lensHash })).contractAddress ?? undefined;
    if (lens === undefined) throw new Error("The lens deployment created no contract");
  }
  const deploymentBlock = Number(receipt.blockNumber);
  return {
    rpcUrl,
    chainId,
    node,
    viemChain,
    blockTime,
    address: receipt.contractAddress,
    lens,
    deploymentBlock,
    target: {
      chainId,
      address: receipt.contractAddress,
      deploymentBlock,
      rpcUrl,
      kind: options.contract === "PedigreePackageLedger" ? "package" : "count",
      ...(lens === undefined ? {} : { lens }),
    },
    accounts,
    publicClient: publicClient as PublicClient,
    testClient,
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
