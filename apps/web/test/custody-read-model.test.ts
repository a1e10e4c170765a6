/**
 * Package-level custody in the read model against the package-level ledger itself.
 *
 * A seeded random history of every custody step (packing by range, aggregating, taking out,
 * shipping, receiving in part, rejecting, cancelling, dispensing, destroying, undoing, quarantine
 * by holder and regulator, cleared and illegitimate) is driven by what the *read model* says each
 * party holds: a step the read model thinks possible that the chain refuses fails the test. After
 * every few steps, every pack's and unit's whereabouts in the read model are compared with the
 * chain's `packLocation` and `unit` views, so are every party's holdings of every batch and every
 * unit's contents, and a rebuild from the stored events gives the same tables.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq, inArray } from "drizzle-orm";
import { gs1CheckDigit } from "@pedigree/gs1";
import { packageLedgerAbi, packageLensAbi, PLACE_KINDS, packStateName, packStateNumber } from "@pedigree/ledger";
import { stringToHex, type Address, type Hex } from "viem";
import { hardhat } from "viem/chains";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { PartyResponse } from "../src/lib/api/read.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import {
  events,
  holdings as holdingsTable,
  packPlaces,
  shipmentItems,
  shipmentLines as shipmentLinesTable,
  shipments,
  unitContents as unitContentsTable,
  units,
} from "../src/server/db/schema.ts";
import { rebuildReadModel, syncToHead } from "../src/server/indexer/sync.ts";
import {
  packTracePositions,
  packWhereabouts,
  shipmentContents,
  unitContents,
  unitWhereabouts,
  type Whereabouts,
} from "../src/server/read/custody.ts";
import { readApi } from "../src/server/read/http.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { openSession, requestAs } from "./support/viewers.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { COMPANY_PREFIXES, createWorld, type World, type WorldBatch, type WorldParty } from "./support/world.ts";

/** A small deterministic PRNG (mulberry32), so that a failing history can be replayed by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.PEDIGREE_CUSTODY_SEED ?? 20261202);
/** Steps taken (a drawn step with nothing to act on is drawn again, up to four times as many draws). */
const STEPS = 90;

/** An SSCC: extension digit, company prefix, serial reference, check digit. */
function sscc(prefix: string, serial: number): bigint {
  const body = "3" + prefix + String(serial).padStart(16 - prefix.length, "0");
  return BigInt(body + String(gs1CheckDigit(body)));
}

interface Pack {
  batch: WorldBatch;
  index: number;
}

describe(`package-level custody in the read model (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let world: World;
  let database: OpenedDatabase;
  let ctx: AppContext;
  let batchesByParty: WorldBatch[];
  const allUnits: bigint[] = [];
  let nextSerial = 1;
  const log: string[] = [];
  /** The ledger functions the history called. */
  const called = new Set<string>();

  const write = async (from: WorldParty, functionName: string, args: readonly unknown[]) => {
    const hash = await chain.wallet(from.account).writeContract({
      address: chain.address,
      abi: packageLedgerAbi,
      functionName,
      args,
      account: from.account,
      chain: hardhat,
    } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    assert.equal(receipt.status, "success", `${functionName} by ${from.legalName} was mined but failed`);
    called.add(functionName);
    await syncToHead(ctx, { confirmations: 0 });
    return receipt;
  };

  const packRef = (pack: Pack, where: Whereabouts) => ({
    batchId: pack.batch.batchId,
    index: BigInt(pack.index),
    unit: where.path[0] === undefined ? 0n : BigInt(where.path[0]),
  });

  before(async () => {
    [chain, database] = await Promise.all([startTestChain({ contract: "PedigreePackageLedger" }), openTestDatabase()]);
    ctx = await createAppContext({ database, target: chain.target });
    world = await createWorld(chain);
    const { acme, borealis } = world.parties;
    const amox = await world.registerProduct(acme, { name: "Amoxicillin" });
    const ibu = await world.registerProduct(borealis, { name: "Ibuprofen" });
    batchesByParty = [
      await world.registerBatch(acme, amox, { packs: 40 }),
      await world.registerBatch(borealis, ibu, { packs: 24 }),
    ];
    await syncToHead(ctx, { confirmations: 0 });
  });

  after(async () => {
    await database?.close();
    await chain?.stop();
  });

  const parties = () => Object.values(world.parties);
  const packsOf = () =>
    batchesByParty.flatMap((batch) => Array.from({ length: batch.manifest.count }, (_, index) => ({ batch, index })));

  async function holdings(party: WorldParty): Promise<{
    units: bigint[];
    packs: { pack: Pack; where: Whereabouts }[];
    nested: { pack: Pack; where: Whereabouts }[];
  }> {
    const address = party.address.toLowerCase();
    const heldUnits: bigint[] = [];
    for (const unit of allUnits) {
      const where = (await unitWhereabouts(ctx.db, String(unit).padStart(18, "0")))!;
      if (where.place === "HELD" && where.party === address && (await ownPlace(unit)) !== "IN_UNIT")
        heldUnits.push(unit);
    }
    const packs: { pack: Pack; where: Whereabouts }[] = [];
    const nested: { pack: Pack; where: Whereabouts }[] = [];
    for (const pack of packsOf()) {
      const where = (await packWhereabouts(ctx.db, pack.batch.batchId, pack.index))!;
      if (where.place !== "HELD" || where.party !== address) continue;
      (where.path.length === 0 ? packs : nested).push({ pack, where });
    }
    return { units: heldUnits, packs, nested };
  }

  async function ownPlace(unit: bigint): Promise<string> {
    const [row] = await ctx.db
      .select({ place: units.place })
      .from(units)
      .where(eq(units.sscc, String(unit).padStart(18, "0")));
    return row!.place;
  }

  const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const some = <T>(rand: () => number, list: readonly T[], max: number): T[] =>
    list.filter(() => rand() < 0.5).slice(0, max);

  /** The `holdings` rows of some batches, as the read model keeps them. */
  async function stockOf(batchIds: readonly string[]) {
    return ctx.db
      .select()
      .from(holdingsTable)
      .where(inArray(holdingsTable.batchId, [...batchIds]))
      .orderBy(holdingsTable.batchId, holdingsTable.holder);
  }

  /** The `unit_contents` rows of some units. */
  async function contentsOf(ssccs: readonly string[]) {
    return ctx.db
      .select()
      .from(unitContentsTable)
      .where(inArray(unitContentsTable.sscc, [...ssccs]))
      .orderBy(unitContentsTable.sscc, unitContentsTable.batchId);
  }

  async function compareWithChain(): Promise<void> {
    /** What the chain says of each pack and unit, for holdings and contents computed from it alone. */
    const packsOnChain: { batchId: string; kind: string; party: string; parent: bigint }[] = [];
    const unitParentOnChain = new Map<bigint, bigint>();
    for (const pack of packsOf()) {
      const where = (await packWhereabouts(ctx.db, pack.batch.batchId, pack.index))!;
      const parent = where.path[0] === undefined ? 0n : BigInt(where.path[0]);
      const onChain = (await chain.publicClient.readContract({
        address: chain.lens!,
        abi: packageLensAbi,
        functionName: "packLocation",
        args: [pack.batch.batchId, BigInt(pack.index), parent],
      })) as {
        kind: number;
        party: Address;
        recipient: Address;
        parent: bigint;
        top: bigint;
        state: number;
        at: number;
      };
      const what = `pack ${pack.index} of ${pack.batch.lot} after: ${log.slice(-3).join("; ")}`;
      packsOnChain.push({
        batchId: pack.batch.batchId,
        kind: PLACE_KINDS[onChain.kind]!,
        party: onChain.party.toLowerCase(),
        parent: onChain.parent,
      });
      assert.equal(PLACE_KINDS[onChain.kind], where.place, `${what}: place`);
      assert.equal(onChain.party.toLowerCase(), where.party, `${what}: party`);
      assert.equal(onChain.parent, parent, `${what}: parent`);
      assert.equal(onChain.top, where.path.length === 0 ? 0n : BigInt(where.path.at(-1)!), `${what}: top`);
      if (where.place === "IN_TRANSIT")
        assert.equal(onChain.recipient.toLowerCase(), where.recipient, `${what}: recipient`);
      if (where.place === "DECOMMISSIONED") {
        assert.equal(packStateName(onChain.state), where.state, `${what}: state`);
        assert.equal(onChain.at, where.at, `${what}: at`);
      }
    }
    for (const unit of allUnits) {
      const key = String(unit).padStart(18, "0");
      const where = (await unitWhereabouts(ctx.db, key))!;
      const onChain = (await chain.publicClient.readContract({
        address: chain.lens!,
        abi: packageLensAbi,
        functionName: "unit",
        args: [unit],
      })) as {
        location: { kind: number; party: Address; recipient: Address; parent: bigint; top: bigint };
        opened: boolean;
      };
      const what = `unit ${key} after: ${log.slice(-3).join("; ")}`;
      unitParentOnChain.set(unit, onChain.location.parent);
      assert.equal(PLACE_KINDS[onChain.location.kind], where.place, `${what}: place`);
      assert.equal(onChain.location.party.toLowerCase(), where.party, `${what}: party`);
      assert.equal(
        onChain.location.parent,
        where.path[0] === undefined ? 0n : BigInt(where.path[0]),
        `${what}: parent`,
      );
      const [row] = await ctx.db.select({ opened: units.opened }).from(units).where(eq(units.sscc, key));
      assert.equal(row!.opened, onChain.opened, `${what}: opened`);
    }
    // A party's stock of a batch: the packs the chain says it holds, loose or through the top-most
    // unit around them, quarantined ones included and counted apart too.
    const stock = new Map<string, { batchId: string; holder: string; units: number; quarantined: number }>();
    // A unit's contents: the packs whose chain of parents (on chain) reaches it.
    const inside = new Map<string, { sscc: string; batchId: string; packs: number }>();
    for (const pack of packsOnChain) {
      if (pack.kind === "HELD" || pack.kind === "QUARANTINED") {
        const key = `${pack.batchId}|${pack.party}`;
        const row = stock.get(key) ?? { batchId: pack.batchId, holder: pack.party, units: 0, quarantined: 0 };
        row.units++;
        if (pack.kind === "QUARANTINED") row.quarantined++;
        stock.set(key, row);
      }
      for (let unit = pack.parent; unit !== 0n; unit = unitParentOnChain.get(unit)!) {
        const sscc = String(unit).padStart(18, "0");
        const key = `${sscc}|${pack.batchId}`;
        const row = inside.get(key) ?? { sscc, batchId: pack.batchId, packs: 0 };
        row.packs++;
        inside.set(key, row);
      }
    }
    const when = `after: ${log.slice(-3).join("; ")}`;
    const byKey = <T extends Record<string, unknown>>(rows: Iterable<T>, ...keys: (keyof T)[]) =>
      [...rows].sort((a, b) => {
        for (const key of keys) if (a[key] !== b[key]) return String(a[key]) < String(b[key]) ? -1 : 1;
        return 0;
      });
    assert.deepEqual(
      await stockOf(batchesByParty.map((b) => b.batchId)),
      byKey(stock.values(), "batchId", "holder"),
      `holdings ${when}`,
    );
    assert.deepEqual(
      await contentsOf(allUnits.map((u) => String(u).padStart(18, "0"))),
      byKey(inside.values(), "sscc", "batchId"),
      `unit contents ${when}`,
    );
  }

  it("agrees with the chain on every pack and unit through a random history driven by the read model", async () => {
    const rand = random(SEED);
    const { acme, borealis, northwind, central, harbour, regulator } = world.parties;
    const next: Record<string, WorldParty[]> = {
      MANUFACTURER: [northwind],
      DISTRIBUTOR: [central, harbour],
      PHARMACY: [],
    };
    const prefixOf = (party: WorldParty) =>
      party === acme ? COMPANY_PREFIXES.acme : party === borealis ? COMPANY_PREFIXES.borealis : "0952999";
    for (let step = 0; log.length < STEPS && step < STEPS * 4; step++) {
      const roll = rand();
      // Shipments waiting for someone: receive (in part, rejecting some) or cancel.
      const [pending] = await ctx.db.select().from(shipmentItems).where(eq(shipmentItems.status, "PENDING")).limit(1);
      if (pending !== undefined && roll < 0.35) {
        const transit = await ctx.db
          .select()
          .from(shipmentItems)
          .where(eq(shipmentItems.shipmentId, pending.shipmentId));
        const open = transit.filter((item) => item.status === "PENDING");
        const toItems = (list: typeof open) => ({
          units: list.filter((i) => i.sscc !== null).map((i) => BigInt(i.sscc!)),
          packs: list
            .filter((i) => i.sscc === null)
            .map((i) => ({ batchId: i.batchId as Hex, index: BigInt(i.index!), unit: 0n })),
        });
        const where =
          open[0]!.sscc !== null
            ? (await unitWhereabouts(ctx.db, open[0]!.sscc))!
            : (await packWhereabouts(ctx.db, open[0]!.batchId!, open[0]!.index!))!;
        const sender = parties().find((p) => p.address.toLowerCase() === where.party)!;
        const recipient = parties().find((p) => p.address.toLowerCase() === where.recipient)!;
        if (rand() < 0.3) {
          log.push(`${sender.legalName} cancels ${open.length} items`);
          await write(sender, "cancelShipment", [pending.shipmentId, toItems(open)]);
        } else {
          const rejected = open.filter(() => rand() < 0.25);
          const received = open.filter((item) => !rejected.includes(item) && rand() < 0.9);
          if (received.length + rejected.length === 0) received.push(open[0]!);
          log.push(`${recipient.legalName} receives ${received.length}, rejects ${rejected.length}`);
          await write(recipient, "receiveShipment", [
            pending.shipmentId,
            toItems(received),
            toItems(rejected),
            rejected.length > 0 ? "Damaged in transit" : "",
          ]);
        }
      } else {
        const party = pick(rand, [acme, borealis, northwind, northwind, northwind, central, harbour, central, harbour]);
        const held = await holdings(party);
        const action = rand();
        if (party.role === "MANUFACTURER" && action < 0.25) {
          const batch = batchesByParty.find((b) => b.manufacturer === party)!;
          const onChain = (await chain.publicClient.readContract({
            address: chain.lens!,
            abi: packageLensAbi,
            functionName: "batch",
            args: [batch.batchId],
          })) as { packedUpTo: number; packCount: number };
          const left = onChain.packCount - onChain.packedUpTo;
          if (left > 0) {
            const count = Math.min(left, 1 + Math.floor(rand() * 6));
            const unit = sscc(prefixOf(party), nextSerial++);
            log.push(`${party.legalName} packs ${count} into ${unit}`);
            await write(party, "packRange", [unit, BigInt(prefixOf(party).length), batch.batchId, BigInt(count)]);
            allUnits.push(unit);
            continue;
          }
        }
        const loose = held.packs;
        const nested = held.nested;
        // Distributors mostly pass stock on; pharmacies mostly dispense.
        const aggregating = party.role === "DISTRIBUTOR" ? 0.25 : 0.45;
        if (action < aggregating && held.units.length + loose.length + nested.length > 0 && party.role !== "PHARMACY") {
          // Aggregate: some top-level units, loose packs, and packs picked out of units.
          const childUnits = some(rand, held.units, 3);
          // (Not a pack inside a unit aggregated in the same step: it moves with that unit.)
          const picked = nested.filter(({ where }) => !where.path.some((u) => childUnits.includes(BigInt(u))));
          const childPacks = [...some(rand, loose, 3), ...some(rand, picked, 2)];
          if (childUnits.length + childPacks.length === 0) continue;
          const unit = sscc(prefixOf(party), nextSerial++);
          log.push(`${party.legalName} aggregates ${childUnits.length} units, ${childPacks.length} packs into ${unit}`);
          await write(party, "aggregate", [
            unit,
            BigInt(party.role === "MANUFACTURER" ? prefixOf(party).length : 0),
            { units: childUnits, packs: childPacks.map(({ pack, where }) => packRef(pack, where)) },
          ]);
          allUnits.push(unit);
        } else if (
          action < aggregating + 0.1 &&
          held.units.length > 0 &&
          (party.role !== "PHARMACY" || action >= 0.45)
        ) {
          // Take something out of a unit held.
          const parent = pick(rand, held.units);
          const contents = (await unitContents(ctx.db, String(parent).padStart(18, "0")))!;
          const outUnits = some(rand, contents.units, 2).map((u) => BigInt(u));
          const outPacks = some(rand, contents.packs, 3);
          if (outUnits.length + outPacks.length === 0) continue;
          log.push(`${party.legalName} takes ${outUnits.length} units, ${outPacks.length} packs out of ${parent}`);
          await write(party, "disaggregate", [
            parent,
            {
              units: outUnits,
              packs: outPacks.map((p) => ({ batchId: p.batchId as Hex, index: BigInt(p.index), unit: parent })),
            },
          ]);
        } else if (action < 0.8 && next[party.role]!.length > 0 && held.units.length + loose.length > 0) {
          const to = pick(rand, next[party.role]!);
          const shipUnits = some(rand, held.units, 3);
          const shipPacks = some(rand, loose, 4);
          if (shipUnits.length + shipPacks.length === 0) continue;
          log.push(`${party.legalName} ships ${shipUnits.length} units, ${shipPacks.length} packs to ${to.legalName}`);
          await write(party, "ship", [
            to.address,
            stringToHex(`ASN-${step}`, { size: 32 }),
            { units: shipUnits, packs: shipPacks.map(({ pack, where }) => packRef(pack, where)) },
          ]);
        } else if (action < 0.9 && loose.length + nested.length > 0) {
          const { pack, where } = pick(rand, [...loose, ...nested]);
          const state =
            party.role === "PHARMACY"
              ? rand() < 0.8
                ? "DISPENSED"
                : "DESTROYED"
              : rand() < 0.5
                ? "DESTROYED"
                : "STOLEN";
          log.push(`${party.legalName} decommissions pack ${pack.index} of ${pack.batch.lot} (${state})`);
          const ref = packRef(pack, where);
          await write(party, "decommission", [ref.batchId, ref.index, ref.unit, packStateNumber(state)]);
          if (state === "DISPENSED" && rand() < 0.5) {
            log.push(`${party.legalName} undoes it`);
            await write(party, "reactivate", [ref.batchId, ref.index]);
          }
        } else if (held.units.length + loose.length > 0) {
          const byRegulator = rand() < 0.5;
          const items = {
            units: some(rand, held.units, 1),
            packs: some(rand, loose, 2).map(({ pack, where }) => packRef(pack, where)),
          };
          if (items.units.length + items.packs.length === 0) continue;
          const by = byRegulator ? regulator : party;
          log.push(
            `${by.legalName} quarantines ${items.units.length} units, ${items.packs.length} packs of ${party.legalName}`,
          );
          await write(by, "quarantine", [items, "Suspected falsification"]);
          const cleared = rand() < 0.6;
          log.push(`${by.legalName} ends it ${cleared ? "cleared" : "illegitimate"}`);
          await write(by, "endQuarantine", [items, cleared ? 0 : 1, cleared ? "Genuine after all" : "Falsified"]);
        }
      }
      if (log.length % 10 === 9) await compareWithChain();
    }
    await compareWithChain();
    const every = ["packRange", "aggregate", "disaggregate", "ship", "receiveShipment", "cancelShipment"];
    every.push("decommission", "reactivate", "quarantine", "endQuarantine");
    assert.deepEqual(
      every.filter((name) => !called.has(name)),
      [],
      `the history (seed ${SEED}) takes every kind of step:\n${log.join("\n")}`,
    );
  });

  it("moves a pallet's stock between holdings by the batches on it, through every step of a shipment", async () => {
    const { acme, northwind, central, regulator } = world.parties;
    const product = await world.registerProduct(acme, { name: "Cetirizine" });
    const [a, b] = [
      await world.registerBatch(acme, product, { packs: 8 }),
      await world.registerBatch(acme, product, { packs: 4 }),
    ];
    await syncToHead(ctx, { confirmations: 0 });
    const prefix = BigInt(COMPANY_PREFIXES.acme.length);
    const [case1, case2, case3, pallet] = [
      sscc(COMPANY_PREFIXES.acme, 9101),
      sscc(COMPANY_PREFIXES.acme, 9102),
      sscc(COMPANY_PREFIXES.acme, 9103),
      sscc(COMPANY_PREFIXES.acme, 9104),
    ];
    const tote = sscc("0952999", 9105);
    const key = (unit: bigint) => String(unit).padStart(18, "0");
    const nothing = { units: [], packs: [] };
    const addr = (party: WorldParty) => party.address.toLowerCase();
    /** Each party's stock of the two batches, as [batch, party, packs, quarantined]. */
    const stock = async () =>
      (await stockOf([a.batchId, b.batchId]))
        .map((row) => {
          const holder = parties().find((party) => addr(party) === row.holder)!.legalName;
          return [row.batchId === a.batchId ? "A" : "B", holder, row.units, row.quarantined] as const;
        })
        .sort((x, y) => (x.join() < y.join() ? -1 : 1));
    const contents = async (unit: bigint) =>
      Object.fromEntries(
        (await contentsOf([key(unit)])).map((row) => [row.batchId === a.batchId ? "A" : "B", row.packs]),
      );
    const lastShipment = async (unit: bigint) =>
      (
        await ctx.db
          .select()
          .from(shipmentItems)
          .where(eq(shipmentItems.sscc, key(unit)))
      ).at(-1)!.shipmentId;

    assert.deepEqual(
      await stock(),
      [
        ["A", acme.legalName, 8, 0],
        ["B", acme.legalName, 4, 0],
      ],
      "registration puts every pack with the manufacturer",
    );
    await write(acme, "packRange", [case1, prefix, a.batchId, 4n]);
    await write(acme, "packRange", [case2, prefix, a.batchId, 4n]);
    await write(acme, "packRange", [case3, prefix, b.batchId, 3n]);
    await write(acme, "aggregate", [
      pallet,
      prefix,
      { units: [case1, case2, case3], packs: [{ batchId: b.batchId, index: 3n, unit: 0n }] },
    ]);
    assert.deepEqual(await contents(pallet), { A: 8, B: 4 }, "a pallet counts the packs of its cases and its own");
    assert.deepEqual([await contents(case1), await contents(case3)], [{ A: 4 }, { B: 3 }]);
    assert.deepEqual(
      await stock(),
      [
        ["A", acme.legalName, 8, 0],
        ["B", acme.legalName, 4, 0],
      ],
      "packing changes nobody's stock",
    );

    const ship = (from: WorldParty, to: WorldParty, ref: string, shipped: bigint[]) =>
      write(from, "ship", [to.address, stringToHex(ref, { size: 32 }), { units: shipped, packs: [] }]);
    await ship(acme, northwind, "ASN-PAL-1", [pallet]);
    assert.deepEqual(await stock(), [], "in transit the pallet is nobody's stock");
    await write(acme, "cancelShipment", [await lastShipment(pallet), { units: [pallet], packs: [] }]);
    assert.deepEqual(
      await stock(),
      [
        ["A", acme.legalName, 8, 0],
        ["B", acme.legalName, 4, 0],
      ],
      "a cancelled shipment is the sender's stock again",
    );
    await ship(acme, northwind, "ASN-PAL-2", [pallet]);
    await write(northwind, "receiveShipment", [
      await lastShipment(pallet),
      { units: [pallet], packs: [] },
      nothing,
      "",
    ]);
    assert.deepEqual(await stock(), [
      ["A", northwind.legalName, 8, 0],
      ["B", northwind.legalName, 4, 0],
    ]);

    // A case off the pallet, and a pack picked out of a case on it into a tote.
    await write(northwind, "disaggregate", [pallet, { units: [case3], packs: [] }]);
    await write(northwind, "aggregate", [
      tote,
      0n,
      { units: [], packs: [{ batchId: a.batchId, index: 1n, unit: case1 }] },
    ]);
    assert.deepEqual(
      [await contents(pallet), await contents(case1), await contents(tote)],
      [{ A: 7, B: 1 }, { A: 3 }, { A: 1 }],
    );
    await ship(northwind, central, "ASN-PAL-3", [pallet, tote, case3]);
    assert.deepEqual(await stock(), []);
    const third = await lastShipment(pallet);
    // The clerk's page: what is on its way, unit by unit, and what it adds up to by batch.
    const pageOf = async (party: WorldParty) => {
      const answer = await readApi.party(
        ctx,
        requestAs(await openSession(ctx, party.address))(`/api/parties/${addr(party)}`),
        addr(party),
      );
      assert.equal(answer.status, 200);
      return (await answer.json()) as PartyResponse;
    };
    const inbox = await pageOf(central);
    assert.deepEqual(
      inbox.pendingItems?.[third]?.map((item) => [item.sscc, item.packs]),
      [
        [key(pallet), 8],
        [key(tote), 1],
        [key(case3), 3],
      ],
    );
    assert.deepEqual(
      inbox.incoming.PENDING.filter((line) => line.shipmentId === third)
        .map((line) => [line.lot === a.lot ? "A" : "B", line.quantity])
        .sort(),
      [
        ["A", 8],
        ["B", 4],
      ],
      "7 packs of A on the pallet and 1 in the tote; 1 of B on the pallet and 3 in the case",
    );
    await write(central, "receiveShipment", [
      third,
      { units: [pallet], packs: [] },
      { units: [tote], packs: [] },
      "Damaged in transit",
    ]);
    assert.deepEqual(
      await stock(),
      [
        ["A", central.legalName, 7, 0],
        ["A", northwind.legalName, 1, 0],
        ["B", central.legalName, 1, 0],
      ],
      "the received pallet is the recipient's, the rejected tote the sender's, the case still in transit nobody's",
    );
    const afterReceipt = await pageOf(central);
    assert.deepEqual(
      afterReceipt.pendingItems?.[third]?.map((item) => item.sscc),
      [key(case3)],
      "the case neither received nor refused is still on its way",
    );
    assert.deepEqual(
      afterReceipt.units
        ?.filter((unit) => unit.sscc === key(pallet))
        .map((unit) => [unit.sscc, unit.childUnits, unit.contents.map((c) => [c.lot, c.packs])]),
      [
        [
          key(pallet),
          2,
          [
            [a.lot, 7],
            [b.lot, 1],
          ].sort(),
        ],
      ],
      "Central holds the pallet with its two cases",
    );
    const sent = (await pageOf(northwind)).outgoing;
    const outcome = (status: "PENDING" | "RECEIVED" | "REJECTED") =>
      sent[status]
        .filter((line) => line.shipmentId === third)
        .map((line) => [line.lot === a.lot ? "A" : "B", line.quantity, line.reason]);
    assert.deepEqual(outcome("RECEIVED").sort(), [
      ["A", 7, null],
      ["B", 1, null],
    ]);
    assert.deepEqual(outcome("REJECTED"), [["A", 1, "Damaged in transit"]], "the sender sees what came back, and why");
    assert.deepEqual(outcome("PENDING"), [["B", 3, null]]);
    await write(northwind, "cancelShipment", [third, { units: [case3], packs: [] }]);
    assert.deepEqual(await stock(), [
      ["A", central.legalName, 7, 0],
      ["A", northwind.legalName, 1, 0],
      ["B", central.legalName, 1, 0],
      ["B", northwind.legalName, 3, 0],
    ]);

    // Dispensing a pack from a case on the pallet: out of the case, the pallet and the stock.
    await write(central, "decommission", [a.batchId, 5n, case2, packStateNumber("DISPENSED")]);
    assert.deepEqual([await contents(pallet), await contents(case2)], [{ A: 6, B: 1 }, { A: 3 }]);
    assert.deepEqual((await stock())[0], ["A", central.legalName, 6, 0]);

    // Quarantined stock stays its holder's, counted apart; destroyed stock is nobody's.
    const palletItems = { units: [pallet], packs: [] };
    await write(regulator, "quarantine", [palletItems, "Suspected falsification"]);
    assert.deepEqual(await stock(), [
      ["A", central.legalName, 6, 6],
      ["A", northwind.legalName, 1, 0],
      ["B", central.legalName, 1, 1],
      ["B", northwind.legalName, 3, 0],
    ]);
    // What users see of it: the batch's holders (the auditor's view) and the pharmacy's own stock.
    const batchAs = async (viewer: WorldParty) => {
      const ask = requestAs(await openSession(ctx, viewer.address));
      const answer = await readApi.batch(ctx, ask(`/api/batches/${a.gtin}/${a.lot}`), { gtin: a.gtin, lot: a.lot });
      assert.equal(answer.status, 200, viewer.legalName);
      const body = (await answer.json()) as {
        holdings: { party: { name: string }; units: number; quarantined: number }[];
      };
      return body.holdings.map((h) => [h.party.name, h.units, h.quarantined]);
    };
    assert.deepEqual(await batchAs(regulator), [
      [central.legalName, 6, 6],
      [northwind.legalName, 1, 0],
    ]);
    const stockAs = async (viewer: WorldParty) => {
      const ask = requestAs(await openSession(ctx, viewer.address));
      const answer = await readApi.party(ctx, ask(`/api/parties/${addr(central)}`), addr(central));
      return answer;
    };
    const own = (await (await stockAs(central)).json()) as {
      stock: { gtin: string; units: number; batches: { lot: string; units: number; quarantined: number }[] }[];
    };
    assert.deepEqual(
      own.stock
        .find((group) => group.gtin === a.gtin)!
        .batches.filter((line) => line.lot === a.lot || line.lot === b.lot)
        .map((line) => [line.lot, line.units, line.quarantined]),
      [
        [a.lot, 6, 6],
        [b.lot, 1, 1],
      ],
      "the pharmacy's stock still lists the quarantined packs, and says they are",
    );
    assert.equal((await stockAs(northwind)).status, 403, "another party's stock is not Northwind's to read");
    await write(regulator, "endQuarantine", [palletItems, 0, "Genuine after all"]);
    const case3Items = { units: [case3], packs: [] };
    await write(regulator, "quarantine", [case3Items, "Suspected falsification"]);
    await write(regulator, "endQuarantine", [case3Items, 1, "Falsified"]);
    assert.deepEqual(await stock(), [
      ["A", central.legalName, 6, 0],
      ["A", northwind.legalName, 1, 0],
      ["B", central.legalName, 1, 0],
    ]);
    assert.deepEqual(await contents(case3), { B: 3 }, "a destroyed case keeps its contents, which nobody holds");

    assert.deepEqual(await batchAs(acme), [
      [central.legalName, 6, 0],
      [northwind.legalName, 1, 0],
    ]);
  });

  it("traces a pack through its case and pallet, and only while it was inside them", async () => {
    const { acme, northwind, central, harbour } = world.parties;
    const product = await world.registerProduct(acme, { name: "Paracetamol" });
    const batch = await world.registerBatch(acme, product, { packs: 10 });
    await syncToHead(ctx, { confirmations: 0 });
    const prefix = BigInt(COMPANY_PREFIXES.acme.length);
    const [case1, case2, pallet] = [
      sscc(COMPANY_PREFIXES.acme, 9001),
      sscc(COMPANY_PREFIXES.acme, 9002),
      sscc(COMPANY_PREFIXES.acme, 9003),
    ];
    const nothing = { units: [], packs: [] };
    await write(acme, "packRange", [case1, prefix, batch.batchId, 5n]);
    await write(acme, "packRange", [case2, prefix, batch.batchId, 5n]);
    await write(acme, "aggregate", [pallet, prefix, { units: [case1, case2], packs: [] }]);
    await write(acme, "ship", [northwind.address, stringToHex("ASN-P", { size: 32 }), { units: [pallet], packs: [] }]);
    const shipmentId = (
      await ctx.db
        .select()
        .from(shipmentItems)
        .where(eq(shipmentItems.sscc, String(pallet)))
    ).at(-1)!.shipmentId;
    await write(northwind, "receiveShipment", [shipmentId, { units: [pallet], packs: [] }, nothing, ""]);
    await write(northwind, "disaggregate", [pallet, { units: [case1], packs: [] }]);
    await write(northwind, "ship", [
      central.address,
      stringToHex("ASN-C", { size: 32 }),
      { units: [case1], packs: [] },
    ]);
    const caseShipment = (
      await ctx.db
        .select()
        .from(shipmentItems)
        .where(eq(shipmentItems.sscc, String(case1)))
    ).at(-1)!.shipmentId;
    await write(central, "receiveShipment", [caseShipment, { units: [case1], packs: [] }, nothing, ""]);
    // The pallet goes on without the case: not the pack's history.
    await write(northwind, "ship", [
      harbour.address,
      stringToHex("ASN-H", { size: 32 }),
      { units: [pallet], packs: [] },
    ]);
    await write(central, "decommission", [batch.batchId, 2n, case1, packStateNumber("DISPENSED")]);

    const palletContents = (await shipmentContents(ctx.db, shipmentId))!;
    assert.deepEqual(
      palletContents.items.map((item) => [item.sscc, item.packs.map((p) => p.index), item.status]),
      [[String(pallet), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "RECEIVED"]],
    );
    const caseContents = (await shipmentContents(ctx.db, caseShipment))!;
    assert.deepEqual(
      caseContents.items[0]!.packs.map((p) => p.index),
      [0, 1, 2, 3, 4],
      "the case, as shipped (pack 2 was dispensed since)",
    );
    const positions = await packTracePositions(ctx.db, batch.batchId, 2);
    const names: string[] = [];
    for (const [block, logIndex] of positions) {
      const [row] = await ctx.db
        .select()
        .from(events)
        .where(and(eq(events.blockNumber, block), eq(events.logIndex, logIndex)));
      const step = row!.name === "UnitAggregated" ? ["ADD", "DELETE"][Number(row!.args.action)] : undefined;
      names.push(step === undefined ? row!.name : `${row!.name} ${step}`);
    }
    assert.deepEqual(names, [
      "BatchRegistered",
      "UnitPacked",
      "UnitAggregated ADD",
      "ShipmentShipped",
      "ShipmentReceived",
      "UnitAggregated DELETE",
      "ShipmentShipped",
      "ShipmentReceived",
      "PackDecommissioned",
    ]);
    // Over the read API: who may see the trace, and how much of it.
    await storeWorldManifest(ctx.db, batch);
    const serial = batch.manifest.serials[2]!;
    const trace = async (viewer: WorldParty, query = "") => {
      const ask = requestAs(await openSession(ctx, viewer.address));
      return readApi.packTrace(ctx, ask(`/api/packs/${batch.gtin}/${serial}/trace${query}`), {
        gtin: batch.gtin,
        serial,
      });
    };
    const { regulator } = world.parties;
    for (const viewer of [regulator, acme]) {
      const answer = await trace(viewer);
      assert.equal(answer.status, 200, viewer.legalName);
      const body = (await answer.json()) as {
        events: { name: string }[];
        partial: boolean;
        index: number;
        whereabouts: { place: string; state: string };
      };
      assert.deepEqual(
        [body.events.length, body.partial, body.index, body.whereabouts.place, body.whereabouts.state],
        [9, false, 2, "DECOMMISSIONED", "DISPENSED"],
        viewer.legalName,
      );
    }
    const asPharmacy = (await (await trace(central)).json()) as { events: { name: string }[]; partial: boolean };
    assert.deepEqual(
      asPharmacy.events.map((event) => event.name),
      ["BatchRegistered", "ShipmentShipped", "ShipmentReceived", "PackDecommissioned"],
      "the pharmacy sees its own part: the delivery it received and its dispensing",
    );
    assert.equal(asPharmacy.partial, true);
    const outsider = await trace(harbour);
    assert.equal(outsider.status, 404, "Harbour received the pallet only after the case had left it");
    const guessed = await readApi.packTrace(
      ctx,
      requestAs(await openSession(ctx, harbour.address))(`/api/packs/${batch.gtin}/NOSUCHSERIAL/trace`),
      { gtin: batch.gtin, serial: "NOSUCHSERIAL" },
    );
    const bodyOf = async (answer: Response) =>
      ((await answer.json()) as { error: { code: string; message: string } }).error;
    const [refused, unknown] = [await bodyOf(outsider), await bodyOf(guessed)];
    assert.equal(refused.code, "UNKNOWN_PACK");
    assert.equal(
      refused.message.replace(serial, "?"),
      unknown.message.replace("NOSUCHSERIAL", "?"),
      "a real serial that is not Harbour's reads exactly as one that does not exist",
    );
    assert.equal((await trace(regulator, "?lot=NOPE")).status, 404);
    assert.equal((await trace(regulator, "?colour=red")).status, 400);

    // The same serial in a second lot: ambiguous to whoever may trace both, and only to them.
    const twin = await world.registerBatch(acme, product, { serials: [serial, "TWINONLY1"] });
    await storeWorldManifest(ctx.db, twin);
    await syncToHead(ctx, { confirmations: 0 });
    const ambiguous = await trace(regulator);
    assert.equal(ambiguous.status, 409);
    const lotsNamed = (await bodyOf(ambiguous)).message;
    assert.ok(lotsNamed.includes(batch.lot) && lotsNamed.includes(twin.lot), lotsNamed);
    const centralTrace = await trace(central);
    assert.equal(centralTrace.status, 200, "Central took part in one lot only: that one is its answer");
    assert.equal(((await centralTrace.json()) as { lot: string }).lot, batch.lot);
    const outsiderTwice = await trace(harbour);
    assert.equal(outsiderTwice.status, 404, "no lot of the serial is Harbour's: it learns of none");
    assert.equal((await bodyOf(outsiderTwice)).message, refused.message);
    assert.equal((await trace(regulator, `?lot=${twin.lot}`)).status, 200);

    // The pallet's DSCSA transaction information, for its recipient (and nobody outside it).
    const information = async (viewer: WorldParty, query = "") => {
      const ask = requestAs(await openSession(ctx, viewer.address));
      const url = `/api/shipments/${shipmentId}/transaction-information${query}`;
      return readApi.transactionInformation(ctx, ask(url), shipmentId);
    };
    const ti = (await (await information(northwind)).json()) as {
      shipmentRef: string;
      sender: { gln: string; legalName: string };
      recipient: { gln: string };
      units: { sscc: string; packCount: number; status: string }[];
      lines: {
        gtin: string;
        lot: string;
        expiry: string;
        quantity: number;
        packages: { serial: string; sscc: string }[];
      }[];
    };
    assert.deepEqual(
      [ti.shipmentRef, ti.sender.gln, ti.sender.legalName, ti.recipient.gln],
      ["ASN-P", acme.gln, acme.legalName, northwind.gln],
    );
    assert.deepEqual(ti.units, [{ sscc: String(pallet), packCount: 10, status: "RECEIVED", reason: null }]);
    assert.deepEqual(
      ti.lines.map((line) => [line.gtin, line.lot, line.expiry, line.quantity]),
      [[batch.gtin, batch.lot, "2030-12-31", 10]],
    );
    assert.deepEqual(
      ti.lines[0]!.packages.map((p) => p.serial),
      batch.manifest.serials.slice(0, 10),
      "each package named by its serial",
    );
    const csv = await (await information(acme, "?format=csv")).text();
    assert.equal(csv.trim().split("\r\n").length, 11, "a header and one row per package");
    assert.match(csv, new RegExp(`^shipment_ref,shipped_at,sender_gln`));
    assert.equal((await information(harbour)).status, 404, "not Harbour's shipment");
    assert.equal((await information(northwind, "?format=xml")).status, 400);

    // A pack of the other case stayed on the pallet: the pallet's last shipment is in its trace.
    const other = await packTracePositions(ctx.db, batch.batchId, 7);
    assert.equal(other.length, 6, "registered, packed, palletised, shipped, received, and shipped on");
    assert.deepEqual((await packWhereabouts(ctx.db, batch.batchId, 7))!.path, [
      String(case2).padStart(18, "0"),
      String(pallet).padStart(18, "0"),
    ]);
  });

  it("says what each shipment carried exactly as each pack's trace says which shipments carried it", async () => {
    const traces = new Map<string, Set<string>>();
    for (const batch of batchesByParty) {
      for (let index = 0; index < batch.manifest.count; index++) {
        const positions = await packTracePositions(ctx.db, batch.batchId, index);
        traces.set(`${batch.batchId}/${index}`, new Set(positions.map(([b, l]) => `${b}:${l}`)));
      }
    }
    const all = await ctx.db.select().from(shipments);
    assert.ok(all.length >= 5, `the history shipped (${all.length} shipments)`);
    for (const shipment of all) {
      const contents = (await shipmentContents(ctx.db, shipment.shipmentId))!;
      const carried = new Set(contents.items.flatMap((item) => item.packs.map((p) => `${p.batchId}/${p.index}`)));
      const position = `${shipment.shippedBlock}:${shipment.shippedLogIndex}`;
      for (const [pack, trace] of traces) {
        assert.equal(carried.has(pack), trace.has(position), `pack ${pack} and shipment ${shipment.shipmentRef}`);
      }
      // Its lines (what the dashboard and the batch page show) count the same packs by batch and outcome.
      const counted = new Map<string, number>();
      for (const item of contents.items) {
        for (const p of item.packs) {
          const lineKey = `${p.batchId} ${item.status}`;
          counted.set(lineKey, (counted.get(lineKey) ?? 0) + 1);
        }
      }
      const lines = await ctx.db
        .select()
        .from(shipmentLinesTable)
        .where(eq(shipmentLinesTable.shipmentId, shipment.shipmentId));
      assert.deepEqual(
        new Map(lines.map((line) => [`${line.batchId} ${line.status}`, line.quantity])),
        counted,
        `the lines of shipment ${shipment.shipmentRef}`,
      );
      for (const line of lines) {
        assert.deepEqual(
          [line.sender, line.recipient, line.shippedBlock],
          [shipment.sender, shipment.recipient, shipment.shippedBlock],
        );
        assert.equal(line.settledBlock === null, line.status === "PENDING", "a settled line says when");
      }
    }
  });

  it("rebuilds the same custody tables from the stored events", async () => {
    const before = {
      holdings: await ctx.db.select().from(holdingsTable).orderBy(holdingsTable.batchId, holdingsTable.holder),
      contents: await ctx.db
        .select()
        .from(unitContentsTable)
        .orderBy(unitContentsTable.sscc, unitContentsTable.batchId),
      units: await ctx.db.select().from(units).orderBy(units.sscc),
      packs: await ctx.db.select().from(packPlaces).orderBy(packPlaces.batchId, packPlaces.index),
      items: await ctx.db.select().from(shipmentItems).orderBy(shipmentItems.shipmentId, shipmentItems.position),
      lines: await linesInOrder(),
    };
    assert.ok(before.holdings.length > 0 && before.contents.length > 0, "the history left stock and full units");
    await rebuildReadModel(ctx.db, "package");
    assert.deepEqual(
      await ctx.db.select().from(holdingsTable).orderBy(holdingsTable.batchId, holdingsTable.holder),
      before.holdings,
    );
    assert.deepEqual(
      await ctx.db.select().from(unitContentsTable).orderBy(unitContentsTable.sscc, unitContentsTable.batchId),
      before.contents,
    );
    assert.deepEqual(await ctx.db.select().from(units).orderBy(units.sscc), before.units);
    assert.deepEqual(
      await ctx.db.select().from(packPlaces).orderBy(packPlaces.batchId, packPlaces.index),
      before.packs,
    );
    assert.deepEqual(
      await ctx.db.select().from(shipmentItems).orderBy(shipmentItems.shipmentId, shipmentItems.position),
      before.items,
    );
    assert.deepEqual(await linesInOrder(), before.lines);
  });

  const linesInOrder = () =>
    ctx.db
      .select()
      .from(shipmentLinesTable)
      .orderBy(shipmentLinesTable.shipmentId, shipmentLinesTable.batchId, shipmentLinesTable.status);
});
