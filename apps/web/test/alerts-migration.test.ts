/**
 * Migration 0002 (drizzle/0002_alert_workflow.sql) on a database that holds alerts from before it:
 * every alert keeps its state (OPEN stays open, CLOSED stays closed, with no root cause and no
 * history), the table then holds only the workflow's states and root causes, and a pack's alert
 * under investigation still takes its rescans.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres, { type Sql } from "postgres";
import { migrationsFolder, pgliteClient } from "../src/server/db/database.ts";
import { PgliteWire } from "../src/server/db/pgliteWire.ts";
import { createScratchDatabase, TEST_DATABASE_KIND } from "./support/database.ts";

/** The checked-in migrations up to and including 0001, as the database stood before the workflow. */
function migrationsBefore0002(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), "pedigree-migrations-"));
  const all = migrationsFolder();
  cpSync(path.join(all, "meta"), path.join(folder, "meta"), { recursive: true });
  const journal = JSON.parse(readFileSync(path.join(all, "meta/_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  journal.entries = journal.entries.filter((entry) => entry.tag < "0002");
  assert.deepEqual(
    journal.entries.map((entry) => entry.tag),
    ["0000_init", "0001_security"],
  );
  writeFileSync(path.join(folder, "meta/_journal.json"), JSON.stringify(journal));
  for (const entry of journal.entries)
    cpSync(path.join(all, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  return folder;
}

describe(`migration 0002: the alert workflow (${TEST_DATABASE_KIND})`, () => {
  let client: Sql;
  let close: () => Promise<void>;
  let oldFolder: string;
  const migrateWith = (folder: string) => migrate(drizzle(client) as never, { migrationsFolder: folder });

  before(async () => {
    const serverUrl = process.env.PEDIGREE_TEST_DATABASE_URL;
    if (serverUrl) {
      const scratch = await createScratchDatabase(serverUrl);
      client = postgres(scratch.url, { max: 1, onnotice: () => {} });
      close = async () => {
        await client.end({ timeout: 5 });
        await scratch.drop();
      };
    } else {
      const wire = new PgliteWire(await PGlite.create("memory://"));
      client = pgliteClient(wire);
      close = async () => {
        await client.end({ timeout: 5 });
        await wire.close();
      };
    }
    oldFolder = migrationsBefore0002();
    await migrateWith(oldFolder);
    // Alerts as 0001 left them: open and closed, a patient's from before sign-in was needed.
    await client`insert into alerts (verdict, purpose, gtin, lot, serial, reported_by, message, status, occurrences)
      values ('DISPENSED', 'dispense', '09520123456788', 'A1', 'S1', '0xcc', 'open', 'OPEN', 3),
             ('DISPENSED', 'dispense', '09520123456788', 'A1', 'S1', '0xcc', 'closed', 'CLOSED', 1),
             ('UNKNOWN_SERIAL', 'verify', '09520123456788', 'A1', 'S2', null, 'anonymous', 'OPEN', 1)`;
    await migrateWith(migrationsFolder());
  });
  after(async () => {
    await close?.();
    if (oldFolder) rmSync(oldFolder, { recursive: true, force: true });
  });

  it("keeps every alert in its state, with no root cause and no history", async () => {
    const rows = await client`select message, status, root_cause, occurrences from alerts order by id`;
    assert.deepEqual(
      rows.map((row) => [row.message, row.status, row.root_cause, row.occurrences]),
      [
        ["open", "OPEN", null, 3],
        ["closed", "CLOSED", null, 1],
        ["anonymous", "OPEN", null, 1],
      ],
    );
    assert.deepEqual([...(await client`select * from alert_history`)], []);
  });

  it("holds only the workflow's states and root causes, a root cause only on a closed alert", async () => {
    const refused = async (statement: Promise<unknown>, constraint: string) =>
      assert.rejects(statement, (error: { constraint_name?: string; message: string }) => {
        assert.match(`${error.constraint_name} ${error.message}`, new RegExp(constraint));
        return true;
      });
    await refused(client`update alerts set status = 'DONE' where message = 'open'`, "alerts_status_check");
    await refused(client`update alerts set root_cause = 'FALSIFIED' where message = 'open'`, "alerts_root_cause_check");
    await refused(client`update alerts set root_cause = 'FAKE' where message = 'closed'`, "alerts_root_cause_check");
    await client`update alerts set root_cause = 'GENUINE' where message = 'closed'`;
    await refused(
      client`insert into alert_history (alert_id, by_address, by_name, by_role, from_status, to_status)
        values (99999, '0xdd', 'Medicines Agency', 'REGULATOR', 'OPEN', 'INVESTIGATING')`,
      "alert_history_alert_id_alerts_id_fk",
    );
  });

  it("keeps one alert per pack and reporter while it is open or under investigation", async () => {
    const again = () =>
      client`insert into alerts (verdict, purpose, gtin, lot, serial, reported_by, message)
        values ('DISPENSED', 'dispense', '09520123456788', 'A1', 'S1', '0xcc', 'again')`;
    await client`update alerts set status = 'INVESTIGATING' where message = 'open'`;
    await assert.rejects(again(), /alerts_open_pack_reporter_idx/);
    await client`update alerts set status = 'CLOSED', root_cause = 'FALSIFIED' where message = 'open'`;
    await again();
  });
});
