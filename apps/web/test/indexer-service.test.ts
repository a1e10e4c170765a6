/**
 * The indexer service: goes live and follows new blocks; when the chain's node goes away it
 * reports "unreachable" and retries with capped exponential backoff without crashing; when a
 * fresh local chain comes back on the same port with the ledger at the same address, it re-indexes
 * cleanly (no mix of the two chains); a misconfiguration is reported as "failed".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { startIndexer, type IndexerHandle, type IndexerStatus } from "../src/server/indexer/service.ts";
import { snapshotReadModel } from "../src/server/indexer/snapshot.ts";
import { clearReadModel, defaultConfirmations, syncToHead } from "../src/server/indexer/sync.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { createWorld, type World } from "./support/world.ts";

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

const headOf = async (chain: TestChain) => Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));

describe(`indexer service (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let world: World;
  let database: OpenedDatabase;
  let ctx: AppContext;
  let indexer: IndexerHandle | undefined;
  const lines: string[] = [];

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    ctx = await createAppContext({
      database,
      target: chain.target,
    });
    world = await createWorld(chain);
  });

  after(async () => {
    await indexer?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("goes live and follows new blocks", async () => {
    // Live is at the safe head, the confirmations below the chain's head: none on Hardhat's chain
    // 31337, where the head only moves with a write; 5 on anvil's own chain id, whose clock brings
    // the blocks that make a write final (the anvil suite of npm test).
    const confirmations = defaultConfirmations(chain.chainId);
    const head = await headOf(chain);
    indexer = startIndexer(ctx, {
      intervalMs: 30,
      initialBackoffMs: 20,
      maxBackoffMs: 80,
      log: (line) => lines.push(line),
    });
    // Every block up to `head` indexed (on anvil the head has moved on by then, by `confirmations`).
    const live = await waitFor(
      indexer,
      "live past the world's writes",
      (s) => s.state === "live" && s.cursor !== null && s.cursor >= head,
    );
    assert.equal(live.lag, confirmations, "live means at the safe head");
    assert.equal(live.lastError, null);
    const before = live.eventsIndexed;

    const { acme, northwind } = world.parties;
    const batch = await world.registerBatch(acme, await world.registerProduct(acme), { packs: 10 });
    await world.ship(acme, northwind, [{ batch, quantity: 4 }]);
    const newHead = await headOf(chain);
    const followed = await waitFor(
      indexer,
      "the new blocks",
      (s) => s.state === "live" && s.cursor !== null && s.cursor >= newHead,
    );
    assert.equal(followed.lag, confirmations);
    assert.equal(followed.eventsIndexed, before + 3, "the product, the batch and the shipment");
  });

  it("reports an unreachable chain and backs off, capped, without crashing", async () => {
    const cursorBefore = indexer!.status().cursor;
    const port = Number(new URL(chain.rpcUrl).port);
    await chain.stop();
    const delays = new Set<number>();
    const unreachable = await waitFor(indexer!, "four failures in a row", (s) => {
      if (s.retryInMs !== null) delays.add(s.retryInMs);
      return s.consecutiveFailures >= 4;
    });
    assert.equal(unreachable.state, "unreachable");
    assert.match(unreachable.lastError!.message, new RegExp(`${chain.rpcUrl}.*cannot be reached`));
    assert.equal(unreachable.cursor, cursorBefore, "the indexed block is still reported");
    assert.deepEqual(
      [...delays].sort((a, b) => a - b),
      [20, 40, 80],
      "20 ms, doubled per failure, capped at 80 ms",
    );
    assert.equal(lines.filter((line) => line.includes("cannot be reached")).length, 1, "logged once, not per retry");

    // A fresh local chain on the same port: the ledger is deployed again at the same address.
    chain = await startTestChain({ port });
    assert.equal(chain.address.toLowerCase(), ctx.ledger.address.toLowerCase());
    world = await createWorld(chain);
    const { borealis, harbour } = world.parties;
    const batch = await world.registerBatch(borealis, await world.registerProduct(borealis, { name: "Ibuprofen" }));
    await world.ship(borealis, harbour, [{ batch, quantity: 5 }]);
    const head = await headOf(chain);
    const back = await waitFor(
      indexer!,
      "catching up with the new chain",
      (s) => s.state === "live" && s.cursor !== null && s.cursor >= head,
    );
    assert.equal(back.consecutiveFailures, 0);
    assert.ok(lines.some((line) => line.includes("answers again")));

    // A chain mining on a clock stops here: the clean index below must reach the block the
    // service stopped at, so no block may come in between.
    if (chain.blockTime !== undefined) await chain.testClient.setIntervalMining({ interval: 0 });
    const last = (await headOf(chain)) - defaultConfirmations(chain.chainId);
    await waitFor(indexer!, `block ${last}, the last safe one`, (s) => s.cursor === last);
    await indexer!.stop();
    assert.equal(indexer!.status().state, "stopped");
    const followed = await snapshotReadModel(ctx.db);
    await clearReadModel(ctx.db);
    await syncToHead(ctx);
    assert.deepEqual(followed, await snapshotReadModel(ctx.db), "the same as a clean index of the new chain");
  });

  it("reports a misconfiguration as failed, with what to do", async () => {
    const wrong = await createAppContext({
      database,
      target: { chainId: 1, address: chain.address, deploymentBlock: chain.deploymentBlock, rpcUrl: chain.rpcUrl },
    });
    const failing = startIndexer(wrong, { initialBackoffMs: 20, maxBackoffMs: 40, log: () => {} });
    try {
      const status = await waitFor(failing, "the failure", (s) => s.state === "failed");
      assert.match(status.lastError!.message, new RegExp(`chain id ${chain.chainId}.*configured for chain id 1 `));
    } finally {
      await failing.stop();
    }
  });
});
