/**
 * The demo world on the package-level ledger (./package-history.ts): seeded through the package
 * writer onto a chain that starts 400 days ago, and read back through the ledger's lens. What the
 * summary claims of each pack and unit is what the chain says: every example's verdict, where the
 * pallets, cases and totes are, the partial receipt, the quarantine and the pending return.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  batchIdOf,
  buildManifest,
  gtinToUint64,
  packageContractVerdictName,
  packageLensAbi,
  placeKindName,
  yyyymmddFromGs1Expiry,
  type Hex,
  type SerialManifest,
} from "@pedigree/ledger";
import { startLocalChain, type LocalChain } from "../../packages/ledger/test/support/chain.ts";
import type { DemoUnit } from "./history.ts";
import { CASE_SIZE } from "./package-history.ts";
import { demoGenesisTime, formatDemoSummary, seedDemoWorld, type DemoManifest, type DemoSummary } from "./seed.ts";
import { BATCHES, PARTIES, PRODUCTS, REJECTION_REASON, type BatchKeyName, type PartyKey } from "./world.ts";

interface Location {
  kind: number;
  party: `0x${string}`;
  recipient: `0x${string}`;
  parent: bigint;
  top: bigint;
}

describe("the demo world on the package-level ledger", { timeout: 240_000 }, () => {
  let chain: LocalChain;
  let summary: DemoSummary;
  let stored: DemoManifest[] = [];
  const manifests = new Map<BatchKeyName, SerialManifest>();

  before(async () => {
    chain = await startLocalChain({ genesisTime: demoGenesisTime(), ledger: "package" });
    summary = await seedDemoWorld({
      rpcUrl: chain.rpcUrl,
      ledger: { address: chain.address, deploymentBlock: chain.deploymentBlock, kind: "package" },
      storeManifests: async (all) => {
        stored = all;
      },
    });
    for (const key of Object.keys(BATCHES) as BatchKeyName[]) {
      manifests.set(key, buildManifest(stored.find((m) => m.lot === BATCHES[key].lot)!.serials));
    }
  });
  after(() => chain?.stop());

  const lens = <T>(functionName: "verifyPack" | "packLocation" | "unit", args: unknown[]) =>
    chain.publicClient.readContract({
      address: chain.lens!,
      abi: packageLensAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  const address = (party: PartyKey) => summary.accounts.find((a) => a.index === PARTIES[party].index)!.address;
  const unitsOf = (kind: DemoUnit["kind"]) => summary.units.filter((u) => u.kind === kind);
  /** The case a pack of `key` was packed in off the line. */
  const caseOf = (key: BatchKeyName, index: number) =>
    summary.units.find(
      (u) => u.kind === "case" && u.packs?.batch === key && u.packs.from <= index && index < u.packs.to,
    );
  const packAt = async (key: BatchKeyName, index: number) => {
    const where = await lens<Location>("packLocation", [
      batchIdOf(PRODUCTS[BATCHES[key].product].gtin, BATCHES[key].lot),
      BigInt(index),
      BigInt(caseOf(key, index)?.sscc ?? 0),
    ]);
    return { ...where, place: placeKindName(where.kind) };
  };
  const unitAt = async (sscc: string) => {
    const unit = await lens<{ location: Location; opened: boolean }>("unit", [BigInt(sscc)]);
    return { ...unit.location, place: placeKindName(unit.location.kind), opened: unit.opened };
  };

  it("seeds well within a minute, in cases of 50, on pallets, with a tote", (t) => {
    t.diagnostic(`seeded in ${summary.durationMs} ms, ${summary.transactions} transactions`);
    assert.ok(summary.durationMs < 60_000, `took ${summary.durationMs} ms`);
    const cases = unitsOf("case");
    assert.equal(cases.length, 20 + 30 + 16 + 20 + 20);
    assert.ok(cases.every((c) => c.packs!.to - c.packs!.from === CASE_SIZE));
    assert.equal(unitsOf("pallet").length, 2 + 3 + 2 + 2 + 1);
    assert.equal(unitsOf("tote").length, 1);
    for (const unit of summary.units) assert.match(unit.sscc, /^\d{18}$/);
    assert.equal(new Set(summary.units.map((u) => u.sscc)).size, summary.units.length, "every SSCC once");
  });

  it("gives one pack per verdict, quarantine included, and the lens's verifyPack agrees with each", async () => {
    const verdicts = summary.examples.map((e) => e.verdict);
    for (const needed of [
      "GENUINE",
      "DISPENSED",
      "DECOMMISSIONED",
      "RECALLED",
      "SUSPENDED",
      "QUARANTINED",
      "EXPIRED",
    ]) {
      assert.ok(verdicts.includes(needed as never), `an example for ${needed}`);
    }
    const contractVerdict: Record<string, string> = {
      GENUINE: "Genuine",
      DISPENSED: "Dispensed",
      DECOMMISSIONED: "Decommissioned",
      RECALLED: "Recalled",
      SUSPENDED: "Suspended",
      QUARANTINED: "Quarantined",
      EXPIRED: "Expired",
      MISMATCH: "Mismatch",
      UNKNOWN_SERIAL: "UnknownSerial",
      UNKNOWN_PRODUCT: "UnknownProduct",
    };
    for (const example of summary.examples) {
      const key = (Object.keys(BATCHES) as BatchKeyName[]).find((k) => BATCHES[k].lot === example.lot);
      const manifest = key === undefined ? undefined : manifests.get(key)!;
      const proof =
        manifest?.proofFor(example.serial) ??
        (manifest === undefined ? { index: 0, proof: [] } : manifest.proofFor(manifest.serials[0]!)!);
      const unit = key === undefined ? undefined : caseOf(key, proof.index);
      const verification = await lens<{ verdict: number }>("verifyPack", [
        gtinToUint64(example.gtin),
        example.lot,
        example.serial,
        BigInt(proof.index),
        proof.proof,
        yyyymmddFromGs1Expiry(example.expiry),
        BigInt(unit?.sscc ?? 0),
      ]);
      assert.equal(
        packageContractVerdictName(verification.verdict),
        contractVerdict[example.verdict],
        `${example.verdict}: ${example.description}`,
      );
    }
  });

  it("has pallets received by one scan, broken and sent on as cases, and packs held inside them", async () => {
    // The ibuprofen pallet: at Northwind with the 9 cases it still holds, sealed inside it.
    const ibuPallet = unitsOf("pallet").find((p) => p.packer === "borealis" && p.children!.length === 12)!;
    const pallet = await unitAt(ibuPallet.sscc);
    assert.equal(pallet.place, "HELD");
    assert.equal(pallet.party, address("northwind"));
    // A case still on it: the lens resolves it to the pallet's holder, naming the pallet as its parent.
    const inside = await unitAt(ibuPallet.children![5]!);
    assert.equal(inside.party, address("northwind"));
    assert.equal(inside.parent, BigInt(ibuPallet.sscc));
    assert.equal(inside.top, BigInt(ibuPallet.sscc));
    // A case taken off it for a pharmacy's order is on its way alone.
    const taken = await unitAt(ibuPallet.children![0]!);
    assert.equal(taken.place, "IN_TRANSIT");
    assert.equal(taken.recipient, address("central"));
    // A metformin pack in a case Central received: held by Central, through its case.
    const pack = await packAt("metformin", 100);
    assert.equal(pack.party, address("central"));
    assert.equal(pack.top, BigInt(caseOf("metformin", 100)!.sscc));
  });

  it("has a partial receipt: two cases received, two refused back to the sender with the reason", async () => {
    const ibuprofen = summary.units.filter((u) => u.kind === "case" && u.packs?.batch === "ibuprofen");
    for (const k of [13, 14]) assert.equal((await unitAt(ibuprofen[k - 1]!.sscc)).party, address("central"));
    for (const k of [15, 16]) {
      const refused = await unitAt(ibuprofen[k - 1]!.sscc);
      assert.equal(refused.place, "HELD");
      assert.equal(refused.party, address("borealis"));
    }
    const logs = await chain.publicClient.getContractEvents({
      address: chain.address,
      abi: (await import("@pedigree/ledger")).packageLedgerAbi,
      eventName: "ShipmentReceived",
      fromBlock: BigInt(chain.deploymentBlock),
    });
    const partial = logs.find((l) => (l.args as { reason?: string }).reason === REJECTION_REASON);
    assert.ok(partial, "a settlement with a rejection names its reason");
  });

  it("has a quarantined case at Harbour, a tote and a return in transit, and pending pallets", async () => {
    const quarantined = await packAt("metformin", 660);
    assert.equal(quarantined.place, "QUARANTINED");
    const tote = await unitAt(unitsOf("tote")[0]!.sscc);
    assert.equal(tote.place, "IN_TRANSIT");
    assert.equal(tote.party, address("northwind"));
    assert.equal(tote.recipient, address("central"));
    const picked = await packAt("metformin", 1455);
    assert.equal(picked.parent, BigInt(unitsOf("tote")[0]!.sscc), "a picked pack is in the tote, out of its case");
    for (const index of summary.saleableReturn.packs.map((p) => manifests.get("metformin")!.indexOf(p.serial)!)) {
      const returned = await packAt("metformin", index);
      assert.equal(returned.place, "IN_TRANSIT");
      assert.equal(returned.party, address("central"));
      assert.equal(returned.recipient, address("northwind"));
    }
    const expiredAtCentral = await packAt("amoxicillin", 200);
    assert.equal(expiredAtCentral.party, address("central"));
    const recalledAtHarbour = await packAt("atorvastatin", 150);
    assert.equal(recalledAtHarbour.party, address("harbour"));
  });

  it("prints the SSCC of every pallet and tote, and what each was built from", () => {
    const text = formatDemoSummary(summary, "http://127.0.0.1:3000");
    assert.match(text, /besides them, 106 cases of 50 packs/);
    for (const unit of summary.units.filter((u) => u.kind !== "case")) assert.ok(text.includes(`(00)${unit.sscc}`));
    assert.match(text, /tote\s+\(00\)\d{18}\s+packed by Northwind Wholesale, 20 packs/);
    assert.match(text, /pallet\s+\(00\)\d{18}\s+packed by Borealis Laboratories Ltd, 12 cases/);
  });

  it("hands every batch's manifest over once, each one the ledger's", () => {
    assert.equal(stored.length, Object.keys(BATCHES).length);
    for (const manifest of stored) {
      assert.equal(buildManifest(manifest.serials).root, manifest.root);
      assert.equal(manifest.batchId, batchIdOf(manifest.gtin, manifest.lot) as Hex);
    }
  });
});
