/**
 * What the auditor's product, party and transaction pages read (src/server/read/audit.ts), on a
 * read model written as the indexer would (no chain needed), on PGlite and on PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import type { LocatedEvent } from "../src/lib/api/read.ts";
import { ApiError } from "../src/server/api/errors.ts";
import { chainClient, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { events } from "../src/server/db/schema.ts";
import { mergePackEvents } from "../src/lib/merge-pack-events.ts";
import { getProduct, getTransaction, partyActivity, PARTY_EVENTS_SHOWN } from "../src/server/read/audit.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import {
  gtinOf,
  GTIN,
  GTIN_OTHER,
  PARTIES,
  ReadModelWriter,
  storeFixtureManifest,
  type FixtureBatch,
} from "./read-fixture.ts";
import { viewerOf } from "./support/viewers.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const UNREGISTERED = gtinOf("0952012300000");
const regulator = viewerOf(PARTIES.agency);

async function refusal(work: Promise<unknown>, status: number, code: string): Promise<ApiError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a ${status} ${code} refusal`);
}

describe(`auditor pages' reads (${TEST_DATABASE_KIND})`, () => {
  let database: OpenedDatabase;
  let ctx: AppContext;
  let newer: FixtureBatch;
  let older: FixtureBatch;
  let expired: FixtureBatch;
  let shipTx: string;

  before(async () => {
    database = await openTestDatabase();
    const ledger = {
      chainId: 31337,
      address: `0x${"0".repeat(40)}` as const,
      deploymentBlock: 0,
      rpcUrl: "http://127.0.0.1:9",
    };
    ctx = { db: database.db, database, chain: chainClient(ledger), ledger, now: () => NOW };
    const w = new ReadModelWriter(database.db);
    w.onboard("acme", "northwind", "central", "agency");
    expired = w.registerBatch(GTIN, "OLD-1", 10, 20260131);
    older = w.registerBatch(GTIN, "A1", 100, 20271231);
    const s1 = w.ship(older, "acme", "northwind", 60);
    w.settle(s1, "receive");
    const s2 = w.ship(older, "northwind", "central", 20, "PO-7");
    w.settle(s2, "receive");
    w.ship(older, "northwind", "central", 10, "PO-9"); // still in transit
    w.decommission(older, "central", 3, "DISPENSED");
    w.decommission(older, "central", 4, "DESTROYED");
    w.decommission(older, "central", 5, "DISPENSED");
    w.reactivate(older, "central", 5);
    newer = w.registerBatch(GTIN, "B2", 50, 20281231);
    w.recall(newer, "Label misprint");
    w.registerBatch(GTIN_OTHER, "P1", 5);
    await w.flush();
    await storeFixtureManifest(database.db, older, 100, (i) => `SN${String(i).padStart(4, "0")}`);
    const [shipped] = await database.db
      .select({ tx: events.transactionHash })
      .from(events)
      .where(eq(events.name, "UnitsShipped"))
      .limit(1);
    shipTx = shipped!.tx;
  });
  after(async () => database?.close());

  describe("getProduct", () => {
    it("lists every batch of the product, newest first, with its units where they are and who holds them", async () => {
      const product = await getProduct(ctx, GTIN);
      assert.equal(product.product.name, "Amoxicillin");
      assert.equal(product.product.manufacturer.name, "Acme Pharma");
      assert.deepEqual(
        product.batches.map((b) => b.batch.lot),
        ["B2", "A1", "OLD-1"],
      );
      const [b2, a1, old] = product.batches;
      assert.equal(b2!.batch.status, "RECALLED");
      assert.equal(b2!.batch.statusReason, "Label misprint");
      assert.equal(b2!.batch.statusBy?.name, "Medicines Agency");
      assert.deepEqual(b2!.units, { registered: 50, held: 50, inTransit: 0, decommissioned: 0 });
      // 100 = 40 at Acme + 30 at Northwind + 18 at Central + 10 in transit + 2 decommissioned (one dispense undone).
      assert.deepEqual(a1!.units, { registered: 100, held: 88, inTransit: 10, decommissioned: 2 });
      assert.deepEqual(
        a1!.holders.map((h) => [h.party.name, h.units]),
        [
          ["Acme Pharma", 40],
          ["Northwind Wholesale", 30],
          ["Central Pharmacy", 18],
        ],
      );
      assert.equal(a1!.expired, false);
      assert.equal(old!.expired, true, "expired on 31 January 2026, before the clock's 1 June 2026");
      assert.deepEqual(product.units, { registered: 160, held: 148, inTransit: 10, decommissioned: 2 });
    });

    it("takes a GTIN-13 as the GTIN-14 it pads to", async () => {
      const product = await getProduct(ctx, GTIN.slice(1));
      assert.equal(product.product.gtin, GTIN);
    });

    it("refuses a GTIN with a wrong check digit (400) and says which digit it should be", async () => {
      const wrong = `${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}`;
      const error = await refusal(getProduct(ctx, wrong), 400, "INVALID_GTIN");
      assert.match(error.message, new RegExp(`should be ${GTIN[13]}`));
      await refusal(getProduct(ctx, "not-a-gtin"), 400, "INVALID_GTIN");
    });

    it("answers 404 for a valid GTIN no one registered", async () => {
      const error = await refusal(getProduct(ctx, UNREGISTERED), 404, "PRODUCT_NOT_FOUND");
      assert.match(error.message, new RegExp(UNREGISTERED));
    });
  });

  describe("partyActivity", () => {
    it("lists the events naming the party in any role, newest first", async () => {
      const { events: entries, more } = await partyActivity(
        ctx,
        PARTIES.central.address.toUpperCase().replace("0X", "0x"),
        regulator,
      );
      assert.equal(more, false);
      assert.deepEqual(
        entries.map((e) => e.eventName),
        [
          "PackReactivated",
          "PackDecommissioned",
          "PackDecommissioned",
          "PackDecommissioned",
          "UnitsShipped",
          "UnitsReceived",
          "UnitsShipped",
          "ParticipantOnboarded",
        ],
      );
      const blocks = entries.map((e) => e.blockNumber);
      assert.deepEqual(
        blocks,
        [...blocks].sort((a, b) => b - a),
      );
      assert.ok(entries.every((e) => e.eventName === "ParticipantOnboarded" || e.lot === "A1"));
      assert.match(entries[4]!.summary, /Northwind Wholesale shipped 10 units to Central Pharmacy/);
    });

    it("names the party's packs by their serial, to the party and to regulators", async () => {
      for (const viewer of [viewerOf(PARTIES.central), regulator]) {
        const { events: entries } = await partyActivity(ctx, PARTIES.central.address, viewer);
        assert.deepEqual(
          entries.slice(0, 4).map((e) => e.summary),
          [
            "Central Pharmacy undid the dispensed status of pack SN0005; it is active again",
            "Central Pharmacy marked pack SN0005 as dispensed",
            "Central Pharmacy marked pack SN0004 as destroyed",
            "Central Pharmacy marked pack SN0003 as dispensed",
          ],
          viewer.legalName,
        );
        assert.equal(entries[3]!.details.serial, "SN0003");
      }
    });

    it("leaves out events of other parties", async () => {
      const agency = await partyActivity(ctx, PARTIES.agency.address, regulator);
      assert.deepEqual(
        agency.events.map((e) => e.eventName),
        ["BatchRecalled", "ParticipantOnboarded"],
      );
    });

    it("gives an empty list for an account the ledger never named, and refuses what is not an address", async () => {
      const nobody = await partyActivity(ctx, `0x${"9".repeat(40)}`, regulator);
      assert.deepEqual(nobody, { events: [], more: false });
      await refusal(partyActivity(ctx, "0x1234", regulator), 400, "INVALID_ADDRESS");
    });
  });

  describe("getTransaction", () => {
    it("gives a transaction's events with the batches and parties they name", async () => {
      const tx = await getTransaction(ctx, shipTx.toUpperCase().replace("0X", "0x"), regulator);
      assert.equal(tx.transactionHash, shipTx);
      assert.equal(tx.events.length, 1);
      assert.equal(tx.events[0]!.eventName, "UnitsShipped");
      assert.equal(tx.events[0]!.gtin, GTIN);
      assert.equal(tx.events[0]!.lot, "A1");
      assert.equal(tx.time, tx.events[0]!.time);
      assert.deepEqual(
        tx.batches.map((b) => [b.lot, b.productName, b.status]),
        [["A1", "Amoxicillin", "ACTIVE"]],
      );
      assert.deepEqual(tx.parties.map((p) => p.name).sort(), ["Acme Pharma", "Northwind Wholesale"]);
    });

    it("answers 404 for a hash no ledger event carries, and 400 for what is not a hash", async () => {
      const error = await refusal(getTransaction(ctx, `0x${"ab".repeat(32)}`, regulator), 404, "TRANSACTION_NOT_FOUND");
      assert.match(error.message, /not be indexed yet/);
      await refusal(getTransaction(ctx, "0xabc", regulator), 400, "INVALID_TRANSACTION_HASH");
      await refusal(getTransaction(ctx, `${"ab".repeat(32)}`, regulator), 400, "INVALID_TRANSACTION_HASH");
    });
  });
  describe("a long record", () => {
    it(`shows at most ${PARTY_EVENTS_SHOWN} entries and says when there are more`, async () => {
      // Last: it replaces the read model the tests above read.
      const writer = new ReadModelWriter(database.db);
      writer.onboard("acme", "northwind", "central", "agency");
      const many = writer.registerBatch(GTIN, "MANY", 100);
      for (let i = 0; i < PARTY_EVENTS_SHOWN + 5; i++) writer.ship(many, "acme", "northwind", 1, `R${i}`);
      await writer.flush();
      const activity = await partyActivity(ctx, PARTIES.northwind.address, regulator);
      assert.equal(activity.events.length, PARTY_EVENTS_SHOWN);
      assert.equal(activity.more, true);
      assert.match(activity.events[0]!.summary, new RegExp(`reference R${PARTY_EVENTS_SHOWN + 4}\\)`));
    });
  });
});

describe("mergePackEvents", () => {
  const by = { address: PARTIES.central.address, name: "Central Pharmacy" };
  /** A pack event as the server makes it: named by its serial when the viewer may see it, else "a pack". */
  const pack = (
    tx: string,
    index: number,
    state = "DISPENSED",
    batchId = "0xb1",
    serial: string | null = `SN${index}`,
    eventName = "PackDecommissioned",
  ): LocatedEvent => ({
    eventName,
    blockNumber: 1,
    logIndex: index,
    transactionHash: tx,
    time: "2026-01-01T00:00:00.000Z",
    batchId,
    parties: { by },
    details: {
      index,
      ...(eventName === "PackReactivated" ? { previousState: state } : { state }),
      ...(serial === null ? {} : { serial }),
    },
    summary: `Central Pharmacy marked ${serial === null ? "a pack" : `pack ${serial}`} as ${state.toLowerCase()}`,
    gtin: GTIN,
    lot: "A1",
  });

  it("merges the packs one transaction decommissioned in one batch and state into one entry, naming them by serial in pack order", () => {
    const merged = mergePackEvents([pack("0x1", 7), pack("0x1", 3), pack("0x1", 5)]);
    assert.equal(merged.length, 1);
    assert.equal(merged[0]!.summary, "Central Pharmacy marked 3 packs as dispensed: SN3, SN5, SN7");
    assert.equal(merged[0]!.details.packs, 3);
    assert.equal(merged[0]!.details.serial, undefined);
    assert.equal(merged[0]!.details.index, undefined);
  });

  it("names no pack whose serial the entries do not carry (the viewer may not see it)", () => {
    const merged = mergePackEvents([
      pack("0x1", 1, "DISPENSED", "0xb1", null),
      pack("0x1", 2, "DISPENSED", "0xb1", null),
    ]);
    assert.equal(merged[0]!.summary, "Central Pharmacy marked 2 packs as dispensed");
    const undone = mergePackEvents([
      pack("0x2", 1, "DISPENSED", "0xb1", "SN1", "PackReactivated"),
      pack("0x2", 2, "DISPENSED", "0xb1", "SN2", "PackReactivated"),
    ]);
    assert.equal(
      undone[0]!.summary,
      "Central Pharmacy undid the dispensed status of 2 packs (SN1, SN2); they are active again",
    );
  });

  it("keeps apart other transactions, batches and states, and leaves single packs as they were", () => {
    const input = [pack("0x1", 1), pack("0x2", 2), pack("0x2", 3, "DESTROYED"), pack("0x2", 4, "DESTROYED", "0xb2")];
    const merged = mergePackEvents(input);
    assert.deepEqual(
      merged.map((e) => e.summary),
      input.map((e) => e.summary),
    );
  });

  it("spells out the first serials only", () => {
    const merged = mergePackEvents(Array.from({ length: 20 }, (_, i) => pack("0x1", i)));
    assert.equal(
      merged[0]!.summary,
      "Central Pharmacy marked 20 packs as dispensed: SN0, SN1, SN2, SN3, SN4, SN5, SN6, SN7 and 12 more",
    );
  });

  it("does not change the entries it was given", () => {
    const input = [pack("0x1", 1), pack("0x1", 2)];
    mergePackEvents(input);
    assert.equal(input[0]!.summary, "Central Pharmacy marked pack SN1 as dispensed");
    assert.equal(input[0]!.details.index, 1);
    assert.equal(input[0]!.details.serial, "SN1");
  });
});
