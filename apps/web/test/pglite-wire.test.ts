/**
 * The embedded database behind the wire protocol (src/server/db/pgliteWire.ts): PGlite reached by
 * postgres-js as a PostgreSQL server would be. What the app relies on: PostgreSQL's own errors,
 * pipelined and prepared queries, a connection that ends inside a transaction holding nothing
 * afterwards, data kept in its folder across a restart, and a closed database giving connection
 * errors (a 503), never a hang.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { sql } from "drizzle-orm";
import { isDatabaseUnavailable } from "../src/server/api/errors.ts";
import { PGlite } from "@electric-sql/pglite";
import { openDatabase, pgliteClient, selectRows } from "../src/server/db/database.ts";
import { PgliteWire } from "../src/server/db/pgliteWire.ts";

async function startWire(): Promise<PgliteWire> {
  return new PgliteWire(await PGlite.create("memory://"));
}

describe("the embedded database behind the wire protocol (PGlite, postgres-js)", () => {
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it("answers queries, prepared ones too, with PostgreSQL's error codes for the ones it refuses", async () => {
    const wire = await startWire();
    const client = pgliteClient(wire);
    try {
      const [row] = await client`select ${41}::int4 + 1 as answer, ${"é ✓"}::text as text`;
      assert.deepEqual({ ...row }, { answer: 42, text: "é ✓" });
      await assert.rejects(client`select * from no_such_table`, (error: { code?: string }) => {
        assert.equal(error.code, "42P01");
        return true;
      });
      // The connection goes on after an error (PostgreSQL skips to the next Sync).
      const [again] = await client`select 1::int4 as one`;
      assert.equal(again?.one, 1);
      // A named prepared statement, run again with other parameters.
      for (const n of [1, 2, 3]) {
        const [prepared] = await client.unsafe("select $1::int4 * 2 as double", [n], { prepare: true });
        assert.equal(prepared?.double, n * 2);
      }
      // Many queries in flight at once on the one connection, each with its own answer.
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client`select ${i}::int4 as i`));
      assert.deepEqual(
        answers.map(([r]) => r?.i),
        Array.from({ length: 200 }, (_, i) => i),
      );
    } finally {
      await client.end({ timeout: 5 });
      await wire.close();
    }
  });

  it("rolls back what a connection left open when it ended inside a transaction", async () => {
    const wire = await startWire();
    try {
      const setup = pgliteClient(wire);
      await setup`create table notes (text text not null)`;
      await setup`insert into notes values ('kept')`;
      await setup.end({ timeout: 5 });

      const abandoned = pgliteClient(wire);
      await abandoned.unsafe("begin");
      await abandoned`insert into notes values ('never committed')`;
      await abandoned.end({ timeout: 5 });

      const next = pgliteClient(wire);
      try {
        const rows = await next`select text from notes order by text`;
        assert.deepEqual(
          rows.map((r) => r.text),
          ["kept"],
        );
        // And the session is usable: a new transaction commits.
        await next.begin(async (tx) => tx`insert into notes values ('later')`);
        assert.equal((await next`select count(*)::int4 as n from notes`)[0]?.n, 2);
      } finally {
        await next.end({ timeout: 5 });
      }
    } finally {
      await wire.close();
    }
  });

  it("keeps the read model in its folder across a close and a reopen", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "pedigree-pglite-wire-"));
    folders.push(folder);
    const first = await openDatabase({ url: "", dataDir: folder });
    await first.db.execute(sql`insert into alerts (verdict, purpose, message)
      values ('UNKNOWN_SERIAL', 'verify', 'kept across restarts')`);
    await first.close();

    const second = await openDatabase({ url: "", dataDir: folder });
    try {
      const rows = await selectRows<{ message: string }>(second.db, sql`select message from alerts`);
      assert.deepEqual(
        rows.map((r) => r.message),
        ["kept across restarts"],
      );
    } finally {
      await second.close();
    }
  });

  it("once closed, answers connection errors the API turns into 503, without hanging", async () => {
    const opened = await openDatabase({ url: "", dataDir: "memory://" });
    await opened.close();
    const started = performance.now();
    await assert.rejects(selectRows(opened.db, sql`select 1`), (error: unknown) => {
      assert.ok(isDatabaseUnavailable(error), `not a connection error: ${String(error)}`);
      return true;
    });
    assert.ok(performance.now() - started < 5_000);

    const wire = await startWire();
    await wire.close();
    assert.throws(
      () => wire.connect(),
      (error: { code?: string }) => error.code === "CONNECTION_CLOSED",
    );
  });

  it("says which folder it could not open", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "pedigree-pglite-wire-")), "a-file");
    folders.push(path.dirname(file));
    writeFileSync(file, "not a folder");
    await assert.rejects(openDatabase({ url: "", dataDir: file }), (error: Error) => {
      assert.match(error.message, /Could not open the PGlite database in .*a-file.*PEDIGREE_DATA_DIR/);
      return true;
    });
  });
});
