/**
 * `npm start`: the whole system on this machine, in one command.
 *
 * 1. a local chain on 127.0.0.1:8545 whose clock starts a year ago (the demo world has history):
 *    Hardhat's node, which mines each transaction at once, or with `--chain=anvil` Foundry's
 *    anvil with a chain id of its own (ANVIL_CHAIN_ID) and, with `--block-time=N`, a block every
 *    N seconds as on a real network;
 * 2. the ledger, deployed through the Ignition module, its address written for the app side;
 * 3. the demo world: parties, products, batches, shipments, dispensed and recalled stock, moving
 *    the chain's clock up to now (scripts/demo), with each batch's serial manifest stored in the
 *    read model, and the VRS lookup directory and Northwind's responder credential (a saleable
 *    return waits for it in its inbox), and one staff invitation per demo organisation, whose link
 *    is printed: opened in the browser, it creates a passkey to work for it without a wallet;
 * 4. each demo organisation's key in an encrypted keystore, with a passphrase file (scripts/demo/keys.ts,
 *    under .data/local), which the dashboard signs with: a demo organisation signed in writes
 *    through its server, without a wallet prompt;
 * 5. the dashboard (Next.js, built on first start or when its sources changed), with the indexer
 *    running inside it, on 127.0.0.1:3000;
 * then prints the URL, the demo accounts and one pack link per verdict. Ctrl-C stops everything.
 *
 *   npm start -- [--chain=hardhat|anvil] [--block-time=SECONDS] [--chain-id=N] [--chain-port=N] [--port=N]
 *                [--ledger=count|package]
 *
 * A local chain starts empty every time, so its read model (.data/local) starts empty too; the
 * data of a real network (DATABASE_URL, or .data/pglite) is never touched here.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { createConnection } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { signIn } from "./cli/api.ts";
import { ANVIL_CHAIN_ID, startAnvil } from "./anvil.ts";
import { deploy, type Deployment } from "./deploy.ts";
import type { LedgerKind } from "./export-ledger.ts";
import { DEMO_MNEMONIC, PARTIES } from "./demo/world.ts";
import { demoGenesisTime, formatDemoSummary, seedDemoWorld, type DemoManifest, type DemoSummary } from "./demo/seed.ts";
import { createDemoKeys, demoKeysEnv, type DemoKeys } from "./demo/keys.ts";
import { storeDemoVrs } from "./demo/vrs.ts";
import { formatDemoInvitations, storeDemoStaff, type DemoInvitation } from "./demo/staff.ts";
import { openDatabase } from "../apps/web/src/server/db/database.ts";
import { storeManifest } from "../apps/web/src/server/manifests/store.ts";

const USAGE = `Usage: npm start -- [options]

  --chain=hardhat|anvil   the local chain: Hardhat's node (default), or Foundry's anvil with a
                          chain id of its own
  --block-time=SECONDS    anvil only: mine a block every SECONDS (default: each transaction at once)
  --chain-id=N            anvil only: its chain id (default ${ANVIL_CHAIN_ID})
  --chain-port=N          the chain's port on 127.0.0.1 (default 8545)
  --port=N                the dashboard's port (default $PORT or 3000)
  --ledger=count|package  the ledger: count (PedigreeLedger, default) or package (PedigreePackageLedger,
                          custody pack by pack, case by case: the stock page, the counter and the
                          batch page work on it; the rest of the dashboard is moving over)`;

function positiveInteger(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1)
    throw new Error(`${what} must be a whole number, 1 or more (got '${value}').`);
  return number;
}

interface StartOptions {
  chain: "hardhat" | "anvil";
  blockTime: number | undefined;
  chainId: number | undefined;
  chainPort: number;
  webPort: number;
  ledger: LedgerKind;
}

function startOptions(argv: string[]): StartOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      chain: { type: "string", default: "hardhat" },
      "block-time": { type: "string" },
      "chain-id": { type: "string" },
      "chain-port": { type: "string" },
      port: { type: "string" },
      ledger: { type: "string", default: "count" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.chain !== "hardhat" && values.chain !== "anvil") {
    throw new Error(`--chain is hardhat or anvil (got '${values.chain}').`);
  }
  if (values.ledger !== "count" && values.ledger !== "package") {
    throw new Error(`--ledger is count or package (got '${values.ledger}').`);
  }
  const blockTime = positiveInteger(values["block-time"], "--block-time");
  const chainId = positiveInteger(values["chain-id"], "--chain-id");
  if (values.chain === "hardhat" && (blockTime !== undefined || chainId !== undefined)) {
    throw new Error("--block-time and --chain-id are anvil's: add --chain=anvil.");
  }
  return {
    chain: values.chain,
    blockTime,
    chainId,
    chainPort: positiveInteger(values["chain-port"], "--chain-port") ?? 8545,
    webPort: positiveInteger(values.port ?? process.env.PORT, "--port") ?? 3000,
    ledger: values.ledger,
  };
}

let options: StartOptions;
try {
  options = startOptions(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
const CHAIN_PORT = options.chainPort;
const WEB_PORT = options.webPort;
const RPC_URL = `http://127.0.0.1:${CHAIN_PORT}`;
const WEB_URL = `http://127.0.0.1:${WEB_PORT}`;
// The deployment's `localhost` network (hardhat.config.ts) points at this chain.
process.env.PEDIGREE_LOCAL_RPC_URL = RPC_URL;
const ROOT = path.resolve(import.meta.dirname, "..");
const WEB_DIR = path.join(ROOT, "apps/web");
const LOCAL_DATA_DIR = path.join(ROOT, ".data/local/pglite");
// The CLIs' scripts, run on this process's Node 22 (their bin shims take the first `node` on PATH).
const HARDHAT_CLI = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const NEXT_CLI = path.join(ROOT, "node_modules/next/dist/bin/next");

// The key the dashboard seals partners' VRS credentials with (docs/SECURITY.md): a new one each
// start, as the local read model is new each start.
const SECRET_KEY = randomBytes(32);

const children: ChildProcess[] = [];
let stopping = false;

function stopAll(code = 0): void {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  // Give the children a moment to close their databases and sockets.
  setTimeout(() => process.exit(code), 1_500).unref();
  if (children.every((child) => child.exitCode !== null)) process.exit(code);
}
process.on("SIGINT", () => {
  console.log("\nStopping Pedigree...");
  stopAll(0);
});
process.on("SIGTERM", () => stopAll(0));

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function watch(child: ChildProcess, what: string): void {
  children.push(child);
  child.on("exit", (code) => {
    if (stopping) return;
    console.error(`\n${what} stopped unexpectedly (exit ${code}). Stopping Pedigree.`);
    stopAll(1);
  });
}

async function waitFor(what: string, seconds: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await ready())) {
    if (stopping) throw new Error("stopped");
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${seconds} s.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function startChain(genesis: Date): Promise<void> {
  if (options.chain === "anvil") {
    const anvil = await startAnvil({
      port: CHAIN_PORT,
      chainId: options.chainId ?? ANVIL_CHAIN_ID,
      blockTime: options.blockTime,
      genesis,
    });
    watch(anvil.process, "The local chain (anvil)");
    return;
  }
  // `--network hardhat`: the configured in-process network, whose genesis time this env sets.
  const chain = spawn(
    process.execPath,
    [HARDHAT_CLI, "--network", "hardhat", "node", "--hostname", "127.0.0.1", "--port", String(CHAIN_PORT)],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
        PEDIGREE_CHAIN_INITIAL_DATE: genesis.toISOString(),
      },
    },
  );
  watch(chain, "The local chain");
  const client = createPublicClient({ transport: http(RPC_URL, { retryCount: 0, timeout: 1_000 }) });
  await waitFor("The local chain", 60, () =>
    client.getChainId().then(
      () => true,
      () => false,
    ),
  );
}

/** Newest modification time under the given paths (files only). */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p))
        if (entry !== "node_modules" && !entry.startsWith(".next")) visit(path.join(p, entry));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** `next build` when there is no build yet or a source changed since the last one. */
function ensureWebBuild(): void {
  const buildId = path.join(WEB_DIR, ".next/BUILD_ID");
  const sources = ["src", "public", "next.config.ts", "package.json"].map((p) => path.join(WEB_DIR, p));
  sources.push(path.join(ROOT, "packages/gs1/src"), path.join(ROOT, "packages/ledger/src"));
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestMtime(sources)) return;
  console.log("Building the dashboard (the first start takes a minute or two)...");
  const result = spawnSync(process.execPath, [NEXT_CLI, "build"], {
    cwd: WEB_DIR,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`Building the dashboard failed (exit ${result.status}); see above.`);
}

/**
 * The potential falsification of the demo: Harbour Pharmacy scans, for dispensing, a pack that
 * Central Pharmacy dispensed three weeks ago. Only a signed-in pharmacy's scan raises an alert, so
 * it signs in as Harbour (the demo mnemonic's account), as the CLI does.
 */
async function raiseDemoAlert(code: string, chainId: number): Promise<void> {
  try {
    const harbour = mnemonicToAccount(DEMO_MNEMONIC, { addressIndex: PARTIES.harbour.index });
    const token = await signIn(WEB_URL, harbour, chainId);
    const response = await fetch(`${WEB_URL}/api/verify?purpose=dispense&code=${encodeURIComponent(code)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new Error(`the check answered ${response.status}`);
  } catch (error) {
    console.warn(`The demo's falsification alert could not be raised (${(error as Error).message}); the rest works.`);
  }
}

async function startWeb(
  ledger: { chainId: number; address: string; deploymentBlock: number; kind: LedgerKind; lens?: string },
  keys: DemoKeys,
): Promise<void> {
  const web = spawn(process.execPath, [NEXT_CLI, "start", "--hostname", "127.0.0.1", "--port", String(WEB_PORT)], {
    cwd: WEB_DIR,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      PEDIGREE_RPC_URL: RPC_URL,
      PEDIGREE_CHAIN_ID: String(ledger.chainId),
      // The deployment itself, not the generated record: anvil's is not written there (deploy.ts).
      PEDIGREE_LEDGER_ADDRESS: ledger.address,
      PEDIGREE_DEPLOYMENT_BLOCK: String(ledger.deploymentBlock),
      PEDIGREE_LEDGER_KIND: ledger.kind,
      ...(ledger.lens === undefined ? {} : { PEDIGREE_LENS_ADDRESS: ledger.lens }),
      // Both chains are development nodes funding the test mnemonic: its keys are public and
      // worth nothing here, so the dashboard may offer them ("Demo organisations").
      PEDIGREE_DEMO_ACCOUNTS: "on",
      PEDIGREE_DATA_DIR: LOCAL_DATA_DIR,
      // Sign-in messages and labels name this origin; requests addressed to another host are refused.
      PEDIGREE_PUBLIC_ORIGIN: WEB_URL,
      PEDIGREE_SECRET_KEY: SECRET_KEY.toString("hex"),
      // The demo's VRS responder is this dashboard, over http on loopback (production refuses
      // both unless told: docs/SECURITY.md, "The VRS requester").
      PEDIGREE_VRS_ALLOW_LOOPBACK: "on",
      // The demo organisations' keys: their writes are signed here, the wallet is one choice more.
      ...demoKeysEnv(keys),
      DATABASE_URL: "",
    },
  });
  watch(web, "The dashboard");
  await waitFor("The dashboard", 120, async () => {
    try {
      const response = await fetch(`${WEB_URL}/api/health`);
      return response.ok;
    } catch {
      return false;
    }
  });
}

async function storeDemoManifests(manifests: DemoManifest[]): Promise<void> {
  rmSync(path.dirname(LOCAL_DATA_DIR), { recursive: true, force: true });
  const database = await openDatabase({ url: "", dataDir: LOCAL_DATA_DIR });
  try {
    for (const manifest of manifests) {
      await storeManifest(database.db, {
        batchId: manifest.batchId,
        gtin: manifest.gtin,
        lot: manifest.lot,
        serials: manifest.serials,
        expectedRoot: manifest.root,
        uploadedBy: manifest.manufacturer,
      });
    }
  } finally {
    await database.close();
  }
}

/** The lookup directory and Northwind's responder credential (scripts/demo/vrs.ts). */
async function storeVrsSetUp(summary: DemoSummary): Promise<void> {
  const address = (name: string) => summary.accounts.find((account) => account.name === name)!.address;
  const database = await openDatabase({ url: "", dataDir: LOCAL_DATA_DIR });
  try {
    await storeDemoVrs(database.db, {
      origin: WEB_URL,
      secretKey: SECRET_KEY,
      addresses: {
        acme: address(PARTIES.acme.name),
        borealis: address(PARTIES.borealis.name),
        northwind: address(PARTIES.northwind.name),
      },
    });
  } finally {
    await database.close();
  }
}

/** One staff invitation per demo organisation (scripts/demo/staff.ts): the links are printed at the end. */
async function storeStaffInvitations(summary: DemoSummary): Promise<DemoInvitation[]> {
  const address = (key: keyof typeof PARTIES) =>
    summary.accounts.find((account) => account.name === PARTIES[key].name)!.address;
  const database = await openDatabase({ url: "", dataDir: LOCAL_DATA_DIR });
  try {
    return await storeDemoStaff(database.db, {
      origin: WEB_URL,
      addresses: {
        acme: address("acme"),
        borealis: address("borealis"),
        northwind: address("northwind"),
        central: address("central"),
        harbour: address("harbour"),
        agency: address("agency"),
      },
    });
  } finally {
    await database.close();
  }
}

function chainDescription(): string {
  if (options.chain === "hardhat") return "Hardhat, a block per transaction";
  return options.blockTime === undefined
    ? "anvil, a block per transaction"
    : `anvil, a block every ${options.blockTime} s`;
}

/** Which ledger runs where: the count ledger, or the package-level one with its lens. */
function ledgerDescription({ kind, address, lens }: Deployment): string {
  return kind === "package"
    ? `PedigreePackageLedger at ${address}, its lens at ${lens}`
    : `PedigreeLedger at ${address}`;
}

function printSummary(summary: DemoSummary, deployment: Deployment, invitations: readonly DemoInvitation[]): void {
  const { chainId } = deployment;
  console.log(`
Pedigree is running.

  dashboard      ${WEB_URL}
  patient check  ${WEB_URL}/verify
  chain          ${RPC_URL} (${chainDescription()}, chain id ${chainId}), ${ledgerDescription(deployment)}

${formatDemoSummary(summary, WEB_URL)}
Sign in on the dashboard with "Demo organisations" (local chain only) to act as any of them:
the dashboard holds their keys (.data/local/keys) and signs their writes itself, with no wallet
prompt, recording who asked (GET /api/writes). The network operator's steps are signed in the wallet.

${formatDemoInvitations(invitations)}

Press Ctrl-C to stop.`);
}

try {
  for (const [port, what] of [
    [CHAIN_PORT, "the local chain"],
    [WEB_PORT, "the dashboard"],
  ] as const) {
    if (await portTaken(port)) {
      throw new Error(
        `Port ${port}, which ${what} needs, is taken. Stop what uses it (another \`npm start\`?) and try again.`,
      );
    }
  }
  ensureWebBuild();
  console.log(`Starting a local chain on ${RPC_URL} (${chainDescription()})...`);
  await startChain(demoGenesisTime());
  console.log("Deploying the Pedigree ledger...");
  // The chain was just started empty: an Ignition record of its chain id is an earlier chain's.
  // Hardhat's deployment (chain 31337, always the same address and block) is written for the
  // app; anvil's is handed to the web server below instead.
  // The package ledger's record is not written while the count ledger is the committed default.
  const deployment = await deploy({
    network: "localhost",
    ledger: options.ledger,
    rpcUrl: RPC_URL,
    freshChain: true,
    yes: true,
    record: options.chain === "hardhat" && options.ledger === "count",
  });
  const { chainId, address, deploymentBlock } = deployment;
  console.log("Seeding the demo world...");
  const summary = await seedDemoWorld({
    rpcUrl: RPC_URL,
    ledger: { address: address as `0x${string}`, deploymentBlock, kind: deployment.kind },
    storeManifests: storeDemoManifests,
    log: (line) => console.log(`  ${line}`),
  });
  await storeVrsSetUp(summary);
  const invitations = await storeStaffInvitations(summary);
  console.log("Writing the demo organisations' keystores...");
  // After the seed: storing its manifests starts .data/local afresh.
  const keys = await createDemoKeys(path.join(path.dirname(LOCAL_DATA_DIR), "keys"));
  console.log("Starting the dashboard and its indexer...");
  await startWeb(deployment, keys);
  await raiseDemoAlert(summary.alertCode, chainId);
  printSummary(summary, deployment, invitations);
} catch (error) {
  if (!stopping) {
    console.error(`\nnpm start failed: ${(error as Error).message}`);
    stopAll(1);
  }
}
