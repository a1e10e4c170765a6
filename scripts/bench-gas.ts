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
import type { PedigreeLedger, PedigreePackageLedger, PedigreePackageLens } from "../types/ethers-contracts/index.ts";

// Contracts over EIP-170's 24,576 bytes still deploy here, so that their gas is measured while
// their size is reported (and checked) as a measure of its own.
const { ethers, ignition, provider } = await network.create({ override: { allowUnlimitedContractSize: true } });
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

/** Gas a call uses beyond the intrinsic cost of its transaction (21,000 plus its calldata). */
async function executionGas(to: string, data: string): Promise<number> {
  const trace = (await provider.request({
    method: "debug_traceCall",
    params: [
      { to, data, from: pharmacy!.address },
      "latest",
      { disableStorage: true, disableMemory: true, disableStack: true },
    ],
  })) as { gas: number };
  const calldata = ethers.getBytes(data);
  return Number(trace.gas) - (21_000 + calldata.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0));
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
results.verify_depth20 = await executionGas(await ledger.getAddress(), verifyData);

// ------------------------------------------------------------------ package-level ledger
// The custody-by-identity ledger (contracts/PedigreePackageLedger.sol), measured on the same
// chain and the same 1,000,000-pack serial tree. It replaces the unit counts above once the
// application moves to it (docs/ARCHITECTURE.md, "Package-level custody").
const packageLedger = (await ethers.deployContract("PedigreePackageLedger", [
  admin.address,
  2 * 24 * 60 * 60,
])) as unknown as PedigreePackageLedger;
// Its views are a separate read-only contract over the ledger's storage (extsload).
const packageLens = (await ethers.deployContract("PedigreePackageLens", [
  await packageLedger.getAddress(),
])) as unknown as PedigreePackageLens;
results.packageLedger_codeSize = ethers.getBytes(
  (await provider.request({ method: "eth_getCode", params: [await packageLedger.getAddress(), "latest"] })) as string,
).length;
const regulatorSigner = (await ethers.getSigners())[4];
if (!regulatorSigner) throw new Error("The in-process chain needs 5 accounts");
for (const [signer, role, name, gln] of [
  [manufacturer, Role.Manufacturer, "Acme Pharma AG", 9520000000011n],
  [distributor, Role.Distributor, "Northwind Wholesale", 9520000000028n],
  [pharmacy, Role.Pharmacy, "Central Pharmacy", 9520000000035n],
  [regulatorSigner, Role.Regulator, "Medicines Agency", 9520000000042n],
] as const) {
  await (await packageLedger.onboardParticipant(signer.address, role, name, gln)).wait();
}
await (await packageLedger.assignCompanyPrefix(manufacturer.address, "952012")).wait();
await (await packageLedger.connect(manufacturer).registerProduct(GTIN, "Amoxicillin", "500 mg", "capsule")).wait();
const registerPackageBatch = async (lot: string, root: string) => {
  const gas = await gasOf(
    packageLedger.connect(manufacturer).registerBatch(GTIN, lot, EXPIRY, 1_000_000, root, ethers.ZeroHash),
  );
  return { id: await packageLedger.batchIdOf(GTIN, lot), gas };
};
// Lots of the same length (as for the count ledger above): a lot's characters are checked one by
// one, so lots of different lengths would measure the lot, not the pack count.
results.packageLedger_registerBatch_1pack = await gasOf(
  packageLedger.connect(manufacturer).registerBatch(GTIN, "LOT-P0000001", EXPIRY, 1, small.tree.root, ethers.ZeroHash),
);
const pkgBig = await registerPackageBatch("LOT-P1000000", big.tree.root);
results.packageLedger_registerBatch_1000000packs = pkgBig.gas;

/** The SSCC of 17 digits `body` and its GS1 check digit. */
const sscc = (body: string) => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return BigInt(`${body}${(10 - (sum % 10)) % 10}`);
};
/** The manufacturer's SSCCs, under its company prefix 952012 (extension digit 0), numbered from 1. */
let ssccSerial = 0;
const nextSscc = () => sscc(`0952012${String(++ssccSerial).padStart(10, "0")}`);
const none = { units: [] as bigint[], packs: [] as { batchId: string; index: number; unit: bigint }[] };
const unitsOf = (...units: bigint[]) => ({ ...none, units });
const packsOf = (...packs: { batchId: string; index: number; unit: bigint }[]) => ({ ...none, packs });
const packCase = async (count: number) => {
  const sscc = nextSscc();
  const gas = await gasOf(packageLedger.connect(manufacturer).packRange(sscc, 6, pkgBig.id, count));
  return { sscc, gas, first: Number((await packageLens.unit(sscc)).rangeStart) };
};
let pkgRef = 0;
const shipPackage = async (from: typeof admin, to: string, items: typeof none) => {
  const tx = await packageLedger.connect(from).ship(to, ethers.encodeBytes32String(`PKG-${++pkgRef}`), items);
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("ship was not mined");
  const parsed = receipt.logs.map((log) => packageLedger.interface.parseLog(log)).find((e) => e !== null);
  return { gas: Number(receipt.gasUsed), shipmentId: parsed?.args.shipmentId as string };
};
const receivePackage = (by: typeof admin, shipmentId: string, received: typeof none, rejected = none, reason = "") =>
  gasOf(packageLedger.connect(by).receiveShipment(shipmentId, received, rejected, reason));

await packCase(50);
const secondCase = await packCase(50);
results.aggregate_case_50packs = secondCase.gas;
results.aggregate_case_1000packs = (await packCase(1000)).gas;

const palletCases: bigint[] = [];
for (let i = 0; i < 40; i++) palletCases.push((await packCase(50)).sscc);
const pallet = nextSscc();
results.aggregate_pallet_40cases = await gasOf(
  packageLedger.connect(manufacturer).aggregate(pallet, 6, unitsOf(...palletCases)),
);
const palletShipment = await shipPackage(manufacturer, distributor.address, unitsOf(pallet));
results.ship_1unit = palletShipment.gas;
results.receive_1unit = await receivePackage(distributor, palletShipment.shipmentId, unitsOf(pallet));

const tenCases: bigint[] = [];
for (let i = 0; i < 10; i++) tenCases.push((await packCase(50)).sscc);
const tenShipment = await shipPackage(manufacturer, distributor.address, unitsOf(...tenCases));
results.ship_10units_perUnit = Math.round(tenShipment.gas / 10);
results.receive_partial_10units = await receivePackage(
  distributor,
  tenShipment.shipmentId,
  unitsOf(...tenCases.slice(0, 8)),
  unitsOf(...tenCases.slice(8)),
  "Two cases crushed",
);

// One loose pack, beyond everything packed: manufacturer -> distributor -> pharmacy.
const loosePack = { batchId: pkgBig.id, index: 900_000, unit: 0n };
const looseToDistributor = await shipPackage(manufacturer, distributor.address, packsOf(loosePack));
const looseAtDistributor = await receivePackage(distributor, looseToDistributor.shipmentId, packsOf(loosePack));
const looseToPharmacy = await shipPackage(distributor, pharmacy.address, packsOf(loosePack));
const looseAtPharmacy = await receivePackage(pharmacy, looseToPharmacy.shipmentId, packsOf(loosePack));
results.move_1pack_M_D_P = looseToDistributor.gas + looseAtDistributor + looseToPharmacy.gas + looseAtPharmacy;

// The distributor takes a case out of the pallet, then picks 10 of its packs into a tote.
const brokenCase = palletCases[0] as bigint;
const brokenFirst = Number((await packageLens.unit(brokenCase)).rangeStart);
await gasOf(packageLedger.connect(distributor).disaggregate(pallet, unitsOf(brokenCase)));
const tote = sscc("04012345000000001"); // the distributor's own SSCC
const picked10 = Array.from({ length: 10 }, (_, k) => ({
  batchId: pkgBig.id,
  index: brokenFirst + k,
  unit: brokenCase,
}));
results.repack_10packs_perPack = Math.round(
  (await gasOf(packageLedger.connect(distributor).aggregate(tote, 0, packsOf(...picked10)))) / 10,
);

// A pharmacy receives a case and dispenses its 50 packs one by one.
const counterCase = tenCases[0] as bigint;
const counterFirst = Number((await packageLens.unit(counterCase)).rangeStart);
const toCounter = await shipPackage(distributor, pharmacy.address, unitsOf(counterCase));
await receivePackage(pharmacy, toCounter.shipmentId, unitsOf(counterCase));
let dispensedGas = 0;
for (let k = 0; k < 50; k++) {
  dispensedGas += await gasOf(
    packageLedger.connect(pharmacy).decommission(pkgBig.id, counterFirst + k, counterCase, Dispensed),
  );
}
results.dispense_fromCase_avg = Math.round(dispensedGas / 50);

// A pallet of two cases at the pharmacy: the first pack dispensed from a case inside it.
const smallPalletCases = [(await packCase(50)).sscc, (await packCase(50)).sscc];
const smallPallet = nextSscc();
await gasOf(packageLedger.connect(manufacturer).aggregate(smallPallet, 6, unitsOf(...smallPalletCases)));
const palletToPharmacy = await shipPackage(manufacturer, pharmacy.address, unitsOf(smallPallet));
await receivePackage(pharmacy, palletToPharmacy.shipmentId, unitsOf(smallPallet));
const inPallet = smallPalletCases[0] as bigint;
const inPalletFirst = Number((await packageLens.unit(inPallet)).rangeStart);
results.dispense_fromPallet_first = await gasOf(
  packageLedger.connect(pharmacy).decommission(pkgBig.id, inPalletFirst, inPallet, Dispensed),
);

// The verification view, on the lens, for a pack in a case in a pallet (execution gas, depth-20
// proof): it includes the lens's calls to the ledger (the first one to a cold account).
let inUnitIndex = inPalletFirst + 1;
while (big.tree.proof(inUnitIndex).length !== 20) inUnitIndex++;
const verifyInUnitData = packageLens.interface.encodeFunctionData("verifyPack", [
  GTIN,
  "LOT-P1000000",
  bigSerials[inUnitIndex] as string,
  inUnitIndex,
  big.tree.proof(inUnitIndex),
  EXPIRY,
  inPallet,
]);
results.verify_packInUnit = await executionGas(await packageLens.getAddress(), verifyInUnitData);

results.quarantine_batch = await gasOf(
  packageLedger.connect(regulatorSigner).quarantineBatch(pkgBig.id, "Suspect product reported by a pharmacy"),
);

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
  packageLedger_codeSize: (bytes) => bytes <= 24_576,
  packageLedger_registerBatch_1pack: (g) => g <= 100_000,
  packageLedger_registerBatch_1000000packs: (g) => Math.abs(g - results.packageLedger_registerBatch_1pack!) <= 100,
  aggregate_case_50packs: (g) => g <= 70_000,
  aggregate_case_1000packs: (g) => Math.abs(g - results.aggregate_case_50packs!) <= 100,
  aggregate_pallet_40cases: (g) => g <= 300_000,
  ship_1unit: (g) => g <= 40_000,
  ship_10units_perUnit: (g) => g <= 8_000,
  receive_1unit: (g) => g <= 40_000,
  receive_partial_10units: (g) => g <= 90_000,
  move_1pack_M_D_P: (g) => g <= 150_000,
  repack_10packs_perPack: (g) => g <= 15_000,
  dispense_fromCase_avg: (g) => g <= 39_000,
  dispense_fromPallet_first: (g) => g <= 70_000,
  quarantine_batch: (g) => g <= 40_000,
  verify_packInUnit: (g) => g <= 25_000,
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
  packageLedger_codeSize: "<= 24576 bytes",
  packageLedger_registerBatch_1pack: "<= 100000",
  packageLedger_registerBatch_1000000packs: "within 100 of 1 pack",
  aggregate_case_50packs: "<= 70000",
  aggregate_case_1000packs: "within 100 of 50 packs",
  aggregate_pallet_40cases: "<= 300000",
  ship_1unit: "<= 40000",
  ship_10units_perUnit: "<= 8000",
  receive_1unit: "<= 40000",
  receive_partial_10units: "<= 90000",
  move_1pack_M_D_P: "<= 150000",
  repack_10packs_perPack: "<= 15000",
  dispense_fromCase_avg: "<= 39000",
  dispense_fromPallet_first: "<= 70000",
  quarantine_batch: "<= 40000",
  verify_packInUnit: "<= 25000",
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
