import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gs1CheckDigit } from "@pedigree/gs1";
import type { Hex } from "viem";
import { placeKindName, packStateName, batchStatusName, type PlaceKindName } from "../src/enums.ts";
import type { LedgerErrorLookup } from "../src/errors.ts";
import { packageLensAbi } from "../src/generated/packageLensAbi.ts";
import { generateSerials } from "../src/manifest/generate.ts";
import { buildManifest } from "../src/manifest/manifest.ts";
import { createPackageLedgerWriter, type PackageLedgerWriter } from "../src/packageWriter.ts";
import type { Address } from "../src/types.ts";
import { LedgerWriteError, ZERO_HASH, batchIdOfKey } from "../src/writer.ts";
import { startLocalChain, type LocalChain } from "./support/chain.ts";

const GTIN = "09520123456788";
const LOT = "P-001";
const manifest = buildManifest(generateSerials({ count: 200, seed: "package writer test seed, not secret" }));
const batch = { gtin: GTIN, lot: LOT };
const REJECTION = "Temperature excursion in transit";

/** An SSCC under `prefix` (extension digit 0), with its check digit. */
function sscc(prefix: string, reference: number): string {
  const body = `0${prefix}${String(reference).padStart(16 - prefix.length, "0")}`;
  return body + String(gs1CheckDigit(body));
}
const acmeSscc = (reference: number) => sscc("952012", reference);
const northwindSscc = (reference: number) => sscc("952056", reference);
/** The same SSCC with its last digit wrong. */
const badCheckDigit = (valid: string) => valid.slice(0, 17) + String((Number(valid[17]) + 1) % 10);

async function refused(promise: Promise<unknown>, code: string, message?: RegExp): Promise<LedgerWriteError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LedgerWriteError, `a LedgerWriteError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a refusal with ${code}`);
}

describe("createPackageLedgerWriter against a real chain", { timeout: 180_000 }, () => {
  let chain: LocalChain;
  let admin: PackageLedgerWriter;
  let acme: PackageLedgerWriter;
  let northwind: PackageLedgerWriter;
  let central: PackageLedgerWriter;
  let regulator: PackageLedgerWriter;
  let stranger: PackageLedgerWriter;
  let batchId: Hex;
  const names = new Map<string, string>();
  const lookup: LedgerErrorLookup = {
    party: (address) => {
      const name = names.get(address.toLowerCase());
      return name === undefined ? undefined : { name };
    },
    batch: () => ({ gtin: GTIN, lot: LOT, productName: "Amoxicillin 500 mg capsules" }),
  };
  // Four cases of 50 packed off the line, three of them stacked on a pallet.
  const cases = [1, 2, 3, 4].map(acmeSscc);
  const [case1, case2, case3, case4] = cases as [string, string, string, string];
  const pallet = acmeSscc(100);
  const tote = northwindSscc(1);

  const lens = () => {
    assert.ok(chain.lens !== undefined, "the package-level chain deploys its lens");
    return chain.lens;
  };
  /** Where the lens says a pack is (`unit`: the unit the pack is said to be directly in, as the ledger takes it). */
  async function packAt(index: number, unit?: string) {
    const location = await chain.publicClient.readContract({
      address: lens(),
      abi: packageLensAbi,
      functionName: "packLocation",
      args: [batchId, BigInt(index), unit === undefined ? 0n : BigInt(unit)],
    });
    return described(location);
  }
  async function unitAt(unit: string) {
    const record = await chain.publicClient.readContract({
      address: lens(),
      abi: packageLensAbi,
      functionName: "unit",
      args: [BigInt(unit)],
    });
    return { ...described(record.location), opened: record.opened, range: [record.rangeStart, record.rangeEnd] };
  }
  function described(location: {
    kind: number;
    party: Address;
    recipient: Address;
    parent: bigint;
    top: bigint;
    state: number;
  }): { kind: PlaceKindName; party: Address; recipient: Address; parent: string; top: string; state: string } {
    const ssccText = (value: bigint) => (value === 0n ? "" : String(value).padStart(18, "0"));
    return {
      kind: placeKindName(location.kind),
      party: location.party,
      recipient: location.recipient,
      parent: ssccText(location.parent),
      top: ssccText(location.top),
      state: packStateName(location.state),
    };
  }
  const blockNumber = () => chain.publicClient.getBlockNumber({ cacheTime: 0 });

  before(async () => {
    chain = await startLocalChain({ ledger: "package" });
    const writer = (index: number) =>
      createPackageLedgerWriter({
        publicClient: chain.publicClient,
        walletClient: chain.wallet(chain.accounts[index]!),
        address: chain.address,
        lookup,
      });
    admin = writer(0);
    acme = writer(1);
    northwind = writer(2);
    central = writer(3);
    regulator = writer(4);
    stranger = writer(9);
    const parties = [
      [acme, "MANUFACTURER", "Acme Pharma AG", "9520000000011"],
      [northwind, "DISTRIBUTOR", "Northwind Wholesale", "9520000000028"],
      [central, "PHARMACY", "Central Pharmacy", "9520000000035"],
      [regulator, "REGULATOR", "Medicines Agency", "9520000000059"],
    ] as const;
    for (const [party, role, legalName, gln] of parties) {
      names.set(party.account.toLowerCase(), legalName);
      await admin.onboardParticipant({ account: party.account, role, legalName, gln });
    }
    await admin.assignCompanyPrefix({ manufacturer: acme.account, prefix: "952012" });
    await acme.registerProduct({ gtin: GTIN, name: "Amoxicillin", strength: "500 mg", dosageForm: "capsules" });
  });
  after(() => chain?.stop());

  it("registers a batch whose packs are then held by their manufacturer", async () => {
    const written = await acme.registerBatch({ gtin: GTIN, lot: LOT, expiry: 20_991_200, manifest });
    batchId = written.batchId;
    assert.match(written.transactionHash, /^0x[0-9a-f]{64}$/);
    assert.ok(written.blockNumber > chain.deploymentBlock && written.gasUsed > 21_000);
    const onChain = await chain.publicClient.readContract({
      address: lens(),
      abi: packageLensAbi,
      functionName: "batch",
      args: [batchId],
    });
    assert.equal(onChain.packCount, 200);
    assert.equal(onChain.manufacturer, acme.account);
    // A pack nobody has moved has no record of its own: the lens resolves it to its manufacturer's custody.
    const fresh = await packAt(7);
    assert.deepEqual([fresh.kind, fresh.party, fresh.parent], ["HELD", acme.account, ""]);
  });

  it("packs cases off the line, stacks them on a pallet, and says which packs each case holds", async () => {
    for (const [k, unit] of cases.entries()) {
      const packed = await acme.packRange({ sscc: unit, prefixLength: 6, batch: batchId, count: 50 });
      assert.deepEqual([packed.sscc, packed.batchId, packed.firstIndex, packed.count], [unit, batchId, 50 * k, 50]);
    }
    assert.deepEqual((await unitAt(case2)).range, [50, 100]);
    // A fresh pack named with its case is in it, held by the manufacturer.
    const inCase = await packAt(60, case2);
    assert.deepEqual([inCase.kind, inCase.party, inCase.parent], ["HELD", acme.account, case2]);

    await acme.aggregate({ sscc: pallet, prefixLength: 6, units: [case1, case2, case3] });
    const stacked = await unitAt(case1);
    assert.deepEqual(
      [stacked.kind, stacked.party, stacked.parent, stacked.top],
      ["HELD", acme.account, pallet, pallet],
    );
    const deep = await packAt(10, case1);
    assert.deepEqual([deep.party, deep.parent, deep.top], [acme.account, case1, pallet]);
  });

  it("refuses an SSCC with a wrong check digit, or a prefix length GS1 never assigns, before sending anything", async () => {
    const before = await blockNumber();
    const wrong = badCheckDigit(acmeSscc(5));
    const error = await refused(
      acme.packRange({ sscc: wrong, prefixLength: 6, batch: batchId, count: 10 }),
      "BAD_SSCC",
      new RegExp(
        `The case: '${wrong}' is not a valid SSCC: .*its check digit would be ${acmeSscc(5)[17]}.*Nothing was sent`,
      ),
    );
    assert.equal(error.transactionHash, undefined);
    // An SSCC inside a list, and one naming the unit a pack is in, are checked alike.
    await refused(acme.ship({ to: northwind.account, reference: "ASN-X", units: [pallet, wrong] }), "BAD_SSCC");
    await refused(
      acme.decommission({ pack: { batch, index: 160, unit: "95201200000000001" }, state: "DESTROYED" }),
      "BAD_SSCC",
      /unit of the pack: '95201200000000001' is not a valid SSCC: an SSCC has 18 digits/,
    );
    await refused(
      acme.packRange({ sscc: acmeSscc(5), prefixLength: 13, batch: batchId, count: 10 }),
      "BAD_PREFIX_LENGTH",
      /company prefix length 13 is not one GS1 assigns: a company prefix has 6 to 12 digits/,
    );
    await refused(
      acme.packRange({ sscc: acmeSscc(5), prefixLength: 6, batch: batchId, count: -1 }),
      "BAD_NUMBER",
      /pack count -1 must be a whole number/,
    );
    assert.equal(await blockNumber(), before, "nothing was mined");
  });

  it("ships a pallet and a case, and settles part: the pallet received, the case rejected with a reason", async () => {
    const shipped = await acme.ship({ to: northwind.account, reference: "ACME-ASN-1", units: [pallet, case4] });
    assert.match(shipped.shipmentId, /^0x[0-9a-f]{64}$/);
    const inTransit = await packAt(10, case1);
    assert.deepEqual(
      [inTransit.kind, inTransit.party, inTransit.recipient],
      ["IN_TRANSIT", acme.account, northwind.account],
    );

    const before = await blockNumber();
    for (const reason of [undefined, "", "   "]) {
      await refused(
        northwind.receiveShipment({
          shipmentId: shipped.shipmentId,
          received: { units: [pallet] },
          rejected: { units: [case4] },
          ...(reason === undefined ? {} : { reason }),
        }),
        "REJECTION_REASON_REQUIRED",
        /Rejected items need a reason .*Nothing was sent/,
      );
    }
    assert.equal(await blockNumber(), before, "nothing was mined");
    assert.equal((await unitAt(case4)).kind, "IN_TRANSIT");

    await northwind.receiveShipment({
      shipmentId: shipped.shipmentId,
      received: { units: [pallet] },
      rejected: { units: [case4] },
      reason: REJECTION,
    });
    const received = await unitAt(pallet);
    assert.deepEqual([received.kind, received.party], ["HELD", northwind.account]);
    assert.equal((await packAt(120, case3)).party, northwind.account, "a pack deep in the pallet moved with it");
    const rejected = await unitAt(case4);
    assert.deepEqual([rejected.kind, rejected.party], ["HELD", acme.account]);
  });

  it("refuses a step by anyone but the holder, naming the holder in words", async () => {
    await refused(
      acme.ship({ to: central.account, reference: "ACME-ASN-2", units: [case1] }),
      "PedigreeUnitInUnit",
      /inside unit SSCC .* and moves with it/,
    );
    await refused(
      acme.ship({ to: central.account, reference: "ACME-ASN-2", units: [pallet] }),
      "PedigreeUnitNotHeld",
      new RegExp(`^Unit SSCC ${pallet} is held by Northwind Wholesale: only its holder can move`),
    );
    // A pack named by serial is named by its serial in the refusal.
    const serial = manifest.serials[60]!;
    await refused(
      central.decommission({ pack: { batch, manifest, serial, unit: case2 } }),
      "PedigreePackNotHeld",
      new RegExp(`^Pack ${serial} of batch P-001 of Amoxicillin 500 mg capsules is held by Northwind Wholesale`),
    );
    // A party the ledger does not know cannot pack anything.
    await refused(
      stranger.packRange({ sscc: acmeSscc(6), prefixLength: 6, batch: batchId, count: 1 }),
      "PedigreeNotParticipant",
      new RegExp(`^Account ${stranger.account} is not a participant of the ledger: the administrator must onboard it`),
    );
  });

  it("breaks the pallet, picks loose packs into a tote, and ships the tote", async () => {
    await northwind.disaggregate({ sscc: pallet, units: [case1, case2] });
    const loose = await unitAt(case1);
    assert.deepEqual([loose.kind, loose.party, loose.parent], ["HELD", northwind.account, ""]);
    assert.equal((await unitAt(pallet)).opened, true);
    assert.equal((await unitAt(case3)).parent, pallet, "what was not taken out stays on the pallet");

    // A distributor names any valid SSCC, without a company prefix length; packs by index and by serial.
    await northwind.aggregate({
      sscc: tote,
      packs: [
        { batch: batchId, index: 0, unit: case1 },
        { batch, index: 1, unit: case1 },
        ...[2, 3, 4].map((index) => ({ batch, manifest, serial: manifest.serials[index]!, unit: case1 })),
      ],
    });
    const picked = await packAt(3, tote);
    assert.deepEqual([picked.kind, picked.party, picked.parent], ["HELD", northwind.account, tote]);
    assert.equal((await unitAt(case1)).opened, true);

    const shipped = await northwind.ship({ to: central.account, reference: "NW-ASN-1", units: [tote] });
    assert.equal((await packAt(3, tote)).kind, "IN_TRANSIT");
    await central.receiveShipment({ shipmentId: shipped.shipmentId, received: { units: [tote] } });
    assert.deepEqual([(await packAt(3, tote)).kind, (await packAt(3, tote)).party], ["HELD", central.account]);
  });

  it("cancels a shipment not yet received", async () => {
    const shipped = await northwind.ship({ to: central.account, reference: "NW-ASN-2", units: [case2] });
    await northwind.cancelShipment({ shipmentId: shipped.shipmentId, units: [case2] });
    const back = await unitAt(case2);
    assert.deepEqual([back.kind, back.party], ["HELD", northwind.account]);
  });

  it("dispenses packs from the tote, one by index and two by serial, and undoes one", async () => {
    await central.decommission({ pack: { batch, index: 0, unit: tote }, state: "DISPENSED" });
    const dispensed = await packAt(0);
    assert.deepEqual(
      [dispensed.kind, dispensed.party, dispensed.state],
      ["DECOMMISSIONED", central.account, "DISPENSED"],
    );
    const [second, third] = [manifest.serials[1]!, manifest.serials[2]!];
    await central.decommissionMany({
      packs: [
        { batch, manifest, serial: second, unit: tote },
        { batch, manifest, serial: third, unit: tote },
      ],
    });
    assert.equal((await packAt(1)).state, "DISPENSED");
    await central.reactivate({ batch, manifest, serial: third });
    const back = await packAt(2);
    assert.deepEqual([back.kind, back.party, back.parent], ["HELD", central.account, ""]);
  });

  it("refuses a serial that is not in the batch's manifest before sending", async () => {
    const before = await blockNumber();
    await refused(
      central.decommission({ pack: { batch, manifest, serial: "NOT-IN-BATCH", unit: tote } }),
      "UNKNOWN_SERIAL",
      /Serial NOT-IN-BATCH is not in this batch's serial manifest.*Nothing was sent/,
    );
    await refused(central.reactivate({ batch, manifest, serial: "NOT-IN-BATCH" }), "UNKNOWN_SERIAL");
    assert.equal(await blockNumber(), before);
  });

  it("quarantines items and ends it either way: cleared back to the holder, illegitimate destroyed", async () => {
    await central.quarantine({ units: [tote], reason: "Tamper-evident seal broken" });
    const held = await unitAt(tote);
    assert.deepEqual([held.kind, held.party], ["QUARANTINED", central.account]);
    await refused(
      central.decommission({ pack: { batch, index: 3, unit: tote } }),
      "PedigreePackNotHeld",
      /^The pack at position 3 of batch P-001 of Amoxicillin 500 mg capsules is quarantined at Central Pharmacy/,
    );
    await central.endQuarantine({ units: [tote], outcome: "CLEARED", reason: "Seal intact on inspection" });
    assert.deepEqual([(await unitAt(tote)).kind, (await packAt(3, tote)).party], ["HELD", central.account]);

    await regulator.quarantine({ units: [case2], reason: "Suspected diversion" });
    await refused(
      northwind.endQuarantine({ units: [case2], outcome: "CLEARED", reason: "Ours" }),
      "PedigreeQuarantinedByRegulator",
      /quarantined by a regulator: only a regulator can end that quarantine/,
    );
    await regulator.endQuarantine({ units: [case2], outcome: "ILLEGITIMATE", reason: "Diverted stock" });
    assert.equal((await unitAt(case2)).kind, "DESTROYED");
    assert.equal((await packAt(75, case2)).kind, "DESTROYED");
  });

  it("quarantines the batch and ends it, and recalls it", async () => {
    const status = async () =>
      batchStatusName(
        (
          await chain.publicClient.readContract({
            address: lens(),
            abi: packageLensAbi,
            functionName: "batch",
            args: [batchId],
          })
        ).status,
      );
    await regulator.quarantineBatch({ batch, reason: "Out-of-specification assay" });
    assert.equal(await status(), "QUARANTINED");
    await regulator.endBatchQuarantine({ batch, outcome: "CLEARED", reason: "Assay repeated within specification" });
    assert.equal(await status(), "ACTIVE");
    await regulator.suspendBatch({ batch, reason: "Labelling query" });
    assert.equal(await status(), "SUSPENDED");
    await regulator.reinstateBatch({ batch });
    await acme.recallBatch({ batch: batchId, reason: "Voluntary recall" });
    assert.equal(await status(), "RECALLED");
  });
});

describe("createPackageLedgerWriter, what it sends and what it makes of a receipt", () => {
  const address: Address = "0x00000000000000000000000000000000000000aa";
  const sender: Address = "0x00000000000000000000000000000000000000bb";
  /** Clients that record the simulated call and mine it with `receipt`'s status and no logs. */
  function recording(status: "success" | "reverted" = "success") {
    const calls: { functionName: string; args: readonly unknown[] }[] = [];
    const options = {
      address,
      publicClient: {
        simulateContract: async (request: { functionName: string; args: readonly unknown[] }) => {
          calls.push({ functionName: request.functionName, args: request.args });
          return { request };
        },
        waitForTransactionReceipt: async () => ({ status, blockNumber: 12n, gasUsed: 50_000n, logs: [] }),
      },
      walletClient: {
        account: { address: sender, type: "json-rpc" },
        writeContract: async () => `0x${"ab".repeat(32)}`,
      },
    } as unknown as Parameters<typeof createPackageLedgerWriter>[0];
    return { calls, writer: createPackageLedgerWriter(options) };
  }

  it("sends SSCCs as numbers, a loose pack with unit 0, and outcomes and states as the contract's enums", async () => {
    const { calls, writer } = recording();
    const written = await writer.endQuarantine({
      units: [acmeSscc(1)],
      packs: [
        { batch, index: 4 },
        { batch, manifest, serial: manifest.serials[9]!, unit: acmeSscc(2) },
      ],
      outcome: "ILLEGITIMATE",
      reason: "Counterfeit",
    });
    assert.deepEqual(written, { transactionHash: `0x${"ab".repeat(32)}`, blockNumber: 12, gasUsed: 50_000 });
    const batchId = batchIdOfKey(batch);
    assert.deepEqual(calls, [
      {
        functionName: "endQuarantine",
        args: [
          {
            units: [BigInt(acmeSscc(1))],
            packs: [
              { batchId, index: 4n, unit: 0n },
              { batchId, index: 9n, unit: BigInt(acmeSscc(2)) },
            ],
          },
          1,
          "Counterfeit",
        ],
      },
    ]);
    await writer.decommissionMany({ packs: [{ batch, index: 1 }], state: "DESTROYED" });
    assert.deepEqual(calls[1]?.args[1], 2);
    await writer.receiveShipment({ shipmentId: ZERO_HASH, received: { units: [acmeSscc(3)] } });
    assert.deepEqual(calls[2]?.args, [
      ZERO_HASH,
      { units: [BigInt(acmeSscc(3))], packs: [] },
      { units: [], packs: [] },
      "",
    ]);
  });

  it("reports a mined transaction without the event it expected, and one that reverted once mined", async () => {
    const { writer } = recording();
    await refused(
      writer.ship({ to: sender, reference: "ASN-1", units: [acmeSscc(1)] }),
      "NO_SHIPMENT_EVENT",
      new RegExp(`reported no shipment: check that ${address} is the Pedigree ledger`),
    );
    await refused(
      writer.packRange({ sscc: acmeSscc(1), prefixLength: 6, batch, count: 50 }),
      "NO_UNIT_EVENT",
      /reported no packed case/,
    );
    const reverted = await refused(
      recording("reverted").writer.quarantine({ units: [acmeSscc(1)], reason: "Seal broken" }),
      "TRANSACTION_REVERTED",
    );
    assert.equal(reverted.transactionHash, `0x${"ab".repeat(32)}`);
  });

  it("refuses a pack named by serial without a manifest, or by an index that is no whole number, before simulating", async () => {
    const { calls, writer } = recording();
    await refused(
      writer.decommission({ pack: { batch, serial: "PK2F7Q" } as never }),
      "MANIFEST_REQUIRED",
      /Pack PK2F7Q is named by its serial without its batch's serial manifest/,
    );
    await refused(writer.reactivate({ batch, index: -1 }), "BAD_NUMBER", /pack index -1 must be a whole number/);
    await refused(writer.disaggregate({ sscc: "SSCC-1", units: [] }), "BAD_SSCC", /'SSCC-1' is not a valid SSCC/);
    assert.deepEqual(calls, []);
  });
});
