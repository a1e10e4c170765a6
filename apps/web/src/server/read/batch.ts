/**
 * One batch as an auditor reads it: the record, where its units are, and its custody timeline
 * (GET /api/batches/<gtin>/<lot>), and the same timeline as an EPCIS 2.0 document and as CSV.
 * The timeline is a few queries whatever its length: the batch's events (by the events_batch_idx
 * index), the parties they name, and the serials of the packs the viewer may see named.
 */
import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import { toDigitalLink } from "@pedigree/gs1";
import { batchIdOf, isoDateFromYyyymmdd, toEpcisDocument, type EpcisDocument } from "@pedigree/ledger";
import type { BatchResponse, BatchStatus, BatchView, ProductView } from "../../lib/api/read.ts";
import type { TimelineEntry } from "../../lib/api-types.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import {
  batches,
  holdings,
  manifests,
  packPlaces,
  packStates,
  products,
  shipmentLines,
  unitContents,
  units,
} from "../db/schema.ts";
import { ApiError } from "../api/errors.ts";
import { visiblePackSerials, type Viewer } from "./access.ts";
import { checkLot, normaliseGtin } from "./input.ts";
import { loadParties, type PartyLookup } from "./parties.ts";
import { accountsOfShipments, shipmentRows, shipmentView } from "./shipments.ts";
import { batchCustodyEvents, batchHistoryRows } from "./custody-events.ts";
import { epcis12DocumentOf } from "./epcis12.ts";
import { accountsOf, timelineEntry } from "./timeline.ts";
import { csvResponse, toCsv } from "./csv.ts";

type BatchRow = typeof batches.$inferSelect;

/** The batch a <gtin>/<lot> path names, validated; 404 with the product's known lots when it is not recorded. */
export async function findBatch(db: Executor, rawGtin: string, rawLot: string): Promise<BatchRow> {
  const gtin = normaliseGtin(rawGtin);
  const lot = checkLot(rawLot);
  const [row] = await db
    .select()
    .from(batches)
    .where(eq(batches.batchId, batchIdOf(gtin, lot)))
    .limit(1);
  if (row !== undefined) return row;
  const otherLots = await db
    .select({ lot: batches.lot })
    .from(batches)
    .where(eq(batches.gtin, gtin))
    .orderBy(desc(batches.registeredBlock))
    .limit(10);
  const hint =
    otherLots.length > 0
      ? ` Recorded lots of this product include: ${otherLots.map((r) => r.lot).join(", ")}. Check the lot on the pack (lots are case-sensitive).`
      : " No lot of this product is recorded: check the GTIN, or the product has not been registered on the ledger.";
  throw new ApiError(
    404,
    "BATCH_NOT_FOUND",
    `No batch with lot '${lot}' of GTIN ${gtin} is recorded on the ledger.${hint}`,
    {
      details: { gtin, lot, knownLots: otherLots.map((r) => r.lot) },
    },
  );
}

export function batchView(row: BatchRow, party: PartyLookup, manifestStored: boolean): BatchView {
  return {
    batchId: row.batchId,
    gtin: row.gtin,
    lot: row.lot,
    expiry: isoDateFromYyyymmdd(row.expiry),
    status: row.status as BatchStatus,
    statusReason: row.statusReason,
    statusBy: row.statusBy ? party(row.statusBy) : null,
    statusAt: row.statusAt === null ? null : new Date(row.statusAt * 1000).toISOString(),
    packCount: row.packCount,
    serialsRoot: row.serialsRoot,
    documentHash: /^0x0*$/.test(row.documentHash) ? null : row.documentHash,
    registeredBlock: row.registeredBlock,
    registeredAt: new Date(row.registeredAt * 1000).toISOString(),
    manifestStored,
    digitalLink: toDigitalLink({ gtin: row.gtin, lot: row.lot }),
  };
}

/** GET /api/batches/<gtin>/<lot>, its packs named as `viewer` may see them. */
export async function getBatch(
  ctx: AppContext,
  rawGtin: string,
  rawLot: string,
  viewer: Viewer,
): Promise<BatchResponse> {
  const db = ctx.db;
  const row = await findBatch(db, rawGtin, rawLot);
  const [product, manifest, held, pending, figures, eventRows] = await Promise.all([
    db.select().from(products).where(eq(products.gtin, row.gtin)).limit(1),
    db.select({ batchId: manifests.batchId }).from(manifests).where(eq(manifests.batchId, row.batchId)).limit(1),
    db
      .select({ holder: holdings.holder, units: holdings.units, quarantined: holdings.quarantined })
      .from(holdings)
      .where(and(eq(holdings.batchId, row.batchId), sql`${holdings.units} > 0`))
      .orderBy(desc(holdings.units), asc(holdings.holder)),
    shipmentRows(db, and(eq(shipmentLines.batchId, row.batchId), eq(shipmentLines.status, "PENDING"))),
    packFigures(ctx, row.batchId),
    batchHistoryRows(ctx, row.batchId),
  ]);
  const productRow = product[0];
  const [party, serials] = await Promise.all([
    loadParties(db, [
      row.manufacturer,
      row.statusBy,
      productRow?.manufacturer,
      ...held.map((h) => h.holder),
      ...accountsOfShipments(pending),
      ...accountsOf(eventRows),
    ]),
    visiblePackSerials(ctx, viewer, eventRows),
  ]);
  const timeline: TimelineEntry[] = eventRows.map((event) => timelineEntry(event, party, serials));
  const heldUnits = held.reduce((sum, h) => sum + h.units, 0);
  return {
    batch: batchView(row, party, manifest.length > 0),
    product: productRow === undefined ? null : productView(productRow, party),
    manufacturer: party(row.manufacturer),
    holdings: held.map((h) => ({ party: party(h.holder), units: h.units, quarantined: h.quarantined })),
    inTransit: pending.map((s) => shipmentView(s, party)),
    units: {
      registered: row.packCount,
      held: heldUnits,
      inTransit: figures.inTransit ?? pending.reduce((sum, s) => sum + s.quantity, 0),
      decommissioned: figures.decommissioned,
    },
    timeline,
  };
}

/**
 * The batch's packs out of anyone's stock: in transit (null on the count ledger, where the pending
 * shipment lines say it) and decommissioned, so that registered = held + in transit +
 * decommissioned. On the package-level ledger both come from the package tables in one query:
 * loose packs by their own place, packs in units by the contents of the top-most unit (which count
 * the packs of the units inside it, while those read IN_UNIT). A unit destroyed after an
 * illegitimate quarantine keeps its contents, which are nobody's stock: decommissioned with it.
 */
async function packFigures(
  ctx: AppContext,
  batchId: string,
): Promise<{ inTransit: number | null; decommissioned: number }> {
  if (ctx.ledger.kind !== "package") {
    const [row] = await ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(packStates)
      .where(and(eq(packStates.batchId, batchId), ne(packStates.state, "ACTIVE")));
    return { inTransit: null, decommissioned: row?.n ?? 0 };
  }
  const [row] = await ctx.db
    .select({
      inTransit: sql<number>`(
        (select count(*) from ${packPlaces} where ${packPlaces.batchId} = ${batchId} and ${packPlaces.place} = 'IN_TRANSIT')
        + (select coalesce(sum(c.packs), 0) from ${unitContents} c join ${units} u on u.sscc = c.sscc
           where c.batch_id = ${batchId} and u.place = 'IN_TRANSIT'))::int`,
      decommissioned: sql<number>`(
        (select count(*) from ${packPlaces} where ${packPlaces.batchId} = ${batchId} and ${packPlaces.place} = 'DECOMMISSIONED')
        + (select coalesce(sum(c.packs), 0) from ${unitContents} c join ${units} u on u.sscc = c.sscc
           where c.batch_id = ${batchId} and u.place = 'DESTROYED'))::int`,
    })
    .from(sql`(select 1) as one`);
  return { inTransit: row?.inTransit ?? 0, decommissioned: row?.decommissioned ?? 0 };
}

export function productView(row: typeof products.$inferSelect, party: PartyLookup): ProductView {
  return {
    gtin: row.gtin,
    name: row.name,
    strength: row.strength,
    dosageForm: row.dosageForm,
    manufacturer: party(row.manufacturer),
    registeredBlock: row.registeredBlock,
  };
}

/**
 * GET /api/batches/<gtin>/<lot>/epcis: the batch's events as an EPCIS 2.0 EPCISDocument (on the
 * package-level ledger with the aggregation and shipping of its units), packs named by serial as
 * `viewer` may see them.
 */
export async function batchEpcisDocument(
  ctx: AppContext,
  rawGtin: string,
  rawLot: string,
  viewer: Viewer,
): Promise<EpcisDocument> {
  const row = await findBatch(ctx.db, rawGtin, rawLot);
  return toEpcisDocument(await batchCustodyEvents(ctx, row.batchId, viewer), { creationDate: ctx.now() });
}

/**
 * GET /api/batches/<gtin>/<lot>/epcis12: the same events as an EPCIS 1.2 XML document with the
 * GS1 US healthcare header: the SBDH names the batch's manufacturer (whose record it is) as
 * sender and the participant asking as receiver; the master data carries the transaction
 * information the ledger holds (product name, strength, dosage form, manufacturer; parties' legal
 * names). No transaction statement: a batch's history spans several sellers, and none of them
 * affirms anything by an auditor's export.
 */
export async function batchEpcis12Document(
  ctx: AppContext,
  rawGtin: string,
  rawLot: string,
  viewer: Viewer,
): Promise<string> {
  const row = await findBatch(ctx.db, rawGtin, rawLot);
  return epcis12DocumentOf(ctx, {
    events: await batchCustodyEvents(ctx, row.batchId, viewer),
    sender: row.manufacturer,
    receiver: viewer.address,
    gtins: [row.gtin],
  });
}

export const TIMELINE_CSV_HEADER = [
  "time",
  "event",
  "summary",
  "block",
  "log_index",
  "transaction_hash",
  "gtin",
  "lot",
  "party_role_in_event",
  "party_name",
  "party_gln",
  "party_address",
  "counterparty_role_in_event",
  "counterparty_name",
  "counterparty_gln",
  "counterparty_address",
  "quantity",
  "pack_index",
  "state",
  "reference",
  "reason",
] as const;

/** GET /api/batches/<gtin>/<lot>/csv: one line per event, parties with names and GLNs, packs as on the timeline. */
export async function batchTimelineCsv(
  ctx: AppContext,
  rawGtin: string,
  rawLot: string,
  viewer: Viewer,
): Promise<Response> {
  const row = await findBatch(ctx.db, rawGtin, rawLot);
  const rows = await batchHistoryRows(ctx, row.batchId);
  const [party, serials] = await Promise.all([
    loadParties(ctx.db, accountsOf(rows)),
    visiblePackSerials(ctx, viewer, rows),
  ]);
  const lines = rows.map((event) => {
    const entry = timelineEntry(event, party, serials);
    const [first, second] = Object.entries(entry.parties);
    const d = entry.details;
    return [
      entry.time,
      entry.eventName,
      entry.summary,
      entry.blockNumber,
      entry.logIndex,
      entry.transactionHash,
      row.gtin,
      row.lot,
      first?.[0],
      first?.[1].name,
      first?.[1].gln,
      first?.[1].address,
      second?.[0],
      second?.[1].name,
      second?.[1].gln,
      second?.[1].address,
      typeof d.quantity === "number" ? d.quantity : null,
      typeof d.index === "number" ? d.index : null,
      (d.state ?? d.previousState ?? null) as string | null,
      (d.shipmentRef ?? null) as string | null,
      (d.reason ?? null) as string | null,
    ];
  });
  return csvResponse(toCsv(TIMELINE_CSV_HEADER, lines), `timeline-${row.gtin}-${row.lot}.csv`);
}
