/**
 * Abuse of the public verification route and the pages' security headers: the per-client
 * allowance (rate-limiter-flexible, in memory and in the database), its configuration, which client
 * a request counts against, the 429 answers of GET /api/verify (over HTTP through its route module)
 * and of the patient pages (through proxy.ts), and the Content-Security-Policy with its
 * per-request nonce. Two web servers sharing one allowance through PostgreSQL: e2e/scale-out.e2e.ts.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { NextRequest } from "next/server.js";
import { proxy, config as proxyConfig } from "../src/proxy.ts";
import { clientAddress, stampPeerAddresses, trustedProxyHops } from "../src/server/security/client-address.ts";
import { pageContentSecurityPolicy } from "../src/server/security/headers.ts";
import type { Sql } from "postgres";
import type { ApiError } from "../src/server/api/errors.ts";
import { authenticateRequester } from "../src/server/auth/tokens.ts";
import type { AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import {
  allowance,
  memoryAllowance,
  parseRateLimit,
  postgresAllowance,
  RATE_LIMIT_TABLE,
} from "../src/server/security/rate-limit.ts";
import { freePort } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const ENV_KEYS = [
  "PEDIGREE_VERIFY_RATE_LIMIT",
  "PEDIGREE_TOKEN_FAILURE_RATE_LIMIT",
  "DATABASE_URL",
  "PEDIGREE_TRUST_PROXY",
  "PEDIGREE_PUBLIC_ORIGIN",
  "PEDIGREE_PUBLIC_RPC_URL",
];
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
function restoreEnv(): void {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("per-client allowance", () => {
  it("in memory: lets a client use its window's allowance, refuses the rest with the wait, and starts anew after", async () => {
    const limiter = memoryAllowance(`test-memory-${process.pid}`, { requests: 3, perSeconds: 1 });
    for (let i = 0; i < 3; i++) assert.equal((await limiter.take("a")).allowed, true);
    assert.deepEqual(await limiter.take("a"), { allowed: false, retryAfterSeconds: 1 });
    // Another client has its own allowance.
    assert.deepEqual(await limiter.take("b"), { allowed: true, remaining: 2 });
    // Refused requests do not push the window's end further out.
    for (let i = 0; i < 20; i++) assert.equal((await limiter.take("a")).allowed, false);
    await sleep(1_100);
    assert.deepEqual(await limiter.take("a"), { allowed: true, remaining: 2 });
  });

  it("says how long until the window ends, in whole seconds", async () => {
    const limiter = memoryAllowance(`test-wait-${process.pid}`, { requests: 1, perSeconds: 60 });
    assert.equal((await limiter.take("a")).allowed, true);
    const refused = await limiter.take("a");
    assert.equal(refused.allowed, false);
    assert.ok(
      !refused.allowed && refused.retryAfterSeconds >= 59 && refused.retryAfterSeconds <= 60,
      JSON.stringify(refused),
    );
  });

  it("reads PEDIGREE_VERIFY_RATE_LIMIT: default, <requests>/<seconds>, off, and refuses nonsense", () => {
    assert.deepEqual(parseRateLimit(undefined), { requests: 120, perSeconds: 60 });
    assert.deepEqual(parseRateLimit(" 30 / 10 "), { requests: 30, perSeconds: 10 });
    assert.equal(parseRateLimit("OFF"), "off");
    for (const bad of ["0/60", "10/0", "ten/60", "10", "-1/5", "1.5/2", "10/60/1"]) {
      assert.throws(() => parseRateLimit(bad), /PEDIGREE_VERIFY_RATE_LIMIT must be <requests>\/<seconds>/, bad);
    }
  });

  it("counts in memory without DATABASE_URL (embedded PGlite is one process), and is rebuilt when the limit changes", async () => {
    const options = { fallback: { requests: 5, perSeconds: 60 }, variable: "PEDIGREE_TEST_LIMIT" };
    const env = { DATABASE_URL: "" };
    const first = await allowance("test-config", "2/60", options, env);
    assert.equal(first?.store, "memory");
    assert.deepEqual(first?.limit, { requests: 2, perSeconds: 60 });
    assert.equal(await allowance("test-config", "2/60", options, env), first, "kept while the configuration stays");
    assert.deepEqual((await allowance("test-config", undefined, options, env))?.limit, { requests: 5, perSeconds: 60 });
    assert.equal(await allowance("test-config", "off", options, env), undefined);
    await assert.rejects(
      allowance("test-config", "fast", options, env),
      /PEDIGREE_TEST_LIMIT must be <requests>\/<seconds>/,
    );
  });

  it("with a PostgreSQL that does not answer, counts in memory (and says so) rather than refusing checks", async (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nothing-listens-here` };
    const options = { fallback: { requests: 2, perSeconds: 60 }, variable: "PEDIGREE_TEST_LIMIT" };
    const limiter = await allowance("test-down", "2/60", options, env);
    assert.equal(limiter?.store, "memory");
    assert.equal((await limiter!.take("a")).allowed, true);
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /Rate limits count per process: PostgreSQL did not answer/);
    // Not asked again at once: the next checks do not each wait for the database.
    assert.equal(await allowance("test-down", "2/60", options, env), limiter);
  });

  describe(`in the database (${TEST_DATABASE_KIND}), through postgres-js as the app reaches it`, () => {
    let database: OpenedDatabase;
    let client: Sql;
    before(async () => {
      database = await openTestDatabase();
      client = (database.db as unknown as { $client: Sql }).$client;
    });
    after(() => database?.close());

    it("creates its table, and two limiters on one database (two servers) hold one allowance per client", async () => {
      const limit = { requests: 3, perSeconds: 60 };
      const [one, two] = await Promise.all([
        postgresAllowance("test-shared", limit, client),
        postgresAllowance("test-shared", limit, client),
      ]);
      assert.equal(one.store, "postgres");
      assert.deepEqual(await one.take("198.51.100.1"), { allowed: true, remaining: 2 });
      assert.deepEqual(await two.take("198.51.100.1"), { allowed: true, remaining: 1 });
      assert.deepEqual(await one.take("198.51.100.1"), { allowed: true, remaining: 0 });
      const refused = await two.take("198.51.100.1");
      assert.ok(
        !refused.allowed && refused.retryAfterSeconds >= 59 && refused.retryAfterSeconds <= 60,
        JSON.stringify(refused),
      );
      assert.equal((await two.take("198.51.100.2")).allowed, true, "another client has its own allowance");
      const [row] = await client.unsafe(`SELECT points::int4 AS points FROM ${RATE_LIMIT_TABLE} WHERE key = $1`, [
        "test-shared:3/60:198.51.100.1",
      ]);
      assert.equal(row?.points, 4, "the counter is the table's, not a process's");
      // Another limit is another allowance: counts made under the old one are not inherited.
      const wider = await postgresAllowance("test-shared", { requests: 10, perSeconds: 60 }, client);
      assert.deepEqual(await wider.take("198.51.100.1"), { allowed: true, remaining: 9 });
    });

    it("starts a client's window anew once it has passed", async () => {
      const limiter = await postgresAllowance("test-window", { requests: 1, perSeconds: 1 }, client);
      assert.equal((await limiter.take("a")).allowed, true);
      assert.equal((await limiter.take("a")).allowed, false);
      await sleep(1_100);
      assert.equal((await limiter.take("a")).allowed, true);
    });
  });
});

describe("refused API tokens", () => {
  let database: OpenedDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database?.close();
    restoreEnv();
  });

  it("take from the client's own allowance (PEDIGREE_TOKEN_FAILURE_RATE_LIMIT); past it, 429 with Retry-After", async () => {
    process.env.PEDIGREE_TOKEN_FAILURE_RATE_LIMIT = "2/60";
    process.env.PEDIGREE_TRUST_PROXY = "1";
    // An unknown token is refused from the database alone, before the chain is asked.
    const ctx = { db: database.db } as unknown as AppContext;
    const attempt = (client: string) =>
      authenticateRequester(
        ctx,
        new Request("http://127.0.0.1:3000/api/shipments", {
          headers: { authorization: "Bearer pdgt_not-a-real-token", "x-forwarded-for": client },
        }),
      ).then(
        () => assert.fail("an unknown token was accepted"),
        (error: unknown) => error as ApiError,
      );
    for (let i = 0; i < 2; i++) assert.equal((await attempt("192.0.2.40")).code, "UNKNOWN_TOKEN");
    const refused = await attempt("192.0.2.40");
    assert.equal(refused.status, 429);
    assert.equal(refused.code, "RATE_LIMITED");
    assert.match(refused.message, /Too many refused API tokens from your address: at most 2 every 60 seconds/);
    assert.match(refused.headers?.["retry-after"] ?? "", /^(59|60)$/);
    // Another client has its own allowance.
    assert.equal((await attempt("192.0.2.41")).code, "UNKNOWN_TOKEN");
    process.env.PEDIGREE_TOKEN_FAILURE_RATE_LIMIT = "off";
    for (let i = 0; i < 5; i++) assert.equal((await attempt("192.0.2.40")).code, "UNKNOWN_TOKEN");
  });
});

describe("client address", () => {
  afterEach(restoreEnv);
  const headers = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });

  it("without a trusted proxy, is the one address the server stamped; none is 'unknown'", () => {
    delete process.env.PEDIGREE_TRUST_PROXY;
    assert.equal(clientAddress(headers("203.0.113.9")), "203.0.113.9");
    assert.equal(clientAddress(headers("::ffff:192.0.2.1")), "192.0.2.1");
    assert.equal(clientAddress(headers()), "unknown");
  });

  it("counts an IPv6 client by its /64, however the address is written", () => {
    assert.equal(clientAddress(headers("2001:db8:0:1::5")), "2001:db8:0:1::/64");
    assert.equal(clientAddress(headers("2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd")), "2001:db8:0:1::/64");
    assert.equal(clientAddress(headers("::1")), "0:0:0:0::/64");
  });

  it("behind N trusted proxies, takes the N-th entry from the right and ignores what the client prepended", () => {
    process.env.PEDIGREE_TRUST_PROXY = "1";
    assert.equal(trustedProxyHops(), 1);
    assert.equal(clientAddress(headers("6.6.6.6, 198.51.100.7")), "198.51.100.7");
    process.env.PEDIGREE_TRUST_PROXY = "2";
    assert.equal(clientAddress(headers("6.6.6.6, 198.51.100.7, 10.0.0.2")), "198.51.100.7");
    process.env.PEDIGREE_TRUST_PROXY = "yes please";
    assert.throws(() => trustedProxyHops(), /PEDIGREE_TRUST_PROXY must be/);
  });
});

describe("GET /api/verify rate limit over HTTP", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ routes: { "/api/verify": await import("../src/app/api/verify/route.ts") } });
  });
  after(async () => {
    await server?.stop();
    restoreEnv();
  });

  it("answers 429 with Retry-After and a JSON error past the allowance, per client, and not when off", async () => {
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "3/60";
    process.env.PEDIGREE_TRUST_PROXY = "1";
    // No code: each allowed request is a 400 without touching chain or database.
    const call = (client: string) => fetch(`${server.url}/api/verify`, { headers: { "x-forwarded-for": client } });
    for (let i = 0; i < 3; i++) assert.equal((await call("198.51.100.1")).status, 400);
    const refused = await call("198.51.100.1");
    assert.equal(refused.status, 429);
    // The rest of the client's window: the whole minute, less the moment the three took.
    assert.match(refused.headers.get("retry-after") ?? "", /^(59|60)$/);
    assert.match(refused.headers.get("content-type") ?? "", /application\/json/);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "RATE_LIMITED");
    assert.match(body.error.message, /at most 3 every 60 seconds.*(59|60) seconds/);
    // A client further left in the header is the client's own claim: still the same client.
    assert.equal((await call("203.0.113.50, 198.51.100.1")).status, 429);
    assert.equal((await call("198.51.100.2")).status, 400);

    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    for (let i = 0; i < 10; i++) assert.equal((await call("198.51.100.1")).status, 400);
  });
});

describe("proxy.ts: page headers, the origin gate and the patient pages' rate limit", () => {
  beforeEach(() => {
    process.env.PEDIGREE_PUBLIC_ORIGIN = "http://127.0.0.1:3000";
  });
  afterEach(restoreEnv);
  const page = (path: string, init: { headers?: Record<string, string>; method?: string } = {}) =>
    // A browser always sends Host (NextRequest alone would make its URL's host "localhost").
    proxy(
      new NextRequest(new URL(path, "http://127.0.0.1:3000"), {
        headers: { host: "127.0.0.1:3000", ...init.headers },
        method: init.method,
      }),
    );

  it("refuses a page addressed to another host (421), and a cross-site write (403), with the headers", async () => {
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    const phished = await page("/verify", { headers: { host: "evil.example", accept: "text/html" } });
    assert.equal(phished.status, 421);
    assert.match(await phished.text(), /answers as http:\/\/127\.0\.0\.1:3000 only/);
    assert.match(phished.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(phished.headers.get("x-content-type-options"), "nosniff");
    const program = await page("/counter", { headers: { host: "127.0.0.1:3001", accept: "application/json" } });
    assert.equal(program.status, 421);
    assert.equal(((await program.json()) as { error: { code: string } }).error.code, "WRONG_HOST");
    const forged = await page("/counter", { method: "POST", headers: { origin: "https://evil.example" } });
    assert.equal(forged.status, 403);
    assert.notEqual(
      (await page("/counter", { method: "POST", headers: { origin: "http://127.0.0.1:3000" } })).status,
      403,
    );
    assert.notEqual((await page("/counter")).status, 421);
  });

  it("gives every page a CSP with a fresh nonce, passed to Next on the request, and the other headers", async () => {
    process.env.PEDIGREE_PUBLIC_RPC_URL = "https://rpc.example.org:8443/some/path";
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    const first = await page("/counter");
    const second = await page("/counter");
    const policy = first.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
    assert.ok(nonce !== undefined && nonce.length >= 22, policy);
    assert.notEqual(second.headers.get("content-security-policy"), policy);
    assert.match(policy, /script-src 'self' 'nonce-[^']+' 'strict-dynamic' 'wasm-unsafe-eval'(;|$)/);
    const scriptSources = policy.split("; ").find((directive) => directive.startsWith("script-src ")) ?? "";
    assert.doesNotMatch(scriptSources, /'unsafe-inline'|'unsafe-eval'|\*/);
    for (const directive of [
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'self'",
      "img-src 'self' data: blob:",
      "worker-src 'self' blob:",
      "connect-src 'self' https://rpc.example.org:8443",
    ]) {
      assert.ok(policy.split("; ").includes(directive), `${directive} in ${policy}`);
    }
    // Next reads the nonce from the request's CSP header (forwarded as an override header).
    assert.equal(first.headers.get("x-middleware-request-content-security-policy"), policy);
    assert.equal(first.headers.get("referrer-policy"), "no-referrer");
    assert.equal(first.headers.get("x-content-type-options"), "nosniff");
    assert.equal(first.headers.get("permissions-policy")?.includes("camera=(self)"), true);
    assert.equal(first.headers.get("strict-transport-security"), null);
  });

  it("adds HSTS and upgrade-insecure-requests on https only", async () => {
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    const secure = await proxy(new NextRequest("https://pedigree.example.org/verify"));
    assert.match(secure.headers.get("strict-transport-security") ?? "", /max-age=31536000/);
    assert.match(secure.headers.get("content-security-policy") ?? "", /upgrade-insecure-requests/);
    assert.doesNotMatch(
      (await page("/verify")).headers.get("content-security-policy") ?? "",
      /upgrade-insecure-requests/,
    );
  });

  it("limits /verify?code= and /01/... per client, with a page for browsers and JSON for programs", async () => {
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "2/10";
    const from = (client: string, accept = "text/html") => ({ headers: { "x-forwarded-for": client, accept } });
    // Pages that do not verify are never limited.
    for (let i = 0; i < 5; i++) assert.notEqual((await page("/verify", from("192.0.2.7"))).status, 429);
    assert.notEqual((await page("/verify?code=", from("192.0.2.7"))).status, 429);
    assert.notEqual((await page("/verify?code=(01)09506000134352(21)1", from("192.0.2.7"))).status, 429);
    assert.notEqual((await page("/01/09506000134352/10/L1/21/1", from("192.0.2.7"))).status, 429);
    const html = await page("/01/09506000134352/21/2", from("192.0.2.7"));
    assert.equal(html.status, 429);
    // The rest of the client's 10-second window.
    assert.match(html.headers.get("retry-after") ?? "", /^(9|10)$/);
    assert.match(html.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.match(await html.text(), /Too many checks[\s\S]*says nothing about the medicine/);
    const json = await page("/verify?code=x", from("192.0.2.7", "application/json"));
    assert.equal(json.status, 429);
    assert.equal(((await json.json()) as { error: { code: string } }).error.code, "RATE_LIMITED");
    assert.notEqual((await page("/verify?code=x", from("192.0.2.8"))).status, 429);
  });

  it("keeps the API out of its matcher, so upload bodies stream instead of being buffered", () => {
    const [source] = proxyConfig.matcher;
    const matcher = new RegExp(`^${source as string}$`);
    for (const path of ["/api/manifests", "/api/verify", "/api", "/_next/static/chunks/a.js"]) {
      assert.equal(matcher.test(path), false, path);
    }
    for (const path of ["/", "/verify", "/01/09506000134352/21/1", "/counter", "/labels/1/2", "/apiary"]) {
      assert.equal(matcher.test(path), true, path);
    }
  });

  it("builds the page policy without eval unless in development", () => {
    assert.doesNotMatch(pageContentSecurityPolicy({ nonce: "abc" }), /'unsafe-eval'/);
    assert.match(pageContentSecurityPolicy({ nonce: "abc", development: true }), /'unsafe-eval'/);
  });
});

// Last: the stamp patches every HTTP server of this process, the test servers above included.
describe("peer address stamp", () => {
  afterEach(restoreEnv);

  it("stampPeerAddresses replaces a client's own X-Forwarded-For with the socket's address", async () => {
    delete process.env.PEDIGREE_TRUST_PROXY;
    stampPeerAddresses();
    const server = http.createServer((request, response) => {
      response.end(String(request.headers["x-forwarded-for"]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const seen = await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-forwarded-for": "1.2.3.4" } });
      assert.equal(await seen.text(), "127.0.0.1");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
