import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alerts } from "../src/server/db/schema.ts";
import { readApi } from "../src/server/read/http.ts";
import type {
  AlertsResponse,
  BatchResponse,
  ParticipantsResponse,
  PartyResponse,
  ProductsResponse,
  RecallsResponse,
  SearchResponse,
  ShipmentsResponse,
} from "../src/lib/api/read.ts";
import type { ApiErrorBody } from "../src/lib/api-types.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import {
  gtinOf,
  GTIN,
  GTIN_OTHER,
  ODD_LOT,
  PARTIES,
  ReadModelWriter,
  T0,
  type FixtureBatch,
  storeFixtureManifest,
} from "./read-fixture.ts";
import { parseCsv } from "./read-csv.ts";
import { assertValidEpcis } from "../../../packages/ledger/test/epcisSchema.ts";
import { openSession, participantLedger, requestAs } from "./support/viewers.ts";

const NOW = new Date("2026-06-01T12:00:00Z");

async function json<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function apiError(response: Response, status: number, code: string): Promise<ApiErrorBody["error"]> {
  const body = await json<ApiErrorBody>(response, status);
  assert.equal(body.error.code, code, body.error.message);
  assert.ok(body.error.message.length > 10);
  return body.error;
}

describe(`read API (${TEST_DATABASE_KIND})`, () => {
  let database: OpenedDatabase;
  let ctx: AppContext;
  let main: FixtureBatch;
  let odd: FixtureBatch;
  /** Requests as the regulator, who sees everything (read-access.test.ts checks what others see). */
  let req: (path: string) => Request;

  before(async () => {
    database = await openTestDatabase();
    // No chain behind it: the read API answers from the database alone; only the signed-in
    // party's participant record is read "on chain", from the fixture's parties.
    const ledger = {
      chainId: 31337,
      address: `0x${"0".repeat(40)}` as const,
      deploymentBlock: 0,
      rpcUrl: "http://127.0.0.1:9",
    };
    ctx = { db: database.db, database, chain: participantLedger(Object.values(PARTIES)), ledger, now: () => NOW };
    req = requestAs(await openSession(ctx, PARTIES.agency.address));
    const w = new ReadModelWriter(database.db);
    w.onboard("acme", "northwind", "central", "agency");
    main = w.registerBatch(GTIN, "A1", 100, 20271231);
    const s1 = w.ship(main, "acme", "northwind", 60, "DESADV-1");
    w.settle(s1, "receive");
    const s2 = w.ship(main, "northwind", "central", 20, "PO-7");
    w.settle(s2, "receive");
    const s3 = w.ship(main, "northwind", "central", 5, "PO-8");
    w.settle(s3, "reject", '=HYPERLINK("http://evil.example","click"), broken seal');
    w.ship(main, "northwind", "central", 10, "PO-9"); // still in transit
    w.decommission(main, "central", 3, "DISPENSED");
    w.decommission(main, "central", 4, "DESTROYED");
    odd = w.registerBatch(GTIN_OTHER, ODD_LOT, 10, 20260200);
    const s4 = w.ship(odd, "acme", "central", 4, "R-1");
    w.settle(s4, "receive");
    w.recall(odd, "Contamination found in QC");
    await w.flush();
    await storeFixtureManifest(
      database.db,
      { ...main, gtin: GTIN, lot: "A1" },
      100,
      (i) => `SN${String(i).padStart(4, "0")}`,
    );
    await database.db.insert(alerts).values([
      {
        verdict: "UNKNOWN_SERIAL",
        purpose: "verify",
        gtin: GTIN,
        lot: "A1",
        serial: "NOPE",
        message: "Unknown serial",
        raisedAt: new Date("2026-05-01T10:00:00Z"),
      },
      {
        verdict: "DISPENSED",
        purpose: "dispense",
        gtin: GTIN,
        lot: "A1",
        serial: "SN0003",
        batchId: main.batchId,
        reportedBy: PARTIES.central.address,
        message: '+1 already dispensed, "again"',
        raisedAt: new Date("2026-05-02T10:00:00Z"),
      },
      {
        verdict: "MISMATCH",
        purpose: "verify",
        gtin: GTIN_OTHER,
        lot: ODD_LOT,
        message: "Expiry does not match",
        status: "CLOSED",
        raisedAt: new Date("2026-05-03T10:00:00Z"),
      },
    ]);
  });
  after(async () => {
    await database?.close();
  });

  describe("GET /api/batches/<gtin>/<lot>", () => {
    it("answers the batch, its holdings, units and its timeline in chain order with parties named", async () => {
      const body = await json<BatchResponse>(
        await readApi.batch(ctx, req(`/api/batches/${GTIN}/A1`), { gtin: GTIN, lot: "A1" }),
      );
      assert.equal(body.batch.gtin, GTIN);
      assert.equal(body.batch.lot, "A1");
      assert.equal(body.batch.expiry, "2027-12-31");
      assert.equal(body.batch.status, "ACTIVE");
      assert.equal(body.batch.manifestStored, true);
      assert.equal(body.batch.digitalLink, `https://id.gs1.org/01/${GTIN}/10/A1`);
      assert.equal(body.product?.name, "Amoxicillin");
      assert.equal(body.manufacturer.name, "Acme Pharma");
      assert.deepEqual(
        body.holdings.map((h) => [h.party.name, h.units]),
        [
          ["Acme Pharma", 40],
          ["Northwind Wholesale", 30],
          ["Central Pharmacy", 18],
        ],
      );
      assert.equal(body.inTransit.length, 1);
      assert.equal(body.inTransit[0]?.reference, "PO-9");
      assert.equal(body.inTransit[0]?.to.gln, PARTIES.central.gln);
      assert.deepEqual(body.units, { registered: 100, held: 88, inTransit: 10, decommissioned: 2 });
      assert.equal(body.units.registered, body.units.held + body.units.inTransit + body.units.decommissioned);
      const names = body.timeline.map((e) => e.eventName);
      assert.deepEqual(names, [
        "BatchRegistered",
        "UnitsShipped",
        "UnitsReceived",
        "UnitsShipped",
        "UnitsReceived",
        "UnitsShipped",
        "UnitsRejected",
        "UnitsShipped",
        "PackDecommissioned",
        "PackDecommissioned",
      ]);
      const blocks = body.timeline.map((e) => e.blockNumber);
      assert.deepEqual(
        blocks,
        [...blocks].sort((a, b) => a - b),
      );
      const shipped = body.timeline[1]!;
      assert.equal(shipped.summary, "Acme Pharma shipped 60 units to Northwind Wholesale (reference DESADV-1)");
      assert.equal(shipped.parties.from?.gln, PARTIES.acme.gln);
      assert.equal(shipped.parties.to?.name, "Northwind Wholesale");
      assert.equal(shipped.details.quantity, 60);
      assert.equal(shipped.details.shipmentRef, "DESADV-1");
      assert.match(shipped.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      assert.match(shipped.transactionHash, /^0x[0-9a-f]{64}$/);
      assert.equal(body.timeline[0]!.summary, "Acme Pharma registered lot A1: 100 packs, expiring 31 December 2027");
      assert.equal(body.timeline[8]!.summary, "Central Pharmacy marked pack SN0003 as dispensed");
      assert.equal(body.timeline[8]!.details.serial, "SN0003");
      assert.equal(body.timeline[8]!.details.state, "DISPENSED");
    });

    it("accepts GTIN-13 and a percent-decoded lot; shows a recall's reason", async () => {
      const body = await json<BatchResponse>(
        await readApi.batch(ctx, req(`/api/batches/x/y`), { gtin: GTIN_OTHER.slice(1), lot: ODD_LOT }),
      );
      assert.equal(body.batch.gtin, GTIN_OTHER);
      assert.equal(body.batch.lot, ODD_LOT);
      assert.equal(body.batch.expiry, "2026-02-28");
      assert.equal(body.batch.status, "RECALLED");
      assert.equal(body.batch.statusReason, "Contamination found in QC");
      assert.equal(body.batch.statusBy?.name, "Medicines Agency");
      assert.equal(body.batch.manifestStored, false);
      assert.equal(body.timeline.at(-1)?.summary, "Medicines Agency recalled the batch: Contamination found in QC");
    });

    it("refuses a GTIN with a wrong check digit, saying which digit is expected", async () => {
      const error = await apiError(
        await readApi.batch(ctx, req("/"), { gtin: "09520123456789", lot: "A1" }),
        400,
        "INVALID_GTIN",
      );
      assert.match(error.message, /should be 8, not 9/);
    });

    it("refuses malformed GTINs and lots", async () => {
      await apiError(await readApi.batch(ctx, req("/"), { gtin: "12345", lot: "A1" }), 400, "INVALID_GTIN");
      await apiError(await readApi.batch(ctx, req("/"), { gtin: "0952012345678x", lot: "A1" }), 400, "INVALID_GTIN");
      await apiError(await readApi.batch(ctx, req("/"), { gtin: GTIN, lot: "has space" }), 400, "INVALID_LOT");
      await apiError(await readApi.batch(ctx, req("/"), { gtin: GTIN, lot: "L".repeat(21) }), 400, "INVALID_LOT");
      await apiError(await readApi.batch(ctx, req("/?foo=1"), { gtin: GTIN, lot: "A1" }), 400, "INVALID_QUERY");
    });

    it("answers 404 for an unknown batch, naming the product's recorded lots", async () => {
      const error = await apiError(
        await readApi.batch(ctx, req("/"), { gtin: GTIN, lot: "a1" }),
        404,
        "BATCH_NOT_FOUND",
      );
      assert.match(error.message, /lot 'a1'/);
      assert.match(error.message, /A1/);
      const none = await apiError(
        await readApi.batch(ctx, req("/"), { gtin: gtinOf("0952012345681"), lot: "A1" }),
        404,
        "BATCH_NOT_FOUND",
      );
      assert.match(none.message, /No lot of this product/);
    });
  });

  describe("exports", () => {
    it("EPCIS: the batch timeline as an EPCISDocument that validates against GS1's schema", async () => {
      const response = await readApi.batchEpcis(ctx, req("/"), { gtin: GTIN, lot: "A1" });
      assert.match(response.headers.get("content-type") ?? "", /^application\/ld\+json/);
      assert.equal(response.headers.get("GS1-EPCIS-Version"), "2.0");
      const document = await json<{ type: string; epcisBody: { eventList: Record<string, unknown>[] } }>(response);
      assertValidEpcis(document);
      assert.equal(document.type, "EPCISDocument");
      const list = document.epcisBody.eventList;
      assert.equal(list.length, 10);
      assert.deepEqual(
        list.map((e) => e.bizStep),
        [
          "commissioning",
          "shipping",
          "receiving",
          "shipping",
          "receiving",
          "shipping",
          "receiving",
          "shipping",
          "dispensing",
          "destroying",
        ],
      );
      // Serials come from the stored manifest: the dispensed pack is named by its Digital Link.
      assert.deepEqual(list[8]!.epcList, [`https://id.gs1.org/01/${GTIN}/21/SN0003`]);
      const shipped = list[1] as { sourceList: { source: string }[]; destinationList: { destination: string }[] };
      assert.equal(shipped.sourceList[0]!.source, `https://id.gs1.org/417/${PARTIES.acme.gln}`);
      assert.equal(shipped.destinationList[0]!.destination, `https://id.gs1.org/417/${PARTIES.northwind.gln}`);
      assert.equal(list[0]!.eventTime, new Date(T0 * 1000 + 4 * 60_000).toISOString());
    });

    it("EPCIS of a recalled batch with an odd lot validates too", async () => {
      const document = await json<unknown>(await readApi.batchEpcis(ctx, req("/"), { gtin: GTIN_OTHER, lot: ODD_LOT }));
      assertValidEpcis(document);
    });

    it("CSV: RFC 4180 quoting and spreadsheet formulas neutralised", async () => {
      const response = await readApi.batchCsv(ctx, req("/"), { gtin: GTIN, lot: "A1" });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/csv/);
      assert.match(
        response.headers.get("content-disposition") ?? "",
        /attachment; filename="timeline-09520123456788-A1.csv"/,
      );
      const text = await response.text();
      assert.ok(text.endsWith("\r\n"));
      const rows = parseCsv(text);
      assert.equal(rows.length, 11);
      const header = rows[0]!;
      assert.equal(header[0], "time");
      const rejected = rows.find((r) => r[1] === "UnitsRejected")!;
      const reason = rejected[header.indexOf("reason")];
      assert.equal(reason, `'=HYPERLINK("http://evil.example","click"), broken seal`);
      assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example"",""click""), broken seal"`));
      const summary = rejected[header.indexOf("summary")]!;
      assert.match(summary, /^Central Pharmacy rejected 5 units from Northwind Wholesale: =HYPERLINK/);
      assert.equal(rejected[header.indexOf("party_gln")], PARTIES.central.gln);
      // Every row has the header's width.
      for (const row of rows) assert.equal(row.length, header.length);
    });

    it("CSV of the odd lot: the lot cell starting with = is neutralised", async () => {
      const rows = parseCsv(await (await readApi.batchCsv(ctx, req("/"), { gtin: GTIN_OTHER, lot: ODD_LOT })).text());
      assert.equal(rows[1]![rows[0]!.indexOf("lot")], `'${ODD_LOT}`);
    });
  });

  describe("GET /api/alerts and /api/recalls", () => {
    it("lists alerts newest first with filters, and recalled stock still held", async () => {
      const body = await json<AlertsResponse>(await readApi.alerts(ctx, req("/api/alerts")));
      assert.deepEqual(
        body.alerts.map((a) => a.verdict),
        ["MISMATCH", "DISPENSED", "UNKNOWN_SERIAL"],
      );
      assert.equal(body.alerts[1]?.reportedBy?.name, "Central Pharmacy");
      assert.equal(body.alerts[0]?.raisedAt, "2026-05-03T10:00:00.000Z");
      assert.equal(body.recalledStock.length, 1);
      const recalled = body.recalledStock[0]!;
      assert.equal(recalled.batch.lot, ODD_LOT);
      assert.equal(recalled.unitsHeld, 10);
      assert.deepEqual(
        recalled.holders.map((h) => [h.party.name, h.units]),
        [
          ["Acme Pharma", 6],
          ["Central Pharmacy", 4],
        ],
      );
      const open = await json<AlertsResponse>(await readApi.alerts(ctx, req("/api/alerts?status=open")));
      assert.deepEqual(
        open.alerts.map((a) => a.verdict),
        ["DISPENSED", "UNKNOWN_SERIAL"],
      );
      const byGtin = await json<AlertsResponse>(
        await readApi.alerts(ctx, req(`/api/alerts?gtin=${GTIN_OTHER.slice(1)}`)),
      );
      assert.deepEqual(
        byGtin.alerts.map((a) => a.verdict),
        ["MISMATCH"],
      );
      const byDate = await json<AlertsResponse>(
        await readApi.alerts(ctx, req("/api/alerts?from=2026-05-02&to=2026-05-02")),
      );
      assert.deepEqual(
        byDate.alerts.map((a) => a.verdict),
        ["DISPENSED"],
      );
      const byVerdict = await json<AlertsResponse>(
        await readApi.alerts(ctx, req("/api/alerts?verdict=unknown_serial&lot=A1")),
      );
      assert.deepEqual(
        byVerdict.alerts.map((a) => a.serial),
        ["NOPE"],
      );
      const recalls = await json<RecallsResponse>(await readApi.recalls(ctx, req("/api/recalls")));
      assert.deepEqual(recalls.recalledStock, body.recalledStock);
    });

    it("pages alerts without gaps or repeats", async () => {
      const seen: number[] = [];
      let token: string | null = null;
      do {
        const page: AlertsResponse = await json<AlertsResponse>(
          await readApi.alerts(ctx, req(`/api/alerts?perPage=2${token ? `&nextPageToken=${token}` : ""}`)),
        );
        seen.push(...page.alerts.map((a) => a.id));
        token = page.nextPageToken;
      } while (token !== null);
      assert.equal(seen.length, 3);
      assert.equal(new Set(seen).size, 3);
    });

    it("exports alerts as CSV with formulas neutralised", async () => {
      const response = await readApi.alerts(ctx, req("/api/alerts?format=csv&status=OPEN"));
      assert.match(response.headers.get("content-type") ?? "", /^text\/csv/);
      const rows = parseCsv(await response.text());
      assert.equal(rows.length, 3);
      const header = rows[0]!;
      const dispensed = rows.find((r) => r[header.indexOf("verdict")] === "DISPENSED")!;
      assert.equal(dispensed[header.indexOf("message")], `'+1 already dispensed, "again"`);
      assert.equal(dispensed[header.indexOf("reported_by_gln")], PARTIES.central.gln);
    });

    it("refuses bad filters with 400s that name the parameter", async () => {
      const bad = await apiError(await readApi.alerts(ctx, req("/api/alerts?from=2026-02-30")), 400, "INVALID_QUERY");
      assert.match(bad.message, /from/);
      await apiError(await readApi.alerts(ctx, req("/api/alerts?to=yesterday")), 400, "INVALID_QUERY");
      await apiError(await readApi.alerts(ctx, req("/api/alerts?from=2026-05-03&to=2026-05-01")), 400, "INVALID_QUERY");
      await apiError(await readApi.alerts(ctx, req("/api/alerts?status=MAYBE")), 400, "INVALID_QUERY");
      await apiError(await readApi.alerts(ctx, req("/api/alerts?gtin=123")), 400, "INVALID_GTIN");
      await apiError(await readApi.alerts(ctx, req("/api/alerts?perPage=5000")), 400, "INVALID_QUERY");
      await apiError(await readApi.alerts(ctx, req("/api/alerts?nextPageToken=garbage!")), 400, "INVALID_PAGE_TOKEN");
      await apiError(await readApi.alerts(ctx, req("/api/alerts?status=OPEN&status=CLOSED")), 400, "INVALID_QUERY");
      await apiError(await readApi.alert(ctx, req("/"), "abc"), 400, "INVALID_ALERT_ID");
      await apiError(await readApi.alert(ctx, req("/"), "99999"), 404, "ALERT_NOT_FOUND");
    });
  });

  describe("GET /api/search", () => {
    const find = async (q: string) =>
      json<SearchResponse>(await readApi.search(ctx, req(`/api/search?q=${encodeURIComponent(q)}`)));

    it("a GTIN (14 or 13 digits) finds the product and its batches", async () => {
      for (const q of [GTIN, GTIN.slice(1)]) {
        const body = await find(q);
        assert.ok(body.interpretedAs.includes("gtin"), q);
        assert.deepEqual(
          body.results.map((r) => r.kind),
          ["product", "batch"],
        );
        assert.equal(body.results[1]!.href, `/auditor/batches/${GTIN}/A1`);
      }
    });

    it("a GTIN and lot finds the batch; any pack code finds the pack and its batch", async () => {
      const both = await find(`${GTIN} A1`);
      assert.deepEqual(
        both.results.map((r) => [r.kind, r.lot]),
        [["batch", "A1"]],
      );
      for (const code of [
        `(01)${GTIN}(17)271231(10)A1(21)SN0007`,
        `]d201${GTIN}17271231${"10"}A1\u001d21SN0007`,
        `https://id.gs1.org/01/${GTIN}/10/A1/21/SN0007?17=271231`,
        `https://id.gs1.org/01/${GTIN}/21/SN0007`,
      ]) {
        const body = await find(code);
        assert.deepEqual(body.interpretedAs, ["gs1-code"], code);
        const pack = body.results.find((r) => r.kind === "pack");
        assert.equal(pack?.serial, "SN0007", code);
        assert.equal(pack?.lot, "A1");
        assert.equal(pack?.href, `/auditor/batches/${GTIN}/A1`);
      }
    });

    it("an SSCC is answered honestly: the ledger does not record logistic units", async () => {
      const body = await find("106141412345678908");
      assert.deepEqual(body.interpretedAs, ["sscc"]);
      assert.match(body.notes[0]!, /not logistic units/);
      const bad = await find("106141412345678909");
      assert.match(bad.notes[0]!, /check digit is wrong/);
    });

    it("a party by GLN, address or part of its name", async () => {
      assert.equal((await find(PARTIES.central.gln)).results[0]?.title, "Central Pharmacy");
      assert.equal(
        (await find(PARTIES.northwind.address.toUpperCase().replace("0X", "0x"))).results[0]?.title,
        "Northwind Wholesale",
      );
      const byName = await find("pharma");
      assert.deepEqual(
        byName.results
          .filter((r) => r.kind === "party")
          .map((r) => r.title)
          .sort(),
        ["Acme Pharma", "Central Pharmacy"],
      );
      assert.equal(byName.results[0]?.href, `/auditor/parties/${byName.results[0]?.address}`);
      // LIKE wildcards in the query are taken literally.
      assert.equal((await find("%")).results.length, 0);
    });

    it("a transaction hash finds its events", async () => {
      const batch = await json<BatchResponse>(await readApi.batch(ctx, req("/"), { gtin: GTIN, lot: "A1" }));
      const hash = batch.timeline[1]!.transactionHash;
      const body = await find(hash);
      const tx = body.results.find((r) => r.kind === "transaction");
      assert.equal(tx?.events?.length, 1);
      assert.equal(tx?.events?.[0]?.summary, batch.timeline[1]!.summary);
      assert.ok(body.results.some((r) => r.kind === "batch" && r.lot === "A1"));
      const unknown = await find(`0x${"e".repeat(64)}`);
      assert.equal(unknown.results.length, 0);
      assert.match(unknown.notes[0]!, /No transaction/);
    });

    it("explains a bad check digit, an unreadable code, and refuses an empty query", async () => {
      assert.match((await find("09520123456789")).notes[0]!, /check digit should be 8/);
      assert.match((await find("(01)09520123456789(21)X")).notes[0]!, /could not be read/);
      await apiError(await readApi.search(ctx, req("/api/search?q=%20%20")), 400, "INVALID_QUERY");
      await apiError(await readApi.search(ctx, req("/api/search")), 400, "INVALID_QUERY");
      await apiError(await readApi.search(ctx, req(`/api/search?q=${"x".repeat(600)}`)), 400, "INVALID_QUERY");
    });

    it("refuses a NUL character in any parameter with a 400 (PostgreSQL cannot store one in text)", async () => {
      for (const query of ["q=%00", "q=Acme%00Pharma", "q%00=Acme"]) {
        const error = await apiError(await readApi.search(ctx, req(`/api/search?${query}`)), 400, "INVALID_QUERY");
        assert.match(error.message, /NUL character/);
      }
      const error = await apiError(
        await readApi.participants(ctx, req("/api/participants?role=%00")),
        400,
        "INVALID_QUERY",
      );
      assert.match(error.message, /role contains a NUL character/);
    });
  });

  describe("directory: participants, products, parties, shipments", () => {
    it("lists participants with roles, GLNs and prefixes", async () => {
      const body = await json<ParticipantsResponse>(await readApi.participants(ctx, req("/api/participants")));
      assert.equal(body.participants.length, 4);
      const acme = body.participants.find((p) => p.name === "Acme Pharma")!;
      assert.deepEqual(acme.companyPrefixes, ["952012"]);
      assert.equal(acme.role, "MANUFACTURER");
      assert.equal(acme.suspended, false);
      const pharmacies = await json<ParticipantsResponse>(
        await readApi.participants(ctx, req("/api/participants?role=pharmacy")),
      );
      assert.deepEqual(
        pharmacies.participants.map((p) => p.name),
        ["Central Pharmacy"],
      );
      await apiError(await readApi.participants(ctx, req("/api/participants?role=baker")), 400, "INVALID_QUERY");
    });

    it("lists products, filtered by manufacturer", async () => {
      const body = await json<ProductsResponse>(
        await readApi.products(ctx, req(`/api/products?manufacturer=${PARTIES.acme.address}`)),
      );
      assert.deepEqual(
        body.products.map((p) => [p.name, p.batchCount]),
        [
          ["Amoxicillin", 1],
          ["Paracetamol", 1],
        ],
      );
      const none = await json<ProductsResponse>(
        await readApi.products(ctx, req(`/api/products?manufacturer=${PARTIES.central.address}`)),
      );
      assert.equal(none.products.length, 0);
      await apiError(await readApi.products(ctx, req("/api/products?manufacturer=acme")), 400, "INVALID_QUERY");
    });

    it("a party's stock by product and batch, and its shipments by direction and status", async () => {
      const body = await json<PartyResponse>(
        await readApi.party(ctx, req("/"), PARTIES.central.address.toUpperCase().replace("0X", "0x")),
      );
      assert.equal(body.registered, true);
      assert.equal(body.party.name, "Central Pharmacy");
      assert.deepEqual(
        body.stock.map((g) => [g.productName, g.units, g.batches.map((b) => [b.lot, b.units, b.status, b.expired])]),
        [
          ["Amoxicillin", 18, [["A1", 18, "ACTIVE", false]]],
          ["Paracetamol", 4, [[ODD_LOT, 4, "RECALLED", true]]],
        ],
      );
      assert.equal(body.incoming.PENDING.length, 1);
      assert.equal(body.incoming.RECEIVED.length, 2);
      assert.equal(body.incoming.REJECTED.length, 1);
      assert.equal(body.incoming.REJECTED[0]?.reason, '=HYPERLINK("http://evil.example","click"), broken seal');
      assert.equal(body.outgoing.PENDING.length, 0);
      const stranger = await json<PartyResponse>(await readApi.party(ctx, req("/"), `0x${"9".repeat(40)}`));
      assert.equal(stranger.registered, false);
      assert.equal(stranger.stock.length, 0);
      await apiError(await readApi.party(ctx, req("/"), "0x123"), 400, "INVALID_ADDRESS");
    });

    it("lists shipments with filters and pages them without gaps or repeats", async () => {
      const all = await json<ShipmentsResponse>(await readApi.shipments(ctx, req("/api/shipments")));
      assert.equal(all.shipments.length, 5);
      assert.equal(all.nextPageToken, null);
      const toCentral = await json<ShipmentsResponse>(
        await readApi.shipments(ctx, req(`/api/shipments?to=${PARTIES.central.address}&status=pending`)),
      );
      assert.deepEqual(
        toCentral.shipments.map((s) => s.reference),
        ["PO-9"],
      );
      const byBatch = await json<ShipmentsResponse>(
        await readApi.shipments(ctx, req(`/api/shipments?batch=${GTIN_OTHER}/${encodeURIComponent(ODD_LOT)}`)),
      );
      assert.deepEqual(
        byBatch.shipments.map((s) => s.reference),
        ["R-1"],
      );
      const seen: string[] = [];
      let token: string | null = null;
      do {
        const page: ShipmentsResponse = await json<ShipmentsResponse>(
          await readApi.shipments(ctx, req(`/api/shipments?perPage=2${token ? `&nextPageToken=${token}` : ""}`)),
        );
        seen.push(...page.shipments.map((s) => s.shipmentId));
        token = page.nextPageToken;
      } while (token !== null);
      assert.deepEqual(
        seen,
        all.shipments.map((s) => s.shipmentId),
      );
      const first = await json<ShipmentsResponse>(await readApi.shipments(ctx, req("/api/shipments?perPage=2")));
      // A token is bound to its filters.
      await apiError(
        await readApi.shipments(
          ctx,
          req(`/api/shipments?perPage=2&status=RECEIVED&nextPageToken=${first.nextPageToken}`),
        ),
        400,
        "INVALID_PAGE_TOKEN",
      );
      await apiError(await readApi.shipments(ctx, req("/api/shipments?status=LOST")), 400, "INVALID_QUERY");
      await apiError(await readApi.shipments(ctx, req("/api/shipments?batch=nonsense")), 400, "INVALID_QUERY");
      await apiError(await readApi.shipments(ctx, req("/api/shipments?perPage=0")), 400, "INVALID_QUERY");
    });
  });
});
