/**
 * The whole application for a browser test: a local chain with the ledger deployed, a world
 * seeded on it, the serial manifests stored and the read model indexed, and the Next.js server
 * (a production build, `next start`) pointed at them, on free ports and a throwaway data folder.
 *
 * ```ts
 * const stack = await startStack(async (world) => ({ batch: await world.registerBatch(...) }));
 * stack.url("/verify");           // http://127.0.0.1:<port>/verify
 * stack.fixtures.batch;           // what the seed returned
 * await stack.stop();
 * ```
 *
 * The build is made once per test run by e2e/run.ts (into .next-e2e); a test file started on its
 * own builds it when it is missing. Role flows add their own seed functions; the stack is the same.
 * `startDemoStack()` seeds `npm start`'s demo world (scripts/demo) instead of the test world.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext } from "playwright-core";
import type { PrivateKeyAccount } from "viem/accounts";
import { demoGenesisTime, seedDemoWorld, type DemoManifest, type DemoSummary } from "../../../../scripts/demo/seed.ts";
import { createAppContext } from "../../src/server/context.ts";
import { openDatabase, type Database } from "../../src/server/db/database.ts";
import { storeManifest } from "../../src/server/manifests/store.ts";
import { defaultConfirmations, syncToHead } from "../../src/server/indexer/sync.ts";
import { freePort, startTestChain, type TestChain } from "../../test/support/chain.ts";
import { createScratchDatabase } from "../../test/support/database.ts";
import { createWorld, type World, type WorldBatch } from "../../test/support/world.ts";
import { storeWorldManifest } from "../../test/support/manifests.ts";
import { signInAs } from "../../test/support/signIn.ts";

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** PEDIGREE_E2E_DIST_DIR: another folder, so two checkouts' or people's builds do not collide. */
export const E2E_DIST_DIR = process.env.PEDIGREE_E2E_DIST_DIR ?? ".next-e2e";
/** Next's CLI script, run on this process's Node (its bin shim would take the first `node` on PATH). */
function nextBin(): string {
  const local = path.join(WEB_DIR, "node_modules/next/dist/bin/next");
  return existsSync(local) ? local : path.resolve(WEB_DIR, "../../node_modules/next/dist/bin/next");
}

/** `next build` into the e2e folder (a production build: what users run, and fast pages in tests). */
export function buildApp(): void {
  const started = Date.now();
  // `next build` adds its dist folder's type paths to tsconfig.json (and reformats it): put it back.
  const tsconfig = path.join(WEB_DIR, "tsconfig.json");
  const tsconfigBefore = readFileSync(tsconfig, "utf8");
  const result = spawnSync(process.execPath, [nextBin(), "build"], {
    cwd: WEB_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PEDIGREE_NEXT_DIST_DIR: E2E_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (readFileSync(tsconfig, "utf8") !== tsconfigBefore) writeFileSync(tsconfig, tsconfigBefore);
  if (result.status !== 0) {
    throw new Error(`next build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  process.stderr.write(`# next build: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

/** The operator token the test server accepts for the full /api/health report (see src/server/health.ts). */
export const OPERATOR_TOKEN = `e2e-operator-${process.pid}-${Date.now()}`;

/** The full health report, as an operator sees it. */
export async function operatorHealth(
  baseUrl: string,
): Promise<{ indexer: { cursor: number | null; state: string } | null }> {
  const response = await fetch(new URL("/api/health", baseUrl), {
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    signal: AbortSignal.timeout(5_000),
  });
  return (await response.json()) as { indexer: { cursor: number | null; state: string } | null };
}

/**
 * Gives a browser context the session of `account`, signed in over HTTP as the CLI does: for
 * tests whose subject is not the wallet dialog (the roles suite signs in through it).
 */
export async function signInBrowser(
  context: BrowserContext,
  baseUrl: string,
  account: PrivateKeyAccount,
): Promise<void> {
  const attempt = await signInAs(baseUrl, account);
  if (attempt.status !== 200)
    throw new Error(`Signing in as ${account.address} failed: ${JSON.stringify(attempt.body)}`);
  await context.addCookies([
    { name: "pedigree_session", value: attempt.body.token, url: baseUrl, httpOnly: true, sameSite: "Strict" },
  ]);
}

export function ensureBuilt(): void {
  if (process.env.PEDIGREE_E2E_BUILT === "1" && existsSync(path.join(WEB_DIR, E2E_DIST_DIR, "BUILD_ID"))) return;
  buildApp();
}

export interface SeedContext {
  world: World;
  chain: TestChain;
}

/** One `next start` process of the stack. */
export interface StackServer {
  baseUrl: string;
  pid: number | undefined;
  /** Stops this server alone (failover tests); the stack's `stop` stops the others. */
  stop(): Promise<void>;
}

export interface Stack<F> {
  chain: TestChain;
  world: World;
  fixtures: F;
  /** The first server's URL. */
  baseUrl: string;
  /** The first `next start` process (benchmarks read its CPU time). */
  serverPid: number | undefined;
  /** Every server (`servers` in the options), the first being `baseUrl`'s. */
  servers: StackServer[];
  url(pathAndQuery: string): string;
  /** Stops the chain only (the server keeps running): for "the chain is unreachable" checks. */
  stopChain(): Promise<void>;
  /** Stops the server and the chain and deletes the data folder. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** The chain's genesis time (ISO), for worlds with history in the past (expired batches). */
  initialDate?: string;
  /**
   * A PostgreSQL server to keep the read model on (a new database, dropped at stop), as a
   * deployment past one process would; default PGlite in a throwaway folder.
   */
  postgresServerUrl?: string;
  /**
   * How many `next start` processes to run on the one database (default 1; more need
   * `postgresServerUrl`, PGlite being one process). The first runs the indexer, the others are
   * started with PEDIGREE_INDEXER=off, as docs/OPERATIONS.md runs several web servers.
   */
  servers?: number;
  /** More environment for the servers (limits, PEDIGREE_TRUST_PROXY, PEDIGREE_PUBLIC_ORIGIN behind a proxy). */
  serverEnv?: Record<string, string>;
  /** Which ledger the chain runs: the count ledger (default) or the package-level one with its lens. */
  ledger?: "count" | "package";
}

/** Every batch the world registered: their manifests go into the read model like an upload would. */
function batchesOf(fixtures: unknown): WorldBatch[] {
  const found = new Map<string, WorldBatch>();
  const visit = (value: unknown, depth: number) => {
    if (value === null || typeof value !== "object" || depth > 3) return;
    const candidate = value as Partial<WorldBatch>;
    if (typeof candidate.batchId === "string" && candidate.manifest !== undefined) {
      found.set(candidate.batchId, value as WorldBatch);
      return;
    }
    for (const inner of Object.values(value)) visit(inner, depth + 1);
  };
  visit(fixtures, 0);
  return [...found.values()];
}

async function waitForHttp(url: string, server: ChildProcess, output: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next start exited (${server.exitCode}):\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`The app did not answer on ${url} within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function startStack<F>(
  seed: (context: SeedContext) => Promise<F>,
  options: StackOptions = {},
): Promise<Stack<F>> {
  return launchStack(options, async (chain) => {
    const world = await createWorld(chain);
    const fixtures = await seed({ world, chain });
    return {
      extra: { world, fixtures },
      fillReadModel: async (db) => {
        for (const batch of batchesOf(fixtures)) await storeWorldManifest(db, batch);
      },
    };
  });
}

/** A stack without the test world: what a benchmark of the whole product sees. */
export type DemoStack = Omit<Stack<DemoSummary>, "world">;

/**
 * The stack with `npm start`'s demo world (scripts/demo) instead of the test world: a chain whose
 * clock starts 400 days back, a year of custody history, every batch's serial list stored. The
 * demo's parties are accounts 0 to 6 of the test mnemonic, as the dashboard's demo accounts.
 */
export function startDemoStack(options: Omit<StackOptions, "initialDate"> = {}): Promise<DemoStack> {
  return launchStack({ ...options, initialDate: demoGenesisTime().toISOString() }, async (chain) => {
    let manifests: DemoManifest[] = [];
    const summary = await seedDemoWorld({
      rpcUrl: chain.rpcUrl,
      ledger: { address: chain.address, deploymentBlock: chain.deploymentBlock, kind: chain.target.kind },
      storeManifests: async (all) => {
        manifests = all;
      },
    });
    return {
      extra: { fixtures: summary },
      fillReadModel: async (db) => {
        for (const manifest of manifests) {
          await storeManifest(db, {
            batchId: manifest.batchId,
            gtin: manifest.gtin,
            lot: manifest.lot,
            serials: manifest.serials,
            expectedRoot: manifest.root,
            uploadedBy: manifest.manufacturer,
          });
        }
      },
    };
  });
}

/**
 * A chain, a world `prepare` seeds onto it, the read model filled and indexed, and `next start`
 * on it: the machinery every stack shares.
 */
async function launchStack<E extends object>(
  options: StackOptions,
  prepare: (chain: TestChain) => Promise<{ extra: E; fillReadModel: (db: Database) => Promise<void> }>,
): Promise<Omit<Stack<never>, "world" | "fixtures"> & E> {
  ensureBuilt();
  const chain = await startTestChain({
    initialDate: options.initialDate,
    ...(options.ledger === "package" ? { contract: "PedigreePackageLedger" as const } : {}),
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "pedigree-e2e-"));
  const scratch = options.postgresServerUrl
    ? await createScratchDatabase(options.postgresServerUrl).catch(async (error: unknown) => {
        await chain.stop();
        rmSync(dataDir, { recursive: true, force: true });
        throw error;
      })
    : undefined;
  const cleanUp = async () => {
    await chain.stop();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const servers: ChildProcess[] = [];
  const started: StackServer[] = [];
  try {
    const { extra, fillReadModel } = await prepare(chain);
    // Off Hardhat's chain 31337 an event counts once PEDIGREE_CONFIRMATIONS blocks (default 5)
    // are on top of it: mine them, so the seeded world is in the read model when the page opens
    // (the anvil suite's clock would bring them, 10 s later).
    const confirmations = defaultConfirmations(chain.chainId);
    if (confirmations > 0) await chain.testClient.mine({ blocks: confirmations });

    // PGlite is one process at a time: fill the read model before the server opens it.
    const target = chain.target;
    const database = await openDatabase({ url: scratch?.url ?? "", dataDir });
    try {
      await fillReadModel(database.db);
      const ctx = await createAppContext({ target, database });
      await syncToHead(ctx);
    } finally {
      await database.close();
    }

    const count = options.servers ?? 1;
    if (count > 1 && scratch === undefined) {
      throw new Error(
        "Several web servers share one database: give the stack a postgresServerUrl (PGlite is one process).",
      );
    }
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      let output = "";
      const server = spawn(process.execPath, [nextBin(), "start", "--hostname", "127.0.0.1", "--port", String(port)], {
        cwd: WEB_DIR,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          DATABASE_URL: scratch?.url ?? "",
          PEDIGREE_RPC_URL: chain.rpcUrl,
          PEDIGREE_CHAIN_ID: String(chain.chainId),
          PEDIGREE_LEDGER_ADDRESS: chain.address,
          PEDIGREE_DEPLOYMENT_BLOCK: String(chain.deploymentBlock),
          PEDIGREE_LEDGER_KIND: chain.target.kind ?? "count",
          ...(chain.lens ? { PEDIGREE_LENS_ADDRESS: chain.lens } : {}),
          PEDIGREE_DATA_DIR: dataDir,
          PEDIGREE_NEXT_DIST_DIR: E2E_DIST_DIR,
          PEDIGREE_PUBLIC_ORIGIN: baseUrl,
          PEDIGREE_OPERATOR_TOKEN: OPERATOR_TOKEN,
          // Hardhat's node and anvil both are development nodes funding the test mnemonic, as in
          // `npm start`: the dashboard offers its accounts ("Demo organisations") on either, though
          // by default only on chain 31337, and anvil has a chain id of its own.
          PEDIGREE_DEMO_ACCOUNTS: "on",
          NEXT_TELEMETRY_DISABLED: "1",
          ...(i > 0 ? { PEDIGREE_INDEXER: "off" } : {}),
          ...options.serverEnv,
        },
      });
      servers.push(server);
      server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      await waitForHttp(`${baseUrl}/verify`, server, () => output);
      started.push({ baseUrl, pid: server.pid, stop: () => stopServer(server) });
    }

    const [first] = started as [StackServer];
    let stopped = false;
    return {
      ...extra,
      chain,
      baseUrl: first.baseUrl,
      serverPid: first.pid,
      servers: started,
      url: (pathAndQuery: string) => new URL(pathAndQuery, first.baseUrl).toString(),
      stopChain: () => chain.stop(),
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const server of started) await server.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    for (const server of servers) await stopServer(server);
    await cleanUp();
    throw error;
  }
}

/** `next start` runs workers: stop its whole process group, by its id. */
async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.pid === undefined) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    server.kill("SIGTERM");
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-server.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}
