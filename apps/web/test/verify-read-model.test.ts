/**
 * Verdicts from the read model (issue 16, item 3): a public check answered from the indexed state
 * gives what the chain gives at the same block, for every pack of a world with every state a pack
 * and a batch can be in, for codes that match nothing, and for random histories (fast-check); the
 * source is chosen by purpose and by the read model's lag (PEDIGREE_MAX_LAG).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { gs1CheckDigit, parseGs1 } from "@pedigree/gs1";
import type { VerifyResponse } from "../src/lib/api-types.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { indexerCursor } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { maxLagSeconds } from "../src/server/verify/read-model.ts";
import { readSources } from "../src/server/verify/sources.ts";
import { verifyCode } from "../src/server/verify/verify.ts";
import { withEnv } from "./support/env.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { createWorld, type World, type WorldBatch } from "./support/world.ts";

const ai17 = (yyyymmdd: number) => String(yyyymmdd).slice(2);
/** A GTIN no one registered. */
const UNKNOWN_GTIN = `0952099999999${gs1CheckDigit("0952099999999")}`;
const code = (batch: WorldBatch, index: number, options: { expiry?: number; serial?: string; lot?: string } = {}) =>
  `(01)${batch.gtin}(17)${ai17(options.expiry ?? batch.expiry)}(10)${options.lot ?? batch.lot}` +
  `(21)${options.serial ?? batch.manifest.serials[index]}`;

/** What both sources must agree on: the answer less where and when it was read. */
function comparable(body: VerifyResponse) {
  const { source: _source, blockTime: _blockTime, checkedAt: _checkedAt, ...rest } = body;
  return rest;
}

describe(`verdicts from the read model (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  const batches: WorldBatch[] = [];
  let clockOffsetMs = 0;

  /** Every code of the batches, both ways; returns how many were compared. */
  async function compareAll(codes: string[], reportedBy?: `0x${string}`): Promise<number> {
    await syncToHead(ctx);
    for (const text of codes) {
      const options = reportedBy === undefined ? {} : { reportedBy };
      const chainAnswer = await verifyCode(ctx, text, { ...options, source: "chain" });
      const indexAnswer = await verifyCode(ctx, text, { ...options, source: "read-model" });
      assert.notEqual(chainAnswer.body.verdict, "INVALID_CODE", `${text} is a code`);
      assert.equal(chainAnswer.body.source, "chain", text);
      assert.equal(indexAnswer.body.source, "read-model", text);
      assert.equal(indexAnswer.status, chainAnswer.status, text);
      assert.deepEqual(comparable(indexAnswer.body), comparable(chainAnswer.body), `${text}: both sources agree`);
      // And the ledger's own verdict underneath (the contract's `verifyPack`, field for field).
      const parsed = parseGs1(text);
      if (parsed.ok && parsed.value.gtin !== undefined && parsed.value.serial !== undefined) {
        const label = { ...parsed.value, gtin: parsed.value.gtin, serial: parsed.value.serial };
        const read = (force: "chain" | "read-model") =>
          readSources(ctx, label, { latest: false, maxLagSeconds: Number.POSITIVE_INFINITY, force });
        const [onChain, indexed] = [await read("chain"), await read("read-model")];
        assert.deepEqual(indexed.verification, onChain.verification, `${text}: verifyPack agrees`);
        assert.equal(indexed.blockNumber, onChain.blockNumber, `${text}: at the same block`);
      }
    }
    return codes.length;
  }

  const codesOf = (batch: WorldBatch) => batch.manifest.serials.map((_, index) => code(batch, index));

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    // The verdict's own clock follows the chain's, which the expiring batch moves ten days on.
    ctx = await createAppContext({ database, target: chain.target, now: () => new Date(Date.now() + clockOffsetMs) });
    const { acme, borealis, northwind, central, harbour, regulator } = world.parties;
    const product = await world.registerProduct(acme);
    const other = await world.registerProduct(borealis);

    // One batch with a pack in every state: dispensed, dispensed then undone, destroyed, stolen,
    // sample, exported, locked, locked then unlocked; active ones with the manufacturer, a
    // distributor and two pharmacies.
    const mixed = await world.registerBatch(acme, product, { packs: 16 });
    await world.receive(await world.ship(acme, northwind, [{ batch: mixed, quantity: 12 }]));
    await world.receive(await world.ship(northwind, central, [{ batch: mixed, quantity: 8 }]));
    await world.receive(await world.ship(northwind, harbour, [{ batch: mixed, quantity: 2 }]));
    await world.decommission(central, mixed, 0, "DISPENSED");
    await world.decommission(central, mixed, 1, "DISPENSED");
    await world.reactivate(central, mixed, 1);
    await world.decommission(central, mixed, 2, "DESTROYED");
    await world.decommission(northwind, mixed, 3, "STOLEN");
    await world.decommission(central, mixed, 4, "SAMPLE");
    await world.decommission(northwind, mixed, 5, "EXPORTED");
    await world.decommission(harbour, mixed, 6, "LOCKED");
    await world.decommission(central, mixed, 7, "LOCKED");
    await world.reactivate(central, mixed, 7);
    // A recalled batch with a dispensed pack, a suspended one, a suspended then reinstated one.
    const recalled = await world.registerBatch(acme, product, { packs: 4 });
    await world.receive(await world.ship(acme, central, [{ batch: recalled, quantity: 4 }]));
    await world.decommission(central, recalled, 0, "DISPENSED");
    await world.recall(regulator, recalled, "Contamination");
    const suspended = await world.registerBatch(borealis, other, { packs: 3 });
    await world.suspend(regulator, suspended, "Under investigation");
    const reinstated = await world.registerBatch(borealis, other, { packs: 3 });
    await world.suspend(regulator, reinstated, "Under investigation");
    await world.reinstate(regulator, reinstated);
    // A batch that expires within days, then the chain's clock moves past it.
    const now = new Date(Number((await chain.publicClient.getBlock()).timestamp) * 1000);
    const soon = new Date(now.getTime() + 3 * 86_400_000);
    const expiring = await world.registerBatch(borealis, other, {
      packs: 3,
      expiry: Number(soon.toISOString().slice(0, 10).replaceAll("-", "")),
    });
    await world.receive(await world.ship(borealis, central, [{ batch: expiring, quantity: 2 }]));
    await world.decommission(central, expiring, 0, "DISPENSED");
    await chain.testClient.increaseTime({ seconds: 10 * 86_400 });
    await chain.testClient.mine({ blocks: 1 });
    clockOffsetMs = 10 * 86_400_000;
    // A batch registered on chain whose serial list this server does not have.
    const unlisted = await world.registerBatch(acme, product, { packs: 2 });
    batches.push(mixed, recalled, suspended, reinstated, expiring);
    for (const batch of batches) await storeWorldManifest(ctx.db, batch);
    batches.push(unlisted);
  });

  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("agrees with the chain on every pack of a world with every pack and batch state", async () => {
    const codes = batches.flatMap(codesOf);
    assert.equal(await compareAll(codes), codes.length);
    // And in the whole answer a participant gets (holder, who decommissioned, pack count).
    assert.equal(await compareAll(codes, world.parties.regulator.address), codes.length);
    const verdicts = new Set<string>();
    for (const text of codes) verdicts.add((await verifyCode(ctx, text, { source: "read-model" })).body.verdict);
    for (const verdict of [
      "GENUINE",
      "DISPENSED",
      "DECOMMISSIONED",
      "RECALLED",
      "SUSPENDED",
      "EXPIRED",
      "UNAVAILABLE",
    ]) {
      assert.ok(verdicts.has(verdict), `the world covers ${verdict} (saw ${[...verdicts].join(", ")})`);
    }
  });

  it("agrees on codes that match nothing: an unknown serial, lot and product, a wrong expiry, no lot", async () => {
    const [mixed] = batches as [WorldBatch];
    const codes = [
      code(mixed, 0, { serial: "NOTASERIAL1" }),
      code(mixed, 0, { serial: mixed.manifest.serials[0]!.toLowerCase() }),
      code(mixed, 0, { lot: "NOSUCHLOT" }),
      code(mixed, 0, { expiry: 20_990_101 }),
      code(mixed, 0, { expiry: Number(`${String(mixed.expiry).slice(0, 6)}00`) }),
      `(01)${UNKNOWN_GTIN}(17)${ai17(mixed.expiry)}(10)${mixed.lot}(21)${mixed.manifest.serials[0]}`,
      `(01)${mixed.gtin}(21)${mixed.manifest.serials[3]}`,
      `(01)${mixed.gtin}(21)NOTASERIAL1`,
      `(01)${UNKNOWN_GTIN}(21)ABC`,
    ];
    await compareAll(codes);
    await compareAll(codes, world.parties.central.address);
  });

  it("agrees on random histories (fast-check)", async () => {
    const { acme, northwind, central, harbour, regulator } = world.parties;
    const product = await world.registerProduct(acme);
    const holders = [central, harbour] as const;
    const step = fc.oneof(
      fc.record({ kind: fc.constant("dispense" as const), pack: fc.nat(5), at: fc.nat(1) }),
      fc.record({
        kind: fc.constant("decommission" as const),
        pack: fc.nat(5),
        at: fc.nat(1),
        state: fc.constantFrom(
          "DESTROYED" as const,
          "STOLEN" as const,
          "SAMPLE" as const,
          "EXPORTED" as const,
          "LOCKED" as const,
        ),
      }),
      fc.record({ kind: fc.constant("undo" as const), pack: fc.nat(5), at: fc.nat(1) }),
      fc.record({
        kind: fc.constantFrom("recall" as const, "suspend" as const, "reinstate" as const),
        pack: fc.constant(0),
        at: fc.constant(0),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const batch = await world.registerBatch(acme, product, { packs: 6 });
        await storeWorldManifest(ctx.db, batch);
        await world.receive(await world.ship(acme, northwind, [{ batch, quantity: 6 }]));
        await world.receive(await world.ship(northwind, central, [{ batch, quantity: 3 }]));
        await world.receive(await world.ship(northwind, harbour, [{ batch, quantity: 3 }]));
        for (const s of steps) {
          // A step the ledger refuses (a pack of the other pharmacy, a recalled batch) leaves the
          // state as it was, on chain and in the read model alike.
          const holder = holders[s.kind === "recall" || s.kind === "suspend" || s.kind === "reinstate" ? 0 : s.at]!;
          const write =
            s.kind === "dispense"
              ? world.decommission(holder, batch, s.pack, "DISPENSED")
              : s.kind === "decommission"
                ? world.decommission(holder, batch, s.pack, s.state)
                : s.kind === "undo"
                  ? world.reactivate(holder, batch, s.pack)
                  : s.kind === "recall"
                    ? world.recall(regulator, batch, "Random recall")
                    : s.kind === "suspend"
                      ? world.suspend(regulator, batch, "Random suspension")
                      : world.reinstate(regulator, batch);
          await write.catch(() => undefined);
        }
        await compareAll(codesOf(batch), regulator.address);
      }),
      { numRuns: 12 },
    );
  });

  it("takes the read model for a public check while it is current, the chain before dispensing or when it lags", async () => {
    const { central } = world.parties;
    const [mixed] = batches as [WorldBatch];
    await syncToHead(ctx);
    const withLag = (seconds: string, run: () => Promise<VerifyResponse>) => withEnv("PEDIGREE_MAX_LAG", seconds, run);
    const check = async (options: Parameters<typeof verifyCode>[2] = {}) =>
      (await verifyCode(ctx, code(mixed, 8), options)).body;

    const current = await withLag("3600", () => check());
    assert.equal(current.source, "read-model");
    const [cursor] = await ctx.db.select({ block: indexerCursor.blockNumber }).from(indexerCursor);
    assert.equal(current.blockNumber, cursor?.block, "the answer names the indexed block");
    assert.match(current.blockTime ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, "and its time");

    const dispensing = await withLag("3600", () => check({ purpose: "dispense", reportedBy: central.address }));
    assert.equal(dispensing.source, "chain", "a check before dispensing sees the latest block");
    const lagging = await withLag("0", () => check());
    assert.equal(lagging.source, "chain", "a read model behind PEDIGREE_MAX_LAG is not used");

    // A pack dispensed since the last sync: the chain knows at once; the read model once indexed.
    await world.decommission(central, mixed, 8, "DISPENSED");
    assert.equal((await withLag("3600", () => check())).verdict, "GENUINE", "the read model's block is older");
    assert.equal((await withLag("0", () => check())).verdict, "DISPENSED");
    await syncToHead(ctx);
    assert.equal((await withLag("3600", () => check())).verdict, "DISPENSED");

    assert.equal(maxLagSeconds({}), 15);
    assert.equal(maxLagSeconds({ PEDIGREE_MAX_LAG: "30" }), 30);
    assert.equal(maxLagSeconds({ PEDIGREE_MAX_LAG: "2.5s" }), 2.5);
    assert.throws(() => maxLagSeconds({ PEDIGREE_MAX_LAG: "soon" }), /PEDIGREE_MAX_LAG must be a number of seconds/);
  });
});
