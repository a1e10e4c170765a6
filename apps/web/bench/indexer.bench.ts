/**
 * Indexer catch-up from scratch:
 *
 *   node apps/web/bench/indexer.bench.ts [events=10000] [--runs=2]
 *
 * Seeds about `events` custody events on a fresh local chain (batches, multi-line shipments,
 * receipts, and decommissionMany transactions of 200 packs: many events per transaction), then
 * indexes them into an empty read model and prints events/s: on in-memory PGlite, and on
 * PostgreSQL when DATABASE_URL is set (in a throwaway database on that server, dropped after).
 * Also times a rebuild of the derived tables from the stored events (what a reorganisation does).
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createAppContext } from "../src/server/context.ts";
import { openDatabase, type OpenedDatabase } from "../src/server/db/database.ts";
import { clearReadModel, rebuildReadModel, syncToHead } from "../src/server/indexer/sync.ts";
import { startTestChain, type TestChain } from "../test/support/chain.ts";
import { createWorld, type WorldBatch } from "../test/support/world.ts";

const PACKS_PER_BATCH = 1_000;
const PACKS_PER_DECOMMISSION = 200;
const BATCHES_PER_SHIPMENT = 10;

function parseArgs(): { events: number; runs: number } {
  let events = 10_000;
  let runs = 2;
  for (const arg of process.argv.slice(2)) {
    if (/^\d+$/.test(arg)) events = Number(arg);
    else if (/^--runs=\d+$/.test(arg)) runs = Number(arg.slice(7));
    else {
      console.error(`Unknown argument '${arg}'. Usage: node apps/web/bench/indexer.bench.ts [events=10000] [--runs=2]`);
      process.exit(2);
    }
  }
  if (events < 100 || runs < 1) {
    console.error("Give at least 100 events and 1 run.");
    process.exit(2);
  }
  return { events, runs };
}

/** Seeds at least `target` ledger events; returns how many the chain holds. */
async function seed(chain: TestChain, target: number): Promise<number> {
  const world = await createWorld(chain);
  const { acme, northwind, central } = world.parties;
  const product = await world.registerProduct(acme);
  let events = 0;
  const count = async () =>
    (events = (await chain.publicClient.getLogs({ address: chain.address, fromBlock: 0n, toBlock: "latest" })).length);
  await count();
  while (events < target) {
    // Ten batches move manufacturer → distributor → pharmacy as ten-line shipments...
    const batches: WorldBatch[] = [];
    for (let i = 0; i < BATCHES_PER_SHIPMENT; i++) {
      batches.push(await world.registerBatch(acme, product, { packs: PACKS_PER_BATCH }));
    }
    const lines = batches.map((batch) => ({ batch, quantity: PACKS_PER_BATCH }));
    await world.receive(await world.ship(acme, northwind, lines));
    await world.receive(await world.ship(northwind, central, lines));
    await count();
    // ...and the pharmacy decommissions their packs, 200 per transaction, until enough events.
    for (const batch of batches) {
      for (let start = 0; start < PACKS_PER_BATCH && events < target; start += PACKS_PER_DECOMMISSION) {
        const indexes = Array.from({ length: PACKS_PER_DECOMMISSION }, (_, i) => start + i);
        await world.decommissionMany(central, batch, indexes, "DISPENSED");
        events += PACKS_PER_DECOMMISSION;
      }
    }
    await count();
  }
  return events;
}

async function throwawayPostgres(serverUrl: string): Promise<OpenedDatabase> {
  const name = `pedigree_bench_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const opened = await openDatabase({ url: url.toString() });
  return {
    ...opened,
    location: `${opened.location} (throwaway)`,
    async close() {
      await opened.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}

async function measure(chain: TestChain, database: OpenedDatabase, runs: number): Promise<void> {
  const ctx = await createAppContext({
    database,
    target: chain.target,
  });
  for (let run = 1; run <= runs; run++) {
    await clearReadModel(ctx.db);
    const started = performance.now();
    const synced = await syncToHead(ctx);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  ${database.kind} run ${run}: ${synced.events} events in ${seconds.toFixed(2)} s` +
        ` (${synced.steps} steps): ${Math.round(synced.events / seconds).toLocaleString("en")} events/s`,
    );
  }
  const started = performance.now();
  const replayed = await rebuildReadModel(ctx.db);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  ${database.kind} rebuild of the derived tables: ${replayed} events in ${seconds.toFixed(2)} s:` +
      ` ${Math.round(replayed / seconds).toLocaleString("en")} events/s`,
  );
}

const { events: target, runs } = parseArgs();
const chain = await startTestChain();
try {
  const seedStart = performance.now();
  const seeded = await seed(chain, target);
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  console.log(
    `Seeded ${seeded.toLocaleString("en")} ledger events in ${head} blocks` +
      ` (${((performance.now() - seedStart) / 1000).toFixed(1)} s). Catch-up from scratch, default range size:`,
  );
  const pglite = await openDatabase({ url: "", dataDir: "memory://" });
  try {
    await measure(chain, pglite, runs);
  } finally {
    await pglite.close();
  }
  if (process.env.DATABASE_URL) {
    const pg = await throwawayPostgres(process.env.DATABASE_URL);
    try {
      await measure(chain, pg, runs);
    } finally {
      await pg.close();
    }
  } else {
    console.log("  (set DATABASE_URL to measure PostgreSQL too)");
  }
} finally {
  await chain.stop();
}
