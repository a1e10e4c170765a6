/**
 * Faults: the chain's node goes away and the chain reorganises. The app reaches the node through
 * a TCP proxy the test cuts (port closed, connections reset), while the chain itself keeps going
 * for the parties writing to it. (A stalled network, which takes the client's full timeouts, is
 * in the chaos suite: apps/web/chaos.)
 *
 * - Verification answers UNAVAILABLE (503) within seconds, never a counterfeit verdict, and no
 *   alert; health says the ledger cannot be reached and that the database still answers.
 * - The indexer, cut again and again in the middle of its catch-up while new custody events
 *   keep arriving, backs off (capped) and, once the node answers, ends up equal to a clean
 *   re-index: no missing and no duplicated event.
 * - After a reorganisation (snapshot, revert, different blocks) the read model equals a clean
 *   index of the new chain, and a pack dispensed in a dropped block is GENUINE again: verify
 *   reads the chain at its head, never a dropped block, even before the indexer has caught up.
 *
 * Existing coverage this builds on: verify.test.ts (chain stopped for good), indexer-service
 * (backoff, a fresh chain on the same port), indexer-reorg (rollback mechanics).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq, and, count } from "drizzle-orm";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alerts, events, packStates } from "../src/server/db/schema.ts";
import { healthReport } from "../src/server/health.ts";
import { startIndexer, type IndexerHandle, type IndexerStatus } from "../src/server/indexer/service.ts";
import { snapshotReadModel } from "../src/server/indexer/snapshot.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { verifyCode } from "../src/server/verify/verify.ts";
import { startTcpProxy, type TcpProxy } from "../chaos/support/tcp-proxy.ts";
import { withEnv } from "./support/env.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { createWorld, type World, type WorldBatch } from "./support/world.ts";
import { storeWorldManifest } from "./support/manifests.ts";

async function waitFor(
  indexer: IndexerHandle,
  what: string,
  done: (status: IndexerStatus) => boolean,
  timeoutMs = 30_000,
): Promise<IndexerStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = indexer.status();
    if (done(status)) return status;
    if (Date.now() > deadline) assert.fail(`Timed out waiting for ${what}; status: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** PEDIGREE_MAX_LAG (how stale a read model may answer public checks) set for `body`. */
const withMaxLag = <T>(seconds: string, body: () => Promise<T>) => withEnv("PEDIGREE_MAX_LAG", seconds, body);

describe(`faults: the chain's node and the network to it (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let proxy: TcpProxy;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let stock: WorldBatch;
  let indexer: IndexerHandle | undefined;

  const headOf = async () => Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  const code = (batch: WorldBatch, index: number) =>
    `(01)${batch.gtin}(17)${String(batch.expiry).slice(2)}(10)${batch.lot}(21)${batch.manifest.serials[index]}`;
  const alertCount = async () => (await ctx.db.select({ n: count() }).from(alerts))[0]!.n;

  /** The same chain indexed from scratch into a fresh database, straight from the node. */
  async function cleanIndex() {
    const fresh = await openTestDatabase();
    try {
      const clean = await createAppContext({ database: fresh, target: { ...ctx.ledger, rpcUrl: chain.rpcUrl } });
      await syncToHead(clean);
      return await snapshotReadModel(fresh.db);
    } finally {
      await fresh.close();
    }
  }

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    proxy = await startTcpProxy({ port: Number(new URL(chain.rpcUrl).port) });
    world = await createWorld(chain);
    const { acme, central } = world.parties;
    const product = await world.registerProduct(acme);
    stock = await world.registerBatch(acme, product, { lot: "CHAOS-1", packs: 400 });
    await world.receive(await world.ship(acme, central, [{ batch: stock, quantity: 400 }]));
    ctx = await createAppContext({
      database,
      target: { ...chain.target, rpcUrl: `http://127.0.0.1:${proxy.port}` },
    });
    await syncToHead(ctx);
    await storeWorldManifest(ctx.db, stock);
  });

  after(async () => {
    await indexer?.stop();
    await proxy?.close();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("node unreachable: verify answers UNAVAILABLE 503 at once, never a verdict, no alert; health names the ledger; back: GENUINE", async () => {
    assert.equal((await verifyCode(ctx, code(stock, 1), { source: "chain" })).body.verdict, "GENUINE");
    await world.decommission(world.parties.central, stock, 0, "DISPENSED");
    await proxy.down();
    const alertsBefore = await alertCount();
    for (const [index, purpose] of [
      [1, "verify"],
      [0, "dispense"],
    ] as const) {
      const started = performance.now();
      // A check before dispensing always reads the chain; a public one does while the read model lags.
      const { status, body } = await withMaxLag("0", () => verifyCode(ctx, code(stock, index), { purpose }));
      assert.ok(performance.now() - started < 5_000, "answers within seconds");
      assert.equal(status, 503);
      assert.equal(body.verdict, "UNAVAILABLE");
      assert.equal(body.alert, false);
      assert.equal(body.blockNumber, null);
      assert.equal(body.source, null);
      assert.equal(body.unavailable?.[0]?.source, "chain");
    }
    assert.equal(await alertCount(), alertsBefore, "an outage raises no alert");

    // While the read model is current, a public check still answers from it, naming its block.
    const indexed = await withMaxLag("3600", () => verifyCode(ctx, code(stock, 1)));
    assert.equal(indexed.status, 200);
    assert.equal(indexed.body.verdict, "GENUINE");
    assert.equal(indexed.body.source, "read-model");
    assert.equal(typeof indexed.body.blockNumber, "number");
    assert.match(indexed.body.blockTime ?? "", /^\d{4}-\d{2}-\d{2}T/);

    const health = await healthReport(ctx, null);
    assert.equal(health.status, "unavailable");
    assert.equal(health.chain.ok, false);
    assert.match(health.chain.error ?? "", /\S/);
    assert.equal(health.database.ok, true, "the read model still answers");

    await proxy.up();
    assert.equal((await verifyCode(ctx, code(stock, 1), { source: "chain" })).body.verdict, "GENUINE");
    assert.equal((await verifyCode(ctx, code(stock, 0), { purpose: "dispense" })).body.verdict, "DISPENSED");
    assert.equal((await healthReport(ctx, null)).status, "ok");
  });

  it("indexer cut again and again mid catch-up while events keep coming: backs off, then equals a clean re-index", async () => {
    const { central } = world.parties;
    // Twelve blocks of custody events (120 pack events and 6 single ones) for the indexer to
    // work through one block per step.
    for (let i = 0; i < 6; i++) {
      await world.decommissionMany(
        central,
        stock,
        Array.from({ length: 20 }, (_, j) => 10 + i * 20 + j),
      );
      await world.decommission(central, stock, 300 + i, "DESTROYED");
    }
    const delays: number[] = [];
    let steps = 0;
    let cuts = 0;
    const running = startIndexer(ctx, {
      rangeSize: 1,
      intervalMs: 20,
      initialBackoffMs: 20,
      maxBackoffMs: 160,
      log: () => {},
      onStep: () => {
        steps++;
      },
    });
    indexer = running;
    // Three outages, each starting after a few more steps, with new events written meanwhile.
    for (let outage = 0; outage < 3; outage++) {
      const resumeAt = steps + 4;
      await waitFor(running, `step ${resumeAt}`, () => steps >= resumeAt);
      await proxy.down();
      cuts++;
      await world.decommission(central, stock, 350 + outage, "STOLEN");
      await waitFor(running, "five failures in a row", (s) => {
        if (s.retryInMs !== null && delays.at(-1) !== s.retryInMs) delays.push(s.retryInMs);
        return s.consecutiveFailures >= 5;
      });
      const status = running.status();
      assert.equal(status.state, "unreachable");
      assert.match(status.lastError?.message ?? "", /cannot be reached/);
      await proxy.up();
    }
    assert.equal(cuts, 3);
    assert.ok(Math.max(...delays) === 160, `backoff capped at 160 ms (saw ${delays.join(", ")})`);
    assert.ok(delays.includes(20) && delays.includes(40) && delays.includes(80), "doubled from 20 ms");

    const head = await headOf();
    await waitFor(running, "live at the head", (s) => s.state === "live" && s.cursor === head, 60_000);
    await running.stop();
    indexer = undefined;

    const followed = await snapshotReadModel(ctx.db);
    const logs = await chain.publicClient.getLogs({ address: chain.address, fromBlock: 0n, toBlock: BigInt(head) });
    assert.equal(followed.events.length, logs.length, "every ledger event once");
    assert.deepEqual(
      followed.events.map((e) => `${e.blockNumber}:${e.logIndex}`),
      logs.map((log) => `${log.blockNumber}:${log.logIndex}`),
    );
    assert.deepEqual(followed, await cleanIndex(), "row for row what a clean index of the chain gives");
  });

  it("reorganisation: the read model matches the new chain, and a pack dispensed in a dropped block is GENUINE again", async () => {
    const { central } = world.parties;
    const forkPoint = await chain.testClient.snapshot();
    await world.decommission(central, stock, 390, "DISPENSED");
    await syncToHead(ctx);
    assert.equal((await verifyCode(ctx, code(stock, 390), { source: "chain" })).body.verdict, "DISPENSED");
    const dispensedRow = () =>
      ctx.db
        .select()
        .from(packStates)
        .where(and(eq(packStates.batchId, stock.batchId), eq(packStates.index, 390)));
    assert.equal((await dispensedRow()).length, 1);

    // The branch with pack 390 dispensed is dropped; the new one dispenses 391 and is longer.
    await chain.testClient.revert({ id: forkPoint });
    await world.decommission(central, stock, 391, "DISPENSED");
    await chain.testClient.mine({ blocks: 3 });

    // Before the indexer has seen the reorganisation, verify already answers from the new head.
    // (A check before dispensing reads the chain; so does any check told to.)
    const before = await verifyCode(ctx, code(stock, 390), { source: "chain" });
    assert.equal(before.body.verdict, "GENUINE");
    assert.equal(before.body.blockNumber, await headOf());
    assert.equal((await verifyCode(ctx, code(stock, 391), { purpose: "dispense" })).body.verdict, "DISPENSED");

    const synced = await syncToHead(ctx);
    assert.equal(synced.rollbacks, 1);
    assert.equal((await dispensedRow()).length, 0, "the dropped block's pack state is gone from the read model");
    const dropped = await ctx.db
      .select()
      .from(events)
      .where(eq(events.blockNumber, Number(before.body.blockNumber)));
    assert.equal(dropped.length, 0);
    assert.equal((await verifyCode(ctx, code(stock, 390))).body.verdict, "GENUINE");
    const fromIndex = await withMaxLag("3600", () => verifyCode(ctx, code(stock, 391)));
    assert.equal(fromIndex.body.verdict, "DISPENSED", "the read model, rolled forward on the new branch, agrees");
    assert.equal(fromIndex.body.source, "read-model");
    assert.deepEqual(await snapshotReadModel(ctx.db), await cleanIndex());
  });
});
