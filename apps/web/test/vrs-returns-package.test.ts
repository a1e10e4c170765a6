/**
 * Saleable returns on the package-level ledger (src/server/vrs/returns.ts): a pharmacy's return
 * names its packs, so a distributor's verification counts for the pack it names only, a pack the
 * return does not carry is refused, the status lists each pack still to verify, and a partial
 * receipt needs passing answers for the packs it takes only. Against Pedigree's own responder,
 * over HTTP, with the credential the manufacturer issued; vrs-requester.test.ts has the client,
 * the directory and the count ledger's returns.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { gs1CheckDigit, toHri } from "@pedigree/gs1";
import { createPackageLedgerWriter, type PackageLedgerWriter } from "@pedigree/ledger";
import type { Account, Chain, Hex, Transport, WalletClient } from "viem";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { attachWriteService, WriteService } from "../src/server/signer/service.ts";
import { localSigner } from "../src/server/signer/signer.ts";
import { APP_SRC, resolveAppModules } from "./support/app-modules.ts";
import { startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { COMPANY_PREFIXES, createWorld, type World, type WorldBatch, type WorldParty } from "./support/world.ts";

resolveAppModules();

const ROUTES = {
  "/vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]": "vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]",
  "/api/auth/nonce": "api/auth/nonce",
  "/api/auth/verify": "api/auth/verify",
  "/api/vrs-credentials": "api/vrs-credentials",
  "/api/vrs-directory": "api/vrs-directory",
  "/api/vrs-requester-credentials": "api/vrs-requester-credentials",
  "/api/shipments/[id]/verifications": "api/shipments/[id]/verifications",
  "/api/writes": "api/writes",
};

function sscc(reference: number): string {
  const body = "3" + COMPANY_PREFIXES.acme + String(reference).padStart(16 - COMPANY_PREFIXES.acme.length, "0");
  return body + String(gs1CheckDigit(body));
}

describe(`saleable returns on the package-level ledger (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let service: WriteService | undefined;
  let batch: WorldBatch;
  let suspect: WorldBatch;
  let returnId: Hex;
  let tokens: Record<"acme" | "northwind", string>;
  const [case1, case2] = [sscc(9001), sscc(9002)];
  const env: Record<string, string | undefined> = {};
  const writers = new Map<WorldParty, PackageLedgerWriter>();
  const as = (party: WorldParty): PackageLedgerWriter => {
    let writer = writers.get(party);
    if (writer === undefined) {
      writer = createPackageLedgerWriter({
        publicClient: chain.publicClient,
        walletClient: chain.wallet(party.account) as WalletClient<Transport, Chain | undefined, Account>,
        address: chain.address,
      });
      writers.set(party, writer);
    }
    return writer;
  };

  async function call(
    method: string,
    route: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
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
  const code = (b: WorldBatch, index: number) =>
    toHri({
      gtin: b.gtin,
      lot: b.lot,
      serial: b.manifest.serials[index]!,
      expiry: { raw: String(b.expiry).slice(2), date: "" },
    });
  const verify = (b: WorldBatch, index: number) =>
    call("POST", `/api/shipments/${returnId}/verifications`, tokens.northwind, { code: code(b, index) });
  const status = () => call("GET", `/api/shipments/${returnId}/verifications`, tokens.northwind);
  /** Northwind's receipt through the write API: `units` and `packs` received, the rest rejected or left. */
  const receive = (
    received: { units?: string[]; packs?: { gtin: string; lot: string; serial: string }[] },
    rejected?: { units?: string[]; packs?: { gtin: string; lot: string; serial: string }[] },
  ) =>
    call(
      "POST",
      "/api/writes",
      tokens.northwind,
      {
        operation: "receive",
        arguments: {
          shipmentId: returnId,
          units: received.units ?? [],
          packs: received.packs ?? [],
          ...(rejected === undefined ? {} : { rejected, reason: "Failed verification with its manufacturer" }),
        },
      },
      { "idempotency-key": randomUUID() },
    );
  const pack = (b: WorldBatch, index: number) => ({ gtin: b.gtin, lot: b.lot, serial: b.manifest.serials[index]! });

  before(async () => {
    for (const [name, value] of [
      ["PEDIGREE_VERIFY_RATE_LIMIT", "off"],
      ["PEDIGREE_SECRET_KEY", randomBytes(32).toString("hex")],
    ] as const) {
      env[name] = process.env[name];
      process.env[name] = value;
    }
    [chain, database] = await Promise.all([startTestChain({ contract: "PedigreePackageLedger" }), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({ database, target: chain.target });
    const { acme, northwind, central, regulator } = world.parties;
    const product = await world.registerProduct(acme, { name: "Amoxicillin" });
    const prefixLength = COMPANY_PREFIXES.acme.length;
    batch = await world.registerBatch(acme, product, { lot: "PRET-1", packs: 20 });
    suspect = await world.registerBatch(acme, product, { lot: "PRET-2", packs: 2 });
    for (const b of [batch, suspect]) await storeWorldManifest(ctx.db, b);

    // Two cases of five and three loose packs, Acme -> Northwind -> Central, and back as a return.
    await as(acme).packRange({ sscc: case1, prefixLength, batch: batch.batchId, count: 5 });
    await as(acme).packRange({ sscc: case2, prefixLength, batch: batch.batchId, count: 5 });
    const loose = [
      { batch: batch.batchId, index: 10 },
      { batch: suspect.batchId, index: 0 },
    ];
    const items = { units: [case1, case2], packs: loose };
    for (const [from, to, reference] of [
      [acme, northwind, "ASN-1"],
      [northwind, central, "ASN-2"],
    ] as const) {
      const { shipmentId } = await as(from).ship({ to: to.address, reference, ...items });
      await as(to).receiveShipment({ shipmentId, received: items });
    }
    ({ shipmentId: returnId } = await as(central).ship({ to: northwind.address, reference: "RMA-7", ...items }));
    // Suspended while the return travels: its manufacturer's responder answers Suspect.
    await as(regulator).suspendBatch({ batch: suspect.batchId, reason: "Under investigation" });
    await syncToHead(ctx, { confirmations: 0 });

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
      return attempt.body.token as string;
    };
    tokens = { acme: await session(acme), northwind: await session(northwind) };
    const directory = await call("PUT", "/api/vrs-directory", tokens.acme, {
      prefix: COMPANY_PREFIXES.acme,
      responderUrl: `${server.url}/vrs`,
    });
    assert.equal(directory.status, 200, JSON.stringify(directory.body));
    const issued = await call("POST", "/api/vrs-credentials", tokens.acme, {
      partnerGln: northwind.gln,
      label: "Northwind returns",
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const stored = await call("PUT", "/api/vrs-requester-credentials", tokens.northwind, {
      responderUrl: `${server.url}/vrs`,
      token: issued.body.token,
    });
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
  });

  after(async () => {
    await service?.stop();
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("lists each pack the return carries, and names those still to verify", async () => {
    const before = await status();
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.deepEqual([before.body.isReturn, before.body.receivable, before.body.status], [true, false, "PENDING"]);
    assert.deepEqual(
      before.body.packs.map((p: { serial: string; unit: string | null; outcome: string | null }) => [
        p.serial,
        p.unit,
        p.outcome,
      ]),
      [
        ...[0, 1, 2, 3, 4].map((i) => [batch.manifest.serials[i], case1, null]),
        ...[5, 6, 7, 8, 9].map((i) => [batch.manifest.serials[i], case2, null]),
        [batch.manifest.serials[10], null, null],
        [suspect.manifest.serials[0], null, null],
      ],
    );
    assert.deepEqual(
      before.body.lines
        .map((l: { lot: string; quantity: number; unverified: number }) => [l.lot, l.quantity, l.unverified])
        .sort(),
      [
        [batch.lot, 11, 11],
        [suspect.lot, 1, 1],
      ],
    );
    assert.match(
      before.body.blocking.join("; "),
      new RegExp(
        `11 of 11 pack\\(s\\) of GTIN ${batch.gtin}, lot ${batch.lot} have no passing verification \\(serials ${batch.manifest.serials[0]}, .* and 6 more\\)`,
      ),
    );
  });

  it("refuses to verify a pack of the same lot that the return does not carry", async () => {
    const elsewhere = await verify(batch, 15);
    assert.equal(elsewhere.status, 422, JSON.stringify(elsewhere.body));
    assert.equal(elsewhere.body.error.code, "PACK_NOT_IN_SHIPMENT");
    assert.match(
      elsewhere.body.error.message,
      new RegExp(`Serial ${batch.manifest.serials[15]} .* is not among the packs this return still carries`),
    );
    assert.equal((await status()).body.verifications.length, 0, "nothing recorded");
  });

  it("receives the packs that passed, and refuses a receipt that takes one without a passing answer", async () => {
    for (const index of [0, 1, 2, 3, 4, 10]) {
      const answer = await verify(batch, index);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.verification.outcome, "PASSED", JSON.stringify(answer.body.verification));
    }
    const failing = await verify(suspect, 0);
    assert.equal(failing.body.verification.outcome, "FAILED");
    assert.equal(failing.body.verification.additionalInfo, "Suspect");

    const all = await receive({ units: [case1, case2], packs: [pack(batch, 10), pack(suspect, 0)] });
    assert.equal(all.status, 409, JSON.stringify(all.body));
    assert.equal(all.body.error.code, "RETURN_NOT_VERIFIED");
    assert.match(
      all.body.error.message,
      new RegExp(`pack ${suspect.manifest.serials[0]} .*failed verification \\(Suspect\\)`),
    );
    assert.match(
      all.body.error.message,
      new RegExp(`5 of 11 pack\\(s\\) .* \\(serials ${batch.manifest.serials[5]}, `),
    );
    const withCase2 = await receive({ units: [case1, case2] });
    assert.equal(withCase2.status, 409, "case 2's packs have no answer");
    assert.doesNotMatch(withCase2.body.error.message, /failed verification/, "the suspect pack is not taken");

    // Case 1 and the passing loose pack in; the suspect pack refused; case 2 stays in transit for now.
    const part = await receive({ units: [case1], packs: [pack(batch, 10)] }, { packs: [pack(suspect, 0)] });
    assert.equal(part.status, 202, JSON.stringify(part.body));
  });

  it("after a partial receipt, checks what is still in transit only", async () => {
    let after = await status();
    for (let tries = 0; after.body.packs.length !== 5 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await syncToHead(ctx, { confirmations: 0 });
      after = await status();
    }
    assert.deepEqual(
      after.body.packs.map((p: { serial: string; unit: string | null }) => [p.serial, p.unit]),
      [5, 6, 7, 8, 9].map((i) => [batch.manifest.serials[i], case2]),
      "case 2 is still in transit",
    );
    assert.deepEqual([after.body.status, after.body.receivable], ["PENDING", false]);
    assert.doesNotMatch(after.body.blocking.join("; "), /failed verification/, "the refused pack is settled");
    for (const index of [5, 6, 7, 8, 9]) assert.equal((await verify(batch, index)).body.verification.outcome, "PASSED");
    const ready = await status();
    assert.deepEqual([ready.body.receivable, ready.body.blocking], [true, []]);
    assert.equal((await receive({ units: [case2] })).status, 202);
  });
});
