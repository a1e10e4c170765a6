import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "drizzle-orm";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";

describe(`test support (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
  });
  after(async () => {
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("deploys the ledger on a fresh local chain", async () => {
    assert.equal(chain.chainId, 31337);
    const code = await chain.publicClient.getCode({ address: chain.address });
    assert.ok(code !== undefined && code.length > 2);
  });

  it("opens a migrated, empty read model", async () => {
    const rows = await database.db.execute(sql`select count(*)::int as n from events`);
    const first = (Array.isArray(rows) ? rows[0] : (rows as { rows: unknown[] }).rows[0]) as { n: number };
    assert.equal(first.n, 0);
  });
});
