/**
 * The alert an illegitimate finding raises on the package-level ledger (src/server/indexer/illegitimate.ts):
 * when a quarantine ends ILLEGITIMATE, the indexer raises one alert per transaction, batch and
 * holder, naming every pack the chain destroyed (loose, or inside a unit at any depth) with its
 * serial; a cleared quarantine raises none; indexing again raises none twice; the VRS responder
 * answers the named packs Illegitimate; a reorganisation that drops the transaction withdraws the
 * alert nobody has worked yet. alerts.test.ts has the workflow and who sees it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gs1CheckDigit } from "@pedigree/gs1";
import { createPackageLedgerWriter, type PackageLedgerWriter } from "@pedigree/ledger";
import { asc, eq } from "drizzle-orm";
import type { Account, Chain, Transport, WalletClient } from "viem";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alertHistory, alertPacks, alerts } from "../src/server/db/schema.ts";
import { withdrawOrphanedFindings } from "../src/server/indexer/illegitimate.ts";
import { rebuildReadModel, syncToHead } from "../src/server/indexer/sync.ts";
import { requestFacts } from "../src/server/vrs/store.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { COMPANY_PREFIXES, createWorld, type World, type WorldBatch, type WorldParty } from "./support/world.ts";

function sscc(reference: number): string {
  const body = "3" + COMPANY_PREFIXES.acme + String(reference).padStart(16 - COMPANY_PREFIXES.acme.length, "0");
  return body + String(gs1CheckDigit(body));
}

describe(`the alert of an illegitimate finding (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let batch: WorldBatch;
  let other: WorldBatch;
  const [case1, case2, case3, pallet] = [sscc(8001), sscc(8002), sscc(8003), sscc(8004)];
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
  const findings = () =>
    database.db.select().from(alerts).where(eq(alerts.verdict, "ILLEGITIMATE")).orderBy(asc(alerts.id));
  const packsOf = (alertId: number) =>
    database.db
      .select({ index: alertPacks.index, serial: alertPacks.serial, unit: alertPacks.unit })
      .from(alertPacks)
      .where(eq(alertPacks.alertId, alertId))
      .orderBy(asc(alertPacks.index));

  before(async () => {
    [chain, database] = await Promise.all([startTestChain({ contract: "PedigreePackageLedger" }), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({ database, target: chain.target });
    const { acme, central, regulator } = world.parties;
    const product = await world.registerProduct(acme, { name: "Amoxicillin" });
    const prefixLength = COMPANY_PREFIXES.acme.length;
    batch = await world.registerBatch(acme, product, { packs: 30 });
    // A second batch on the same pallet: one alert per batch.
    other = await world.registerBatch(acme, product, { packs: 5 });
    await storeWorldManifest(ctx.db, batch);
    // `other`'s serial list is not stored here: its packs are named by index.

    // Case 1 (packs 0-9) and case 3 (other's 0-4) on a pallet, case 2 (10-19), loose 20-21: all to Central.
    await as(acme).packRange({ sscc: case1, prefixLength, batch: batch.batchId, count: 10 });
    await as(acme).packRange({ sscc: case2, prefixLength, batch: batch.batchId, count: 10 });
    await as(acme).packRange({ sscc: case3, prefixLength, batch: other.batchId, count: 5 });
    await as(acme).aggregate({ sscc: pallet, prefixLength, units: [case1, case3] });
    const loose = [20, 21].map((index) => ({ batch: batch.batchId, index }));
    const { shipmentId } = await as(acme).ship({
      to: central.address,
      reference: "ASN-ILLEGIT",
      units: [pallet, case2],
      packs: loose,
    });
    await as(central).receiveShipment({ shipmentId, received: { units: [pallet, case2], packs: loose } });
    // Dispensed before the quarantine: not among what was destroyed.
    await as(central).decommission({ pack: { batch: batch.batchId, index: 3, unit: case1 } });

    // The regulator finds the pallet and pack 20 illegitimate in one step.
    await as(regulator).quarantine({ units: [pallet], packs: [loose[0]!], reason: "Suspected falsification" });
    await as(regulator).endQuarantine({
      units: [pallet],
      packs: [loose[0]!],
      outcome: "ILLEGITIMATE",
      reason: "Falsified: the cartons are copies",
    });
    // The pharmacy's own quarantine of case 2, cleared: no alert.
    await as(central).quarantine({ units: [case2], reason: "Damaged shrink wrap" });
    await as(central).endQuarantine({ units: [case2], outcome: "CLEARED", reason: "Wrap only; packs intact" });
    // Then its own quarantine of pack 21, found illegitimate by the pharmacy itself.
    await as(central).quarantine({ packs: [loose[1]!], reason: "Seal looks wrong" });
    await as(central).endQuarantine({ packs: [loose[1]!], outcome: "ILLEGITIMATE", reason: "Not our supplier's seal" });
    await syncToHead(ctx, { confirmations: 0 });
  });

  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("names every pack destroyed, per batch and holder, with serials where the list is stored", async () => {
    const { central, regulator } = world.parties;
    const rows = await findings();
    assert.deepEqual(
      rows.map((row) => [row.batchId, row.reportedBy, row.holder, row.status, row.purpose, row.serial]),
      [
        [batch.batchId, regulator.address.toLowerCase(), central.address.toLowerCase(), "OPEN", "quarantine", null],
        [other.batchId, regulator.address.toLowerCase(), central.address.toLowerCase(), "OPEN", "quarantine", null],
        [
          batch.batchId,
          central.address.toLowerCase(),
          central.address.toLowerCase(),
          "OPEN",
          "quarantine",
          batch.manifest.serials[21],
        ],
      ],
      "two batches in the regulator's step, one pack in the pharmacy's; the cleared case none",
    );
    const [byRegulator, otherBatch, byPharmacy] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    assert.equal(byRegulator.sourceTx, otherBatch.sourceTx, "one step, one transaction");
    assert.match(byRegulator.sourceTx!, /^0x[0-9a-f]{64}$/);
    assert.deepEqual([byRegulator.gtin, byRegulator.lot], [batch.gtin, batch.lot]);

    const expected: { index: number; serial: string; unit: string | null }[] = [0, 1, 2, 4, 5, 6, 7, 8, 9].map(
      (index) => ({ index, serial: batch.manifest.serials[index]!, unit: pallet }),
    );
    expected.push({ index: 20, serial: batch.manifest.serials[20]!, unit: null });
    assert.deepEqual(await packsOf(byRegulator.id), expected, "the pallet's packs but the dispensed one, and pack 20");
    assert.deepEqual(
      await packsOf(otherBatch.id),
      [0, 1, 2, 3, 4].map((index) => ({ index, serial: null, unit: pallet })),
      "a case two levels down, of a batch whose serial list is not stored here",
    );
    assert.deepEqual(await packsOf(byPharmacy.id), [{ index: 21, serial: batch.manifest.serials[21]!, unit: null }]);

    assert.equal(
      byRegulator.message,
      `Found illegitimate by ${regulator.legalName} and destroyed: 10 packs of Amoxicillin, lot ${batch.lot}, held by ` +
        `${central.legalName} (9 in unit SSCC ${pallet}; 1 loose). Tell the trading partners who handled them; the ` +
        "packs are listed in the alert.",
    );
    assert.match(byPharmacy.message, new RegExp(`1 pack \\(serial ${batch.manifest.serials[21]}\\) of Amoxicillin`));
  });

  it("raises none twice when the read model is rebuilt or the chain indexed again", async () => {
    const before = await findings();
    await rebuildReadModel(ctx.db, "package");
    await syncToHead(ctx, { confirmations: 0 });
    assert.deepEqual(await findings(), before);
  });

  it("has the VRS responder answer the named packs Illegitimate, and no other", async () => {
    const facts = (serial: string) => requestFacts(ctx, undefined, batch.gtin, serial);
    assert.equal((await facts(batch.manifest.serials[0]!)).falsified, true, "a pack destroyed in the pallet");
    assert.equal((await facts(batch.manifest.serials[20]!)).falsified, true, "a loose pack");
    assert.equal((await facts(batch.manifest.serials[3]!)).falsified, false, "dispensed before: not destroyed");
    assert.equal((await facts(batch.manifest.serials[12]!)).falsified, false, "the cleared case's");
  });

  it("withdraws, after a reorganisation dropped its transaction, a finding nobody has worked yet", async () => {
    const [kept] = await findings();
    const gone = `0x${"de".repeat(32)}`;
    const insert = async () => {
      const [row] = await database.db
        .insert(alerts)
        .values({ ...kept!, id: undefined, sourceTx: gone, holder: world.parties.harbour.address.toLowerCase() })
        .returning();
      return row!.id;
    };
    const orphan = await insert();
    await withdrawOrphanedFindings(database.db);
    assert.equal((await database.db.select().from(alerts).where(eq(alerts.id, orphan))).length, 0);
    const taken = await insert();
    await database.db.insert(alertHistory).values({
      alertId: taken,
      byAddress: world.parties.regulator.address.toLowerCase(),
      byName: world.parties.regulator.legalName,
      byRole: "REGULATOR",
      fromStatus: "OPEN",
      toStatus: "INVESTIGATING",
    });
    await withdrawOrphanedFindings(database.db);
    assert.equal((await database.db.select().from(alerts).where(eq(alerts.id, taken))).length, 1, "worked: kept");
    assert.equal((await findings()).filter((row) => row.sourceTx !== gone).length, 3, "the indexed ones stay");
  });
});
