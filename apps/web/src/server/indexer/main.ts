/**
 * The indexer as its own process, beside a web server started with PEDIGREE_INDEXER=off:
 *
 *   DATABASE_URL=postgres://... node apps/web/src/server/indexer/main.ts [--once]
 *
 * It follows the chain into PostgreSQL, prints its progress, and stops cleanly on Ctrl-C or
 * SIGTERM (the step in progress either commits or leaves nothing). `--once` indexes up to the
 * safe head and exits. Configuration is the web server's (see ../context.ts) plus
 * PEDIGREE_INDEXER_RANGE, PEDIGREE_CONFIRMATIONS and PEDIGREE_INDEXER_INTERVAL_MS.
 */
import { createAppContext, describeRpcUrls } from "../context.ts";
import { startIndexer } from "./service.ts";
import { syncToHead } from "./sync.ts";

const HELP = `Usage: DATABASE_URL=postgres://... node apps/web/src/server/indexer/main.ts [--once]

Follows the Pedigree ledger's events into the read model's PostgreSQL database.
  --once   index up to the chain's safe head, then exit
  --help   show this text

Environment: DATABASE_URL (required), PEDIGREE_RPC_URL (one URL or several, comma-separated), PEDIGREE_CHAIN_ID, PEDIGREE_LEDGER_ADDRESS,
PEDIGREE_DEPLOYMENT_BLOCK, PEDIGREE_INDEXER_RANGE (blocks per step, default 2000),
PEDIGREE_CONFIRMATIONS (default 0 on chain 31337, else 5), PEDIGREE_INDEXER_INTERVAL_MS (default 1000).
Run the web server with PEDIGREE_INDEXER=off so that only this process indexes.`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== "--once");
  if (unknown.length > 0) {
    console.error(`Unknown argument ${unknown.join(" ")}.\n\n${HELP}`);
    return 2;
  }
  if (!process.env.DATABASE_URL) {
    console.error(
      "The indexer process needs PostgreSQL: set DATABASE_URL. Without it the read model is the embedded PGlite\n" +
        "database, which only one process can open: the web server's, which then runs the indexer itself\n" +
        "(npm start / next start do; leave PEDIGREE_INDEXER unset).",
    );
    return 2;
  }

  const ctx = await createAppContext();
  console.log(
    `Pedigree indexer: ledger ${ctx.ledger.address} on chain ${ctx.ledger.chainId} (${describeRpcUrls(ctx.ledger)}) → ${ctx.database.location}`,
  );
  if (args.includes("--once")) {
    try {
      const started = Date.now();
      const done = await syncToHead(ctx);
      console.log(
        `Indexed ${done.events} events in ${done.steps} steps (${((Date.now() - started) / 1000).toFixed(1)} s);` +
          ` at block ${done.cursor ?? "none"} of ${done.head}.`,
      );
      return 0;
    } finally {
      await ctx.database.close();
    }
  }

  let wasLive = false;
  const indexer = startIndexer(ctx, {
    log: (line) => console.log(line),
    onStep(step, status) {
      if (step.range !== undefined && (step.events > 0 || !step.caughtUp)) {
        console.log(
          `blocks ${step.range.from}–${step.range.to}: ${step.events} events · indexed to ${status.cursor}` +
            ` of ${status.head} (${status.lag} behind) · ${status.eventsIndexed} events since start`,
        );
      }
      if (step.caughtUp && !wasLive) console.log(`Live at block ${status.cursor}; polling for new blocks.`);
      wasLive = step.caughtUp;
    },
  });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`${signal}: stopping after the current step…`);
      resolve();
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
  await indexer.stop();
  const { cursor, eventsIndexed } = indexer.status();
  await ctx.database.close();
  console.log(`Stopped at block ${cursor ?? "none"} (${eventsIndexed} events indexed this run).`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`Indexer: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
