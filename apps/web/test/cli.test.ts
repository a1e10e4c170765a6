import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { batchIdOf, buildManifest, parseSerialList, pedigreeLedgerAbi } from "@pedigree/ledger";
import type { Hex } from "viem";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import { repositoryRoot, type OpenedDatabase } from "../src/server/db/database.ts";
import { manifests } from "../src/server/db/schema.ts";
import { startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { createWorld, testSerials, type World, type WorldProduct } from "./support/world.ts";

const CLI = path.join(repositoryRoot(), "scripts/pedigree.ts");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe(`pedigree CLI against a test chain and server (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let acmeProduct: WorldProduct;
  let borealisProduct: WorldProduct;
  let workdir: string;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({
      target: chain.target,
      database,
    });
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/manifests": await import("../src/app/api/manifests/route.ts"),
      },
    });
    acmeProduct = await world.registerProduct(world.parties.acme);
    borealisProduct = await world.registerProduct(world.parties.borealis);
    workdir = await mkdtemp(path.join(tmpdir(), "pedigree-cli-"));
  });
  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close(), workdir && rm(workdir, { recursive: true, force: true })]);
  });

  /** Runs the CLI as a user would, signing with acme's key unless told otherwise. */
  function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: workdir,
        env: {
          PATH: process.env.PATH ?? "",
          PEDIGREE_PRIVATE_KEY: TEST_PRIVATE_KEYS[1] as string,
          PEDIGREE_RPC_URL: chain.rpcUrl,
          PEDIGREE_API_URL: server.url,
          PEDIGREE_LEDGER_ADDRESS: chain.address,
          NODE_ENV: "test",
          ...env,
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  const readBatch = (batchId: Hex) =>
    chain.publicClient.readContract({
      address: chain.address,
      abi: pedigreeLedgerAbi,
      functionName: "batch",
      args: [batchId],
    });
  const manifestRow = async (batchId: Hex) =>
    (await ctx.db.select().from(manifests).where(eq(manifests.batchId, batchId)))[0];
  const uploadsSeen = () => server.requests.filter((request) => request === "POST /api/manifests").length;

  it("generates serials, registers the batch, signs in and uploads the list; a second run changes nothing", async () => {
    const seed = "0x" + "5e".repeat(32);
    const args = [
      "register-batch",
      `--gtin=${acmeProduct.gtin}`,
      "--lot=CLI-1",
      "--expiry=301231",
      "--generate=500",
      `--seed=${seed}`,
      "--out=cli-1.csv",
    ];
    const run = await cli(args);
    assert.equal(run.code, 0, run.stderr);
    const batchId = batchIdOf(acmeProduct.gtin, "CLI-1");
    assert.match(run.stdout, new RegExp(batchId));
    assert.match(run.stdout, /transaction\s+0x[0-9a-f]{64} \(block \d+\)/);
    assert.match(
      run.stdout,
      new RegExp(`example pack\\s+${server.url}/01/${acmeProduct.gtin}/10/CLI-1/21/\\w+\\?17=301231`),
    );
    assert.match(run.stderr, /Uploading the serial list: 100%/);

    const written = parseSerialList(await readFile(path.join(workdir, "cli-1.csv"), "utf8"));
    assert.ok(written.ok);
    assert.equal(written.serials.length, 500);
    const onChain = await readBatch(batchId);
    assert.equal(onChain.serialsRoot, buildManifest(written.serials).root);
    assert.equal(onChain.packCount, 500);
    assert.equal(onChain.expiry, 20301231);
    const row = await manifestRow(batchId);
    assert.equal(row?.root, onChain.serialsRoot);
    assert.equal(row?.uploadedBy, world.parties.acme.address.toLowerCase());

    const again = await cli(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already registered with this serial list/);
    assert.match(again.stdout, /none \(already registered\)/);
    assert.match(again.stdout, /already stored on the server/);
  });

  it("reads a serial file and signs with a demo account of the local chain", async () => {
    const serials = testSerials(40, "DEMO");
    await writeFile(path.join(workdir, "demo.csv"), `serial,comment\n${serials.map((s) => `${s},x`).join("\n")}\n`);
    const run = await cli(
      [
        "register-batch",
        "--gtin",
        acmeProduct.gtin,
        "--lot",
        "CLI-DEMO",
        "--expiry",
        "2031-06-30",
        "--serials",
        "demo.csv",
        "--demo-account",
        "1",
      ],
      { PEDIGREE_PRIVATE_KEY: "" },
    );
    assert.equal(run.code, 0, run.stderr);
    const batchId = batchIdOf(acmeProduct.gtin, "CLI-DEMO");
    assert.equal((await readBatch(batchId)).serialsRoot, buildManifest(serials).root);
    assert.equal((await manifestRow(batchId))?.serialCount, 40);
  });

  it("refuses a list with bad lines before sending anything, naming the lines", async () => {
    await writeFile(path.join(workdir, "bad.csv"), "serial\nGOOD1\nbad one\nGOOD1\nGOOD2\n");
    const uploadsBefore = uploadsSeen();
    const run = await cli([
      "register-batch",
      "--gtin",
      acmeProduct.gtin,
      "--lot",
      "CLI-BAD",
      "--expiry",
      "301231",
      "--serials",
      "bad.csv",
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Line 3: .*space/);
    assert.match(run.stderr, /Line 4: serial GOOD1 already appears on line 2/);
    assert.match(run.stderr, /Nothing was sent/);
    assert.equal(uploadsSeen(), uploadsBefore);
    const onChain = await readBatch(batchIdOf(acmeProduct.gtin, "CLI-BAD"));
    assert.equal(onChain.packCount, 0, "no batch registered");
  });

  it("explains a ledger refusal in plain words (another manufacturer's product)", async () => {
    const run = await cli([
      "register-batch",
      "--gtin",
      borealisProduct.gtin,
      "--lot",
      "CLI-X",
      "--expiry",
      "301231",
      "--generate",
      "10",
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`product with GTIN ${borealisProduct.gtin} belongs to`));
    assert.match(run.stderr, /your account/);
    assert.doesNotMatch(run.stderr, /0x[0-9a-f]{8}\b(?![0-9a-fA-F])/, "no raw revert data");
  });

  it("exits 2 when the API is down, and a rerun finishes the job once it is back", async () => {
    await writeFile(path.join(workdir, "resume.csv"), testSerials(30, "RES").join("\n"));
    const args = [
      "register-batch",
      "--gtin",
      acmeProduct.gtin,
      "--lot",
      "CLI-RESUME",
      "--expiry",
      "301231",
      "--serials",
      "resume.csv",
    ];
    const down = await cli(args, { PEDIGREE_API_URL: "http://127.0.0.1:1" });
    assert.equal(down.code, 2, down.stderr);
    assert.match(down.stderr, /Could not reach the Pedigree server/);
    const batchId = batchIdOf(acmeProduct.gtin, "CLI-RESUME");
    assert.equal((await readBatch(batchId)).packCount, 30, "registered before the API was needed");
    assert.equal(await manifestRow(batchId), undefined);

    const resumed = await cli(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await manifestRow(batchId))?.serialCount, 30);
  });

  it("exits 2 when the chain is unreachable, 1 on bad input, 0 for --help", async () => {
    const noChain = await cli(
      ["register-batch", "--gtin", acmeProduct.gtin, "--lot", "CLI-NC", "--expiry", "301231", "--generate", "5"],
      { PEDIGREE_RPC_URL: "http://127.0.0.1:1" },
    );
    assert.equal(noChain.code, 2);
    assert.match(noChain.stderr, /No chain answers at http:\/\/127\.0\.0\.1:1/);

    // Independent runs, in parallel: each is a Node start-up.
    const badInput = [
      ["register-batch", "--gtin", "09520120000010", "--lot", "A", "--expiry", "301231", "--generate", "5"],
      ["register-batch", "--gtin", acmeProduct.gtin, "--lot", "A", "--expiry", "2030-02-30", "--generate", "5"],
      ["register-batch", "--gtin", acmeProduct.gtin, "--lot", "A", "--expiry", "301231"],
      ["register-batch", "--unknown"],
      ["generate-serials", "0"],
      ["no-such-command"],
    ];
    const [runs, noKey, helps] = await Promise.all([
      Promise.all(badInput.map((args) => cli(args))),
      cli(["register-batch", "--gtin", acmeProduct.gtin, "--lot", "A", "--expiry", "301231", "--generate", "5"], {
        PEDIGREE_PRIVATE_KEY: "",
      }),
      Promise.all(["register-batch", "generate-serials"].map((command) => cli([command, "--help"]))),
    ]);
    runs.forEach((run, i) => {
      assert.equal(run.code, 1, `${badInput[i]?.join(" ")}: ${run.stderr}`);
      assert.ok(run.stderr.trim().length > 0);
    });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /PEDIGREE_PRIVATE_KEY/);
    for (const help of helps) {
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Usage: npm run pedigree -- /);
    }
  });

  it("generate-serials gives the same list for the same seed", async () => {
    const seed = "00112233445566778899aabbccddeeff";
    const [first, second] = await Promise.all([1, 2].map(() => cli(["generate-serials", "50", "--seed", seed])));
    assert.equal(first?.code, 0);
    assert.equal(first?.stdout, second?.stdout);
    const parsed = parseSerialList(first?.stdout ?? "");
    assert.ok(parsed.ok);
    assert.equal(parsed.serials.length, 50);
  });
});
