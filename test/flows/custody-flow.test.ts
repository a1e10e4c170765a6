/**
 * A whole multi-party custody flow on the in-process chain, deployed through the same Ignition
 * module as production: onboard, register, ship, receive, reject, ship on, dispense, undo,
 * recall, return to the manufacturer.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import PedigreeModule from "../../ignition/modules/Pedigree.ts";
import { SerialTree } from "../../packages/ledger/src/manifest/serialTree.ts";
import type { PedigreeLedger } from "../../types/ethers-contracts/index.ts";

const { ethers, ignition, networkHelpers, networkConfig } = await network.create();

/**
 * Sends a write and waits for its block. On the in-process chain every transaction is mined as it
 * arrives; on a node that mines on a clock (the anvil suite runs these flows on anvil with 2 s
 * blocks: `--network localhost`), a read right after a send would see the state before it.
 */
async function mined(write: Promise<ContractTransactionResponse>): Promise<void> {
  const receipt = await (await write).wait();
  if (receipt?.status !== 1) throw new Error(`transaction ${receipt?.hash} failed`);
}

// On a node of its own, Ignition keeps a journal (ignition/deployments/<id>) and would resume it
// on the next run, on a new chain without those contracts: each run deploys under an id of its own
// and deletes its journal afterwards. The in-process chain keeps no journal.
const deploymentId = networkConfig.type === "edr-simulated" ? undefined : `custody-flow-${process.pid}-${Date.now()}`;
if (deploymentId !== undefined) {
  after(() =>
    rmSync(path.join(import.meta.dirname, "../../ignition/deployments", deploymentId), {
      recursive: true,
      force: true,
    }),
  );
}

const Role = { Regulator: 1, Manufacturer: 2, Distributor: 3, Pharmacy: 4 } as const;
const BatchStatus = { Active: 1, Suspended: 2, Recalled: 3 } as const;
const PackState = { Active: 0, Dispensed: 1, Destroyed: 2 } as const;
const Verdict = { Genuine: 0, Dispensed: 1, Recalled: 3, UnknownSerial: 7 } as const;
const GTIN = 9520123456788n;
const LOT = "A1234";
const EXPIRY = 20301231;
const SERIALS = Array.from({ length: 64 }, (_, i) => `PK${(i * 7919 + 104_729).toString(36).toUpperCase()}`);

async function deployWorld() {
  const [admin, acme, northwind, central, harbour, regulator] = await ethers.getSigners();
  const { ledger: deployed } = await ignition.deploy(PedigreeModule, { deploymentId });
  const ledger = (await ethers.getContractAt(
    "PedigreeLedger",
    await deployed.getAddress(),
  )) as unknown as PedigreeLedger;
  await mined(ledger.onboardParticipant(acme!.address, Role.Manufacturer, "Acme Pharma AG", 9520000000011n));
  await mined(ledger.onboardParticipant(northwind!.address, Role.Distributor, "Northwind Wholesale", 9520000000028n));
  await mined(ledger.onboardParticipant(central!.address, Role.Pharmacy, "Central Pharmacy", 9520000000035n));
  await mined(ledger.onboardParticipant(harbour!.address, Role.Pharmacy, "Harbour Pharmacy", 9520000000042n));
  await mined(ledger.onboardParticipant(regulator!.address, Role.Regulator, "Medicines Agency", 9520000000059n));
  await mined(ledger.assignCompanyPrefix(acme!.address, "952012"));
  return {
    ledger,
    admin: admin!,
    acme: acme!,
    northwind: northwind!,
    central: central!,
    harbour: harbour!,
    regulator: regulator!,
  };
}

async function shipmentIdOf(ledger: PedigreeLedger, tx: Awaited<ReturnType<PedigreeLedger["ship"]>>): Promise<string> {
  const receipt = await tx.wait();
  for (const log of receipt!.logs) {
    const parsed = ledger.interface.parseLog(log);
    if (parsed?.name === "UnitsShipped") return parsed.args.shipmentId as string;
  }
  throw new Error("no UnitsShipped event");
}

describe("custody flow across manufacturer, distributor, pharmacies and regulator", function () {
  // The whole flow is some 30 writes: on anvil with 2 s blocks each one waits for its block.
  if (deploymentId !== undefined) this.timeout(240_000);
  it("tracks every unit from registration to dispensing, recall and return", async () => {
    const { ledger, acme, northwind, central, harbour, regulator } = await networkHelpers.loadFixture(deployWorld);
    const tree = SerialTree.build(SERIALS);
    const ref = (text: string) => ethers.encodeBytes32String(text);

    // Register product and batch.
    await expect(ledger.connect(acme).registerProduct(GTIN, "Amoxicillin", "500 mg", "capsule"))
      .to.emit(ledger, "ProductRegistered")
      .withArgs(GTIN, acme.address, "Amoxicillin", "500 mg", "capsule");
    const batchId = await ledger.batchIdOf(GTIN, LOT);
    expect(batchId).to.equal(
      ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint64", "string"], [GTIN, LOT])),
    );
    await expect(ledger.connect(acme).registerBatch(GTIN, LOT, EXPIRY, SERIALS.length, tree.root, ethers.ZeroHash))
      .to.emit(ledger, "BatchRegistered")
      .withArgs(batchId, GTIN, acme.address, LOT, EXPIRY, SERIALS.length, tree.root, ethers.ZeroHash);
    expect(await ledger.unitsHeld(batchId, acme.address)).to.equal(64n);

    // Manufacturer ships 40 to the distributor, who receives them.
    const toNorthwind = [{ batchId, quantity: 40n }];
    const first = await shipmentIdOf(
      ledger,
      await ledger.connect(acme).ship(northwind.address, ref("ASN-1"), toNorthwind),
    );
    expect(await ledger.unitsHeld(batchId, acme.address)).to.equal(24n);
    await expect(ledger.connect(northwind).receiveShipment(first, acme.address, toNorthwind))
      .to.emit(ledger, "UnitsReceived")
      .withArgs(batchId, first, northwind.address, acme.address, 40n);
    expect(await ledger.unitsHeld(batchId, northwind.address)).to.equal(40n);

    // A second shipment is rejected: the units go back to the manufacturer.
    const damaged = [{ batchId, quantity: 4n }];
    const second = await shipmentIdOf(
      ledger,
      await ledger.connect(acme).ship(northwind.address, ref("ASN-2"), damaged),
    );
    await expect(ledger.connect(northwind).rejectShipment(second, acme.address, damaged, "Cartons crushed"))
      .to.emit(ledger, "UnitsRejected")
      .withArgs(batchId, second, northwind.address, acme.address, 4n, "Cartons crushed");
    expect(await ledger.unitsHeld(batchId, acme.address)).to.equal(24n);
    await expect(ledger.connect(northwind).receiveShipment(second, acme.address, damaged))
      .to.be.revertedWithCustomError(ledger, "PedigreeShipmentNotPending")
      .withArgs(second);

    // The distributor ships on to two pharmacies.
    const toCentral = [{ batchId, quantity: 10n }];
    const third = await shipmentIdOf(
      ledger,
      await ledger.connect(northwind).ship(central.address, ref("ASN-3"), toCentral),
    );
    await mined(ledger.connect(central).receiveShipment(third, northwind.address, toCentral));
    const toHarbour = [{ batchId, quantity: 5n }];
    const fourth = await shipmentIdOf(
      ledger,
      await ledger.connect(northwind).ship(harbour.address, ref("ASN-4"), toHarbour),
    );
    await mined(ledger.connect(harbour).receiveShipment(fourth, northwind.address, toHarbour));

    // The pharmacy verifies, then dispenses pack 7; a second dispense names the current state.
    const verify = (index: number) => ledger.verifyPack(GTIN, LOT, SERIALS[index]!, index, tree.proof(index), EXPIRY);
    expect((await verify(7)).verdict).to.equal(Verdict.Genuine);
    await expect(ledger.connect(central).decommission(batchId, 7, SERIALS[7]!, tree.proof(7), PackState.Dispensed))
      .to.emit(ledger, "PackDecommissioned")
      .withArgs(batchId, 7n, central.address, PackState.Dispensed);
    const dispensed = await verify(7);
    expect(dispensed.verdict).to.equal(Verdict.Dispensed);
    expect(dispensed.pack.by).to.equal(central.address);
    await expect(ledger.connect(central).decommission(batchId, 7, SERIALS[7]!, tree.proof(7), PackState.Dispensed))
      .to.be.revertedWithCustomError(ledger, "PedigreePackNotActive")
      .withArgs(batchId, 7n, PackState.Dispensed);
    // A wrong serial for the index is not a pack of this batch.
    expect((await ledger.verifyPack(GTIN, LOT, "FAKE123", 7, tree.proof(7), EXPIRY)).verdict).to.equal(
      Verdict.UnknownSerial,
    );

    // Another pharmacy cannot undo it; the same one can, within 10 days.
    await expect(ledger.connect(harbour).reactivate(batchId, 7))
      .to.be.revertedWithCustomError(ledger, "PedigreeUndoByOtherParty")
      .withArgs(batchId, 7n, central.address);
    await networkHelpers.time.increase(3 * 24 * 60 * 60);
    await expect(ledger.connect(central).reactivate(batchId, 7))
      .to.emit(ledger, "PackReactivated")
      .withArgs(batchId, 7n, central.address, PackState.Dispensed);
    expect((await verify(7)).verdict).to.equal(Verdict.Genuine);
    expect(await ledger.unitsHeld(batchId, central.address)).to.equal(10n);

    // Dispense several packs at once with a multiproof.
    const many = tree.multiProof([1, 2, 30, 31]);
    await mined(
      ledger.connect(central).decommissionMany(
        batchId,
        many.indexes,
        many.indexes.map((i) => SERIALS[i]!),
        many.proof,
        many.flagBits,
        PackState.Dispensed,
      ),
    );
    expect(await ledger.unitsHeld(batchId, central.address)).to.equal(6n);

    // The regulator recalls the batch: stock can no longer move forward or be dispensed...
    await expect(ledger.connect(regulator).recallBatch(batchId, "Nitrosamine impurity above limit"))
      .to.emit(ledger, "BatchRecalled")
      .withArgs(batchId, regulator.address, "Nitrosamine impurity above limit");
    expect((await verify(9)).verdict).to.equal(Verdict.Recalled);
    await expect(ledger.connect(northwind).ship(central.address, ref("ASN-5"), [{ batchId, quantity: 1n }]))
      .to.be.revertedWithCustomError(ledger, "PedigreeBatchNotMovable")
      .withArgs(batchId, BatchStatus.Recalled, EXPIRY);
    await expect(ledger.connect(central).decommission(batchId, 9, SERIALS[9]!, tree.proof(9), PackState.Dispensed))
      .to.be.revertedWithCustomError(ledger, "PedigreeDispenseNotAllowed")
      .withArgs(batchId, BatchStatus.Recalled, EXPIRY);

    // ...but it goes back to the manufacturer: pharmacy to distributor is refused, straight back is allowed.
    const back = [{ batchId, quantity: 6n }];
    const returned = await shipmentIdOf(ledger, await ledger.connect(central).ship(acme.address, ref("RET-1"), back));
    await mined(ledger.connect(acme).receiveShipment(returned, central.address, back));
    const fromNorthwind = [{ batchId, quantity: 25n }];
    const returned2 = await shipmentIdOf(
      ledger,
      await ledger.connect(northwind).ship(acme.address, ref("RET-2"), fromNorthwind),
    );
    await mined(ledger.connect(acme).receiveShipment(returned2, northwind.address, fromNorthwind));

    // Units conserved: 64 registered = held + in transit (0) + decommissioned (4 dispensed).
    const holders = [acme, northwind, central, harbour];
    let held = 0n;
    for (const holder of holders) held += await ledger.unitsHeld(batchId, holder.address);
    expect(held).to.equal(60n);
    expect(await ledger.unitsHeld(batchId, acme.address)).to.equal(55n);
    expect(await ledger.unitsHeld(batchId, harbour.address)).to.equal(5n);
    for (const index of [1, 2, 30, 31])
      expect((await ledger.packRecord(batchId, index)).state).to.equal(PackState.Dispensed);
  });

  it("refuses custody writes while paused, and from suspended participants", async () => {
    const { ledger, admin, acme, northwind } = await networkHelpers.loadFixture(deployWorld);
    await mined(ledger.connect(acme).registerProduct(GTIN, "Amoxicillin", "500 mg", "capsule"));
    const tree = SerialTree.build(SERIALS);
    await expect(ledger.connect(admin).pause("Signing key of a wholesaler leaked"))
      .to.emit(ledger, "LedgerPaused")
      .withArgs(admin.address, "Signing key of a wholesaler leaked");
    await expect(
      ledger.connect(acme).registerBatch(GTIN, LOT, EXPIRY, SERIALS.length, tree.root, ethers.ZeroHash),
    ).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    await mined(ledger.connect(admin).unpause("Key revoked"));
    await mined(ledger.connect(acme).registerBatch(GTIN, LOT, EXPIRY, SERIALS.length, tree.root, ethers.ZeroHash));
    await expect(ledger.connect(admin).suspendParticipant(acme.address, "Manufacturing licence withdrawn"))
      .to.emit(ledger, "ParticipantSuspended")
      .withArgs(acme.address, admin.address, "Manufacturing licence withdrawn");
    const batchId = await ledger.batchIdOf(GTIN, LOT);
    await expect(
      ledger.connect(acme).ship(northwind.address, ethers.encodeBytes32String("X"), [{ batchId, quantity: 1n }]),
    )
      .to.be.revertedWithCustomError(ledger, "PedigreeParticipantSuspended")
      .withArgs(acme.address);
    expect(await ledger.hasRole(await ledger.MANUFACTURER_ROLE(), acme.address)).to.equal(false);
  });
});
