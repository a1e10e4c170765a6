/**
 * The demo world on a real chain that starts 400 days ago: the seed runs through the ledger's
 * writer, and the world it reports is the world the chain holds (every example's verdict from the
 * contract's own verifyPack, participants, shipments in each state, stock, the clock).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseGs1 } from "@pedigree/gs1";
import {
  batchIdOf,
  buildManifest,
  pedigreeLedgerAbi,
  readPackVerification,
  roleName,
  yyyymmddFromGs1Expiry,
  type Hex,
} from "@pedigree/ledger";
import { startLocalChain, type LocalChain } from "../../packages/ledger/test/support/chain.ts";
import { demoGenesisTime, formatDemoSummary, seedDemoWorld, type DemoManifest, type DemoSummary } from "./seed.ts";
import { BATCHES, PARTIES, PRODUCTS } from "./world.ts";

/** Written down once: a change to the serial generation or the demo seed would change every printed demo code. */
const FIRST_METFORMIN_SERIALS = ["UNREJB5ELJ2R", "LA87SFXVT9U3"];

describe("the demo world", { timeout: 180_000 }, () => {
  let chain: LocalChain;
  let summary: DemoSummary;
  let stored: DemoManifest[] = [];
  let storeCalls = 0;

  before(async () => {
    chain = await startLocalChain({ genesisTime: demoGenesisTime() });
    summary = await seedDemoWorld({
      rpcUrl: chain.rpcUrl,
      ledger: { address: chain.address, deploymentBlock: chain.deploymentBlock },
      storeManifests: async (manifests) => {
        storeCalls++;
        stored = manifests;
      },
    });
  });
  after(() => chain?.stop());

  const read = <F extends "participant" | "batch" | "unitsHeld" | "pendingShipment">(
    functionName: F,
    args: unknown[],
  ) =>
    chain.publicClient.readContract({
      address: chain.address,
      abi: pedigreeLedgerAbi,
      functionName,
      args,
    } as never) as Promise<never>;

  it("seeds well within a minute", (t) => {
    t.diagnostic(`seeded in ${summary.durationMs} ms, ${summary.transactions} transactions`);
    assert.ok(summary.durationMs < 60_000, `took ${summary.durationMs} ms`);
    assert.ok(summary.transactions >= 50, `${summary.transactions} transactions`);
  });

  it("ends with the chain's clock at the wall clock's now, and keeps it there", async () => {
    const now = Date.now() / 1000;
    assert.ok(Math.abs(summary.chainTime - now) < 120, `chain time ${summary.chainTime}, now ${now}`);
    await chain.testClient.mine({ blocks: 1 });
    const block = await chain.publicClient.getBlock();
    assert.ok(Math.abs(Number(block.timestamp) - Date.now() / 1000) < 120, `block at ${block.timestamp}`);
    const deployment = await chain.publicClient.getBlock({ blockNumber: BigInt(chain.deploymentBlock) });
    assert.ok(now - Number(deployment.timestamp) > 390 * 86_400, "the history starts more than 390 days ago");
  });

  it("lists the demo accounts as the ledger knows them", async () => {
    assert.equal(summary.accounts.length, Object.keys(PARTIES).length);
    assert.deepEqual(
      summary.accounts.map((a) => a.address),
      summary.accounts.map((a) => chain.accounts[a.index]!.address),
    );
    for (const account of summary.accounts) {
      if (account.role === "administrator") {
        assert.equal(account.index, 0, "the admin deployed the ledger");
        continue;
      }
      const participant = (await read("participant", [account.address])) as {
        role: number;
        legalName: string;
        gln: bigint;
        suspended: boolean;
      };
      assert.equal(roleName(participant.role).toLowerCase(), account.role);
      assert.equal(participant.legalName, account.name);
      assert.equal(participant.gln.toString().padStart(13, "0"), account.gln);
      assert.equal(participant.suspended, false);
    }
    const roles = summary.accounts.map((a) => a.role).sort();
    assert.deepEqual(roles, [
      "administrator",
      "distributor",
      "manufacturer",
      "manufacturer",
      "pharmacy",
      "pharmacy",
      "regulator",
    ]);
  });

  it("gives one pack per verdict, and the contract's verifyPack agrees with each", async () => {
    const verdicts = summary.examples.map((e) => e.verdict);
    for (const needed of [
      "GENUINE",
      "DISPENSED",
      "RECALLED",
      "EXPIRED",
      "UNKNOWN_SERIAL",
      "SUSPENDED",
      "MISMATCH",
      "DECOMMISSIONED",
    ]) {
      assert.ok(verdicts.includes(needed as never), `an example for ${needed}`);
    }
    const manifestOf = new Map(stored.map((m) => [m.batchId, buildManifest(m.serials)]));
    for (const example of summary.examples) {
      // Each form of the code reads back as the same pack.
      for (const form of [`https://pedigree.invalid${example.digitalLink}`, example.hri, example.elementString]) {
        const parsed = parseGs1(form);
        assert.ok(parsed.ok, `${form} parses`);
        assert.equal(parsed.value.gtin, example.gtin);
        assert.equal(parsed.value.lot, example.lot);
        assert.equal(parsed.value.serial, example.serial);
        assert.equal(parsed.value.expiry?.raw, example.expiry);
      }
      assert.match(example.digitalLink, /^\/01\/\d{14}\/10\/[^/]+\/21\/[^/?]+\?17=\d{6}$/);
      const manifest = manifestOf.get(batchIdOf(example.gtin, example.lot));
      const proof =
        manifest?.proofFor(example.serial) ??
        (manifest === undefined ? { index: 0, proof: [] } : manifest.proofFor(manifest.serials[0]!)!);
      const verification = await readPackVerification(chain.publicClient, {
        chainId: 31337,
        address: chain.address,
        gtin: example.gtin,
        lot: example.lot,
        serial: example.serial,
        index: proof.index,
        proof: proof.proof,
        labelExpiry: yyyymmddFromGs1Expiry(example.expiry),
      });
      assert.equal(verification.verdict, example.verdict, `${example.verdict}: ${example.description}`);
    }
    const dispensed = summary.examples.find((e) => e.verdict === "DISPENSED")!;
    const dispensedPack = manifestOf.get(batchIdOf(dispensed.gtin, dispensed.lot))!.proofFor(dispensed.serial)!;
    const record = (await chain.publicClient.readContract({
      address: chain.address,
      abi: pedigreeLedgerAbi,
      functionName: "packRecord",
      args: [batchIdOf(dispensed.gtin, dispensed.lot), BigInt(dispensedPack.index)],
    })) as { by: string; at: number };
    assert.equal(record.by, summary.accounts.find((a) => a.name === "Central Pharmacy")!.address);
    assert.ok(Date.now() / 1000 - record.at < 10 * 86_400, "dispensed within the undo window");
  });

  it("its alert pack was dispensed weeks ago, so verifying it for dispensing is a potential falsification", async () => {
    const pack = summary.alertPack;
    const manifest = buildManifest(stored.find((m) => m.lot === pack.lot)!.serials);
    const proof = manifest.proofFor(pack.serial)!;
    const verification = await readPackVerification(chain.publicClient, {
      chainId: 31337,
      address: chain.address,
      gtin: pack.gtin,
      lot: pack.lot,
      serial: pack.serial,
      index: proof.index,
      proof: proof.proof,
    });
    assert.equal(verification.verdict, "DISPENSED");
    assert.ok(Date.now() / 1000 - verification.pack!.at! > 10 * 86_400, "outside the undo window");
    assert.equal(parseGs1(summary.alertCode).ok, true);
  });

  it("hands every batch's manifest to storeManifests once, matching the roots on chain", async () => {
    assert.equal(storeCalls, 1);
    assert.equal(stored.length, Object.keys(BATCHES).length);
    for (const manifest of stored) {
      assert.ok(manifest.serials.length >= 1000, `${manifest.lot} has ${manifest.serials.length} packs`);
      assert.equal(buildManifest(manifest.serials).root, manifest.root);
      const batch = (await read("batch", [manifest.batchId])) as {
        serialsRoot: Hex;
        manufacturer: string;
        packCount: number;
      };
      assert.equal(batch.serialsRoot, manifest.root);
      assert.equal(batch.manufacturer, manifest.manufacturer);
      assert.equal(batch.packCount, manifest.serials.length);
    }
  });

  it("is reproducible: the same serials, so the same example codes, on every run", () => {
    const metformin = stored.find((m) => m.lot === BATCHES.metformin.lot)!;
    assert.equal(metformin.batchId, batchIdOf(PRODUCTS.metformin.gtin, BATCHES.metformin.lot));
    assert.deepEqual(metformin.serials.slice(0, 2), FIRST_METFORMIN_SERIALS);
  });

  it("has shipments in every state, multi-line ones included, and recalled stock still at a pharmacy", async () => {
    const events = await chain.publicClient.getContractEvents({
      address: chain.address,
      abi: pedigreeLedgerAbi,
      fromBlock: BigInt(chain.deploymentBlock),
    });
    const shipmentsBy = (eventName: string) =>
      new Set(events.filter((e) => e.eventName === eventName).map((e) => (e.args as { shipmentId: Hex }).shipmentId));
    const shipped = shipmentsBy("UnitsShipped");
    const settled = new Set([
      ...shipmentsBy("UnitsReceived"),
      ...shipmentsBy("UnitsRejected"),
      ...shipmentsBy("ShipmentCancelled"),
    ]);
    const pending = [...shipped].filter((id) => !settled.has(id));
    assert.ok(shipmentsBy("UnitsReceived").size >= 8);
    assert.ok(shipmentsBy("UnitsRejected").size >= 1);
    assert.ok(shipmentsBy("ShipmentCancelled").size >= 1);
    assert.ok(pending.length >= 2, `${pending.length} pending shipments`);
    for (const id of pending) assert.notEqual(await read("pendingShipment", [id]), `0x${"0".repeat(64)}`);
    const lines = events
      .filter((e) => e.eventName === "UnitsShipped")
      .map((e) => (e.args as { shipmentId: Hex }).shipmentId);
    assert.ok(lines.length > shipped.size, "at least one shipment has several lines");
    const rejected = events.find((e) => e.eventName === "UnitsRejected")!.args as { reason: string };
    assert.match(rejected.reason, /Temperature/);

    const harbour = summary.accounts.find((a) => a.name === "Harbour Pharmacy")!.address;
    const recalled = summary.batches.find((b) => b.key === "atorvastatin")!;
    assert.ok(((await read("unitsHeld", [recalled.batchId, harbour])) as bigint) > 0n);
    assert.equal(events.filter((e) => e.eventName === "BatchRecalled").length, 1);
    assert.equal(events.filter((e) => e.eventName === "BatchSuspended").length, 1);
    assert.ok(events.filter((e) => e.eventName === "PackDecommissioned").length >= 150);
  });

  it("refuses a chain whose clock is not in the past, saying how to start one", async () => {
    await assert.rejects(
      seedDemoWorld({
        rpcUrl: chain.rpcUrl,
        ledger: { address: chain.address, deploymentBlock: 1 },
        storeManifests: async () => {},
      }),
      /cannot go back\. Start a fresh chain whose genesis time is demoGenesisTime\(\)/,
    );
  });

  it("prints the accounts and a link per verdict", () => {
    const text = formatDemoSummary(summary, "http://127.0.0.1:3000");
    assert.match(text, /manufacturer\s+Acme Pharma AG/);
    assert.match(text, /GENUINE\s+http:\/\/127\.0\.0\.1:3000\/01\//);
    assert.equal(
      text.split("\n").filter((l) => l.includes("http://127.0.0.1:3000/01/")).length,
      summary.examples.length + 1,
    );
  });
});
