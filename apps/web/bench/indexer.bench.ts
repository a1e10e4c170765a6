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
import { createAppContext } from "../src/server/context.ts";
import { openDatabase, type OpenedDatabase } from "../src/server/db/database.ts";
import { clearReadModel, rebuildReadModel, syncToHead } from "../src/server/indexer/sync.ts";
import { seedCustodyEvents } from "../chaos/support/seed.ts";
import { startTestChain, type TestChain } from "../test/support/chain.ts";
import { createScratchDatabase } from "../test/support/database.ts";

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

/** A PostgreSQL database of its own on the server at `serverUrl`, dropped again on close. */
async function throwawayPostgres(serverUrl: string): Promise<OpenedDatabase> {
  const scratch = await createScratchDatabase(serverUrl);
  const opened = await openDatabase({ url: scratch.url });
  return {
    ...opened,
    location: `${opened.location} (throwaway)`,
    async close() {
      await opened.close();
      await scratch.drop();
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
  const seeded = await seedCustodyEvents(chain, target);
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
