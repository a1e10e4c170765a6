/**
 * Deploys the ledger with its Ignition module and hands the result to the application side.
 *
 *   node scripts/deploy.ts --network localhost          (npm run deploy:local)
 *   node scripts/deploy.ts --ledger package ...         (the package-level ledger and its lens;
 *                                                        default: the count ledger)
 *   node scripts/deploy.ts --network remote             (asks "Confirm deploy to network remote?")
 *   node scripts/deploy.ts --network remote --yes       (unattended: CI/CD; CI=true does the same)
 *   ... --parameters ignition/parameters/remote.json    (default: that file when it exists)
 *
 * Ignition asks for confirmation before deploying to any chain but 31337; the question is
 * answered on this terminal (standard input is handed to it), or skipped with --yes, CI=true or
 * Ignition's own HARDHAT_IGNITION_CONFIRM_DEPLOYMENT=false. Without a terminal and without any of
 * them, the script stops at once and says so, instead of a prompt nobody can answer.
 *
 * The `remote` network takes its URL and key from Hardhat configuration variables
 * (PEDIGREE_RPC_URL, PEDIGREE_DEPLOYER_KEY: hardhat.config.ts). docs/OPERATIONS.md has the rest.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, http } from "viem";
import {
  exportAbi,
  exportDeployment,
  IGNITION_MODULES,
  readIgnitionDeployment,
  type DeploymentRecord,
  type LedgerKind,
} from "./export-ledger.ts";

const LOCAL_CHAIN_ID = 31337;
const ROOT = path.resolve(import.meta.dirname, "..");
// Hardhat's CLI script, run on this process's Node 22 (its bin shim takes the first `node` on PATH).
const HARDHAT_CLI = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");

export interface DeployOptions {
  /** A network of hardhat.config.ts: localhost, remote... */
  network: string;
  /** Which ledger: the count ledger (default, while the application moves over) or the package-level one. */
  ledger?: LedgerKind;
  /** The node's URL, when the caller knows it (a chain it started): asked for its chain id first. */
  rpcUrl?: string;
  /**
   * The caller started this chain empty (npm start): an Ignition record of the same chain id is
   * from an earlier chain and is reset without asking. On chain 31337 it always is (the local
   * chain starts empty every time).
   */
  freshChain?: boolean;
  /** Deploy without asking for confirmation (CI/CD). Default: ask on the terminal. */
  yes?: boolean;
  /** Module parameters for Ignition (a JSON file); default ignition/parameters/<network>.json when it exists. */
  parameters?: string;
  /**
   * Write the address to packages/ledger/src/generated/deployments.ts, which the application
   * reads (default true). npm start's anvil chain passes false: it is new at every start, so its
   * record would only churn a committed file; its web server gets the address in its environment.
   */
  record?: boolean;
}

export interface Deployment extends DeploymentRecord {
  chainId: number;
  kind: LedgerKind;
}

/** Whether the environment says nobody is there to answer: CI=true (or 1), as CI services set it. */
export function unattendedByEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.CI === "1";
}

/** The parameters file Ignition gets: the one given, or ignition/parameters/<network>.json when it exists. */
export function parametersFile(network: string, given?: string): string | undefined {
  if (given !== undefined) {
    const file = path.resolve(given);
    if (!existsSync(file)) throw new Error(`The parameters file ${given} does not exist.`);
    return file;
  }
  const conventional = path.join(ROOT, "ignition/parameters", `${network}.json`);
  return existsSync(conventional) ? conventional : undefined;
}

export async function deploy(options: DeployOptions): Promise<Deployment> {
  const { network, rpcUrl } = options;
  const kind = options.ledger ?? "count";
  let chainId: number | undefined;
  if (rpcUrl !== undefined) {
    try {
      chainId = await createPublicClient({ transport: http(rpcUrl, { retryCount: 1 }) }).getChainId();
    } catch {
      throw new Error(`No chain answers at ${rpcUrl}.`);
    }
  }
  const yes = options.yes ?? unattendedByEnvironment();
  const confirmationSkipped = yes || process.env.HARDHAT_IGNITION_CONFIRM_DEPLOYMENT !== undefined;
  if (chainId !== LOCAL_CHAIN_ID && !confirmationSkipped && !process.stdin.isTTY) {
    throw new Error(
      `Ignition asks to confirm a deployment to network ${network}, and there is no terminal to answer it. ` +
        "Run the command in a terminal, or pass --yes (or set CI=true) to deploy unattended.",
    );
  }
  const args = [
    HARDHAT_CLI,
    "ignition",
    "deploy",
    IGNITION_MODULES[kind].file,
    "--network",
    network,
    "--build-profile",
    "production",
  ];
  const parameters = parametersFile(network, options.parameters);
  if (parameters !== undefined) args.push("--parameters", parameters);
  const fresh = chainId === LOCAL_CHAIN_ID || options.freshChain === true;
  if (fresh) args.push("--reset");
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" };
  // Ignition's own switches: any value skips its question (hardhat-ignition's deploy task).
  if (yes) env.HARDHAT_IGNITION_CONFIRM_DEPLOYMENT = "false";
  // A chain the caller has just started: the record Ignition would ask about belongs to an older one.
  if (fresh) env.HARDHAT_IGNITION_CONFIRM_RESET = "false";
  // Asynchronous on purpose: a blocked event loop would miss the chain closing our idle
  // keep-alive sockets, and the caller's next request would then fail on a dead one.
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      // The terminal's standard input, so that Ignition's confirmation can be answered there.
      stdio: "inherit",
      env,
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
  if (status !== 0) throw new Error(`Ignition deployment to ${network} failed (exit ${status}); see the output above.`);
  chainId ??= await chainIdOfNetwork(network);
  exportAbi();
  const record = readIgnitionDeployment(chainId, kind);
  if (options.record !== false) await exportDeployment(chainId, record);
  return { chainId, ...record, kind };
}

/** Asks the network itself (through Hardhat's configuration of it) which chain it is. */
async function chainIdOfNetwork(network: string): Promise<number> {
  const hre = await import("hardhat");
  const connection = await hre.network.connect(network);
  try {
    return Number(await connection.provider.request({ method: "eth_chainId" }));
  } finally {
    await connection.close();
  }
}

const USAGE = `Usage: node scripts/deploy.ts --network <localhost|remote> [--ledger count|package] [--yes] [--parameters <file.json>]

  --network     a network of hardhat.config.ts (default localhost, the chain on 127.0.0.1:8545)
  --ledger      count (PedigreeLedger, the default) or package (PedigreePackageLedger and its lens)
  --yes         deploy without asking for confirmation (CI/CD); CI=true does the same
  --parameters  Ignition module parameters (admin, adminTransferDelay); default
                ignition/parameters/<network>.json when it exists`;

if (import.meta.main) {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        network: { type: "string", default: "localhost" },
        ledger: { type: "string", default: "count" },
        yes: { type: "boolean", short: "y" },
        parameters: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const network = values.network;
  const ledger = values.ledger;
  if (ledger !== "count" && ledger !== "package") {
    console.error(`--ledger must be count or package (got '${ledger}').\n\n${USAGE}`);
    process.exit(2);
  }
  const rpcUrl = network === "localhost" ? (process.env.PEDIGREE_LOCAL_RPC_URL ?? "http://127.0.0.1:8545") : undefined;
  try {
    const { chainId, address, deploymentBlock, lens } = await deploy({
      network,
      ledger,
      rpcUrl,
      yes: values.yes === true ? true : undefined,
      parameters: values.parameters,
    });
    const contract = ledger === "package" ? "PedigreePackageLedger" : "PedigreeLedger";
    console.log(`\n${contract} deployed on chain ${chainId} at ${address} (block ${deploymentBlock}).`);
    if (lens !== undefined) console.log(`Its lens, PedigreePackageLens, at ${lens}.`);
    console.log("Addresses and ABI written to packages/ledger/src/generated/.");
  } catch (error) {
    console.error(`\n${(error as Error).message}`);
    if (network === "localhost")
      console.error("Is a local chain running? Start one with `npm run chain` (or `npm start`).");
    process.exit(1);
  }
}
