/**
 * A fresh, empty read-model database for one test: in-memory PGlite, or, when
 * `PEDIGREE_TEST_DATABASE_URL` is set (CI sets it, see .ci/postgres-start), a new database on
 * that PostgreSQL server, dropped again on close. The same tests thus run against both.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type OpenedDatabase } from "../../src/server/db/database.ts";

export const TEST_DATABASE_KIND = process.env.PEDIGREE_TEST_DATABASE_URL ? "postgres" : "pglite";

/** A new, empty database on the PostgreSQL server at `serverUrl`: its URL, and how to drop it. */
export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pedigree_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}

export async function openTestDatabase(): Promise<OpenedDatabase> {
  const serverUrl = process.env.PEDIGREE_TEST_DATABASE_URL;
  if (serverUrl === undefined || serverUrl === "") return openDatabase({ url: "", dataDir: "memory://" });
  const scratch = await createScratchDatabase(serverUrl);
  const opened = await openDatabase({ url: scratch.url });
  return {
    ...opened,
    async close() {
      await opened.close();
      await scratch.drop();
    },
  };
}
