/**
 * Chaos: the network to the chain's node stalls: connections open, nothing comes back (a link
 * dropping packets, a node hung in a long computation). Clients only notice through their own
 * timeouts, so this takes the full timeouts (viem: 5 s per attempt, 3 attempts) and lives here
 * rather than in every `npm test` run.
 *
 * - Verification answers UNAVAILABLE (503), never a verdict, with no alert; the figure printed is
 *   how long a patient waits for that answer.
 * - Health answers within its own 3 s limit and names the chain.
 * - The indexer reports the chain unreachable, and once the link is back it catches up with what
 *   was written meanwhile, equal to a clean re-index.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { count } from "drizzle-orm";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import { openDatabase, type OpenedDatabase } from "../src/server/db/database.ts";
import { alerts } from "../src/server/db/schema.ts";
import { healthReport } from "../src/server/health.ts";
import { startIndexer, type IndexerHandle, type IndexerStatus } from "../src/server/indexer/service.ts";
import { snapshotReadModel } from "../src/server/indexer/snapshot.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { verifyCode } from "../src/server/verify/verify.ts";
import { startTestChain, type TestChain } from "../test/support/chain.ts";
import { createWorld, type World, type WorldBatch } from "../test/support/world.ts";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.ts";
import { storeWorldManifest } from "../test/support/manifests.ts";

async function waitFor(indexer: IndexerHandle, what: string, done: (s: IndexerStatus) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = indexer.status();
    if (done(status)) return status;
    if (Date.now() > deadline) assert.fail(`Timed out waiting for ${what}; status: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("chaos: the network to the chain's node stalls (pglite)", () => {
  let chain: TestChain;
  let proxy: TcpProxy;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let batch: WorldBatch;

  const code = (index: number) =>
    `(01)${batch.gtin}(17)${String(batch.expiry).slice(2)}(10)${batch.lot}(21)${batch.manifest.serials[index]}`;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openDatabase({ url: "", dataDir: "memory://" })]);
    proxy = await startTcpProxy({ port: Number(new URL(chain.rpcUrl).port) });
    world = await createWorld(chain);
    const { acme, central } = world.parties;
    batch = await world.registerBatch(acme, await world.registerProduct(acme), { lot: "STALL-1", packs: 20 });
    await world.receive(await world.ship(acme, central, [{ batch, quantity: 20 }]));
    ctx = await createAppContext({
      database,
      target: { ...chain.target, rpcUrl: `http://127.0.0.1:${proxy.port}` },
    });
    await syncToHead(ctx);
    await storeWorldManifest(ctx.db, batch);
  });

  after(async () => {
    await proxy?.close();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("verify answers UNAVAILABLE, never a verdict, no alert; health answers within its limit", async (t) => {
    await world.decommission(world.parties.central, batch, 0, "DISPENSED");
    await proxy.stall();
    try {
      const alertsBefore = (await ctx.db.select({ n: count() }).from(alerts))[0]!.n;
      const [verified, health] = await Promise.all([
        (async () => {
          const started = performance.now();
          const result = await verifyCode(ctx, code(0), { purpose: "dispense" });
          return { ...result, seconds: (performance.now() - started) / 1000 };
        })(),
        (async () => {
          const started = performance.now();
          const report = await healthReport(ctx, null);
          return { report, seconds: (performance.now() - started) / 1000 };
        })(),
      ]);
      t.diagnostic(
        `verify answered UNAVAILABLE after ${verified.seconds.toFixed(1)} s; health after ${health.seconds.toFixed(1)} s`,
      );
      assert.equal(verified.status, 503);
      assert.equal(verified.body.verdict, "UNAVAILABLE");
      assert.equal(verified.body.alert, false);
      assert.equal((await ctx.db.select({ n: count() }).from(alerts))[0]!.n, alertsBefore);
      assert.ok(verified.seconds < 20, "within the chain client's timeouts (3 attempts of 5 s)");
      assert.equal(health.report.chain.ok, false);
      assert.equal(health.report.database.ok, true);
      assert.ok(health.seconds < 4, "health keeps to its 3 s limit");
    } finally {
      await proxy.up();
    }
    // The chain's own answer once it is reachable again (the read model may not have indexed the dispense yet).
    assert.equal((await verifyCode(ctx, code(0), { source: "chain" })).body.verdict, "DISPENSED");
    assert.equal((await verifyCode(ctx, code(1), { source: "chain" })).body.verdict, "GENUINE");
  });

  it("the indexer reports the chain unreachable while stalled, then catches up equal to a clean re-index", async () => {
    const { central } = world.parties;
    const indexer = startIndexer(ctx, { intervalMs: 50, initialBackoffMs: 50, maxBackoffMs: 200, log: () => {} });
    try {
      await waitFor(indexer, "live", (s) => s.state === "live");
      await proxy.stall();
      for (let index = 1; index <= 5; index++) await world.decommission(central, batch, index, "DESTROYED");
      const stalled = await waitFor(indexer, "unreachable", (s) => s.state === "unreachable");
      assert.match(stalled.lastError?.message ?? "", /cannot be reached/);
      await proxy.up();
      const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      await waitFor(indexer, "live at the head", (s) => s.state === "live" && s.cursor === head);
    } finally {
      await indexer.stop();
    }
    const fresh = await openDatabase({ url: "", dataDir: "memory://" });
    try {
      const clean = await createAppContext({ database: fresh, target: { ...ctx.ledger, rpcUrl: chain.rpcUrl } });
      await syncToHead(clean);
      assert.deepEqual(await snapshotReadModel(ctx.db), await snapshotReadModel(fresh.db));
    } finally {
      await fresh.close();
    }
  });
});
