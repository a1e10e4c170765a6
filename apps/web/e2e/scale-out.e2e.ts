/**
 * Several web servers behind one address (docs/OPERATIONS.md, section 3): two `next start`
 * processes on one PostgreSQL database hold one verification allowance per client between them,
 * and Debian's nginx, run unprivileged with the documentation's own example configuration (only
 * its ports, certificate and file paths changed), balances them, fails over when one stops, and
 * passes on what the servers rely on: Host (the origin gate), X-Forwarded-Proto (HSTS) and an
 * X-Forwarded-For the client cannot choose (the rate limit's client).
 *
 * Needs PostgreSQL (PEDIGREE_TEST_DATABASE_URL; .ci/run sets it, .ci/postgres-start starts one:
 * PGlite is one process) and, for the nginx part, /usr/sbin/nginx and openssl (PEDIGREE_NGINX for
 * another nginx); each part is skipped, saying so, without them. CI installs both.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { toHri } from "@pedigree/gs1";
import { freePort } from "../test/support/chain.ts";
import type { WorldBatch } from "../test/support/world.ts";
import { startStack, WEB_DIR, type Stack } from "./support/stack.ts";

const POSTGRES = process.env.PEDIGREE_TEST_DATABASE_URL ?? "";
const NGINX = process.env.PEDIGREE_NGINX ?? "/usr/sbin/nginx";
const OPENSSL = spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0;
/** The example's server_name: the servers answer as it, and the test's requests name it. */
const PUBLIC_HOST = "pedigree.example.org";
const LIMIT = { requests: 5, perSeconds: 60 };

const noPostgres =
  POSTGRES === ""
    ? "needs PostgreSQL for two servers on one database: set PEDIGREE_TEST_DATABASE_URL (.ci/postgres-start starts one)"
    : false;
const noNginx = !existsSync(NGINX)
  ? `needs nginx at ${NGINX} (Debian: apt-get install nginx; .ci/run installs it), or PEDIGREE_NGINX`
  : !OPENSSL
    ? "needs openssl for the example's TLS certificate (Debian: apt-get install openssl; .ci/run installs it)"
    : false;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request with the Host header given (fetch would not let a test name the public host while
 * connecting to a loopback port), over TLS checked against `ca` when given.
 */
function request(
  target: { port: number; tls?: { ca: string } },
  pathAndQuery: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const settings = {
      host: "127.0.0.1",
      port: target.port,
      path: pathAndQuery,
      method: options.method ?? "GET",
      headers: { host: PUBLIC_HOST, ...options.headers },
      agent: false,
      timeout: 30_000,
    } as const;
    const done = (response: http.IncomingMessage) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on("error", reject);
    };
    const outgoing = target.tls
      ? https.request({ ...settings, ca: target.tls.ca, servername: PUBLIC_HOST }, done)
      : http.request(settings, done);
    outgoing.on("timeout", () => outgoing.destroy(new Error(`${pathAndQuery}: no answer within 30 s`)));
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

function verifyPath(batch: WorldBatch, index: number): string {
  const serial = batch.manifest.serials[index] as string;
  return `/api/verify?code=${encodeURIComponent(toHri({ gtin: batch.gtin, lot: batch.lot, serial }))}`;
}

function errorCode(answer: Answer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

describe("two web servers on one PostgreSQL database", { skip: noPostgres }, () => {
  let stack: Stack<{ batch: WorldBatch }>;
  const ports: number[] = [];

  before(async () => {
    stack = await startStack(
      async ({ world }) => {
        const { acme } = world.parties;
        const product = await world.registerProduct(acme, { name: "Amoxicillin", strength: "500 mg" });
        return { batch: await world.registerBatch(acme, product, { lot: "SCALE-1", packs: 40 }) };
      },
      {
        postgresServerUrl: POSTGRES,
        servers: 2,
        serverEnv: {
          PEDIGREE_PUBLIC_ORIGIN: `https://${PUBLIC_HOST}`,
          PEDIGREE_TRUST_PROXY: "1",
          PEDIGREE_VERIFY_RATE_LIMIT: `${LIMIT.requests}/${LIMIT.perSeconds}`,
        },
      },
    );
    for (const server of stack.servers) ports.push(Number(new URL(server.baseUrl).port));
  });
  after(() => stack?.stop());

  it("a client's allowance used up on one server is held on the other, and another client keeps its own", async () => {
    const [one, two] = ports as [number, number];
    const { batch } = stack.fixtures;
    // The servers trust one proxy, so the last X-Forwarded-For entry is the client: here the
    // test plays that proxy.
    const as = (client: string) => ({ headers: { "x-forwarded-for": client } });
    const answers: Answer[] = [];
    for (let i = 0; i < LIMIT.requests; i++) {
      answers.push(await request({ port: i % 2 === 0 ? one : two }, verifyPath(batch, i), as("198.51.100.7")));
    }
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.body);
      assert.equal((JSON.parse(answer.body) as { verdict: string }).verdict, "GENUINE");
    }
    for (const port of [one, two]) {
      const refused = await request({ port }, verifyPath(batch, 10), as("198.51.100.7"));
      assert.equal(refused.status, 429, `server on ${port}: ${refused.body}`);
      assert.equal(errorCode(refused), "RATE_LIMITED");
      const wait = Number(refused.headers["retry-after"]);
      assert.ok(wait >= 55 && wait <= 60, `Retry-After ${refused.headers["retry-after"]}`);
      assert.match(refused.body, /at most 5 every 60 seconds/);
    }
    // The patient pages (through proxy.ts) count against the same allowance.
    const page = await request({ port: one }, verifyPath(batch, 12).replace("/api/verify", "/verify"), {
      headers: { "x-forwarded-for": "198.51.100.7", accept: "text/html" },
    });
    assert.equal(page.status, 429, page.body);
    assert.match(page.body, /Too many checks/);
    assert.equal((await request({ port: two }, verifyPath(batch, 11), as("198.51.100.8"))).status, 200);
  });

  describe("behind nginx, configured as docs/OPERATIONS.md shows", { skip: noNginx }, () => {
    let dir: string;
    let nginx: ChildProcess | undefined;
    let nginxOutput = "";
    let tls: { port: number; tls: { ca: string } };
    const upstreams = () => ports.map((port) => `127.0.0.1:${port}`);
    /** The upstream(s) nginx tried for each request so far, from its access log. */
    const upstreamLog = () =>
      readFileSync(path.join(dir, "access.log"), "utf8")
        .split("\n")
        .filter((line) => line !== "")
        // "200 127.0.0.1:3001", or "200 127.0.0.1:3001, 127.0.0.1:3002" when the first failed.
        .map((line) => line.slice(line.indexOf(" ") + 1));

    before(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), "pedigree-nginx-"));
      // Run as root (as in CI containers), nginx's workers drop to `nobody`: they must read the
      // certificate and write the temp folders. As any other user, nothing needs root.
      chmodSync(dir, 0o755);
      const certificate = path.join(dir, "fullchain.pem");
      const key = path.join(dir, "privkey.pem");
      const made = spawnSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key, "-out", certificate].concat([
          "-subj",
          `/CN=${PUBLIC_HOST}`,
          "-addext",
          `subjectAltName=DNS:${PUBLIC_HOST}`,
        ]),
        { encoding: "utf8" },
      );
      assert.equal(made.status, 0, made.stderr);
      chmodSync(key, 0o644);
      const port = await freePort();
      tls = { port, tls: { ca: readFileSync(certificate, "utf8") } };
      writeFileSync(
        path.join(dir, "nginx.conf"),
        nginxConfig(exampleConfig(), { dir, port, upstreams: upstreams(), certificate, key }),
      );
      nginx = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      nginx.stdout?.on("data", (chunk: Buffer) => (nginxOutput += chunk.toString()));
      nginx.stderr?.on("data", (chunk: Buffer) => (nginxOutput += chunk.toString()));
      const deadline = Date.now() + 15_000;
      for (;;) {
        if (nginx.exitCode !== null) assert.fail(`nginx exited (${nginx.exitCode}):\n${nginxOutput}`);
        if (
          await request(tls, "/api/health").then(
            () => true,
            () => false,
          )
        )
          break;
        if (Date.now() > deadline) assert.fail(`nginx did not answer on ${port}:\n${nginxOutput}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    after(async () => {
      if (nginx !== undefined && nginx.exitCode === null) {
        const exited = new Promise((resolve) => nginx?.once("exit", resolve));
        nginx.kill("SIGQUIT");
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("balances requests over both servers and passes Host and X-Forwarded-Proto on", async () => {
      const before = upstreamLog().length;
      for (let i = 0; i < 6; i++) {
        const health = await request(tls, "/api/health");
        assert.equal(health.status, 200, health.body);
        // next.config.ts sends HSTS on the API only when X-Forwarded-Proto says https.
        assert.match(String(health.headers["strict-transport-security"]), /max-age=/);
      }
      const used = upstreamLog().slice(before);
      for (const upstream of upstreams()) {
        assert.ok(used.includes(upstream), `${upstream} served none of ${used.join(" ")}`);
      }
      // Without nginx's `proxy_set_header Host $host`, the servers would refuse: they answer as the public origin only.
      const direct = await request({ port: ports[0] as number }, "/api/health", {
        headers: { host: `127.0.0.1:${ports[0]}` },
      });
      assert.equal(direct.status, 421);
    });

    it("replaces the client's X-Forwarded-For, so naming other addresses gains no allowance", async () => {
      const { batch } = stack.fixtures;
      for (let i = 0; i < LIMIT.requests; i++) {
        const answer = await request(tls, verifyPath(batch, 20 + i), {
          headers: { "x-forwarded-for": `203.0.113.${i + 1}` },
        });
        assert.equal(answer.status, 200, answer.body);
      }
      // Every one counted as nginx's peer (this test, 127.0.0.1): a sixth is refused whatever it claims.
      const refused = await request(tls, verifyPath(batch, 30), { headers: { "x-forwarded-for": "203.0.113.99" } });
      assert.equal(refused.status, 429, refused.body);
      assert.equal(errorCode(refused), "RATE_LIMITED");
      assert.ok(Number(refused.headers["retry-after"]) >= 1);
    });

    it("lets a serial list's upload through (client_max_body_size) up to its limit", async () => {
      // 2 MB: over nginx's default of 1 MB, so a 413 here would be nginx's, not the app's.
      const upload = await request(tls, "/api/manifests", {
        method: "POST",
        headers: { "content-type": "text/csv" },
        body: Buffer.alloc(2 * 1024 * 1024, "0"),
      });
      assert.notEqual(upload.status, 413, upload.body);
      assert.ok(errorCode(upload) !== undefined, `the app's JSON error, got ${upload.status} ${upload.body}`);
      const tooLarge = await request(tls, "/api/manifests", {
        method: "POST",
        headers: { "content-type": "text/csv", "content-length": String(65 * 1024 * 1024) },
        body: Buffer.alloc(0),
      }).catch((error: Error) => ({ status: -1, headers: {}, body: error.message }));
      assert.equal(tooLarge.status, 413, tooLarge.body);
    });

    it("goes on answering from the other server when one stops", async () => {
      const [first, second] = upstreams() as [string, string];
      await stack.servers[0]?.stop();
      const before = upstreamLog().length;
      for (let i = 0; i < 4; i++) {
        const health = await request(tls, "/api/health");
        assert.equal(health.status, 200, health.body);
      }
      const used = upstreamLog().slice(before);
      // A request that found the stopped server refused is passed to the other ("a, b" in the log).
      for (const upstreamsTried of used) assert.equal(upstreamsTried.split(",").at(-1)?.trim(), second, used.join(" "));
      assert.ok(!used.some((entry) => entry === first), used.join(" "));
    });
  });
});

/** The ```nginx block of docs/OPERATIONS.md's "Behind nginx". */
function exampleConfig(): string {
  const operations = readFileSync(path.resolve(WEB_DIR, "../../docs/OPERATIONS.md"), "utf8");
  const section = operations.slice(operations.indexOf("### Behind nginx"));
  const block = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, "docs/OPERATIONS.md has no ```nginx block under 'Behind nginx'");
  return block;
}

/**
 * The example as this test runs it: its upstreams the two servers, its listener on a free port
 * with a throwaway certificate, inside a main configuration whose pid, logs and temp folders are
 * in `dir` (nginx needs no root for any of it). Each replaced line must be found, so a changed
 * example fails here instead of being tested in part.
 */
function nginxConfig(
  example: string,
  where: { dir: string; port: number; upstreams: string[]; certificate: string; key: string },
): string {
  const replace = (text: string, pattern: RegExp, by: string) => {
    assert.match(text, pattern, `the example no longer has ${pattern}: update this test with it`);
    return text.replace(pattern, by);
  };
  let server = example;
  server = replace(server, /server 127\.0\.0\.1:3001;/, `server ${where.upstreams[0]};`);
  server = replace(server, /server 127\.0\.0\.1:3002;/, `server ${where.upstreams[1]};`);
  server = replace(server, /listen 443 ssl/, `listen 127.0.0.1:${where.port} ssl`);
  server = replace(server, /ssl_certificate\s+\S+;/, `ssl_certificate ${where.certificate};`);
  server = replace(server, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${where.key};`);
  const file = (name: string) => path.join(where.dir, name);
  return [
    "daemon off;",
    "worker_processes 1;",
    `pid ${file("nginx.pid")};`,
    `error_log ${file("error.log")} warn;`,
    "events { worker_connections 256; }",
    "http {",
    // Which server answered each request: the test reads it to see the balancing and the failover.
    "    log_format upstream '$status $upstream_addr';",
    `    access_log ${file("access.log")} upstream;`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
      (kind) => `    ${kind}_temp_path ${file(`${kind}_temp`)};`,
    ),
    server,
    "}",
    "",
  ].join("\n");
}
