/**
 * One indexer step at a time: read the ledger's logs for a range of blocks and commit them, the
 * derived tables and the cursor in ONE transaction, so a crash never loses or duplicates an
 * event. Before each step the cursor block's hash is compared with the chain's; on a difference
 * the read model is rolled back to the newest block both still agree on (see `rollBack`).
 *
 * Only blocks at or below `head - confirmations` are indexed. The range shrinks (halves) when
 * the node refuses it, down to one block; `SyncResult.rangeSize` tells the caller what worked.
 */
import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import { BaseError, BlockNotFoundError, HttpRequestError, RpcError, RpcRequestError, type Block, type Log } from "viem";
import { describeRpcUrls, type AppContext, type LedgerKind, type LedgerTarget } from "../context.ts";
import type { Database, Executor } from "../db/database.ts";
import { DERIVED_TABLES, events, indexedBlocks, indexerCursor } from "../db/schema.ts";
import { countLedgerLogs, packageLedgerLogs, type EventRow } from "./events.ts";
import { insertEvents, StepProjection } from "./projection.ts";
import { withdrawOrphanedFindings } from "./illegitimate.ts";
import { AnswerTooLargeError } from "../rpcFetch.ts";

export const DEFAULT_RANGE_SIZE = 2_000;
/** Events read back per page when the derived tables are rebuilt. */
const REPLAY_PAGE = 5_000;
/** Blocks fetched at once. */
const BLOCK_FETCH_CONCURRENCY = 8;
/** syncToHead gives up (and the service backs off) after this many steps in a row that saw the chain change. */
const MAX_CHAIN_CHANGES_IN_A_ROW = 10;
/**
 * Cursor blocks without events are kept this many blocks below the cursor, then dropped: a live
 * indexer adds one per poll, and a reorganisation deeper than this still finds its fork point
 * among the blocks with events (it may then roll back a little further than needed, never wrongly).
 */
export const RECENT_CURSOR_BLOCKS = 1_024;

export interface SyncOptions {
  /** Most blocks per step (default 2,000, or PEDIGREE_INDEXER_RANGE). */
  rangeSize?: number;
  /** Blocks below the head left unindexed until final (default 0 on chain 31337, else 5, or PEDIGREE_CONFIRMATIONS). */
  confirmations?: number;
  /** Called before each event of a step is applied; a throw aborts the step (tests inject faults here). */
  onApply?(event: EventRow, ordinal: number): void;
}

export interface SyncResult {
  /** The blocks this step indexed; undefined when it indexed none. */
  range?: { from: number; to: number };
  /** Events written by this step. */
  events: number;
  /** Ledger logs the ABI does not describe (left out). */
  skippedLogs: number;
  /** The indexed block after the step (null before the first step). */
  cursor: number | null;
  head: number;
  /** The newest block the indexer may index: head − confirmations. */
  safeHead: number;
  /** Nothing is left to index up to the safe head. */
  caughtUp: boolean;
  /** The range size that worked; pass it to the next step. */
  rangeSize: number;
  /** Set when the step rolled the read model back instead of indexing. */
  rolledBack?: { from: number | null; to: number | null; removedEvents: number };
  /** Set when the chain changed while the step read it; nothing was written, the next step retries. */
  chainChanged?: string;
}

/** The read model belongs to another deployment, or the node is another chain: indexing would mix them. */
export class IndexerTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IndexerTargetError";
  }
}

export function cursorId(target: Pick<LedgerTarget, "chainId" | "address">): string {
  return `${target.chainId}:${target.address.toLowerCase()}`;
}

export function defaultConfirmations(chainId: number, env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.PEDIGREE_CONFIRMATIONS;
  if (configured !== undefined && configured !== "") {
    const value = Number(configured);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`PEDIGREE_CONFIRMATIONS must be a whole number of blocks, 0 or more (got '${configured}').`);
    }
    return value;
  }
  return chainId === 31337 ? 0 : 5;
}

export function defaultRangeSize(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.PEDIGREE_INDEXER_RANGE;
  if (configured === undefined || configured === "") return DEFAULT_RANGE_SIZE;
  const value = Number(configured);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`PEDIGREE_INDEXER_RANGE must be a whole number of blocks, 1 or more (got '${configured}').`);
  }
  return value;
}

/** The indexed block: what API answers report as `blockNumber`. Null until the first step. */
export async function indexedBlock(ctx: AppContext): Promise<{ number: number; hash: string } | null> {
  const [row] = await ctx.db
    .select({ number: indexerCursor.blockNumber, hash: indexerCursor.blockHash })
    .from(indexerCursor)
    .where(eq(indexerCursor.id, cursorId(ctx.ledger)));
  return row ?? null;
}

type Cursor = typeof indexerCursor.$inferSelect;

/** This deployment's cursor; refuses a database that holds another deployment's. */
async function readCursor(db: Executor, target: LedgerTarget): Promise<Cursor | null> {
  const id = cursorId(target);
  const rows = await db.select().from(indexerCursor);
  const foreign = rows.find((row) => row.id !== id);
  if (foreign !== undefined) {
    throw new IndexerTargetError(
      `This database holds the read model of the ledger ${foreign.contract} on chain id ${foreign.chainId}` +
        ` (indexed up to block ${foreign.blockNumber}), but the indexer is configured for the ledger` +
        ` ${target.address.toLowerCase()} on chain id ${target.chainId}. One database serves one deployment:` +
        ` use another database (DATABASE_URL, or PEDIGREE_DATA_DIR for PGlite), or empty this one, or point` +
        ` PEDIGREE_CHAIN_ID / PEDIGREE_LEDGER_ADDRESS back at ${foreign.chainId} / ${foreign.contract}.`,
    );
  }
  return rows[0] ?? null;
}

const checkedChains = new WeakSet<object>();

async function checkChainId(ctx: AppContext): Promise<void> {
  if (checkedChains.has(ctx.chain)) return;
  const actual = await ctx.chain.getChainId();
  if (actual !== ctx.ledger.chainId) {
    throw new IndexerTargetError(
      `The node at ${ctx.ledger.rpcUrl} is chain id ${actual}, but the indexer is configured for chain id` +
        ` ${ctx.ledger.chainId} (PEDIGREE_CHAIN_ID). Point PEDIGREE_RPC_URL at a node of chain ${ctx.ledger.chainId},` +
        ` or set PEDIGREE_CHAIN_ID=${actual} if that chain is the one to follow.`,
    );
  }
  checkedChains.add(ctx.chain);
}

async function blockOrNull(ctx: AppContext, number: number): Promise<Block | null> {
  try {
    return await ctx.chain.getBlock({ blockNumber: BigInt(number) });
  } catch (error) {
    if (error instanceof BlockNotFoundError) return null;
    throw error;
  }
}

async function requireBlock(ctx: AppContext, number: number): Promise<Block & { hash: `0x${string}` }> {
  const block = await blockOrNull(ctx, number);
  if (block === null || block.hash === null) throw new ChainChanged(`block ${number} is no longer on the chain`);
  return block as Block & { hash: `0x${string}` };
}

class ChainChanged extends Error {}

/** Whether the node refused the size of a getLogs range, or its answer was too big for us (as opposed to being unreachable). */
export function isRangeRefusal(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false;
  const refusal = error.walk((cause) => {
    // Our own transport's limit on an answer's size: fewer blocks give a smaller answer.
    if (cause instanceof AnswerTooLargeError) return true;
    if (cause instanceof RpcRequestError || cause instanceof RpcError) return true;
    if (cause instanceof HttpRequestError) return cause.status === 400 || cause.status === 413;
    return false;
  });
  return refusal !== null;
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One step: roll back if the chain reorganised, else index the next range of blocks. */
export async function syncOnce(ctx: AppContext, options: SyncOptions = {}): Promise<SyncResult> {
  const target = ctx.ledger;
  const confirmations = options.confirmations ?? defaultConfirmations(target.chainId);
  let rangeSize = options.rangeSize ?? defaultRangeSize();
  await checkChainId(ctx);
  const cursor = await readCursor(ctx.db, target);
  // viem caches the block number for a polling interval by default; a step needs the head now.
  const head = Number(await ctx.chain.getBlockNumber({ cacheTime: 0 }));
  const safeHead = head - confirmations;
  const result = (fields: Partial<SyncResult> & { cursor: number | null; caughtUp: boolean }): SyncResult => ({
    events: 0,
    skippedLogs: 0,
    head,
    safeHead,
    rangeSize,
    ...fields,
  });

  if (cursor !== null) {
    const onChain = await blockOrNull(ctx, cursor.blockNumber);
    if (onChain === null || onChain.hash !== cursor.blockHash) {
      const rolledBack = await rollBack(ctx, cursor);
      return result({ cursor: rolledBack.to, caughtUp: false, rolledBack });
    }
  }

  const from = cursor === null ? target.deploymentBlock : cursor.blockNumber + 1;
  if (from > safeHead) {
    // Nothing new: the read model is as current as the chain's safe head, now (PEDIGREE_MAX_LAG).
    if (cursor !== null) {
      await ctx.db
        .update(indexerCursor)
        .set({ caughtUpAt: sql`now()` })
        .where(eq(indexerCursor.id, cursor.id));
    }
    return result({ cursor: cursor?.blockNumber ?? null, caughtUp: true });
  }

  try {
    let to = Math.min(from + rangeSize - 1, safeHead);
    let toBlock = await requireBlock(ctx, to);
    let logs: Log[];
    for (;;) {
      try {
        logs = await ctx.chain.getLogs({ address: target.address, fromBlock: BigInt(from), toBlock: BigInt(to) });
        break;
      } catch (error) {
        if (to === from || !isRangeRefusal(error)) throw error;
        rangeSize = Math.max(1, Math.floor((to - from + 1) / 2));
        to = from + rangeSize - 1;
        toBlock = await requireBlock(ctx, to);
      }
    }

    // The blocks the step commits: each block with a log, and the new cursor block.
    const numbers = [...new Set(logs.map((log) => Number(log.blockNumber)))].filter((n) => n !== to);
    const fetched = await mapConcurrently(numbers, BLOCK_FETCH_CONCURRENCY, (n) => requireBlock(ctx, n));
    const blocks = new Map<number, Block & { hash: `0x${string}` }>([[to, toBlock]]);
    for (const block of fetched) blocks.set(Number(block.number), block);

    for (const log of logs) {
      const block = blocks.get(Number(log.blockNumber))!;
      if (log.blockHash !== block.hash) {
        throw new ChainChanged(
          `a log of block ${block.number} names block hash ${log.blockHash}, the chain has ${block.hash}`,
        );
      }
    }
    // The range is consistent with the cursor when, after reading it, the new cursor block is
    // still the one read first and the old cursor block is still on the chain: blocks are chained
    // by hash, so everything between them is what getLogs saw. (Parent hashes are not compared:
    // Hardhat's hardhat_mine leaves them zero.)
    const [toAgain, cursorAgain] = await Promise.all([
      requireBlock(ctx, to),
      cursor === null ? null : blockOrNull(ctx, cursor.blockNumber),
    ]);
    if (toAgain.hash !== toBlock.hash) throw new ChainChanged(`block ${to} changed during the step`);
    if (cursor !== null && cursorAgain?.hash !== cursor.blockHash) {
      throw new ChainChanged(`the indexed block ${cursor.blockNumber} left the chain during the step`);
    }

    const decoder = target.kind === "package" ? packageLedgerLogs : countLedgerLogs;
    const rows: EventRow[] = [];
    let skippedLogs = 0;
    for (const log of logs) {
      const row = decoder.row(log, Number(blocks.get(Number(log.blockNumber))!.timestamp));
      if (row === undefined) skippedLogs++;
      else rows.push(row);
    }
    rows.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);

    const blockRows = [...new Set([...rows.map((row) => row.blockNumber), to])].map((n) => {
      const block = blocks.get(n)!;
      return { number: n, hash: block.hash, timestamp: Number(block.timestamp) };
    });

    await ctx.db.transaction(async (tx) => {
      // Locks the cursor row for the step; a second indexer on the same database waits here, then
      // finds the cursor moved and gives up its step instead of writing the range again.
      const [current] = await tx
        .select({ blockNumber: indexerCursor.blockNumber, blockHash: indexerCursor.blockHash })
        .from(indexerCursor)
        .where(eq(indexerCursor.id, cursorId(target)))
        .for("update");
      if ((current?.blockHash ?? null) !== (cursor?.blockHash ?? null)) {
        throw new Error(
          `Another indexer moved the cursor of this database to block ${current?.blockNumber ?? "none"} during this` +
            ` step. Run one indexer per database: with the separate indexer process, start the web server with` +
            ` PEDIGREE_INDEXER=off.`,
        );
      }
      await insertEvents(tx, rows);
      await tx
        .insert(indexedBlocks)
        .values(blockRows)
        .onConflictDoUpdate({
          target: indexedBlocks.number,
          set: { hash: sql`excluded.hash`, timestamp: sql`excluded.timestamp` },
        });
      const projection = new StepProjection(target.kind);
      rows.forEach((row, ordinal) => {
        options.onApply?.(row, ordinal);
        projection.apply(row);
      });
      await projection.flush(tx);
      if (cursor !== null) {
        // Only the blocks that fell out of the window in this step: each step prunes what it aged.
        await tx.execute(sql`delete from indexed_blocks as b
          where b.number > ${cursor.blockNumber - RECENT_CURSOR_BLOCKS} and b.number <= ${to - RECENT_CURSOR_BLOCKS}
            and not exists (select 1 from events as e where e.block_number = b.number)`);
      }
      const cursorRow = {
        id: cursorId(target),
        chainId: target.chainId,
        contract: target.address.toLowerCase(),
        deploymentBlock: target.deploymentBlock,
        blockNumber: to,
        blockHash: toBlock.hash,
        updatedAt: new Date(),
        // Database time, as the verification path reads it (there is one clock for every server).
        caughtUpAt: to >= safeHead ? sql`now()` : null,
      };
      await tx
        .insert(indexerCursor)
        .values(cursorRow)
        .onConflictDoUpdate({
          target: indexerCursor.id,
          set: {
            blockNumber: to,
            blockHash: toBlock.hash,
            updatedAt: cursorRow.updatedAt,
            caughtUpAt: cursorRow.caughtUpAt,
          },
        });
    });
    return result({
      range: { from, to },
      events: rows.length,
      skippedLogs,
      cursor: to,
      caughtUp: to >= safeHead,
    });
  } catch (error) {
    if (error instanceof ChainChanged) {
      return result({ cursor: cursor?.blockNumber ?? null, caughtUp: false, chainChanged: error.message });
    }
    throw error;
  }
}

/** Steps at a range size that worked before it is doubled again (towards the configured size). */
const STEPS_BEFORE_GROWING = 10;

/**
 * The range size from step to step. A step halves it when the node refuses a range (a provider's
 * cap on blocks, or on results in a busy stretch of the chain); after STEPS_BEFORE_GROWING steps
 * without a refusal it doubles again, up to the configured size, so one busy stretch does not
 * leave the indexer crawling through the rest of the chain. Against a fixed cap this costs one
 * refused request every STEPS_BEFORE_GROWING steps.
 */
export class RangeSizer {
  readonly #max: number;
  #size: number;
  #steady = 0;

  constructor(max: number = defaultRangeSize()) {
    this.#max = max;
    this.#size = max;
  }

  get size(): number {
    return this.#size;
  }

  /** After a successful step that was asked for `this.size` blocks at most. */
  stepped(step: Pick<SyncResult, "rangeSize">): void {
    if (step.rangeSize < this.#size) {
      this.#size = step.rangeSize;
      this.#steady = 0;
      return;
    }
    if (++this.#steady >= STEPS_BEFORE_GROWING && this.#size < this.#max) {
      this.#size = Math.min(this.#max, this.#size * 2);
      this.#steady = 0;
    }
  }
}

/** Steps until the indexed block reaches the safe head. */
export async function syncToHead(
  ctx: AppContext,
  options: SyncOptions = {},
): Promise<{ steps: number; events: number; cursor: number | null; head: number; rollbacks: number }> {
  let steps = 0;
  let changesInARow = 0;
  let eventCount = 0;
  let rollbacks = 0;
  const range = new RangeSizer(options.rangeSize);
  for (;;) {
    const step = await syncOnce(ctx, { ...options, rangeSize: range.size });
    steps++;
    eventCount += step.events;
    range.stepped(step);
    if (step.rolledBack !== undefined) rollbacks++;
    changesInARow = step.chainChanged === undefined ? 0 : changesInARow + 1;
    if (changesInARow >= MAX_CHAIN_CHANGES_IN_A_ROW) {
      throw new Error(
        `The chain changed under ${changesInARow} steps in a row (last: ${step.chainChanged}); is the node` +
          ` at ${describeRpcUrls(ctx.ledger)} serving a consistent chain?`,
      );
    }
    if (step.caughtUp) return { steps, events: eventCount, cursor: step.cursor, head: step.head, rollbacks };
  }
}

/**
 * The chain no longer has the cursor block: find the newest indexed block whose hash the chain
 * still has (hashes chain blocks together, so "still has" holds for every block below a kept one
 * and a binary search finds the boundary), drop what lies above it, and rebuild the derived
 * tables from the remaining events, in one transaction. With no block in common (a fresh local
 * chain at the same address), everything goes and the next step re-indexes from the deployment block.
 */
async function rollBack(
  ctx: AppContext,
  cursor: Cursor,
): Promise<{ from: number; to: number | null; removedEvents: number }> {
  const known = await ctx.db
    .select({ number: indexedBlocks.number, hash: indexedBlocks.hash })
    .from(indexedBlocks)
    .where(sql`${indexedBlocks.number} <= ${cursor.blockNumber}`)
    .orderBy(asc(indexedBlocks.number));
  let low = 0;
  let high = known.length - 1;
  let kept = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const entry = known[middle]!;
    const onChain = await blockOrNull(ctx, entry.number);
    if (onChain !== null && onChain.hash === entry.hash) {
      kept = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const ancestor = kept >= 0 ? known[kept]! : null;
  const keepUpTo = ancestor?.number ?? -1;
  const removedEvents = await ctx.db.transaction(async (tx) => {
    const removed = await tx
      .delete(events)
      .where(gt(events.blockNumber, keepUpTo))
      .returning({ blockNumber: events.blockNumber });
    await tx.delete(indexedBlocks).where(gt(indexedBlocks.number, keepUpTo));
    if (ancestor === null) {
      await tx.delete(indexerCursor).where(eq(indexerCursor.id, cursor.id));
    } else {
      await tx
        .update(indexerCursor)
        .set({ blockNumber: ancestor.number, blockHash: ancestor.hash, updatedAt: new Date(), caughtUpAt: null })
        .where(eq(indexerCursor.id, cursor.id));
    }
    await rebuildDerivedTables(tx, ctx.ledger.kind);
    await withdrawOrphanedFindings(tx);
    return removed.length;
  });
  return { from: cursor.blockNumber, to: ancestor?.number ?? null, removedEvents };
}

/** Empties the derived tables and replays every stored event into them (they are a function of the events). */
export async function rebuildDerivedTables(tx: Executor, kind?: LedgerKind): Promise<number> {
  await tx.execute(sql.raw(`truncate ${DERIVED_TABLES.join(", ")}`));
  let after: { blockNumber: number; logIndex: number } | null = null;
  let replayed = 0;
  for (;;) {
    const page: EventRow[] = await tx
      .select()
      .from(events)
      .where(
        after === null
          ? undefined
          : or(
              gt(events.blockNumber, after.blockNumber),
              and(eq(events.blockNumber, after.blockNumber), gt(events.logIndex, after.logIndex)),
            ),
      )
      .orderBy(asc(events.blockNumber), asc(events.logIndex))
      .limit(REPLAY_PAGE);
    if (page.length === 0) return replayed;
    const projection = new StepProjection(kind);
    for (const row of page) projection.apply(row);
    await projection.flush(tx);
    replayed += page.length;
    const last = page[page.length - 1]!;
    after = { blockNumber: last.blockNumber, logIndex: last.logIndex };
  }
}

/** Forgets everything indexed (events, blocks, cursor, derived tables): the next step re-indexes from the deployment block. */
export async function clearReadModel(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`truncate events, indexed_blocks, indexer_cursor, ${DERIVED_TABLES.join(", ")}`));
  });
}

/** Rebuilds the derived tables in their own transaction (an operator's repair, and a test's reference). */
export async function rebuildReadModel(db: Database, kind?: LedgerKind): Promise<number> {
  return db.transaction((tx) => rebuildDerivedTables(tx, kind));
}
