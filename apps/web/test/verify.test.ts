/**
 * Verification on a real chain: one pack per verdict, every form of pack code, the HTTP surface,
 * and alerts raised exactly where a potential falsification is. The read model is filled by the
 * indexer; the manifests by storeWorldManifest. PGlite, or PostgreSQL with PEDIGREE_TEST_DATABASE_URL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { count, desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { toDigitalLink, toHri } from "@pedigree/gs1";
import { readPackVerification } from "@pedigree/ledger";
import type { VerifyResponse } from "../src/lib/api-types.ts";
import { toErrorResponse } from "../src/server/api/errors.ts";
import { publicOrigin } from "../src/server/auth/origin.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alerts } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { lookupSerial } from "../src/server/manifests/store.ts";
import { verifyResponse } from "../src/server/verify/http.ts";
import { verifyCode } from "../src/server/verify/verify.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { startTestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { createWorld, gtinUnder, COMPANY_PREFIXES, type World, type WorldBatch } from "./support/world.ts";
import { storeWorldManifest } from "./support/manifests.ts";

const GS = "\u001d";

/** YYYYMMDD → the label's AI 17 (YYMMDD). */
function ai17(yyyymmdd: number): string {
  return String(yyyymmdd).slice(2);
}

/** The pack's code in bracketed form, with the batch's own expiry unless told otherwise. */
function hri(
  batch: WorldBatch,
  index: number,
  options: { lot?: string; expiry?: number; serial?: string } = {},
): string {
  return (
    `(01)${batch.gtin}(17)${ai17(options.expiry ?? batch.expiry)}` +
    `(10)${options.lot ?? batch.lot}(21)${options.serial ?? batch.manifest.serials[index]}`
  );
}

describe(`verification on a real chain (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let now: Date | undefined;
  let active: WorldBatch;
  let sibling: WorldBatch;
  let recalled: WorldBatch;
  let suspended: WorldBatch;
  let expiring: WorldBatch;
  let unlisted: WorldBatch;
  let nearExpiry: number;

  // These tests read the ledger's state on chain, whatever the read model's lag (which depends on
  // how long ago the last sync ran): verify-read-model.test.ts checks the read model's answers agree.
  const verify = (code: string, options: Parameters<typeof verifyCode>[2] = {}) =>
    verifyCode(ctx, code, { source: "chain", ...options });
  /** A signed-in participant's scan: the whole answer, and alerts. The regulator holds no stock. */
  const byRegulator = () => ({ reportedBy: world.parties.regulator.address });
  const byPharmacy = () => ({ reportedBy: world.parties.harbour.address });
  const alertCount = async () => (await ctx.db.select({ n: count() }).from(alerts))[0]!.n;
  /** Runs `scan` and returns its result with the alerts it raised. */
  async function scanned(scan: () => Promise<{ status: number; body: VerifyResponse }>) {
    const before = await alertCount();
    const result = await scan();
    const raised = (await alertCount()) - before;
    const latest = raised > 0 ? (await ctx.db.select().from(alerts).orderBy(desc(alerts.id)).limit(1))[0] : undefined;
    return { ...result, raised, latest };
  }

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    const { acme, central, regulator } = world.parties;
    const product = await world.registerProduct(acme, {
      name: "Amoxicillin",
      strength: "500 mg",
      dosageForm: "capsule",
    });
    active = await world.registerBatch(acme, product, { lot: "GEN-1", packs: 20 });
    sibling = await world.registerBatch(acme, product, { lot: "GEN-2", packs: 10 });
    recalled = await world.registerBatch(acme, product, { lot: "REC-1", packs: 5 });
    suspended = await world.registerBatch(acme, product, { lot: "SUS-1", packs: 5 });
    const head = await chain.publicClient.getBlock();
    const soon = new Date((Number(head.timestamp) + 30 * 86_400) * 1000);
    nearExpiry = Number(soon.toISOString().slice(0, 10).replaceAll("-", ""));
    expiring = await world.registerBatch(acme, product, { lot: "EXP-1", packs: 5, expiry: nearExpiry });
    unlisted = await world.registerBatch(acme, product, { lot: "NOLIST", packs: 5 });

    const delivery = await world.ship(acme, central, [{ batch: active, quantity: 10 }]);
    await world.receive(delivery);
    await world.decommission(central, active, 1, "DISPENSED");
    await world.decommission(central, active, 2, "DESTROYED");
    await world.recall(regulator, recalled, "Sterility failure");
    await world.suspend(regulator, suspended, "Under investigation");

    ctx = await createAppContext({
      database,
      target: chain.target,
      now: () => now ?? new Date(),
    });
    await syncToHead(ctx);
    for (const batch of [active, sibling, recalled, suspended, expiring]) {
      await storeWorldManifest(ctx.db, batch);
    }
  });
  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("GENUINE: the stored proof is one the contract accepts, and the answer names the product, maker, holder and block", async () => {
    const serial = active.manifest.serials[0]!;
    const lookup = await lookupSerial(ctx.db, { gtin: active.gtin, lot: active.lot, serial });
    assert.equal(lookup.status, "found");
    const onChain = await readPackVerification(chain.publicClient, {
      chainId: chain.chainId,
      address: chain.address,
      gtin: active.gtin,
      lot: active.lot,
      serial,
      index: lookup.status === "found" ? lookup.index : -1,
      proof: lookup.status === "found" ? lookup.proof : [],
    });
    assert.equal(onChain.verdict, "GENUINE");

    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const { status, body, raised } = await scanned(() => verify(hri(active, 0), byRegulator()));
    assert.equal(status, 200);
    assert.equal(body.verdict, "GENUINE");
    assert.equal(body.alert, false);
    assert.equal(raised, 0);
    assert.equal(body.blockNumber, head);
    assert.equal(body.headline, "This pack is genuine.");
    assert.deepEqual(body.product, {
      gtin: active.gtin,
      name: "Amoxicillin",
      strength: "500 mg",
      dosageForm: "capsule",
    });
    assert.equal(body.manufacturer?.name, "Acme Pharma AG");
    assert.equal(body.manufacturer?.gln, world.parties.acme.gln);
    assert.equal(body.batch?.lot, "GEN-1");
    assert.equal(body.batch?.status, "ACTIVE");
    assert.equal(body.batch?.packCount, 20);
    assert.equal(body.pack?.index, 0);
    assert.equal(body.pack?.state, "ACTIVE");
    assert.equal(body.pack?.serial, serial);
    assert.equal(body.holder, null, "units are held by two parties, so the pack's own holder is not known");
    assert.match(body.pack?.digitalLink ?? "", new RegExp(`/01/${active.gtin}/10/GEN-1/21/`));

    // The public learns the verdict, product, maker and dates; no quantities, no place in the list.
    const patient = await verify(hri(active, 0));
    assert.equal(patient.body.verdict, "GENUINE");
    assert.equal(patient.body.manufacturer?.name, "Acme Pharma AG");
    assert.equal(patient.body.batch?.expiry, body.batch?.expiry);
    assert.equal(patient.body.batch?.packCount, undefined);
    assert.equal(patient.body.pack?.index, undefined);
    assert.equal(patient.body.holder, null);
  });

  it("reads every form of the code alike: scan data with GS and ]d2, bracketed, Digital Link, and a label without a lot", async () => {
    const serial = active.manifest.serials[3]!;
    const forms = [
      `]d201${active.gtin}17${ai17(active.expiry)}10${active.lot}${GS}21${serial}`,
      `01${active.gtin}21${serial}${GS}10${active.lot}`,
      toHri({ gtin: active.gtin, lot: active.lot, serial }),
      toDigitalLink({ gtin: active.gtin, lot: active.lot, serial }, "https://pedigree.example"),
      `https://pedigree.example/01/${active.gtin}/21/${serial}`,
    ];
    for (const code of forms) {
      const { status, body } = await verify(code, byRegulator());
      assert.equal(status, 200, code);
      assert.equal(body.verdict, "GENUINE", `${code}: ${body.headline}`);
      assert.equal(body.pack?.index, 3, code);
      assert.equal(body.pack?.lot, "GEN-1", code);
    }
  });

  it("DISPENSED: fine for a patient's check; scanned to dispense, a potential falsification with an alert", async () => {
    const patient = await scanned(() => verify(hri(active, 1)));
    assert.equal(patient.body.verdict, "DISPENSED");
    assert.equal(patient.body.alert, false);
    assert.equal(patient.raised, 0);
    assert.equal(patient.body.decommissioned?.state, "DISPENSED");
    assert.ok(patient.body.decommissioned?.at, "the patient learns when it was dispensed");
    assert.equal(patient.body.decommissioned?.by, undefined, "but not by which pharmacy");
    assert.equal(patient.body.holder, null);
    assert.match(patient.body.advice, /If you did not get it from a pharmacy/);
    const participant = await verify(hri(active, 1), byRegulator());
    assert.equal(participant.body.decommissioned?.by?.name, "Central Pharmacy");
    assert.equal(participant.body.holder?.name, "Central Pharmacy");

    const counter = await scanned(() =>
      verify(hri(active, 1), { purpose: "dispense", reportedBy: world.parties.harbour.address }),
    );
    assert.equal(counter.body.verdict, "DISPENSED");
    assert.equal(counter.body.alert, true);
    assert.equal(counter.raised, 1);
    assert.match(counter.body.advice, /potential falsification/);
    assert.doesNotMatch(`${counter.body.headline} ${counter.body.advice}`, /fake|counterfeit/i);
    assert.equal(counter.latest?.verdict, "DISPENSED");
    assert.equal(counter.latest?.purpose, "dispense");
    assert.equal(counter.latest?.serial, active.manifest.serials[1]);
    assert.equal(counter.latest?.lot, "GEN-1");
    assert.equal(counter.latest?.batchId, active.batchId);
    assert.equal(counter.latest?.reportedBy, world.parties.harbour.address.toLowerCase());
    assert.equal(counter.latest?.status, "OPEN");
    assert.ok(counter.latest?.blockNumber !== null);
    const dispensedOn = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(
      new Date(counter.body.decommissioned!.at),
    );
    assert.match(
      counter.latest?.message ?? "",
      new RegExp(`It was dispensed on ${dispensedOn} by Central Pharmacy\\.$`),
    );
  });

  it("DECOMMISSIONED: a destroyed pack, with an alert only when scanned to dispense", async () => {
    const patient = await scanned(() => verify(hri(active, 2)));
    assert.equal(patient.body.verdict, "DECOMMISSIONED");
    assert.equal(patient.body.decommissioned?.state, "DESTROYED");
    assert.match(patient.body.headline, /destroyed/);
    assert.equal(patient.raised, 0);
    const anonymous = await scanned(() => verify(hri(active, 2), { purpose: "dispense" }));
    assert.equal(anonymous.raised, 0, "anonymous scans raise nothing");
    assert.equal(anonymous.body.alert, false);
    const counter = await scanned(() => verify(hri(active, 2), { purpose: "dispense", ...byPharmacy() }));
    assert.equal(counter.body.alert, true);
    assert.equal(counter.raised, 1);
    assert.equal(counter.latest?.reportedBy, world.parties.harbour.address.toLowerCase());
  });

  it("RECALLED and SUSPENDED: with the regulator's reason, no alert", async () => {
    const recall = await scanned(() => verify(hri(recalled, 0), { purpose: "dispense" }));
    assert.equal(recall.body.verdict, "RECALLED");
    assert.equal(recall.body.batch?.statusReason, "Sterility failure");
    assert.ok(recall.body.batch?.statusAt);
    assert.match(recall.body.headline, /recalled \(Sterility failure\)/);
    assert.equal(recall.raised, 0);
    const patient = await verify(hri(recalled, 0));
    assert.equal(
      patient.body.advice,
      "Do not take this medicine; return it to your pharmacy. They will give you a replacement.",
    );

    const hold = await scanned(() => verify(hri(suspended, 1)));
    assert.equal(hold.body.verdict, "SUSPENDED");
    assert.equal(hold.body.batch?.status, "SUSPENDED");
    assert.equal(hold.body.batch?.statusReason, "Under investigation");
    assert.equal(hold.raised, 0);
  });

  it("EXPIRED: judged against the server's clock, once the expiry date has passed", async () => {
    const before = await verify(hri(expiring, 0));
    assert.equal(before.body.verdict, "GENUINE");
    const expiry = `${String(nearExpiry).slice(0, 4)}-${String(nearExpiry).slice(4, 6)}-${String(nearExpiry).slice(6)}`;
    now = new Date(Date.parse(`${expiry}T00:00:00Z`) + 86_400_000);
    try {
      const { body, raised } = await scanned(() => verify(hri(expiring, 0), { purpose: "dispense" }));
      assert.equal(body.verdict, "EXPIRED");
      assert.equal(body.expiredOn, expiry);
      const expiredOn = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(
        Date.parse(`${expiry}T00:00:00Z`),
      );
      assert.equal(body.headline, `This pack expired on ${expiredOn}.`);
      assert.equal(raised, 0);
      assert.equal(body.checkedAt, now.toISOString());
    } finally {
      now = undefined;
    }
  });

  it("MISMATCH: a wrong expiry on the label, or a serial of another lot, raises an alert", async () => {
    const wrongExpiry = await scanned(() => verify(hri(active, 4, { expiry: 20291130 }), byPharmacy()));
    assert.equal(wrongExpiry.body.verdict, "MISMATCH");
    assert.deepEqual(wrongExpiry.body.mismatch, { field: "expiry", label: "2029-11-30", record: "2030-12-31" });
    assert.equal(wrongExpiry.body.alert, true);
    assert.equal(wrongExpiry.raised, 1);
    assert.match(
      wrongExpiry.latest?.message ?? "",
      /The label's expiry date is 30 November 2029; the record says 31 December 2030\./,
    );

    const otherLot = await scanned(() => verify(hri(sibling, 0, { serial: active.manifest.serials[5] }), byPharmacy()));
    assert.equal(otherLot.body.verdict, "MISMATCH");
    assert.deepEqual(otherLot.body.mismatch, { field: "lot", label: "GEN-2", record: ["GEN-1"] });
    assert.equal(otherLot.raised, 1);
    assert.equal(otherLot.latest?.lot, "GEN-2");
    assert.match(otherLot.latest?.message ?? "", /The label's lot is GEN-2; the record says lot GEN-1\./);
    assert.doesNotMatch(`${otherLot.body.headline} ${otherLot.body.advice}`, /fake|counterfeit/i);
  });

  it("UNKNOWN_SERIAL: a serial in no list of the product raises an alert", async () => {
    const typo = await scanned(() => verify(hri(active, 0, { serial: "NOTASERIAL9" })));
    assert.equal(typo.body.verdict, "UNKNOWN_SERIAL");
    assert.equal(typo.raised, 0, "a patient's typo raises nothing");
    const { body, raised, latest } = await scanned(() =>
      verify(hri(active, 0, { serial: "NOTASERIAL9" }), byPharmacy()),
    );
    assert.equal(body.verdict, "UNKNOWN_SERIAL");
    assert.equal(body.alert, true);
    assert.equal(raised, 1);
    assert.equal(latest?.serial, "NOTASERIAL9");
    assert.equal(body.batch?.lot, "GEN-1");
    const withoutLot = await verify(`(01)${active.gtin}(21)NOTASERIAL9`);
    assert.equal(withoutLot.body.verdict, "UNKNOWN_SERIAL");
  });

  it("a rescan merges into the pack's alert while it is open or investigating; once closed, a scan raises a new one", async () => {
    const code = hri(active, 0, { serial: "RESCAN0NOPE" });
    const first = await scanned(() => verify(code, byPharmacy()));
    assert.equal(first.raised, 1);
    const id = first.latest!.id;
    const occurrences = async () => (await ctx.db.select().from(alerts).where(eq(alerts.id, id)))[0]?.occurrences;
    assert.equal((await scanned(() => verify(code, byPharmacy()))).raised, 0);
    assert.equal(await occurrences(), 2);
    await ctx.db.update(alerts).set({ status: "INVESTIGATING" }).where(eq(alerts.id, id));
    assert.equal((await scanned(() => verify(code, byPharmacy()))).raised, 0);
    assert.equal(await occurrences(), 3);
    await ctx.db.update(alerts).set({ status: "CLOSED", rootCause: "FALSIFIED" }).where(eq(alerts.id, id));
    const closedThenScanned = await scanned(() => verify(code, byPharmacy()));
    assert.equal(closedThenScanned.raised, 1);
    assert.deepEqual([closedThenScanned.latest?.status, closedThenScanned.latest?.occurrences], ["OPEN", 1]);
    assert.equal(await occurrences(), 3);
  });

  it("no alert where a plainer explanation exists: a typed code that matches nothing, a pharmacy's own dispensed pack", async () => {
    const typo = await scanned(() =>
      verify(hri(active, 0, { serial: "TYPED0NOPE" }), { purpose: "dispense", entry: "typed", ...byPharmacy() }),
    );
    assert.equal(typo.body.verdict, "UNKNOWN_SERIAL");
    assert.equal(typo.body.alert, false);
    assert.equal(typo.raised, 0, "a typing error is pointed out, not reported");
    const scannedMiss = await scanned(() =>
      verify(hri(active, 0, { serial: "TYPED0NOPE" }), { purpose: "dispense", ...byPharmacy() }),
    );
    assert.equal(scannedMiss.raised, 1, "the same code scanned is a potential falsification");

    // Pack 1 was dispensed by Central Pharmacy: its own rescan is no falsification, another's is.
    const own = await scanned(() =>
      verify(hri(active, 1), { purpose: "dispense", reportedBy: world.parties.central.address }),
    );
    assert.equal(own.body.verdict, "DISPENSED");
    assert.equal(own.body.alert, false);
    assert.equal(own.raised, 0);
    assert.match(own.body.headline, /already/i);
  });

  it("UNKNOWN_PRODUCT: an unregistered GTIN or lot", async () => {
    const gtin = gtinUnder(COMPANY_PREFIXES.acme, 999);
    const product = await scanned(() => verify(`(01)${gtin}(10)X1(21)ABC`, byPharmacy()));
    assert.equal(product.body.verdict, "UNKNOWN_PRODUCT");
    assert.equal(product.body.product, null);
    assert.match(product.body.headline, /product is not/);
    assert.equal(product.raised, 1);
    const lot = await verify(hri(active, 0, { lot: "NO-SUCH-LOT" }));
    assert.equal(lot.body.verdict, "UNKNOWN_PRODUCT");
    assert.match(lot.body.headline, /batch is not/);
    assert.equal(lot.body.product?.name, "Amoxicillin");
  });

  it("UNAVAILABLE, not a counterfeit verdict, for a real batch whose serial list is not on this server", async () => {
    const { status, body, raised } = await scanned(() => verify(hri(unlisted, 0)));
    assert.equal(status, 200);
    assert.equal(body.verdict, "UNAVAILABLE");
    assert.equal(body.alert, false);
    assert.equal(raised, 0);
    assert.equal(body.unavailable?.[0]?.source, "manifest");
    assert.match(body.unavailable?.[0]?.reason ?? "", /serial list of lot NOLIST is not stored on this server/);
    assert.equal(body.headline, "This pack's serial number cannot be checked here yet.");
  });

  it("INVALID_CODE: the parser's reason, HTTP 200, no alert", async () => {
    const cases: [string, string][] = [
      ["hello", "NOT_GS1"],
      [`(01)${active.gtin.slice(0, 13)}0(21)A1`, "GTIN_CHECK_DIGIT"],
      [`(01)${active.gtin}(10)${active.lot}`, "MISSING_SERIAL"],
    ];
    for (const [code, expected] of cases) {
      const { status, body, raised } = await scanned(() => verify(code));
      assert.equal(status, 200);
      assert.equal(body.verdict, "INVALID_CODE", code);
      assert.equal(raised, 0);
      assert.ok(body.codeError?.message, code);
      if (expected !== "NOT_GS1") assert.equal(body.codeError?.code, expected, code);
      assert.equal(body.blockNumber, null);
    }
  });

  it("history=1 adds the batch's custody timeline with this pack's own events only", async () => {
    const { body } = await verify(hri(active, 1), { history: true, ...byRegulator() });
    const names = (body.history ?? []).map((entry) => entry.eventName);
    assert.deepEqual(names, ["BatchRegistered", "UnitsShipped", "UnitsReceived", "PackDecommissioned"]);
    assert.equal(body.history?.[3]?.details.index, 1);
    const plain = await verify(hri(active, 1), byRegulator());
    assert.equal(plain.body.history, undefined);
    const anonymous = await verify(hri(active, 1), { history: true });
    assert.equal(anonymous.body.history, undefined, "the public never gets the custody record");
  });

  it("names come from the chain when the indexer has not caught up", async () => {
    const { borealis } = world.parties;
    const product = await world.registerProduct(borealis, {
      name: "Ibuprofen",
      strength: "200 mg",
      dosageForm: "tablet",
    });
    const fresh = await world.registerBatch(borealis, product, { lot: "NEW-1", packs: 3 });
    await storeWorldManifest(ctx.db, fresh);
    const { body } = await verify(hri(fresh, 2));
    assert.equal(body.verdict, "GENUINE");
    assert.equal(body.product?.name, "Ibuprofen");
    assert.equal(body.product?.dosageForm, "tablet");
    assert.equal(body.manufacturer?.name, "Borealis Generics");
    assert.equal(body.manufacturer?.gln, borealis.gln);
  });

  it("a second check shows what changed since the first: a new holder, then a recall and who made it", async () => {
    // Product and party names are kept per process once read; the batch's state never is.
    const { acme, northwind, regulator } = world.parties;
    const product = await world.registerProduct(acme, { name: "Cetirizine", strength: "10 mg", dosageForm: "tablet" });
    const batch = await world.registerBatch(acme, product, { lot: "CHG-1", packs: 4 });
    await storeWorldManifest(ctx.db, batch);
    await syncToHead(ctx);
    const first = await verify(hri(batch, 0), byRegulator());
    assert.equal(first.body.verdict, "GENUINE");
    assert.equal(first.body.product?.name, "Cetirizine");
    assert.equal(first.body.holder?.name, acme.legalName);

    await world.receive(await world.ship(acme, northwind, [{ batch, quantity: 4 }]));
    await syncToHead(ctx);
    const moved = await verify(hri(batch, 1), byRegulator());
    assert.equal(moved.body.verdict, "GENUINE");
    assert.equal(moved.body.holder?.name, northwind.legalName);
    assert.equal(moved.body.product?.name, "Cetirizine");

    await world.recall(regulator, batch, "Label misprint");
    await syncToHead(ctx);
    const recalledNow = await verify(hri(batch, 0));
    assert.equal(recalledNow.body.verdict, "RECALLED");
    assert.equal(recalledNow.body.batch?.statusReason, "Label misprint");
    assert.equal(recalledNow.body.manufacturer?.name, acme.legalName);
  });

  it("GET /api/verify: verdicts as JSON, 400 for a missing, oversized or malformed parameter", async () => {
    const get = async (query: string) => {
      try {
        return await verifyResponse(async () => ctx, new Request(`http://pedigree.test/api/verify?${query}`));
      } catch (error) {
        return toErrorResponse(error);
      }
    };
    const ok = await get(`code=${encodeURIComponent(hri(active, 0))}`);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get("content-type") ?? "", /application\/json/);
    const body = (await ok.json()) as VerifyResponse;
    assert.equal(body.verdict, "GENUINE");
    assert.equal(body.headline, "This pack is genuine.");
    // Links name the configured origin, never the request's Host (pedigree.test here).
    assert.ok(body.pack?.digitalLink?.startsWith(`${publicOrigin().origin}/01/`), body.pack?.digitalLink);

    // Dispensing and the custody record are for signed-in parties.
    for (const query of ["purpose=dispense", "history=1"]) {
      const refused = await get(`code=${encodeURIComponent(hri(active, 0))}&${query}`);
      assert.equal(refused.status, 401, query);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "NOT_SIGNED_IN", query);
    }

    const invalid = await get("code=nonsense");
    assert.equal(invalid.status, 200);
    assert.equal(((await invalid.json()) as VerifyResponse).verdict, "INVALID_CODE");

    const refusals: [string, string][] = [
      ["", "MISSING_CODE"],
      ["code=%20", "MISSING_CODE"],
      [`code=${"1".repeat(600)}`, "CODE_TOO_LONG"],
      ["code=x&purpose=sell", "INVALID_PURPOSE"],
      ["code=x&history=yes", "INVALID_HISTORY"],
      ["code=x&code=y", "REPEATED_PARAMETER"],
    ];
    for (const [query, code] of refusals) {
      const response = await get(query);
      assert.equal(response.status, 400, query);
      const error = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(error.error.code, code, query);
      assert.ok(error.error.message.length > 10);
    }

    const broken = await verifyResponse(
      async () => {
        throw new Error("no database");
      },
      new Request(`http://pedigree.test/api/verify?code=${encodeURIComponent(hri(active, 0))}`),
    );
    assert.equal(broken.status, 503);
    assert.equal(((await broken.json()) as VerifyResponse).verdict, "UNAVAILABLE");
  });

  it("over HTTP through the route: a signed-in pharmacy's dispense scan is recorded with its alert; a patient's is anonymous", async () => {
    const server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/verify": await import("../src/app/api/verify/route.ts"),
      },
    });
    try {
      // Harbour scans a pack Central dispensed: a potential falsification (earlier tests' alerts
      // are closed, so this one is new rather than merged into theirs).
      await ctx.db.update(alerts).set({ status: "CLOSED" });
      const signedIn = await signInAs(server.url, world.parties.harbour.account);
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      const cookie = (signedIn.setCookie ?? "").split(";")[0]!;
      const url = `${server.url}/api/verify?code=${encodeURIComponent(hri(active, 1))}&purpose=dispense`;
      const counter = await scanned(async () => {
        const response = await fetch(url, { headers: { cookie } });
        return { status: response.status, body: (await response.json()) as VerifyResponse };
      });
      assert.equal(counter.status, 200);
      assert.equal(counter.body.verdict, "DISPENSED");
      assert.equal(counter.raised, 1);
      assert.equal(counter.latest?.reportedBy, world.parties.harbour.address.toLowerCase());

      // The same pharmacy scanning the same pack again adds to its open alert.
      const again = await scanned(async () => {
        const response = await fetch(url, { headers: { cookie } });
        return { status: response.status, body: (await response.json()) as VerifyResponse };
      });
      assert.equal(again.body.verdict, "DISPENSED");
      assert.equal(again.raised, 0);
      const [merged] = await ctx.db.select().from(alerts).where(eq(alerts.id, counter.latest!.id));
      assert.equal(merged?.occurrences, 2);

      const anonymousDispense = await fetch(url);
      assert.equal(anonymousDispense.status, 401);
      const distributor = await signInAs(server.url, world.parties.northwind.account);
      const notPharmacy = await fetch(url, { headers: { cookie: (distributor.setCookie ?? "").split(";")[0]! } });
      assert.equal(notPharmacy.status, 403);
      assert.equal(((await notPharmacy.json()) as { error: { code: string } }).error.code, "WRONG_ROLE");

      const patient = await scanned(async () => {
        const response = await fetch(
          `${server.url}/api/verify?code=${encodeURIComponent(hri(active, 0, { serial: "NOPE1" }))}`,
        );
        return { status: response.status, body: (await response.json()) as VerifyResponse };
      });
      assert.equal(patient.body.verdict, "UNKNOWN_SERIAL");
      assert.equal(patient.raised, 0, "a patient's scan raises nothing");

      const missing = await fetch(`${server.url}/api/verify`);
      assert.equal(missing.status, 400);
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, "MISSING_CODE");
    } finally {
      await server.stop();
    }
  });

  it("UNAVAILABLE with 503 when a source hangs: a check never takes longer than its deadline", async () => {
    // A database that accepts the query and never answers (a connection lost mid-query).
    // Drizzle's own queries and the prepared hot reads (selectRows, on the driver) both hang.
    const never = () => new Promise(() => {});
    const hanging = new Proxy(ctx.db, {
      get: (target, property, receiver) =>
        property === "execute"
          ? never
          : property === "$client"
            ? { unsafe: never }
            : Reflect.get(target, property, receiver),
    });
    const started = performance.now();
    const { status, body } = await verifyCode({ ...ctx, db: hanging }, hri(active, 0), { deadlineMs: 300 });
    const took = performance.now() - started;
    assert.equal(status, 503);
    assert.equal(body.verdict, "UNAVAILABLE");
    assert.match(body.unavailable?.[0]?.reason ?? "", /did not finish within 0\.3 s/);
    assert.ok(took >= 290 && took < 2_000, `answered after ${Math.round(took)} ms`);
  });

  it("UNAVAILABLE with 503 when the database cannot be read", async () => {
    // A PostgreSQL server that is not there: what the app sees when its database goes away.
    const client = postgres("postgres://pedigree@127.0.0.1:1/pedigree", { connect_timeout: 2, max: 1 });
    const offline = { ...ctx, db: drizzle(client) as unknown as AppContext["db"] };
    try {
      const { status, body } = await verifyCode(offline, hri(active, 0));
      assert.equal(status, 503);
      assert.equal(body.verdict, "UNAVAILABLE");
      assert.equal(body.unavailable?.[0]?.source, "manifest");
      assert.match(body.unavailable?.[0]?.reason ?? "", /database cannot be read/);
      assert.match(body.advice, /says nothing about the medicine/);
    } finally {
      await client.end({ timeout: 1 });
    }
  });

  it("UNAVAILABLE with 503 when the chain cannot be read (last: it stops the chain)", async () => {
    await chain.stop();
    const { status, body, raised } = await scanned(() =>
      verify(hri(active, 0), { purpose: "dispense", ...byPharmacy() }),
    );
    assert.equal(status, 503);
    assert.equal(body.verdict, "UNAVAILABLE");
    assert.equal(body.alert, false);
    assert.equal(raised, 0);
    assert.equal(body.blockNumber, null);
    assert.equal(body.unavailable?.[0]?.source, "chain");
    assert.match(body.advice, /not a sign of falsification/);
  });
});
