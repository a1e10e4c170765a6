/**
 * The dashboard's wallet and transaction plumbing against a real local chain: the demo-accounts
 * connector signs locally as the seeded parties and exists on the local chain only; every write
 * goes simulate → sign → pending → confirmed, and a refusal is explained before anything is signed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defineChain, stringToHex, zeroHash, type Chain } from "viem";
import { createConfig, http } from "wagmi";
import { connect, disconnect, getWalletClient, getPublicClient } from "wagmi/actions";
import { gtinToUint64 } from "@pedigree/ledger";
import { demoAccount, demoAccountIndexOf, demoAccounts, DEMO_ACCOUNT_COUNT } from "../../src/lib/demo-accounts.ts";
import {
  DemoAccountsChainError,
  demoAccountsConnector,
  type DemoConnectorProperties,
} from "../../src/lib/wallet/demo-connector.ts";
import { runLedgerWrite, type TxPhase } from "../../src/lib/tx/run.ts";
import { startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "../support/chain.ts";
import { createWorld, gtinUnder, COMPANY_PREFIXES, type World } from "../support/world.ts";
import { privateKeyToAccount } from "viem/accounts";

function localChain(rpcUrl: string, id = 31337): Chain {
  return defineChain({
    id,
    name: "Local chain",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

describe("demo accounts", () => {
  it("are Hardhat's ten funded test accounts, in order", () => {
    assert.equal(demoAccounts().length, DEMO_ACCOUNT_COUNT);
    TEST_PRIVATE_KEYS.forEach((key, index) => {
      assert.equal(demoAccount(index).address, privateKeyToAccount(key).address);
    });
    assert.equal(demoAccountIndexOf(privateKeyToAccount(TEST_PRIVATE_KEYS[3]!).address.toLowerCase()), 3);
    assert.equal(demoAccountIndexOf("0x000000000000000000000000000000000000dEaD"), -1);
  });

  it("refuses an index that is not a demo account", () => {
    assert.throws(() => demoAccount(10), /0 to 9/);
    assert.throws(() => demoAccount(-1), /0 to 9/);
  });

  it("cannot be configured for any chain but the local one", () => {
    assert.throws(() => demoAccountsConnector(localChain("http://127.0.0.1:1", 1)), DemoAccountsChainError);
    assert.throws(
      () => demoAccountsConnector(localChain("http://127.0.0.1:1", 11155111)),
      /only work on the local chain/,
    );
  });
});

describe("demo connector and transaction helper on a local chain", () => {
  let chain: TestChain;
  let world: World;
  let config: ReturnType<typeof createConfig>;
  let demo: ReturnType<typeof createConfig>["connectors"][number] & DemoConnectorProperties;

  before(async () => {
    chain = await startTestChain();
    world = await createWorld(chain);
    const local = localChain(chain.rpcUrl);
    config = createConfig({
      chains: [local],
      connectors: [demoAccountsConnector(local)],
      transports: { [local.id]: http(chain.rpcUrl) },
      storage: null,
    });
    demo = config.connectors[0] as typeof demo;
  });
  after(async () => {
    await chain?.stop();
  });

  const clients = async () => ({
    publicClient: getPublicClient(config)!,
    walletClient: await getWalletClient(config),
    ledgerAddress: chain.address,
  });

  it("connects as the chosen account and signs with its key", async () => {
    const acme = world.parties.acme;
    const index = demoAccountIndexOf(acme.address);
    assert.ok(index >= 0, "the world's parties are demo accounts");
    await demo.selectAccount(index);
    const result = await connect(config, { connector: demo });
    assert.deepEqual(result.accounts, [acme.address]);
    assert.equal(result.chainId, 31337);
    const walletClient = await getWalletClient(config);
    assert.equal(walletClient.account.address, acme.address);
  });

  it("records a write: checking, signing, pending with the hash, confirmed", async () => {
    const acme = world.parties.acme;
    await demo.selectAccount(demoAccountIndexOf(acme.address));
    const phases: TxPhase[] = [];
    const gtin = gtinUnder(COMPANY_PREFIXES.acme, 777);
    const result = await runLedgerWrite(
      await clients(),
      { functionName: "registerProduct", args: [gtinToUint64(gtin), "Testamol", "10 mg", "tablet"] },
      (phase) => phases.push(phase),
    );
    assert.equal(result.ok, true, result.ok ? "" : result.message);
    assert.deepEqual(
      phases.map((p) => p.phase),
      ["checking", "signing", "pending", "confirmed"],
    );
    const pending = phases[2] as Extract<TxPhase, { phase: "pending" }>;
    const confirmed = phases[3] as Extract<TxPhase, { phase: "confirmed" }>;
    assert.equal(pending.hash, confirmed.hash);
    const product = await chain.publicClient.readContract({
      address: chain.address,
      abi: (await import("@pedigree/ledger")).pedigreeLedgerAbi,
      functionName: "product",
      args: [gtinToUint64(gtin)],
    });
    assert.equal(product.manufacturer, acme.address);
    assert.equal(product.name, "Testamol");
  });

  it("explains a refusal in plain words before asking for a signature", async () => {
    const pharmacy = world.parties.central;
    await demo.selectAccount(demoAccountIndexOf(pharmacy.address));
    const phases: TxPhase[] = [];
    const result = await runLedgerWrite(
      {
        ...(await clients()),
        lookup: {
          party: (a) => (a.toLowerCase() === pharmacy.address.toLowerCase() ? { name: pharmacy.legalName } : undefined),
        },
      },
      {
        functionName: "ship",
        args: [
          world.parties.northwind.address,
          stringToHex("ASN-X", { size: 32 }),
          [{ batchId: zeroHash, quantity: 1n }],
        ],
      },
      (phase) => phases.push(phase),
    );
    assert.equal(result.ok, false);
    assert.deepEqual(
      phases.map((p) => p.phase),
      ["checking", "failed"],
      "the wallet is never asked to sign a transaction that would revert",
    );
    assert.ok(!result.ok && result.errorName, "the custom error is decoded");
    assert.doesNotMatch(result.ok ? "" : result.message, /0x[0-9a-f]{8}/i, "no raw selector or hex in the message");
  });

  it("says when there is no account to sign with", async () => {
    const phases: TxPhase[] = [];
    const result = await runLedgerWrite(
      {
        publicClient: getPublicClient(config)!,
        walletClient: { writeContract: async () => zeroHash },
        ledgerAddress: chain.address,
      },
      { functionName: "pause", args: [] },
      (phase) => phases.push(phase),
    );
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.message, /Connect a wallet/);
    assert.deepEqual(
      phases.map((p) => p.phase),
      ["failed"],
    );
  });

  it("reports a declined signature as declined, not as a failure of the ledger", async () => {
    const { UserRejectedRequestError } = await import("viem");
    await demo.selectAccount(0);
    const real = await clients();
    const result = await runLedgerWrite(
      {
        ...real,
        walletClient: {
          account: real.walletClient.account,
          writeContract: async () => {
            throw new UserRejectedRequestError(new Error("User rejected the request."));
          },
        },
      },
      { functionName: "pause", args: [] },
    );
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.message, /declined|cancelled/i);
    assert.equal(
      await chain.publicClient.readContract({
        address: chain.address,
        abi: (await import("@pedigree/ledger")).pedigreeLedgerAbi,
        functionName: "paused",
      }),
      false,
    );
  });

  it("disconnects and forgets the account", async () => {
    await disconnect(config);
    assert.deepEqual(await demo.getAccounts(), []);
  });
});
