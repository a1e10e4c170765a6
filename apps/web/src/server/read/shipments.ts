/**
 * Shipments (one row per shipment line: the packs of one batch a shipment moved, with one outcome;
 * see db/schema.ts, shipment_lines), filtered by recipient, sender, status and batch, newest first
 * with keyset paging.
 */
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { shipmentRefText, type Hex } from "@pedigree/ledger";
import type { ShipmentStatus, ShipmentView, ShipmentsResponse } from "../../lib/api/read.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { batches, products, shipmentLines } from "../db/schema.ts";
import { ApiError } from "../api/errors.ts";
import { addressSchema, checkLot, normaliseGtin, pageSizeSchema, parseQuery } from "./input.ts";
import { loadParties, type PartyLookup } from "./parties.ts";
import { decodePageToken, encodePageToken, pageKey } from "./pageToken.ts";

export const SHIPMENT_STATUSES = ["PENDING", "RECEIVED", "REJECTED", "CANCELLED"] as const;

const shipmentColumns = {
  shipmentId: shipmentLines.shipmentId,
  batchId: shipmentLines.batchId,
  sender: shipmentLines.sender,
  recipient: shipmentLines.recipient,
  quantity: shipmentLines.quantity,
  shipmentRef: shipmentLines.shipmentRef,
  status: shipmentLines.status,
  reason: shipmentLines.reason,
  shippedBlock: shipmentLines.shippedBlock,
  shippedAt: shipmentLines.shippedAt,
  shippedTx: shipmentLines.shippedTx,
  settledBlock: shipmentLines.settledBlock,
  settledAt: shipmentLines.settledAt,
  gtin: batches.gtin,
  lot: batches.lot,
  productName: products.name,
};

export interface ShipmentRow {
  shipmentId: string;
  batchId: string;
  sender: string;
  recipient: string;
  quantity: number;
  shipmentRef: string;
  status: string;
  reason: string | null;
  shippedBlock: number;
  shippedAt: number;
  shippedTx: string;
  settledBlock: number | null;
  settledAt: number | null;
  gtin: string | null;
  lot: string | null;
  productName: string | null;
}

/** Shipment lines matching `where`, newest first, with batch and product joined. */
export async function shipmentRows(db: Executor, where: SQL | undefined, limit?: number): Promise<ShipmentRow[]> {
  const query = db
    .select(shipmentColumns)
    .from(shipmentLines)
    .leftJoin(batches, eq(batches.batchId, shipmentLines.batchId))
    .leftJoin(products, eq(products.gtin, batches.gtin))
    .where(where)
    .orderBy(
      desc(shipmentLines.shippedBlock),
      desc(shipmentLines.shipmentId),
      desc(shipmentLines.batchId),
      desc(shipmentLines.status),
    );
  return limit === undefined ? query : query.limit(limit);
}

export function accountsOfShipments(rows: readonly ShipmentRow[]): string[] {
  return rows.flatMap((row) => [row.sender, row.recipient]);
}

export function shipmentView(row: ShipmentRow, party: PartyLookup): ShipmentView {
  return {
    shipmentId: row.shipmentId,
    batchId: row.batchId,
    gtin: row.gtin ?? "",
    lot: row.lot ?? "",
    productName: row.productName,
    from: party(row.sender),
    to: party(row.recipient),
    quantity: row.quantity,
    reference: row.shipmentRef.startsWith("0x") ? shipmentRefText(row.shipmentRef as Hex) : row.shipmentRef,
    status: row.status as ShipmentStatus,
    reason: row.reason,
    shippedAt: new Date(row.shippedAt * 1000).toISOString(),
    shippedBlock: row.shippedBlock,
    shippedTx: row.shippedTx,
    settledAt: row.settledAt === null ? null : new Date(row.settledAt * 1000).toISOString(),
    settledBlock: row.settledBlock,
  };
}

export async function shipmentViews(db: Executor, rows: readonly ShipmentRow[]): Promise<ShipmentView[]> {
  const party = await loadParties(db, accountsOfShipments(rows));
  return rows.map((row) => shipmentView(row, party));
}

const statusSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(SHIPMENT_STATUSES, { error: `must be one of ${SHIPMENT_STATUSES.join(", ")}` }));

const shipmentsQuery = z
  .object({
    to: addressSchema.optional(),
    from: addressSchema.optional(),
    status: statusSchema.optional(),
    /** A batch as <gtin>/<lot>, or its 0x batch id. */
    batch: z.string().optional(),
    perPage: pageSizeSchema(100, 1000),
    nextPageToken: z.string().optional(),
  })
  .strict();

const tokenSchema = z.tuple([pageKey.bigint, pageKey.text, pageKey.text, pageKey.text]);

/** GET /api/shipments?to=&from=&status=&batch=&perPage=&nextPageToken=, within `scope` (see ./access.ts). */
export async function listShipments(
  ctx: AppContext,
  params: URLSearchParams,
  scope: SQL | undefined,
): Promise<ShipmentsResponse> {
  const query = parseQuery(shipmentsQuery, params);
  const filters: (SQL | undefined)[] = [
    scope,
    query.to ? eq(shipmentLines.recipient, query.to) : undefined,
    query.from ? eq(shipmentLines.sender, query.from) : undefined,
    query.status ? eq(shipmentLines.status, query.status) : undefined,
  ];
  if (query.batch !== undefined) filters.push(eq(shipmentLines.batchId, await batchIdOfParameter(ctx.db, query.batch)));
  const fingerprint = JSON.stringify([query.to, query.from, query.status, query.batch]);
  if (query.nextPageToken !== undefined) {
    const [block, shipmentId, batchId, status] = decodePageToken(query.nextPageToken, fingerprint, tokenSchema);
    const sameShipment = and(eq(shipmentLines.shippedBlock, block), eq(shipmentLines.shipmentId, shipmentId));
    filters.push(
      or(
        lt(shipmentLines.shippedBlock, block),
        and(eq(shipmentLines.shippedBlock, block), lt(shipmentLines.shipmentId, shipmentId)),
        and(sameShipment, lt(shipmentLines.batchId, batchId)),
        and(sameShipment, eq(shipmentLines.batchId, batchId), lt(shipmentLines.status, status)),
      ),
    );
  }
  const rows = await shipmentRows(ctx.db, and(...filters), query.perPage + 1);
  const page = rows.slice(0, query.perPage);
  const last = page.at(-1);
  return {
    shipments: await shipmentViews(ctx.db, page),
    nextPageToken:
      rows.length > query.perPage && last !== undefined
        ? encodePageToken([last.shippedBlock, last.shipmentId, last.batchId, last.status], fingerprint)
        : null,
  };
}

/** A batch named in a query parameter: `<gtin>/<lot>` (split at the first slash; a lot may hold more) or a 0x batch id. */
export async function batchIdOfParameter(db: Executor, value: string): Promise<string> {
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  const slash = value.indexOf("/");
  if (slash < 0) {
    throw new ApiError(
      400,
      "INVALID_QUERY",
      `batch must be <gtin>/<lot> (e.g. 09520123456788/A1) or a 0x batch id, not '${value.slice(0, 60)}'.`,
      {
        details: [{ parameter: "batch", message: "expected <gtin>/<lot> or a batch id" }],
      },
    );
  }
  const gtin = normaliseGtin(value.slice(0, slash), "batch");
  const lot = checkLot(value.slice(slash + 1), "batch");
  const [row] = await db
    .select({ batchId: batches.batchId })
    .from(batches)
    .where(and(eq(batches.gtin, gtin), eq(batches.lot, lot)))
    .limit(1);
  // An unknown batch simply matches nothing; the filter stays a filter, not a lookup that 404s.
  return row?.batchId ?? `unknown:${gtin}/${lot}`;
}
