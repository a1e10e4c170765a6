/**
 * Abuse of the public verification route and the pages' security headers: the token bucket, its
 * configuration, which client a request counts against, the 429 answers of GET /api/verify (over
 * HTTP through its route module) and of the patient pages (through proxy.ts), and the
 * Content-Security-Policy with its per-request nonce.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { NextRequest } from "next/server.js";
import { proxy, config as proxyConfig } from "../src/proxy.ts";
import { clientAddress, stampPeerAddresses, trustedProxyHops } from "../src/server/security/client-address.ts";
import { pageContentSecurityPolicy } from "../src/server/security/headers.ts";
import { parseRateLimit, TokenBucketLimiter } from "../src/server/security/rate-limit.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const ENV_KEYS = [
  "PEDIGREE_VERIFY_RATE_LIMIT",
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

describe("token bucket", () => {
  it("lets a client burst to the limit, refuses the next with the wait, and refills over time", () => {
    let now = 1_000_000;
    const limiter = new TokenBucketLimiter({ requests: 3, perSeconds: 30 }, () => now);
    for (let i = 0; i < 3; i++) assert.equal(limiter.take("a").allowed, true);
    const refused = limiter.take("a");
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 10 });
    // Another client has its own bucket.
    assert.equal(limiter.take("b").allowed, true);
    now += 9_000;
    assert.equal(limiter.take("a").allowed, false);
    now += 1_000;
    assert.equal(limiter.take("a").allowed, true);
    assert.equal(limiter.take("a").allowed, false);
    // After a long quiet spell the bucket is full again, never fuller.
    now += 3_600_000;
    for (let i = 0; i < 3; i++) assert.equal(limiter.take("a").allowed, true);
    assert.equal(limiter.take("a").allowed, false);
  });

  it("refused requests do not push the wait further out", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ requests: 1, perSeconds: 10 }, () => now);
    assert.equal(limiter.take("a").allowed, true);
    for (let i = 0; i < 50; i++) limiter.take("a");
    now += 10_000;
    assert.equal(limiter.take("a").allowed, true);
  });

  it("keeps its memory bounded under a flood of distinct addresses", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ requests: 5, perSeconds: 1 }, () => now);
    for (let i = 0; i < 120_000; i++) {
      limiter.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
      now += 1;
    }
    assert.ok(limiter.size <= 50_000, `${limiter.size} buckets kept`);
  });

  it("reads PEDIGREE_VERIFY_RATE_LIMIT: default, <requests>/<seconds>, off, and refuses nonsense", () => {
    assert.deepEqual(parseRateLimit(undefined), { requests: 120, perSeconds: 60 });
    assert.deepEqual(parseRateLimit(" 30 / 10 "), { requests: 30, perSeconds: 10 });
    assert.equal(parseRateLimit("OFF"), "off");
    for (const bad of ["0/60", "10/0", "ten/60", "10", "-1/5", "1.5/2", "10/60/1"]) {
      assert.throws(() => parseRateLimit(bad), /PEDIGREE_VERIFY_RATE_LIMIT must be <requests>\/<seconds>/, bad);
    }
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
    assert.equal(refused.headers.get("retry-after"), "20");
    assert.match(refused.headers.get("content-type") ?? "", /application\/json/);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "RATE_LIMITED");
    assert.match(body.error.message, /at most 3 every 60 seconds.*20 seconds/);
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
    const phished = page("/verify", { headers: { host: "evil.example", accept: "text/html" } });
    assert.equal(phished.status, 421);
    assert.match(await phished.text(), /answers as http:\/\/127\.0\.0\.1:3000 only/);
    assert.match(phished.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(phished.headers.get("x-content-type-options"), "nosniff");
    const program = page("/counter", { headers: { host: "127.0.0.1:3001", accept: "application/json" } });
    assert.equal(program.status, 421);
    assert.equal(((await program.json()) as { error: { code: string } }).error.code, "WRONG_HOST");
    const forged = page("/counter", { method: "POST", headers: { origin: "https://evil.example" } });
    assert.equal(forged.status, 403);
    assert.notEqual(page("/counter", { method: "POST", headers: { origin: "http://127.0.0.1:3000" } }).status, 403);
    assert.notEqual(page("/counter").status, 421);
  });

  it("gives every page a CSP with a fresh nonce, passed to Next on the request, and the other headers", () => {
    process.env.PEDIGREE_PUBLIC_RPC_URL = "https://rpc.example.org:8443/some/path";
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    const first = page("/counter");
    const second = page("/counter");
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

  it("adds HSTS and upgrade-insecure-requests on https only", () => {
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    const secure = proxy(new NextRequest("https://pedigree.example.org/verify"));
    assert.match(secure.headers.get("strict-transport-security") ?? "", /max-age=31536000/);
    assert.match(secure.headers.get("content-security-policy") ?? "", /upgrade-insecure-requests/);
    assert.doesNotMatch(page("/verify").headers.get("content-security-policy") ?? "", /upgrade-insecure-requests/);
  });

  it("limits /verify?code= and /01/... per client, with a page for browsers and JSON for programs", async () => {
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "2/10";
    const from = (client: string, accept = "text/html") => ({ headers: { "x-forwarded-for": client, accept } });
    // Pages that do not verify are never limited.
    for (let i = 0; i < 5; i++) assert.notEqual(page("/verify", from("192.0.2.7")).status, 429);
    assert.notEqual(page("/verify?code=", from("192.0.2.7")).status, 429);
    assert.notEqual(page("/verify?code=(01)09506000134352(21)1", from("192.0.2.7")).status, 429);
    assert.notEqual(page("/01/09506000134352/10/L1/21/1", from("192.0.2.7")).status, 429);
    const html = page("/01/09506000134352/21/2", from("192.0.2.7"));
    assert.equal(html.status, 429);
    assert.equal(html.headers.get("retry-after"), "5");
    assert.match(html.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.match(await html.text(), /Too many checks[\s\S]*says nothing about the medicine/);
    const json = page("/verify?code=x", from("192.0.2.7", "application/json"));
    assert.equal(json.status, 429);
    assert.equal(((await json.json()) as { error: { code: string } }).error.code, "RATE_LIMITED");
    assert.notEqual(page("/verify?code=x", from("192.0.2.8")).status, 429);
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
