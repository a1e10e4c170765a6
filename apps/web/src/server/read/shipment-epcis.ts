/**
 * One shipment of the package-level ledger as an EPCIS 2.0 document, for the recipient's (or the
 * sender's, or a regulator's) system: `GET /api/shipments/<id>/epcis`, and the same events as
 * EPCIS 1.2 XML with the GS1 US healthcare header: `GET /api/shipments/<id>/epcis12`. They hold
 *
 * - the AggregationEvents that built the units shipped, as they were when shipped: every packing
 *   and unpacking of those units and of the units nested in them at that moment, up to the
 *   shipment (the implied unpackings of packs decommissioned inside them, or taken out into other
 *   units, included), so that following them gives exactly what each unit held;
 * - the shipping ObjectEvent (the top-level SSCCs and the loose packs);
 * - the receiving events of its settlements (received, refused) and its cancellations, if any.
 *
 * The same transaction information as ./transaction-information.ts: same access (sender,
 * recipient, regulators; the same 404 for anyone else), same contents (./custody.ts
 * shipmentContents). Packs are named by serial only when they travelled in the shipment; a pack
 * that had left a unit before it was shipped counts as one unit of its batch class, so the
 * document hands the recipient no serials beyond what it received.
 */
import { and, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import { toDigitalLink } from "@pedigree/gs1";
import {
  epcisDocumentOf,
  toEpcisEvents,
  type CustodyEvent,
  type EpcisDocument,
  type EpcisEvent,
} from "@pedigree/ledger";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { custodyItems, events, shipmentItems, shipments, units } from "../db/schema.ts";
import type { Viewer } from "./access.ts";
import { before, type Position, type ShipmentContents } from "./custody.ts";
import { containersBefore, custodyEventsOf, eventRowsAt } from "./custody-events.ts";
import { epcis12DocumentOf } from "./epcis12.ts";
import { transactionInformationOf, visibleShipment } from "./transaction-information.ts";

const positionKey = (position: Position) => `${position[0]}:${position[1]}`;

export async function shipmentEpcisDocument(
  ctx: AppContext,
  viewer: Viewer,
  rawShipmentId: string,
): Promise<EpcisDocument> {
  const { eventList } = await shipmentEpcisEvents(ctx, await visibleShipment(ctx, viewer, rawShipmentId));
  return epcisDocumentOf(eventList, { creationDate: ctx.now() });
}

/**
 * `GET /api/shipments/<id>/epcis12`: the same events as an EPCIS 1.2 XML document with the GS1 US
 * healthcare header, as the seller sends it to the buyer whoever asks (sender, recipient or a
 * regulator): the SBDH names the shipment's sender and recipient; the master data carries the
 * transaction information (products; each lot with its expiry and the quantity shipped; the
 * parties' legal names); and the seller's transaction statement goes with it. The ledger records
 * the sale only by the seller's own signed `ship` transaction, so every shipment on it is one its
 * seller made and affirms (docs/ARCHITECTURE.md, "EPCIS 1.2 export").
 */
export async function shipmentEpcis12Document(ctx: AppContext, viewer: Viewer, rawShipmentId: string): Promise<string> {
  const contents = await visibleShipment(ctx, viewer, rawShipmentId);
  const [{ custody, eventList }, information] = await Promise.all([
    shipmentEpcisEvents(ctx, contents),
    transactionInformationOf(ctx, contents),
  ]);
  return epcis12DocumentOf(ctx, {
    events: custody,
    eventList,
    sender: contents.sender,
    receiver: contents.recipient,
    gtins: information.lines.map((line) => line.gtin),
    lots: information.lines.map(({ gtin, lot, expiry, quantity }) => ({ gtin, lot, expiry, quantity })),
    transactionStatement: true,
  });
}

/**
 * The shipment's ledger events (`custody`, as the mapping takes them) and the EPCIS events both
 * documents write (`eventList`): of the steps before the shipment, only what they did to its units.
 */
async function shipmentEpcisEvents(
  ctx: AppContext,
  contents: ShipmentContents,
): Promise<{ custody: CustodyEvent[]; eventList: EpcisEvent[] }> {
  const [shipment] = await ctx.db
    .select({ logIndex: shipments.shippedLogIndex })
    .from(shipments)
    .where(eq(shipments.shipmentId, contents.shipmentId));
  const shippedAt: Position = [contents.shippedBlock, shipment!.logIndex];

  const topUnits = contents.items.flatMap((item) => (item.sscc === null ? [] : [item.sscc]));
  const hierarchy = await unitsInside(ctx.db, topUnits, shippedAt);
  const building = await buildingPositions(ctx.db, hierarchy, shippedAt);
  const settlements = await settlementPositions(ctx.db, contents.shipmentId);
  const positions = [...building.values(), shippedAt, ...settlements];
  const rows = await eventRowsAt(ctx.db, [...new Map(positions.map((p) => [positionKey(p), p])).values()]);

  const carried = new Set(contents.items.flatMap((item) => item.packs.map((p) => `${p.batchId}:${p.index}`)));
  const custody = await custodyEventsOf(ctx.db, rows, ctx.ledger.chainId, (pack) =>
    carried.has(`${pack.batchId}:${pack.index}`),
  );
  const parents = new Set([...hierarchy].map((sscc) => toDigitalLink({ sscc })));
  const eventList: EpcisEvent[] = [];
  for (const event of custody) {
    const mapped = toEpcisEvents(event);
    // Of the steps before the shipment, only what they did to the shipped units is the shipment's.
    if (before([event.blockNumber, event.logIndex], shippedAt)) {
      eventList.push(...mapped.filter((e) => e.type === "AggregationEvent" && parents.has(e.parentID)));
    } else eventList.push(...mapped);
  }
  return { custody, eventList };
}

/** The shipped units and every unit nested in them just before `at` (children put in and not taken out by then). */
async function unitsInside(db: Executor, top: readonly string[], at: Position): Promise<Set<string>> {
  const all = new Set<string>(top);
  let level = [...top];
  while (level.length > 0) {
    const rows = await db
      .select({
        blockNumber: custodyItems.blockNumber,
        logIndex: custodyItems.logIndex,
        unit: custodyItems.unit,
        sscc: custodyItems.sscc,
        action: sql<string | null>`${events.args}->>'action'`,
      })
      .from(custodyItems)
      .innerJoin(
        events,
        and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
      )
      .where(and(inArray(custodyItems.unit, level), isNotNull(custodyItems.sscc), eq(events.name, "UnitAggregated")))
      .orderBy(custodyItems.blockNumber, custodyItems.logIndex);
    const inside = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!before([row.blockNumber, row.logIndex], at)) continue;
      const children = inside.get(row.unit!) ?? new Set<string>();
      if (row.action === "0") children.add(row.sscc!);
      else children.delete(row.sscc!);
      inside.set(row.unit!, children);
    }
    level = [...inside.values()].flatMap((children) => [...children]).filter((sscc) => !all.has(sscc));
    for (const sscc of level) all.add(sscc);
  }
  return all;
}

/**
 * The positions, before `at`, of the events that changed what the units directly held: their
 * packings and unpackings, the aggregations that took packs out of them into other units, and the
 * decommissionings of packs while inside them.
 */
async function buildingPositions(db: Executor, hierarchy: ReadonlySet<string>, at: Position) {
  const found = new Map<string, Position>();
  if (hierarchy.size === 0) return found;
  const list = [...hierarchy];
  const earlier = sql`(${custodyItems.blockNumber}, ${custodyItems.logIndex}) < (${at[0]}, ${at[1]})`;
  const rows = await db
    .select({
      blockNumber: custodyItems.blockNumber,
      logIndex: custodyItems.logIndex,
      batchId: custodyItems.batchId,
      index: custodyItems.index,
      unit: custodyItems.unit,
    })
    .from(custodyItems)
    .where(and(earlier, sql`(${inArray(custodyItems.unit, list)} or ${inArray(custodyItems.within, list)})`));
  // Packs that were in one of the units at some point: candidates for a decommissioning inside it.
  const wereInside = new Map<string, Set<number>>();
  const wasInside = (batchId: string, index: number) =>
    wereInside.set(batchId, (wereInside.get(batchId) ?? new Set()).add(index));
  for (const row of rows) {
    found.set(positionKey([row.blockNumber, row.logIndex]), [row.blockNumber, row.logIndex]);
    if (row.batchId !== null && row.index !== null) wasInside(row.batchId, row.index);
  }
  const ranges = await db
    .select({ batchId: units.rangeBatchId, start: units.rangeStart, end: units.rangeEnd })
    .from(units)
    .where(and(inArray(units.sscc, list), isNotNull(units.rangeBatchId)));
  for (const range of ranges) {
    for (let index = range.start!; index < range.end!; index++) wasInside(range.batchId!, index);
  }
  const decommissions: { batchId: string; index: number; at: Position }[] = [];
  for (const [batchId, indexes] of wereInside) {
    const rows = await db
      .select({
        blockNumber: events.blockNumber,
        logIndex: events.logIndex,
        index: sql<string>`${events.args}->>'index'`,
      })
      .from(events)
      .where(and(eq(events.batchId, batchId), eq(events.name, "PackDecommissioned"), lte(events.blockNumber, at[0])));
    for (const row of rows) {
      const position: Position = [row.blockNumber, row.logIndex];
      if (indexes.has(Number(row.index)) && before(position, at)) {
        decommissions.push({ batchId, index: Number(row.index), at: position });
      }
    }
  }
  const containers = await containersBefore(db, decommissions);
  for (const { batchId, index, at: position } of decommissions) {
    const container = containers.get(`${batchId}:${index}@${positionKey(position)}`);
    if (container !== null && container !== undefined && hierarchy.has(container)) {
      found.set(positionKey(position), position);
    }
  }
  return found;
}

/** The settlements (receipts, refusals) and cancellations of the shipment's items. */
async function settlementPositions(db: Executor, shipmentId: string): Promise<Position[]> {
  const settled = await db
    .select({
      sscc: shipmentItems.sscc,
      batchId: shipmentItems.batchId,
      index: shipmentItems.index,
      block: shipmentItems.settledBlock,
    })
    .from(shipmentItems)
    .where(and(eq(shipmentItems.shipmentId, shipmentId), isNotNull(shipmentItems.settledBlock)));
  const found = new Map<string, Position>();
  for (const item of settled) {
    const listing =
      item.sscc !== null
        ? eq(custodyItems.sscc, item.sscc)
        : and(eq(custodyItems.batchId, item.batchId!), eq(custodyItems.index, item.index!));
    const rows = await db
      .select({ blockNumber: custodyItems.blockNumber, logIndex: custodyItems.logIndex })
      .from(custodyItems)
      .innerJoin(
        events,
        and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
      )
      .where(
        and(
          listing,
          eq(custodyItems.blockNumber, item.block!),
          inArray(events.name, ["ShipmentReceived", "ShipmentCancelled"]),
        ),
      );
    for (const row of rows) found.set(positionKey([row.blockNumber, row.logIndex]), [row.blockNumber, row.logIndex]);
  }
  return [...found.values()];
}
