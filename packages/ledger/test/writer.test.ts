import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPublicClient, encodeFunctionData, http, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { readPackVerification } from "../src/client.ts";
import { explainLedgerError, type LedgerErrorLookup } from "../src/errors.ts";
import { pedigreeLedgerAbi } from "../src/generated/pedigreeLedgerAbi.ts";
import { buildManifest } from "../src/manifest/manifest.ts";
import { generateSerials } from "../src/manifest/generate.ts";
import { shipmentRefText } from "../src/events.ts";
import { createLedgerWriter, LedgerWriteError, shipmentRefOf, type LedgerWriter } from "../src/writer.ts";
import { startLocalChain, type LocalChain } from "./support/chain.ts";

const GTIN = "09520123456788";
const LOT = "W-001";
const manifest = buildManifest(generateSerials({ count: 40, seed: "writer test seed, not secret" }));

/** Expects `promise` to fail with a LedgerWriteError of `code` whose message matches `message`. */
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

describe("createLedgerWriter against a real chain", { timeout: 120_000 }, () => {
  let chain: LocalChain;
  let admin: LedgerWriter;
  let acme: LedgerWriter;
  let northwind: LedgerWriter;
  let central: LedgerWriter;
  let harbour: LedgerWriter;
  let regulator: LedgerWriter;
  const names = new Map<string, string>();
  const lookup: LedgerErrorLookup = {
    party: (address) => {
      const name = names.get(address.toLowerCase());
      return name === undefined ? undefined : { name };
    },
    batch: () => ({ gtin: GTIN, lot: LOT, productName: "Amoxicillin 500 mg capsules" }),
  };

  before(async () => {
    chain = await startLocalChain();
    const writer = (index: number) =>
      createLedgerWriter({
        publicClient: chain.publicClient,
        walletClient: chain.wallet(chain.accounts[index]!),
        address: chain.address,
        lookup,
      });
    admin = writer(0);
    acme = writer(1);
    northwind = writer(2);
    central = writer(3);
    harbour = writer(4);
    regulator = writer(5);
    const parties = [
      [acme, "MANUFACTURER", "Acme Pharma AG", "9520000000011"],
      [northwind, "DISTRIBUTOR", "Northwind Wholesale", "9520000000028"],
      [central, "PHARMACY", "Central Pharmacy", "9520000000035"],
      [harbour, "PHARMACY", "Harbour Pharmacy", "9520000000042"],
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

  const verify = (serial: string) => {
    const pack = manifest.proofFor(serial)!;
    return readPackVerification(chain.publicClient, {
      chainId: 31337,
      address: chain.address,
      gtin: GTIN,
      lot: LOT,
      serial,
      index: pack.index,
      proof: pack.proof,
    });
  };

  it("registers a batch from its manifest and returns the batch id the contract computes", async () => {
    const written = await acme.registerBatch({ gtin: GTIN, lot: LOT, expiry: 20_991_200, manifest });
    const onChain = await chain.publicClient.readContract({
      address: chain.address,
      abi: pedigreeLedgerAbi,
      functionName: "batchIdOf",
      args: [BigInt(GTIN), LOT],
    });
    assert.equal(written.batchId, onChain);
    assert.ok(written.blockNumber > chain.deploymentBlock);
    assert.match(written.transactionHash, /^0x[0-9a-f]{64}$/);
    const batch = await chain.publicClient.readContract({
      address: chain.address,
      abi: pedigreeLedgerAbi,
      functionName: "batch",
      args: [written.batchId],
    });
    assert.equal(batch.packCount, 40);
    assert.equal(batch.expiry, 20_991_231);
    assert.equal(batch.serialsRoot, manifest.root);
  });

  it("ships in several lines, returns the shipment id, and settles it by receiving, rejecting or cancelling", async () => {
    const batch = { gtin: GTIN, lot: LOT };
    const shipped = await acme.ship({
      to: northwind.account,
      reference: "ASN-1",
      lines: [
        { batch, quantity: 20 },
        { batch, quantity: 5 },
      ],
    });
    assert.equal(
      (await chain.publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "pendingShipment",
        args: [shipped.shipmentId],
      })) !== `0x${"0".repeat(64)}`,
      true,
    );
    await northwind.receiveShipment(shipped.shipment);
    const units = (holder: string) =>
      chain.publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "unitsHeld",
        args: [shipped.shipment.lines[0]!.batchId, holder as `0x${string}`],
      });
    assert.equal(await units(northwind.account), 25n);

    const toCentral = await northwind.ship({
      to: central.account,
      reference: "ASN-2",
      lines: [{ batch, quantity: 12 }],
    });
    await central.receiveShipment(toCentral.shipment);
    const toHarbour = await northwind.ship({
      to: harbour.account,
      reference: "ASN-3",
      lines: [{ batch, quantity: 3 }],
    });
    await harbour.rejectShipment({ ...toHarbour.shipment, reason: "Damaged cartons" });
    const cancelled = await northwind.ship({
      to: harbour.account,
      reference: "ASN-4",
      lines: [{ batch, quantity: 2 }],
    });
    await northwind.cancelShipment(cancelled.shipment);
    assert.equal(await units(northwind.account), 13n);
    assert.equal(await units(central.account), 12n);

    // A settled shipment cannot be settled again.
    await refused(central.receiveShipment(toCentral.shipment), "PedigreeShipmentNotPending", /no longer pending/);
  });

  it("dispenses one pack and many, reactivates within the window, and refuses a second dispense in plain words", async () => {
    const batch = { gtin: GTIN, lot: LOT };
    const [first, second, third, fourth] = manifest.serials;
    await central.decommission({ batch, pack: manifest.proofFor(first!)! });
    assert.equal((await verify(first!)).verdict, "DISPENSED");
    await central.decommissionMany({ batch, manifest, serials: [second!, third!, fourth!] });
    for (const serial of [second!, third!, fourth!]) assert.equal((await verify(serial)).verdict, "DISPENSED");
    await central.reactivate({ batch, index: manifest.indexOf(third!)! });
    assert.equal((await verify(third!)).verdict, "GENUINE");

    const again = await refused(
      central.decommission({ batch, pack: manifest.proofFor(first!)! }),
      "PedigreePackNotActive",
    );
    assert.match(again.message, /of batch W-001 of Amoxicillin 500 mg capsules was already dispensed/);
    assert.ok(again.cause !== undefined, "keeps viem's error as the cause");
    await refused(
      central.decommissionMany({ batch, manifest, serials: ["NOT-IN-BATCH"] }),
      "UNKNOWN_SERIAL",
      /NOT-IN-BATCH is not in this batch/,
    );
  });

  it("refuses what roles do not allow, naming the parties", async () => {
    await refused(
      northwind.onboardParticipant({ account: zeroAddress, role: "PHARMACY", legalName: "X", gln: "9520000000011" }),
      "AccessControlUnauthorizedAccount",
      /^Northwind Wholesale is not the ledger's administrator/,
    );
    await refused(
      central.ship({
        to: harbour.account,
        reference: "R-1",
        lines: [{ batch: { gtin: GTIN, lot: LOT }, quantity: 1 }],
      }),
      "PedigreeRouteNotAllowed",
      /^Central Pharmacy is a pharmacy and cannot ship to Harbour Pharmacy, which is a pharmacy/,
    );
    await refused(
      acme.registerBatch({ gtin: GTIN, lot: "OLD", expiry: 20_200_100, manifest }),
      "PedigreeInvalidExpiry",
      /31 January 2020 is already past/,
    );
  });

  it("suspends, reinstates and recalls; recalled stock cannot move", async () => {
    const batch = { gtin: GTIN, lot: LOT };
    await regulator.suspendBatch({ batch, reason: "Out-of-specification dissolution result" });
    await refused(
      central.decommission({ batch, pack: manifest.proofFor(manifest.serials[10]!)! }),
      "PedigreeDispenseNotAllowed",
      /suspended by a regulator/,
    );
    await regulator.reinstateBatch({ batch });
    await acme.recallBatch({ batch, reason: "Contamination" });
    await refused(
      northwind.ship({ to: central.account, reference: "ASN-9", lines: [{ batch, quantity: 1 }] }),
      "PedigreeBatchNotMovable",
      /^This batch W-001 of Amoxicillin 500 mg capsules was recalled: it cannot be shipped, except back to its manufacturer\.$/,
    );
    // Returning recalled stock to its manufacturer is the one move left.
    const back = await northwind.ship({ to: acme.account, reference: "RET-1", lines: [{ batch, quantity: 13 }] });
    await acme.receiveShipment(back.shipment);
    assert.equal((await verify(manifest.serials[30]!)).verdict, "RECALLED");
  });

  it("pause stops custody writes until unpaused", async () => {
    await admin.pause("Signing key of a wholesaler leaked");
    await refused(
      acme.registerBatch({ gtin: GTIN, lot: "P-1", expiry: 20_991_200, manifest }),
      "EnforcedPause",
      /paused by its administrator/,
    );
    await refused(admin.unpause(""), "PedigreeEmptyReason", /A reason is required/);
    await admin.unpause("Key revoked");
    await acme.registerBatch({ gtin: GTIN, lot: "P-1", expiry: 20_991_200, manifest });
    await refused(admin.unpause("Key revoked"), "ExpectedPause");
  });

  it("explains a real revert that viem's simulateContract throws, and raw eth_call revert data", async () => {
    try {
      await chain.publicClient.simulateContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "recallBatch",
        args: [`0x${"12".repeat(32)}`, "why"],
        account: chain.accounts[1]!,
      });
      assert.fail("simulation should revert");
    } catch (error) {
      assert.equal(explainLedgerError(error).code, "PedigreeUnknownBatch");
    }
    // Without the ABI, viem only has the raw data; the explanation decodes it.
    try {
      await chain.publicClient.call({
        to: chain.address,
        account: chain.accounts[2]!,
        data: encodeFunctionData({ abi: pedigreeLedgerAbi, functionName: "pause", args: ["incident"] }),
      });
      assert.fail("call should revert");
    } catch (error) {
      const explained = explainLedgerError(error, lookup);
      assert.equal(explained.code, "AccessControlUnauthorizedAccount");
      assert.match(explained.message, /^Northwind Wholesale is not the ledger's administrator/);
    }
  });

  it("an account without funds, and a chain that does not answer, get their own plain words", async () => {
    const broke = privateKeyToAccount(generatePrivateKey());
    await admin.onboardParticipant({
      account: broke.address,
      role: "REGULATOR",
      legalName: "Broke Agency",
      gln: "9520000000066",
    });
    const brokeWriter = createLedgerWriter({
      publicClient: chain.publicClient,
      walletClient: chain.wallet(broke),
      address: chain.address,
    });
    await refused(
      brokeWriter.suspendBatch({ batch: { gtin: GTIN, lot: "P-1" }, reason: "Check" }),
      "INSUFFICIENT_FUNDS",
      /not have enough funds/,
    );

    const deadTransport = http("http://127.0.0.1:9", { retryCount: 0, timeout: 2_000 });
    const offline = createLedgerWriter({
      publicClient: createPublicClient({ chain: hardhat, transport: deadTransport }),
      walletClient: chain.wallet(chain.accounts[0]!),
      address: chain.address,
    });
    await refused(offline.pause("incident"), "CHAIN_UNREACHABLE", /cannot be reached/);
  });

  it("shipment references are text of up to 32 bytes, read back by shipmentRefText", () => {
    assert.equal(shipmentRefText(shipmentRefOf("ASN-2026-0001")), "ASN-2026-0001");
    assert.equal(shipmentRefOf(`0x${"ab".repeat(32)}`), `0x${"ab".repeat(32)}`);
    assert.throws(() => shipmentRefOf(""), /1 to 32/);
    assert.throws(
      () => shipmentRefOf("x".repeat(33)),
      (error: LedgerWriteError) => error.code === "BAD_SHIPMENT_REFERENCE",
    );
  });
});
