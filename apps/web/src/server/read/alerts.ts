/**
 * Alerts (scans that need a person: potential falsifications) and recalled stock still in the
 * field (GET /api/alerts, GET /api/alerts?format=csv, GET and PATCH /api/alerts/<id>, GET /api/recalls).
 * An alert is worked open -> investigating -> closed with a root cause (../../lib/alert-workflow.ts);
 * each change is recorded in alert_history with the party that made it.
 */
import { and, asc, desc, eq, gt, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { isoDateFromYyyymmdd } from "@pedigree/ledger";
import {
  ALERT_STATE_LABELS,
  ALERT_STATES,
  alertActor,
  NEXT_STATE,
  NOTE_MAX_LENGTH,
  ROOT_CAUSE_LABELS,
  ROOT_CAUSES,
  ILLEGITIMATE_VERDICT,
  rootCausesFor,
  type AlertState,
  type RootCause,
} from "../../lib/alert-workflow.ts";
import type {
  AlertDetailView,
  AlertView,
  AlertsResponse,
  RecalledStockView,
  RecallsResponse,
} from "../../lib/api/read.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { alertHistory, alertPacks, alerts, batches, holdings, products, shipmentLines } from "../db/schema.ts";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { csvResponse, csvStream, type CsvValue } from "./csv.ts";
import { addressSchema, checkLot, isoInstantSchema, normaliseGtin, pageSizeSchema, parseQuery } from "./input.ts";
import { decodePageToken, encodePageToken, pageKey } from "./pageToken.ts";
import { loadParties, type PartyLookup } from "./parties.ts";
import { readBodyAs } from "../auth/requestBody.ts";
import { requireContentType } from "../auth/origin.ts";
import { alertScope, requireViewer, seesEverything, type Viewer } from "./access.ts";

type AlertRow = typeof alerts.$inferSelect;

const alertsQuery = z
  .object({
    status: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(ALERT_STATES, { error: "must be OPEN, INVESTIGATING or CLOSED" }))
      .optional(),
    verdict: z
      .string()
      .regex(/^[A-Za-z_]{1,40}$/, "must be a verdict name such as UNKNOWN_SERIAL, MISMATCH or DISPENSED")
      .transform((s) => s.toUpperCase())
      .optional(),
    gtin: z.string().optional(),
    lot: z.string().optional(),
    /** The party whose scan raised it. */
    reporter: addressSchema.optional(),
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
    // The table's check constraints hold these to the workflow's values.
    status: row.status as AlertState,
    rootCause: row.rootCause as RootCause | null,
    occurrences: row.occurrences,
    lastSeenAt: row.lastSeenAt.toISOString(),
    blockNumber: row.blockNumber,
    holder: row.holder ? party(row.holder) : null,
    transactionHash: row.sourceTx,
  };
}

/** The most packs an alert's detail lists (a pallet holds a few thousand); packCount says how many in all. */
export const ALERT_PACKS_LISTED = 10_000;

/** The filters of an alerts query as SQL, and a fingerprint that binds page tokens to them. */
function alertFilters(query: z.output<typeof alertsQuery>): { where: SQL[]; fingerprint: string } {
  const where: SQL[] = [];
  if (query.status) where.push(eq(alerts.status, query.status));
  if (query.verdict) where.push(eq(alerts.verdict, query.verdict));
  const gtin = query.gtin === undefined ? undefined : normaliseGtin(query.gtin);
  if (gtin) where.push(eq(alerts.gtin, gtin));
  if (query.lot !== undefined) where.push(eq(alerts.lot, checkLot(query.lot)));
  if (query.reporter) where.push(eq(alerts.reportedBy, query.reporter));
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
      query.reporter,
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
  "last_seen_at",
  "occurrences",
  "status",
  "root_cause",
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
  return csvStream(ALERTS_CSV_HEADER, alertCsvPages(db, where));
}

async function* alertCsvPages(db: Executor, where: SQL[]): AsyncGenerator<CsvValue[][]> {
  let beforeId: number | undefined;
  for (;;) {
    const rows = await alertRows(db, beforeId === undefined ? where : [...where, lt(alerts.id, beforeId)], CSV_CHUNK);
    const party = await loadParties(
      db,
      rows.map((r) => r.reportedBy),
    );
    yield rows.map((row) => {
      const by = row.reportedBy ? party(row.reportedBy) : undefined;
      return [
        row.id,
        row.raisedAt.toISOString(),
        row.lastSeenAt.toISOString(),
        row.occurrences,
        row.status,
        row.rootCause,
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
      ];
    });
    if (rows.length < CSV_CHUNK) return;
    beforeId = rows.at(-1)?.id;
  }
}

/** The alert numbered `rawId` if the viewer may see it (./access.ts); another is not found. */
async function visibleAlert(ctx: AppContext, rawId: string, viewer: Viewer): Promise<AlertRow> {
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
  return row;
}

/** The alert with its history, oldest change first. */
async function alertDetail(db: Executor, row: AlertRow): Promise<AlertDetailView> {
  const [party, history, packs, [counted]] = await Promise.all([
    loadParties(db, [row.reportedBy, row.holder]),
    db.select().from(alertHistory).where(eq(alertHistory.alertId, row.id)).orderBy(asc(alertHistory.id)),
    db
      .select({ index: alertPacks.index, serial: alertPacks.serial, unit: alertPacks.unit })
      .from(alertPacks)
      .where(eq(alertPacks.alertId, row.id))
      .orderBy(asc(alertPacks.index))
      .limit(ALERT_PACKS_LISTED),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(alertPacks)
      .where(eq(alertPacks.alertId, row.id)),
  ]);
  return {
    ...alertView(row, party),
    packs,
    packCount: counted?.n ?? 0,
    history: history.map((change) => ({
      at: change.at.toISOString(),
      by: { address: change.byAddress, name: change.byName, role: change.byRole },
      from: change.fromStatus as AlertState,
      to: change.toStatus as AlertState,
      rootCause: change.rootCause as RootCause | null,
      note: change.note,
    })),
  };
}

/** GET /api/alerts/<id>: one alert the viewer may see, with its history. */
export async function getAlert(ctx: AppContext, rawId: string, viewer: Viewer): Promise<AlertDetailView> {
  return alertDetail(ctx.db, await visibleAlert(ctx, rawId, viewer));
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
      .map((h) => ({ party: party(h.holder), units: h.units, quarantined: h.quarantined }));
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

const alertChange = z
  .object({
    status: z.enum(ALERT_STATES, { error: "must be INVESTIGATING or CLOSED" }),
    rootCause: z.enum(ROOT_CAUSES, { error: `must be ${ROOT_CAUSES.join(", ")}` }).optional(),
    note: z
      .string()
      .trim()
      .max(NOTE_MAX_LENGTH, `must be at most ${NOTE_MAX_LENGTH} characters`)
      // PostgreSQL cannot store a NUL in text; no note needs one.
      .refine((note) => !note.includes("\0"), "must not contain a NUL character")
      .optional(),
  })
  .strict();

const CHANGE_EXAMPLE =
  '{"status":"INVESTIGATING"} or {"status":"CLOSED","rootCause":"FALSIFIED","note":"what the investigation found"}';

/** The request's change, or a 400 that says what is missing; these rules hold whatever the alert's state. */
async function readAlertChange(request: Request): Promise<z.output<typeof alertChange>> {
  requireContentType(request, ["application/json"], "An alert update");
  const change = await readBodyAs(request, alertChange, {
    maxBytes: 4096,
    what: "An alert update",
    expected: `Send a JSON body such as ${CHANGE_EXAMPLE}.`,
  });
  if (change.status === "CLOSED" && change.rootCause === undefined) {
    throw new ApiError(
      400,
      "ROOT_CAUSE_REQUIRED",
      `Closing an alert needs its root cause: rootCause ${ROOT_CAUSES.join(", ")}, and a note saying what the investigation found.`,
      { details: { field: "rootCause", allowed: ROOT_CAUSES } },
    );
  }
  if (change.status === "CLOSED" && !change.note) {
    throw new ApiError(
      400,
      "NOTE_REQUIRED",
      `Closing an alert needs a note saying what the investigation found (up to ${NOTE_MAX_LENGTH} characters), so whoever reads the alert later knows why.`,
      { details: { field: "note" } },
    );
  }
  if (change.status !== "CLOSED" && change.rootCause !== undefined) {
    throw new ApiError(
      400,
      "ROOT_CAUSE_WHEN_CLOSING",
      "A root cause is what closes an alert: send it with status CLOSED, or leave rootCause out.",
      { details: { field: "rootCause" } },
    );
  }
  return change;
}

/** Why an alert in state `from` cannot move to `to` (open -> investigating -> closed, closed is final). */
function transitionRefusal(row: AlertRow, to: AlertState): ApiError {
  const from = row.status as AlertState;
  const id = row.id;
  const message =
    from === "CLOSED"
      ? `Alert ${id} is closed${row.rootCause ? ` (${ROOT_CAUSE_LABELS[row.rootCause as RootCause].toLowerCase()})` : ""}, and a closed alert is final. A new scan of the pack raises a new alert.`
      : from === to
        ? `Alert ${id} is already ${ALERT_STATE_LABELS[from].toLowerCase()}.`
        : from === "OPEN"
          ? `Alert ${id} is open: move it to INVESTIGATING first, then close it with a root cause.`
          : `Alert ${id} is being investigated and cannot go back to open: close it with a root cause when the investigation ends.`;
  return new ApiError(409, "INVALID_TRANSITION", message, { details: { from, to, next: NEXT_STATE[from] } });
}

/**
 * PATCH /api/alerts/<id>: moves an alert one step, `{"status":"INVESTIGATING"}` then
 * `{"status":"CLOSED","rootCause":...,"note":...}`, and records who did it. For a regulator, and
 * for the party whose scan raised the alert, which may close it as its own scanner or data error
 * only (../../lib/alert-workflow.ts). Answers the alert with its history.
 */
export async function changeAlert(ctx: AppContext, request: Request, rawId: string): Promise<AlertDetailView> {
  // A participant in good standing now (a suspended party can do nothing), then one that may see the alert.
  const viewer = await requireViewer(ctx, request);
  const row = await visibleAlert(ctx, rawId, viewer);
  const actor = alertActor({ role: viewer.role, address: viewer.session.address }, row.reportedBy);
  if (actor === "OTHER") {
    throw new ApiError(
      403,
      "WRONG_ROLE",
      `Alert ${row.id} is worked by the party whose scan raised it, or by a regulator; ${viewer.legalName} is neither.`,
      { details: { required: ["REGULATOR"], role: viewer.role } },
    );
  }
  const change = await readAlertChange(request);
  if (NEXT_STATE[row.status as AlertState] !== change.status) throw transitionRefusal(row, change.status);
  const rootCause = change.rootCause ?? null;
  const allowed = rootCausesFor(actor, row.verdict);
  if (rootCause !== null && row.verdict === ILLEGITIMATE_VERDICT && !allowed.includes(rootCause)) {
    throw new ApiError(
      actor === "REGULATOR" ? 409 : 403,
      actor === "REGULATOR" ? "INVALID_ROOT_CAUSE" : "WRONG_ROLE",
      actor === "REGULATOR"
        ? `Alert ${row.id} is an illegitimate finding: the ledger destroyed its packs when the quarantine ended so, and it closes as FALSIFIED once the partners who handled them are told.`
        : `Alert ${row.id} is an illegitimate finding: a regulator closes it, as falsified, once the partners who handled its packs are told. ${viewer.legalName} may take it to investigating.`,
      { details: { required: ["REGULATOR"], role: viewer.role, allowed } },
    );
  }
  if (rootCause !== null && !allowed.includes(rootCause)) {
    throw new ApiError(
      403,
      "WRONG_ROLE",
      `Only a regulator concludes that a pack is ${ROOT_CAUSE_LABELS[rootCause].toLowerCase()}. As the party whose scan raised alert ${row.id}, ${viewer.legalName} may close it as a scanner or data error.`,
      { details: { required: ["REGULATOR"], role: viewer.role, allowed } },
    );
  }
  const updated = await ctx.db.transaction(async (tx) => {
    // Only from the state read above: two people moving the same alert at once cannot both succeed.
    const [moved] = await tx
      .update(alerts)
      .set({ status: change.status, rootCause })
      .where(and(eq(alerts.id, row.id), eq(alerts.status, row.status)))
      .returning();
    if (moved === undefined) {
      throw new ApiError(
        409,
        "ALERT_CHANGED",
        `Alert ${row.id} was changed by someone else meanwhile: reload it to see its state, then try again.`,
      );
    }
    await tx.insert(alertHistory).values({
      alertId: row.id,
      at: ctx.now(),
      byAddress: viewer.session.address.toLowerCase(),
      byName: viewer.legalName,
      byRole: viewer.role,
      fromStatus: row.status,
      toStatus: change.status,
      rootCause,
      note: change.note || null,
    });
    return moved;
  });
  return alertDetail(ctx.db, updated);
}
