/**
 * Reading the chain through a public RPC provider's limits (issue 16, item 2): the indexer follows
 * the ledger through a provider that caps eth_getLogs at 1,000 blocks and 10,000 results per call,
 * answers 429 to some requests and drops some connections, and ends with the read model a direct
 * index gives; with several RPC URLs, reads go to the next node when the preferred one fails.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { chainClient, createAppContext, rpcUrlsFromEnv, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { startIndexer, type IndexerStatus } from "../src/server/indexer/service.ts";
import { snapshotReadModel } from "../src/server/indexer/snapshot.ts";
import { defaultConfirmations, RangeSizer, syncToHead } from "../src/server/indexer/sync.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startProviderProxy, type ProviderProxy } from "./support/provider-proxy.ts";
import { createWorld, type World } from "./support/world.ts";

describe(`reading the chain through a public provider's limits (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let world: World;
  const databases: OpenedDatabase[] = [];
  const proxies: ProviderProxy[] = [];
  let direct: Awaited<ReturnType<typeof snapshotReadModel>>;

  const contextThrough = async (rpcUrl: string): Promise<AppContext> => {
    const database = await openTestDatabase();
    databases.push(database);
    return createAppContext({ database, target: { ...chain.target, rpcUrl } });
  };

  before(async () => {
    chain = await startTestChain();
    world = await createWorld(chain);
    const { acme, borealis, northwind, central } = world.parties;
    // Custody events spread over more than 3,000 blocks, as on a real network where the ledger's
    // transactions are a few among many: no 1,000-block window holds them all.
    const first = await world.registerBatch(acme, await world.registerProduct(acme), { packs: 40 });
    await world.ship(acme, northwind, [{ batch: first, quantity: 10 }]);
    await chain.testClient.mine({ blocks: 1_500 });
    const second = await world.registerBatch(borealis, await world.registerProduct(borealis), { packs: 30 });
    await world.ship(borealis, central, [{ batch: second, quantity: 6 }]);
    await chain.testClient.mine({ blocks: 1_700 });
    await world.ship(acme, central, [{ batch: first, quantity: 5 }]);
    // Every write final (off Hardhat's chain 31337 an event counts once 5 blocks are on top of
    // it), then a chain that stands still: an index through the provider and a direct one are
    // compared at the same block, which a chain mining on a clock would not leave them.
    if (chain.blockTime !== undefined) await chain.testClient.setIntervalMining({ interval: 0 });
    const confirmations = defaultConfirmations(chain.chainId);
    if (confirmations > 0) await chain.testClient.mine({ blocks: confirmations });

    const reference = await contextThrough(chain.rpcUrl);
    await syncToHead(reference);
    direct = await snapshotReadModel(reference.db);
    assert.ok(direct.events.length > 10, `the world has events to index (${direct.events.length})`);
  });

  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all([chain?.stop(), ...databases.map((database) => database.close())]);
  });

  it("the indexer follows the ledger through a provider that caps getLogs, rate-limits and drops connections", async () => {
    const provider = await startProviderProxy(chain.rpcUrl, {
      maxLogBlocks: 1_000,
      maxLogResults: 10_000,
      tooManyRequestsEvery: 6,
      dropEvery: 9,
    });
    proxies.push(provider);
    const ctx = await contextThrough(provider.url);
    const safeHead =
      Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })) - defaultConfirmations(chain.chainId);
    const lines: string[] = [];
    // The default range (2,000 blocks) is twice what the provider allows: the indexer must shrink it.
    const indexer = startIndexer(ctx, {
      intervalMs: 20,
      initialBackoffMs: 10,
      maxBackoffMs: 40,
      log: (l) => lines.push(l),
    });
    let status: IndexerStatus;
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        status = indexer.status();
        if (status.state === "live" && status.cursor === safeHead) break;
        if (Date.now() > deadline) assert.fail(`the indexer did not catch up: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await indexer.stop();
    }
    assert.deepEqual(await snapshotReadModel(ctx.db), direct, "the same read model as a direct index");
    const seen = provider.stats();
    assert.ok(seen.rangeRefused > 0, `the provider refused ranges over 1,000 blocks (${JSON.stringify(seen)})`);
    assert.ok(seen.tooManyRequests > 0, "the provider answered 429");
    assert.ok(seen.dropped > 0, "the provider dropped connections");
  });

  it("asks for fewer blocks when the provider caps the results, not only the range", async () => {
    // A cap of 8 logs a call: a busy stretch of the chain holds more events than one answer may carry.
    const provider = await startProviderProxy(chain.rpcUrl, { maxLogBlocks: 1_000, maxLogResults: 8 });
    proxies.push(provider);
    const ctx = await contextThrough(provider.url);
    await syncToHead(ctx);
    assert.deepEqual(await snapshotReadModel(ctx.db), direct);
    const seen = provider.stats();
    assert.ok(seen.resultsRefused > 0, `answers over 8 logs were refused (${JSON.stringify(seen)})`);
    assert.ok(seen.logsServed > 0);
  });

  it("with several RPC URLs, reads go to the next node while the preferred one fails", async () => {
    const failing = await startProviderProxy(chain.rpcUrl, { dropEvery: 1 });
    const limited = await startProviderProxy(chain.rpcUrl, { tooManyRequestsEvery: 1 });
    proxies.push(failing, limited);
    const client = chainClient(
      { ...chain.target, ...rpcUrlsFromEnv(`${failing.url}, ${limited.url},${chain.rpcUrl}`) },
      { rank: false },
    );
    for (let i = 0; i < 5; i++) {
      assert.equal(await client.getChainId(), chain.viemChain.id);
      assert.equal(
        await client.getBlockNumber({ cacheTime: 0 }),
        await chain.publicClient.getBlockNumber({ cacheTime: 0 }),
      );
    }
    assert.ok(failing.stats().dropped >= 5, "the preferred node was asked first, and failed");
    assert.ok(limited.stats().tooManyRequests >= 5, "the second answered 429, so the third answered");
  });

  it("the range shrinks at a refusal and grows back after ten steps without one, never past its size", () => {
    const range = new RangeSizer(2_000);
    assert.equal(range.size, 2_000);
    range.stepped({ rangeSize: 250 });
    assert.equal(range.size, 250, "a step that had to halve sets the size");
    for (let i = 0; i < 10; i++) range.stepped({ rangeSize: 250 });
    assert.equal(range.size, 500, "ten steady steps double it");
    range.stepped({ rangeSize: 500 });
    for (let i = 0; i < 40; i++) range.stepped({ rangeSize: range.size });
    assert.equal(range.size, 2_000, "up to the configured size, not past it");
  });

  it("PEDIGREE_RPC_URL takes one URL or a comma-separated list, and says what is wrong with a bad one", () => {
    assert.deepEqual(rpcUrlsFromEnv(undefined), { rpcUrl: "http://127.0.0.1:8545" });
    assert.deepEqual(rpcUrlsFromEnv("https://rpc.example.org/v3/KEY"), { rpcUrl: "https://rpc.example.org/v3/KEY" });
    assert.deepEqual(rpcUrlsFromEnv(" https://a.example.org , https://b.example.org/key "), {
      rpcUrl: "https://a.example.org",
      fallbackRpcUrls: ["https://b.example.org/key"],
    });
    assert.throws(() => rpcUrlsFromEnv("https://a.example.org,"), /entry 2 of PEDIGREE_RPC_URL must be an http/);
    assert.throws(
      () => rpcUrlsFromEnv("ws://a.example.org"),
      /PEDIGREE_RPC_URL must be an http:\/\/ or https:\/\/ URL/,
    );
    assert.throws(() => rpcUrlsFromEnv("https://a.example.org,https://a.example.org"), /names a URL twice/);
  });
});
