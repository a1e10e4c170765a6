/**
 * The dashboard's wallet and transaction plumbing against a real local chain: the demo-accounts
 * connector signs locally as the seeded parties and connects to a local development chain only;
 * every write goes simulate → sign → pending (until its block) → confirmed, a refusal is
 * explained before anything is signed, and a page waits for the read model to reach the block.
 *
 * Runs on Hardhat's node, and in the anvil suite of `npm test` on anvil with its own chain id and
 * a block every 2 s (PEDIGREE_TEST_CHAIN=anvil, test/support/chain.ts).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { defineChain, stringToHex, zeroHash, type Chain } from "viem";
import { createConfig, http } from "wagmi";
import { connect, disconnect, getWalletClient, getPublicClient } from "wagmi/actions";
import { gtinToUint64 } from "@pedigree/ledger";
import {
  demoAccount,
  demoAccountIndexOf,
  demoAccounts,
  demoAccountsOffered,
  DEMO_ACCOUNT_COUNT,
  isDevelopmentNode,
} from "../../src/lib/demo-accounts.ts";
import {
  DemoAccountsChainError,
  demoAccountsConnector,
  type DemoConnectorProperties,
} from "../../src/lib/wallet/demo-connector.ts";
import { readModelBlockReader, waitForReadModel } from "../../src/lib/tx/read-model.ts";
import { runLedgerWrite, type TxPhase } from "../../src/lib/tx/run.ts";
import { createAppContext, type AppContext } from "../../src/server/context.ts";
import { startIndexer, type IndexerHandle } from "../../src/server/indexer/service.ts";
import { resolveAppModules } from "../support/app-modules.ts";
import { startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "../support/chain.ts";
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { createWorld, gtinUnder, COMPANY_PREFIXES, type World } from "../support/world.ts";
import { privateKeyToAccount } from "viem/accounts";

function localChain(rpcUrl: string, id: number): Chain {
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

  it("are offered on chain 31337 unless switched off, elsewhere only when switched on", () => {
    assert.equal(demoAccountsOffered(31337, undefined), true);
    assert.equal(demoAccountsOffered(31337, ""), true);
    assert.equal(demoAccountsOffered(31337, "off"), false);
    assert.equal(demoAccountsOffered(424242, undefined), false, "anvil's own chain id is not 'local' by itself");
    assert.equal(demoAccountsOffered(1, undefined), false);
    assert.equal(demoAccountsOffered(424242, "on"), true);
    assert.throws(() => demoAccountsOffered(31337, "yes"), /PEDIGREE_DEMO_ACCOUNTS is on or off \(got 'yes'\)/);
  });

  it("know a development node by what it says it is", () => {
    assert.equal(isDevelopmentNode("HardhatNetwork/3.18.0/@nomicfoundation/edr/0.12.0"), true);
    assert.equal(isDevelopmentNode("anvil/v1.7.1"), true);
    assert.equal(isDevelopmentNode("Geth/v1.14.11-stable/linux-amd64/go1.23.2"), false);
    assert.equal(isDevelopmentNode("besu/v24.10.0/linux-x86_64/openjdk-java-21"), false);
    assert.equal(isDevelopmentNode(undefined), false);
  });
});

describe("the demo connector connects to a local development chain only", () => {
  let chain: TestChain;
  let geth: Server | undefined;
  before(async () => {
    chain = await startTestChain();
  });
  after(async () => {
    await new Promise((resolve) => (geth ? geth.close(resolve) : resolve(undefined)));
    await chain?.stop();
  });

  const tryConnect = async (configured: Chain) => {
    const config = createConfig({
      chains: [configured],
      connectors: [demoAccountsConnector(configured)],
      transports: { [configured.id]: http(configured.rpcUrls.default.http[0]) },
      storage: null,
    });
    return connect(config, { connector: config.connectors[0]! });
  };

  it("connects to the test node, whatever its chain id (31337 on Hardhat, its own on anvil)", async () => {
    const result = await tryConnect(localChain(chain.rpcUrl, chain.chainId));
    assert.equal(result.chainId, chain.chainId);
    assert.equal(result.accounts[0], demoAccount(0).address);
  });

  it("refuses a node on another chain than the dashboard's", async () => {
    await assert.rejects(tryConnect(localChain(chain.rpcUrl, 1)), (error: Error) => {
      assert.ok(error instanceof DemoAccountsChainError, String(error));
      assert.match(error.message, new RegExp(`this node is on chain ${chain.chainId}, and the ledger on chain 1\\.`));
      assert.match(error.message, /Connect a browser wallet instead/);
      return true;
    });
  });

  it("refuses a node that is not a development node (one that says it is Geth), chain id notwithstanding", async () => {
    // The test node behind a relay that answers web3_clientVersion as a Geth node would.
    geth = createServer(async (request, response) => {
      let body = "";
      for await (const chunk of request) body += chunk;
      const call = JSON.parse(body) as { id: number; method: string };
      const answer =
        call.method === "web3_clientVersion"
          ? JSON.stringify({ jsonrpc: "2.0", id: call.id, result: "Geth/v1.14.11-stable/linux-amd64/go1.23.2" })
          : await (
              await fetch(chain.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body })
            ).text();
      response.writeHead(200, { "content-type": "application/json" }).end(answer);
    });
    await new Promise<void>((resolve) => geth!.listen(0, "127.0.0.1", resolve));
    const port = (geth.address() as { port: number }).port;
    await assert.rejects(tryConnect(localChain(`http://127.0.0.1:${port}`, chain.chainId)), (error: Error) => {
      assert.ok(error instanceof DemoAccountsChainError, String(error));
      assert.match(error.message, /is Geth\/v1\.14\.11/);
      return true;
    });
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
    const local = localChain(chain.rpcUrl, chain.chainId);
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
    assert.equal(result.chainId, chain.chainId);
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
      { functionName: "pause", args: ["Signing key leaked"] },
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
      { functionName: "pause", args: ["Signing key leaked"] },
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

describe("a write is pending until its block, then confirmed", () => {
  let chain: TestChain;
  let world: World;
  before(async () => {
    chain = await startTestChain();
    world = await createWorld(chain);
    // Blocks only when the test mines one: the moment the transaction waits is the test's to see.
    await chain.testClient.setAutomine(false);
    if (chain.blockTime !== undefined) await chain.testClient.setIntervalMining({ interval: 0 });
  });
  after(async () => {
    await chain?.stop();
  });

  it("stays pending while no block takes the transaction, and confirms with the block that does", async () => {
    const acme = world.parties.acme;
    const phases: TxPhase[] = [];
    let sent: (hash: `0x${string}`) => void;
    const pending = new Promise<`0x${string}`>((resolve) => (sent = resolve));
    const gtin = gtinUnder(COMPANY_PREFIXES.acme, 778);
    const write = runLedgerWrite(
      { publicClient: chain.publicClient, walletClient: chain.wallet(acme.account), ledgerAddress: chain.address },
      { functionName: "registerProduct", args: [gtinToUint64(gtin), "Waitamol", "5 mg", "tablet"] },
      (phase) => {
        phases.push(phase);
        if (phase.phase === "pending") sent(phase.hash);
      },
    );
    const hash = await pending;
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await assert.rejects(chain.publicClient.getTransactionReceipt({ hash }), /could not be found/);
    assert.equal(phases.at(-1)?.phase, "pending", "nothing is confirmed before a block holds the transaction");
    await chain.testClient.mine({ blocks: 1 });
    const result = await write;
    assert.equal(result.ok, true, result.ok ? "" : result.message);
    const confirmed = phases.at(-1) as Extract<TxPhase, { phase: "confirmed" }>;
    assert.equal(confirmed.phase, "confirmed");
    assert.equal(confirmed.hash, hash);
    assert.equal(confirmed.blockNumber, head + 1n, "confirmed in the block mined after it was sent");
  });
});

describe("after a confirmed write, the page waits for the read model to reach its block", () => {
  let chain: TestChain;
  let world: World;
  let ctx: AppContext;
  let indexer: IndexerHandle;
  let server: TestServer;
  before(async () => {
    const database = await openTestDatabase();
    chain = await startTestChain();
    world = await createWorld(chain);
    ctx = await createAppContext({ target: chain.target, database });
    // The server's own indexer, with this chain's default confirmations (5 blocks on anvil's chain id).
    indexer = startIndexer(ctx, { intervalMs: 100, log: () => {} });
    resolveAppModules(); // the route module imports `@/server/...`, as Next resolves it
    server = await startTestServer({
      context: ctx,
      routes: { "/api/read-model": await import("../../src/app/api/read-model/route.ts") },
    });
  });
  after(async () => {
    await server?.stop();
    await indexer?.stop();
    await ctx?.database.close();
    await chain?.stop();
  });

  it("answers once GET /api/read-model has indexed the block, when the read model shows the write", async () => {
    const acme = world.parties.acme;
    const gtin = gtinUnder(COMPANY_PREFIXES.acme, 779);
    const result = await runLedgerWrite(
      { publicClient: chain.publicClient, walletClient: chain.wallet(acme.account), ledgerAddress: chain.address },
      { functionName: "registerProduct", args: [gtinToUint64(gtin), "Indexamol", "1 mg", "tablet"] },
    );
    assert.equal(result.ok, true, result.ok ? "" : result.message);
    if (!result.ok) return;
    const read = readModelBlockReader(server.url);
    assert.equal(await waitForReadModel(result.blockNumber, { read, intervalMs: 100 }), true);
    assert.ok((await read())! >= Number(result.blockNumber));
    const { listProducts } = await import("../../src/server/read/directory.ts");
    const products = await listProducts(ctx, new URLSearchParams({ manufacturer: acme.address }));
    assert.ok(
      JSON.stringify(products).includes(gtin),
      `the read model lists product ${gtin} once the wait is over: ${JSON.stringify(products)}`,
    );
  });

  it("gives up after its time (false) when the read model never gets there, and retries failed questions", async () => {
    let questions = 0;
    const failingThenBehind = async () => {
      questions++;
      if (questions === 1) throw new Error("the server is restarting");
      return 3;
    };
    const started = Date.now();
    assert.equal(
      await waitForReadModel(1_000_000n, { read: failingThenBehind, timeoutMs: 600, intervalMs: 50 }),
      false,
    );
    assert.ok(Date.now() - started >= 600, "waited its whole time");
    assert.ok(questions >= 3, `asked again after a failure (${questions} questions)`);
  });

  it("stops waiting when aborted", async () => {
    const controller = new AbortController();
    const waiting = waitForReadModel(1_000_000n, {
      read: async () => 0,
      signal: controller.signal,
      intervalMs: 10_000,
    });
    controller.abort();
    assert.equal(await waiting, false);
  });
});
