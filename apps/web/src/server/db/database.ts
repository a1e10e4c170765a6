/**
 * Opens the read model's database: PostgreSQL when `DATABASE_URL` is set, otherwise embedded
 * PGlite with its data in a project-local folder (`.data/pglite` at the repository root, or
 * `PEDIGREE_DATA_DIR`), kept across restarts. Checked-in migrations (../../../drizzle) are applied
 * on open, so a fresh folder or an empty PostgreSQL database is ready at once.
 *
 * Both are reached through postgres-js and Drizzle (PGlite behind the wire protocol, see
 * pgliteWire.ts), so every query, prepared statement and connection error is handled the same way
 * on either.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Duplex } from "node:stream";
import type { SQL } from "drizzle-orm";
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres, { type Sql } from "postgres";
import { PGlite } from "@electric-sql/pglite";
import { PgliteWire } from "./pgliteWire.ts";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A database or a transaction on it: what the write paths take. */
export type Executor = Parameters<Parameters<Database["transaction"]>[0]>[0] | Database;

/**
 * The rows of a hand-written query (for the few hot reads a query builder would split into
 * several round trips), as a named prepared statement: the database plans it once per connection
 * instead of on every call (planning was half of a verification's query on PGlite), and
 * postgres-js sends it in one exchange instead of describing it first. Integers and text come
 * back as numbers and strings, so cast columns to int4 or text in the SQL.
 */
export async function selectRows<Row>(db: Database, query: SQL): Promise<Row[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const client = (db as unknown as { $client: Sql }).$client;
  return [...((await client.unsafe(text, params as never[], { prepare: true })) as unknown as Row[])];
}

const dialect = new PgDialect();

export interface OpenedDatabase {
  db: Database;
  kind: "postgres" | "pglite";
  /** Where the data lives: the PGlite folder, or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection URL. Default: `DATABASE_URL`. */
  url?: string;
  /** PGlite data folder; "memory://" for a throwaway database. Default: `PEDIGREE_DATA_DIR` or <repo>/.data/pglite. */
  dataDir?: string;
}

/** The repository root: the nearest folder upwards with hardhat.config.ts (the web app runs from apps/web). */
export function repositoryRoot(from = process.cwd()): string {
  // turbopackIgnore: a run-time lookup, not a file the server bundle should trace.
  let dir = path.resolve(/*turbopackIgnore: true*/ from);
  for (;;) {
    if (existsSync(path.join(dir, "hardhat.config.ts"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(/*turbopackIgnore: true*/ from);
    dir = parent;
  }
}

/** The checked-in migrations, wherever the process was started from. */
export function migrationsFolder(): string {
  const root = repositoryRoot();
  const candidates = [path.join(root, "apps/web/drizzle"), path.resolve("drizzle")];
  const found = candidates.find((dir) => existsSync(path.join(dir, "meta/_journal.json")));
  if (found === undefined) {
    throw new Error(`The database migrations were not found (looked in ${candidates.join(", ")}).`);
  }
  return found;
}

export function defaultPgliteDir(): string {
  return process.env.PEDIGREE_DATA_DIR ?? path.join(repositoryRoot(), ".data/pglite");
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(a DATABASE_URL that is not a valid URL)";
  }
}

const CLIENT_OPTIONS = {
  onnotice: () => {},
  connect_timeout: 10,
  // postgres-js waits 3^failures/100 s (up to 20 s) before reconnecting, and queries queue
  // meanwhile: after a short outage requests would hang for seconds and the server would stay
  // away long after the database is back. Reconnect within a second instead.
  backoff: (failures: number) => Math.min(0.05 * 2 ** failures, 1),
};

/**
 * A postgres-js client of an embedded database behind the wire protocol. One connection: PGlite
 * is one session, and a transaction holds it whole anyway.
 */
export function pgliteClient(wire: PgliteWire): Sql {
  // `socket` is documented by postgres-js (README, "Custom socket") but missing from its types.
  const options: postgres.Options<Record<string, never>> & { socket: () => Duplex } = {
    ...CLIENT_OPTIONS,
    max: 1,
    user: "postgres",
    database: "postgres",
    socket: () => wire.connect(),
    // Nothing to time out or recycle: the connection lives as long as the database.
    idle_timeout: 0,
    max_lifetime: null,
  };
  return postgres(options);
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const url = options.url ?? process.env.DATABASE_URL;
  if (url !== undefined && url !== "") {
    const client = postgres(url, { ...CLIENT_OPTIONS, max: 10 });
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    try {
      await migratePostgres(db as never, { migrationsFolder: migrationsFolder() });
    } catch (error) {
      await client.end({ timeout: 1 });
      throw new Error(`Could not prepare the PostgreSQL database at ${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { db, kind: "postgres", location: redactUrl(url), close: () => client.end({ timeout: 5 }) };
  }
  const dataDir = options.dataDir ?? defaultPgliteDir();
  let database: PGlite;
  try {
    if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
    database = await PGlite.create(dataDir);
  } catch (error) {
    throw new Error(
      `Could not open the PGlite database in ${dataDir}: ${(error as Error).message}. Give PEDIGREE_DATA_DIR a folder this process may write.`,
      { cause: error },
    );
  }
  const wire = new PgliteWire(database);
  const client = pgliteClient(wire);
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  const close = async () => {
    await client.end({ timeout: 5 });
    await wire.close();
  };
  try {
    await migratePostgres(db as never, { migrationsFolder: migrationsFolder() });
  } catch (error) {
    await close();
    throw new Error(`Could not prepare the PGlite database in ${dataDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { db, kind: "pglite", location: dataDir, close };
}
