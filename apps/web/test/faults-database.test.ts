/**
 * Faults: the database goes away. Every read route, the sign-in session route and verification
 * answer 503 with a clear JSON code (verification: the UNAVAILABLE verdict), never a 500 and never
 * an answer built from rows it could not read; health names the database; once the database is
 * back, the same requests give the same answers as before.
 *
 * On PostgreSQL (PEDIGREE_TEST_DATABASE_URL) the app reaches the server through a TCP proxy the
 * test cuts and restores (the server itself stays up for the other tests). On PGlite, which runs
 * in the process, "unavailable" can only mean the instance is gone: the test closes it at the end.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { handle } from "../src/server/api/handle.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import { openDatabase, type OpenedDatabase } from "../src/server/db/database.ts";
import { healthReport } from "../src/server/health.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { readApi } from "../src/server/read/http.ts";
import { sessionResponse } from "../src/server/auth/http.ts";
import { startTcpProxy, type TcpProxy } from "../chaos/support/tcp-proxy.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { createWorld, type WorldBatch } from "./support/world.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { signInAs } from "./support/signIn.ts";

/** EPCIS documents carry the time they were made; everything else must be identical. */
const withoutCreationDate = (text: string) => text.replace(/"creationDate":"[^"]*"/, "");

/** No request may hang while the database is away: each must answer within this. */
const ANSWER_WITHIN_MS = 12_000;

describe(`faults: the database is unavailable (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let dropDatabase: (() => Promise<void>) | undefined;
  let proxy: TcpProxy | undefined;
  let ctx: AppContext;
  let server: TestServer;
  let batch: WorldBatch;
  let paths: string[];
  /** The regulator's session: the read routes answer signed-in participants only, and only a
   * request with a session reaches the database (an anonymous one is refused before it). */
  let authorization: { authorization: string };

  before(async () => {
    chain = await startTestChain();
    const serverUrl = process.env.PEDIGREE_TEST_DATABASE_URL;
    if (serverUrl) {
      const name = `pedigree_faults_${randomBytes(6).toString("hex")}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      const direct = new URL(serverUrl);
      proxy = await startTcpProxy({ port: Number(direct.port || 5432), host: direct.hostname });
      const throughProxy = new URL(serverUrl);
      throughProxy.pathname = `/${name}`;
      throughProxy.port = String(proxy.port);
      database = await openDatabase({ url: throughProxy.toString() });
      dropDatabase = async () => {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end({ timeout: 5 });
      };
    } else {
      database = await openDatabase({ url: "", dataDir: "memory://" });
    }

    const world = await createWorld(chain);
    const { acme, northwind, central, regulator } = world.parties;
    const product = await world.registerProduct(acme);
    batch = await world.registerBatch(acme, product, { lot: "DB-1", packs: 10 });
    const recalled = await world.registerBatch(acme, product, { lot: "DB-2", packs: 4 });
    await world.receive(await world.ship(acme, northwind, [{ batch, quantity: 6 }]));
    await world.receive(await world.ship(northwind, central, [{ batch, quantity: 3 }]));
    await world.decommission(central, batch, 0, "DISPENSED");
    await world.recall(regulator, recalled, "Sterility failure");

    ctx = await createAppContext({
      database,
      target: chain.target,
    });
    await syncToHead(ctx);
    await storeWorldManifest(ctx.db, batch);

    // The read routes as the app serves them (src/app/api/**/route.ts: handle() around readApi).
    const get = (answer: (request: Request, params: Record<string, string>) => Promise<Response>): RouteModule => ({
      GET: handle(async (request: Request, context: { params: Promise<Record<string, string | string[]>> }) =>
        answer(request, (await context.params) as Record<string, string>),
      ),
    });
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/batches/[gtin]/[lot]": get((r, p) => readApi.batch(ctx, r, { gtin: p.gtin!, lot: p.lot! })),
        "/api/batches/[gtin]/[lot]/csv": get((r, p) => readApi.batchCsv(ctx, r, { gtin: p.gtin!, lot: p.lot! })),
        "/api/batches/[gtin]/[lot]/epcis": get((r, p) => readApi.batchEpcis(ctx, r, { gtin: p.gtin!, lot: p.lot! })),
        "/api/epcis/events": get((r) => readApi.epcisEvents(ctx, r)),
        "/api/alerts": get((r) => readApi.alerts(ctx, r)),
        "/api/recalls": get((r) => readApi.recalls(ctx, r)),
        "/api/search": get((r) => readApi.search(ctx, r)),
        "/api/participants": get((r) => readApi.participants(ctx, r)),
        "/api/parties/[address]": get((r, p) => readApi.party(ctx, r, p.address!)),
        "/api/shipments": get((r) => readApi.shipments(ctx, r)),
        "/api/products": get((r) => readApi.products(ctx, r)),
        "/api/auth/session": get((r) => sessionResponse(ctx, r)),
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/verify": await import("../src/app/api/verify/route.ts"),
      },
    });
    const signedIn = await signInAs(server.url, regulator.account);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    authorization = { authorization: `Bearer ${signedIn.body.token}` };
    const { central: pharmacy } = world.parties;
    paths = [
      `/api/batches/${batch.gtin}/${batch.lot}`,
      `/api/batches/${batch.gtin}/${batch.lot}/csv`,
      `/api/batches/${batch.gtin}/${batch.lot}/epcis`,
      `/api/epcis/events`,
      `/api/alerts`,
      `/api/recalls`,
      `/api/search?q=${batch.gtin}`,
      `/api/participants`,
      `/api/parties/${pharmacy.address}`,
      `/api/shipments`,
      `/api/products`,
    ];
  });

  after(async () => {
    await server?.stop();
    await database?.close().catch(() => {});
    await proxy?.close();
    await dropDatabase?.();
    await chain?.stop();
  });

  const code = (index: number) =>
    `(01)${batch.gtin}(17)${String(batch.expiry).slice(2)}(10)${batch.lot}(21)${batch.manifest.serials[index]}`;

  async function fetchTimed(path: string, init?: RequestInit): Promise<{ status: number; text: string; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  }

  async function waitForHealth(status: "ok" | "unavailable") {
    const deadline = Date.now() + 15_000;
    while ((await healthReport(ctx, null)).status !== status) {
      assert.ok(Date.now() < deadline, `health did not become ${status} within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** A read route as the signed-in regulator. */
  const fetchSignedIn = (path: string) => fetchTimed(path, { headers: authorization });

  /** Every route answers 503 with a JSON error naming the database; verification answers UNAVAILABLE. */
  async function assertAllUnavailable() {
    for (const path of paths) {
      // With the regulator's session: the session itself must be looked up in the database.
      const { status, text } = await fetchSignedIn(path);
      assert.equal(status, 503, `${path}: ${text}`);
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      assert.equal(body.error.code, "DATABASE_UNAVAILABLE", path);
      assert.match(body.error.message, /try again/i, path);
      // Without a session the answer needs no database: refused as before, and nothing more.
      const anonymous = await fetchTimed(path);
      assert.equal(anonymous.status, 401, `${path} anonymous: ${anonymous.text}`);
      assert.equal((JSON.parse(anonymous.text) as { error: { code: string } }).error.code, "NOT_SIGNED_IN");
    }
    const session = await fetchTimed("/api/auth/session", { headers: { cookie: "pedigree_session=whatever" } });
    assert.equal(session.status, 503, session.text);
    assert.equal((JSON.parse(session.text) as { error: { code: string } }).error.code, "DATABASE_UNAVAILABLE");

    // A genuine pack and a dispensed one: UNAVAILABLE, never UNKNOWN_SERIAL or another verdict.
    for (const index of [1, 0]) {
      const verify = await fetchTimed(`/api/verify?code=${encodeURIComponent(code(index))}`);
      assert.equal(verify.status, 503, verify.text);
      const body = JSON.parse(verify.text) as { verdict: string; alert: boolean };
      assert.equal(body.verdict, "UNAVAILABLE");
      assert.equal(body.alert, false);
    }

    const health = await healthReport(ctx, null);
    assert.equal(health.status, "unavailable");
    assert.equal(health.database.ok, false);
    assert.match(health.database.error ?? "", /\S/);
    assert.equal(health.chain.ok, true);
  }

  it("PostgreSQL's port cut, then back: 503 DATABASE_UNAVAILABLE on every read route, then the same answers as before", async (t) => {
    if (proxy === undefined) {
      t.skip("needs PostgreSQL (PEDIGREE_TEST_DATABASE_URL): PGlite runs inside the process");
      return;
    }
    const before = new Map<string, string>();
    for (const path of paths) {
      const { status, text } = await fetchSignedIn(path);
      assert.equal(status, 200, `${path}: ${text}`);
      before.set(path, withoutCreationDate(text));
    }
    const genuine = await fetchTimed(`/api/verify?code=${encodeURIComponent(code(1))}`);
    assert.equal(JSON.parse(genuine.text).verdict, "GENUINE");

    await proxy.down();
    // postgres-js 3.4.9 never settles a query written to a socket between its reset and its
    // close event; health's own time limit covers that moment, the requests below come after it.
    await waitForHealth("unavailable");
    await assertAllUnavailable();

    await proxy.up();
    const reconnected = performance.now();
    await waitForHealth("ok");
    assert.ok(performance.now() - reconnected < 3_000, "the server reconnects within seconds of the database's return");
    for (const path of paths) {
      const { status, text } = await fetchSignedIn(path);
      assert.equal(status, 200, `${path} after the database came back: ${text}`);
      assert.ok(withoutCreationDate(text) === before.get(path), `${path} answers as before the outage`);
    }
    const again = await fetchTimed(`/api/verify?code=${encodeURIComponent(code(1))}`);
    assert.equal(again.status, 200);
    assert.equal(JSON.parse(again.text).verdict, "GENUINE");
    assert.equal((await healthReport(ctx, null)).status, "ok");
  });

  it("the database gone for good (last: it closes the database): 503 on every route, nothing wrong", async () => {
    // The session is a real one: every read route answers it while the database is there.
    for (const path of paths) {
      const { status, text } = await fetchSignedIn(path);
      assert.equal(status, 200, `${path}: ${text}`);
    }
    await database.close();
    await assertAllUnavailable();
  });
});
