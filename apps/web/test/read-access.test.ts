/**
 * Who may see what of the read API (DESIGN.md, "Who may see what"; src/server/read/access.ts),
 * over HTTP through the route modules Next serves (src/app/api/**\/route.ts), on a small indexed
 * world:
 *
 * - Acme makes batch A: 10 units to Northwind (received), 4 of them on to Central (received);
 *   Central scans a code of batch A with a serial the batch never had: an UNKNOWN_SERIAL alert by Central.
 * - Acme makes batch R: 6 units to Northwind (received), 2 of them on to Harbour (still in
 *   transit); the regulator recalls R, held by Acme (4) and Northwind (4).
 * - Borealis makes batch B: 5 units to Harbour (received); Harbour raises an alert the same way.
 *
 * Anonymous callers get 401 and nothing else; the regulator everything; a manufacturer its
 * batches' records; a trading party the batches it traded and its own shipments; every
 * participant the directory. A suspension on chain refuses at once, with no indexer running.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type {
  AlertDetailView,
  AlertsResponse,
  BatchResponse,
  ParticipantsResponse,
  PartyResponse,
  ProductsResponse,
  RecallsResponse,
  SearchResponse,
  ShipmentsResponse,
} from "../src/lib/api/read.ts";
import { hashToken } from "../src/server/auth/siwe.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { sessions } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { APP_SRC, resolveAppModules } from "./support/app-modules.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { parseCsv } from "./read-csv.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, type World, type WorldBatch, type WorldParties, type WorldShipment } from "./support/world.ts";

resolveAppModules();

const ROUTE_FILES = [
  "alerts",
  "alerts/[id]",
  "auth/nonce",
  "auth/verify",
  "batches/[gtin]/[lot]",
  "batches/[gtin]/[lot]/csv",
  "batches/[gtin]/[lot]/epcis",
  "epcis/events",
  "ledger",
  "participants",
  "parties/[address]",
  "products",
  "recalls",
  "search",
  "shipments",
  "verify",
];

type Who = keyof WorldParties | "stranger" | "admin";

interface Answer {
  status: number;
  text: string;
  /** The JSON body (undefined for CSV). */
  body: unknown;
  code: string | undefined;
}

describe(`read API: who may see what (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let batchA: WorldBatch;
  let batchR: WorldBatch;
  let batchB: WorldBatch;
  let shipments: Record<"a1" | "a2" | "r1" | "r2" | "b1", WorldShipment>;
  const tokens = new Map<Who, string>();
  /** The alerts raised by Central's scan (on A) and Harbour's (on B). */
  let centralAlert: number;
  let harbourAlert: number;

  const codeOf = (batch: WorldBatch, index: number) =>
    `(01)${batch.gtin}(17)${String(batch.expiry).slice(2)}(10)${batch.lot}(21)${batch.manifest.serials[index]}`;

  async function call(
    path: string,
    who: Who | null,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Answer> {
    const token = who === null ? undefined : tokens.get(who);
    if (who !== null && token === undefined) throw new Error(`${who} has not signed in`);
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? "GET",
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    const json = /json/.test(response.headers.get("content-type") ?? "");
    const body: unknown = json ? JSON.parse(text) : undefined;
    const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
    return { status: response.status, text, body, code };
  }

  async function ok<T>(path: string, who: Who): Promise<T> {
    const answer = await call(path, who);
    assert.equal(answer.status, 200, `${who} GET ${path}: ${answer.text}`);
    return answer.body as T;
  }

  async function refused(path: string, who: Who | null, status: number, code: string, init = {}): Promise<void> {
    const answer = await call(path, who, init);
    assert.equal(answer.status, status, `${who ?? "anonymous"} ${path}: ${answer.text}`);
    assert.equal(answer.code, code, `${who ?? "anonymous"} ${path}`);
    // A refusal is the error and nothing else.
    assert.deepEqual(Object.keys(answer.body as object), ["error"], `${path}: ${answer.text}`);
  }

  const batchPaths = (batch: WorldBatch) => [
    `/api/batches/${batch.gtin}/${batch.lot}`,
    `/api/batches/${batch.gtin}/${batch.lot}/epcis`,
    `/api/batches/${batch.gtin}/${batch.lot}/csv`,
  ];

  /** Every read route, each with something real to read. */
  const readPaths = () => [
    ...batchPaths(batchA),
    ...batchPaths(batchR),
    ...batchPaths(batchB),
    "/api/epcis/events",
    "/api/alerts",
    "/api/alerts?format=csv",
    `/api/alerts/${centralAlert}`,
    "/api/recalls",
    `/api/search?q=${batchA.gtin}`,
    `/api/search?q=${shipments.a1.receipt.transactionHash}`,
    "/api/participants",
    "/api/ledger",
    `/api/parties/${world.parties.central.address}`,
    "/api/shipments",
    "/api/products",
  ];

  const references = (body: ShipmentsResponse) => body.shipments.map((s) => s.reference).sort();
  const alertIds = (body: AlertsResponse) => body.alerts.map((a) => a.id).sort((x, y) => x - y);
  const recallPicture = (body: RecallsResponse) =>
    body.recalledStock.map((r) => ({
      lot: r.batch.lot,
      // Most units first; equal holdings in any order.
      holders: r.holders.map((h) => [h.party.name, h.units]).sort(),
      unitsHeld: r.unitsHeld,
      unitsInTransit: r.unitsInTransit,
    }));

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    const { acme, borealis, northwind, central, harbour, regulator } = world.parties;
    const amoxicillin = await world.registerProduct(acme, { name: "Amoxicillin" });
    const metformin = await world.registerProduct(borealis, { name: "Metformin", strength: "850 mg" });
    batchA = await world.registerBatch(acme, amoxicillin, { lot: "ACC-A", packs: 20 });
    batchR = await world.registerBatch(acme, amoxicillin, { lot: "ACC-R", packs: 10 });
    batchB = await world.registerBatch(borealis, metformin, { lot: "ACC-B", packs: 10 });
    const a1 = await world.ship(acme, northwind, [{ batch: batchA, quantity: 10 }], "A1-ACME-NW");
    await world.receive(a1);
    const a2 = await world.ship(northwind, central, [{ batch: batchA, quantity: 4 }], "A2-NW-CENTRAL");
    await world.receive(a2);
    await world.decommission(central, batchA, 0, "DISPENSED");
    const r1 = await world.ship(acme, northwind, [{ batch: batchR, quantity: 6 }], "R1-ACME-NW");
    await world.receive(r1);
    const r2 = await world.ship(northwind, harbour, [{ batch: batchR, quantity: 2 }], "R2-NW-HARBOUR");
    await world.recall(regulator, batchR, "Sterility failure");
    const b1 = await world.ship(borealis, harbour, [{ batch: batchB, quantity: 5 }], "B1-BOR-HARBOUR");
    await world.receive(b1);
    await world.decommission(harbour, batchB, 0, "DISPENSED");
    shipments = { a1, a2, r1, r2, b1 };

    ctx = await createAppContext({ database, target: chain.target });
    await syncToHead(ctx);
    await storeWorldManifest(database.db, batchA);
    await storeWorldManifest(database.db, batchB);

    const routes: Record<string, RouteModule> = {};
    for (const file of ROUTE_FILES) {
      routes[`/api/${file}`] = (await import(
        pathToFileURL(path.join(APP_SRC, "app/api", file, "route.ts")).href
      )) as RouteModule;
    }
    server = await startTestServer({ context: ctx, routes });
    const accounts: [Who, Parameters<typeof signInAs>[1]][] = [
      ...Object.entries(world.parties).map(
        ([name, party]) => [name as Who, party.account] as [Who, typeof party.account],
      ),
      ["stranger", privateKeyToAccount(generatePrivateKey())],
      ["admin", world.admin],
    ];
    for (const [who, account] of accounts) {
      const attempt = await signInAs(server.url, account);
      assert.equal(attempt.status, 200, `${who}: ${JSON.stringify(attempt.body)}`);
      tokens.set(who, attempt.body.token);
    }

    // Each pharmacy scans, to dispense, a code of the batch it holds whose serial the batch never
    // had: an alert under its name, on that batch. (Its own dispensed pack would raise none.)
    for (const [who, batch] of [
      ["central", batchA],
      ["harbour", batchB],
    ] as const) {
      const code = codeOf(batch, 0).replace(/\(21\).*$/, "(21)NEVERISSUED1");
      const scan = await call(`/api/verify?purpose=dispense&code=${encodeURIComponent(code)}`, who);
      const verdict = scan.body as { verdict: string; alert: boolean };
      assert.equal(verdict.verdict, "UNKNOWN_SERIAL", scan.text);
      assert.equal(verdict.alert, true, scan.text);
    }
    const all = await ok<AlertsResponse>("/api/alerts", "regulator");
    const byReporter = (party: { address: string }) =>
      all.alerts.find((a) => a.reportedBy?.address === party.address.toLowerCase())?.id;
    centralAlert = byReporter(central)!;
    harbourAlert = byReporter(harbour)!;
    assert.ok(centralAlert !== undefined && harbourAlert !== undefined, JSON.stringify(all.alerts));
  });

  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  describe("signed-out and unknown callers", () => {
    it("answers an anonymous caller 401 NOT_SIGNED_IN on every read route, with no data", async () => {
      for (const path of readPaths()) {
        await refused(path, null, 401, "NOT_SIGNED_IN");
        const { text } = await call(path, null);
        for (const secret of ["ACC-A", "A1-ACME-NW", "Northwind", String(shipments.a1.lines[0]!.quantity) + " units"]) {
          assert.ok(!text.includes(secret), `${path} tells an anonymous caller '${secret}': ${text}`);
        }
      }
      // Not signed in comes first: a malformed request does not get as far as being judged.
      for (const path of [
        `/api/batches/${batchA.gtin}/${batchA.lot}?foo=1`,
        "/api/batches/123/x/epcis",
        `/api/batches/${batchA.gtin}/NO-SUCH-LOT/csv`,
        "/api/alerts?status=MAYBE",
        "/api/alerts/abc",
        "/api/alerts/99999",
        "/api/epcis/events?perPage=0",
        "/api/search",
        "/api/parties/0x123",
        "/api/shipments?status=LOST",
        "/api/participants?role=baker",
        "/api/products?manufacturer=acme",
        "/api/recalls?x=1",
      ]) {
        await refused(path, null, 401, "NOT_SIGNED_IN");
      }
      await refused(`/api/alerts/${centralAlert}`, null, 401, "NOT_SIGNED_IN", {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ status: "INVESTIGATING" }),
      });
    });

    it("answers a token it does not know 401 NOT_SIGNED_IN, and an expired session 401 SESSION_EXPIRED", async () => {
      const expired = `expired-${Date.now()}`;
      await database.db.insert(sessions).values({
        id: hashToken(expired),
        address: world.parties.regulator.address.toLowerCase(),
        chainId: chain.chainId,
        expiresAt: new Date(Date.now() - 1000),
      });
      for (const path of ["/api/shipments", `/api/batches/${batchA.gtin}/${batchA.lot}`, "/api/participants"]) {
        const unknown = await fetch(`${server.url}${path}`, { headers: { authorization: "Bearer not-a-session" } });
        assert.equal(unknown.status, 401, path);
        assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, "NOT_SIGNED_IN");
      }
      const response = await fetch(`${server.url}/api/shipments`, { headers: { authorization: `Bearer ${expired}` } });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "SESSION_EXPIRED");
    });

    it("refuses a signed-in address that is no participant 403 NOT_PARTICIPANT on every read route", async () => {
      for (const path of readPaths()) await refused(path, "stranger", 403, "NOT_PARTICIPANT");
    });

    it("takes the session from the pedigree_session cookie as from a bearer token", async () => {
      const response = await fetch(`${server.url}/api/shipments`, {
        headers: { cookie: `pedigree_session=${tokens.get("central")}` },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(references((await response.json()) as ShipmentsResponse), ["A2-NW-CENTRAL"]);
    });
  });

  describe("the regulator", () => {
    it("reads every route: every batch, party, shipment, alert, recalled holding and the EPCIS query", async () => {
      for (const path of readPaths()) {
        const answer = await call(path, "regulator");
        assert.equal(answer.status, 200, `${path}: ${answer.text}`);
      }
      for (const party of Object.values(world.parties)) {
        const body = await ok<PartyResponse>(`/api/parties/${party.address}`, "regulator");
        assert.equal(body.party.name, party.legalName);
      }
      assert.deepEqual(references(await ok<ShipmentsResponse>("/api/shipments", "regulator")), [
        "A1-ACME-NW",
        "A2-NW-CENTRAL",
        "B1-BOR-HARBOUR",
        "R1-ACME-NW",
        "R2-NW-HARBOUR",
      ]);
      const alerts = await ok<AlertsResponse>("/api/alerts", "regulator");
      assert.deepEqual(
        alertIds(alerts),
        [centralAlert, harbourAlert].sort((x, y) => x - y),
      );
      const whole = [
        {
          lot: "ACC-R",
          holders: [
            ["Acme Pharma AG", 4],
            ["Northwind Wholesale", 4],
          ],
          unitsHeld: 8,
          unitsInTransit: 2,
        },
      ];
      assert.deepEqual(recallPicture(await ok<RecallsResponse>("/api/recalls", "regulator")), whole);
      assert.deepEqual(recallPicture({ recalledStock: alerts.recalledStock }), whole);
      const events = await ok<{ epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }>(
        "/api/epcis/events?perPage=1000",
        "regulator",
      );
      assert.ok(events.epcisBody.queryResults.resultsBody.eventList.length >= 10);
    });
  });

  describe("manufacturers", () => {
    it("a manufacturer reads its own batches' records and exports, and is refused the other manufacturer's", async () => {
      for (const path of [...batchPaths(batchA), ...batchPaths(batchR)]) {
        assert.equal((await call(path, "acme")).status, 200, path);
        await refused(path, "borealis", 403, "NOT_YOUR_RECORD");
      }
      for (const path of batchPaths(batchB)) {
        assert.equal((await call(path, "borealis")).status, 200, path);
        await refused(path, "acme", 403, "NOT_YOUR_RECORD");
      }
      // The whole record of its batch, the shipments between other parties included.
      const record = await ok<BatchResponse>(`/api/batches/${batchA.gtin}/${batchA.lot}`, "acme");
      assert.ok(record.timeline.some((e) => e.details.shipmentRef === "A2-NW-CENTRAL"));
      const csv = parseCsv((await call(`/api/batches/${batchB.gtin}/${batchB.lot}/csv`, "borealis")).text);
      assert.equal(csv.length, 1 + 4, "header, registered, shipped, received, dispensed");
    });

    it("a manufacturer lists the shipments it sent, the alerts on its batches, and the whole picture of its recalled batch", async () => {
      assert.deepEqual(references(await ok<ShipmentsResponse>("/api/shipments", "acme")), ["A1-ACME-NW", "R1-ACME-NW"]);
      assert.deepEqual(references(await ok<ShipmentsResponse>("/api/shipments", "borealis")), ["B1-BOR-HARBOUR"]);
      // A filter cannot widen the list: another party's shipments stay out.
      const toHarbour = await ok<ShipmentsResponse>(
        `/api/shipments?to=${world.parties.harbour.address.toLowerCase()}`,
        "acme",
      );
      assert.deepEqual(references(toHarbour), []);

      const acmeAlerts = await ok<AlertsResponse>("/api/alerts", "acme");
      assert.deepEqual(alertIds(acmeAlerts), [centralAlert]);
      assert.equal(acmeAlerts.alerts[0]?.reportedBy?.name, "Central Pharmacy");
      assert.equal((await ok<{ id: number }>(`/api/alerts/${centralAlert}`, "acme")).id, centralAlert);
      await refused(`/api/alerts/${harbourAlert}`, "acme", 404, "ALERT_NOT_FOUND");
      assert.deepEqual(alertIds(await ok<AlertsResponse>("/api/alerts", "borealis")), [harbourAlert]);
      await refused(`/api/alerts/${centralAlert}`, "borealis", 404, "ALERT_NOT_FOUND");

      const picture = [
        {
          lot: "ACC-R",
          holders: [
            ["Acme Pharma AG", 4],
            ["Northwind Wholesale", 4],
          ],
          unitsHeld: 8,
          unitsInTransit: 2,
        },
      ];
      assert.deepEqual(recallPicture(await ok<RecallsResponse>("/api/recalls", "acme")), picture);
      assert.deepEqual(recallPicture({ recalledStock: acmeAlerts.recalledStock }), picture);
      assert.deepEqual((await ok<RecallsResponse>("/api/recalls", "borealis")).recalledStock, []);
    });
  });

  describe("distributors and pharmacies", () => {
    it("a trading party reads the records of the batches it sent or received, and no other batch's", async () => {
      const readable: Record<"northwind" | "central" | "harbour", WorldBatch[]> = {
        northwind: [batchA, batchR],
        central: [batchA],
        // R only as the recipient of a shipment still in transit.
        harbour: [batchR, batchB],
      };
      for (const [who, batches] of Object.entries(readable) as [keyof typeof readable, WorldBatch[]][]) {
        for (const batch of [batchA, batchR, batchB]) {
          for (const path of batchPaths(batch)) {
            if (batches.includes(batch)) assert.equal((await call(path, who)).status, 200, `${who} ${path}`);
            else await refused(path, who, 403, "NOT_YOUR_RECORD");
          }
        }
      }
    });

    it("a trading party lists only the shipments it sent or received", async () => {
      assert.deepEqual(references(await ok<ShipmentsResponse>("/api/shipments", "northwind")), [
        "A1-ACME-NW",
        "A2-NW-CENTRAL",
        "R1-ACME-NW",
        "R2-NW-HARBOUR",
      ]);
      assert.deepEqual(references(await ok<ShipmentsResponse>("/api/shipments", "central")), ["A2-NW-CENTRAL"]);
      assert.deepEqual(references(await ok<ShipmentsResponse>("/api/shipments", "harbour")), [
        "B1-BOR-HARBOUR",
        "R2-NW-HARBOUR",
      ]);
      const ofB = await ok<ShipmentsResponse>(`/api/shipments?batch=${batchB.gtin}/${batchB.lot}`, "central");
      assert.deepEqual(ofB.shipments, []);
    });

    it("a party reads its own stock and shipments, and is refused another party's", async () => {
      const { northwind, central, harbour, acme } = world.parties;
      const own = await ok<PartyResponse>(`/api/parties/${central.address}`, "central");
      assert.deepEqual(
        own.stock.flatMap((g) => g.batches.map((b) => [b.lot, b.units])),
        [["ACC-A", 3]],
      );
      // Any spelling of its own address.
      assert.equal((await call(`/api/parties/${central.address.toLowerCase()}`, "central")).status, 200);
      for (const [who, other] of [
        ["central", harbour],
        ["central", northwind],
        ["northwind", acme],
        ["harbour", central],
        ["acme", northwind],
        ["borealis", harbour],
      ] as const) {
        await refused(`/api/parties/${other.address}`, who, 403, "NOT_YOUR_RECORD");
      }
    });

    it("a pharmacy sees the alerts its scans raised, a distributor none; another's alert is not found", async () => {
      assert.deepEqual(alertIds(await ok<AlertsResponse>("/api/alerts", "central")), [centralAlert]);
      assert.deepEqual(alertIds(await ok<AlertsResponse>("/api/alerts", "harbour")), [harbourAlert]);
      assert.deepEqual(alertIds(await ok<AlertsResponse>("/api/alerts", "northwind")), []);
      await refused(`/api/alerts/${harbourAlert}`, "central", 404, "ALERT_NOT_FOUND");
      await refused(`/api/alerts/${centralAlert}`, "harbour", 404, "ALERT_NOT_FOUND");
      // Northwind traded batch A but neither raised the alert nor made the batch.
      await refused(`/api/alerts/${centralAlert}`, "northwind", 404, "ALERT_NOT_FOUND");
      // The CSV export holds the same alerts as the list.
      const csv = parseCsv((await call("/api/alerts?format=csv", "central")).text);
      const header = csv[0]!;
      assert.deepEqual(
        csv.slice(1).map((row) => Number(row[header.indexOf("id")])),
        [centralAlert],
      );
      assert.deepEqual(parseCsv((await call("/api/alerts?format=csv", "northwind")).text).length, 1);
      // A filter narrows what the party may see, never widens it.
      const centralAddress = world.parties.central.address;
      assert.deepEqual(alertIds(await ok<AlertsResponse>(`/api/alerts?reporter=${centralAddress}`, "harbour")), []);
      assert.equal(
        parseCsv((await call(`/api/alerts?format=csv&reporter=${centralAddress}`, "harbour")).text).length,
        1,
      );
    });

    it("a holder of a recalled batch it did not make sees its own holding only; a party holding none sees nothing", async () => {
      const northwind = await ok<RecallsResponse>("/api/recalls", "northwind");
      assert.deepEqual(recallPicture(northwind), [
        { lot: "ACC-R", holders: [["Northwind Wholesale", 4]], unitsHeld: 4, unitsInTransit: 0 },
      ]);
      assert.deepEqual(
        recallPicture({ recalledStock: (await ok<AlertsResponse>("/api/alerts", "northwind")).recalledStock }),
        recallPicture(northwind),
      );
      for (const who of ["central", "harbour"] as const) {
        assert.deepEqual((await ok<RecallsResponse>("/api/recalls", who)).recalledStock, [], who);
        assert.deepEqual((await ok<AlertsResponse>("/api/alerts", who)).recalledStock, [], who);
      }
    });
  });

  describe("what every participant shares", () => {
    it("the ledger's administrator, who onboards participants, reads the directory and nothing else", async () => {
      const { participants } = await ok<ParticipantsResponse>("/api/participants", "admin");
      assert.equal(participants.length, Object.keys(world.parties).length);
      const { products } = await ok<ProductsResponse>("/api/products", "admin");
      assert.equal(products.length, 2);
      await refused(`/api/batches/${batchA.gtin}/${batchA.lot}`, "admin", 403, "NOT_PARTICIPANT");
      await refused("/api/shipments", "admin", 403, "NOT_PARTICIPANT");
      await refused("/api/participants", "stranger", 403, "NOT_PARTICIPANT");
    });

    it("a manufacturer's product list names its batches, each only to those who may read the batch", async () => {
      const acmeProducts = `/api/products?manufacturer=${world.parties.acme.address}`;
      const lotsFor = async (who: Who) => {
        const { products } = await ok<ProductsResponse>(acmeProducts, who);
        assert.equal(products.length, 1, `${who}: Acme's one product`);
        return products[0]!.batches?.map((b) => b.lot);
      };
      // Newest first, with what the page shows of each.
      assert.deepEqual(await lotsFor("acme"), ["ACC-R", "ACC-A"]);
      const { products } = await ok<ProductsResponse>(acmeProducts, "acme");
      const recalled = products[0]!.batches!.find((b) => b.lot === "ACC-R")!;
      assert.equal(recalled.status, "RECALLED");
      assert.equal(recalled.statusReason, "Sterility failure");
      assert.equal(recalled.packCount, 10);
      assert.equal(products[0]!.batchCount, 2);
      assert.deepEqual(await lotsFor("regulator"), ["ACC-R", "ACC-A"]);
      // Central traded ACC-A only; Harbour was sent ACC-R; Borealis neither.
      assert.deepEqual(await lotsFor("central"), ["ACC-A"]);
      assert.deepEqual(await lotsFor("harbour"), ["ACC-R"]);
      assert.deepEqual(await lotsFor("borealis"), []);
      // The administrator, and the whole directory, get products without batches.
      assert.equal(await lotsFor("admin"), undefined);
      const directory = await ok<ProductsResponse>("/api/products", "acme");
      assert.ok(directory.products.every((p) => p.batches === undefined));
    });

    it("every participant reads the directory: participants, products and search", async () => {
      for (const who of ["acme", "borealis", "northwind", "central", "harbour", "regulator"] as const) {
        const { participants } = await ok<ParticipantsResponse>("/api/participants", who);
        assert.deepEqual(
          participants.map((p) => p.name).sort(),
          Object.values(world.parties)
            .map((p) => p.legalName)
            .sort(),
          who,
        );
        const { products } = await ok<ProductsResponse>("/api/products", who);
        assert.deepEqual(products.map((p) => p.name).sort(), ["Amoxicillin", "Metformin"], who);
        const found = await ok<SearchResponse>(`/api/search?q=${batchB.gtin}`, who);
        assert.deepEqual(
          found.results.map((r) => [r.kind, r.lot ?? null]),
          [
            ["product", null],
            ["batch", "ACC-B"],
          ],
          who,
        );
      }
    });

    it("search shows a transaction's custody events and a shipment's units only to those who may read its batch", async () => {
      const tx = shipments.b1.receipt.transactionHash;
      for (const who of ["regulator", "borealis", "harbour"] as const) {
        const found = await ok<SearchResponse>(`/api/search?q=${tx}`, who);
        const transaction = found.results.find((r) => r.kind === "transaction");
        assert.match(transaction?.events?.[0]?.summary ?? "", /shipped 5 units to Harbour Pharmacy/, who);
        const byId = await ok<SearchResponse>(`/api/search?q=${shipments.b1.shipmentId}`, who);
        assert.ok(
          byId.notes.some((n) => n.includes("5 units")),
          `${who}: ${JSON.stringify(byId.notes)}`,
        );
      }
      for (const who of ["acme", "northwind", "central"] as const) {
        for (const q of [tx, shipments.b1.shipmentId]) {
          const answer = await call(`/api/search?q=${q}`, who);
          assert.equal(answer.status, 200, answer.text);
          const found = answer.body as SearchResponse;
          assert.deepEqual(found.results, [], `${who} ${q}: ${answer.text}`);
          assert.ok(!answer.text.includes("units"), `${who} ${q}: ${answer.text}`);
          assert.ok(!answer.text.includes("B1-BOR-HARBOUR"), `${who} ${q}: ${answer.text}`);
        }
      }
      // Northwind's shipment to Central is on Acme's batch: Acme reads it, Harbour does not.
      const a2 = shipments.a2;
      for (const [who, sees] of [
        ["acme", true],
        ["central", true],
        ["harbour", false],
        ["borealis", false],
      ] as const) {
        const byTx = await ok<SearchResponse>(`/api/search?q=${a2.receipt.transactionHash}`, who);
        assert.equal(
          byTx.results.some((r) => r.kind === "transaction"),
          sees,
          `${who}: ${JSON.stringify(byTx)}`,
        );
        const byId = await ok<SearchResponse>(`/api/search?q=${a2.shipmentId}`, who);
        assert.equal(
          byId.notes.some((n) => n.includes("4 units")),
          sees,
          `${who}: ${JSON.stringify(byId.notes)}`,
        );
      }
    });

    it("the EPCIS query across every party's events is for regulators only", async () => {
      for (const who of ["acme", "borealis", "northwind", "central", "harbour"] as const) {
        await refused("/api/epcis/events", who, 403, "REGULATORS_ONLY");
      }
      // A participant exports the batches it may read, one by one.
      const document = await ok<{ type: string }>(`/api/batches/${batchA.gtin}/${batchA.lot}/epcis`, "central");
      assert.equal(document.type, "EPCISDocument");
    });
  });

  describe("working an alert", () => {
    const patch = (who: Who | null, contentType: string, change: object) =>
      call(`/api/alerts/${centralAlert}`, who, {
        method: "PATCH",
        headers: { "content-type": contentType },
        body: JSON.stringify(change),
      });

    it("is for the party that raised it or a regulator, in JSON; others are refused or do not see it", async () => {
      const answer = async (promise: Promise<Answer>) => {
        const { status, code, body } = await promise;
        return [status, code ?? (body as { status?: string }).status];
      };
      const investigating = { status: "INVESTIGATING" };
      const falsified = { status: "CLOSED", rootCause: "FALSIFIED", note: "The carton is a copy." };
      assert.deepEqual(await answer(patch("acme", "application/json", investigating)), [403, "WRONG_ROLE"]);
      assert.deepEqual(await answer(patch("northwind", "application/json", investigating)), [404, "ALERT_NOT_FOUND"]);
      assert.deepEqual(await answer(patch("harbour", "application/json", investigating)), [404, "ALERT_NOT_FOUND"]);
      assert.deepEqual(await answer(patch("central", "text/plain", investigating)), [415, "UNSUPPORTED_CONTENT_TYPE"]);
      assert.equal((await ok<{ status: string }>(`/api/alerts/${centralAlert}`, "regulator")).status, "OPEN");
      assert.deepEqual(await answer(patch("central", "application/json", investigating)), [200, "INVESTIGATING"]);
      assert.deepEqual(await answer(patch("central", "application/json", falsified)), [403, "WRONG_ROLE"]);
      assert.deepEqual(await answer(patch("regulator", "application/json", falsified)), [200, "CLOSED"]);
      assert.deepEqual(await answer(patch("regulator", "application/json", investigating)), [
        409,
        "INVALID_TRANSITION",
      ]);
      // The batch's manufacturer reads the outcome and who reached it.
      const seen = await ok<AlertDetailView>(`/api/alerts/${centralAlert}`, "acme");
      assert.deepEqual(
        seen.history.map((change) => [change.by.name, change.to, change.rootCause]),
        [
          ["Central Pharmacy", "INVESTIGATING", null],
          ["Medicines Agency", "CLOSED", "FALSIFIED"],
        ],
      );
    });
  });

  describe("suspension", () => {
    it("refuses a participant suspended on chain 403 PARTICIPANT_SUSPENDED on every read route at once, and serves it again once reinstated", async () => {
      const { northwind } = world.parties;
      assert.equal((await call("/api/shipments", "northwind")).status, 200);
      // No indexer runs: the refusal comes from the chain, not the read model.
      await world.suspendParticipant(northwind);
      try {
        for (const path of [...readPaths(), `/api/parties/${northwind.address}`]) {
          await refused(path, "northwind", 403, "PARTICIPANT_SUSPENDED");
        }
      } finally {
        await world.reinstateParticipant(northwind);
      }
      assert.deepEqual(references(await ok<ShipmentsResponse>("/api/shipments", "northwind")).length, 4);
      assert.equal((await call(`/api/batches/${batchA.gtin}/${batchA.lot}`, "northwind")).status, 200);
    });
  });
});
