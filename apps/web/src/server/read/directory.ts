/**
 * Who is on the ledger and what they hold: GET /api/participants, /api/products and
 * /api/parties/<address> (stock by product and batch, incoming and outgoing shipments).
 */
import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { isoDateFromYyyymmdd } from "@pedigree/ledger";
import type {
  ParticipantRole,
  ParticipantView,
  ParticipantsResponse,
  PartyResponse,
  ProductsResponse,
  ShipmentStatus,
  ShipmentsByStatus,
  StockLine,
} from "../../lib/api/read.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import {
  batches,
  companyPrefixes,
  events,
  holdings,
  manifests,
  participants,
  products,
  shipmentLines,
} from "../db/schema.ts";
import { readableBatchIds, type Viewer } from "./access.ts";
import { addressSchema, parseAddress, parseQuery } from "./input.ts";
import { loadParties } from "./parties.ts";
import { batchView, productView } from "./batch.ts";
import { heldUnits, pendingShipmentItems } from "./party-custody.ts";
import { SHIPMENT_STATUSES, shipmentRows, shipmentViews } from "./shipments.ts";

const ROLES = ["REGULATOR", "MANUFACTURER", "DISTRIBUTOR", "PHARMACY"] as const;

interface StatusChange {
  reason: string;
  by: string;
  at: number;
}

/**
 * The latest suspension or reinstatement of each participant (of `account` alone when given), with
 * the reason the administrator recorded on chain. Read from the events themselves: they name no
 * batch, so `events_batch_name_idx` finds them among the few such decisions ever made.
 */
async function statusChanges(db: Executor, account?: string): Promise<Map<string, StatusChange>> {
  const rows = await db
    .select({ args: events.args, timestamp: events.timestamp })
    .from(events)
    .where(
      and(
        isNull(events.batchId),
        inArray(events.name, ["ParticipantSuspended", "ParticipantReinstated"]),
        account === undefined ? undefined : sql`${events.args}->>'account' = ${account}`,
      ),
    )
    .orderBy(asc(events.blockNumber), asc(events.logIndex));
  const latest = new Map<string, StatusChange>();
  for (const { args, timestamp } of rows) {
    // Events of a ledger deployed before reasons were recorded carry none.
    const reason = typeof args.reason === "string" ? args.reason : "";
    latest.set(String(args.account), { reason, by: String(args.by), at: timestamp });
  }
  return latest;
}

/** Every participant, those of one role, or one account. */
async function participantViews(
  db: Executor,
  { account, role }: { account?: string; role?: ParticipantRole } = {},
): Promise<ParticipantView[]> {
  const where =
    account !== undefined ? eq(participants.address, account) : role ? eq(participants.role, role) : undefined;
  const [rows, prefixes, changes] = await Promise.all([
    db.select().from(participants).where(where).orderBy(asc(participants.number)),
    db.select().from(companyPrefixes).orderBy(asc(companyPrefixes.prefix)),
    statusChanges(db, account),
  ]);
  const admins = await loadParties(
    db,
    [...changes.values()].map((change) => change.by),
  );
  return rows.map((row) => {
    const change = changes.get(row.address);
    return {
      address: row.address,
      name: row.legalName,
      gln: row.gln,
      role: row.role as ParticipantRole,
      number: row.number,
      suspended: row.suspended,
      statusReason: change?.reason || null,
      statusBy: change === undefined ? null : admins(change.by),
      statusAt: change === undefined ? null : new Date(change.at * 1000).toISOString(),
      companyPrefixes: prefixes.filter((p) => p.manufacturer === row.address).map((p) => p.prefix),
      onboardedBlock: row.onboardedBlock,
    };
  });
}

const participantsQuery = z
  .object({
    role: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }))
      .optional(),
  })
  .strict();

/** GET /api/participants?role= */
export async function listParticipants(ctx: AppContext, params: URLSearchParams): Promise<ParticipantsResponse> {
  const query = parseQuery(participantsQuery, params);
  return { participants: await participantViews(ctx.db, { role: query.role }) };
}

const productsQuery = z.object({ manufacturer: addressSchema.optional() }).strict();

/**
 * GET /api/products?manufacturer=: the products, and with `manufacturer` each one's batches too,
 * newest first, as far as `viewer` may read them (requireBatchAccess's rule: its own page lists
 * them all; the administrator, null, gets none). A manufacturer's catalogue is small, the
 * network's may not be, so the whole directory comes without them.
 */
export async function listProducts(
  ctx: AppContext,
  params: URLSearchParams,
  viewer: Viewer | null = null,
): Promise<ProductsResponse> {
  const query = parseQuery(productsQuery, params);
  const rows = await ctx.db
    .select({ product: products, batchCount: sql<number>`count(${batches.batchId})::int` })
    .from(products)
    .leftJoin(batches, eq(batches.gtin, products.gtin))
    .where(query.manufacturer ? eq(products.manufacturer, query.manufacturer) : undefined)
    .groupBy(products.gtin)
    .orderBy(asc(products.name), asc(products.gtin));
  const withBatches = query.manufacturer !== undefined && viewer !== null;
  const allBatches =
    !withBatches || rows.length === 0
      ? []
      : await ctx.db
          .select({ batch: batches, manifest: manifests.batchId })
          .from(batches)
          .leftJoin(manifests, eq(manifests.batchId, batches.batchId))
          .where(
            inArray(
              batches.gtin,
              rows.map((r) => r.product.gtin),
            ),
          )
          .orderBy(desc(batches.registeredBlock), asc(batches.lot));
  const readable =
    viewer === null
      ? new Set<string>()
      : await readableBatchIds(
          ctx,
          viewer,
          allBatches.map((b) => b.batch.batchId),
        );
  const batchRows = allBatches.filter((b) => readable.has(b.batch.batchId));
  const party = await loadParties(ctx.db, [
    ...rows.map((r) => r.product.manufacturer),
    ...batchRows.flatMap((r) => (r.batch.statusBy ? [r.batch.statusBy] : [])),
  ]);
  return {
    products: rows.map((r) => ({
      ...productView(r.product, party),
      batchCount: r.batchCount,
      ...(!withBatches
        ? {}
        : {
            batches: batchRows
              .filter((b) => b.batch.gtin === r.product.gtin)
              .map((b) => batchView(b.batch, party, b.manifest !== null)),
          }),
    })),
  };
}

function byStatus(): ShipmentsByStatus {
  return Object.fromEntries(SHIPMENT_STATUSES.map((s) => [s, []])) as unknown as ShipmentsByStatus;
}

/** How many settled shipments each direction lists (pending ones are all listed). */
const SETTLED_SHIPMENTS_SHOWN = 200;

/** GET /api/parties/<address> */
export async function getParty(ctx: AppContext, rawAddress: string, params: URLSearchParams): Promise<PartyResponse> {
  parseQuery(z.object({}).strict(), params);
  const address = parseAddress(rawAddress);
  const db = ctx.db;
  const today = ctx.now().toISOString().slice(0, 10);
  const [participant, stockRows, pending, settled] = await Promise.all([
    participantViews(db, { account: address }),
    db
      .select({ holding: holdings, batch: batches, product: products })
      .from(holdings)
      .innerJoin(batches, eq(batches.batchId, holdings.batchId))
      .leftJoin(products, eq(products.gtin, batches.gtin))
      .where(and(eq(holdings.holder, address), gt(holdings.units, 0)))
      .orderBy(asc(products.name), asc(batches.gtin), asc(batches.expiry), asc(batches.lot)),
    shipmentRows(
      db,
      and(
        eq(shipmentLines.status, "PENDING"),
        or(eq(shipmentLines.sender, address), eq(shipmentLines.recipient, address)),
      ),
    ),
    shipmentRows(
      db,
      and(
        sql`${shipmentLines.status} <> 'PENDING'`,
        or(eq(shipmentLines.sender, address), eq(shipmentLines.recipient, address)),
      ),
      SETTLED_SHIPMENTS_SHOWN * 2,
    ),
  ]);
  const stock: PartyResponse["stock"] = [];
  for (const { holding, batch, product } of stockRows) {
    const expiry = isoDateFromYyyymmdd(batch.expiry);
    const line: StockLine = {
      batchId: batch.batchId,
      gtin: batch.gtin,
      lot: batch.lot,
      manufacturer: batch.manufacturer,
      productName: product?.name ?? null,
      strength: product?.strength ?? null,
      dosageForm: product?.dosageForm ?? null,
      expiry,
      expired: expiry < today,
      daysToExpiry: Math.round((Date.parse(expiry) - Date.parse(today)) / 86_400_000),
      status: batch.status as StockLine["status"],
      statusReason: batch.statusReason,
      units: holding.units,
      quarantined: holding.quarantined,
    };
    let group = stock.at(-1);
    if (group === undefined || group.gtin !== batch.gtin) {
      group = { gtin: batch.gtin, productName: line.productName, units: 0, batches: [] };
      stock.push(group);
    }
    group.units += line.units;
    group.batches.push(line);
  }
  const incoming = byStatus();
  const outgoing = byStatus();
  const incomingSettled = settled.filter((s) => s.recipient === address).slice(0, SETTLED_SHIPMENTS_SHOWN);
  const outgoingSettled = settled.filter((s) => s.sender === address).slice(0, SETTLED_SHIPMENTS_SHOWN);
  const views = await shipmentViews(db, [...pending, ...incomingSettled, ...outgoingSettled]);
  for (const view of views) {
    const bucket = view.to.address === address ? incoming : outgoing;
    bucket[view.status as ShipmentStatus].push(view);
  }
  const registered = participant[0];
  const party = registered ?? (await loadParties(db, [address]))(address);
  if (ctx.ledger.kind !== "package") return { party, registered: registered !== undefined, stock, incoming, outgoing };
  const pendingIds = [...new Set([...incoming.PENDING, ...outgoing.PENDING].map((line) => line.shipmentId))];
  const [heldUnitViews, pendingItems] = await Promise.all([
    heldUnits(db, address),
    pendingShipmentItems(db, pendingIds),
  ]);
  return {
    party,
    registered: registered !== undefined,
    stock,
    incoming,
    outgoing,
    units: heldUnitViews,
    pendingItems,
  };
}
