/**
 * The organisation's server signer against a real local chain: keys from keystore files (and an
 * external JSON-RPC signer), the transaction queue per key (nonce order, restarts, reverts,
 * refusals, stuck transactions, one sender per key), system tokens with scopes, and the write API
 * (POST /api/writes, GET /api/writes/<id>) as a partner's system calls it.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { and, count, eq } from "drizzle-orm";
import fc from "fast-check";
import { parseTransaction, recoverTransactionAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { gs1CheckDigit } from "@pedigree/gs1";
import { pedigreeLedgerAbi } from "@pedigree/ledger";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import { openDatabase, type OpenedDatabase } from "../src/server/db/database.ts";
import { apiTokens, writeRequests, writeTransactions } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { createKeystore } from "../src/server/signer/keystore.ts";
import { enqueueWrite, requestHashOf, type WriteView } from "../src/server/signer/queue.ts";
import { attachWriteService, WriteService } from "../src/server/signer/service.ts";
import { connectExternalSigner, localSigner, signersFromEnv, type OrgSigner } from "../src/server/signer/signer.ts";
import type { QueueOptions } from "../src/server/signer/worker.ts";
import { ledgerArtifact, startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "./support/chain.ts";
import { createScratchDatabase, openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { parseCsv } from "./read-csv.ts";
import { rawRequest } from "./support/raw-request.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, glnOf, gtinUnder, COMPANY_PREFIXES, type World, type WorldParty } from "./support/world.ts";

const PASSPHRASE = "correct horse battery staple";
/** A low scrypt cost keeps each unlock to milliseconds; the format and the code path are the production ones. */
const TEST_SCRYPT_N = 1024;

/** Polls `read` until it gives a value (not undefined/false), or fails naming what it waited for. */
async function waitFor<T>(what: string, read: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    last = value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An environment of just these variables. */
const env = (variables: Record<string, string>): NodeJS.ProcessEnv => variables as NodeJS.ProcessEnv;

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T & { error?: { code: string; message: string; details?: unknown } };
  headers: Headers;
}

describe(`the organisation's server signer (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let workdir: string;
  let signers: OrgSigner[];
  let service: WriteService | undefined;
  let acme: WorldParty;
  let northwind: WorldParty;
  let central: WorldParty;
  const sessions = new Map<string, string>();
  let productCounter = 100;

  async function useService(options: Partial<QueueOptions> = {}, keys: OrgSigner[] = signers): Promise<WriteService> {
    await service?.stop();
    service = attachWriteService(ctx, new WriteService(ctx, keys, { pollIntervalMs: 20, ...options }).start());
    return service;
  }

  async function call<T = Record<string, unknown>>(
    method: string,
    route: string,
    options: { token?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] ??= "application/json";
    if (options.key !== undefined) headers["idempotency-key"] = options.key;
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, body: (await response.json()) as Answer<T>["body"], headers: response.headers };
  }

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

  async function tokenFor(party: WorldParty, scopes: string[], label = `system ${scopes.join("+")}`): Promise<string> {
    const answer = await call<{ token: string }>("POST", "/api/tokens", {
      token: await sessionOf(party),
      body: { label, scopes },
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body.token;
  }

  const write = (token: string, operation: string, args: unknown, key: string = randomUUID()) =>
    call<WriteView>("POST", "/api/writes", { token, key, body: { operation, arguments: args } });

  const newProduct = (manufacturer: "acme" | "borealis" = "acme") => ({
    gtin: gtinUnder(COMPANY_PREFIXES[manufacturer], ++productCounter),
    name: `Product ${productCounter}`,
    strength: "10 mg",
    dosageForm: "tablet",
  });

  async function row(id: number) {
    const [found] = await database.db.select().from(writeRequests).where(eq(writeRequests.id, id));
    assert.ok(found, `write ${id} is recorded`);
    return found;
  }

  const settled = (id: number, statuses: string[] = ["confirmed", "reverted", "refused"]) =>
    waitFor(`write ${id} to settle`, async () => {
      const found = await row(id);
      return statuses.includes(found.status) ? found : undefined;
    });

  const transactionsOf = (id: number) =>
    database.db.select().from(writeTransactions).where(eq(writeTransactions.requestId, id));

  const nonceOf = (address: Address) => chain.publicClient.getTransactionCount({ address, blockTag: "latest" });

  const productOnChain = async (gtin: string) =>
    (
      await chain.publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "product",
        args: [BigInt(gtin)],
      })
    ).manufacturer;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    ({ acme, northwind, central } = world.parties);
    ctx = await createAppContext({ target: chain.target, database });
    workdir = await mkdtemp(path.join(tmpdir(), "pedigree-signer-"));
    // The organisations' keys: the chain's funded accounts of acme, northwind and central, each in
    // its keystore file, all in one folder unlocked with one passphrase file (as a demo server would).
    const keys = path.join(workdir, "keys");
    await mkdir(keys);
    for (const party of [acme, northwind, central]) {
      const index = chain.accounts.findIndex((account) => account.address === party.address);
      const { json } = await createKeystore(PASSPHRASE, {
        privateKey: TEST_PRIVATE_KEYS[index] as Hex,
        scryptN: TEST_SCRYPT_N,
      });
      await writeFile(path.join(keys, `${party.legalName.replaceAll(" ", "-")}.json`), json);
    }
    await writeFile(path.join(workdir, "passphrase"), `${PASSPHRASE}\n`, { mode: 0o600 });
    signers = await signersFromEnv(
      env({
        PEDIGREE_KEYSTORE: keys,
        PEDIGREE_KEYSTORE_PASSPHRASE_FILE: path.join(workdir, "passphrase"),
      }),
    );
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/writes": await import("../src/app/api/writes/route.ts"),
        "/api/writes/[id]": (await import("../src/app/api/writes/[id]/route.ts")) as unknown as RouteModule,
        "/api/tokens": await import("../src/app/api/tokens/route.ts"),
        "/api/tokens/[id]": (await import("../src/app/api/tokens/[id]/route.ts")) as unknown as RouteModule,
      },
    });
  });

  after(async () => {
    await service?.stop();
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close(), workdir && rm(workdir, { recursive: true, force: true })]);
  });

  beforeEach(async () => {
    // Every test starts with blocks mined as transactions arrive; a test that stops mining restores it.
    await chain.testClient.setAutomine(true);
  });

  it("unlocks each organisation's keystore from a folder with the passphrase file", () => {
    assert.deepEqual(
      signers.map((signer) => signer.address).sort(),
      [acme.address, northwind.address, central.address].sort(),
    );
    assert.ok(signers.every((signer) => signer.description.startsWith("keystore ")));
  });

  it("queued writes confirm in nonce order, each once", async () => {
    await useService();
    const token = await tokenFor(acme, ["register-product"]);
    const before = await nonceOf(acme.address);
    const products = Array.from({ length: 5 }, () => newProduct());
    const asked: WriteView[] = [];
    for (const product of products) {
      const answer = await write(token, "register-product", product);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      assert.equal(answer.headers.get("location"), `/api/writes/${answer.body.id}`);
      asked.push(answer.body);
    }
    const rows = [];
    for (const item of asked) rows.push(await settled(item.id));
    assert.deepEqual(
      rows.map((r) => r.status),
      rows.map(() => "confirmed"),
    );
    // Asked in this order, signed in this order: nonces consecutive from the account's count before.
    assert.deepEqual(
      rows.map((r) => r.nonce),
      rows.map((_, i) => before + i),
    );
    assert.equal(await nonceOf(acme.address), before + products.length, "one transaction per write");
    for (const [i, product] of products.entries()) {
      assert.equal(await productOnChain(product.gtin), acme.address);
      assert.equal((await transactionsOf(rows[i]!.id)).length, 1);
    }
    const status = await call<WriteView>("GET", `/api/writes/${asked[0]!.id}`, { token });
    assert.equal(status.status, 200);
    assert.equal(status.body.status, "confirmed");
    assert.equal(status.body.transaction?.nonce, before);
    assert.equal(status.body.requestedBy.kind, "system");
    assert.deepEqual(
      status.body.events?.map((event) => (event as { event: string }).event),
      ["ProductRegistered"],
    );
  });
  it("records a revert with the ledger's reason and does not retry it", async () => {
    await useService();
    const product = await world.registerProduct(acme);
    const batch = await world.registerBatch(acme, product, { packs: 10 });
    const shipment = await world.ship(acme, northwind, [{ batch, quantity: 10 }], "ASN-RACE");
    const token = await tokenFor(northwind, ["receive"]);
    await syncToHead(ctx); // so the reason names the parties and the batch
    await chain.testClient.setAutomine(false);
    let receive;
    try {
      const lines = [{ gtin: batch.gtin, lot: batch.lot, quantity: 10 }];
      receive = await write(token, "receive", { shipmentId: shipment.shipmentId, from: acme.address, lines });
      assert.equal(receive.status, 202, JSON.stringify(receive.body));
      await waitFor("the receipt sent", async () => (await row(receive!.body.id)).status === "sent");
      // Meanwhile the sender cancels the shipment, paying more, so its cancellation is mined first.
      await chain.wallet(acme.account).writeContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "cancelShipment",
        args: [shipment.shipmentId, northwind.address, [{ batchId: batch.batchId, quantity: 10n }]],
        account: acme.account,
        chain: null,
        // Not estimated: against the pending state (the receipt first) it would fail.
        gas: 300_000n,
        maxFeePerGas: 500_000_000_000n,
        maxPriorityFeePerGas: 400_000_000_000n,
      });
      await chain.testClient.mine({ blocks: 1 });
    } finally {
      await chain.testClient.setAutomine(true);
    }
    const reverted = await settled(receive.body.id);
    assert.equal(reverted.status, "reverted");
    assert.equal(reverted.outcomeCode, "PedigreeShipmentNotPending");
    assert.match(reverted.outcomeMessage ?? "", /no longer pending: it was already received, rejected or cancelled/);
    const answer = await call<WriteView>("GET", `/api/writes/${receive.body.id}`, { token });
    assert.equal(answer.body.status, "reverted");
    assert.deepEqual(answer.body.outcome, { code: reverted.outcomeCode, message: reverted.outcomeMessage });
    assert.ok(answer.body.transaction?.blockNumber, "the reverted transaction's block is named");
    // Never retried: further passes of the worker send nothing more for it.
    const sent = await nonceOf(northwind.address);
    for (let i = 0; i < 3; i++) await service!.worker(northwind.address)!.runOnce();
    assert.equal(
      await chain.publicClient.getTransactionCount({ address: northwind.address, blockTag: "pending" }),
      sent,
    );
    assert.equal((await row(receive.body.id)).status, "reverted");
    assert.equal((await transactionsOf(receive.body.id)).length, 1);
  });

  it("reports a refusal found before signing without using a nonce", async () => {
    // One transaction in flight at a time: the second write is simulated after the first is mined.
    await useService({ maxInFlight: 1 });
    const product = await world.registerProduct(acme);
    const batch = await world.registerBatch(acme, product, { packs: 6 });
    const token = await tokenFor(acme, ["ship"]);
    const before = await nonceOf(acme.address);
    await chain.testClient.setAutomine(false);
    let second;
    try {
      const line = [{ gtin: batch.gtin, lot: batch.lot, quantity: 6 }];
      const first = await write(token, "ship", { to: northwind.address, reference: "ASN-F1", lines: line });
      second = await write(token, "ship", { to: central.address, reference: "ASN-F2", lines: line });
      assert.equal(second.status, 202, "both pass the API's simulation");
      await waitFor("the first write sent", async () => (await row(first.body.id)).status === "sent");
      assert.equal((await row(second.body.id)).status, "queued", "the second waits for the first");
      await chain.testClient.mine({ blocks: 1 });
      assert.equal((await settled(first.body.id)).status, "confirmed");
    } finally {
      await chain.testClient.setAutomine(true);
    }
    const refused = await settled(second.body.id);
    assert.equal(refused.status, "refused");
    assert.equal(refused.outcomeCode, "PedigreeInsufficientUnits");
    assert.equal(refused.nonce, null, "no nonce was used");
    assert.equal((await transactionsOf(second.body.id)).length, 0, "nothing was signed");
    assert.equal(await nonceOf(acme.address), before + 1);
    const answer = await call<WriteView>("GET", `/api/writes/${second.body.id}`, { token });
    assert.equal(answer.body.transaction, null);
    assert.equal(answer.body.outcome?.code, "PedigreeInsufficientUnits");
  });

  it("a write queued behind one it depends on is confirmed after it, not refused", async () => {
    await useService({ maxInFlight: 8 });
    const token = await tokenFor(acme, ["register-product", "register-batch"]);
    const product = newProduct();
    const batchArgs = {
      gtin: product.gtin,
      lot: "DEP-1",
      expiry: "2031-06-30",
      packCount: 5,
      serialsRoot: `0x${"ab".repeat(32)}`,
    };
    await chain.testClient.setAutomine(false);
    let batchWrite;
    let productWrite;
    try {
      productWrite = await write(token, "register-product", product);
      await waitFor("the product write sent", async () => (await row(productWrite!.body.id)).status === "sent");
      // The API checks against the ledger as mined: the product is not there yet, and the asker learns it at once.
      const recorded = await database.db.$count(writeRequests);
      const early = await write(token, "register-batch", batchArgs);
      assert.equal(early.status, 422);
      assert.equal(early.body.error?.code, "PedigreeUnknownProduct");
      assert.match(early.body.error?.message ?? "", /register the product before its batches/);
      assert.equal(await database.db.$count(writeRequests), recorded, "nothing queued");
      // Queued directly (as a capture job queues its steps), the batch goes after the product.
      const { row: queued } = await enqueueWrite(database.db, {
        chainId: chain.chainId,
        signer: acme.address,
        organisation: acme.address,
        requester: { kind: "system", id: "capture-test", label: "capture test" },
        idempotencyKey: randomUUID(),
        requestHash: requestHashOf("register-batch", batchArgs),
        operation: "register-batch",
        arguments: batchArgs,
        call: {
          abi: "count-ledger",
          address: chain.address,
          functionName: "registerBatch",
          args: [BigInt(product.gtin), "DEP-1", 20310630, 5, batchArgs.serialsRoot, `0x${"00".repeat(32)}`],
        },
      });
      batchWrite = queued;
      service!.wake(acme.address);
      for (let i = 0; i < 3; i++) await service!.worker(acme.address)!.runOnce();
      assert.notEqual((await row(queued.id)).status, "refused");
      await chain.testClient.mine({ blocks: 1 });
      await chain.testClient.setAutomine(true);
      await chain.testClient.mine({ blocks: 1 });
    } finally {
      await chain.testClient.setAutomine(true);
    }
    const done = [await settled(productWrite.body.id), await settled(batchWrite.id)];
    assert.deepEqual(
      done.map((r) => r.status),
      ["confirmed", "confirmed"],
    );
    assert.ok(done[1]!.nonce! > done[0]!.nonce!, "the batch's nonce follows the product's");
  });
  it("replaces a stuck transaction with a higher fee, same nonce, and confirms it once", async () => {
    await useService({ stuckAfterMs: 300 });
    const token = await tokenFor(acme, ["register-product"]);
    const before = await nonceOf(acme.address);
    for (const dropped of [true, false]) {
      const product = newProduct();
      await chain.testClient.setAutomine(false);
      let id;
      try {
        const asked = await write(token, "register-product", product);
        assert.equal(asked.status, 202);
        id = asked.body.id;
        const [first] = await waitFor("the first transaction", async () => {
          const sent = await transactionsOf(id!);
          return sent.length > 0 ? sent : undefined;
        });
        // The node loses it (or keeps it, underpriced): either way nothing is mined.
        if (dropped) await chain.testClient.dropTransaction({ hash: first!.hash as Hex });
        const replaced = await waitFor("a replacement", async () => {
          const sent = await transactionsOf(id!);
          return sent.length >= 2 ? sent : undefined;
        });
        assert.ok(
          replaced.every((tx) => tx.nonce === first!.nonce),
          "every replacement has the first one's nonce",
        );
        const second = replaced.find((tx) => tx.hash !== first!.hash)!;
        assert.ok(
          BigInt(second.maxFeePerGas) * 100n >= BigInt(first!.maxFeePerGas) * 110n,
          "fee raised by at least 10 %",
        );
        assert.ok(
          BigInt(second.maxPriorityFeePerGas) * 100n >= BigInt(first!.maxPriorityFeePerGas) * 110n,
          "tip raised by at least 10 %",
        );
        await chain.testClient.mine({ blocks: 1 });
      } finally {
        await chain.testClient.setAutomine(true);
      }
      const done = await settled(id);
      assert.equal(done.status, "confirmed");
      const sent = await transactionsOf(id);
      assert.ok(
        sent.some((tx) => tx.hash === done.transactionHash),
        "the mined transaction is one of the write's",
      );
      assert.equal(await productOnChain(product.gtin), acme.address);
    }
    assert.equal(await nonceOf(acme.address), before + 2, "each write mined once");
  });

  it("two workers for one key on one database: one sends, the other takes over when it stops", async () => {
    await service?.stop();
    service = undefined;
    const acmeKey = signers.find((signer) => signer.address === acme.address)!;
    const first = new WriteService(ctx, [acmeKey], { pollIntervalMs: 20 });
    const second = new WriteService(ctx, [acmeKey], { pollIntervalMs: 20 });
    attachWriteService(ctx, first);
    const token = await tokenFor(acme, ["register-product"]);
    const before = await nonceOf(acme.address);
    try {
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) {
        const answer = await write(token, "register-product", newProduct());
        assert.equal(answer.status, 202);
        ids.push(answer.body.id);
      }
      first.start();
      second.start();
      const rows = [];
      for (const id of ids) rows.push(await settled(id));
      const holders = [first, second].filter((s) => s.worker(acme.address)!.holdsLease);
      assert.equal(holders.length, 1, "exactly one holds the key's lease");
      assert.equal(await nonceOf(acme.address), before + 6, "six writes, six transactions");
      assert.equal(new Set(rows.map((r) => r.nonce)).size, 6);
      for (const id of ids) assert.equal((await transactionsOf(id)).length, 1);
      // The holder stops (giving up its lease): the other sends the next writes.
      const [holder, other] = holders[0] === first ? [first, second] : [second, first];
      await holder.stop();
      attachWriteService(ctx, other);
      const later = await write(token, "register-product", newProduct());
      assert.equal((await settled(later.body.id)).status, "confirmed");
      assert.ok(other.worker(acme.address)!.holdsLease);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it("a restart mid-queue loses no write and sends none twice", async () => {
    await service?.stop();
    service = undefined;
    // Its own database on disk (or its own PostgreSQL database), closed and opened again as a restarted server would.
    let url: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    if (process.env.PEDIGREE_TEST_DATABASE_URL) {
      const scratch = await createScratchDatabase(process.env.PEDIGREE_TEST_DATABASE_URL);
      url = scratch.url;
      drop = () => scratch.drop();
    }
    const dataDir = path.join(workdir, "restart-db");
    const open = () => (url === undefined ? openDatabase({ url: "", dataDir }) : openDatabase({ url }));
    // The node refuses broadcasts after the first two (down for a moment): those writes are signed
    // and recorded, not sent, when the server dies.
    const relay = await startRelay(chain.rpcUrl);
    relay.refuseBroadcastsAfter = 2;
    const acmeKey = signers.find((signer) => signer.address === acme.address)!;
    const before = await nonceOf(acme.address);
    const products = Array.from({ length: 5 }, () => newProduct());
    let firstDb = await open();
    const firstCtx = await createAppContext({ target: { ...chain.target, rpcUrl: relay.url }, database: firstDb });
    await chain.testClient.setAutomine(false);
    const ids: number[] = [];
    try {
      const crashed = new WriteService(firstCtx, [acmeKey], { pollIntervalMs: 20, maxInFlight: 4, leaseMs: 1_000 });
      for (const product of products) {
        const { row: queued } = await enqueueWrite(firstDb.db, {
          chainId: chain.chainId,
          signer: acme.address,
          organisation: acme.address,
          requester: { kind: "system", id: "restart", label: "restart test" },
          idempotencyKey: randomUUID(),
          requestHash: requestHashOf("register-product", product),
          operation: "register-product",
          arguments: product,
          call: {
            abi: "count-ledger",
            address: chain.address,
            functionName: "registerProduct",
            args: [BigInt(product.gtin), product.name, product.strength, product.dosageForm],
          },
        });
        ids.push(queued.id);
      }
      crashed.start();
      await waitFor("four writes signed", async () => {
        const [sent] = await firstDb.db
          .select({ n: count() })
          .from(writeRequests)
          .where(and(eq(writeRequests.status, "sent"), eq(writeRequests.signer, acme.address.toLowerCase())));
        return Number(sent?.n) === 4;
      });
      // The process dies: its lease is left to expire, and the node loses what it had in its pool.
      await crashed.stop({ releaseLease: false });
      const signed = await firstDb.db.select().from(writeTransactions);
      assert.equal(signed.length, 4);
      assert.equal(relay.broadcasts, 2, "two sent, two recorded only, one still queued");
      await firstDb.close();
      for (const tx of signed) await chain.testClient.dropTransaction({ hash: tx.hash as Hex });
      assert.equal(
        await chain.publicClient.getTransactionCount({ address: acme.address, blockTag: "pending" }),
        before,
        "the node holds none of them",
      );
    } finally {
      await chain.testClient.setAutomine(true);
    }
    firstDb = await open();
    const restartedCtx = await createAppContext({ target: chain.target, database: firstDb });
    const restarted = new WriteService(restartedCtx, [acmeKey], { pollIntervalMs: 20 }).start();
    try {
      for (const id of ids) {
        const done = await waitFor(`write ${id} confirmed after the restart`, async () => {
          const [found] = await firstDb.db.select().from(writeRequests).where(eq(writeRequests.id, id));
          return found?.status === "confirmed" ? found : undefined;
        });
        const signed = await firstDb.db.select().from(writeTransactions).where(eq(writeTransactions.requestId, id));
        assert.equal(signed.length, 1, `write ${id}: the recorded transaction was sent again, not a new one`);
        assert.equal(signed[0]!.hash, done.transactionHash);
      }
      assert.equal(await nonceOf(acme.address), before + 5, "five writes, five transactions");
      for (const product of products) assert.equal(await productOnChain(product.gtin), acme.address);
    } finally {
      await restarted.stop();
      await firstDb.close();
      await relay.stop();
      await drop?.();
    }
  });
  it("answers a replayed Idempotency-Key with the same write, and refuses the key for another request", async () => {
    await useService();
    const token = await tokenFor(acme, ["register-product"]);
    const product = newProduct();
    const key = randomUUID();
    const first = await write(token, "register-product", product, key);
    assert.equal(first.status, 202);
    // The same request again while it is queued or in flight, then after it is confirmed (when the
    // ledger would now refuse it: the product exists): the same write, never a second one.
    const again = await write(token, "register-product", product, key);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    await settled(first.body.id);
    const later = await write(token, "register-product", { ...product }, key);
    assert.equal(later.status, 200);
    assert.equal(later.body.id, first.body.id);
    assert.equal(later.body.status, "confirmed");
    const reused = await write(token, "register-product", { ...product, name: "Another name" }, key);
    assert.equal(reused.status, 422);
    assert.equal(reused.body.error?.code, "IDEMPOTENCY_KEY_REUSED");
    assert.match(reused.body.error?.message ?? "", new RegExp(`write ${first.body.id}`));
    // Sent twice at once with a new key: one write.
    const racing = newProduct();
    const raceKey = randomUUID();
    const answers = await Promise.all([1, 2, 3].map(() => write(token, "register-product", racing, raceKey)));
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, JSON.stringify(answers.map((a) => a.body)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 202]);
    assert.equal(await database.db.$count(writeRequests, eq(writeRequests.idempotencyKey, raceKey)), 1);
    await settled(answers[0]!.body.id);
    // Keys are the requester's own: another token of the organisation using the same key asks anew
    // (and the ledger refuses: that product is registered).
    const otherToken = await tokenFor(acme, ["register-product"], "another system");
    const other = await write(otherToken, "register-product", product, key);
    assert.equal(other.status, 422);
    assert.equal(other.body.error?.code, "PedigreeProductExists");
  });

  it("refuses a write outside the token's scopes, naming the missing scope", async () => {
    await useService();
    const token = await tokenFor(acme, ["receive", "read"], "goods-in");
    const recorded = await database.db.$count(writeRequests);
    const answer = await write(token, "register-product", newProduct());
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error?.code, "MISSING_SCOPE");
    assert.match(answer.body.error?.message ?? "", /'register-product'/);
    assert.deepEqual(answer.body.error?.details, { required: "register-product", granted: ["read", "receive"] });
    assert.equal(await database.db.$count(writeRequests), recorded, "nothing queued");
  });

  it("refuses a revoked token at once, an unknown one, and a token managing tokens", async () => {
    await useService();
    const session = await sessionOf(acme);
    const created = await call<{ id: number; token: string; scopes: string[] }>("POST", "/api/tokens", {
      token: session,
      body: { label: "ERP", scopes: ["register-product", "read"] },
    });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^pdgt_[A-Za-z0-9_-]{43}$/);
    // Stored hashed: the database does not hold the token.
    const [stored] = await database.db.select().from(apiTokens).where(eq(apiTokens.id, created.body.id));
    assert.notEqual(stored!.tokenHash, created.body.token);
    assert.ok(!JSON.stringify(stored).includes(created.body.token));
    // Listed without the token.
    const listed = await call<{ tokens: { id: number }[] }>("GET", "/api/tokens", { token: session });
    assert.equal(listed.status, 200);
    assert.ok(listed.body.tokens.some((t) => t.id === created.body.id));
    assert.ok(!JSON.stringify(listed.body).includes(created.body.token));
    const asked = await write(created.body.token, "register-product", newProduct());
    assert.equal(asked.status, 202);
    // A token cannot revoke (or create) tokens.
    const byToken = await call("DELETE", `/api/tokens/${created.body.id}`, { token: created.body.token });
    assert.equal(byToken.status, 403);
    assert.equal(byToken.body.error?.code, "TOKENS_NEED_A_PERSON");
    // Another organisation cannot revoke it either: it has no such token.
    const byOther = await call("DELETE", `/api/tokens/${created.body.id}`, { token: await sessionOf(northwind) });
    assert.equal(byOther.status, 404);
    const revoked = await call<{ revokedAt: string | null }>("DELETE", `/api/tokens/${created.body.id}`, {
      token: session,
    });
    assert.equal(revoked.status, 200);
    assert.ok(revoked.body.revokedAt);
    for (const attempt of [
      await write(created.body.token, "register-product", newProduct()),
      await call("GET", `/api/writes/${asked.body.id}`, { token: created.body.token }),
    ]) {
      assert.equal(attempt.status, 403);
      assert.equal(attempt.body.error?.code, "TOKEN_REVOKED");
    }
    const unknown = await write(`pdgt_${"A".repeat(43)}`, "register-product", newProduct());
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error?.code, "UNKNOWN_TOKEN");
    const badScope = await call("POST", "/api/tokens", {
      token: session,
      body: { label: "x", scopes: ["ship", "admin"] },
    });
    assert.equal(badScope.status, 400);
    assert.match(JSON.stringify(badScope.body.error?.details), /one of register-product/);
  });

  it("keeps each organisation's writes to itself", async () => {
    await useService();
    const acmeWriter = await tokenFor(acme, ["register-product"]);
    const acmeOther = await tokenFor(acme, ["register-product"], "a second system");
    const acmeAuditor = await tokenFor(acme, ["read"], "auditor");
    const northwindReader = await tokenFor(northwind, ["read"], "northwind auditor");
    const asked = await write(acmeWriter, "register-product", newProduct());
    assert.equal(asked.status, 202);
    const read = (token: string) => call<WriteView>("GET", `/api/writes/${asked.body.id}`, { token });
    assert.equal((await read(acmeWriter)).status, 200, "the asker reads its own write");
    assert.equal((await read(acmeAuditor)).status, 200, "'read' reads every write of the organisation");
    assert.equal((await read(await sessionOf(acme))).status, 200, "the organisation's person reads them all");
    for (const [token, who] of [
      [acmeOther, "another token of the organisation without 'read'"],
      [northwindReader, "another organisation's token"],
      [await sessionOf(northwind), "another organisation's person"],
    ] as const) {
      const answer = await read(token);
      assert.equal(answer.status, 404, who);
      assert.equal(answer.body.error?.code, "WRITE_NOT_FOUND");
    }
    const list = await call<{ writes: WriteView[] }>("GET", "/api/writes?perPage=200", { token: northwindReader });
    assert.ok(list.body.writes.every((w) => w.organisation === northwind.address.toLowerCase()));
    const own = await call<{ writes: WriteView[] }>("GET", "/api/writes", { token: acmeOther });
    assert.deepEqual(own.body.writes, [], "a token without 'read' lists only its own writes");
  });

  it("exports the organisation's audit of writes as CSV: who asked, the transaction, the outcome", async () => {
    await useService();
    const erp = await tokenFor(acme, ["register-product"], "ERP, line 3");
    const bySystem = await write(erp, "register-product", newProduct());
    const byPerson = await write(await sessionOf(acme), "register-product", newProduct());
    assert.equal(bySystem.status, 202, JSON.stringify(bySystem.body));
    assert.equal(byPerson.status, 202, JSON.stringify(byPerson.body));
    await settled(bySystem.body.id);
    await settled(byPerson.body.id);

    const exportFor = async (token: string, query = "") => {
      const response = await fetch(`${server.url}/api/writes?format=csv${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/csv/);
      assert.match(response.headers.get("content-disposition") ?? "", /attachment; filename="pedigree-writes-0x/);
      const [header, ...rows] = parseCsv(await response.text());
      assert.ok(header);
      return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
    };

    const audit = await exportFor(await sessionOf(acme));
    const system = audit.find((row) => row.id === String(bySystem.body.id));
    const person = audit.find((row) => row.id === String(byPerson.body.id));
    assert.ok(system && person, "both writes are in the organisation's export");
    assert.equal(system.requested_by_kind, "system");
    assert.equal(system.requested_by, "ERP, line 3");
    assert.equal(person.requested_by_kind, "person");
    assert.equal(person.requested_by_id, acme.address.toLowerCase());
    for (const row of [system, person]) {
      assert.equal(row.status, "confirmed");
      assert.equal(row.operation, "register-product");
      assert.match(row.transaction_hash ?? "", /^0x[0-9a-f]{64}$/);
      assert.match(row.block_number ?? "", /^\d+$/);
      assert.equal(JSON.parse(row.arguments ?? "").strength, "10 mg");
    }
    const ids = audit.map((row) => Number(row.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      "newest first",
    );
    assert.equal(new Set(ids).size, ids.length, "each write once");

    const northwindAudit = await exportFor(await sessionOf(northwind));
    assert.ok(
      northwindAudit.every((row) => !ids.includes(Number(row.id))),
      "another organisation's export holds none of these writes",
    );
    const own = await exportFor(erp);
    assert.deepEqual(
      own.map((row) => row.id),
      [String(bySystem.body.id)],
      "a token without 'read' exports only its own writes",
    );
    const refusedOnly = await exportFor(await sessionOf(acme), "&status=refused");
    assert.ok(refusedOnly.every((row) => row.status === "refused"));
    const bad = await call("GET", "/api/writes?format=xlsx", { token: await sessionOf(acme) });
    assert.equal(bad.status, 400);
  });

  it("refuses to sign for an organisation whose key this server does not hold", async () => {
    await useService();
    const harbour = world.parties.harbour;
    const tokens = await call("POST", "/api/tokens", {
      token: await sessionOf(harbour),
      body: { label: "x", scopes: ["ship"] },
    });
    assert.equal(tokens.status, 403);
    assert.equal(tokens.body.error?.code, "NO_ORGANISATION_KEY");
    assert.match(tokens.body.error?.message ?? "", /does not hold the key of Harbour Pharmacy/);
    const asked = await write(await sessionOf(harbour), "ship", {
      to: northwind.address,
      reference: "X",
      lines: [{ gtin: gtinUnder(COMPANY_PREFIXES.acme, 1), lot: "L1", quantity: 1 }],
    });
    assert.equal(asked.status, 403);
    assert.equal(asked.body.error?.code, "NO_ORGANISATION_KEY");
  });

  it("checks the ledger's rules before queuing: 422 in plain words, nothing queued", async () => {
    await useService();
    const product = await world.registerProduct(acme);
    const batch = await world.registerBatch(acme, product, { packs: 4 });
    await syncToHead(ctx);
    const token = await tokenFor(acme, ["ship"]);
    const recorded = await database.db.$count(writeRequests);
    const answer = await write(token, "ship", {
      to: northwind.address,
      reference: "ASN-TOO-MANY",
      lines: [{ gtin: batch.gtin, lot: batch.lot, quantity: 5 }],
    });
    assert.equal(answer.status, 422);
    assert.equal(answer.body.error?.code, "PedigreeInsufficientUnits");
    assert.match(
      answer.body.error?.message ?? "",
      /Acme Pharma AG holds 4 units of batch L\d+ of Amoxicillin, fewer than the 5 requested/,
    );
    assert.equal(await database.db.$count(writeRequests), recorded);
    assert.equal(
      await nonceOf(acme.address),
      await chain.publicClient.getTransactionCount({ address: acme.address, blockTag: "pending" }),
    );
  });

  it("a person signed in for the organisation writes through the server, recorded by name", async () => {
    await useService();
    const session = await sessionOf(acme);
    const asked = await write(session, "register-product", newProduct());
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    assert.deepEqual(asked.body.requestedBy, {
      kind: "person",
      id: acme.address.toLowerCase(),
      label: "Acme Pharma AG",
    });
    assert.equal((await settled(asked.body.id)).status, "confirmed");
    // A cookie session from another site is refused before anything is read.
    const foreign = await call("POST", "/api/writes", {
      key: randomUUID(),
      body: { operation: "register-product", arguments: newProduct() },
      headers: { cookie: `pedigree_session=${session}`, origin: "https://evil.example" },
    });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error?.code, "FOREIGN_ORIGIN");
  });

  it("a pharmacy's counter system dispenses a pack by its serial", async () => {
    await useService();
    const product = await world.registerProduct(acme);
    const batch = await world.registerBatch(acme, product, { packs: 5 });
    await storeWorldManifest(database.db, batch);
    const shipment = await world.ship(acme, central, [{ batch, quantity: 5 }]);
    await world.receive(shipment);
    const token = await tokenFor(central, ["dispense"], "counter 1");
    const serial = batch.manifest.serials[3]!;
    const asked = await write(token, "dispense", { gtin: batch.gtin, lot: batch.lot, serial });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    const done = await settled(asked.body.id);
    assert.equal(done.status, "confirmed");
    assert.equal((await world.packRecord(batch, 3)).state, "DISPENSED");
    const again = await write(token, "dispense", { gtin: batch.gtin, lot: batch.lot, serial });
    assert.equal(again.status, 422);
    assert.equal(again.body.error?.code, "PedigreePackNotActive");
    const unknown = await write(token, "dispense", { gtin: batch.gtin, lot: batch.lot, serial: "NOSUCHSERIAL" });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error?.code, "UNKNOWN_SERIAL");
  });

  it("answers garbage, oversized and malformed requests with 4xx, queuing nothing", async () => {
    await useService();
    const token = await tokenFor(acme, ["register-product", "ship", "receive", "dispense", "recall", "read"]);
    const recorded = await database.db.$count(writeRequests);
    const expect = async (
      status: number,
      code: string,
      options: { body?: string | Uint8Array; headers?: Record<string, string> },
    ) => {
      const answer = await rawRequest(server.url, {
        method: "POST",
        path: "/api/writes",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": randomUUID(),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: options.body }),
      });
      const parsed = JSON.parse(answer.body.toString("utf8")) as { error?: { code: string } };
      assert.equal(answer.status, status, answer.body.toString("utf8").slice(0, 300));
      assert.equal(parsed.error?.code, code);
    };
    const body = JSON.stringify({ operation: "register-product", arguments: newProduct() });
    const valid = newProduct();
    const wrongCheckDigit = { ...valid, gtin: valid.gtin.slice(0, 13) + String((Number(valid.gtin[13]) + 1) % 10) };
    await expect(400, "IDEMPOTENCY_KEY_REQUIRED", { body, headers: { "idempotency-key": "" } });
    await expect(400, "INVALID_IDEMPOTENCY_KEY", { body, headers: { "idempotency-key": "a b" } });
    await expect(415, "UNSUPPORTED_CONTENT_TYPE", { body, headers: { "content-type": "text/plain" } });
    await expect(400, "INVALID_JSON", { body: "{not json" });
    await expect(400, "INVALID_BODY", {
      body: JSON.stringify({ operation: "register-product", arguments: [], extra: 1 }),
    });
    await expect(400, "UNKNOWN_OPERATION", { body: JSON.stringify({ operation: "mint", arguments: {} }) });
    await expect(400, "UNKNOWN_OPERATION", { body: JSON.stringify({ operation: "__proto__", arguments: {} }) });
    await expect(400, "INVALID_ARGUMENTS", {
      body: JSON.stringify({ operation: "register-product", arguments: { ...wrongCheckDigit } }),
    });
    await expect(413, "PAYLOAD_TOO_LARGE", {
      body: JSON.stringify({ operation: "ship", arguments: { padding: "x".repeat(300 * 1024) } }),
    });
    const operations = [
      "register-product",
      "register-batch",
      "ship",
      "receive",
      "reject",
      "dispense",
      "recall",
      "cancel-shipment",
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), fc.anything({ maxDepth: 3 }), async (operation, args) => {
        const answer = await rawRequest(server.url, {
          method: "POST",
          path: "/api/writes",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "idempotency-key": randomUUID(),
          },
          body: JSON.stringify({ operation, arguments: args }) ?? "null",
        });
        assert.ok(
          answer.status >= 400 && answer.status < 500,
          `${answer.status} ${answer.body.toString("utf8").slice(0, 200)}`,
        );
      }),
      { numRuns: 60 },
    );
    for (const route of ["/api/writes/0", "/api/writes/abc", "/api/writes/99999999999", "/api/writes/1?x=1"]) {
      const answer = await call("GET", route, { token });
      assert.ok([400, 404].includes(answer.status), `${route}: ${answer.status}`);
    }
    assert.equal(await database.db.$count(writeRequests), recorded, "nothing queued");
  });
  it("signs through an external JSON-RPC signer (eth_signTransaction), and sends nothing it did not ask for", async () => {
    const borealis = world.parties.borealis;
    const remote = await startJsonRpcSigner(borealis.account);
    try {
      const external = await connectExternalSigner({ url: remote.url, address: borealis.address });
      assert.equal(external.description, `external signer ${remote.url}`);
      await useService({}, [...signers, external]);
      const token = await tokenFor(borealis, ["register-product"]);
      const product = newProduct("borealis");
      const asked = await write(token, "register-product", product);
      assert.equal(asked.status, 202, JSON.stringify(asked.body));
      assert.equal((await settled(asked.body.id)).status, "confirmed");
      assert.equal(await productOnChain(product.gtin), borealis.address);
      assert.equal(remote.signed, 1);
      // A signer that answers another transaction than the one asked for (here: another nonce) is
      // not trusted: nothing is sent, and the write waits, saying why.
      const before = await nonceOf(borealis.address);
      remote.tamper = true;
      const second = newProduct("borealis");
      const waiting = await write(token, "register-product", second);
      const reason = await waitFor(
        "the write to say why it waits",
        async () => (await row(waiting.body.id)).lastError ?? undefined,
      );
      assert.match(reason, /returned a transaction other than the one asked for \(nonce \d+ differ/);
      assert.equal((await row(waiting.body.id)).status, "queued");
      assert.equal(
        await chain.publicClient.getTransactionCount({ address: borealis.address, blockTag: "pending" }),
        before,
      );
      const shown = await call<WriteView>("GET", `/api/writes/${waiting.body.id}`, { token });
      assert.equal(shown.body.waitingFor, reason);
      remote.tamper = false;
      assert.equal((await settled(waiting.body.id)).status, "confirmed");
      assert.equal(await productOnChain(second.gtin), borealis.address);
    } finally {
      await remote.stop();
    }
  });
  it("a write waits, saying why, while the key's account cannot pay; it goes through once funded", async () => {
    // A new organisation whose account holds nothing yet.
    const key = generatePrivateKey();
    const party = await world.onboard(
      privateKeyToAccount(key),
      "DISTRIBUTOR",
      "Empty Purse Logistics",
      glnOf("952000000099"),
    );
    await useService({ stuckAfterMs: 300 }, [...signers, localSigner(key)]);
    const product = await world.registerProduct(acme);
    const batch = await world.registerBatch(acme, product, { packs: 3 });
    const shipment = await world.ship(acme, party, [{ batch, quantity: 3 }]);
    const token = await tokenFor(party, ["receive"]);
    const asked = await write(token, "receive", {
      shipmentId: shipment.shipmentId,
      from: acme.address,
      lines: [{ gtin: batch.gtin, lot: batch.lot, quantity: 3 }],
    });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    const reason = await waitFor("the reason it waits", async () => (await row(asked.body.id)).lastError ?? undefined);
    assert.match(reason, /not have enough funds to pay the network fee/);
    const shown = await call<WriteView>("GET", `/api/writes/${asked.body.id}`, { token });
    assert.match(shown.body.waitingFor ?? "", /enough funds/);
    assert.ok(["queued", "sent"].includes(shown.body.status));
    await chain.testClient.setBalance({ address: party.address, value: 10n ** 18n });
    assert.equal((await settled(asked.body.id)).status, "confirmed");
    assert.equal(await world.unitsHeld(batch, party), 3);
    assert.equal(await nonceOf(party.address), 1, "one transaction mined, whatever was tried before");
  });

  it("refuses the tokens of a suspended organisation at once", async () => {
    await useService();
    const token = await tokenFor(northwind, ["read"], "northwind reader");
    assert.equal((await call("GET", "/api/writes", { token })).status, 200);
    const { abi } = ledgerArtifact("PedigreeLedger");
    const suspend = (abi as { name?: string; inputs?: unknown[] }[]).find(
      (item) => item.name === "suspendParticipant",
    )!;
    const reinstate = (abi as { name?: string; inputs?: unknown[] }[]).find(
      (item) => item.name === "reinstateParticipant",
    )!;
    const adminWrite = async (item: { name?: string; inputs?: unknown[] }) => {
      const hash = await chain.wallet(world.admin).writeContract({
        address: chain.address,
        abi: [item] as never,
        functionName: item.name as never,
        args: (item.inputs!.length === 1 ? [northwind.address] : [northwind.address, "Audit"]) as never,
        account: world.admin,
        chain: null,
      });
      await chain.publicClient.waitForTransactionReceipt({ hash });
    };
    await adminWrite(suspend);
    try {
      const refused = await call("GET", "/api/writes", { token });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error?.code, "PARTICIPANT_SUSPENDED");
    } finally {
      await adminWrite(reinstate);
    }
    assert.equal((await call("GET", "/api/writes", { token })).status, 200);
  });
});

/**
 * A JSON-RPC relay to the test chain that can refuse broadcasts (HTTP 502), as a node that is
 * down for a moment does, and counts those it let through.
 */
async function startRelay(target: string): Promise<{
  url: string;
  broadcasts: number;
  refuseBroadcastsAfter: number;
  stop(): Promise<void>;
}> {
  const state = { broadcasts: 0, refuseBroadcastsAfter: Number.POSITIVE_INFINITY };
  const relay: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const calls = [JSON.parse(body)].flat() as { method: string }[];
        const broadcasts = calls.filter((c) => c.method === "eth_sendRawTransaction").length;
        if (broadcasts > 0 && state.broadcasts + broadcasts > state.refuseBroadcastsAfter) {
          response.writeHead(502).end("node unavailable");
          return;
        }
        state.broadcasts += broadcasts;
        const answer = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
        response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
      })();
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  return {
    url,
    get broadcasts() {
      return state.broadcasts;
    },
    get refuseBroadcastsAfter() {
      return state.refuseBroadcastsAfter;
    },
    set refuseBroadcastsAfter(value: number) {
      state.refuseBroadcastsAfter = value;
    },
    async stop() {
      relay.closeAllConnections();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

/**
 * An external signer as Web3Signer answers it: `eth_accounts` and `eth_signTransaction` over
 * JSON-RPC, signing with a key only it holds. `tamper` makes it sign another nonce than asked.
 */
async function startJsonRpcSigner(account: PrivateKeyAccount): Promise<{
  url: string;
  signed: number;
  tamper: boolean;
  stop(): Promise<void>;
}> {
  const state = { signed: 0, tamper: false };
  const signer: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const { id, method, params } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          id: number;
          method: string;
          params: Record<string, Hex>[];
        };
        const reply = (body: object) =>
          response
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ jsonrpc: "2.0", id, ...body }));
        if (method === "eth_accounts") return reply({ result: [account.address.toLowerCase()] });
        if (method !== "eth_signTransaction") return reply({ error: { code: -32601, message: "method not found" } });
        const tx = params[0]!;
        if (tx.from?.toLowerCase() !== account.address.toLowerCase()) {
          return reply({ error: { code: -32000, message: "no key for from" } });
        }
        state.signed += 1;
        const raw = await account.signTransaction({
          type: "eip1559",
          chainId: Number(tx.chainId),
          nonce: Number(tx.nonce) + (state.tamper ? 1 : 0),
          to: tx.to as Address,
          data: (tx.data ?? tx.input) as Hex,
          gas: BigInt(tx.gas!),
          maxFeePerGas: BigInt(tx.maxFeePerGas!),
          maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas!),
          value: BigInt(tx.value ?? 0),
        });
        return reply({ result: raw });
      })();
    });
  });
  await new Promise<void>((resolve) => signer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(signer.address() as AddressInfo).port}`;
  return {
    url,
    get signed() {
      return state.signed;
    },
    get tamper() {
      return state.tamper;
    },
    set tamper(value: boolean) {
      state.tamper = value;
    },
    async stop() {
      signer.closeAllConnections();
      await new Promise((resolve) => signer.close(resolve));
    },
  };
}

describe("starting the server's signer: clear errors", () => {
  let dir: string;
  let keystore: string;
  const key = TEST_PRIVATE_KEYS[3] as Hex;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pedigree-keystore-"));
    keystore = path.join(dir, "org.json");
    await writeFile(keystore, (await createKeystore(PASSPHRASE, { privateKey: key, scryptN: TEST_SCRYPT_N })).json);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const refusal = async (variables: Record<string, string>, code: string, message: RegExp) => {
    await assert.rejects(signersFromEnv(env(variables)), (error: Error & { code?: string }) => {
      assert.equal(error.name, "SignerStartError");
      assert.equal(error.code, code);
      assert.match(error.message, message);
      return true;
    });
  };

  it("unlocks a keystore with the right passphrase, from the variable or a file", async () => {
    const [signer] = await signersFromEnv(
      env({ PEDIGREE_KEYSTORE: keystore, PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE }),
    );
    assert.equal(signer?.address, privateKeyToAccount(key).address);
    const file = path.join(dir, "passphrase-crlf");
    await writeFile(file, `${PASSPHRASE}\r\n`);
    const [again] = await signersFromEnv(env({ PEDIGREE_KEYSTORE: keystore, PEDIGREE_KEYSTORE_PASSPHRASE_FILE: file }));
    assert.equal(again?.address, signer?.address);
    // Signs what it is asked, as the account.
    const raw = await signer!.signTransaction({
      chainId: 31337,
      nonce: 7,
      to: privateKeyToAccount(key).address,
      data: "0x1234",
      gas: 50_000n,
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
    });
    const parsed = parseTransaction(raw);
    assert.equal(parsed.nonce, 7);
    assert.equal(await recoverTransactionAddress({ serializedTransaction: raw as never }), signer?.address);
  });

  it("says so when nothing is configured: no keys, writes through wallets", async () => {
    assert.deepEqual(await signersFromEnv(env({})), []);
  });

  it("wrong passphrase", () =>
    refusal(
      { PEDIGREE_KEYSTORE: keystore, PEDIGREE_KEYSTORE_PASSPHRASE: "not the passphrase at all" },
      "WRONG_PASSPHRASE",
      /does not unlock the keystore .*org\.json\. Check PEDIGREE_KEYSTORE_PASSPHRASE/,
    ));

  it("missing keystore file, folder without keystores, not a keystore", async () => {
    await refusal(
      { PEDIGREE_KEYSTORE: path.join(dir, "missing.json"), PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE },
      "KEYSTORE_MISSING",
      /missing\.json, which does not exist\. Create one with `npm run pedigree -- keystore create --out <file>`/,
    );
    const empty = path.join(dir, "empty");
    await mkdir(empty, { recursive: true });
    await refusal(
      { PEDIGREE_KEYSTORE: empty, PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE },
      "KEYSTORE_MISSING",
      /holds no keystore/,
    );
    const notKeystore = path.join(dir, "config.json");
    await writeFile(notKeystore, '{"hello": "world"}');
    await refusal(
      { PEDIGREE_KEYSTORE: notKeystore, PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE },
      "KEYSTORE_INVALID",
      /is not an encrypted keystore \(Web3 Secret Storage, version 3, JSON\)/,
    );
  });

  it("passphrase missing, its file missing, or given twice", async () => {
    await refusal({ PEDIGREE_KEYSTORE: keystore }, "PASSPHRASE_MISSING", /set PEDIGREE_KEYSTORE_PASSPHRASE_FILE/);
    await refusal(
      { PEDIGREE_KEYSTORE: keystore, PEDIGREE_KEYSTORE_PASSPHRASE_FILE: path.join(dir, "nope") },
      "PASSPHRASE_FILE_MISSING",
      /names .*nope, which does not exist/,
    );
    await refusal(
      {
        PEDIGREE_KEYSTORE: keystore,
        PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE,
        PEDIGREE_KEYSTORE_PASSPHRASE_FILE: keystore,
      },
      "PASSPHRASE_AMBIGUOUS",
      /set only one/,
    );
  });

  it("external signer unreachable, without the key, or half configured", async () => {
    const address = privateKeyToAccount(key).address;
    // A port nothing listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await refusal(
      { PEDIGREE_SIGNER_URL: `http://127.0.0.1:${port}`, PEDIGREE_SIGNER_ADDRESS: address },
      "SIGNER_UNREACHABLE",
      new RegExp(`No external signer answers at http://127.0.0.1:${port}.*Start the signer`),
    );
    const other = await startJsonRpcSigner(privateKeyToAccount(TEST_PRIVATE_KEYS[4] as Hex));
    try {
      await refusal(
        { PEDIGREE_SIGNER_URL: other.url, PEDIGREE_SIGNER_ADDRESS: address },
        "SIGNER_WITHOUT_KEY",
        /does not hold the key of .*Load the organisation's key into it/,
      );
    } finally {
      await other.stop();
    }
    await refusal({ PEDIGREE_SIGNER_ADDRESS: address }, "SIGNER_CONFIG", /without a valid PEDIGREE_SIGNER_URL/);
    await refusal(
      { PEDIGREE_SIGNER_URL: "http://127.0.0.1:1", PEDIGREE_SIGNER_ADDRESS: "acme" },
      "SIGNER_CONFIG",
      /comma-separated 0x-addresses/,
    );
  });

  it("one key configured twice", async () => {
    const copy = path.join(dir, "keys");
    await mkdir(copy, { recursive: true });
    const { json } = await createKeystore(PASSPHRASE, { privateKey: key, scryptN: TEST_SCRYPT_N });
    await writeFile(path.join(copy, "a.json"), json);
    await writeFile(path.join(copy, "b.json"), json);
    await refusal(
      { PEDIGREE_KEYSTORE: copy, PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE },
      "DUPLICATE_KEY",
      /configured twice/,
    );
  });
});

describe(`the queue is generic over the call: the package-level ledger (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let service: WriteService;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain({ contract: "PedigreePackageLedger" }), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({ target: chain.target, database });
    const keys = [world.parties.acme, world.parties.northwind].map((party) =>
      localSigner(TEST_PRIVATE_KEYS[chain.accounts.findIndex((a) => a.address === party.address)] as Hex),
    );
    service = attachWriteService(ctx, new WriteService(ctx, keys, { pollIntervalMs: 20 }).start());
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/writes": await import("../src/app/api/writes/route.ts"),
        "/api/writes/[id]": (await import("../src/app/api/writes/[id]/route.ts")) as unknown as RouteModule,
        "/api/tokens": await import("../src/app/api/tokens/route.ts"),
      },
    });
  });
  after(async () => {
    await service?.stop();
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("registers, packs a case, ships it and receives it through the organisations' queues", async () => {
    const { acme, northwind } = world.parties;
    const tokenOf = async (party: WorldParty, scopes: string[]) => {
      const session = (await signInAs(server.url, party.account)).body.token;
      const response = await fetch(`${server.url}/api/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${session}`, "content-type": "application/json" },
        body: JSON.stringify({ label: "line", scopes }),
      });
      assert.equal(response.status, 201);
      return ((await response.json()) as { token: string }).token;
    };
    const done = async (token: string, operation: string, args: unknown) => {
      const response = await fetch(`${server.url}/api/writes`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": randomUUID(),
        },
        body: JSON.stringify({ operation, arguments: args }),
      });
      const asked = (await response.json()) as WriteView;
      assert.equal(response.status, 202, JSON.stringify(asked));
      return waitFor(`${operation} confirmed`, async () => {
        const answer = (await (
          await fetch(`${server.url}/api/writes/${asked.id}`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as WriteView;
        assert.ok(!["reverted", "refused"].includes(answer.status), JSON.stringify(answer.outcome));
        return answer.status === "confirmed" ? answer : undefined;
      });
    };
    const line = await tokenOf(acme, ["register-product", "register-batch", "pack", "ship"]);
    const goodsIn = await tokenOf(northwind, ["receive"]);
    const gtin = gtinUnder(COMPANY_PREFIXES.acme, 7);
    await done(line, "register-product", { gtin, name: "Paracetamol", strength: "500 mg", dosageForm: "tablet" });
    await done(line, "register-batch", {
      gtin,
      lot: "PKG-1",
      expiry: "2031-12-31",
      packCount: 50,
      serialsRoot: `0x${"cd".repeat(32)}`,
    });
    const body = `0${COMPANY_PREFIXES.acme}0000000001`;
    const sscc = body + String(gs1CheckDigit(body));
    const packed = await done(line, "pack-range", { sscc, prefixLength: 6, gtin, lot: "PKG-1", count: 50 });
    assert.deepEqual(
      packed.events?.map((event) => (event as { event: string }).event),
      ["UnitPacked"],
    );
    const shipped = await done(line, "ship", { to: northwind.address, reference: "PKG-ASN-1", units: [sscc] });
    const shipmentEvent = shipped.events?.find((event) => (event as { event: string }).event === "ShipmentShipped") as
      { args: { shipmentId: Hex } } | undefined;
    assert.ok(shipmentEvent, JSON.stringify(shipped.events));
    const received = await done(goodsIn, "receive", { shipmentId: shipmentEvent.args.shipmentId, units: [sscc] });
    assert.equal(received.call.functionName, "receiveShipment");
    assert.equal(received.requestedBy.kind, "system");
  });
});
