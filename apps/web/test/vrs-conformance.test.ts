/**
 * Conformance of the VRS responder to the GS1 Lightweight Messaging Standard for Verification of
 * Product Identifiers (with release 1.3 of the GS1 US DSCSA guideline), written from the standard's
 * text as ../shared/STANDARDS.md quotes it, not from the responder's code: the request's path and
 * parameters, the answer's field names, the enumerations of verificationFailureReason and
 * additionalInfo, the HTTP codes (401 unknown requester, 403 not permitted or a failing credential,
 * 404 a GTIN not served, 400 malformed), corrUUID echoed, and ATP presentations in the Open
 * Credentialing Initiative's model (identity + DSCSA ATP credential from a trusted issuer, bound to
 * the request's corrUUID).
 *
 * Requests go over HTTP to the route modules Next serves, at the paths partners call (/vrs/...), on a
 * real chain and read model.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alerts } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { APP_SRC, resolveAppModules } from "./support/app-modules.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { COMPANY_PREFIXES, createWorld, gtinUnder, type World, type WorldBatch } from "./support/world.ts";

resolveAppModules();

// The standard's enumerations, as STANDARDS.md lists them.
const FAILURE_REASONS = [
  "No_match_GTIN_Serial",
  "No_match_GTIN_Serial_Lot",
  "No_match_GTIN_Serial_Expiry",
  "No_match_GTIN_Serial_Lot_Expiry",
  "Manufacturer_policy",
  "Not_for_re-distribution",
  "No_reason_provided",
];
const ADDITIONAL_INFO = ["Expired", "ExpirationExtended", "Recalled", "Suspect", "Illegitimate"];

/** The route modules Next serves, by their paths (the responder's are under src/app/vrs, at the base URL partners use). */
const ROUTES = {
  "/vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]": "vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]",
  "/vrs/checkConnectivity": "vrs/checkConnectivity",
  "/api/vrs-credentials": "api/vrs-credentials",
  "/api/vrs-credentials/[id]": "api/vrs-credentials/[id]",
  "/api/vrs-requests": "api/vrs-requests",
  "/api/auth/nonce": "api/auth/nonce",
  "/api/auth/verify": "api/auth/verify",
};

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const ai17 = (yyyymmdd: number) => String(yyyymmdd).slice(2);

/** A did:jwk for a public key (the DID is the key, base64url JSON). */
const didJwk = (jwk: JWK) => `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString("base64url")}`;

describe(`VRS responder: GS1 Lightweight Messaging conformance (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let now: Date | undefined;
  let active: WorldBatch;
  let sibling: WorldBatch;
  let recalled: WorldBatch;
  let suspended: WorldBatch;
  let expiring: WorldBatch;
  let slashLot: WorldBatch;
  let borealisBatch: WorldBatch;
  let unregisteredGtin: string;
  let acmeToken: string;
  let borealisToken: string;
  let token: string;
  let revokedToken: string;
  let otherGlnToken: string;
  let partnerGln: string;
  const env: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string | undefined) => {
    if (!(name in env)) env[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };

  async function get(target: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${server.url}${target}`, { headers });
    const text = await response.text();
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/, `${target}: ${text}`);
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> };
  }

  /** The standard's request, for `batch`'s pack `index` unless told otherwise. */
  function verifyPath(
    batch: WorldBatch,
    index: number,
    options: { lot?: string; serial?: string; exp?: string; gtin?: string; corrUUID?: string; extra?: string } = {},
  ): string {
    const gtin = options.gtin ?? batch.gtin;
    const lot = encodeURIComponent(options.lot ?? batch.lot);
    const serial = encodeURIComponent(options.serial ?? batch.manifest.serials[index]!);
    const exp = options.exp ?? ai17(batch.expiry);
    const corrUUID = options.corrUUID ?? randomUUID();
    return (
      `/vrs/verify/gtin/${gtin}/lot/${lot}/ser/${serial}?exp=${exp}&linkType=verificationService` +
      `&context=dscsaSaleableReturn&reqGLN=${partnerGln}&corrUUID=${corrUUID}${options.extra ?? ""}`
    );
  }

  const withToken = (value: string) => ({ authorization: `Bearer ${value}` });

  async function verify(batch: WorldBatch, index: number, options: Parameters<typeof verifyPath>[2] = {}) {
    const corrUUID = options.corrUUID ?? randomUUID();
    const answer = await get(verifyPath(batch, index, { ...options, corrUUID }), withToken(token));
    return { ...answer, corrUUID };
  }

  async function issue(manufacturerToken: string, gln: string, label: string): Promise<{ id: number; token: string }> {
    const response = await fetch(`${server.url}/api/vrs-credentials`, {
      method: "POST",
      headers: { ...withToken(manufacturerToken), "content-type": "application/json" },
      body: JSON.stringify({ partnerGln: gln, label }),
    });
    const body = (await response.json()) as { id: number; token: string };
    assert.equal(response.status, 201, JSON.stringify(body));
    return body;
  }

  before(async () => {
    setEnv("PEDIGREE_VERIFY_RATE_LIMIT", "off");
    setEnv("PEDIGREE_VRS_TRUSTED_ISSUERS", undefined);
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    const { acme, borealis, central, regulator, northwind } = world.parties;
    partnerGln = northwind.gln;
    const product = await world.registerProduct(acme, {
      name: "Amoxicillin",
      strength: "500 mg",
      dosageForm: "capsule",
    });
    active = await world.registerBatch(acme, product, { lot: "GEN-1", packs: 12, expiry: 20301231 });
    sibling = await world.registerBatch(acme, product, { lot: "GEN-2", packs: 4, expiry: 20291130 });
    recalled = await world.registerBatch(acme, product, { lot: "REC-1", packs: 3 });
    suspended = await world.registerBatch(acme, product, { lot: "SUS-1", packs: 3 });
    const head = await chain.publicClient.getBlock();
    const soon = new Date((Number(head.timestamp) + 30 * 86_400) * 1000);
    const nearExpiry = Number(soon.toISOString().slice(0, 10).replaceAll("-", ""));
    expiring = await world.registerBatch(acme, product, { lot: "EXP-1", packs: 3, expiry: nearExpiry });
    // CSET 82 has '/' and '+': a lot that needs percent-encoding in the path.
    slashLot = await world.registerBatch(acme, product, { lot: "L+1/2", packs: 2, serials: ["AB/12", "C+D"] });
    const other = await world.registerProduct(borealis, { name: "Ibuprofen" });
    borealisBatch = await world.registerBatch(borealis, other, { lot: "BOR-1", packs: 2 });
    unregisteredGtin = gtinUnder(COMPANY_PREFIXES.acme, 999);

    const delivery = await world.ship(acme, central, [{ batch: active, quantity: 6 }]);
    await world.receive(delivery);
    await world.decommission(central, active, 1, "DISPENSED");
    await world.decommission(central, active, 2, "DESTROYED");
    await world.decommission(central, active, 3, "STOLEN");
    await world.recall(regulator, recalled, "Sterility failure");
    await world.suspend(regulator, suspended, "Suspect product under investigation");

    ctx = await createAppContext({ database, target: chain.target, now: () => now ?? new Date() });
    await syncToHead(ctx);
    for (const batch of [active, sibling, recalled, suspended, expiring, slashLot, borealisBatch]) {
      await storeWorldManifest(ctx.db, batch);
    }
    // An investigation closed a scan of pack 4 as a falsification.
    await ctx.db.insert(alerts).values({
      verdict: "DISPENSED",
      purpose: "dispense",
      gtin: active.gtin,
      lot: active.lot,
      serial: active.manifest.serials[4],
      reportedBy: central.address.toLowerCase(),
      message: "Pack already dispensed",
      status: "CLOSED",
      rootCause: "FALSIFIED",
    });

    const routes: Record<string, RouteModule> = {};
    for (const [pattern, file] of Object.entries(ROUTES)) {
      routes[pattern] = (await import(pathToFileURL(path.join(APP_SRC, "app", file, "route.ts")).href)) as RouteModule;
    }
    server = await startTestServer({ context: ctx, routes });
    acmeToken = (await signInAs(server.url, acme.account)).body.token;
    borealisToken = (await signInAs(server.url, borealis.account)).body.token;
    token = (await issue(acmeToken, partnerGln, "Northwind returns desk")).token;
    otherGlnToken = (await issue(acmeToken, world.parties.harbour.gln, "Harbour")).token;
    const revoked = await issue(acmeToken, partnerGln, "Old credential");
    revokedToken = revoked.token;
    const revoke = await fetch(`${server.url}/api/vrs-credentials/${revoked.id}`, {
      method: "DELETE",
      headers: withToken(acmeToken),
    });
    assert.equal(revoke.status, 200);
  });

  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("answers the standard's request with exactly its fields: verificationTimestamp, responderGLN, data, corrUUID (echoed)", async () => {
    const { status, body, corrUUID } = await verify(active, 0);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(Object.keys(body).sort(), ["corrUUID", "data", "responderGLN", "verificationTimestamp"]);
    assert.equal(body.corrUUID, corrUUID);
    assert.equal(body.responderGLN, world.parties.acme.gln, "the responder answers as the GTIN's manufacturer");
    assert.match(String(body.responderGLN), /^\d{13}$/);
    assert.ok(!Number.isNaN(Date.parse(String(body.verificationTimestamp))), "an ISO 8601 timestamp");
    assert.deepEqual(body.data, { verified: true });
  });

  it("a lot and serial with '/' and '+' are read percent-encoded in the path", async () => {
    const { status, body } = await verify(slashLot, 0);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.data, { verified: true });
    assert.deepEqual((await verify(slashLot, 1)).body.data, { verified: true });
  });

  it("verificationFailureReason: each way the identifier fails to match", async () => {
    const cases: [string, Promise<{ body: Record<string, unknown> }>, string][] = [
      ["a serial the GTIN never had", verify(active, 0, { serial: "NEVER1" }), "No_match_GTIN_Serial"],
      ["a lot the GTIN never had", verify(active, 0, { lot: "NOLOT", serial: "NEVER2" }), "No_match_GTIN_Serial"],
      [
        "the serial of another lot",
        verify(active, 0, { lot: sibling.lot, exp: ai17(active.expiry) }),
        "No_match_GTIN_Serial_Lot",
      ],
      ["the serial under an unknown lot", verify(active, 0, { lot: "NOLOT" }), "No_match_GTIN_Serial_Lot"],
      ["another expiry", verify(active, 0, { exp: "291130" }), "No_match_GTIN_Serial_Expiry"],
      [
        "another lot and another expiry",
        verify(active, 0, { lot: sibling.lot, exp: ai17(sibling.expiry) }),
        "No_match_GTIN_Serial_Lot_Expiry",
      ],
      ["a dispensed pack", verify(active, 1), "Not_for_re-distribution"],
    ];
    for (const [what, pending, reason] of cases) {
      const { body } = await pending;
      const data = body.data as Record<string, unknown>;
      assert.equal(data.verified, false, `${what}: ${JSON.stringify(body)}`);
      assert.equal(data.verificationFailureReason, reason, what);
      assert.ok(FAILURE_REASONS.includes(String(data.verificationFailureReason)), what);
    }
  });

  it("additionalInfo: recalled, expired, suspect (held for investigation, destroyed, stolen), illegitimate", async () => {
    const expect = async (pending: Promise<{ body: Record<string, unknown> }>, info: string, verified: boolean) => {
      const { body } = await pending;
      const data = body.data as Record<string, unknown>;
      assert.equal(data.additionalInfo, info, JSON.stringify(body));
      assert.equal(data.verified, verified, JSON.stringify(body));
      assert.ok(ADDITIONAL_INFO.includes(String(data.additionalInfo)));
      if (data.verificationFailureReason !== undefined) {
        assert.ok(FAILURE_REASONS.includes(String(data.verificationFailureReason)));
      }
    };
    await expect(verify(recalled, 0), "Recalled", true);
    await expect(verify(suspended, 0), "Suspect", true);
    await expect(verify(active, 2), "Suspect", false);
    await expect(verify(active, 3), "Suspect", false);
    await expect(verify(active, 4), "Illegitimate", false);
    now = new Date(
      Date.UTC(Math.floor(expiring.expiry / 10000), (Math.floor(expiring.expiry / 100) % 100) - 1, 28) +
        40 * 86_400_000,
    );
    try {
      await expect(verify(expiring, 0), "Expired", true);
    } finally {
      now = undefined;
    }
  });

  it("401 for a requester it does not know: no credential, or one it never issued", async () => {
    const none = await get(verifyPath(active, 0));
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    const unknown = await get(verifyPath(active, 0), withToken("pvrs_not-a-credential-of-this-server"));
    assert.equal(unknown.status, 401);
    assert.equal((unknown.body.error as { code: string }).code, "UNKNOWN_REQUESTER");
  });

  it("403 when the credential fails or does not reach the GTIN: revoked, another GLN's, another manufacturer's GTIN", async () => {
    const corrUUID = randomUUID();
    const revoked = await get(verifyPath(active, 0, { corrUUID }), withToken(revokedToken));
    assert.equal(revoked.status, 403);
    assert.equal((revoked.body.error as { code: string }).code, "CREDENTIAL_REVOKED");
    assert.equal(revoked.body.corrUUID, corrUUID, "an error echoes corrUUID too");
    const otherGln = await get(verifyPath(active, 0), withToken(otherGlnToken));
    assert.equal(otherGln.status, 403);
    assert.equal((otherGln.body.error as { code: string }).code, "CREDENTIAL_NOT_FOR_GLN");
    const otherMaker = await verify(borealisBatch, 0);
    assert.equal(otherMaker.status, 403);
    assert.equal((otherMaker.body.error as { code: string }).code, "NOT_PERMITTED");
  });

  it("404 for a GTIN this responder does not serve (no product registered with it)", async () => {
    const { status, body } = await verify(active, 0, { gtin: unregisteredGtin });
    assert.equal(status, 404, JSON.stringify(body));
    assert.equal((body.error as { code: string }).code, "GTIN_NOT_SERVED");
  });

  it("400 for a malformed request, naming the parameter; never a crash", async () => {
    const cases: [string, string][] = [
      [verifyPath(active, 0, { gtin: "09520123456789" }), "gtin"],
      [verifyPath(active, 0, { gtin: "9520123456788" }), "gtin"],
      [verifyPath(active, 0, { lot: "AB CD" }), "lot"],
      [verifyPath(active, 0, { serial: "X".repeat(21) }), "ser"],
      [verifyPath(active, 0, { exp: "271332" }), "exp"],
      [verifyPath(active, 0, { exp: "270229" }), "exp"],
      [verifyPath(active, 0, { corrUUID: "not-a-uuid" }), "corrUUID"],
      [verifyPath(active, 0).replace(`reqGLN=${partnerGln}`, "reqGLN=9520000000021"), "reqGLN"],
      [verifyPath(active, 0).replace("linkType=verificationService", "linkType=pip"), "linkType"],
      [verifyPath(active, 0).replace("dscsaSaleableReturn", "somethingElse"), "context"],
      [verifyPath(active, 0, { extra: "&ctrlPossessAtt=yes" }), "ctrlPossessAtt"],
      [verifyPath(active, 0, { extra: "&email=not-an-address" }), "email"],
      [verifyPath(active, 0, { extra: "&telephone=call-me" }), "telephone"],
      [verifyPath(active, 0).replace(/exp=\d+&/, ""), "exp"],
      [verifyPath(active, 0).replace(/&corrUUID=[^&]+/, ""), "corrUUID"],
      [verifyPath(active, 0, { extra: "&exp=301231" }), "exp"],
      [verifyPath(active, 0, { extra: "&colour=blue" }), "colour"],
    ];
    for (const [target, parameter] of cases) {
      const { status, body } = await get(target, withToken(token));
      assert.equal(status, 400, `${target}: ${JSON.stringify(body)}`);
      const error = body.error as { code: string; message: string; details?: { parameter?: string } };
      assert.equal(error.details?.parameter, parameter, `${target}: ${error.message}`);
      assert.ok(error.message.includes(parameter), `${target}: the message names ${parameter}: ${error.message}`);
    }
  });

  it("release 1.3: ctrlPossessAtt, email and telephone are taken, and kept in the manufacturer's log", async () => {
    const corrUUID = randomUUID();
    const { status } = await get(
      verifyPath(active, 0, {
        corrUUID,
        extra: "&ctrlPossessAtt=true&email=returns%40northwind.example&telephone=%2B1%20555%200100",
      }),
      { ...withToken(token), "GS1US-Version": "1.3.0" },
    );
    assert.equal(status, 200);
    const log = await get("/api/vrs-requests?perPage=200", withToken(acmeToken));
    const entry = (log.body.requests as Record<string, unknown>[]).find((row) => row.corrUUID === corrUUID);
    assert.ok(entry, "the request is in the log");
    assert.equal(entry.ctrlPossessAtt, true);
    assert.equal(entry.email, "returns@northwind.example");
    assert.equal(entry.telephone, "+1 555 0100");
  });

  it("checkConnectivity answers the responder's GLN to a known requester", async () => {
    const target = `/vrs/checkConnectivity?gtin=${active.gtin}&reqGLN=${partnerGln}&context=dscsaSaleableReturn`;
    const { status, body } = await get(target, withToken(token));
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.responderGLN, world.parties.acme.gln);
    assert.equal((await get(target)).status, 401);
    const unknown = await get(target.replace(active.gtin, unregisteredGtin), withToken(token));
    assert.equal(unknown.status, 404);
    assert.equal((await get(target.replace("context=dscsaSaleableReturn", "context=x"), withToken(token))).status, 400);
  });

  it("every request and answer is logged for the GTIN's manufacturer, and only for it", async () => {
    const corrUUID = randomUUID();
    await get(verifyPath(active, 1, { corrUUID }), withToken(token));
    const mine = await get("/api/vrs-requests?perPage=200", withToken(acmeToken));
    assert.equal(mine.status, 200);
    const entry = (mine.body.requests as Record<string, unknown>[]).find((row) => row.corrUUID === corrUUID)!;
    assert.equal(entry.requesterGln, partnerGln, "who asked");
    assert.ok(Date.parse(String(entry.at)) > 0, "when");
    assert.equal(entry.status, 200);
    assert.equal(entry.verified, false, "what was answered");
    assert.equal(entry.failureReason, "Not_for_re-distribution");
    assert.equal(entry.authMethod, "api-credential");
    assert.deepEqual((entry.answer as { corrUUID: string }).corrUUID, corrUUID);
    const refusals = (mine.body.requests as Record<string, unknown>[]).filter((row) => row.status === 401);
    assert.ok(refusals.length > 0, "refused requests are logged too");
    const theirs = await get("/api/vrs-requests?perPage=200", withToken(borealisToken));
    assert.ok(
      !(theirs.body.requests as Record<string, unknown>[]).some((row) => row.gtin === active.gtin),
      "another manufacturer does not see requests about Acme's GTINs",
    );
    assert.equal((await get("/api/vrs-requests")).status, 401);
    const credentials = await get("/api/vrs-credentials", withToken(acmeToken));
    const listed = credentials.body.credentials as Record<string, unknown>[];
    assert.ok(listed.length >= 3);
    assert.ok(
      listed.every((row) => !("token" in row) && !("tokenHash" in row)),
      "tokens are never listed",
    );
  });

  describe("ATP presentations (verifiable presentation as JWT, trusted issuers from the environment)", () => {
    let issuerKey: CryptoKey;
    let issuerDid: string;
    let holderKey: CryptoKey;
    let holderDid: string;
    let strangerKey: CryptoKey;

    const credential = async (
      type: string,
      claims: {
        gln?: string | string[];
        exp?: number;
        jti?: string;
        subject?: string;
        key?: CryptoKey;
        iss?: string;
      } = {},
    ) => {
      const jwt = new SignJWT({
        vc: {
          "@context": ["https://www.w3.org/2018/credentials/v1"],
          type: ["VerifiableCredential", type],
          credentialSubject: {
            id: claims.subject ?? holderDid,
            ...(claims.gln === undefined ? {} : { gln: claims.gln }),
          },
        },
      })
        .setProtectedHeader({ alg: "ES256", typ: "JWT" })
        .setIssuer(claims.iss ?? issuerDid)
        .setSubject(claims.subject ?? holderDid)
        .setIssuedAt()
        .setJti(claims.jti ?? `urn:uuid:${randomUUID()}`);
      if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
      return jwt.sign(claims.key ?? issuerKey);
    };

    const presentation = async (nonce: string, credentials: string[], options: { iat?: number } = {}) =>
      new SignJWT({
        nonce,
        vp: {
          "@context": ["https://www.w3.org/2018/credentials/v1"],
          type: ["VerifiablePresentation"],
          verifiableCredential: credentials,
        },
      })
        .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: `${holderDid}#0` })
        .setIssuer(holderDid)
        .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
        .sign(holderKey);

    const ask = async (vp: (corrUUID: string) => Promise<string>) => {
      const corrUUID = randomUUID();
      return get(verifyPath(active, 0, { corrUUID }), withToken(await vp(corrUUID)));
    };
    const refusedWith = async (vp: (corrUUID: string) => Promise<string>, pattern: RegExp) => {
      const { status, body } = await ask(vp);
      assert.equal(status, 403, JSON.stringify(body));
      assert.match((body.error as { message: string }).message, pattern);
    };

    before(async () => {
      const issuer = await generateKeyPair("ES256");
      issuerKey = issuer.privateKey;
      issuerDid = "did:web:issuer.example";
      const holder = await generateKeyPair("ES256");
      holderKey = holder.privateKey;
      holderDid = didJwk(await exportJWK(holder.publicKey));
      strangerKey = (await generateKeyPair("ES256")).privateKey;
      setEnv(
        "PEDIGREE_VRS_TRUSTED_ISSUERS",
        JSON.stringify([{ id: issuerDid, name: "Example credential issuer", jwk: await exportJWK(issuer.publicKey) }]),
      );
    });

    it("an identity and a DSCSA ATP credential from a trusted issuer, bound to corrUUID, is answered", async () => {
      const { status, body } = await ask(async (corrUUID) =>
        presentation(corrUUID, [
          await credential("IdentityCredential", { gln: partnerGln }),
          await credential("DSCSAATPCredential"),
        ]),
      );
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(body.data, { verified: true });
    });

    it("is refused (403) when any check fails: nonce, issuer, signature, expiry, revocation, holder, kinds, GLN", async () => {
      const both = async (options: Parameters<typeof credential>[1] = {}) => [
        await credential("IdentityCredential", { gln: partnerGln, ...options }),
        await credential("DSCSAATPCredential", options),
      ];
      await refusedWith(async () => presentation(randomUUID(), await both()), /nonce/);
      await refusedWith(
        async (id) => presentation(id, await both({ iss: "did:web:untrusted.example" })),
        /does not trust/,
      );
      await refusedWith(async (id) => presentation(id, await both({ key: strangerKey })), /does not verify/);
      await refusedWith(
        async (id) => presentation(id, await both({ exp: Math.floor(Date.now() / 1000) - 3600 })),
        /does not verify/,
      );
      await refusedWith(
        async (id) => presentation(id, await both({ subject: "did:web:someone-else.example" })),
        /another subject/,
      );
      await refusedWith(
        async (id) => presentation(id, [await credential("IdentityCredential", { gln: partnerGln })]),
        /DSCSAATPCredential/,
      );
      await refusedWith(
        async (id) =>
          presentation(id, [
            await credential("IdentityCredential", { gln: world.parties.harbour.gln }),
            await credential("DSCSAATPCredential"),
          ]),
        /reqGLN/,
      );
      await refusedWith(
        async (id) => presentation(id, await both(), { iat: Math.floor(Date.now() / 1000) - 3600 }),
        /does not verify/,
      );
      setEnv("PEDIGREE_VRS_REVOKED_CREDENTIALS", "urn:uuid:revoked-atp");
      try {
        await refusedWith(
          async (id) =>
            presentation(id, [
              await credential("IdentityCredential", { gln: partnerGln }),
              await credential("DSCSAATPCredential", { jti: "urn:uuid:revoked-atp" }),
            ]),
          /revoked/,
        );
      } finally {
        setEnv("PEDIGREE_VRS_REVOKED_CREDENTIALS", undefined);
      }
      const forged = await get(verifyPath(active, 0), withToken("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.c2ln"));
      assert.equal(forged.status, 403, JSON.stringify(forged.body));
    });
  });
});
