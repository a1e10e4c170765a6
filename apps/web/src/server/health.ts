/**
 * GET /api/health: can this server answer right now, and from how fresh a read model? For
 * operators, load balancers and `npm start` (which waits for the indexer to be live before it
 * prints the demo links). 200 when the database and the chain both answer, 503 otherwise; the
 * body says which part failed either way.
 */
import { sql } from "drizzle-orm";
import type { AppContext } from "./context.ts";
import type { IndexerStatus } from "./indexer/service.ts";

export interface HealthReport {
  status: "ok" | "unavailable";
  checkedAt: string;
  database: { ok: boolean; kind: string; error?: string };
  chain: { ok: boolean; chainId: number; ledger: string; head?: number; error?: string };
  /** The in-process indexer, or null when it runs as its own process (PEDIGREE_INDEXER=off). */
  indexer: IndexerStatus | null;
}

const TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref(),
    ),
  ]);
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0] ?? "unknown error";
}

export async function healthReport(ctx: AppContext, indexer: IndexerStatus | null): Promise<HealthReport> {
  const [database, chain] = await Promise.all([
    withTimeout(ctx.db.execute(sql`select 1`), "The database").then(
      () => ({ ok: true, kind: ctx.database.kind }),
      (error: unknown) => ({ ok: false, kind: ctx.database.kind, error: firstLine(error) }),
    ),
    withTimeout(ctx.chain.getBlockNumber({ cacheTime: 0 }), "The chain").then(
      (head) => ({ ok: true, chainId: ctx.ledger.chainId, ledger: ctx.ledger.address, head: Number(head) }),
      (error: unknown) => ({
        ok: false,
        chainId: ctx.ledger.chainId,
        ledger: ctx.ledger.address,
        error: firstLine(error),
      }),
    ),
  ]);
  return {
    status: database.ok && chain.ok ? "ok" : "unavailable",
    checkedAt: new Date().toISOString(),
    database,
    chain,
    indexer,
  };
}
