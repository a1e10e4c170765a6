/**
 * Gas benchmark of the ledger, on the in-process chain with the production build profile:
 *
 *   npm run bench:gas   (hardhat run --build-profile production scripts/bench-gas.ts)
 *
 * Prints a table and writes bench-results/gas.json (committed, so a regression shows in review).
 * Batches of a million packs use a real serial tree of 1,000,000 serials (proofs of depth 20).
 *
 * It is also the gas regression check: it exits with status 1, and leaves gas.json as it was,
 * when a measure misses its target or uses more than 1% over the figure in the committed gas.json.
 * A deliberate increase is recorded with PEDIGREE_GAS_ACCEPT=1 (and then shows in review).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import PedigreeModule from "../ignition/modules/Pedigree.ts";
import { SerialTree } from "../packages/ledger/src/manifest/serialTree.ts";
import type { PedigreeLedger } from "../types/ethers-contracts/index.ts";

const { ethers, ignition, provider } = await network.create();
const [admin, manufacturer, distributor, pharmacy] = await ethers.getSigners();
if (!admin || !manufacturer || !distributor || !pharmacy) throw new Error("The in-process chain needs 4 accounts");

const { ledger: deployed } = await ignition.deploy(PedigreeModule);
const ledger = (await ethers.getContractAt("PedigreeLedger", await deployed.getAddress())) as unknown as PedigreeLedger;

const Role = { Regulator: 1, Manufacturer: 2, Distributor: 3, Pharmacy: 4 } as const;
const Dispensed = 1;
const GTIN = 9520123456788n; // 09520123456788 under company prefix 952012
const EXPIRY = 20301231;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
}

function serialsOf(count: number, lot: string): string[] {
  // Non-sequential serials of realistic length (12 characters of CSET 82).
  const serials = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    serials[i] = `${lot}${((i * 2_654_435_761) % 4_294_967_291).toString(36).toUpperCase().padStart(8, "0")}`.slice(
      -12,
    );
  }
  return serials;
}

async function registerBatch(lot: string, serials: string[]): Promise<{ id: string; gas: number; tree: SerialTree }> {
  const tree = SerialTree.build(serials);
  const gas = await gasOf(
    ledger.connect(manufacturer).registerBatch(GTIN, lot, EXPIRY, serials.length, tree.root, ethers.ZeroHash),
  );
  return { id: await ledger.batchIdOf(GTIN, lot), gas, tree };
}

let shipmentCounter = 0;
async function ship(from: typeof admin, to: string, lines: { batchId: string; quantity: number }[]) {
  const ref = ethers.encodeBytes32String(`ASN-${++shipmentCounter}`);
  const tx = await ledger.connect(from).ship(to, ref, lines);
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("ship was not mined");
  const event = receipt.logs
    .map((log) => ledger.interface.parseLog(log))
    .find((parsed) => parsed?.name === "UnitsShipped");
  return { gas: Number(receipt.gasUsed), shipmentId: event?.args.shipmentId as string };
}

// ------------------------------------------------------------------ setup
await (
  await ledger.onboardParticipant(manufacturer.address, Role.Manufacturer, "Acme Pharma AG", 9520000000011n)
).wait();
await (
  await ledger.onboardParticipant(distributor.address, Role.Distributor, "Northwind Wholesale", 9520000000028n)
).wait();
await (await ledger.onboardParticipant(pharmacy.address, Role.Pharmacy, "Central Pharmacy", 9520000000035n)).wait();
await (await ledger.assignCompanyPrefix(manufacturer.address, "952012")).wait();
await (await ledger.connect(manufacturer).registerProduct(GTIN, "Amoxicillin", "500 mg", "capsule")).wait();

const results: Record<string, number> = {};

// ------------------------------------------------------------------ batches
const small = await registerBatch("LOT-0000001", ["SERIAL0000001"]);
results.registerBatch_1pack = small.gas;

process.stdout.write("Building the serial tree of 1,000,000 packs... ");
const started = performance.now();
const bigSerials = serialsOf(1_000_000, "BIG");
const big = await registerBatch("LOT-1000000", bigSerials);
console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
results.registerBatch_1000000packs = big.gas;

// ------------------------------------------------------------------ custody
const first = await ship(manufacturer, distributor.address, [{ batchId: big.id, quantity: 1000 }]);
results.ship_1line = first.gas;
results.receive_1line = await gasOf(
  ledger
    .connect(distributor)
    .receiveShipment(first.shipmentId, manufacturer.address, [{ batchId: big.id, quantity: 1000 }]),
);

const rejected = await ship(manufacturer, distributor.address, [{ batchId: big.id, quantity: 10 }]);
results.reject_1line = await gasOf(
  ledger
    .connect(distributor)
    .rejectShipment(rejected.shipmentId, manufacturer.address, [{ batchId: big.id, quantity: 10 }], "Damaged cartons"),
);

const onward = await ship(distributor, pharmacy.address, [{ batchId: big.id, quantity: 400 }]);
results.ship_1line_fromDistributor = onward.gas;
await gasOf(
  ledger
    .connect(pharmacy)
    .receiveShipment(onward.shipmentId, distributor.address, [{ batchId: big.id, quantity: 400 }]),
);

const tenBatches = [];
for (let i = 0; i < 10; i++) tenBatches.push(await registerBatch(`LINE${i}`, serialsOf(100, `LINE${i}`)));
const ten = await ship(
  manufacturer,
  distributor.address,
  tenBatches.map((b) => ({ batchId: b.id, quantity: 50 })),
);
results.ship_10lines_perLine = Math.round(ten.gas / 10);

// ------------------------------------------------------------------ packs
// Two packs of one status word (indexes 4k, 4k+1) with depth-20 proofs.
let word = 0;
while (big.tree.proof(4 * word).length !== 20 || big.tree.proof(4 * word + 1).length !== 20) word++;
const [firstPack, secondPack] = [4 * word, 4 * word + 1];
const dispense = (index: number) =>
  ledger.connect(pharmacy).decommission(big.id, index, bigSerials[index] as string, big.tree.proof(index), Dispensed);
results.dispense_depth20_freshSlot = await gasOf(dispense(firstPack));
results.dispense_depth20 = await gasOf(dispense(secondPack));

// 20 packs at random indexes (a fixed seed, so runs compare), one multiproof.
let seed = 20_261_121;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
const randomIndexes = (count: number, avoid: (index: number) => boolean) => {
  const indexes = new Set<number>();
  while (indexes.size < count) {
    const index = Math.floor(random() * 1_000_000);
    if (!avoid(index)) indexes.add(index);
  }
  return [...indexes];
};
const picked = new Set(randomIndexes(20, (index) => Math.floor(index / 4) === word));
/** Gas of one decommissionMany, and the least Prague lets it cost for its calldata (EIP-7623). */
const dispenseMany = async (indexes: number[]) => {
  const multi = big.tree.multiProof(indexes);
  const tx = await ledger.connect(pharmacy).decommissionMany(
    big.id,
    multi.indexes,
    multi.indexes.map((i) => bigSerials[i] as string),
    multi.proof,
    multi.flagBits,
    Dispensed,
  );
  const tokens = ethers.getBytes(tx.data).reduce((sum, byte) => sum + (byte === 0 ? 1 : 4), 0);
  return { gas: await gasOf(Promise.resolve(tx)), calldataFloor: 21_000 + 10 * tokens };
};
const randomDispense = await dispenseMany([...picked]);
results.dispenseMany_20packs_perPack = Math.round(randomDispense.gas / 20);
// What Prague charges at least for that transaction's calldata (10 gas per token, EIP-7623),
// whatever the contract does: 32-byte proof nodes are most of it.
results.dispenseMany_20packs_calldataFloor_perPack = Math.round(randomDispense.calldataFloor / 20);
// The usual case at a pharmacy: 20 consecutive packs of one case (five fresh status words).
const caseStart = 4 * (word + 1_000);
const consecutive = Array.from({ length: 20 }, (_, k) => caseStart + k);
if (consecutive.some((index) => picked.has(index))) throw new Error("the consecutive packs overlap the random ones");
results.dispenseMany_20consecutive_perPack = Math.round((await dispenseMany(consecutive)).gas / 20);
// 20 more random packs, each status word already in use (a neighbour dispensed before), as in
// dispense_depth20: the batch later in its life. Each pack then writes a used word (5,000 gas)
// instead of a fresh one (22,100).
const wordOf = (index: number) => Math.floor(index / 4);
const usedWords = new Set([word, ...[...picked, ...consecutive].map(wordOf)]);
const later = randomIndexes(20, (index) => usedWords.has(wordOf(index)));
if (new Set(later.map(wordOf)).size !== 20) throw new Error("two of the later packs share a status word");
await dispenseMany(later.map((index) => (index % 4 === 3 ? index - 1 : index + 1)));
results.dispenseMany_20packs_wordsInUse_perPack = Math.round((await dispenseMany(later)).gas / 20);

// ------------------------------------------------------------------ verification view
// Execution gas: what the call uses beyond the intrinsic cost of its transaction.
let verifyIndex = 0;
while (big.tree.proof(verifyIndex).length !== 20) verifyIndex++;
const verifyData = ledger.interface.encodeFunctionData("verifyPack", [
  GTIN,
  "L1M",
  bigSerials[verifyIndex] as string,
  verifyIndex,
  big.tree.proof(verifyIndex),
  EXPIRY,
]);
const trace = (await provider.request({
  method: "debug_traceCall",
  params: [
    { to: await ledger.getAddress(), data: verifyData, from: pharmacy.address },
    "latest",
    { disableStorage: true, disableMemory: true, disableStack: true },
  ],
})) as { gas: number };
const calldata = ethers.getBytes(verifyData);
const intrinsic = 21_000 + calldata.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
results.verify_depth20 = Number(trace.gas) - intrinsic;

// ------------------------------------------------------------------ report
const targets: Record<string, (gas: number) => boolean> = {
  registerBatch_1pack: (g) => g <= 100_000,
  registerBatch_1000000packs: (g) => Math.abs(g - results.registerBatch_1pack!) <= 100,
  ship_1line: (g) => g <= 60_000,
  ship_10lines_perLine: (g) => g <= 25_000,
  receive_1line: (g) => g <= 55_000,
  reject_1line: (g) => g <= 45_000,
  dispense_depth20: (g) => g <= 60_000,
  dispense_depth20_freshSlot: (g) => g <= 80_000,
  dispenseMany_20packs_perPack: (g) => g <= 20_000,
  verify_depth20: (g) => g <= 20_000,
};
const targetText: Record<string, string> = {
  registerBatch_1pack: "<= 100000",
  registerBatch_1000000packs: "within 100 of 1 pack",
  ship_1line: "<= 60000",
  ship_10lines_perLine: "<= 25000",
  receive_1line: "<= 55000",
  reject_1line: "<= 45000",
  dispense_depth20: "<= 60000",
  dispense_depth20_freshSlot: "<= 80000",
  dispenseMany_20packs_perPack: "<= 20000",
  verify_depth20: "<= 20000",
};
// Targets missed for a reason given in docs/ARCHITECTURE.md ("Gas"): they do not fail the check,
// so that it guards everything else, but they still may not grow.
const knownMisses: Record<string, string> = {
  dispenseMany_20packs_perPack:
    "each pack at a random index of a 1,000,000-pack batch needs a fresh storage word (22,100 gas) of its own, " +
    `and Prague charges at least ${results.dispenseMany_20packs_calldataFloor_perPack} per pack for this ` +
    "transaction's calldata (EIP-7623), most of it the multiproof's 32-byte nodes",
};
const RESULTS_FILE = "bench-results/gas.json";
const previous: Record<string, number> = existsSync(RESULTS_FILE)
  ? (JSON.parse(readFileSync(RESULTS_FILE, "utf8")) as Record<string, number>)
  : {};
const GROWTH_ALLOWED = 0.01;

const failures: string[] = [];
console.log("\nPedigree gas (production profile, in-process chain)\n");
console.log(`${"measure".padEnd(44)}${"gas".padStart(8)}${"before".padStart(8)}   target`);
for (const [key, gas] of Object.entries(results)) {
  const check = targets[key];
  const met = check === undefined || check(gas);
  const verdict =
    check === undefined
      ? "(for reference)"
      : `${targetText[key]}  ${met ? "ok" : knownMisses[key] === undefined ? "OVER" : "over (known)"}`;
  const before = previous[key];
  console.log(`${key.padEnd(44)}${String(gas).padStart(8)}${String(before ?? "-").padStart(8)}   ${verdict}`);
  if (!met && knownMisses[key] === undefined) failures.push(`${key}: ${gas} misses its target ${targetText[key]}`);
  if (before !== undefined && gas > before * (1 + GROWTH_ALLOWED)) {
    failures.push(`${key}: ${gas} is more than 1% over ${before} in ${RESULTS_FILE}`);
  }
}
for (const [key, reason] of Object.entries(knownMisses)) console.log(`\n${key} is over its target: ${reason}.`);

const accept = process.env.PEDIGREE_GAS_ACCEPT === "1";
if (failures.length > 0) {
  console.log(`\nGas check failed:\n  ${failures.join("\n  ")}`);
  if (!accept) {
    console.log(`${RESULTS_FILE} is left as it was; PEDIGREE_GAS_ACCEPT=1 records these figures anyway.`);
    process.exitCode = 1;
  }
}
if (failures.length === 0 || accept) {
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWritten to ${RESULTS_FILE}`);
}
