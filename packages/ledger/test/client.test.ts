import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  createPublicClient,
  custom,
  decodeFunctionData,
  encodeAbiParameters,
  encodeFunctionResult,
  keccak256,
  zeroAddress,
  type Hex,
} from "viem";
import { pedigreeLedgerAbi } from "../src/generated/pedigreeLedgerAbi.ts";
import {
  batchIdOf,
  glnFromUint64,
  gtinFromUint64,
  gtinToUint64,
  ledgerAddress,
  ledgerDeployment,
  readPackVerification,
  yyyymmddFromGs1Expiry,
} from "../src/client.ts";
import { buildManifest } from "../src/manifest/manifest.ts";
import { acme, central } from "./fixtures.ts";

/**
 * keccak256(abi.encode(uint64 9520123456788, string "A1234")): worked out below without any ABI
 * coder, and equal to ethers' AbiCoder result, which test/flows/custody-flow.test.ts checks against
 * the deployed contract's own batchIdOf for this GTIN and lot.
 */
const KNOWN_BATCH_ID: Hex = "0x0c512b8c42b3dcf62e0f256f80759d481102af7fcaeff4d03ed4d427bdb8486b";

describe("batchIdOf", () => {
  it("is keccak256(abi.encode(uint64 gtin, string lot)), as the contract computes it", () => {
    // abi.encode(uint64, string): the uint64 in a 32-byte word; the string's offset (0x40) since
    // string is dynamic; then its length (5) and its bytes, right-padded to a 32-byte word.
    const word = (value: bigint) => value.toString(16).padStart(64, "0");
    const lotBytes = Buffer.from("A1234", "utf8").toString("hex").padEnd(64, "0");
    const encoded = word(9520123456788n) + word(0x40n) + word(5n) + lotBytes;
    assert.equal(encoded.length, 4 * 64);
    const byHand = `0x${Buffer.from(keccak_256(Buffer.from(encoded, "hex"))).toString("hex")}`;

    const withViem = keccak256(
      encodeAbiParameters([{ type: "uint64" }, { type: "string" }], [9520123456788n, "A1234"]),
    );
    assert.equal(withViem, byHand);
    assert.equal(batchIdOf("09520123456788", "A1234"), byHand);
    assert.equal(batchIdOf(9520123456788n, "A1234"), byHand);
    assert.equal(byHand, KNOWN_BATCH_ID);
  });

  it("differs with the lot or the GTIN, and refuses a GTIN that is not 1 to 14 digits", () => {
    assert.notEqual(batchIdOf("09520123456788", "A1235"), KNOWN_BATCH_ID);
    assert.notEqual(batchIdOf("19520123456785", "A1234"), KNOWN_BATCH_ID);
    assert.throws(() => batchIdOf("0952012345678X", "A1234"), /must be 1 to 14 digits/);
    assert.throws(() => batchIdOf(10n ** 14n, "A1234"), /more than 14 digits/);
    assert.equal(gtinToUint64("09520123456788"), 9520123456788n);
    assert.equal(gtinFromUint64(9520123456788n), "09520123456788");
    assert.equal(glnFromUint64(412345000009n), "0412345000009");
  });
});

describe("ledgerAddress", () => {
  it("gives the recorded deployment for a chain id", () => {
    assert.equal(ledgerAddress(31337), "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    assert.equal(ledgerDeployment(31337).deploymentBlock, 1);
  });

  it("names the chain id and says to deploy and export when there is none", () => {
    assert.throws(
      () => ledgerAddress(11155111),
      (error: Error) => {
        assert.match(error.message, /chain id 11155111/);
        assert.match(error.message, /known chain ids: 31337/);
        assert.match(error.message, /Deploy it/);
        assert.match(error.message, /npm run export:ledger/);
        return true;
      },
    );
  });
});

describe("yyyymmddFromGs1Expiry", () => {
  const now = new Date("2026-01-15T00:00:00Z");
  it("turns YYMMDD into the contract's YYYYMMDD, DD = 00 being the month's last day", () => {
    assert.equal(yyyymmddFromGs1Expiry("301231", now), 20301231);
    assert.equal(yyyymmddFromGs1Expiry("280200", now), 20280229);
    assert.equal(yyyymmddFromGs1Expiry("270200", now), 20270228);
    assert.equal(yyyymmddFromGs1Expiry("760101", now), 20760101, "50 years ahead");
    assert.equal(yyyymmddFromGs1Expiry("770101", now), 19770101, "GS1's century window");
  });

  it("refuses what is not a date, with the GS1 parser's reason", () => {
    assert.throws(() => yyyymmddFromGs1Expiry("271332", now), /month 13/);
    assert.throws(() => yyyymmddFromGs1Expiry("270229", now), /2027 is not a leap year/);
    assert.throws(() => yyyymmddFromGs1Expiry("2712", now), RangeError);
  });
});

describe("readPackVerification", () => {
  const manifest = buildManifest(["PK-001", "PK-002", "PK-003"]);
  const pack = manifest.proofFor("PK-002")!;
  type Answer = Parameters<typeof encodeFunctionResult<typeof pedigreeLedgerAbi, "verifyPack">>[0]["result"];
  const calls: unknown[][] = [];

  /** A public client whose node answers eth_call to verifyPack with `answer`, recording the call's arguments. */
  function clientAnswering(answer: Answer) {
    return createPublicClient({
      transport: custom({
        async request({ method, params }) {
          assert.equal(method, "eth_call");
          const [call] = params as [{ to: string; data: Hex }];
          assert.equal(call.to.toLowerCase(), "0x5fbdb2315678afecb367f032d93f642f64180aa3");
          const decoded = decodeFunctionData({ abi: pedigreeLedgerAbi, data: call.data });
          assert.equal(decoded.functionName, "verifyPack");
          calls.push([...(decoded.args ?? [])]);
          return encodeFunctionResult({ abi: pedigreeLedgerAbi, functionName: "verifyPack", result: answer });
        },
      }),
    });
  }

  const batchRecord = {
    manufacturer: acme.address,
    status: 1,
    expiry: 20301231,
    packCount: 3,
    serialsRoot: manifest.root,
    documentHash: `0x${"00".repeat(32)}`,
  } as const;
  const query = {
    chainId: 31337,
    gtin: "09520123456788",
    lot: "A1234",
    serial: "PK-002",
    index: pack.index,
    proof: pack.proof,
  };

  it("calls verifyPack with the contract's types and returns plain values and names", async () => {
    const client = clientAnswering({
      verdict: 1,
      batchId: KNOWN_BATCH_ID,
      batch: batchRecord,
      pack: { state: 1, by: central.address, at: 1_780_000_000 },
    });
    const result = await readPackVerification(client, { ...query, labelExpiry: yyyymmddFromGs1Expiry("301231") });
    assert.deepEqual(calls.at(-1), [9520123456788n, "A1234", "PK-002", 1n, pack.proof, 20301231]);
    assert.deepEqual(result, {
      verdict: "DISPENSED",
      contractVerdict: "Dispensed",
      batchId: KNOWN_BATCH_ID,
      batch: {
        manufacturer: acme.address,
        status: "ACTIVE",
        expiry: 20301231,
        packCount: 3,
        serialsRoot: manifest.root,
      },
      pack: { state: "DISPENSED", by: central.address, at: 1_780_000_000 },
    });
  });

  it("sends label expiry 0 when the code has none, and leaves out by/at for an active pack", async () => {
    const client = clientAnswering({
      verdict: 0,
      batchId: KNOWN_BATCH_ID,
      batch: batchRecord,
      pack: { state: 0, by: zeroAddress, at: 0 },
    });
    const result = await readPackVerification(client, query);
    assert.equal(calls.at(-1)?.[5], 0);
    assert.deepEqual([result.verdict, result.pack], ["GENUINE", { state: "ACTIVE" }]);
  });

  it("has no batch for an unknown batch, and no pack record when the contract stopped before reading it", async () => {
    const unknown = await readPackVerification(
      clientAnswering({
        verdict: 8,
        batchId: KNOWN_BATCH_ID,
        batch: {
          ...batchRecord,
          manufacturer: zeroAddress,
          status: 0,
          expiry: 0,
          packCount: 0,
          serialsRoot: `0x${"00".repeat(32)}`,
        },
        pack: { state: 0, by: zeroAddress, at: 0 },
      }),
      query,
    );
    assert.deepEqual(unknown, { verdict: "UNKNOWN_PRODUCT", contractVerdict: "UnknownBatch", batchId: KNOWN_BATCH_ID });
    const unknownSerial = await readPackVerification(
      clientAnswering({
        verdict: 7,
        batchId: KNOWN_BATCH_ID,
        batch: batchRecord,
        pack: { state: 0, by: zeroAddress, at: 0 },
      }),
      query,
    );
    assert.equal(unknownSerial.verdict, "UNKNOWN_SERIAL");
    assert.equal(unknownSerial.batch?.status, "ACTIVE");
    assert.equal(unknownSerial.pack, undefined);
  });

  it("refuses a chain without a deployment before calling anything", async () => {
    const client = clientAnswering({
      verdict: 0,
      batchId: KNOWN_BATCH_ID,
      batch: batchRecord,
      pack: { state: 0, by: zeroAddress, at: 0 },
    });
    const before = calls.length;
    await assert.rejects(readPackVerification(client, { ...query, chainId: 1 }), /chain id 1\b/);
    assert.equal(calls.length, before);
  });
});
