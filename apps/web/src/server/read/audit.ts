/**
 * What the auditor's product, party and transaction pages read: a product with every batch of it
 * and where their units are, a party's most recent ledger events, and the events of one
 * transaction. Each is a few queries whatever the size of the record (grouped counts, not a query
 * per batch).
 */
import { and, asc, desc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { isoDateFromYyyymmdd } from "@pedigree/ledger";
import type {
  BatchStatus,
  HoldingView,
  LocatedEvent,
  PartyActivity,
  ProductResponse,
  TransactionResponse,
  UnitBalance,
} from "../../lib/api/read.ts";
import type { PartyView } from "../../lib/api-types.ts";
import { mergePackEvents } from "../../lib/merge-pack-events.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../api/errors.ts";
import { batches, events, holdings, manifests, packStates, products, shipmentLines } from "../db/schema.ts";
import { visiblePackSerials, type Viewer } from "./access.ts";
import { batchView, productView } from "./batch.ts";
import { normaliseGtin, parseAddress } from "./input.ts";
import { loadParties, type PartyLookup } from "./parties.ts";
import { accountsOf, selectEventRows, timelineEntry, type EventRow, type PackSerials } from "./timeline.ts";

function located(row: EventRow, party: PartyLookup, serials: PackSerials): LocatedEvent {
  return { ...timelineEntry(row, party, serials), gtin: row.gtin, lot: row.lot };
}

/** A product and every batch of it, newest first, with each batch's unit balance and holders. */
export async function getProduct(ctx: AppContext, rawGtin: string): Promise<ProductResponse> {
  const db = ctx.db;
  const gtin = normaliseGtin(rawGtin);
  const [productRow] = await db.select().from(products).where(eq(products.gtin, gtin)).limit(1);
  if (productRow === undefined) {
    throw new ApiError(
      404,
      "PRODUCT_NOT_FOUND",
      `No product with GTIN ${gtin} is registered on the ledger. Check the number on the pack, or search by the product's name.`,
      { details: { gtin } },
    );
  }
  const batchRows = await db
    .select()
    .from(batches)
    .where(eq(batches.gtin, gtin))
    .orderBy(desc(batches.registeredBlock), asc(batches.lot));
  const ids = batchRows.map((b) => b.batchId);
  const [held, pending, decommissioned, stored] =
    ids.length === 0
      ? [[], [], [], []]
      : await Promise.all([
          db
            .select({
              batchId: holdings.batchId,
              holder: holdings.holder,
              units: holdings.units,
              quarantined: holdings.quarantined,
            })
            .from(holdings)
            .where(and(inArray(holdings.batchId, ids), sql`${holdings.units} > 0`))
            .orderBy(desc(holdings.units), asc(holdings.holder)),
          db
            .select({ batchId: shipmentLines.batchId, units: sql<number>`sum(${shipmentLines.quantity})::int` })
            .from(shipmentLines)
            .where(and(inArray(shipmentLines.batchId, ids), eq(shipmentLines.status, "PENDING")))
            .groupBy(shipmentLines.batchId),
          db
            .select({ batchId: packStates.batchId, packs: sql<number>`count(*)::int` })
            .from(packStates)
            .where(and(inArray(packStates.batchId, ids), ne(packStates.state, "ACTIVE")))
            .groupBy(packStates.batchId),
          db.select({ batchId: manifests.batchId }).from(manifests).where(inArray(manifests.batchId, ids)),
        ]);
  const party = await loadParties(db, [
    productRow.manufacturer,
    ...batchRows.map((b) => b.statusBy),
    ...held.map((h) => h.holder),
  ]);
  const inTransit = new Map(pending.map((p) => [p.batchId, p.units]));
  const gone = new Map(decommissioned.map((d) => [d.batchId, d.packs]));
  const withManifest = new Set(stored.map((m) => m.batchId));
  const today = ctx.now().toISOString().slice(0, 10);
  const total: UnitBalance = { registered: 0, held: 0, inTransit: 0, decommissioned: 0 };
  const holdersOf = new Map<string, HoldingView[]>();
  for (const h of held) {
    const list = holdersOf.get(h.batchId) ?? [];
    list.push({ party: party(h.holder), units: h.units, quarantined: h.quarantined });
    holdersOf.set(h.batchId, list);
  }
  const lines = batchRows.map((row) => {
    const holders = holdersOf.get(row.batchId) ?? [];
    const units: UnitBalance = {
      registered: row.packCount,
      held: holders.reduce((sum, h) => sum + h.units, 0),
      inTransit: inTransit.get(row.batchId) ?? 0,
      decommissioned: gone.get(row.batchId) ?? 0,
    };
    for (const key of Object.keys(total) as (keyof UnitBalance)[]) total[key] += units[key];
    return {
      batch: batchView(row, party, withManifest.has(row.batchId)),
      expired: isoDateFromYyyymmdd(row.expiry) < today,
      units,
      holders,
    };
  });
  return { product: productView(productRow, party), batches: lines, units: total };
}

/** How many entries a party's activity lists. */
export const PARTY_EVENTS_SHOWN = 30;
/** How many of its newest events are read to make them (pack events of one transaction merge into one entry). */
const PARTY_EVENTS_READ = 300;

/** The arguments through which an event names an account (see timeline.ts). */
const PARTY_ARGUMENTS = ["manufacturer", "from", "to", "by", "account"] as const;

/**
 * The most recent events that name the party in any role (sender, recipient, actor, the account
 * acted on), newest first, packs named as `viewer` may see them. The inner query walks the events'
 * primary key backwards and stops at the first matches, so an active party's page costs little
 * whatever the length of the record.
 */
export async function partyActivity(ctx: AppContext, rawAddress: string, viewer: Viewer): Promise<PartyActivity> {
  const address = parseAddress(rawAddress);
  const names = sql.join(
    PARTY_ARGUMENTS.map((key) => sql`${events.args} ->> ${key} = ${address}`),
    sql` or `,
  );
  const newest: SQL = sql`(${events.blockNumber}, ${events.logIndex}) in (
    select block_number, log_index from ${events} where ${names}
    order by block_number desc, log_index desc limit ${PARTY_EVENTS_READ})`;
  const rows = await selectEventRows(ctx.db, newest);
  const [party, serials] = await Promise.all([
    loadParties(ctx.db, accountsOf(rows)),
    visiblePackSerials(ctx, viewer, rows),
  ]);
  const entries = mergePackEvents(rows.map((row) => located(row, party, serials))).reverse();
  return {
    events: entries.slice(0, PARTY_EVENTS_SHOWN),
    more: entries.length > PARTY_EVENTS_SHOWN || rows.length === PARTY_EVENTS_READ,
  };
}

/** The ledger events one transaction emitted, the batches and parties they name, packs named as `viewer` may see them. */
export async function getTransaction(ctx: AppContext, rawHash: string, viewer: Viewer): Promise<TransactionResponse> {
  const hash = rawHash.trim().toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(hash)) {
    throw new ApiError(
      400,
      "INVALID_TRANSACTION_HASH",
      `'${rawHash.slice(0, 80)}' is not a transaction hash: send 0x followed by 64 hexadecimal digits.`,
    );
  }
  const rows = await selectEventRows(ctx.db, eq(events.transactionHash, hash));
  const first = rows[0];
  if (first === undefined) {
    throw new ApiError(
      404,
      "TRANSACTION_NOT_FOUND",
      `No ledger event is recorded for transaction ${hash}. It may be a transaction of another contract or chain, ` +
        "or one that failed; a transaction of the last few seconds may not be indexed yet, so try again shortly.",
      { details: { transactionHash: hash } },
    );
  }
  const batchIds = [...new Set(rows.map((r) => r.batchId).filter((id): id is string => id !== null))];
  const [party, serials, batchRows] = await Promise.all([
    loadParties(ctx.db, accountsOf(rows)),
    visiblePackSerials(ctx, viewer, rows),
    batchIds.length === 0
      ? []
      : ctx.db
          .select({ batch: batches, productName: products.name })
          .from(batches)
          .leftJoin(products, eq(products.gtin, batches.gtin))
          .where(inArray(batches.batchId, batchIds))
          .orderBy(asc(batches.gtin), asc(batches.lot)),
  ]);
  const entries = rows.map((row) => located(row, party, serials));
  const parties = new Map<string, PartyView>();
  for (const entry of entries) for (const p of Object.values(entry.parties)) parties.set(p.address, p);
  return {
    transactionHash: hash,
    blockNumber: first.blockNumber,
    time: new Date(first.timestamp * 1000).toISOString(),
    events: entries,
    batches: batchRows.map(({ batch, productName }) => ({
      batchId: batch.batchId,
      gtin: batch.gtin,
      lot: batch.lot,
      productName,
      status: batch.status as BatchStatus,
    })),
    parties: [...parties.values()],
  };
}
