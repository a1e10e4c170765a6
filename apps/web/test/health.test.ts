import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import { healthReport } from "../src/server/health.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";

describe(`health report (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let ctx: AppContext;
  before(async () => {
    const [started, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    chain = started;
    ctx = await createAppContext({ database, target: chain.target });
  });
  after(async () => {
    await chain?.stop();
    await ctx?.database.close();
  });

  it("is ok when the database and the chain answer, and names the chain's head", async () => {
    const report = await healthReport(ctx, null);
    assert.equal(report.status, "ok");
    assert.equal(report.database.ok, true);
    assert.equal(report.chain.ok, true);
    assert.equal(report.chain.head, await chain.publicClient.getBlockNumber({ cacheTime: 0 }).then(Number));
  });

  it("says the chain is unavailable, and why, once its node is gone", async () => {
    await chain.stop();
    const report = await healthReport(ctx, null);
    assert.equal(report.status, "unavailable");
    assert.equal(report.database.ok, true);
    assert.equal(report.chain.ok, false);
    assert.match(report.chain.error ?? "", /\S/);
  });
});
