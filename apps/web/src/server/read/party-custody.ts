/**
 * A party's custody on the package-level ledger, for its page (GET /api/parties/<address>): the
 * logistic units it holds at the top of their nesting with what is inside them, and the items
 * of its pending shipments still in transit (what a receiving clerk scans or ticks off).
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { HeldUnitView, ShipmentItemView } from "../../lib/api/read.ts";
import type { Executor } from "../db/database.ts";
import { batches, products, shipmentItems, unitContents, units } from "../db/schema.ts";
import { serialsOfPacks } from "../manifests/store.ts";

/** The units `holder` holds (or has quarantined) that are not inside another unit, by SSCC. */
export async function heldUnits(db: Executor, holder: string): Promise<HeldUnitView[]> {
  const own = await db
    .select({ sscc: units.sscc, place: units.place })
    .from(units)
    .where(and(eq(units.party, holder), inArray(units.place, ["HELD", "QUARANTINED"])))
    .orderBy(asc(units.sscc));
  if (own.length === 0) return [];
  const ssccs = own.map((unit) => unit.sscc);
  const [contents, children] = await Promise.all([
    db
      .select({
        sscc: unitContents.sscc,
        batchId: unitContents.batchId,
        packs: unitContents.packs,
        gtin: batches.gtin,
        lot: batches.lot,
        productName: products.name,
      })
      .from(unitContents)
      .innerJoin(batches, eq(batches.batchId, unitContents.batchId))
      .leftJoin(products, eq(products.gtin, batches.gtin))
      .where(inArray(unitContents.sscc, ssccs))
      .orderBy(asc(products.name), asc(batches.lot)),
    db
      .select({ parent: units.parent, count: sql<number>`count(*)::int` })
      .from(units)
      .where(and(inArray(units.parent, ssccs), eq(units.place, "IN_UNIT")))
      .groupBy(units.parent),
  ]);
  const childCount = new Map(children.map((row) => [row.parent, row.count]));
  return own.map((unit) => ({
    sscc: unit.sscc,
    quarantined: unit.place === "QUARANTINED",
    childUnits: childCount.get(unit.sscc) ?? 0,
    contents: contents
      .filter((row) => row.sscc === unit.sscc)
      .map(({ batchId, gtin, lot, productName, packs }) => ({ batchId, gtin, lot, productName, packs })),
  }));
}

/** The items of `shipmentIds` still in transit, per shipment in shipping order. */
export async function pendingShipmentItems(
  db: Executor,
  shipmentIds: readonly string[],
): Promise<Record<string, ShipmentItemView[]>> {
  const out: Record<string, ShipmentItemView[]> = {};
  if (shipmentIds.length === 0) return out;
  const rows = await db
    .select({
      shipmentId: shipmentItems.shipmentId,
      position: shipmentItems.position,
      sscc: shipmentItems.sscc,
      batchId: shipmentItems.batchId,
      index: shipmentItems.index,
      gtin: batches.gtin,
      lot: batches.lot,
      packs: sql<
        number | null
      >`(select sum(${unitContents.packs})::int from ${unitContents} where ${unitContents.sscc} = ${shipmentItems.sscc})`,
    })
    .from(shipmentItems)
    .leftJoin(batches, eq(batches.batchId, shipmentItems.batchId))
    .where(and(inArray(shipmentItems.shipmentId, [...shipmentIds]), eq(shipmentItems.status, "PENDING")))
    .orderBy(asc(shipmentItems.shipmentId), asc(shipmentItems.position));
  const wanted = new Map<string, Set<number>>();
  for (const row of rows) {
    if (row.batchId === null || row.index === null) continue;
    const indexes = wanted.get(row.batchId) ?? new Set<number>();
    indexes.add(row.index);
    wanted.set(row.batchId, indexes);
  }
  const serials = await serialsOfPacks(db, wanted);
  for (const row of rows) {
    const item: ShipmentItemView = {
      position: row.position,
      sscc: row.sscc,
      pack:
        row.sscc !== null || row.batchId === null || row.index === null
          ? null
          : {
              gtin: row.gtin ?? "",
              lot: row.lot ?? "",
              index: row.index,
              serial: serials.get(`${row.batchId}:${row.index}`) ?? null,
            },
      packs: row.sscc !== null ? (row.packs ?? 0) : 1,
    };
    (out[row.shipmentId] ??= []).push(item);
  }
  return out;
}
