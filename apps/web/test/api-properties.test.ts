/**
 * Property tests of the whole HTTP API: every route module under src/app/api, served as it is
 * (test/support/server.ts) over a real chain and database, gets arbitrary query strings, path
 * segments, headers, bodies (up to a few MB), content types and encodings. Every answer must be a
 * 2xx, or a 4xx with the JSON error shape; never a 5xx, never a hang (each call is time-boxed).
 *
 * Route modules that import with the `@/` alias (compiled only by Next) are loaded through a
 * resolve hook that maps `@/x` to `src/x.ts` (support/app-modules.ts), so the test serves the
 * same modules Next does.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alerts } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { APP_SRC, resolveAppModules } from "./support/app-modules.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, type World, type WorldBatch } from "./support/world.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { rawRequest, type RawAnswer } from "./support/raw-request.ts";
import { queryString, urlText } from "./support/url-input.ts";

resolveAppModules();

/** Every route module, by its URL pattern (the folder names under src/app/api). */
const ROUTE_FILES = [
  "alerts",
  "alerts/[id]",
  "auth/logout",
  "auth/nonce",
  "auth/passkey/options",
  "auth/passkey/register/options",
  "auth/passkey/register/verify",
  "auth/passkey/verify",
  "auth/session",
  "auth/verify",
  "batches/[gtin]/[lot]",
  "batches/[gtin]/[lot]/csv",
  "batches/[gtin]/[lot]/epcis",
  "batches/[gtin]/[lot]/epcis12",
  "batches/[gtin]/[lot]/labels",
  "epcis/events",
  "health",
  "ledger",
  "manifests",
  "packs/[gtin]/[serial]/trace",
  "packs/proof",
  "participants",
  "parties/[address]",
  "products",
  "read-model",
  "recalls",
  "resolver/[...path]",
  "search",
  "shipments",
  "shipments/[id]/epcis",
  "shipments/[id]/epcis12",
  "shipments/[id]/transaction-information",
  "shipments/[id]/verifications",
  "signing",
  "staff",
  "staff/[id]",
  "staff/invitations",
  "staff/invitations/[id]",
  "tokens",
  "tokens/[id]",
  "verify",
  "vrs-credentials",
  "vrs-credentials/[id]",
  "vrs-directory",
  "vrs-directory/[prefix]",
  "vrs-requester-credentials",
  "vrs-requester-credentials/[id]",
  "vrs-requests",
  "vrs/checkConnectivity",
  "vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]",
  "writes",
  "writes/[id]",
];

/** Known parameters per route, so generated queries often reach past "unknown parameter". */
const QUERY_KEYS: Record<string, string[]> = {
  "batches/[gtin]/[lot]/labels": ["paper", "from"],
  alerts: ["status", "verdict", "gtin", "lot", "reporter", "from", "to", "format", "perPage", "nextPageToken"],
  "epcis/events": ["GE_eventTime", "LT_eventTime", "EQ_bizStep", "MATCH_epc", "perPage", "nextPageToken"],
  manifests: ["gtin", "lot", "batchId"],
  "packs/proof": ["code"],
  "packs/[gtin]/[serial]/trace": ["lot"],
  "shipments/[id]/transaction-information": ["format"],
  participants: ["role"],
  "parties/[address]": ["perPage"],
  products: ["manufacturer"],
  recalls: ["gtin"],
  search: ["q"],
  shipments: ["to", "from", "status", "batch", "perPage", "nextPageToken"],
  verify: ["code", "purpose", "history"],
  "resolver/[...path]": ["linkType", "17", "context", "reqGLN"],
  "vrs-requests": ["perPage", "before"],
  "vrs-directory": ["gtin"],
  writes: ["status", "perPage", "before"],
  "vrs/checkConnectivity": ["gtin", "reqGLN", "context", "corrUUID"],
  "vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]": [
    "exp",
    "linkType",
    "context",
    "reqGLN",
    "corrUUID",
    "ctrlPossessAtt",
    "email",
    "telephone",
  ],
};

/** How often each status was answered, printed at the end: a run of nothing but 400s would test little. */
const statusTally = new Map<number, number>();

function assertWellFormed(answer: RawAnswer, what: string): void {
  statusTally.set(answer.status, (statusTally.get(answer.status) ?? 0) + 1);
  const label = `${what} -> ${answer.status} ${answer.body.subarray(0, 300).toString("utf8")}`;
  assert.ok(answer.status >= 200 && answer.status < 500, `no 5xx: ${label}`);
  if (answer.status >= 400) {
    assert.match(String(answer.headers["content-type"]), /^application\/json/, `JSON error: ${label}`);
    const parsed = JSON.parse(answer.body.toString("utf8")) as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof parsed.error?.code, "string", `error.code: ${label}`);
    assert.equal(typeof parsed.error?.message, "string", `error.message: ${label}`);
    assert.ok((parsed.error?.message as string).length > 10, `a message that says something: ${label}`);
  }
}

// ---- generators ------------------------------------------------------------------------------

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      "application/json",
      "application/json; charset=utf-16",
      "text/plain",
      "text/plain; charset=latin1",
      "text/csv",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "application/octet-stream",
      "*/*",
      ";;;",
    ),
    fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  ),
);

const bodyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.json().map((text) => new TextEncoder().encode(text)),
  fc.anything().map((value) => new TextEncoder().encode(JSON.stringify(value) ?? "null")),
  fc.string({ unit: "binary", maxLength: 500 }).map((text) => new TextEncoder().encode(text)),
  fc.constantFrom(
    Uint8Array.from([0xff, 0xfe, 0x00, 0x41]),
    Uint8Array.from([0xc3, 0x28, 0x0a]),
    new TextEncoder().encode('{"message":"x","signature":"0x00"}'),
    new TextEncoder().encode('{"status":"INVESTIGATING"}'),
    new TextEncoder().encode('{"status":"CLOSED","rootCause":"FALSIFIED","note":"a\\u0000b"}'),
    new TextEncoder().encode("serial\nA1\nA2\n"),
    new TextEncoder().encode('{"a":'.repeat(5000)),
  ),
);

const extraHeaders = fc.record(
  {
    "content-encoding": fc.constantFrom("gzip", "br", "deflate", "identity", "x-unknown"),
    authorization: fc.oneof(
      fc.constant("Bearer "),
      fc.string({ maxLength: 60 }).map((s) => `Bearer ${Buffer.from(s).toString("base64url")}`),
      fc.constantFrom("Basic YTpi", "Bearer a b c", "bearer", "x".repeat(3000)),
    ),
    cookie: fc.oneof(
      fc.constantFrom("pedigree_session=", "pedigree_session", "=;=;", "pedigree_session=%FF%00"),
      fc.string({ maxLength: 60 }).map((s) => `pedigree_session=${encodeURIComponent(s)}`),
    ),
    "accept-language": fc.constantFrom("de", "*", "ü"),
  },
  { requiredKeys: [] },
);

// ---- the test --------------------------------------------------------------------------------

describe(`every API route under arbitrary input (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let batch: WorldBatch;
  let manufacturerToken: string;
  let regulatorToken: string;
  const previousLimit = process.env.PEDIGREE_VERIFY_RATE_LIMIT;

  before(async () => {
    // Rate limiting has its own tests (security.test.ts); here it would only turn answers into 429s.
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    const product = await world.registerProduct(world.parties.acme);
    batch = await world.registerBatch(world.parties.acme, product, { lot: "PROP-1", packs: 8 });
    // A second batch without a stored list, so uploads can reach the list parser.
    await world.registerBatch(world.parties.acme, product, { lot: "PROP-2", packs: 3 });
    ctx = await createAppContext({
      target: chain.target,
      database,
    });
    await storeWorldManifest(database.db, batch);
    await world.ship(world.parties.acme, world.parties.northwind, [{ batch, quantity: 2 }]);
    await world.ship(world.parties.acme, world.parties.northwind, [{ batch, quantity: 1 }]);
    await syncToHead(ctx);
    // Alert 1, so PATCH /api/alerts/1 reaches its body parser; alert 2 and two shipments, so every
    // paged route has a second page and hands out a real page token.
    await database.db.insert(alerts).values(
      [0, 1].map((i) => ({
        verdict: "DISPENSED",
        purpose: "dispense",
        gtin: batch.gtin,
        lot: batch.lot,
        serial: batch.manifest.serials[i],
        reportedBy: world.parties.central.address.toLowerCase(),
        message: "Pack already dispensed",
      })),
    );
    const routes: Record<string, RouteModule> = {};
    for (const file of ROUTE_FILES) {
      routes[`/api/${file}`] = (await import(
        pathToFileURL(path.join(APP_SRC, "app/api", file, "route.ts")).href
      )) as RouteModule;
    }
    server = await startTestServer({ context: ctx, routes });
    manufacturerToken = (await signInAs(server.url, world.parties.acme.account)).body.token;
    regulatorToken = (await signInAs(server.url, world.parties.regulator.account)).body.token;
  });

  after(async () => {
    const tally = [...statusTally].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    process.stderr.write(`# answers by status: ${tally.join(", ")}\n`);
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
    if (previousLimit === undefined) delete process.env.PEDIGREE_VERIFY_RATE_LIMIT;
    else process.env.PEDIGREE_VERIFY_RATE_LIMIT = previousLimit;
  });

  it("covers every route module under src/app/api", async () => {
    const { readdirSync } = await import("node:fs");
    const found = (readdirSync(path.join(APP_SRC, "app/api"), { recursive: true }) as string[])
      .filter((file) => file.endsWith("route.ts"))
      .map((file) => path.dirname(file).split(path.sep).join("/"))
      .sort();
    assert.deepEqual(found, [...ROUTE_FILES].sort());
  });

  const pathFor = (file: string, segment: () => string) =>
    `/api/${file.replace(/\[(?:\.\.\.)?\w+\]/g, () => segment())}`;

  it("GET routes: arbitrary query strings, path segments and headers", async () => {
    const getRoutes = ROUTE_FILES.filter((file) => !["auth/verify", "auth/logout", "manifests"].includes(file));
    for (const file of getRoutes) {
      const keys = QUERY_KEYS[file] ?? [];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(urlText, fc.constantFrom(batch.gtin, batch.lot, world.parties.acme.address, "1")), {
            minLength: 4,
            maxLength: 4,
          }),
          queryString(keys),
          extraHeaders,
          async (segments, query, headers) => {
            let i = 0;
            const target = pathFor(file, () => segments[i++] || "x") + query;
            const answer = await rawRequest(server.url, { method: "GET", path: target, headers });
            assertWellFormed(answer, `GET ${target}`);
          },
        ),
        { numRuns: file === "verify" || file === "packs/proof" ? 40 : 20 },
      );
    }
  });

  it("GET routes: every known parameter given twice", async () => {
    for (const [file, keys] of Object.entries(QUERY_KEYS)) {
      for (const key of keys) {
        for (const signedIn of [false, true]) {
          const target = `${pathFor(file, () => world.parties.acme.address)}?${key}=1&${key}=2`;
          const headers: Record<string, string> = signedIn ? { authorization: `Bearer ${regulatorToken}` } : {};
          assertWellFormed(await rawRequest(server.url, { method: "GET", path: target, headers }), `GET ${target}`);
        }
      }
    }
  });

  it("paged routes: forged page tokens with keys of any type and size", async () => {
    const authorization = `Bearer ${regulatorToken}`;
    // A real token of each route: only its key is forged, so it gets past the filter check.
    const tokens: { route: string; token: { k: unknown; f: unknown } }[] = [];
    for (const route of ["/api/alerts", "/api/epcis/events", "/api/shipments"]) {
      const first = await rawRequest(server.url, {
        method: "GET",
        path: `${route}?perPage=1`,
        headers: { authorization },
      });
      assert.equal(first.status, 200, `${route}: ${first.body.toString("utf8").slice(0, 300)}`);
      // EPCIS names the next page in a Link header (the REST binding), the others in the body.
      const link = /[?&]nextPageToken=([\w-]+)/.exec(String(first.headers.link ?? ""))?.[1];
      const next = link ?? (JSON.parse(first.body.toString("utf8")) as { nextPageToken?: string | null }).nextPageToken;
      assert.ok(typeof next === "string", `${route} should have a second page`);
      tokens.push({ route, token: JSON.parse(Buffer.from(next, "base64url").toString("utf8")) });
    }
    const number = fc.oneof(
      fc.constantFrom(
        2147483647,
        2147483648,
        -2147483649,
        4294967296,
        2 ** 53 - 1,
        2 ** 53,
        2 ** 63,
        -1,
        0,
        1.5,
        1e308,
      ),
      fc.integer(),
      fc.double(),
    );
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("\u0000", "a\u0000b", "x".repeat(300), "0x" + "f".repeat(64)),
    );
    const keyPart = fc.oneof(number, text, fc.constantFrom(null, true, [], {}));
    // Mostly the real key with some of its values swapped, so the forgery has the key's shape and
    // reaches the query; sometimes any JSON at all.
    const forgedKey = (real: unknown[]) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.tuple(...real.map((value) => fc.oneof(fc.constant(value), keyPart))) },
        { weight: 1, arbitrary: fc.array(keyPart, { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.anything() },
      );
    const forgery = fc
      .constantFrom(...tokens)
      .chain(({ route, token }) => forgedKey(token.k as unknown[]).map((k) => ({ route, token: { ...token, k } })));
    const ask = async ({ route, token }: (typeof tokens)[number]) => {
      const encoded = Buffer.from(JSON.stringify(token)).toString("base64url");
      const target = `${route}?perPage=1&nextPageToken=${encoded}`;
      const answer = await rawRequest(server.url, { method: "GET", path: target, headers: { authorization } });
      assertWellFormed(answer, `GET ${route} with page key ${JSON.stringify(token.k)?.slice(0, 80)}`);
      return answer.status;
    };
    // The real tokens work as they are, so a forgery is refused for its key, not for its form.
    for (const real of tokens) assert.equal(await ask(real), 200, real.route);
    // Each number one past the largest a PostgreSQL integer column holds.
    const pastInt4 = (real: (typeof tokens)[number]) => ({
      ...real,
      token: { ...real.token, k: (real.token.k as unknown[]).map((v) => (typeof v === "number" ? 2 ** 31 : v)) },
    });
    await fc.assert(
      fc.asyncProperty(forgery, async (forged) => {
        await ask(forged);
      }),
      { numRuns: 150, examples: tokens.map((real): [(typeof tokens)[number]] => [pastInt4(real)]) },
    );
  });

  it("GET /api/verify and /api/packs/proof with real codes bent out of shape", async () => {
    const real = `(01)${batch.gtin}(10)${batch.lot}(17)${String(batch.expiry).slice(2)}(21)${batch.manifest.serials[0]}`;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/api/verify?code=", "/api/packs/proof?code=", "/api/search?q="),
        fc.nat({ max: real.length }),
        fc.string({ unit: "binary", maxLength: 6 }),
        fc.constantFrom("", "&purpose=dispense", "&history=1", "&history=yes", "&purpose=verify&purpose=verify"),
        async (route, at, insert, suffix) => {
          const code = real.slice(0, at) + insert + real.slice(at);
          const target = `${route}${encodeURIComponent(code)}${route.includes("verify") ? suffix : ""}`;
          const answer = await rawRequest(server.url, {
            method: "GET",
            path: target,
            headers: { authorization: `Bearer ${manufacturerToken}` },
          });
          assertWellFormed(answer, `GET ${target}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("POST and PATCH routes: arbitrary bodies, content types and encodings, signed in or not", async () => {
    const targets = [
      (query: string) => ({ method: "POST", path: `/api/auth/verify${query}`, token: undefined as string | undefined }),
      (query: string) => ({ method: "POST", path: `/api/auth/logout${query}`, token: manufacturerToken }),
      (query: string) => ({ method: "POST", path: `/api/manifests${query}`, token: manufacturerToken }),
      () => ({ method: "POST", path: `/api/manifests?gtin=${batch.gtin}&lot=PROP-2`, token: manufacturerToken }),
      () => ({ method: "PATCH", path: "/api/alerts/1", token: regulatorToken }),
      (query: string) => ({ method: "POST", path: `/api/vrs-credentials${query}`, token: manufacturerToken }),
      (query: string) => ({ method: "PATCH", path: `/api/alerts/${query.slice(1) || "x"}`, token: regulatorToken }),
      (query: string) => ({ method: "POST", path: `/api/auth/passkey/verify${query}`, token: undefined }),
      (query: string) => ({ method: "POST", path: `/api/auth/passkey/register/verify${query}`, token: undefined }),
      (query: string) => ({ method: "POST", path: `/api/staff/invitations${query}`, token: manufacturerToken }),
      (query: string) => ({
        method: "PATCH",
        path: `/api/staff/stf_${query.slice(1) || "x"}`,
        token: manufacturerToken,
      }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: targets.length - 1 }),
        queryString(["gtin", "lot", "batchId"]),
        contentType,
        fc.option(fc.constantFrom("gzip", "br", "x-unknown")),
        bodyBytes,
        fc.boolean(),
        async (which, query, type, encoding, body, signedIn) => {
          const target = (targets[which] as (query: string) => { method: string; path: string; token?: string })(query);
          const headers: Record<string, string> = {};
          if (type !== null) headers["content-type"] = type;
          if (encoding !== null) headers["content-encoding"] = encoding;
          if (signedIn && target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
          const answer = await rawRequest(server.url, { method: target.method, path: target.path, headers, body });
          assertWellFormed(answer, `${target.method} ${target.path} (${type ?? "no type"}, ${body.length} bytes)`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("large bodies (up to 5 MB) on every writing route are answered, not hung on", async () => {
    const sizes = [1, 16 * 1024 + 1, 2 * 1024 * 1024, 5 * 1024 * 1024];
    for (const size of sizes) {
      const junk = new Uint8Array(size).fill(0x41);
      for (const [method, target, token] of [
        ["POST", "/api/auth/verify", undefined],
        ["POST", `/api/manifests?gtin=${batch.gtin}&lot=PROP-2`, manufacturerToken],
        ["PATCH", "/api/alerts/1", regulatorToken],
      ] as const) {
        const headers: Record<string, string> = { "content-type": "text/plain" };
        if (token !== undefined) headers.authorization = `Bearer ${token}`;
        const answer = await rawRequest(server.url, { method, path: target, headers, body: junk });
        assertWellFormed(answer, `${method} ${target} with ${size} bytes`);
      }
    }
  });
});
