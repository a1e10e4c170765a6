/**
 * The dashboard's one write path (src/lib/tx/write-path.ts) against a real local chain and the
 * real write API: a form's write, stated once as the write API's operation and arguments, goes
 * through the organisation's server when this server holds its key (checking → queued → pending
 * with the hash → confirmed in its block, the write recording who asked) and through the browser
 * wallet otherwise (checking → signing → pending → confirmed), with the same call on the ledger;
 * a refusal is explained in plain words on both paths and nothing is queued or signed; a write
 * the server may not sign (a token's missing scope, a key it does not hold) says so.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getAddress, zeroAddress, type Hex } from "viem";
import { gs1CheckDigit } from "@pedigree/gs1";
import { pedigreeLedgerAbi, type LedgerErrorLookup } from "@pedigree/ledger";
import type { TxPhase } from "../../src/lib/tx/run.ts";
import { runServerWrite } from "../../src/lib/tx/server-write.ts";
import {
  chooseWritePath,
  runDashboardWrite,
  type DashboardWriteDeps,
  type SigningAnswer,
} from "../../src/lib/tx/write-path.ts";
import type { CountWrite, PackageWrite, PackLocator } from "../../src/lib/tx/writes.ts";
import { createAppContext, type AppContext } from "../../src/server/context.ts";
import { syncToHead } from "../../src/server/indexer/sync.ts";
import { packWhereabouts, unitWhereabouts } from "../../src/server/read/custody.ts";
import { attachWriteService, WriteService } from "../../src/server/signer/service.ts";
import { localSigner } from "../../src/server/signer/signer.ts";
import { resolveAppModules } from "../support/app-modules.ts";
import { startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "../support/chain.ts";
import { openTestDatabase } from "../support/database.ts";
import { storeWorldManifest } from "../support/manifests.ts";
import { startTestServer, type RouteModule, type TestServer } from "../support/server.ts";
import { signInAs } from "../support/signIn.ts";
import {
  createWorld,
  gtinUnder,
  COMPANY_PREFIXES,
  type World,
  type WorldBatch,
  type WorldParty,
} from "../support/world.ts";

const signing = (overrides: Partial<SigningAnswer> = {}): SigningAnswer => ({
  organisation: "0x00000000000000000000000000000000000000A1",
  signsHere: true,
  ledger: "count",
  operations: ["ship", "dispense"],
  ...overrides,
});
const ship: CountWrite = {
  operation: "ship",
  arguments: { to: zeroAddress, reference: "ASN-1", lines: [{ gtin: "09520120000010", lot: "L1", quantity: 1 }] },
};

describe("who signs a dashboard write", () => {
  it("the organisation's server when it holds the key and has the operation", () => {
    assert.equal(chooseWritePath(ship, signing(), undefined), "server");
    assert.equal(chooseWritePath(ship, signing(), "0x00000000000000000000000000000000000000a1"), "server");
  });

  it("the wallet when the server holds no key, or there is no session to ask with", () => {
    assert.equal(chooseWritePath(ship, signing({ signsHere: false, operations: [] }), undefined), "wallet");
    assert.equal(chooseWritePath(ship, null, undefined), "wallet");
  });

  it("the organisation's own wallet for an operation the server may not ask for; the server says why without one", () => {
    const own = "0x00000000000000000000000000000000000000a1";
    assert.equal(chooseWritePath(ship, signing({ operations: ["dispense"] }), own), "wallet");
    assert.equal(chooseWritePath(ship, signing({ operations: ["dispense"] }), undefined), "server");
  });

  it("the server for a write stated for its ledger; the wallet for one stated for the other ledger", () => {
    const shipCase: PackageWrite = {
      ledger: "package",
      operation: "ship",
      arguments: { to: zeroAddress, reference: "ASN-1", units: ["095201200000000018"] },
    };
    assert.equal(chooseWritePath(shipCase, signing({ ledger: "package" }), undefined), "server");
    assert.equal(chooseWritePath(ship, signing({ ledger: "package" }), undefined), "wallet");
    assert.equal(chooseWritePath(shipCase, signing({ ledger: "count" }), undefined), "wallet");
  });

  it("the wallet when it is connected with another account than the session's organisation", () => {
    assert.equal(chooseWritePath(ship, signing(), "0x00000000000000000000000000000000000000b2"), "wallet");
  });

  it("the wallet for the administrator's steps, which the write API has no operation for", () => {
    const pause = { operation: "wallet-only" as const, call: { functionName: "pause" as const, args: ["x"] as const } };
    assert.equal(chooseWritePath(pause, signing({ operations: ["pause"] }), undefined), "wallet");
  });
});

describe("a form's write through the organisation's server or the wallet, on a local chain", () => {
  let chain: TestChain;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let service: WriteService;
  let acme: WorldParty;
  let northwind: WorldParty;
  let central: WorldParty;
  let batch: WorldBatch;
  const sessions = new Map<string, string>();
  let item = 900;

  async function sessionOf(party: WorldParty): Promise<string> {
    let token = sessions.get(party.address);
    if (token === undefined) {
      const attempt = await signInAs(server.url, party.account);
      assert.equal(attempt.status, 200, JSON.stringify(attempt.body));
      token = attempt.body.token;
      sessions.set(party.address, token);
    }
    return token;
  }

  /** A fetch that carries `token` as the page's own carries its session cookie. */
  const fetchAs =
    (token: string): typeof fetch =>
    (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` },
      });

  /** GET /api/packs/proof, as the page's wallet path finds a pack. */
  const locate: PackLocator = async (pack) => {
    const code = `https://id.gs1.org/01/${pack.gtin}/10/${pack.lot}/21/${pack.serial}`;
    const response = await fetch(`${server.url}/api/packs/proof?code=${encodeURIComponent(code)}`);
    const body = (await response.json()) as { error?: { message: string } } & Awaited<ReturnType<PackLocator>>;
    if (!response.ok) throw new Error(body.error?.message);
    return body;
  };

  /** Names for the wallet path's explanations, as the page's useErrorLookup gives them from its reads. */
  const lookup: LedgerErrorLookup = {
    party: (address) => {
      const party = Object.values(world.parties).find((p) => p.address.toLowerCase() === address.toLowerCase());
      return party && { name: party.legalName, gln: party.gln };
    },
    batch: (batchId) =>
      batchId.toLowerCase() === batch.batchId.toLowerCase() ? { gtin: batch.gtin, lot: batch.lot } : undefined,
  };

  /** The hook's wiring (use-ledger-write.ts) for `party`, signed in, with its wallet connected. */
  async function depsFor(party: WorldParty, wallet: WorldParty | null = party): Promise<DashboardWriteDeps> {
    const token = await sessionOf(party);
    return {
      signing: async () => {
        const response = await fetchAs(token)(`${server.url}/api/signing`);
        return response.ok ? ((await response.json()) as SigningAnswer) : null;
      },
      walletAccount: wallet?.address,
      wallet: async () => {
        if (wallet === null) throw new Error("Sign in first (the Sign in button at the top).");
        return {
          publicClient: chain.publicClient,
          walletClient: chain.wallet(wallet.account),
          ledgerAddress: chain.address,
          lookup,
        };
      },
      locate,
      server: { origin: server.url, fetch: fetchAs(token), intervalMs: 50, timeoutMs: 30_000 },
    };
  }

  const newProduct = (): CountWrite => ({
    operation: "register-product",
    arguments: {
      gtin: gtinUnder(COMPANY_PREFIXES.acme, ++item),
      name: `Servamol ${item}`,
      strength: "5 mg",
      dosageForm: "tablet",
    },
  });

  const productManufacturer = async (gtin: string) =>
    (
      await chain.publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "product",
        args: [BigInt(gtin)],
      })
    ).manufacturer;

  const writesOf = async (party: WorldParty) => {
    const response = await fetchAs(await sessionOf(party))(`${server.url}/api/writes`);
    assert.equal(response.status, 200);
    return (
      (await response.json()) as {
        writes: { id: number; operation: string; status: string; requestedBy: { kind: string; label: string } }[];
      }
    ).writes;
  };

  before(async () => {
    const database = await openTestDatabase();
    chain = await startTestChain();
    world = await createWorld(chain);
    ({ acme, northwind, central } = world.parties);
    const product = await world.registerProduct(acme, { name: "Counteramol", strength: "1 mg", dosageForm: "tablet" });
    batch = await world.registerBatch(acme, product, { lot: "SRV1", packs: 12 });
    await world.receive(await world.ship(acme, central, [{ batch, quantity: 6 }]));
    ctx = await createAppContext({ target: chain.target, database });
    await storeWorldManifest(database.db, batch);
    await syncToHead(ctx);
    // This server holds the keys of Acme and Central Pharmacy; Northwind signs with its wallet.
    const keyOf = (party: WorldParty) =>
      localSigner(TEST_PRIVATE_KEYS[chain.accounts.findIndex((account) => account.address === party.address)]!);
    service = attachWriteService(
      ctx,
      new WriteService(ctx, [keyOf(acme), keyOf(central)], { pollIntervalMs: 20 }).start(),
    );
    resolveAppModules();
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../../src/app/api/auth/verify/route.ts"),
        "/api/signing": await import("../../src/app/api/signing/route.ts"),
        "/api/writes": await import("../../src/app/api/writes/route.ts"),
        "/api/writes/[id]": (await import("../../src/app/api/writes/[id]/route.ts")) as unknown as RouteModule,
        "/api/tokens": await import("../../src/app/api/tokens/route.ts"),
        "/api/packs/proof": await import("../../src/app/api/packs/proof/route.ts"),
      },
    });
  });
  after(async () => {
    await service?.stop();
    await server?.stop();
    await ctx?.database.close();
    await chain?.stop();
  });

  it("GET /api/signing says whether the server signs for the organisation, and refuses the anonymous", async () => {
    const acmeAnswer = (await (
      await fetchAs(await sessionOf(acme))(`${server.url}/api/signing`)
    ).json()) as SigningAnswer;
    assert.equal(acmeAnswer.signsHere, true);
    assert.equal(getAddress(acmeAnswer.organisation), acme.address);
    assert.equal(acmeAnswer.ledger, "count");
    assert.ok(acmeAnswer.operations.includes("register-product") && acmeAnswer.operations.includes("dispense"));
    const northwindAnswer = (await (
      await fetchAs(await sessionOf(northwind))(`${server.url}/api/signing`)
    ).json()) as SigningAnswer;
    assert.equal(northwindAnswer.signsHere, false);
    assert.deepEqual(northwindAnswer.operations, []);
    const anonymous = await fetch(`${server.url}/api/signing`);
    assert.equal(anonymous.status, 401);
  });

  it("goes through the server when it holds the key: queued, pending with the hash, confirmed; the write names who asked", async () => {
    const write = newProduct();
    const phases: TxPhase[] = [];
    // No wallet at all: a person signed in for the organisation acts without one.
    const result = await runDashboardWrite(await depsFor(acme, null), write, (phase) => phases.push(phase));
    assert.equal(result.ok, true, result.ok ? "" : result.message);
    assert.equal(result.path, "server");
    const names = phases.map((phase) => phase.phase);
    assert.equal(names[0], "checking");
    assert.equal(names[1], "queued", `the write is queued first: ${names.join(", ")}`);
    assert.equal(names.at(-1), "confirmed");
    assert.ok(!names.includes("signing"), "no wallet signature is asked for");
    const confirmed = phases.at(-1) as Extract<TxPhase, { phase: "confirmed" }>;
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: confirmed.hash });
    assert.equal(receipt.blockNumber, confirmed.blockNumber);
    assert.equal(getAddress(receipt.from), acme.address, "signed with the organisation's key");
    if (write.operation !== "register-product") throw new Error("unreachable");
    assert.equal(await productManufacturer(write.arguments.gtin), acme.address);
    const queued = phases[1] as Extract<TxPhase, { phase: "queued" }>;
    const recorded = (await writesOf(acme)).find((row) => row.id === queued.writeId);
    assert.equal(recorded?.operation, "register-product");
    assert.equal(recorded?.status, "confirmed");
    assert.deepEqual(
      { kind: recorded?.requestedBy.kind, label: recorded?.requestedBy.label },
      {
        kind: "person",
        label: acme.legalName,
      },
    );
  });

  it("a pharmacy's dispense through the server: the pack is found in the server's serial list", async () => {
    const serial = batch.manifest.serials[0]!;
    const result = await runDashboardWrite(await depsFor(central), {
      operation: "dispense",
      arguments: { gtin: batch.gtin, lot: batch.lot, serial },
    });
    assert.equal(result.ok, true, result.ok ? "" : result.message);
    assert.equal(result.path, "server");
    assert.equal((await world.packRecord(batch, 0)).state, "DISPENSED");
  });

  it("explains a refusal through the server in plain words, and queues nothing", async () => {
    const before = (await writesOf(central)).length;
    const phases: TxPhase[] = [];
    // Central dispensed pack 0 above: dispensing it again is refused by the ledger.
    const result = await runDashboardWrite(
      await depsFor(central),
      { operation: "dispense", arguments: { gtin: batch.gtin, lot: batch.lot, serial: batch.manifest.serials[0]! } },
      (phase) => phases.push(phase),
    );
    assert.equal(result.ok, false);
    assert.equal(result.path, "server");
    assert.deepEqual(
      phases.map((phase) => phase.phase),
      ["checking", "failed"],
    );
    assert.ok(!result.ok && result.errorName, `the ledger's error is named: ${JSON.stringify(result)}`);
    assert.doesNotMatch(result.ok ? "" : result.message, /0x[0-9a-f]{8}/i, "no raw selector or hex in the message");
    assert.equal((await writesOf(central)).length, before, "a refused write is not queued, nor retried");
  });

  it("goes through the wallet when the server holds no key: checking, signing, pending, confirmed", async () => {
    const phases: TxPhase[] = [];
    const shipment = await world.ship(acme, northwind, [{ batch, quantity: 2 }]);
    const result = await runDashboardWrite(
      await depsFor(northwind),
      {
        operation: "receive",
        arguments: {
          shipmentId: shipment.shipmentId,
          from: acme.address,
          lines: [{ gtin: batch.gtin, lot: batch.lot, quantity: 2 }],
        },
      },
      (phase) => phases.push(phase),
    );
    assert.equal(result.ok, true, result.ok ? "" : result.message);
    assert.equal(result.path, "wallet");
    assert.deepEqual(
      phases.map((phase) => phase.phase),
      ["checking", "signing", "pending", "confirmed"],
    );
    assert.equal(await world.unitsHeld(batch, northwind), 2);
    assert.deepEqual(await writesOf(northwind), [], "nothing went through the server's queue");
  });

  it("derives the wallet's call of a pack write from the same description, the pack found through the API", async () => {
    // Northwind holds two units of the batch now (received above): it records a pack of it destroyed.
    const result = await runDashboardWrite(await depsFor(northwind), {
      operation: "decommission",
      arguments: { gtin: batch.gtin, lot: batch.lot, serial: batch.manifest.serials[6]!, state: "DESTROYED" },
    });
    assert.equal(result.ok, true, result.ok ? "" : result.message);
    assert.equal(result.path, "wallet");
    const pack = await world.packRecord(batch, 6);
    assert.equal(pack.state, "DESTROYED");
    assert.equal(getAddress(pack.by), northwind.address);
  });

  it("says what is wrong when the wallet path cannot find the pack, before anything is signed", async () => {
    const phases: TxPhase[] = [];
    const result = await runDashboardWrite(
      await depsFor(northwind),
      { operation: "dispense", arguments: { gtin: batch.gtin, lot: batch.lot, serial: "NOSUCHSERIAL" } },
      (phase) => phases.push(phase),
    );
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.message, /Serial NOSUCHSERIAL is not in the serial list/);
    assert.deepEqual(
      phases.map((phase) => phase.phase),
      ["failed"],
    );
  });

  it("explains a refusal on the wallet path before anything is signed", async () => {
    const phases: TxPhase[] = [];
    const result = await runDashboardWrite(
      await depsFor(northwind),
      { operation: "recall", arguments: { gtin: batch.gtin, lot: batch.lot, reason: "Not Northwind's to recall" } },
      (phase) => phases.push(phase),
    );
    assert.equal(result.ok, false);
    assert.equal(result.path, "wallet");
    assert.deepEqual(
      phases.map((phase) => phase.phase),
      ["checking", "failed"],
    );
    assert.ok(!result.ok && result.errorName, "the custom error is decoded");
    assert.doesNotMatch(result.ok ? "" : result.message, /0x[0-9a-f]{8}/i);
  });

  it("says so when the server holds no key for the organisation (a write sent there anyway)", async () => {
    const phases: TxPhase[] = [];
    const result = await runServerWrite(newProduct(), (phase) => phases.push(phase), {
      origin: server.url,
      fetch: fetchAs(await sessionOf(northwind)),
    });
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.message, /does not hold the key of Northwind/);
    assert.match(result.ok ? "" : result.message, /Write with your wallet/);
    assert.deepEqual(
      phases.map((phase) => phase.phase),
      ["checking", "failed"],
    );
  });

  it("says so when a token lacks the operation's scope, which the organisation's own wallet then signs", async () => {
    const issued = await fetchAs(await sessionOf(acme))(`${server.url}/api/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ label: "label printer", scopes: ["ship"] }),
    });
    assert.equal(issued.status, 201, await issued.clone().text());
    const { token } = (await issued.json()) as { token: string };
    const result = await runServerWrite(newProduct(), undefined, { origin: server.url, fetch: fetchAs(token) });
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.message, /may not register products: that needs the scope 'register-product'/);
    const answer = (await (await fetchAs(token)(`${server.url}/api/signing`)).json()) as SigningAnswer;
    assert.deepEqual(answer.operations, ["ship", "cancel-shipment"]);
    assert.equal(chooseWritePath(newProduct(), answer, acme.address), "wallet", "the organisation's wallet may");
  });

  it("says the server cannot be reached when it cannot, after trying again with the same key", async () => {
    const keys = new Set<string>();
    let attempts = 0;
    const result = await runServerWrite(newProduct(), undefined, {
      origin: server.url,
      intervalMs: 10,
      fetch: async (_input, init) => {
        attempts++;
        keys.add(new Headers(init?.headers).get("idempotency-key") ?? "");
        throw new TypeError("fetch failed");
      },
    });
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.message, /cannot be reached/);
    assert.equal(attempts, 3);
    assert.equal(keys.size, 1, "sent again with the same Idempotency-Key, so it is never recorded twice");
  });
});

describe("a package-ledger write on the same path: the server's queue or the wallet, one description", () => {
  let chain: TestChain;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let service: WriteService;
  let batch: WorldBatch;

  before(async () => {
    const database = await openTestDatabase();
    chain = await startTestChain({ contract: "PedigreePackageLedger" });
    world = await createWorld(chain);
    const product = await world.registerProduct(world.parties.acme, { name: "Packamol" });
    batch = await world.registerBatch(world.parties.acme, product, { lot: "PKW1", packs: 10 });
    ctx = await createAppContext({ target: chain.target, database });
    await storeWorldManifest(database.db, batch);
    await syncToHead(ctx);
    // The server holds Acme's key; Northwind signs with its wallet.
    const acmeKey = TEST_PRIVATE_KEYS[chain.accounts.findIndex((a) => a.address === world.parties.acme.address)]!;
    service = attachWriteService(ctx, new WriteService(ctx, [localSigner(acmeKey)], { pollIntervalMs: 20 }).start());
    resolveAppModules();
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../../src/app/api/auth/verify/route.ts"),
        "/api/signing": await import("../../src/app/api/signing/route.ts"),
        "/api/writes": await import("../../src/app/api/writes/route.ts"),
        "/api/writes/[id]": (await import("../../src/app/api/writes/[id]/route.ts")) as unknown as RouteModule,
        "/api/packs/proof": await import("../../src/app/api/packs/proof/route.ts"),
      },
    });
  });
  after(async () => {
    await service?.stop();
    await server?.stop();
    await ctx?.database.close();
    await chain?.stop();
  });

  async function depsFor(party: WorldParty): Promise<DashboardWriteDeps> {
    const attempt = await signInAs(server.url, party.account);
    assert.equal(attempt.status, 200, JSON.stringify(attempt.body));
    const session: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${attempt.body.token}` },
      });
    return {
      signing: async () => {
        const response = await session(`${server.url}/api/signing`);
        return response.ok ? ((await response.json()) as SigningAnswer) : null;
      },
      walletAccount: party.address,
      wallet: async () => ({
        publicClient: chain.publicClient,
        walletClient: chain.wallet(party.account),
        ledgerAddress: chain.address,
      }),
      locate: async (pack) => {
        const code = `https://id.gs1.org/01/${pack.gtin}/10/${pack.lot}/21/${pack.serial}`;
        const response = await fetch(`${server.url}/api/packs/proof?code=${encodeURIComponent(code)}`);
        const body = (await response.json()) as { error?: { message: string } } & Awaited<ReturnType<PackLocator>>;
        if (!response.ok) throw new Error(body.error?.message);
        return body;
      },
      server: { origin: server.url, fetch: session, intervalMs: 50, timeoutMs: 30_000 },
    };
  }

  const sscc = (serial: number) => {
    const body = "1" + COMPANY_PREFIXES.acme + String(serial).padStart(16 - COMPANY_PREFIXES.acme.length, "0");
    return body + String(gs1CheckDigit(body));
  };

  it("packs and ships a case through the server, receives it and takes a pack out of it through the wallet", async () => {
    const { acme, northwind } = world.parties;
    const caseSscc = sscc(41);
    const asAcme = await depsFor(acme);
    const packed = await runDashboardWrite(asAcme, {
      ledger: "package",
      operation: "pack-range",
      arguments: {
        sscc: caseSscc,
        prefixLength: COMPANY_PREFIXES.acme.length,
        gtin: batch.gtin,
        lot: batch.lot,
        count: 6,
      },
    });
    assert.equal(packed.ok, true, packed.ok ? "" : packed.message);
    assert.equal(packed.path, "server");
    const shipped = await runDashboardWrite(asAcme, {
      ledger: "package",
      operation: "ship",
      arguments: { to: northwind.address, reference: "PKW-ASN-1", units: [caseSscc] },
    });
    assert.equal(shipped.ok, true, shipped.ok ? "" : shipped.message);
    await syncToHead(ctx);
    const inTransit = (await unitWhereabouts(ctx.db, caseSscc))!;
    assert.equal(inTransit.place, "IN_TRANSIT");

    const asNorthwind = await depsFor(northwind);
    const received = await runDashboardWrite(asNorthwind, {
      ledger: "package",
      operation: "receive",
      arguments: { shipmentId: inTransit.shipmentId as Hex, units: [caseSscc] },
    });
    assert.equal(received.ok, true, received.ok ? "" : received.message);
    assert.equal(received.path, "wallet", "the server holds no key of Northwind's");
    // A pack named by its serial (found through the API) and the case it is in.
    const destroyed = await runDashboardWrite(asNorthwind, {
      ledger: "package",
      operation: "decommission",
      arguments: {
        pack: { gtin: batch.gtin, lot: batch.lot, serial: batch.manifest.serials[2]!, unit: caseSscc },
        state: "DESTROYED",
      },
    });
    assert.equal(destroyed.ok, true, destroyed.ok ? "" : destroyed.message);
    await syncToHead(ctx);
    assert.equal((await unitWhereabouts(ctx.db, caseSscc))!.party, northwind.address.toLowerCase());
    const pack = (await packWhereabouts(ctx.db, batch.batchId, 2))!;
    assert.deepEqual(
      [pack.place, pack.state, pack.party],
      ["DECOMMISSIONED", "DESTROYED", northwind.address.toLowerCase()],
    );
  });

  it("quarantines a loose pack and ends it illegitimate through the server: the pack is destroyed", async () => {
    const asAcme = await depsFor(world.parties.acme);
    const pack = { gtin: batch.gtin, lot: batch.lot, serial: batch.manifest.serials[7]! };
    const quarantined = await runDashboardWrite(asAcme, {
      ledger: "package",
      operation: "quarantine",
      arguments: { packs: [pack], reason: "Label misprinted" },
    });
    assert.equal(quarantined.ok, true, quarantined.ok ? "" : quarantined.message);
    assert.equal(quarantined.path, "server");
    await syncToHead(ctx);
    assert.equal((await packWhereabouts(ctx.db, batch.batchId, 7))!.place, "QUARANTINED");
    const ended = await runDashboardWrite(asAcme, {
      ledger: "package",
      operation: "end-quarantine",
      arguments: { packs: [pack], outcome: "ILLEGITIMATE", reason: "Falsified" },
    });
    assert.equal(ended.ok, true, ended.ok ? "" : ended.message);
    await syncToHead(ctx);
    const where = (await packWhereabouts(ctx.db, batch.batchId, 7))!;
    assert.deepEqual([where.place, where.state], ["DECOMMISSIONED", "DESTROYED"]);
  });

  it("explains the package ledger's refusal on the wallet path, naming the pack's holder, before anything is signed", async () => {
    const { central } = world.parties;
    const result = await runDashboardWrite(await depsFor(central), {
      ledger: "package",
      operation: "dispense",
      arguments: { pack: { gtin: batch.gtin, lot: batch.lot, serial: batch.manifest.serials[8]! } },
    });
    assert.equal(result.ok, false);
    assert.equal(result.path, "wallet");
    assert.equal(result.ok ? "" : result.errorName, "PedigreePackNotHeld");
    // Acme packed a case of six; pack 8 is still loose with it.
    assert.match(result.ok ? "" : result.message, new RegExp(world.parties.acme.address.slice(2, 8), "i"));
  });
});
