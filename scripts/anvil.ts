/**
 * Foundry's anvil, from its npm package (`@foundry-rs/anvil`, a devDependency): the second
 * development node beside Hardhat's. Unlike `hardhat node`, which mines a block the instant a
 * transaction arrives, anvil started with a block time mines on a clock as a consortium chain or
 * an L2 does, so a write waits for its block. Used by `npm start -- --chain=anvil`, the anvil test
 * suite (apps/web/test/support/chain.ts) and the deployment test (scripts/deploy.test.ts).
 *
 * The npm package's `anvil` bin is a Node wrapper that spawns the binary of the system's platform
 * package (`@foundry-rs/anvil-<os>-<arch>/bin/anvil`, an optionalDependency). We run that binary
 * ourselves: one process instead of two, and signals reach the node itself. Its install script (which
 * fetches the binary from the registry when the platform package is missing) is denied in
 * package.json's `allowScripts`: the platform package is all we use.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createPublicClient, http } from "viem";

/**
 * The chain id anvil runs with here: one of its own, as every real network has, so that nothing
 * can lean on Hardhat's 31337 by accident. The demo accounts still work on it: what makes a chain
 * "local" is that it is a development node (docs/OPERATIONS.md, "Running against anvil").
 */
export const ANVIL_CHAIN_ID = 424242;

/** The test mnemonic Hardhat and anvil both fund; the demo world's parties are its accounts. */
const TEST_MNEMONIC = "test test test test test test test test test test test junk";

/** The platform packages `@foundry-rs/anvil` lists, by Node's platform and architecture. */
const PLATFORM_PACKAGES: Record<string, string> = {
  "darwin-arm64": "@foundry-rs/anvil-darwin-arm64",
  "darwin-x64": "@foundry-rs/anvil-darwin-amd64",
  "linux-arm64": "@foundry-rs/anvil-linux-arm64",
  "linux-x64": "@foundry-rs/anvil-linux-amd64",
  "win32-x64": "@foundry-rs/anvil-win32-amd64",
};

/** The path of the anvil binary npm installed for this system; throws saying what to do when there is none. */
export function anvilBinary(): string {
  const system = `${process.platform}-${process.arch}`;
  const name = PLATFORM_PACKAGES[system];
  if (name === undefined) {
    throw new Error(
      `anvil's npm package has no binary for ${system} (it ships macOS, Linux and Windows x64/arm64 builds). ` +
        "Use the Hardhat chain instead (npm start without --chain=anvil).",
    );
  }
  const binary = process.platform === "win32" ? "anvil.exe" : "anvil";
  try {
    const found = createRequire(import.meta.url).resolve(`${name}/bin/${binary}`);
    if (existsSync(found)) return found;
  } catch {
    // not installed: explained below
  }
  throw new Error(`anvil is not installed (${name} is missing from node_modules): run \`npm install\`.`);
}

export interface AnvilOptions {
  port: number;
  /** Default ANVIL_CHAIN_ID. */
  chainId?: number;
  /** Seconds between blocks (interval mining); without it, anvil mines each transaction at once. */
  blockTime?: number;
  /** The genesis block's time (the demo world's history starts in the past). Default: now. */
  genesis?: Date;
  /** Where anvil's own output goes (default: dropped; stderr is kept for the error message). */
  stdout?: "inherit" | "ignore";
}

export interface Anvil {
  rpcUrl: string;
  chainId: number;
  /** Seconds between blocks, or undefined when every transaction is mined at once. */
  blockTime: number | undefined;
  process: ChildProcess;
  /** Stops the node (its chain is gone) and waits for it to exit. */
  stop(): Promise<void>;
}

/** The command-line arguments for `options`, for the binary or for someone reproducing a run by hand. */
export function anvilArguments(options: AnvilOptions): string[] {
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--chain-id",
    String(options.chainId ?? ANVIL_CHAIN_ID),
    "--mnemonic",
    TEST_MNEMONIC,
  ];
  if (options.blockTime !== undefined) {
    if (!Number.isInteger(options.blockTime) || options.blockTime < 1) {
      throw new RangeError(`A block time is a whole number of seconds, 1 or more (got ${options.blockTime}).`);
    }
    args.push("--block-time", String(options.blockTime));
  }
  if (options.genesis !== undefined) args.push("--timestamp", String(Math.floor(options.genesis.getTime() / 1000)));
  return args;
}

/** Starts anvil on 127.0.0.1:`port` and resolves once it answers JSON-RPC (at most 30 s). */
export async function startAnvil(options: AnvilOptions): Promise<Anvil> {
  const child = spawn(anvilBinary(), anvilArguments(options), {
    stdio: ["ignore", options.stdout ?? "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let spawnError: Error | undefined;
  child.once("error", (error) => (spawnError = error));
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 1_000 }) });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError !== undefined) throw new Error(`anvil could not be started: ${spawnError.message}`);
    if (child.exitCode !== null) {
      throw new Error(`anvil exited (${child.exitCode}) before answering on ${rpcUrl}: ${stderr.trim()}`);
    }
    const chainId = await client.getChainId().catch(() => undefined);
    if (chainId !== undefined) {
      return { rpcUrl, chainId, blockTime: options.blockTime, process: child, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil did not answer on ${rpcUrl} within 30 s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
