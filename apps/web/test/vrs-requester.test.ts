/**
 * The VRS requester, as a US wholesaler uses it for saleable returns (docs/INTEROP.md, "The
 * requester"):
 *
 * - the outbound client against a fake responder on loopback that answers verified, not verified,
 *   with another corrUUID, 500, slowly, with a redirect, with a huge body or not the standard's
 *   shape; and its URL policy (https only, loopback only where allowed, no private addresses);
 * - the sealed credential store (secret-box);
 * - the lookup directory's permissions (a manufacturer registers only its own prefixes and GTINs)
 *   and longest-prefix match;
 * - returns: a distributor verifies each pack of a pharmacy's return against Pedigree's own
 *   responder (over HTTP, with the credential the manufacturer issued it), the answers are recorded
 *   with the return, and the write API refuses to receive it (409) until every pack passed; a
 *   pharmacy cannot use the requester.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { eq } from "drizzle-orm";
import type { Hex } from "viem";
import { toHri } from "@pedigree/gs1";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import { repositoryRoot, type OpenedDatabase } from "../src/server/db/database.ts";
import { returnVerifications, vrsRequesterCredentials } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { open, seal } from "../src/server/security/secret-box.ts";
import { attachWriteService, WriteService } from "../src/server/signer/service.ts";
import { localSigner } from "../src/server/signer/signer.ts";
import {
  addressKind,
  guardedLookup,
  MAX_ANSWER_BYTES,
  requestVerification,
  responderBaseUrl,
  type Resolver,
  type VerificationRequest,
} from "../src/server/vrs/client.ts";
import { APP_SRC, resolveAppModules } from "./support/app-modules.ts";
import { startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import {
  COMPANY_PREFIXES,
  createWorld,
  gtinUnder,
  type World,
  type WorldBatch,
  type WorldParty,
  type WorldShipment,
} from "./support/world.ts";

resolveAppModules();

const ROUTES = {
  "/vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]": "vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]",
  "/api/auth/nonce": "api/auth/nonce",
  "/api/auth/verify": "api/auth/verify",
  "/api/vrs-credentials": "api/vrs-credentials",
  "/api/vrs-directory": "api/vrs-directory",
  "/api/vrs-directory/[prefix]": "api/vrs-directory/[prefix]",
  "/api/vrs-requester-credentials": "api/vrs-requester-credentials",
  "/api/vrs-requester-credentials/[id]": "api/vrs-requester-credentials/[id]",
  "/api/shipments/[id]/verifications": "api/shipments/[id]/verifications",
  "/api/writes": "api/writes",
};

/** A fake responder on loopback: `behaviour` decides each answer from the request's corrUUID. */
type Behaviour = (request: IncomingMessage, response: ServerResponse, corrUUID: string) => void;

function answer(corrUUID: string, data: Record<string, unknown>, gln = "9520000000017") {
  return JSON.stringify({ verificationTimestamp: new Date().toISOString(), responderGLN: gln, data, corrUUID });
}

const BEHAVIOURS: Record<string, Behaviour> = {
  verified: (_q, r, id) => r.writeHead(200, { "content-type": "application/json" }).end(answer(id, { verified: true })),
  "not-verified": (_q, r, id) =>
    r
      .writeHead(200, { "content-type": "application/json" })
      .end(answer(id, { verified: false, verificationFailureReason: "No_match_GTIN_Serial" })),
  recalled: (_q, r, id) =>
    r
      .writeHead(200, { "content-type": "application/json" })
      .end(answer(id, { verified: true, additionalInfo: "Recalled" })),
  "wrong-corr": (_q, r) =>
    r.writeHead(200, { "content-type": "application/json" }).end(answer(randomUUID(), { verified: true })),
  "server-error": (_q, r) =>
    r
      .writeHead(500, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { code: "BOOM", message: "database\u0000down" } })),
  slow: (_q, r, id) => {
    const timer = setTimeout(
      () => r.writeHead(200, { "content-type": "application/json" }).end(answer(id, { verified: true })),
      3_000,
    );
    r.on("close", () => clearTimeout(timer));
  },
  redirect: (_q, r) => r.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end(),
  huge: (_q, r) => {
    // No content-length: the cap must hold while the body streams in.
    r.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 1024 && r.write(chunk)) sent++;
      if (sent < 1024) r.once("drain", pump);
      else r.end();
    };
    r.on("error", () => undefined);
    pump();
  },
  "declared-huge": (_q, r) => {
    r.writeHead(200, { "content-type": "application/json", "content-length": String(MAX_ANSWER_BYTES + 1) });
    r.end(Buffer.alloc(MAX_ANSWER_BYTES + 1, 0x20));
  },
  "wrong-shape": (_q, r, id) =>
    r
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ verified: true, corrUUID: id, responderGLN: "12" })),
};

describe(`VRS requester: directory, credentials, saleable returns (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let fake: Server;
  let fakeUrl: string;
  /** What the fake responder received, last first: path, query and the Authorization header. */
  const fakeSeen: { url: URL; authorization: string | undefined }[] = [];
  let service: WriteService | undefined;
  let batch: WorldBatch;
  let fakeBatch: WorldBatch;
  let acme: WorldParty;
  let northwind: WorldParty;
  let central: WorldParty;
  let tokens: Record<"acme" | "borealis" | "northwind" | "central", string>;
  const env: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string | undefined) => {
    if (!(name in env)) env[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };

  async function call(
    method: string,
    route: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, any> }> {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  const request = (corrUUID = randomUUID()): VerificationRequest => ({
    gtin: batch.gtin,
    lot: batch.lot,
    serial: batch.manifest.serials[0]!,
    exp: String(batch.expiry).slice(2),
    reqGLN: northwind.gln,
    corrUUID,
    context: "dscsaSaleableReturn",
  });

  const code = (b: WorldBatch, index: number) =>
    toHri({
      gtin: b.gtin,
      lot: b.lot,
      serial: b.manifest.serials[index]!,
      expiry: { raw: String(b.expiry).slice(2), date: "" },
    });

  /** A pharmacy's return of `quantity` units of `b` to Northwind, read by the indexer. */
  async function returnFromCentral(b: WorldBatch, quantity: number): Promise<WorldShipment> {
    const shipment = await world.ship(central, northwind, [{ batch: b, quantity }]);
    await syncToHead(ctx);
    return shipment;
  }

  const receive = (shipment: WorldShipment) =>
    call(
      "POST",
      "/api/writes",
      tokens.northwind,
      {
        operation: "receive",
        arguments: {
          shipmentId: shipment.shipmentId,
          from: central.address,
          lines: shipment.lines.map((line) => ({
            gtin: line.batch.gtin,
            lot: line.batch.lot,
            quantity: line.quantity,
          })),
        },
      },
      { "idempotency-key": randomUUID() },
    );

  before(async () => {
    setEnv("PEDIGREE_VERIFY_RATE_LIMIT", "off");
    setEnv("PEDIGREE_SECRET_KEY", randomBytes(32).toString("hex"));
    setEnv("PEDIGREE_VRS_TIMEOUT_MS", "800");
    setEnv("PEDIGREE_VRS_ALLOW_LOOPBACK", undefined);
    fake = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://fake");
      fakeSeen.unshift({ url, authorization: req.headers.authorization });
      const behaviour = BEHAVIOURS[url.pathname.split("/")[1] ?? ""];
      if (behaviour === undefined) return void res.writeHead(404).end();
      behaviour(req, res, url.searchParams.get("corrUUID") ?? "");
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    ({ acme, northwind, central } = world.parties);
    const product = await world.registerProduct(acme, { name: "Amoxicillin" });
    batch = await world.registerBatch(acme, product, { lot: "RET-1", packs: 12 });
    const other = await world.registerProduct(acme, { name: "Ibuprofen" });
    fakeBatch = await world.registerBatch(acme, other, { lot: "RET-2", packs: 4 });
    await world.receive(
      await world.ship(acme, northwind, [
        { batch, quantity: 10 },
        { batch: fakeBatch, quantity: 4 },
      ]),
    );
    await world.receive(
      await world.ship(northwind, central, [
        { batch, quantity: 8 },
        { batch: fakeBatch, quantity: 2 },
      ]),
    );
    // Central dispensed pack 5: a return of it must not go back on sale.
    await world.decommission(central, batch, 5, "DISPENSED");

    ctx = await createAppContext({ database, target: chain.target });
    await syncToHead(ctx);
    for (const b of [batch, fakeBatch]) await storeWorldManifest(ctx.db, b);
    const routes: Record<string, RouteModule> = {};
    for (const [pattern, file] of Object.entries(ROUTES)) {
      routes[pattern] = (await import(pathToFileURL(path.join(APP_SRC, "app", file, "route.ts")).href)) as RouteModule;
    }
    server = await startTestServer({ context: ctx, routes });
    const index = chain.accounts.findIndex((account) => account.address === northwind.address);
    service = attachWriteService(
      ctx,
      new WriteService(ctx, [localSigner(TEST_PRIVATE_KEYS[index] as Hex)], { pollIntervalMs: 20 }).start(),
    );
    const session = async (party: WorldParty) => {
      const attempt = await signInAs(server.url, party.account);
      assert.equal(attempt.status, 200, JSON.stringify(attempt.body));
      return attempt.body.token;
    };
    tokens = {
      acme: await session(acme),
      borealis: await session(world.parties.borealis),
      northwind: await session(northwind),
      central: await session(central),
    };
  });

  after(async () => {
    await service?.stop();
    await server?.stop();
    await new Promise((resolve) => fake?.close(resolve));
    await Promise.all([chain?.stop(), database?.close()]);
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  describe("the outbound client against a fake responder", () => {
    it("sends the standard's request, with the credential as a bearer token, and reads a verified answer", async () => {
      const req = request();
      const result = await requestVerification(`${fakeUrl}/verified`, "pvrs_secret-token", req);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.ok(result.ok);
      assert.deepEqual(result.data, { verified: true });
      assert.equal(result.responderGLN, "9520000000017");
      const seen = fakeSeen[0]!;
      assert.equal(
        seen.url.pathname,
        `/verified/verify/gtin/${req.gtin}/lot/${encodeURIComponent(req.lot)}/ser/${encodeURIComponent(req.serial)}`,
      );
      assert.deepEqual(Object.fromEntries(seen.url.searchParams), {
        exp: req.exp,
        linkType: "verificationService",
        context: "dscsaSaleableReturn",
        reqGLN: northwind.gln,
        corrUUID: req.corrUUID,
      });
      assert.equal(seen.authorization, "Bearer pvrs_secret-token");
    });

    it("reads a not-verified answer with its failure reason", async () => {
      const result = await requestVerification(`${fakeUrl}/not-verified`, "t0ken-123", request());
      assert.ok(result.ok);
      assert.deepEqual(result.data, { verified: false, verificationFailureReason: "No_match_GTIN_Serial" });
    });

    it("refuses an answer for another corrUUID", async () => {
      const result = await requestVerification(`${fakeUrl}/wrong-corr`, "t0ken-123", request());
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.code, "RESPONDER_CORRUUID_MISMATCH");
    });

    it("reports a 500 with the responder's message, control characters removed", async () => {
      const result = await requestVerification(`${fakeUrl}/server-error`, "t0ken-123", request());
      assert.ok(!result.ok);
      assert.equal(result.code, "RESPONDER_ERROR");
      assert.equal(result.httpStatus, 500);
      assert.match(result.message, /answered 500: database down \(BOOM\)/);
    });

    it("gives up on a slow responder at the deadline", async () => {
      const started = Date.now();
      const result = await requestVerification(`${fakeUrl}/slow`, "t0ken-123", request());
      assert.ok(!result.ok);
      assert.equal(result.code, "RESPONDER_TIMEOUT");
      assert.ok(Date.now() - started < 2_500, `gave up after ${Date.now() - started} ms`);
    });

    it("does not follow a redirect", async () => {
      const before = fakeSeen.length;
      const result = await requestVerification(`${fakeUrl}/redirect`, "t0ken-123", request());
      assert.ok(!result.ok);
      assert.equal(result.code, "RESPONDER_REDIRECT");
      assert.equal(result.httpStatus, 302);
      assert.equal(fakeSeen.length, before + 1, "one request, none to the redirect's target");
    });

    it("caps the answer's size, streamed or declared", async () => {
      for (const route of ["huge", "declared-huge"]) {
        const result = await requestVerification(`${fakeUrl}/${route}`, "t0ken-123", request());
        assert.ok(!result.ok, route);
        assert.equal(result.code, "RESPONDER_ANSWER_TOO_LARGE", route);
      }
    });

    it("refuses an answer that is not the standard's shape", async () => {
      const result = await requestVerification(`${fakeUrl}/wrong-shape`, "t0ken-123", request());
      assert.ok(!result.ok);
      assert.equal(result.code, "RESPONDER_INVALID_ANSWER");
      assert.match(result.message, /verificationTimestamp|data|responderGLN/);
    });

    it("calls https, or http to loopback only in development or with PEDIGREE_VRS_ALLOW_LOOPBACK=on", async () => {
      const production = { NODE_ENV: "production" } as NodeJS.ProcessEnv;
      assert.equal(responderBaseUrl("https://vrs.example.com/api/", production), "https://vrs.example.com/api");
      assert.throws(() => responderBaseUrl("http://vrs.example.com", production), /https only/);
      assert.throws(() => responderBaseUrl("http://127.0.0.1:9000", production), /this machine/);
      assert.throws(() => responderBaseUrl("https://localhost", production), /this machine/);
      assert.equal(
        responderBaseUrl("http://127.0.0.1:9000/vrs", { ...production, PEDIGREE_VRS_ALLOW_LOOPBACK: "on" }),
        "http://127.0.0.1:9000/vrs",
      );
      assert.equal(responderBaseUrl("http://[::1]:9000", {} as NodeJS.ProcessEnv), "http://[::1]:9000");
      for (const internal of [
        "https://10.1.2.3",
        "https://169.254.169.254",
        "https://192.168.0.1",
        "https://[fd00::1]",
      ]) {
        assert.throws(() => responderBaseUrl(internal, {} as NodeJS.ProcessEnv), /private or reserved/, internal);
      }
      assert.throws(() => responderBaseUrl("https://user:pw@vrs.example.com", production), /no user name/);
      assert.throws(() => responderBaseUrl("https://vrs.example.com/?a=1", production), /without a query/);
      assert.throws(() => responderBaseUrl("ftp://vrs.example.com", production), /https only/);
      assert.equal(addressKind("::ffff:10.0.0.1"), "private");
      assert.equal(addressKind("8.8.8.8"), "public");
      // A refused URL is an answer-less outcome, not an exception.
      const refused = await requestVerification("http://127.0.0.1:1", "t0ken-123", request(), production);
      assert.ok(!refused.ok);
      assert.equal(refused.code, "RESPONDER_URL_REFUSED");
    });

    it("connects to the address its own checked lookup returned, so a rebinding name gets one answer", async () => {
      const port = new URL(fakeUrl).port;
      let asked = 0;
      // A name that answers loopback (allowed here) first, and a private address to any later query.
      const rebinding: Resolver = (_host, callback) => {
        asked += 1;
        callback(null, [{ address: asked === 1 ? "127.0.0.1" : "10.0.0.1", family: 4 }]);
      };
      const result = await requestVerification(
        `http://vrs.localhost:${port}/verified`,
        "t0ken-123",
        request(),
        process.env,
        rebinding,
      );
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(asked, 1, "the name is resolved once, by the connection itself");

      const production = { NODE_ENV: "production" } as NodeJS.ProcessEnv;
      const internal: Resolver = (_host, callback) => callback(null, [{ address: "10.0.0.7", family: 4 }]);
      const before = fakeSeen.length;
      const refused = await requestVerification(
        "https://vrs.example.com",
        "t0ken-123",
        request(),
        production,
        internal,
      );
      assert.ok(!refused.ok);
      assert.equal(refused.code, "RESPONDER_URL_REFUSED");
      assert.match(refused.message, /vrs\.example\.com resolves to 10\.0\.0\.7, a private address/);
      assert.equal(fakeSeen.length, before, "nothing was sent");

      const loopbackName: Resolver = (_host, callback) => callback(null, [{ address: "::1", family: 6 }]);
      const lookupRefused = await new Promise<Error | null>((resolve) =>
        guardedLookup(production, loopbackName)("vrs.example.com", { all: true }, (error) => resolve(error)),
      );
      assert.match(String(lookupRefused), /resolves to ::1, a loopback address/);
    });
  });

  describe("sealed credentials", () => {
    it("open only with the same key and context, and refuse a tampered value", () => {
      const key = randomBytes(32);
      const sealed = seal("pvrs_abc", "holder-a", key);
      assert.ok(!sealed.includes("pvrs_abc"));
      assert.equal(open(sealed, "holder-a", key), "pvrs_abc");
      assert.throws(() => open(sealed, "holder-b", key), /does not open/);
      assert.throws(() => open(sealed, "holder-a", randomBytes(32)), /another PEDIGREE_SECRET_KEY/);
      const parts = sealed.split(".");
      const body = Buffer.from(parts[3]!, "base64url");
      body[0] = body[0]! ^ 1;
      parts[3] = body.toString("base64url");
      assert.throws(() => open(parts.join("."), "holder-a", key), /does not open/);
      assert.notEqual(seal("pvrs_abc", "holder-a", key), sealed, "a fresh nonce each time");
    });
  });

  describe("the lookup directory", () => {
    it("lets a manufacturer register its own company prefix and GTINs, and no one else's", async () => {
      const own = await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: COMPANY_PREFIXES.acme,
        responderUrl: `${server.url}/vrs/`,
      });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal(own.body.responderUrl, `${server.url}/vrs`);
      assert.equal(own.body.kind, "companyPrefix");

      const others = await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: COMPANY_PREFIXES.borealis,
        responderUrl: "https://vrs.example.com",
      });
      assert.equal(others.status, 403, JSON.stringify(others.body));
      assert.equal(others.body.error.code, "PREFIX_NOT_YOURS");
      const othersGtin = await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: gtinUnder(COMPANY_PREFIXES.borealis, 7),
        responderUrl: "https://vrs.example.com",
      });
      assert.equal(othersGtin.status, 403);
      // A longer prefix inside its own is its own (one product line to another responder).
      const inside = await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: `${COMPANY_PREFIXES.acme}9`,
        responderUrl: "https://vrs.example.com",
      });
      assert.equal(inside.status, 200, JSON.stringify(inside.body));
      const removed = await call("DELETE", `/api/vrs-directory/${COMPANY_PREFIXES.acme}9`, tokens.acme);
      assert.equal(removed.status, 200);
      assert.equal((await call("DELETE", `/api/vrs-directory/${COMPANY_PREFIXES.acme}9`, tokens.acme)).status, 404);
      const short = await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: "95201",
        responderUrl: "https://vrs.example.com",
      });
      assert.equal(short.status, 400, "a company prefix has 6 to 12 digits");

      const byPharmacy = await call("PUT", "/api/vrs-directory", tokens.central, {
        prefix: COMPANY_PREFIXES.acme,
        responderUrl: "https://vrs.example.com",
      });
      assert.equal(byPharmacy.status, 403);
      assert.equal(byPharmacy.body.error.code, "WRONG_ROLE");
      const takeOver = await call("DELETE", `/api/vrs-directory/${COMPANY_PREFIXES.acme}`, tokens.borealis);
      assert.equal(takeOver.status, 403);

      const internal = await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: COMPANY_PREFIXES.acme,
        responderUrl: "https://169.254.169.254/vrs",
      });
      assert.equal(internal.status, 400);
      assert.equal(internal.body.error.code, "INVALID_RESPONDER_URL");
      const malformed = await call("PUT", "/api/vrs-directory", tokens.acme, { prefix: "12", responderUrl: "x" });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error.code, "INVALID_BODY");
    });

    it("answers a GTIN with its longest matching entry", async () => {
      const gtinEntry = await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: fakeBatch.gtin,
        responderUrl: `${fakeUrl}/verified`,
      });
      assert.equal(gtinEntry.status, 200, JSON.stringify(gtinEntry.body));
      const forFake = await call("GET", `/api/vrs-directory?gtin=${fakeBatch.gtin}`, tokens.northwind);
      assert.equal(forFake.body.responderUrl, `${fakeUrl}/verified`);
      const forOther = await call("GET", `/api/vrs-directory?gtin=${batch.gtin}`, tokens.northwind);
      assert.equal(forOther.body.prefix, COMPANY_PREFIXES.acme);
      const none = await call(
        "GET",
        `/api/vrs-directory?gtin=${gtinUnder(COMPANY_PREFIXES.borealis, 3)}`,
        tokens.central,
      );
      assert.equal(none.status, 404);
      assert.equal(none.body.error.code, "NO_RESPONDER");
      const all = await call("GET", "/api/vrs-directory", tokens.northwind);
      assert.deepEqual(
        all.body.entries.map((entry: { prefix: string }) => entry.prefix),
        [COMPANY_PREFIXES.acme, fakeBatch.gtin].sort(),
      );
    });
  });

  describe("saleable returns", () => {
    let credentialToken: string;

    before(async () => {
      const issued = await call("POST", "/api/vrs-credentials", tokens.acme, {
        partnerGln: northwind.gln,
        label: "Northwind returns",
      });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      credentialToken = issued.body.token;
    });

    it("stores the distributor's credential sealed and never gives it back", async () => {
      const stored = await call("PUT", "/api/vrs-requester-credentials", tokens.northwind, {
        responderUrl: `${server.url}/vrs`,
        token: credentialToken,
        label: "Acme",
      });
      assert.equal(stored.status, 200, JSON.stringify(stored.body));
      assert.equal(stored.body.tokenHint, `…${credentialToken.slice(-4)}`);
      assert.ok(!JSON.stringify(stored.body).includes(credentialToken));
      const listed = await call("GET", "/api/vrs-requester-credentials", tokens.northwind);
      assert.equal(listed.body.credentials.length, 1);
      assert.ok(!JSON.stringify(listed.body).includes(credentialToken));
      const [row] = await ctx.db.select().from(vrsRequesterCredentials);
      assert.ok(row !== undefined && !row.sealedToken.includes(credentialToken), "the database holds it sealed");
      const fakeCredential = await call("PUT", "/api/vrs-requester-credentials", tokens.northwind, {
        responderUrl: `${fakeUrl}/verified`,
        token: "fake-responder-token",
      });
      assert.equal(fakeCredential.status, 200);
    });

    it("is for distributors: a pharmacy cannot use the requester", async () => {
      const shipment = await returnFromCentral(batch, 1);
      const stored = await call("PUT", "/api/vrs-requester-credentials", tokens.central, {
        responderUrl: `${server.url}/vrs`,
        token: credentialToken,
      });
      assert.equal(stored.status, 403);
      assert.equal(stored.body.error.code, "WRONG_ROLE");
      const verify = await call("POST", `/api/shipments/${shipment.shipmentId}/verifications`, tokens.central, {
        code: code(batch, 0),
      });
      assert.equal(verify.status, 403);
      assert.equal(verify.body.error.code, "WRONG_ROLE");
      assert.equal((await call("GET", "/api/vrs-requester-credentials", tokens.central)).status, 403);
      // Northwind settles it so the next tests start from a clean inbox.
      const pass = await call("POST", `/api/shipments/${shipment.shipmentId}/verifications`, tokens.northwind, {
        code: code(batch, 0),
      });
      assert.equal(pass.body.verification.outcome, "PASSED", JSON.stringify(pass.body));
      assert.equal((await receive(shipment)).status, 202);
    });

    it("verifies each returned pack with the manufacturer's responder and refuses to receive until all passed", async () => {
      const shipment = await returnFromCentral(batch, 2);
      const route = `/api/shipments/${shipment.shipmentId}/verifications`;
      const before = await call("GET", route, tokens.northwind);
      assert.equal(before.status, 200, JSON.stringify(before.body));
      assert.equal(before.body.isReturn, true);
      assert.equal(before.body.receivable, false);
      const none = await receive(shipment);
      assert.equal(none.status, 409, JSON.stringify(none.body));
      assert.equal(none.body.error.code, "RETURN_NOT_VERIFIED");
      assert.match(none.body.error.message, /2 of 2 pack\(s\) of GTIN/);

      const first = await call("POST", route, tokens.northwind, { code: code(batch, 1) });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.verification.outcome, "PASSED");
      assert.equal(first.body.verification.verified, true);
      assert.equal(first.body.verification.responderGLN, acme.gln);
      const half = await receive(shipment);
      assert.equal(half.status, 409);
      assert.deepEqual(half.body.error.details.unverified, [
        { gtin: batch.gtin, lot: batch.lot, quantity: 2, unverified: 1 },
      ]);

      // The dispensed pack: the manufacturer says it is not for redistribution.
      const dispensed = await call("POST", route, tokens.northwind, {
        gtin: batch.gtin,
        lot: batch.lot,
        serial: batch.manifest.serials[5],
      });
      assert.equal(dispensed.status, 200, JSON.stringify(dispensed.body));
      assert.equal(dispensed.body.verification.outcome, "FAILED");
      assert.equal(dispensed.body.verification.verificationFailureReason, "Not_for_re-distribution");
      const refused = await receive(shipment);
      assert.equal(refused.status, 409);
      assert.match(refused.body.error.message, new RegExp(`pack ${batch.manifest.serials[5]} .*failed verification`));
      assert.deepEqual(
        refused.body.error.details.failed.map((pack: { serial: string }) => pack.serial),
        [batch.manifest.serials[5]],
      );

      // The answers are recorded with the return, the latest per pack, with the request's corrUUID.
      const rows = await ctx.db
        .select()
        .from(returnVerifications)
        .where(eq(returnVerifications.shipmentId, shipment.shipmentId.toLowerCase()));
      assert.equal(rows.length, 2);
      assert.ok(rows.every((row) => /^[0-9a-f-]{36}$/.test(row.corrUuid)));
      const again = await call("POST", route, tokens.northwind, { code: code(batch, 1) });
      assert.equal(again.body.return.verifications.length, 2, "verifying a pack again replaces its answer");

      // Rejecting needs no verification.
      const reject = await call(
        "POST",
        "/api/writes",
        tokens.northwind,
        {
          operation: "reject",
          arguments: {
            shipmentId: shipment.shipmentId,
            from: central.address,
            lines: [{ gtin: batch.gtin, lot: batch.lot, quantity: 2 }],
            reason: "A returned pack was dispensed",
          },
        },
        { "idempotency-key": randomUUID() },
      );
      assert.equal(reject.status, 202, JSON.stringify(reject.body));
    });

    it("records a responder's failure as an error, which does not pass", async () => {
      await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: fakeBatch.gtin,
        responderUrl: `${fakeUrl}/redirect`,
      });
      await call("PUT", "/api/vrs-requester-credentials", tokens.northwind, {
        responderUrl: `${fakeUrl}/redirect`,
        token: "fake-responder-token",
      });
      const shipment = await returnFromCentral(fakeBatch, 1);
      const route = `/api/shipments/${shipment.shipmentId}/verifications`;
      const failed = await call("POST", route, tokens.northwind, { code: code(fakeBatch, 0) });
      assert.equal(failed.status, 200, JSON.stringify(failed.body));
      assert.equal(failed.body.verification.outcome, "ERROR");
      assert.equal(failed.body.verification.error.code, "RESPONDER_REDIRECT");
      assert.equal(failed.body.return.receivable, false);
      assert.equal((await receive(shipment)).status, 409);

      await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: fakeBatch.gtin,
        responderUrl: `${fakeUrl}/recalled`,
      });
      const noCredential = await call("POST", route, tokens.northwind, { code: code(fakeBatch, 0) });
      assert.equal(noCredential.status, 422);
      assert.equal(noCredential.body.error.code, "NO_CREDENTIAL_FOR_RESPONDER");
      await call("PUT", "/api/vrs-requester-credentials", tokens.northwind, {
        responderUrl: `${fakeUrl}/recalled`,
        token: "fake-responder-token",
      });
      const recalled = await call("POST", route, tokens.northwind, { code: code(fakeBatch, 0) });
      assert.equal(recalled.body.verification.outcome, "FAILED", "verified but recalled: not back on sale");
      assert.equal(recalled.body.verification.additionalInfo, "Recalled");

      await call("PUT", "/api/vrs-directory", tokens.acme, {
        prefix: fakeBatch.gtin,
        responderUrl: `${fakeUrl}/verified`,
      });
      const passed = await call("POST", route, tokens.northwind, { code: code(fakeBatch, 0) });
      assert.equal(passed.body.verification.outcome, "PASSED");
      assert.equal(passed.body.return.receivable, true);
      assert.equal((await receive(shipment)).status, 202);
    });

    it("the CLI verifies a return's packs and says whether it can be received", async () => {
      const cli = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const index = chain.accounts.findIndex((account) => account.address === northwind.address);
          const child = spawn(process.execPath, [path.join(repositoryRoot(), "scripts/pedigree.ts"), ...args], {
            env: {
              PATH: process.env.PATH ?? "",
              PEDIGREE_PRIVATE_KEY: TEST_PRIVATE_KEYS[index] as string,
              PEDIGREE_RPC_URL: chain.rpcUrl,
              PEDIGREE_API_URL: server.url,
              NODE_ENV: "test",
            },
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
          child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
          child.on("close", (code) => resolve({ code, stdout, stderr }));
        });
      const shipment = await returnFromCentral(batch, 2);
      const failing = await cli(["verify-return", "--shipment", shipment.shipmentId, code(batch, 6), code(batch, 5)]);
      assert.equal(failing.code, 1, failing.stderr);
      assert.match(failing.stdout, new RegExp(`PASSED  ${batch.manifest.serials[6]} .*verified by GLN ${acme.gln}`));
      assert.match(failing.stdout, new RegExp(`FAILED  ${batch.manifest.serials[5]} .*Not_for_re-distribution`));
      assert.match(failing.stdout, /Not receivable as saleable yet: pack .* failed verification/);
      assert.match(failing.stderr, /1 of 2 pack\(s\) did not pass verification/);

      const next = await returnFromCentral(batch, 1);
      const passing = await cli(["verify-return", "--shipment", next.shipmentId, code(batch, 7)]);
      assert.equal(passing.code, 0, passing.stderr);
      assert.match(passing.stdout, /Every returned pack passed: the return can be received as saleable/);
      assert.equal((await receive(next)).status, 202);

      const usage = await cli(["verify-return", "--shipment", "0x12", code(batch, 7)]);
      assert.equal(usage.code, 1);
      assert.match(usage.stderr, /--shipment is the incoming shipment's id/);
    });

    it("refuses a pack that is not in the shipment, and a shipment that is not the distributor's", async () => {
      const shipment = await returnFromCentral(batch, 1);
      const route = `/api/shipments/${shipment.shipmentId}/verifications`;
      const wrongLot = await call("POST", route, tokens.northwind, { code: code(fakeBatch, 1) });
      assert.equal(wrongLot.status, 422);
      assert.equal(wrongLot.body.error.code, "PACK_NOT_IN_SHIPMENT");
      const unknown = await call("GET", `/api/shipments/0x${"ab".repeat(32)}/verifications`, tokens.northwind);
      assert.equal(unknown.status, 404);
      const malformed = await call("GET", "/api/shipments/0x12/verifications", tokens.northwind);
      assert.equal(malformed.status, 400);
      const badCode = await call("POST", route, tokens.northwind, { code: "(01)123" });
      assert.equal(badCode.status, 422);
      assert.equal(badCode.body.error.code, "INVALID_CODE");
      const forgotten = await call("GET", "/api/vrs-requester-credentials", tokens.northwind);
      for (const credential of forgotten.body.credentials as { id: number }[]) {
        assert.equal(
          (await call("DELETE", `/api/vrs-requester-credentials/${credential.id}`, tokens.northwind)).status,
          200,
        );
      }
      const noCredential = await call("POST", route, tokens.northwind, { code: code(batch, 2) });
      assert.equal(noCredential.status, 422);
      assert.equal(noCredential.body.error.code, "NO_CREDENTIAL_FOR_RESPONDER");
    });
  });
});
