/**
 * Everything the indexer writes, in a stable order: two read models of the same chain compare
 * equal with `deepStrictEqual`. Tests compare a followed read model with a clean re-index, and
 * an operator can compare the derived tables with a rebuild from the events.
 */
import { asc } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import {
  batches,
  companyPrefixes,
  events,
  holdings,
  indexedBlocks,
  indexerCursor,
  packStates,
  participants,
  products,
  shipmentLines,
} from "../db/schema.ts";

export async function snapshotDerivedTables(db: Executor) {
  return {
    participants: await db.select().from(participants).orderBy(asc(participants.address)),
    companyPrefixes: await db.select().from(companyPrefixes).orderBy(asc(companyPrefixes.prefix)),
    products: await db.select().from(products).orderBy(asc(products.gtin)),
    batches: await db.select().from(batches).orderBy(asc(batches.batchId)),
    holdings: await db.select().from(holdings).orderBy(asc(holdings.batchId), asc(holdings.holder)),
    shipmentLines: await db
      .select()
      .from(shipmentLines)
      .orderBy(asc(shipmentLines.shipmentId), asc(shipmentLines.batchId), asc(shipmentLines.status)),
    packStates: await db.select().from(packStates).orderBy(asc(packStates.batchId), asc(packStates.index)),
  };
}

/** The derived tables plus the events and the cursor (without its update and caught-up times). */
export async function snapshotReadModel(db: Executor) {
  const cursors = await db.select().from(indexerCursor).orderBy(asc(indexerCursor.id));
  return {
    events: await db.select().from(events).orderBy(asc(events.blockNumber), asc(events.logIndex)),
    cursors: cursors.map(({ updatedAt: _updatedAt, caughtUpAt: _caughtUpAt, ...rest }) => rest),
    ...(await snapshotDerivedTables(db)),
  };
}

/** The indexed blocks (cursor blocks included): they depend on the step sizes, so they stay out of snapshotReadModel. */
export async function snapshotIndexedBlocks(db: Executor) {
  return db.select().from(indexedBlocks).orderBy(asc(indexedBlocks.number));
}
