/**
 * Who may read a batch on the package-level ledger, and the batch's balance there: the parties
 * that sent or received a unit or loose pack holding packs of it (through a pallet, a case picked
 * from it, a tote), and nobody else; and registered = held + in transit + decommissioned with a
 * pallet in transit and dispensed packs. The chain is the package-level ledger itself.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { gs1CheckDigit } from "@pedigree/gs1";
import { packageLedgerAbi, packStateNumber } from "@pedigree/ledger";
import { stringToHex } from "viem";
import { hardhat } from "viem/chains";
import type { BatchResponse } from "../src/lib/api/read.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { shipmentItems } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { readableBatchIds, requireViewer } from "../src/server/read/access.ts";
import { readApi } from "../src/server/read/http.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { openSession, requestAs } from "./support/viewers.ts";
import { COMPANY_PREFIXES, createWorld, type World, type WorldBatch, type WorldParty } from "./support/world.ts";

function sscc(prefix: string, serial: number): bigint {
  const body = "3" + prefix + String(serial).padStart(16 - prefix.length, "0");
  return BigInt(body + String(gs1CheckDigit(body)));
}

describe(`who may read a batch on the package-level ledger (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let world: World;
  let database: OpenedDatabase;
  let ctx: AppContext;
  const nothing = { units: [], packs: [] };

  const write = async (from: WorldParty, functionName: string, args: readonly unknown[]) => {
    const hash = await chain.wallet(from.account).writeContract({
      address: chain.address,
      abi: packageLedgerAbi,
      functionName,
      args,
      account: from.account,
      chain: hardhat,
    } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    assert.equal(receipt.status, "success", `${functionName} by ${from.legalName} was mined but failed`);
    await syncToHead(ctx, { confirmations: 0 });
  };
  const ship = (from: WorldParty, to: WorldParty, ref: string, content: { units: bigint[]; packs: unknown[] }) =>
    write(from, "ship", [to.address, stringToHex(ref, { size: 32 }), content]);
  const shipmentOf = async (unit: bigint) =>
    (
      await ctx.db
        .select()
        .from(shipmentItems)
        .where(eq(shipmentItems.sscc, String(unit)))
    ).at(-1)!.shipmentId;
  const receive = async (to: WorldParty, unit: bigint) =>
    write(to, "receiveShipment", [await shipmentOf(unit), { units: [unit], packs: [] }, nothing, ""]);

  /** GET /api/batches/<gtin>/<lot> as `viewer` (null: anonymous), through the route's handler. */
  const batchAs = async (viewer: WorldParty | null, batch: WorldBatch) => {
    const url = `/api/batches/${batch.gtin}/${batch.lot}`;
    const request =
      viewer === null ? new Request(`http://localhost${url}`) : requestAs(await openSession(ctx, viewer.address))(url);
    return readApi.batch(ctx, request, { gtin: batch.gtin, lot: batch.lot });
  };
  /** The viewer `party` signs in as, as the routes read it. */
  const viewerFor = async (party: WorldParty) =>
    requireViewer(ctx, requestAs(await openSession(ctx, party.address))("/api/search"));
  const statusOf = async (viewer: WorldParty | null, batch: WorldBatch) => (await batchAs(viewer, batch)).status;
  const balanceOf = async (batch: WorldBatch) => {
    const answer = await batchAs(world.parties.regulator, batch);
    assert.equal(answer.status, 200);
    return ((await answer.json()) as BatchResponse).units;
  };

  before(async () => {
    [chain, database] = await Promise.all([startTestChain({ contract: "PedigreePackageLedger" }), openTestDatabase()]);
    ctx = await createAppContext({ database, target: chain.target });
    assert.equal(ctx.ledger.kind, "package");
    world = await createWorld(chain);
    await syncToHead(ctx, { confirmations: 0 });
  });

  after(async () => {
    await database?.close();
    await chain?.stop();
  });

  it("grants a batch to who received its pallet or a case picked from it, refuses the others, and balances it", async () => {
    const { acme, northwind, central, harbour, regulator, borealis } = world.parties;
    const product = await world.registerProduct(acme, { name: "Amoxicillin" });
    const batch = await world.registerBatch(acme, product, { packs: 10 });
    await syncToHead(ctx, { confirmations: 0 });
    const prefix = BigInt(COMPANY_PREFIXES.acme.length);
    const [case1, case2, pallet] = [1, 2, 3].map((n) => sscc(COMPANY_PREFIXES.acme, 7000 + n)) as [
      bigint,
      bigint,
      bigint,
    ];
    await write(acme, "packRange", [case1, prefix, batch.batchId, 5n]);
    await write(acme, "packRange", [case2, prefix, batch.batchId, 5n]);
    await write(acme, "aggregate", [pallet, prefix, { units: [case1, case2], packs: [] }]);

    for (const party of [northwind, central, harbour, borealis]) {
      assert.equal(await statusOf(party, batch), 403, `${party.legalName} has not traded the batch yet`);
    }
    assert.equal(await statusOf(acme, batch), 200, "its manufacturer reads it");
    assert.equal(await statusOf(regulator, batch), 200, "a regulator reads every batch");
    assert.equal(await statusOf(null, batch), 401, "an anonymous caller reads nothing");

    await ship(acme, northwind, "ASN-ACC-1", { units: [pallet], packs: [] });
    assert.equal(await statusOf(northwind, batch), 200, "the recipient of a pallet in transit reads its batch");
    assert.deepEqual(await balanceOf(batch), { registered: 10, held: 0, inTransit: 10, decommissioned: 0 });
    await receive(northwind, pallet);
    await write(northwind, "disaggregate", [pallet, { units: [case1], packs: [] }]);
    await ship(northwind, central, "ASN-ACC-2", { units: [case1], packs: [] });
    await receive(central, case1);
    assert.equal(await statusOf(central, batch), 200, "a pharmacy that received one case picked from the pallet");
    assert.equal(await statusOf(northwind, batch), 200, "the distributor keeps access after passing the stock on");

    const refused = await batchAs(harbour, batch);
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "NOT_YOUR_RECORD");
    assert.match(body.error.message, /manufacturer, the parties it was shipped to or from, and regulators/);
    assert.equal(await statusOf(borealis, batch), 403, "another manufacturer is no party to it");

    // Two packs dispensed from the case, and the pallet (with the other case) on its way to Harbour.
    await write(central, "decommission", [batch.batchId, 0n, case1, packStateNumber("DISPENSED")]);
    await write(central, "decommission", [batch.batchId, 3n, case1, packStateNumber("DISPENSED")]);
    await ship(northwind, harbour, "ASN-ACC-3", { units: [pallet], packs: [] });
    assert.deepEqual(await balanceOf(batch), { registered: 10, held: 3, inTransit: 5, decommissioned: 2 });
    assert.equal(await statusOf(harbour, batch), 200, "Harbour is now the recipient of a pallet of it");
    const page = (await (await batchAs(central, batch)).json()) as BatchResponse;
    assert.deepEqual(
      page.holdings.map((h) => [h.party.address, h.units]),
      [[central.address.toLowerCase(), 3]],
    );
  });

  it("counts what a unit held when it was shipped: a pack taken out before grants nothing", async () => {
    const { acme, northwind, harbour, central } = world.parties;
    const product = await world.registerProduct(acme, { name: "Ibuprofen" });
    const [kept, removed, loose] = [
      await world.registerBatch(acme, product, { packs: 3 }),
      await world.registerBatch(acme, product, { packs: 3 }),
      await world.registerBatch(acme, product, { packs: 3 }),
    ];
    await syncToHead(ctx, { confirmations: 0 });
    const prefix = BigInt(COMPANY_PREFIXES.acme.length);
    const tote = sscc(COMPANY_PREFIXES.acme, 7101);
    const pack = (batch: WorldBatch, index: bigint) => ({ batchId: batch.batchId, index, unit: 0n });
    await write(acme, "aggregate", [tote, prefix, { units: [], packs: [pack(kept, 0n), pack(removed, 0n)] }]);
    await write(acme, "disaggregate", [tote, { units: [], packs: [{ ...pack(removed, 0n), unit: tote }] }]);
    await ship(acme, harbour, "ASN-ACC-4", { units: [tote], packs: [] });
    await ship(acme, northwind, "ASN-ACC-5", { units: [], packs: [pack(loose, 1n)] });

    const ids = [kept.batchId, removed.batchId, loose.batchId];
    const readable = async (party: WorldParty) =>
      [...(await readableBatchIds(ctx, await viewerFor(party), ids))].sort();
    assert.deepEqual(await readable(harbour), [kept.batchId], "the tote carried one batch when it left");
    assert.deepEqual(await readable(northwind), [loose.batchId], "a loose pack shipped grants its batch");
    assert.deepEqual(await readable(acme), [...ids].sort(), "the manufacturer made them all");
    assert.deepEqual(await readable(central), []);
    assert.equal(await statusOf(harbour, removed), 403);
    assert.equal(await statusOf(harbour, kept), 200);
    assert.deepEqual(await balanceOf(loose), { registered: 3, held: 2, inTransit: 1, decommissioned: 0 });
    assert.deepEqual(await balanceOf(kept), { registered: 3, held: 2, inTransit: 1, decommissioned: 0 });
  });
});
