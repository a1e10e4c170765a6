/**
 * GET /api/health: can this server answer right now, and from how fresh a read model? For
 * load balancers and `npm start` (200 when the database and the chain both answer, 503
 * otherwise), and for operators.
 *
 * Anyone gets ok/degraded per component (`publicHealth`), nothing more: the RPC URL may carry a
 * provider's API key, and error messages name hosts and internals. The full report goes only to a
 * request bearing the operator token (PEDIGREE_OPERATOR_TOKEN), and even then the RPC URL is
 * reduced to its origin.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { redactedRpcUrl, type AppContext } from "./context.ts";
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

export type ComponentHealth = "ok" | "degraded";

/** What an anonymous caller learns: whether each part works. */
export interface PublicHealth {
  status: "ok" | "degraded";
  checkedAt: string;
  database: ComponentHealth;
  chain: ComponentHealth;
  /** null when the indexer runs as its own process. */
  indexer: ComponentHealth | null;
}

export function publicHealth(report: HealthReport): PublicHealth {
  const of = (ok: boolean): ComponentHealth => (ok ? "ok" : "degraded");
  return {
    status: report.status === "ok" ? "ok" : "degraded",
    checkedAt: report.checkedAt,
    database: of(report.database.ok),
    chain: of(report.chain.ok),
    indexer:
      report.indexer === null ? null : of(report.indexer.state === "live" || report.indexer.state === "catching-up"),
  };
}

/** Whether the request carries `Authorization: Bearer <PEDIGREE_OPERATOR_TOKEN>` (never, when none is set). */
export function isOperator(request: Request, env: NodeJS.ProcessEnv = process.env): boolean {
  const expected = env.PEDIGREE_OPERATOR_TOKEN;
  if (expected === undefined || expected === "") return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  if (match === null) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1]!), digest(expected));
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
    indexer: indexer === null ? null : { ...indexer, rpcUrl: redactedRpcUrl(indexer.rpcUrl) },
  };
}
