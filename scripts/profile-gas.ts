/**
 * Where the gas of one ship, receive and dispense goes, by opcode (debug_traceTransaction), on a
 * small batch (proof depth 12). A companion to bench-gas.ts for finding what to optimise:
 *   hardhat run --build-profile production scripts/profile-gas.ts   (PROFILE_OPS=1: top opcodes too)
 */
import { network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import PedigreeModule from "../ignition/modules/Pedigree.ts";
import { SerialTree } from "../packages/ledger/src/manifest/serialTree.ts";
import type { PedigreeLedger } from "../types/ethers-contracts/index.ts";

const { ethers, ignition, provider } = await network.create();
const [, acme, northwind, central] = await ethers.getSigners();
if (!acme || !northwind || !central) throw new Error("needs 4 accounts");
const { ledger: deployed } = await ignition.deploy(PedigreeModule);
const ledger = (await ethers.getContractAt("PedigreeLedger", await deployed.getAddress())) as unknown as PedigreeLedger;
await (await ledger.onboardParticipant(acme.address, 2, "Acme Pharma AG", 9520000000011n)).wait();
await (await ledger.onboardParticipant(northwind.address, 3, "Northwind Wholesale", 9520000000028n)).wait();
await (await ledger.onboardParticipant(central.address, 4, "Central Pharmacy", 9520000000035n)).wait();
await (await ledger.assignCompanyPrefix(acme.address, "952012")).wait();
await (await ledger.connect(acme).registerProduct(9520123456788n, "Amoxicillin", "500 mg", "capsule")).wait();
const serials = Array.from({ length: 4096 }, (_, i) => `SER${i.toString().padStart(9, "0")}`);
const tree = SerialTree.build(serials);
await (
  await ledger.connect(acme).registerBatch(9520123456788n, "LOT1", 20301231, serials.length, tree.root, ethers.ZeroHash)
).wait();
const batchId = await ledger.batchIdOf(9520123456788n, "LOT1");

async function profile(label: string, sent: Promise<ContractTransactionResponse>): Promise<string | undefined> {
  const tx = await sent;
  const receipt = await tx.wait();
  const trace = (await provider.request({
    method: "debug_traceTransaction",
    params: [tx.hash, { disableStorage: true, disableMemory: true, disableStack: true }],
  })) as { structLogs: { op: string; gasCost: number }[] };
  const byOp = new Map<string, number>();
  for (const step of trace.structLogs) byOp.set(step.op, (byOp.get(step.op) ?? 0) + step.gasCost);
  const execution = [...byOp.values()].reduce((a, b) => a + b, 0);
  const storage = (byOp.get("SLOAD") ?? 0) + (byOp.get("SSTORE") ?? 0);
  const logs = [...byOp].filter(([op]) => op.startsWith("LOG")).reduce((a, [, g]) => a + g, 0);
  console.log(
    `${label.padEnd(16)} gasUsed ${receipt!.gasUsed}  intrinsic ${Number(receipt!.gasUsed) - execution}  ` +
      `storage ${storage}  logs ${logs}  other ${execution - storage - logs}`,
  );
  if (process.env.PROFILE_OPS === "1") {
    const top = [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 16);
    console.log(`  ${top.map(([op, gas]) => `${op}:${gas}`).join(" ")}`);
  }
  return receipt!.logs.map((log) => ledger.interface.parseLog(log)).find((p) => p?.name === "UnitsShipped")?.args
    .shipmentId as string | undefined;
}

const lines = [{ batchId, quantity: 100n }];
const shipmentId = await profile(
  "ship",
  ledger.connect(acme).ship(northwind.address, ethers.encodeBytes32String("A1"), lines),
);
await profile("receive", ledger.connect(northwind).receiveShipment(shipmentId!, acme.address, lines));
const onward = await profile(
  "ship (distrib.)",
  ledger.connect(northwind).ship(central.address, ethers.encodeBytes32String("A2"), lines),
);
await profile("receive", ledger.connect(central).receiveShipment(onward!, northwind.address, lines));
await profile("dispense fresh", ledger.connect(central).decommission(batchId, 0, serials[0]!, tree.proof(0), 1));
await profile("dispense in use", ledger.connect(central).decommission(batchId, 1, serials[1]!, tree.proof(1), 1));
