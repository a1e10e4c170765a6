/**
 * Reorganisations and a misbehaving node: after `evm_revert` and different transactions the read
 * model equals a clean re-index (both when the new branch is shorter and when it is longer); a
 * log whose block hash disagrees with its block makes the step write nothing; a node that refuses
 * large getLogs ranges gets smaller ones.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPublicClient, http, LimitExceededRpcError, RpcRequestError, type PublicClient } from "viem";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { snapshotIndexedBlocks, snapshotReadModel } from "../src/server/indexer/snapshot.ts";
import { clearReadModel, syncOnce, syncToHead } from "../src/server/indexer/sync.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { keepAliveFetch } from "../src/server/rpcFetch.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { createWorld, type World, type WorldBatch } from "./support/world.ts";

describe(`indexer reorganisations (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let world: World;
  let database: OpenedDatabase;
  let ctx: AppContext;
  let batch: WorldBatch;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    ctx = await createAppContext({
      database,
      target: chain.target,
    });
    world = await createWorld(chain);
    const { acme, northwind } = world.parties;
    const product = await world.registerProduct(acme);
    batch = await world.registerBatch(acme, product, { packs: 60 });
    await world.receive(await world.ship(acme, northwind, [{ batch, quantity: 40 }]));
    await syncToHead(ctx);
  });

  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  /** The read model after following the chain must equal a fresh index of the chain as it is now. */
  async function assertEqualsCleanReindex() {
    const followed = await snapshotReadModel(ctx.db);
    await clearReadModel(ctx.db);
    await syncToHead(ctx);
    assert.deepEqual(followed, await snapshotReadModel(ctx.db));
  }

  it("rolls back to the fork point when the new branch is shorter", async () => {
    const { acme, northwind, central, harbour } = world.parties;
    const fork = await chain.testClient.snapshot();
    const forkBlock = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    // Branch A: three transactions, indexed.
    await world.receive(await world.ship(northwind, central, [{ batch, quantity: 10 }]));
    await world.decommissionMany(central, batch, [0, 1, 2]);
    const a = await syncToHead(ctx);
    assert.equal(a.cursor, forkBlock + 3);

    // Branch B: one different transaction, so the indexed cursor block no longer exists.
    await chain.testClient.revert({ id: fork });
    await world.ship(acme, harbour, [{ batch, quantity: 7 }], "ASN-B1");
    const b = await syncToHead(ctx);
    assert.equal(b.rollbacks, 1);
    assert.equal(b.cursor, forkBlock + 1);
    assert.equal(await world.unitsHeld(batch, central), 0);
    await assertEqualsCleanReindex();
  });

  it("rolls back when the new branch is longer and the cursor block number exists with another hash", async () => {
    const { acme, northwind, central, harbour } = world.parties;
    const fork = await chain.testClient.snapshot();
    await world.receive(await world.ship(northwind, central, [{ batch, quantity: 5 }]));
    const a = await syncToHead(ctx);
    const staleHash = (await snapshotIndexedBlocks(ctx.db)).at(-1)!.hash;

    await chain.testClient.revert({ id: fork });
    await world.receive(await world.ship(northwind, harbour, [{ batch, quantity: 3 }], "ASN-B2"));
    await world.receive(await world.ship(acme, central, [{ batch, quantity: 2 }], "ASN-B3"));
    const first = await syncOnce(ctx);
    assert.ok(first.rolledBack !== undefined, "the first step notices the fork");
    assert.equal(first.events, 0);
    const b = await syncToHead(ctx);
    assert.ok(b.cursor! > a.cursor!);
    assert.ok(!(await snapshotIndexedBlocks(ctx.db)).some((block) => block.hash === staleHash));
    await assertEqualsCleanReindex();
  });

  it("writes nothing when a log's block hash disagrees with the block", async () => {
    const { northwind, central } = world.parties;
    await world.receive(await world.ship(northwind, central, [{ batch, quantity: 1 }]));
    const before = await snapshotReadModel(ctx.db);
    const chainClient = ctx.chain;
    const lying = {
      ...chainClient,
      getLogs: async (args: Parameters<PublicClient["getLogs"]>[0]) =>
        (await chainClient.getLogs(args)).map((log) => ({ ...log, blockHash: `0x${"ab".repeat(32)}` as const })),
    } as PublicClient;
    const step = await syncOnce({ ...ctx, chain: lying });
    assert.match(step.chainChanged ?? "", /names block hash 0xabab/);
    assert.equal(step.events, 0);
    assert.deepEqual(await snapshotReadModel(ctx.db), before);
    const honest = await syncOnce(ctx);
    assert.equal(honest.events, 2);
  });

  it("shrinks the block range when the node refuses it, and indexes the same events", async () => {
    const reference = await snapshotReadModel(ctx.db);
    await clearReadModel(ctx.db);
    const chainClient = ctx.chain;
    let refusals = 0;
    const strict = {
      ...chainClient,
      getLogs: async (args: Parameters<PublicClient["getLogs"]>[0]) => {
        const { fromBlock, toBlock } = args as { fromBlock: bigint; toBlock: bigint };
        if (toBlock - fromBlock + 1n > 4n) {
          refusals++;
          throw new LimitExceededRpcError(
            new RpcRequestError({
              body: {},
              url: chain.rpcUrl,
              error: { code: -32005, message: "block range too large: at most 4 blocks" },
            }),
          );
        }
        return chainClient.getLogs(args);
      },
    } as PublicClient;
    const synced = await syncToHead({ ...ctx, chain: strict }, { rangeSize: 100 });
    assert.ok(refusals >= 1);
    assert.ok(synced.steps >= Math.ceil((synced.head - chain.deploymentBlock) / 4));
    assert.deepEqual(await snapshotReadModel(ctx.db), reference);
  });

  it("shrinks the block range when the chain's answer is larger than this process accepts", async () => {
    const reference = await snapshotReadModel(ctx.db);
    // The limit: a little above the largest one-block answer, so only ranges of several blocks exceed it.
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    // The raw size of the node's eth_getLogs answer for a range, as the transport counts it.
    const answerBytes = async (fromBlock: number, toBlock: number) => {
      const response = await fetch(chain.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "eth_getLogs",
          params: [
            { address: chain.address, fromBlock: `0x${fromBlock.toString(16)}`, toBlock: `0x${toBlock.toString(16)}` },
          ],
        }),
      });
      return (await response.arrayBuffer()).byteLength;
    };
    let largestBlock = 0;
    for (let block = chain.deploymentBlock; block <= head; block++) {
      largestBlock = Math.max(largestBlock, await answerBytes(block, block));
    }
    const limit = largestBlock * 2 + 1_000;
    assert.ok((await answerBytes(chain.deploymentBlock, head)) > limit * 1.5, "the whole range must exceed the limit");
    const capped = createPublicClient({
      transport: http(chain.rpcUrl, {
        fetchFn: keepAliveFetch({ maxResponseBytes: limit }) as unknown as typeof fetch,
        retryCount: 0,
      }),
    }) as PublicClient;
    await clearReadModel(ctx.db);
    const synced = await syncToHead({ ...ctx, chain: capped }, { rangeSize: 1_000 });
    assert.ok(synced.steps > 1, "the range must have been split");
    assert.deepEqual(await snapshotReadModel(ctx.db), reference);
  });
});
