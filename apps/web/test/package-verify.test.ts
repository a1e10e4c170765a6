/**
 * Verification on the package-level ledger: every verdict, from the read model (custody tables at
 * its indexed block) and from the chain (the lens's `verifyPack` at the head), gives the same
 * answer with the same holder; the holder is the pack's own (the top-most unit's), and a pharmacy's
 * check before dispensing says exactly whether the pack is in its stock.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gs1CheckDigit, parseGs1 } from "@pedigree/gs1";
import { packageLedgerAbi, packStateNumber } from "@pedigree/ledger";
import { parseEventLogs, stringToHex, type Hex } from "viem";
import type { VerifyResponse } from "../src/lib/api-types.ts";
import { createAppContext, ledgerTargetFromEnv, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { readSources } from "../src/server/verify/sources.ts";
import { verifyCode } from "../src/server/verify/verify.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { COMPANY_PREFIXES, createWorld, type World, type WorldBatch, type WorldParty } from "./support/world.ts";

const ai17 = (yyyymmdd: number) => String(yyyymmdd).slice(2);
const UNKNOWN_GTIN = `0952099999999${gs1CheckDigit("0952099999999")}`;
const code = (batch: WorldBatch, index: number, options: { expiry?: number; serial?: string; lot?: string } = {}) =>
  `(01)${batch.gtin}(17)${ai17(options.expiry ?? batch.expiry)}(10)${options.lot ?? batch.lot}` +
  `(21)${options.serial ?? batch.manifest.serials[index]}`;

function sscc(serial: number): bigint {
  const body = "3" + COMPANY_PREFIXES.acme + String(serial).padStart(16 - COMPANY_PREFIXES.acme.length, "0");
  return BigInt(body + String(gs1CheckDigit(body)));
}
const ssccText = (unit: bigint) => String(unit).padStart(18, "0");
const NOTHING = { units: [], packs: [] };

/** What both sources must agree on: the answer less where and when it was read. */
function comparable(body: VerifyResponse) {
  const { source: _source, blockTime: _blockTime, checkedAt: _checkedAt, ...rest } = body;
  return rest;
}

describe(`verification on the package-level ledger (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let clockOffsetMs = 0;
  let main: WorldBatch;
  let recalled: WorldBatch;
  let suspended: WorldBatch;
  let quarantined: WorldBatch;
  let expiring: WorldBatch;
  const [case1, case2, pallet] = [sscc(7001), sscc(7002), sscc(7003)];

  const write = async (from: WorldParty, functionName: string, args: readonly unknown[]) => {
    const hash = await chain.wallet(from.account).writeContract({
      address: chain.address,
      abi: packageLedgerAbi,
      functionName,
      args,
      account: from.account,
      chain: chain.viemChain,
    } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    assert.equal(receipt.status, "success", `${functionName} by ${from.legalName}`);
    return receipt;
  };
  const ship = async (from: WorldParty, to: WorldParty, ref: string, items: object): Promise<Hex> => {
    const receipt = await write(from, "ship", [to.address, stringToHex(ref, { size: 32 }), items]);
    const [event] = parseEventLogs({ abi: packageLedgerAbi, logs: receipt.logs, eventName: "ShipmentShipped" });
    return event!.args.shipmentId;
  };

  /** Both sources for one code, as `reportedBy` (or the public) would ask; returns the read model's answer. */
  async function bothSources(text: string, reportedBy?: `0x${string}`): Promise<VerifyResponse> {
    const options = reportedBy === undefined ? {} : { reportedBy };
    const onChain = await verifyCode(ctx, text, { ...options, source: "chain" });
    const indexed = await verifyCode(ctx, text, { ...options, source: "read-model" });
    assert.equal(onChain.body.source, "chain", text);
    assert.equal(indexed.body.source, "read-model", text);
    assert.equal(indexed.status, onChain.status, text);
    assert.deepEqual(comparable(indexed.body), comparable(onChain.body), `${text}: both sources agree`);
    const parsed = parseGs1(text);
    if (parsed.ok && parsed.value.gtin !== undefined && parsed.value.serial !== undefined) {
      const label = { ...parsed.value, gtin: parsed.value.gtin, serial: parsed.value.serial };
      const read = (force: "chain" | "read-model") =>
        readSources(ctx, label, { latest: false, maxLagSeconds: Number.POSITIVE_INFINITY, force });
      const [fromChain, fromIndex] = [await read("chain"), await read("read-model")];
      assert.deepEqual(fromIndex.verification, fromChain.verification, `${text}: verifyPack agrees`);
      assert.deepEqual(fromIndex.holders, fromChain.holders, `${text}: the same holder`);
    }
    return indexed.body;
  }

  const dispenseCheck = async (text: string, pharmacy: WorldParty) => {
    const answer = await verifyCode(ctx, text, { purpose: "dispense", reportedBy: pharmacy.address });
    assert.equal(answer.body.source, "chain", "a check before dispensing reads the chain");
    return answer.body;
  };

  before(async () => {
    [chain, database] = await Promise.all([startTestChain({ contract: "PedigreePackageLedger" }), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({ database, target: chain.target, now: () => new Date(Date.now() + clockOffsetMs) });
    const { acme, northwind, central, harbour, regulator } = world.parties;
    const product = await world.registerProduct(acme, { name: "Amoxicillin" });
    const prefix = BigInt(COMPANY_PREFIXES.acme.length);

    // Packs 0-9 in case 1 on a pallet, at Central; 10-19 in case 2, shipped to Harbour and not
    // received; 20-23 loose with Acme (pack 21 quarantined by it).
    main = await world.registerBatch(acme, product, { packs: 24 });
    await write(acme, "packRange", [case1, prefix, main.batchId, 10n]);
    await write(acme, "packRange", [case2, prefix, main.batchId, 10n]);
    await write(acme, "aggregate", [pallet, prefix, { units: [case1], packs: [] }]);
    const toNorthwind = await ship(acme, northwind, "ASN-1", { units: [pallet], packs: [] });
    await write(northwind, "receiveShipment", [toNorthwind, { units: [pallet], packs: [] }, NOTHING, ""]);
    const toCentral = await ship(northwind, central, "ASN-2", { units: [pallet], packs: [] });
    await write(central, "receiveShipment", [toCentral, { units: [pallet], packs: [] }, NOTHING, ""]);
    await write(central, "decommission", [main.batchId, 1n, case1, packStateNumber("DISPENSED")]);
    await write(central, "decommission", [main.batchId, 2n, case1, packStateNumber("DESTROYED")]);
    await ship(acme, harbour, "ASN-3", { units: [case2], packs: [] });
    await write(acme, "quarantine", [
      { units: [], packs: [{ batchId: main.batchId, index: 21n, unit: 0n }] },
      "Damaged seal",
    ]);

    recalled = await world.registerBatch(acme, product, { packs: 2 });
    await write(acme, "recallBatch", [recalled.batchId, "Contaminated excipient"]);
    suspended = await world.registerBatch(acme, product, { packs: 2 });
    await write(regulator, "suspendBatch", [suspended.batchId, "Under investigation"]);
    quarantined = await world.registerBatch(acme, product, { packs: 2 });
    await write(regulator, "quarantineBatch", [quarantined.batchId, "Suspect product reported"]);
    const now = new Date(Number((await chain.publicClient.getBlock()).timestamp) * 1000);
    const soon = new Date(now.getTime() + 3 * 86_400_000);
    expiring = await world.registerBatch(acme, product, {
      packs: 2,
      expiry: Number(soon.toISOString().slice(0, 10).replaceAll("-", "")),
    });
    await chain.testClient.increaseTime({ seconds: 10 * 86_400 });
    await chain.testClient.mine({ blocks: 1 });
    clockOffsetMs = 10 * 86_400_000;
    for (const batch of [main, recalled, suspended, quarantined, expiring]) await storeWorldManifest(ctx.db, batch);
    await syncToHead(ctx, { confirmations: 0 });
  });

  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("gives every verdict, the same from both sources, with the pack's own holder", async () => {
    const { acme, central, regulator } = world.parties;
    const cases: { text: string; verdict: string; holder?: string | null; place?: string }[] = [
      { text: code(main, 0), verdict: "GENUINE", holder: central.address, place: "HELD" },
      { text: code(main, 1), verdict: "DISPENSED", holder: central.address, place: "DECOMMISSIONED" },
      { text: code(main, 2), verdict: "DECOMMISSIONED", holder: central.address, place: "DECOMMISSIONED" },
      { text: code(main, 12), verdict: "GENUINE", holder: null, place: "IN_TRANSIT" },
      { text: code(main, 20), verdict: "GENUINE", holder: acme.address, place: "HELD" },
      { text: code(main, 21), verdict: "QUARANTINED", holder: acme.address, place: "QUARANTINED" },
      { text: code(recalled, 0), verdict: "RECALLED", holder: acme.address },
      { text: code(suspended, 0), verdict: "SUSPENDED", holder: acme.address },
      { text: code(quarantined, 0), verdict: "QUARANTINED", holder: acme.address },
      { text: code(expiring, 0), verdict: "EXPIRED", holder: acme.address },
      { text: code(main, 0, { expiry: 20_990_101 }), verdict: "MISMATCH" },
      { text: code(main, 0, { serial: "NOTASERIAL1" }), verdict: "UNKNOWN_SERIAL" },
      { text: code(main, 0, { lot: "NOSUCHLOT" }), verdict: "UNKNOWN_PRODUCT" },
      {
        text: `(01)${UNKNOWN_GTIN}(17)${ai17(main.expiry)}(10)${main.lot}(21)${main.manifest.serials[0]}`,
        verdict: "UNKNOWN_PRODUCT",
      },
    ];
    for (const expected of cases) {
      const body = await bothSources(expected.text, regulator.address);
      assert.equal(body.verdict, expected.verdict, expected.text);
      if (expected.holder !== undefined) {
        assert.equal(body.holder?.address ?? null, expected.holder?.toLowerCase() ?? null, `${expected.text}: holder`);
      }
      if (expected.place !== undefined) assert.equal(body.location?.place, expected.place, `${expected.text}: place`);
      else assert.equal(body.location?.place ?? "HELD", "HELD", expected.text);
      // The public gets the same verdict without who holds the pack or where it is.
      const publicBody = await bothSources(expected.text);
      assert.equal(publicBody.verdict, expected.verdict);
      assert.equal(publicBody.holder, null);
      assert.equal(publicBody.location, undefined);
    }
  });

  it("names the case and the pallet around a pack, and the quarantine's reason", async () => {
    const body = await bothSources(code(main, 0), world.parties.regulator.address);
    assert.deepEqual(body.location, {
      place: "HELD",
      party: body.holder,
      unit: ssccText(case1),
      top: ssccText(pallet),
    });
    assert.equal(body.holder?.name, "Central Pharmacy");
    const inTransit = await bothSources(code(main, 12), world.parties.regulator.address);
    assert.equal(inTransit.location?.recipient?.name, "Harbour Pharmacy");
    assert.equal(inTransit.location?.party?.name, "Acme Pharma AG");
    assert.equal(inTransit.location?.unit, ssccText(case2));
    const batchQuarantine = await bothSources(code(quarantined, 0), world.parties.regulator.address);
    assert.equal(batchQuarantine.batch?.status, "QUARANTINED");
    assert.equal(batchQuarantine.batch?.statusReason, "Suspect product reported");
    // A pharmacist's words say why and what to do; the pack's own quarantine has no batch reason.
    const atCounter = await dispenseCheck(code(quarantined, 0), world.parties.central);
    assert.equal(atCounter.verdict, "QUARANTINED");
    assert.match(atCounter.headline, /This batch is quarantined \(Suspect product reported\)\./);
    assert.equal(atCounter.alert, false);
    const packQuarantine = await dispenseCheck(code(main, 21), world.parties.central);
    assert.match(packQuarantine.headline, /This pack is quarantined, or the case or pallet it is in/);
  });

  it("tells a pharmacy before dispensing whether the pack is in its own stock", async () => {
    const { central, harbour } = world.parties;
    // Inside a case on a pallet Central holds: its stock.
    const own = await dispenseCheck(code(main, 0), central);
    assert.deepEqual([own.verdict, own.inStock, own.holder?.address], ["GENUINE", true, central.address.toLowerCase()]);
    // Held by another pharmacy: not Harbour's, though genuine.
    const other = await dispenseCheck(code(main, 3), harbour);
    assert.deepEqual([other.verdict, other.inStock], ["GENUINE", false]);
    assert.equal(other.holder?.address, central.address.toLowerCase());
    // In transit to Harbour, not received yet: not in its stock until it receives the case.
    const coming = await dispenseCheck(code(main, 12), harbour);
    assert.deepEqual([coming.verdict, coming.inStock, coming.location?.place], ["GENUINE", false, "IN_TRANSIT"]);
    assert.equal(coming.location?.recipient?.address, harbour.address.toLowerCase());
    // A plain check says nothing about stock.
    assert.equal((await verifyCode(ctx, code(main, 0), { reportedBy: central.address })).body.inStock, undefined);
  });

  it("sees a move on the chain before the read model does, and gives the new holder", async () => {
    const { central, harbour } = world.parties;
    // Central takes pack 4 out of its case and returns it to Northwind; the read model has not seen it yet.
    await write(central, "disaggregate", [
      case1,
      { units: [], packs: [{ batchId: main.batchId, index: 4n, unit: case1 }] },
    ]);
    await ship(central, world.parties.northwind, "RET-1", {
      units: [],
      packs: [{ batchId: main.batchId, index: 4n, unit: 0n }],
    });
    const check = await dispenseCheck(code(main, 4), central);
    assert.deepEqual([check.verdict, check.inStock, check.location?.place], ["GENUINE", false, "IN_TRANSIT"]);
    // The read model, not caught up, still has it in Central's case.
    const indexed = await verifyCode(ctx, code(main, 4), { reportedBy: harbour.address, source: "read-model" });
    assert.equal(indexed.body.location?.unit, ssccText(case1));
    await syncToHead(ctx, { confirmations: 0 });
    await bothSources(code(main, 4), harbour.address);
  });

  it("answers UNAVAILABLE, saying how to name it, when no lens is known", async () => {
    const { lens: _lens, ...withoutLens } = chain.target;
    const bare = await createAppContext({ database, target: withoutLens, now: ctx.now });
    const answer = await verifyCode(bare, code(main, 0), { source: "chain" });
    assert.equal(answer.status, 503);
    assert.equal(answer.body.verdict, "UNAVAILABLE");
    assert.match(answer.body.unavailable?.[0]?.reason ?? "", /PEDIGREE_LENS_ADDRESS/);
    // The read model needs no lens.
    assert.equal((await verifyCode(bare, code(main, 0), { source: "read-model" })).body.verdict, "GENUINE");
  });

  it("takes the lens from PEDIGREE_LENS_ADDRESS, and refuses one that is no address", () => {
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: "test",
      PEDIGREE_LEDGER_ADDRESS: chain.address,
      PEDIGREE_LEDGER_KIND: "package",
      PEDIGREE_LENS_ADDRESS: chain.lens!,
    };
    assert.equal(ledgerTargetFromEnv(env).lens, chain.lens);
    assert.equal(ledgerTargetFromEnv({ ...env, PEDIGREE_LENS_ADDRESS: "" }).lens, undefined);
    assert.throws(
      () => ledgerTargetFromEnv({ ...env, PEDIGREE_LENS_ADDRESS: "0x1234" }),
      /PEDIGREE_LENS_ADDRESS must be a 0x-prefixed 20-byte address/,
    );
  });
});
