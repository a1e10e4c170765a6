/**
 * End to end: a custody world on a real local chain → the indexer → the read API. What the API
 * says must be what the contract says.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { hashToken } from "../src/server/auth/siwe.ts";
import { alerts, sessions } from "../src/server/db/schema.ts";
import { readApi } from "../src/server/read/http.ts";
import type { AlertView, BatchResponse, PartyResponse, RecallsResponse, SearchResponse } from "../src/lib/api/read.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { createWorld, type World, type WorldBatch, type WorldShipment } from "./support/world.ts";
import { parseCsv } from "./read-csv.ts";
import { assertValidEpcis } from "../../../packages/ledger/test/epcisSchema.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { openSession, requestAs } from "./support/viewers.ts";

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text) as T;
}

describe(`read API on an indexed chain (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let batch: WorldBatch;
  let toCentral: WorldShipment;
  /** Requests as the regulator, who sees everything (read-access.test.ts checks what others see). */
  let req: (path: string) => Request;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    const { acme, northwind, central, harbour, regulator } = world.parties;
    const product = await world.registerProduct(acme, {
      name: "Amoxicillin",
      strength: "500 mg",
      dosageForm: "capsule",
    });
    batch = await world.registerBatch(acme, product, { lot: "E2E/1", packs: 20 });
    const first = await world.ship(acme, northwind, [{ batch, quantity: 12 }], "DESADV-9");
    await world.receive(first);
    toCentral = await world.ship(northwind, central, [{ batch, quantity: 5 }]);
    await world.receive(toCentral);
    const toHarbour = await world.ship(northwind, harbour, [{ batch, quantity: 3 }]);
    await world.reject(toHarbour, "=seal broken");
    await world.ship(northwind, harbour, [{ batch, quantity: 2 }]); // left in transit
    await world.decommission(central, batch, 2, "DISPENSED");
    await world.reactivate(central, batch, 2);
    await world.decommission(central, batch, 3, "DESTROYED");
    await world.recall(regulator, batch, "Sterility failure");
    ctx = await createAppContext({
      database,
      target: chain.target,
    });
    await syncToHead(ctx);
    await storeWorldManifest(database.db, batch);
    req = requestAs(await openSession(ctx, regulator.address));
  });
  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("the batch answer matches the contract: holdings, units and the full timeline", async () => {
    const { acme, northwind, central, harbour } = world.parties;
    const body = await json<BatchResponse>(await readApi.batch(ctx, req("/"), { gtin: batch.gtin, lot: "E2E/1" }));
    assert.equal(body.batch.status, await world.batchStatus(batch));
    assert.equal(body.batch.statusReason, "Sterility failure");
    assert.equal(body.batch.statusBy?.name, "Medicines Agency");
    assert.equal(body.batch.manifestStored, true);
    for (const party of [acme, northwind, central, harbour]) {
      const held = body.holdings.find((h) => h.party.address === party.address.toLowerCase())?.units ?? 0;
      assert.equal(held, await world.unitsHeld(batch, party), party.legalName);
    }
    assert.deepEqual(body.units, { registered: 20, held: 17, inTransit: 2, decommissioned: 1 });
    assert.deepEqual(
      body.timeline.map((e) => e.eventName),
      [
        "BatchRegistered",
        "UnitsShipped",
        "UnitsReceived",
        "UnitsShipped",
        "UnitsReceived",
        "UnitsShipped",
        "UnitsRejected",
        "UnitsShipped",
        "PackDecommissioned",
        "PackReactivated",
        "PackDecommissioned",
        "BatchRecalled",
      ],
    );
    assert.equal(
      body.timeline[1]!.summary,
      "Acme Pharma AG shipped 12 units to Northwind Wholesale (reference DESADV-9)",
    );
    assert.equal(body.timeline[1]!.parties.to?.gln, northwind.gln);
    assert.equal(
      body.timeline[9]!.summary,
      `Central Pharmacy undid the dispensed status of pack ${batch.manifest.serials[2]}; it is active again`,
    );
    const receipt = await chain.publicClient.getTransactionReceipt({
      hash: body.timeline[4]!.transactionHash as `0x${string}`,
    });
    assert.equal(Number(receipt.blockNumber), body.timeline[4]!.blockNumber);
  });

  it("the EPCIS export validates and names packs by their serials", async () => {
    const document = await json<{ epcisBody: { eventList: { bizStep: string; epcList?: string[] }[] } }>(
      await readApi.batchEpcis(ctx, req("/"), { gtin: batch.gtin, lot: "E2E/1" }),
    );
    assertValidEpcis(document);
    const list = document.epcisBody.eventList;
    assert.equal(list.length, 12);
    assert.deepEqual(list[8]!.epcList, [
      `https://id.gs1.org/01/${batch.gtin}/21/${encodeURIComponent(batch.manifest.serials[2]!)}`,
    ]);
    const pack = `https://id.gs1.org/01/${batch.gtin}/10/${encodeURIComponent("E2E/1")}/21/${encodeURIComponent(batch.manifest.serials[2]!)}`;
    const query = await json<{ epcisBody: { queryResults: { resultsBody: { eventList: { bizStep: string }[] } } } }>(
      await readApi.epcisEvents(ctx, req(`/api/epcis/events?MATCH_epc=${encodeURIComponent(pack)}`)),
    );
    assertValidEpcis(query);
    assert.deepEqual(
      query.epcisBody.queryResults.resultsBody.eventList.map((e) => e.bizStep),
      ["dispensing", "stocking"],
    );
  });

  it("CSV, search, party stock and recalls agree with the chain", async () => {
    const { central, harbour } = world.parties;
    const rows = parseCsv(await (await readApi.batchCsv(ctx, req("/"), { gtin: batch.gtin, lot: "E2E/1" })).text());
    assert.equal(rows.length, 13);
    assert.equal(rows[7]![rows[0]!.indexOf("reason")], "'=seal broken");

    const found = await json<SearchResponse>(
      await readApi.search(ctx, req(`/api/search?q=${toCentral.receipt.transactionHash}`)),
    );
    assert.equal(found.results[0]?.kind, "transaction");
    assert.match(found.results[0]!.events![0]!.summary, /Northwind Wholesale shipped 5 units to Central Pharmacy/);

    const stock = await json<PartyResponse>(await readApi.party(ctx, req("/"), central.address));
    assert.equal(stock.stock[0]?.batches[0]?.units, await world.unitsHeld(batch, central));
    assert.equal(stock.stock[0]?.batches[0]?.status, "RECALLED");
    const harbourView = await json<PartyResponse>(await readApi.party(ctx, req("/"), harbour.address));
    assert.equal(harbourView.incoming.PENDING.length, 1);
    assert.equal(harbourView.incoming.REJECTED[0]?.reason, "=seal broken");

    const recalls = await json<RecallsResponse>(await readApi.recalls(ctx, req("/api/recalls")));
    assert.equal(recalls.recalledStock.length, 1);
    assert.equal(recalls.recalledStock[0]!.unitsHeld, 17);
    assert.equal(recalls.recalledStock[0]!.unitsInTransit, 2);
  });

  it("an alert is worked by the party that raised it or by a regulator, and by no one else", async () => {
    const { acme, central, harbour, regulator } = world.parties;
    const expiresAt = new Date(Date.now() + 3_600_000);
    await database.db.insert(sessions).values(
      [acme, central, harbour, regulator].map((p) => ({
        id: hashToken(`token-${p.address}`),
        address: p.address.toLowerCase(),
        chainId: chain.chainId,
        expiresAt,
      })),
    );
    const [alert] = await database.db
      .insert(alerts)
      .values({
        verdict: "DISPENSED",
        purpose: "dispense",
        gtin: batch.gtin,
        lot: batch.lot,
        batchId: batch.batchId,
        reportedBy: central.address.toLowerCase(),
        message: "Pack already dispensed",
      })
      .returning();
    const patch = (who: { address: string } | null, body: unknown) =>
      readApi.changeAlert(
        ctx,
        new Request(`http://localhost/api/alerts/${alert!.id}`, {
          method: "PATCH",
          headers: {
            "content-type": "application/json",
            ...(who ? { authorization: `Bearer token-${who.address}` } : {}),
          },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
        String(alert!.id),
      );
    const code = async (response: Response) => [
      response.status,
      ((await response.json()) as { error?: { code: string } }).error?.code,
    ];
    const investigating = { status: "INVESTIGATING" };
    assert.deepEqual(await code(await patch(null, investigating)), [401, "NOT_SIGNED_IN"]);
    // The batch's manufacturer sees the alert but did not raise it; harbour may not even see it.
    assert.deepEqual(await code(await patch(acme, investigating)), [403, "WRONG_ROLE"]);
    assert.deepEqual(await code(await patch(harbour, investigating)), [404, "ALERT_NOT_FOUND"]);
    assert.deepEqual(await code(await patch(central, { status: "DONE" })), [400, "INVALID_BODY"]);
    assert.deepEqual(await code(await patch(central, "not json")), [400, "INVALID_JSON"]);
    assert.equal((await json<AlertView>(await patch(central, investigating))).status, "INVESTIGATING");
    const falsified = { status: "CLOSED", rootCause: "FALSIFIED", note: "The carton is a copy." };
    // Whether the pack is falsified is the regulator's conclusion, not the reporting pharmacy's.
    assert.deepEqual(await code(await patch(central, falsified)), [403, "WRONG_ROLE"]);
    const closed = await json<AlertView>(await patch(regulator, falsified));
    assert.deepEqual([closed.status, closed.rootCause], ["CLOSED", "FALSIFIED"]);
    assert.deepEqual(await code(await patch(regulator, { status: "OPEN" })), [409, "INVALID_TRANSITION"]);
    assert.equal((await json<AlertView>(await readApi.alert(ctx, req("/"), String(alert!.id)))).status, "CLOSED");
  });
});
