/**
 * Alerts (scans that need a person: potential falsifications) and recalled stock still in the
 * field (GET /api/alerts, GET /api/alerts?format=csv, GET /api/alerts/<id>, GET /api/recalls).
 */
import { and, desc, eq, gt, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { isoDateFromYyyymmdd } from "@pedigree/ledger";
import type { AlertView, AlertsResponse, RecalledStockView, RecallsResponse } from "../../lib/api/read.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { alerts, batches, holdings, products, shipmentLines } from "../db/schema.ts";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { csvLine, csvResponse } from "./csv.ts";
import { checkLot, isoInstantSchema, normaliseGtin, pageSizeSchema, parseQuery } from "./input.ts";
import { decodePageToken, encodePageToken, pageKey } from "./pageToken.ts";
import { loadParties, type PartyLookup } from "./parties.ts";
import { readBodyJson } from "../auth/requestBody.ts";
import { requireContentType } from "../auth/origin.ts";
import { alertScope, requireViewer, seesEverything, type Viewer } from "./access.ts";

type AlertRow = typeof alerts.$inferSelect;

const alertsQuery = z
  .object({
    status: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(["OPEN", "CLOSED"], { error: "must be OPEN or CLOSED" }))
      .optional(),
    verdict: z
      .string()
      .regex(/^[A-Za-z_]{1,40}$/, "must be a verdict name such as UNKNOWN_SERIAL, MISMATCH or DISPENSED")
      .transform((s) => s.toUpperCase())
      .optional(),
    gtin: z.string().optional(),
    lot: z.string().optional(),
    /** Raised at or after this date (or date-time). */
    from: isoInstantSchema.optional(),
    /** Raised before this date-time; a bare date includes that whole day. */
    to: z.string().optional(),
    format: z.enum(["json", "csv"], { error: "must be json or csv" }).default("json"),
    perPage: pageSizeSchema(100, 1000),
    nextPageToken: z.string().optional(),
  })
  .strict();

const tokenKey = z.tuple([pageKey.integer]);

function alertView(row: AlertRow, party: PartyLookup): AlertView {
  return {
    id: row.id,
    raisedAt: row.raisedAt.toISOString(),
    verdict: row.verdict,
    purpose: row.purpose,
    gtin: row.gtin,
    lot: row.lot,
    serial: row.serial,
    batchId: row.batchId,
    reportedBy: row.reportedBy ? party(row.reportedBy) : null,
    message: row.message,
    status: row.status === "CLOSED" ? "CLOSED" : "OPEN",
    blockNumber: row.blockNumber,
  };
}

/** The filters of an alerts query as SQL, and a fingerprint that binds page tokens to them. */
function alertFilters(query: z.output<typeof alertsQuery>): { where: SQL[]; fingerprint: string } {
  const where: SQL[] = [];
  if (query.status) where.push(eq(alerts.status, query.status));
  if (query.verdict) where.push(eq(alerts.verdict, query.verdict));
  const gtin = query.gtin === undefined ? undefined : normaliseGtin(query.gtin);
  if (gtin) where.push(eq(alerts.gtin, gtin));
  if (query.lot !== undefined) where.push(eq(alerts.lot, checkLot(query.lot)));
  if (query.from) where.push(gte(alerts.raisedAt, query.from));
  let to: Date | undefined;
  if (query.to !== undefined) {
    const parsed = isoInstantSchema.safeParse(query.to);
    if (!parsed.success) {
      throw new ApiError(
        400,
        "INVALID_QUERY",
        `to '${query.to.slice(0, 40)}' must be an ISO 8601 date (2026-03-01) or date-time with a time zone.`,
        {
          details: [{ parameter: "to", message: "not an ISO 8601 date" }],
        },
      );
    }
    // A bare date means "up to the end of that day".
    to = query.to.length === 10 ? new Date(parsed.data.getTime() + 86_400_000) : parsed.data;
    where.push(lt(alerts.raisedAt, to));
  }
  if (query.from && to && query.from >= to) {
    throw new ApiError(400, "INVALID_QUERY", "from must be before to.", {
      details: [{ parameter: "from", message: "after to" }],
    });
  }
  return {
    where,
    fingerprint: JSON.stringify([
      query.status,
      query.verdict,
      gtin,
      query.lot,
      query.from?.toISOString(),
      to?.toISOString(),
    ]),
  };
}

async function alertRows(db: Executor, where: SQL[], limit: number): Promise<AlertRow[]> {
  return db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(desc(alerts.id))
    .limit(limit);
}

/** GET /api/alerts (JSON, newest first, paged) or ?format=csv (every matching alert, streamed). */
export async function alertsResponse(ctx: AppContext, params: URLSearchParams, viewer: Viewer): Promise<Response> {
  const query = parseQuery(alertsQuery, params);
  const chosen = alertFilters(query);
  const scope = alertScope(viewer);
  const where = scope === undefined ? chosen.where : [...chosen.where, scope];
  const { fingerprint } = chosen;
  if (query.format === "csv") {
    if (query.nextPageToken !== undefined) {
      throw new ApiError(400, "INVALID_QUERY", "The CSV export holds every matching alert: drop nextPageToken.");
    }
    return csvResponse(alertsCsvStream(ctx.db, where), `alerts-${ctx.now().toISOString().slice(0, 10)}.csv`);
  }
  const filters = [...where];
  if (query.nextPageToken !== undefined) {
    const [beforeId] = decodePageToken(query.nextPageToken, fingerprint, tokenKey);
    filters.push(lt(alerts.id, beforeId));
  }
  const rows = await alertRows(ctx.db, filters, query.perPage + 1);
  const page = rows.slice(0, query.perPage);
  const party = await loadParties(
    ctx.db,
    page.map((r) => r.reportedBy),
  );
  const last = page.at(-1);
  const body: AlertsResponse = {
    alerts: page.map((row) => alertView(row, party)),
    nextPageToken: rows.length > query.perPage && last ? encodePageToken([last.id], fingerprint) : null,
    recalledStock: await recalledStock(ctx.db, recallsVisibleTo(viewer)),
  };
  return jsonResponse(body);
}

export const ALERTS_CSV_HEADER = [
  "id",
  "raised_at",
  "status",
  "verdict",
  "purpose",
  "gtin",
  "lot",
  "serial",
  "batch_id",
  "reported_by_name",
  "reported_by_gln",
  "reported_by_address",
  "message",
  "block",
] as const;

const CSV_CHUNK = 2000;

/** Every matching alert as CSV, read in keyset chunks so a long export never holds all rows at once. */
function alertsCsvStream(db: Executor, where: SQL[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let beforeId: number | undefined;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(ALERTS_CSV_HEADER)));
        return;
      }
      const rows = await alertRows(db, beforeId === undefined ? where : [...where, lt(alerts.id, beforeId)], CSV_CHUNK);
      const party = await loadParties(
        db,
        rows.map((r) => r.reportedBy),
      );
      let text = "";
      for (const row of rows) {
        const by = row.reportedBy ? party(row.reportedBy) : undefined;
        text += csvLine([
          row.id,
          row.raisedAt.toISOString(),
          row.status,
          row.verdict,
          row.purpose,
          row.gtin,
          row.lot,
          row.serial,
          row.batchId,
          by?.name,
          by?.gln,
          by?.address,
          row.message,
          row.blockNumber,
        ]);
      }
      if (text !== "") controller.enqueue(encoder.encode(text));
      if (rows.length < CSV_CHUNK) controller.close();
      else beforeId = rows.at(-1)?.id;
    },
  });
}

/** GET /api/alerts/<id>: one alert the viewer may see (./access.ts); another is not found. */
export async function getAlert(ctx: AppContext, rawId: string, viewer: Viewer): Promise<AlertView> {
  if (!/^\d{1,9}$/.test(rawId)) {
    throw new ApiError(
      400,
      "INVALID_ALERT_ID",
      `'${rawId.slice(0, 40)}' is not an alert number: send the alert's id, a positive whole number.`,
    );
  }
  const [row] = await ctx.db
    .select()
    .from(alerts)
    .where(and(eq(alerts.id, Number(rawId)), alertScope(viewer)))
    .limit(1);
  if (row === undefined) {
    throw new ApiError(404, "ALERT_NOT_FOUND", `There is no alert number ${rawId} among the alerts you may see.`);
  }
  const party = await loadParties(ctx.db, [row.reportedBy]);
  return alertView(row, party);
}

/**
 * Recalled batches some of whose units are still held or in transit, with the holders (most units
 * first). With `visibleTo`, what that party may see: the whole picture of the batches it made, and
 * only its own holding of the others it holds.
 */
export async function recalledStock(db: Executor, visibleTo?: string): Promise<RecalledStockView[]> {
  const recalled = await db
    .select({ batch: batches, productName: products.name })
    .from(batches)
    .leftJoin(products, eq(products.gtin, batches.gtin))
    .where(eq(batches.status, "RECALLED"))
    .orderBy(desc(batches.statusAt), desc(batches.batchId));
  if (recalled.length === 0) return [];
  const ids = recalled.map((r) => r.batch.batchId);
  const [held, transit] = await Promise.all([
    db
      .select()
      .from(holdings)
      .where(and(inArray(holdings.batchId, ids), gt(holdings.units, 0)))
      .orderBy(desc(holdings.units), holdings.holder),
    db
      .select({ batchId: shipmentLines.batchId, units: sql<number>`sum(${shipmentLines.quantity})::int` })
      .from(shipmentLines)
      .where(and(inArray(shipmentLines.batchId, ids), eq(shipmentLines.status, "PENDING")))
      .groupBy(shipmentLines.batchId),
  ]);
  const party = await loadParties(db, [
    ...held.map((h) => h.holder),
    ...recalled.flatMap((r) => [r.batch.manufacturer, r.batch.statusBy]),
  ]);
  const inTransit = new Map(transit.map((t) => [t.batchId, t.units]));
  const out: RecalledStockView[] = [];
  for (const { batch, productName } of recalled) {
    const own = visibleTo === undefined || batch.manufacturer === visibleTo;
    const holders = held
      .filter((h) => h.batchId === batch.batchId && (own || h.holder === visibleTo))
      .map((h) => ({ party: party(h.holder), units: h.units }));
    if (!own && holders.length === 0) continue;
    const unitsHeld = holders.reduce((sum, h) => sum + h.units, 0);
    const unitsInTransit = own ? (inTransit.get(batch.batchId) ?? 0) : 0;
    if (unitsHeld === 0 && unitsInTransit === 0) continue;
    out.push({
      batch: {
        batchId: batch.batchId,
        gtin: batch.gtin,
        lot: batch.lot,
        expiry: isoDateFromYyyymmdd(batch.expiry),
        statusReason: batch.statusReason,
        statusBy: batch.statusBy ? party(batch.statusBy) : null,
        statusAt: batch.statusAt === null ? null : new Date(batch.statusAt * 1000).toISOString(),
      },
      productName,
      manufacturer: party(batch.manufacturer),
      unitsHeld,
      holders,
      unitsInTransit,
    });
  }
  return out;
}

export async function listRecalls(ctx: AppContext, params: URLSearchParams, viewer: Viewer): Promise<RecallsResponse> {
  parseQuery(z.object({}).strict(), params);
  return { recalledStock: await recalledStock(ctx.db, recallsVisibleTo(viewer)) };
}

/** A regulator sees every holder of recalled stock; another party what recalledStock allows it. */
function recallsVisibleTo(viewer: Viewer): string | undefined {
  return seesEverything(viewer) ? undefined : viewer.session.address.toLowerCase();
}

/** PostgreSQL's unique_violation (23505), wherever the driver puts it in the error's causes. */
function uniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

const alertUpdate = z.object({ status: z.enum(["OPEN", "CLOSED"], { error: "must be OPEN or CLOSED" }) }).strict();

/**
 * PATCH /api/alerts/<id> with `{"status":"CLOSED"}` (or "OPEN" to reopen): for a regulator, or for
 * the party whose scan raised the alert once it has investigated. Signed-in parties only.
 */
export async function updateAlert(ctx: AppContext, request: Request, rawId: string): Promise<AlertView> {
  // A participant in good standing now (a suspended party can do nothing), then one that may see the alert.
  const viewer = await requireViewer(ctx, request);
  const existing = await getAlert(ctx, rawId, viewer);
  const reporter = existing.reportedBy?.address === viewer.session.address.toLowerCase();
  if (!reporter && !seesEverything(viewer)) {
    throw new ApiError(
      403,
      "WRONG_ROLE",
      `Alert ${existing.id} is closed by the party whose scan raised it, or by a regulator; ${viewer.legalName} is neither.`,
      { details: { required: ["REGULATOR"], role: viewer.role } },
    );
  }
  requireContentType(request, ["application/json"], "An alert update");
  const parsed = alertUpdate.safeParse(await readBodyJson(request, { maxBytes: 4096, what: "An alert update" }));
  if (!parsed.success) {
    throw new ApiError(
      400,
      "INVALID_BODY",
      'Send a JSON body such as {"status":"CLOSED"}: status must be OPEN or CLOSED.',
      {
        details: parsed.error.issues.map((issue) => ({
          field: issue.path.join(".") || "(body)",
          message: issue.message,
        })),
      },
    );
  }
  try {
    await ctx.db.update(alerts).set({ status: parsed.data.status }).where(eq(alerts.id, existing.id));
  } catch (error) {
    // Reopening while a newer alert of the same pack and reporter is open (alerts_open_pack_reporter_idx).
    if (uniqueViolation(error)) {
      throw new ApiError(
        409,
        "ALERT_ALREADY_OPEN",
        `Alert ${existing.id} cannot be reopened: a newer alert of the same pack by the same party is open. Work on that one.`,
      );
    }
    throw error;
  }
  return { ...existing, status: parsed.data.status };
}
