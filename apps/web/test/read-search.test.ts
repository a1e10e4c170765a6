/**
 * Search by every kind of identifier (src/server/read/search.ts), and packs named by their serial
 * in timelines, as each viewer may see them (src/server/read/access.ts), on a read model written
 * as the indexer would (no chain), on PGlite and on PostgreSQL:
 *
 * - Acme makes batch A1 (100 packs, serials SN0000 to SN0099): 60 units to Northwind (DESADV-1),
 *   20 of them on to Central (PO-7), which dispenses packs 3 and 5 and destroys pack 4.
 * - Acme makes batch B2 of another product (10 packs, serials SN0095 to SN0104, so some serials
 *   are in both lists): 5 units to Northwind (ASN-77). Central never trades B2.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BatchResponse, SearchResponse } from "../src/lib/api/read.ts";
import type { AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { readApi } from "../src/server/read/http.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import {
  GTIN,
  GTIN_OTHER,
  PARTIES,
  ReadModelWriter,
  storeFixtureManifest,
  type FixtureBatch,
  type PartyKey,
} from "./read-fixture.ts";
import { openSession, participantLedger, requestAs } from "./support/viewers.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const serialOf = (i: number) => `SN${String(i).padStart(4, "0")}`;

describe(`search and pack names, as each viewer may see them (${TEST_DATABASE_KIND})`, () => {
  let database: OpenedDatabase;
  let ctx: AppContext;
  let a1: FixtureBatch;
  let b2: FixtureBatch;
  /** The transactions of Northwind's shipment PO-7, of Central's first dispense and of Acme's ASN-77. */
  let po7Tx: string;
  let dispenseTx: string;
  let asn77Tx: string;
  const as = new Map<PartyKey, (path: string) => Request>();

  async function answer(who: PartyKey, path: string): Promise<{ status: number; text: string }> {
    const response = await (path.startsWith("/api/search")
      ? readApi.search(ctx, as.get(who)!(path))
      : path.endsWith("/csv")
        ? readApi.batchCsv(ctx, as.get(who)!(path), { gtin: GTIN, lot: "A1" })
        : readApi.batch(ctx, as.get(who)!(path), { gtin: GTIN, lot: "A1" }));
    return { status: response.status, text: await response.text() };
  }

  async function find(who: PartyKey, q: string): Promise<SearchResponse & { text: string }> {
    const { status, text } = await answer(who, `/api/search?q=${encodeURIComponent(q)}`);
    assert.equal(status, 200, `${who} searching ${q}: ${text}`);
    return { ...(JSON.parse(text) as SearchResponse), text };
  }

  const kinds = (found: SearchResponse) => found.results.map((r) => [r.kind, r.lot ?? null, r.serial ?? null]);

  before(async () => {
    database = await openTestDatabase();
    const ledger = {
      chainId: 31337,
      address: `0x${"0".repeat(40)}` as const,
      deploymentBlock: 0,
      rpcUrl: "http://127.0.0.1:9",
    };
    ctx = { db: database.db, database, chain: participantLedger(Object.values(PARTIES)), ledger, now: () => NOW };
    for (const key of Object.keys(PARTIES) as PartyKey[]) {
      as.set(key, requestAs(await openSession(ctx, PARTIES[key].address)));
    }
    const w = new ReadModelWriter(database.db);
    w.onboard("acme", "northwind", "central", "agency");
    a1 = w.registerBatch(GTIN, "A1", 100, 20271231);
    w.settle(w.ship(a1, "acme", "northwind", 60, "DESADV-1"), "receive");
    const po7 = w.ship(a1, "northwind", "central", 20, "PO-7");
    w.settle(po7, "receive");
    w.decommission(a1, "central", 3, "DISPENSED");
    w.decommission(a1, "central", 4, "DESTROYED");
    w.decommission(a1, "central", 5, "DISPENSED");
    b2 = w.registerBatch(GTIN_OTHER, "B2", 10, 20280630);
    const asn77 = w.ship(b2, "acme", "northwind", 5, "ASN-77");
    await w.flush();
    await storeFixtureManifest(database.db, a1, 100, serialOf);
    await storeFixtureManifest(database.db, b2, 10, (i) => serialOf(95 + i));
    po7Tx = po7.shippedTx;
    asn77Tx = asn77.shippedTx;
    const timeline = JSON.parse((await answer("agency", "/api/batches")).text) as BatchResponse;
    dispenseTx = timeline.timeline.find((e) => e.eventName === "PackDecommissioned")!.transactionHash;
  });
  after(async () => database?.close());

  describe("search kinds (as the regulator)", () => {
    it("a serial alone finds the pack in every batch whose stored list holds it", async () => {
      const found = await find("agency", "SN0097");
      assert.ok(found.interpretedAs.includes("text"));
      assert.deepEqual(kinds(found), [
        ["pack", "B2", "SN0097"],
        ["pack", "A1", "SN0097"],
      ]);
      const pack = found.results[1]!;
      assert.equal(pack.title, "Pack SN0097 of Amoxicillin 500 mg, lot A1");
      assert.equal(pack.href, `/auditor/batches/${GTIN}/A1`);
      assert.doesNotMatch(found.text, /#\d|pack index/i);
      // Serials are matched whole: part of one finds nothing.
      assert.deepEqual(kinds(await find("agency", "SN000")), []);
    });

    it("a serial typed in small letters finds the pack in capitals, and says so", async () => {
      const found = await find("agency", "sn0042");
      assert.deepEqual(kinds(found), [["pack", "A1", "SN0042"]]);
      assert.match(found.notes.join(" "), /case-sensitive.*SN0042/);
    });

    it("a lot in any letter case finds the batch", async () => {
      for (const q of ["A1", "a1", `${GTIN} a1`]) {
        const found = await find("agency", q);
        assert.deepEqual(
          found.results.filter((r) => r.kind === "batch").map((r) => r.lot),
          ["A1"],
          q,
        );
      }
    });

    it("a shipment reference, as typed or in another letter case, finds the shipment", async () => {
      for (const q of ["PO-7", "po-7"]) {
        const found = await find("agency", q);
        assert.deepEqual(kinds(found), [["shipment", "A1", null]], q);
        const [shipment] = found.results;
        assert.equal(shipment!.title, "Shipment PO-7: 20 units of Amoxicillin, lot A1");
        assert.match(shipment!.subtitle, /Northwind Wholesale → Central Pharmacy · received · shipped/);
        assert.equal(shipment!.href, `/auditor/batches/${GTIN}/A1`);
        assert.equal(shipment!.transactionHash, po7Tx);
      }
    });

    it("the first digits of a transaction hash, with or without 0x, in any case, find the transaction", async () => {
      for (const q of [po7Tx.slice(0, 10), po7Tx.slice(2, 12), po7Tx.slice(2, 14).toUpperCase(), po7Tx.slice(2)]) {
        const found = await find("agency", q);
        const transactions = found.results.filter((r) => r.kind === "transaction");
        assert.deepEqual(
          transactions.map((r) => r.transactionHash),
          [po7Tx],
          q,
        );
        assert.match(transactions[0]!.subtitle, /Northwind Wholesale shipped 20 units to Central Pharmacy/);
      }
      // Seven digits are too few to name a transaction.
      assert.ok(!(await find("agency", po7Tx.slice(2, 9))).interpretedAs.includes("hash-prefix"));
    });

    it("the text printed beside the code, in EU and US layouts, finds the pack", async () => {
      for (const q of [
        `GTIN ${GTIN} SN SN0007 LOT A1 EXP 2027-12`,
        `PC: ${GTIN}\nSN: SN0007\nLot: A1\nEXP: 12/2027`,
        `(01)${GTIN}(17)271231(10)A1(21)SN0007`,
      ]) {
        const found = await find("agency", q);
        assert.deepEqual(found.interpretedAs, ["gs1-code"], q);
        assert.deepEqual(
          found.results.filter((r) => r.kind === "pack").map((r) => [r.lot, r.serial]),
          [["A1", "SN0007"]],
          q,
        );
      }
    });
  });

  describe("what a search shows each viewer", () => {
    it("a serial alone finds packs only in the batches the viewer may read", async () => {
      for (const [who, lots] of [
        ["agency", ["B2", "A1"]],
        ["acme", ["B2", "A1"]],
        ["northwind", ["B2", "A1"]],
        ["central", ["A1"]],
      ] as const) {
        const found = await find(who, "SN0097");
        assert.deepEqual(
          found.results.map((r) => [r.kind, r.lot]),
          lots.map((lot) => ["pack", lot]),
          who,
        );
      }
      // Nothing says the serial is in a batch Central may not read.
      assert.doesNotMatch((await find("central", "SN0097")).text, /B2|Paracetamol/);
      assert.deepEqual((await find("central", "SN0102")).results, []);
      assert.deepEqual(kinds(await find("northwind", "SN0102")), [["pack", "B2", "SN0102"]]);
    });

    it("a shipment reference finds the shipment only for those who may read its batch", async () => {
      assert.deepEqual(kinds(await find("acme", "po-7")), [["shipment", "A1", null]]);
      assert.deepEqual(kinds(await find("northwind", "ASN-77")), [["shipment", "B2", null]]);
      const central = await find("central", "ASN-77");
      assert.deepEqual(central.results, []);
      assert.doesNotMatch(central.text, /units|Northwind/);
    });

    it("a partial hash finds a transaction only for those who may read its batch", async () => {
      assert.equal((await find("northwind", asn77Tx.slice(0, 12))).results.length, 1);
      const central = await find("central", asn77Tx.slice(0, 12));
      assert.deepEqual(central.results, []);
      assert.doesNotMatch(central.text, /units/);
    });

    it("a transaction's pack events name the pack to the party that recorded them, and 'a pack' to others", async () => {
      const summaries = async (who: PartyKey) =>
        (await find(who, dispenseTx)).results.find((r) => r.kind === "transaction")!.events!.map((e) => e.summary);
      assert.deepEqual(await summaries("central"), ["Central Pharmacy marked pack SN0003 as dispensed"]);
      assert.deepEqual(await summaries("northwind"), ["Central Pharmacy marked a pack as dispensed"]);
    });
  });

  describe("pack names in a batch's timeline", () => {
    it("names each pack by its serial to the regulator, the batch's manufacturer and the party that recorded the event", async () => {
      for (const who of ["agency", "acme", "central"] as const) {
        const body = JSON.parse((await answer(who, "/api/batches")).text) as BatchResponse;
        const packs = body.timeline.filter((e) => e.eventName === "PackDecommissioned");
        assert.deepEqual(
          packs.map((e) => [e.summary, e.details.serial]),
          [
            ["Central Pharmacy marked pack SN0003 as dispensed", "SN0003"],
            ["Central Pharmacy marked pack SN0004 as destroyed", "SN0004"],
            ["Central Pharmacy marked pack SN0005 as dispensed", "SN0005"],
          ],
          who,
        );
      }
    });

    it("says 'a pack' to the batch's other trading parties, in the timeline and its CSV, and gives them no serial", async () => {
      const { text } = await answer("northwind", "/api/batches");
      const body = JSON.parse(text) as BatchResponse;
      assert.deepEqual(
        body.timeline.filter((e) => e.eventName === "PackDecommissioned").map((e) => e.summary),
        [
          "Central Pharmacy marked a pack as dispensed",
          "Central Pharmacy marked a pack as destroyed",
          "Central Pharmacy marked a pack as dispensed",
        ],
      );
      assert.doesNotMatch(text, /SN00|pack #/);
      const csv = await answer("northwind", "/api/batches/csv");
      assert.equal(csv.status, 200, csv.text);
      assert.match(csv.text, /Central Pharmacy marked a pack as dispensed/);
      assert.doesNotMatch(csv.text, /SN00|pack #/);
    });
  });
});
