/**
 * The indexer against a real local chain: a multi-party custody flow ends up in the read model
 * exactly as the contract holds it; a second sync changes nothing; a fault in the middle of a
 * step leaves the database as it was and a restart completes without duplicates; a database of
 * another deployment or a node of another chain is refused with both named.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "drizzle-orm";
import type { PublicClient } from "viem";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import {
  batches,
  events,
  holdings,
  packStates,
  participants,
  products,
  shipmentLines,
} from "../src/server/db/schema.ts";
import { snapshotIndexedBlocks, snapshotReadModel } from "../src/server/indexer/snapshot.ts";
import {
  clearReadModel,
  indexedBlock,
  IndexerTargetError,
  rebuildReadModel,
  RECENT_CURSOR_BLOCKS,
  syncOnce,
  syncToHead,
} from "../src/server/indexer/sync.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { createWorld, type World, type WorldBatch, type WorldShipment } from "./support/world.ts";

function contextFor(
  chain: TestChain,
  database: OpenedDatabase,
  overrides: { chainId?: number; address?: `0x${string}` } = {},
) {
  return createAppContext({
    database,
    target: {
      chainId: overrides.chainId ?? chain.chainId,
      address: overrides.address ?? chain.address,
      deploymentBlock: chain.deploymentBlock,
      rpcUrl: chain.rpcUrl,
    },
  });
}

describe(`indexer (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let world: World;
  let database: OpenedDatabase;
  let ctx: AppContext;
  let amoxLot: WorldBatch;
  let ibuLot: WorldBatch;
  const shipments: WorldShipment[] = [];

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    ctx = await contextFor(chain, database);
    world = await createWorld(chain);
    const { acme, borealis, northwind, central, harbour, regulator } = world.parties;
    const amoxicillin = await world.registerProduct(acme, { name: "Amoxicillin" });
    const ibuprofen = await world.registerProduct(borealis, {
      name: "Ibuprofen",
      strength: "400 mg",
      dosageForm: "tablet",
    });
    amoxLot = await world.registerBatch(acme, amoxicillin, { packs: 40 });
    ibuLot = await world.registerBatch(borealis, ibuprofen, { packs: 24 });
    const recalledLot = await world.registerBatch(acme, amoxicillin, { packs: 8 });

    // Each manufacturer supplies the distributor.
    const first = await world.ship(acme, northwind, [{ batch: amoxLot, quantity: 30 }]);
    await world.receive(first);
    const second = await world.ship(borealis, northwind, [{ batch: ibuLot, quantity: 20 }]);
    await world.receive(second);
    // A two-line shipment from the distributor to a pharmacy, received.
    const third = await world.ship(northwind, central, [
      { batch: amoxLot, quantity: 12 },
      { batch: ibuLot, quantity: 6 },
    ]);
    await world.receive(third);
    // Rejected and cancelled shipments return their units.
    const rejected = await world.ship(northwind, harbour, [{ batch: amoxLot, quantity: 5 }]);
    await world.reject(rejected, "Temperature excursion");
    const cancelled = await world.ship(acme, harbour, [{ batch: amoxLot, quantity: 3 }]);
    await world.cancel(cancelled);
    // One still in transit.
    const pending = await world.ship(northwind, harbour, [{ batch: ibuLot, quantity: 4 }]);
    shipments.push(first, second, third, rejected, cancelled, pending);
    // Packs: dispensed, destroyed in bulk, one dispense undone.
    await world.decommission(central, amoxLot, 0);
    await world.decommission(central, amoxLot, 1);
    await world.decommissionMany(central, ibuLot, [2, 3, 5], "DESTROYED");
    await world.reactivate(central, amoxLot, 1);
    // Batch lifecycle: suspend and reinstate one, recall another; a participant suspended.
    await world.suspend(regulator, ibuLot, "Label check");
    await world.reinstate(regulator, ibuLot);
    await world.recall(acme, recalledLot, "Sterility failure");
    await world.suspendParticipant(harbour);
  });

  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("indexes the whole flow and every derived table matches the contract", async () => {
    const synced = await syncToHead(ctx);
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    assert.equal(synced.cursor, head);
    assert.deepEqual(await indexedBlock(ctx), {
      number: head,
      hash: (await chain.publicClient.getBlock({ blockNumber: BigInt(head) })).hash,
    });

    // Every log of the ledger is an event row, in order, with its place on the chain.
    const logs = await chain.publicClient.getLogs({ address: chain.address, fromBlock: 0n, toBlock: BigInt(head) });
    const rows = await ctx.db.select().from(events).orderBy(events.blockNumber, events.logIndex);
    assert.equal(rows.length, logs.length);
    for (const [i, log] of logs.entries()) {
      const row = rows[i]!;
      assert.equal(row.blockNumber, Number(log.blockNumber));
      assert.equal(row.logIndex, log.logIndex);
      assert.equal(row.blockHash, log.blockHash);
      assert.equal(row.transactionHash, log.transactionHash);
      const block = await chain.publicClient.getBlock({ blockNumber: log.blockNumber! });
      assert.equal(row.timestamp, Number(block.timestamp));
    }
    const shipped = rows.find((row) => row.name === "UnitsShipped")!;
    assert.equal(shipped.args.from, world.parties.acme.address.toLowerCase(), "addresses are lower-case");
    assert.equal(shipped.args.quantity, "30", "uint256 as a decimal string");
    assert.equal(shipped.batchId, amoxLot.batchId);

    // Participants and products.
    const people = await ctx.db.select().from(participants);
    assert.equal(people.length, 6);
    const harbour = people.find((p) => p.address === world.parties.harbour.address.toLowerCase())!;
    assert.deepEqual(
      { role: harbour.role, gln: harbour.gln, legalName: harbour.legalName, suspended: harbour.suspended },
      { role: "PHARMACY", gln: world.parties.harbour.gln, legalName: "Harbour Pharmacy", suspended: true },
    );
    const goods = await ctx.db.select().from(products).orderBy(products.gtin);
    assert.deepEqual(
      goods.map((p) => [p.gtin, p.name]),
      [
        [amoxLot.gtin, "Amoxicillin"],
        [ibuLot.gtin, "Ibuprofen"],
      ],
    );

    // Batches: status as on chain.
    const batchRows = await ctx.db.select().from(batches);
    assert.equal(batchRows.length, 3);
    for (const row of batchRows) {
      assert.equal(row.status, await world.batchStatus(row.batchId as `0x${string}`));
    }
    const ibu = batchRows.find((b) => b.batchId === ibuLot.batchId)!;
    assert.deepEqual([ibu.lot, ibu.expiry, ibu.packCount, ibu.gtin], [ibuLot.lot, ibuLot.expiry, 24, ibuLot.gtin]);
    const recalled = batchRows.find((b) => b.status === "RECALLED")!;
    assert.equal(recalled.statusReason, "Sterility failure");

    // Holdings equal unitsHeld for every party and batch, with no empty rows.
    const held = await ctx.db.select().from(holdings);
    assert.ok(held.every((h) => h.units > 0));
    for (const batch of batchRows) {
      for (const party of Object.values(world.parties)) {
        const row = held.find((h) => h.batchId === batch.batchId && h.holder === party.address.toLowerCase());
        assert.equal(
          row?.units ?? 0,
          await world.unitsHeld(batch.batchId as `0x${string}`, party),
          `${party.legalName} ${batch.lot}`,
        );
      }
    }

    // Shipment lines: one per batch, pending exactly when the contract says so.
    const lines = await ctx.db.select().from(shipmentLines);
    assert.equal(lines.length, 7);
    for (const shipment of shipments) {
      const pending = await world.isPending(shipment);
      for (const line of lines.filter((l) => l.shipmentId === shipment.shipmentId)) {
        assert.equal(line.status === "PENDING", pending);
      }
    }
    const rejectedLine = lines.find((l) => l.status === "REJECTED")!;
    assert.equal(rejectedLine.reason, "Temperature excursion");
    assert.equal(lines.filter((l) => l.shipmentId === shipments[2]!.shipmentId).length, 2);

    // Pack states equal packRecord; the undone dispense is ACTIVE again.
    const packs = await ctx.db.select().from(packStates);
    assert.equal(packs.length, 5);
    for (const pack of packs) {
      const record = await world.packRecord(pack.batchId as `0x${string}`, pack.index);
      assert.equal(pack.state, record.state);
      if (record.state !== "ACTIVE") {
        assert.equal(pack.by, record.by.toLowerCase());
        assert.equal(pack.at, record.at);
      }
    }

    // Units are conserved: registered = held + in transit + decommissioned.
    for (const batch of batchRows) {
      const heldUnits = held.filter((h) => h.batchId === batch.batchId).reduce((sum, h) => sum + h.units, 0);
      const inTransit = lines
        .filter((l) => l.batchId === batch.batchId && l.status === "PENDING")
        .reduce((sum, l) => sum + l.quantity, 0);
      const decommissioned = packs.filter((p) => p.batchId === batch.batchId && p.state !== "ACTIVE").length;
      assert.equal(heldUnits + inTransit + decommissioned, batch.packCount, batch.lot);
    }

    // The derived tables are a function of the events: a rebuild gives the same rows.
    const followed = await snapshotReadModel(ctx.db);
    await rebuildReadModel(ctx.db);
    assert.deepEqual(await snapshotReadModel(ctx.db), followed);
  });

  it("changes nothing when synced again", async () => {
    const before = await snapshotReadModel(ctx.db);
    const blocks = await snapshotIndexedBlocks(ctx.db);
    const step = await syncOnce(ctx);
    assert.equal(step.caughtUp, true);
    assert.equal(step.events, 0);
    assert.equal(step.range, undefined);
    assert.deepEqual(await snapshotReadModel(ctx.db), before);
    assert.deepEqual(await snapshotIndexedBlocks(ctx.db), blocks);
  });

  it("gives the same read model whatever the range size", async () => {
    const reference = await snapshotReadModel(ctx.db);
    await clearReadModel(ctx.db);
    const synced = await syncToHead(ctx, { rangeSize: 3 });
    assert.ok(synced.steps > 5);
    assert.deepEqual(await snapshotReadModel(ctx.db), reference);
  });

  it("leaves the database as it was when a step fails midway, and a restart completes it once", async () => {
    const { acme, northwind } = world.parties;
    const base = await snapshotReadModel(ctx.db);
    const blocks = await snapshotIndexedBlocks(ctx.db);
    const shipment = await world.ship(acme, northwind, [{ batch: amoxLot, quantity: 2 }]);
    await world.receive(shipment);
    await world.decommissionMany(northwind, amoxLot, [10, 11, 12], "DESTROYED");

    await assert.rejects(
      syncOnce(ctx, {
        onApply(_event, ordinal) {
          if (ordinal === 3) throw new Error("injected fault");
        },
      }),
      /injected fault/,
    );
    assert.deepEqual(await snapshotReadModel(ctx.db), base, "nothing of the failed step remains");
    assert.deepEqual(await snapshotIndexedBlocks(ctx.db), blocks);

    const step = await syncOnce(ctx);
    assert.equal(step.events, 5);
    assert.equal(step.caughtUp, true);
    const logs = await chain.publicClient.getLogs({
      address: chain.address,
      fromBlock: 0n,
      toBlock: BigInt(step.head),
    });
    const rows = await ctx.db.select({ block: events.blockNumber, index: events.logIndex }).from(events);
    assert.equal(rows.length, base.events.length + 5);
    assert.deepEqual(
      new Set(rows.map((row) => `${row.block}:${row.index}`)),
      new Set(logs.map((log) => `${log.blockNumber}:${log.logIndex}`)),
      "each log of the chain once",
    );
    assert.equal(await world.unitsHeld(amoxLot, northwind), 30 - 12 - 5 + 5 + 2 - 3);
    const [row] = await ctx.db
      .select()
      .from(holdings)
      .where(sql`${holdings.batchId} = ${amoxLot.batchId} and ${holdings.holder} = ${northwind.address.toLowerCase()}`);
    assert.equal(row?.units, await world.unitsHeld(amoxLot, northwind));
  });

  it("gives up a step when another indexer moved the cursor meanwhile", async () => {
    const { acme, northwind } = world.parties;
    await world.ship(acme, northwind, [{ batch: amoxLot, quantity: 1 }]);
    const chainClient = ctx.chain;
    // The other indexer completes its step while this one is reading the chain.
    const racing = {
      ...chainClient,
      getLogs: async (args: Parameters<PublicClient["getLogs"]>[0]) => {
        const other = await syncOnce(ctx);
        assert.equal(other.events, 1);
        return chainClient.getLogs(args);
      },
    } as PublicClient;
    await assert.rejects(syncOnce({ ...ctx, chain: racing }), /Another indexer moved the cursor.*PEDIGREE_INDEXER=off/);
    assert.equal((await syncOnce(ctx)).events, 0);
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const logs = await chain.publicClient.getLogs({ address: chain.address, fromBlock: 0n, toBlock: BigInt(head) });
    const rows = await ctx.db.select({ block: events.blockNumber, index: events.logIndex }).from(events);
    assert.equal(rows.length, logs.length, "the other indexer's step stands, once");
  });

  it("refuses a database that holds another deployment's read model, naming both", async () => {
    const otherAddress = "0x00000000000000000000000000000000000000aa" as const;
    const other = await contextFor(chain, database, { address: otherAddress });
    await assert.rejects(syncOnce(other), (error: unknown) => {
      assert.ok(error instanceof IndexerTargetError);
      assert.match(error.message, new RegExp(chain.address.toLowerCase()));
      assert.match(error.message, new RegExp(otherAddress));
      return true;
    });
  });

  it("refuses a node of another chain than configured, naming both chain ids", async () => {
    const wrongChain = await contextFor(chain, database, { chainId: 11155111 });
    await assert.rejects(syncOnce(wrongChain), /chain id 31337.*configured for chain id 11155111/);
  });

  it("indexes only blocks with enough confirmations", async () => {
    const reference = await snapshotReadModel(ctx.db);
    await clearReadModel(ctx.db);
    const synced = await syncToHead(ctx, { confirmations: 4 });
    assert.equal(synced.cursor, synced.head - 4);
    const [newest] = await ctx.db.select({ block: sql<number>`max(${events.blockNumber})::int` }).from(events);
    assert.ok(newest!.block <= synced.head - 4);
    await syncToHead(ctx, { confirmations: 0 });
    assert.deepEqual(await snapshotReadModel(ctx.db), reference);
  });

  it("keeps cursor blocks without events only near the head", async () => {
    await chain.testClient.mine({ blocks: RECENT_CURSOR_BLOCKS + 300 });
    const synced = await syncToHead(ctx, { rangeSize: 100 });
    const blocks = await snapshotIndexedBlocks(ctx.db);
    const withEvents = new Set(
      (await ctx.db.select({ block: events.blockNumber }).from(events)).map((row) => row.block),
    );
    const old = blocks.filter((block) => block.number <= synced.cursor! - RECENT_CURSOR_BLOCKS);
    assert.ok(old.length > 0);
    assert.ok(
      old.every((block) => withEvents.has(block.number)),
      "old blocks are the ones with events",
    );
    assert.ok(blocks.filter((block) => !withEvents.has(block.number)).length >= 10, "recent cursor blocks stay");
    assert.ok([...withEvents].every((number) => blocks.some((block) => block.number === number)));
  });
});
