/**
 * A 1,000,000-serial manifest streamed through HTTP to POST /api/manifests and stored: the upload
 * limit the API promises. Slow (tree built twice: once by the "manufacturer", once by the server;
 * then a million rows stored), so it runs only with PEDIGREE_HEAVY_TESTS=1; it prints seconds and
 * peak memory.
 *
 *   cd apps/web && PEDIGREE_HEAVY_TESTS=1 node --test test/upload-million.test.ts
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq, sql } from "drizzle-orm";
import { generateSerials } from "@pedigree/ledger";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { manifests } from "../src/server/db/schema.ts";
import { signIn, uploadSerials } from "../../../scripts/cli/api.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { createWorld, type World } from "./support/world.ts";

const COUNT = 1_000_000;

describe(`1,000,000-serial upload (${TEST_DATABASE_KIND})`, { skip: process.env.PEDIGREE_HEAVY_TESTS !== "1" }, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;

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
  });
  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("streams, checks and stores a million serials", async () => {
    const product = await world.registerProduct(world.parties.acme);
    const serials = generateSerials({ count: COUNT, seed: "a seed of at least sixteen bytes" });
    const batch = await world.registerBatch(world.parties.acme, product, { lot: "MILLION", serials });

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const started = performance.now();
    try {
      const token = await signIn(server.url, world.parties.acme.account, chain.chainId);
      const answer = await uploadSerials(server.url, token, batch, serials);
      assert.equal(answer.status, 201);
      assert.equal(answer.serialCount, COUNT);
      assert.equal(answer.root, batch.manifest.root);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const [row] = await ctx.db.select().from(manifests).where(eq(manifests.batchId, batch.batchId));
    assert.equal(row?.serialCount, COUNT);
    const stored = await ctx.db.execute(
      sql`select count(*)::int as n from manifest_serials where batch_id = ${batch.batchId}`,
    );
    const first = (Array.isArray(stored) ? stored[0] : (stored as { rows: unknown[] }).rows[0]) as { n: number };
    assert.equal(first.n, COUNT);
    console.log(
      `upload of ${COUNT.toLocaleString("en-US")} serials (${TEST_DATABASE_KIND}): ${seconds.toFixed(1)} s, ` +
        `peak RSS of the test process (client + server) ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
    );
  });
});
