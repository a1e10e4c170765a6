/**
 * Chaos: the indexer process is killed (SIGKILL, no chance to clean up) at random points while it
 * catches up with 10,000 ledger events, five times; restarted each time, and finally run to the
 * head. The database it leaves must equal a clean re-index of the chain, row for row: one
 * transaction per step means a kill loses at most the step in progress, and the next run redoes it
 * exactly once.
 *
 * Needs PostgreSQL (the indexer runs as its own process, as in production): chaos/run.ts passes
 * PEDIGREE_TEST_DATABASE_URL, starting a server with .ci/postgres-start when none is given.
 * PEDIGREE_CHAOS_EVENTS (default 10000) and PEDIGREE_CHAOS_SEED (default: random) vary the run;
 * the seed is printed so a failing run can be replayed.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { count } from "drizzle-orm";
import postgres from "postgres";
import { createAppContext } from "../src/server/context.ts";
import { openDatabase, type OpenedDatabase } from "../src/server/db/database.ts";
import { events } from "../src/server/db/schema.ts";
import { snapshotReadModel } from "../src/server/indexer/snapshot.ts";
import { indexedBlock, syncToHead } from "../src/server/indexer/sync.ts";
import { startTestChain, type TestChain } from "../test/support/chain.ts";
import { seedCustodyEvents } from "./support/seed.ts";

const INDEXER_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/server/indexer/main.ts");
const TARGET_EVENTS = Number(process.env.PEDIGREE_CHAOS_EVENTS ?? 10_000);
const KILLS = 5;

/** A small deterministic generator, so a run's kill times can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe("chaos: the indexer process killed at random points while it catches up (postgres)", () => {
  const serverUrl = process.env.PEDIGREE_TEST_DATABASE_URL;
  let chain: TestChain;
  const databases: { opened: OpenedDatabase; url: string; name: string }[] = [];
  let admin: postgres.Sql | undefined;

  async function freshDatabase() {
    const name = `pedigree_chaos_${randomBytes(6).toString("hex")}`;
    await admin!.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const opened = await openDatabase({ url: url.toString() });
    const entry = { opened, url: url.toString(), name };
    databases.push(entry);
    return entry;
  }

  before(async () => {
    if (!serverUrl) return;
    admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    chain = await startTestChain();
  });

  after(async () => {
    for (const { opened, name } of databases) {
      await opened.close();
      await admin?.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    await admin?.end({ timeout: 5 });
    await chain?.stop();
  });

  it(`${KILLS} kills during a catch-up of ${TARGET_EVENTS} events; the result equals a clean re-index`, async (t) => {
    if (!serverUrl) {
      t.skip("needs PostgreSQL: set PEDIGREE_TEST_DATABASE_URL (npm run chaos does)");
      return;
    }
    const seed = Number(process.env.PEDIGREE_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`PEDIGREE_CHAOS_SEED=${seed}`);
    const next = random(seed);

    const seeding = performance.now();
    const seeded = await seedCustodyEvents(chain, TARGET_EVENTS, { packsPerTransaction: 100 });
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    t.diagnostic(`seeded ${seeded} events in ${head} blocks (${((performance.now() - seeding) / 1000).toFixed(0)} s)`);

    const followed = await freshDatabase();
    const target = chain.target;
    const ctx = await createAppContext({ database: followed.opened, target });
    const env = {
      ...process.env,
      DATABASE_URL: followed.url,
      PEDIGREE_RPC_URL: chain.rpcUrl,
      PEDIGREE_CHAIN_ID: String(chain.chainId),
      PEDIGREE_LEDGER_ADDRESS: chain.address,
      PEDIGREE_DEPLOYMENT_BLOCK: String(chain.deploymentBlock),
      // One block per step: about a hundred steps of up to a hundred events each to interrupt.
      PEDIGREE_INDEXER_RANGE: "1",
      PEDIGREE_INDEXER_INTERVAL_MS: "50",
    };
    const start = (
      args: string[] = [],
    ): { child: ChildProcess; output: () => string; exited: Promise<number | null> } => {
      let output = "";
      const child = spawn(process.execPath, [INDEXER_MAIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      return { child, output: () => output, exited };
    };

    const cursors: (number | null)[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const before = (await indexedBlock(ctx))?.number ?? null;
      const run = start();
      // Wait until it is indexing (its first step printed), then kill it after a random delay.
      const deadline = Date.now() + 30_000;
      while (!/blocks \d+/.test(run.output()) && run.child.exitCode === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(run.child.exitCode, null, `the indexer exited early:\n${run.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50 + next() * 600));
      run.child.kill("SIGKILL");
      await run.exited;
      const after = (await indexedBlock(ctx))?.number ?? null;
      cursors.push(after);
      assert.ok(
        after !== null && (before === null || after > before),
        `run ${kill} made progress (${before} → ${after})`,
      );
      assert.ok(after < head, `run ${kill} was killed before the head (at ${after} of ${head}); seed ${seed}`);
    }
    t.diagnostic(`killed at blocks ${cursors.join(", ")} of ${head}`);

    const last = start(["--once"]);
    assert.equal(await last.exited, 0, last.output());
    assert.equal((await indexedBlock(ctx))?.number, head);

    const clean = await freshDatabase();
    await syncToHead(await createAppContext({ database: clean.opened, target }));
    const [afterKills, reference] = await Promise.all([
      snapshotReadModel(followed.opened.db),
      snapshotReadModel(clean.opened.db),
    ]);
    const stored = (await followed.opened.db.select({ n: count() }).from(events))[0]!.n;
    assert.equal(stored, seeded, "every event once");
    // Compare table by table first, so a failure names the table rather than printing both models.
    for (const table of Object.keys(reference) as (keyof typeof reference)[]) {
      assert.ok(
        JSON.stringify(afterKills[table]) === JSON.stringify(reference[table]),
        `${table}: after the kills it differs from a clean re-index (seed ${seed})`,
      );
    }
    assert.deepEqual(afterKills, reference);
  });
});
