/**
 * Who may read what of the read model (DESIGN.md, "Who may see what"). The read API answers
 * signed-in participants only: quantities, shipment references and who holds which stock are
 * trading data, and anonymous callers get the verification answer and nothing else.
 *
 * - A regulator sees everything.
 * - Any participant sees the directory (participants, products, recalls) and searches it; the
 *   ledger's administrator, who onboards participants, sees the participants and products too.
 * - A batch's timeline and exports: its manufacturer, and the parties it was shipped to or from
 *   (on the package-level ledger: that sent or received a unit or loose pack holding packs of it,
 *   packageTraders).
 * - A party's stock and shipments: that party (and the regulator).
 * - Shipments and alerts lists: those the party is part of (sender or recipient; the alerts it
 *   raised, those on batches it made, and the illegitimate findings on its stock, whose packs it
 *   held and may see named).
 * - The EPCIS query interface spans every party's events: regulators (a participant exports the
 *   batches it traded from each batch instead).
 * - A pack in a timeline is named by its serial to regulators, its batch's manufacturer and the
 *   party that recorded the event; others read "a pack" (visiblePackSerials).
 * - Search by a serial alone finds packs of the batches the viewer may read (./search.ts).
 *
 * The participant record is read on chain at every request (requireParty), so a suspended party
 * loses access at once.
 */
import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { pedigreeLedgerAbi, type RoleName } from "@pedigree/ledger";
import { isAddressEqual, type Address } from "viem";
import { ApiError } from "../api/errors.ts";
import { ledgerUnavailable } from "../auth/ledgerReads.ts";
import { requireParty, requireSession, type Party } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import { alerts, batches, shipmentLines } from "../db/schema.ts";
import { MAX_NESTING } from "./custody.ts";
import { isPackEvent, packSerials, type EventRow, type PackSerials } from "./timeline.ts";

export type Viewer = Party;

export const PARTICIPANT_ROLES: readonly Exclude<RoleName, "NONE">[] = [
  "MANUFACTURER",
  "DISTRIBUTOR",
  "PHARMACY",
  "REGULATOR",
];

/** The signed-in participant in good standing, or 401/403. */
export function requireViewer(ctx: AppContext, request: Request): Promise<Viewer> {
  return requireParty(ctx, request, PARTICIPANT_ROLES);
}

/**
 * The directory (participants, products) is read by every participant, and by the ledger's
 * administrator, who onboards them and holds no participant role: the participant, or null for
 * the administrator.
 */
export async function requireDirectoryViewer(ctx: AppContext, request: Request): Promise<Viewer | null> {
  try {
    return await requireViewer(ctx, request);
  } catch (refusal) {
    // Only a signed-in account that is no participant may still be the administrator.
    if (!(refusal instanceof ApiError) || refusal.code !== "NOT_PARTICIPANT") throw refusal;
    const session = await requireSession(ctx, request);
    let admin: Address;
    try {
      admin = await ctx.chain.readContract({
        address: ctx.ledger.address,
        abi: pedigreeLedgerAbi,
        functionName: "defaultAdmin",
      });
    } catch (error) {
      throw ledgerUnavailable(error);
    }
    if (!isAddressEqual(admin, session.address)) throw refusal;
    return null;
  }
}

export function seesEverything(viewer: Viewer): boolean {
  return viewer.role === "REGULATOR";
}

function viewerAddress(viewer: Viewer): string {
  return viewer.session.address.toLowerCase();
}

function notYours(message: string): ApiError {
  return new ApiError(403, "NOT_YOUR_RECORD", message);
}

/** Refuses a batch's timeline to a party that neither made it nor shipped or received any of it. */
export async function requireBatchAccess(
  ctx: AppContext,
  viewer: Viewer,
  batch: { batchId: string; manufacturer: string },
): Promise<void> {
  if (seesEverything(viewer)) return;
  const me = viewerAddress(viewer);
  if (batch.manufacturer.toLowerCase() === me) return;
  const traded = await tradedBatchIds(ctx, me, [batch.batchId]);
  if (!traded.has(batch.batchId)) {
    throw notYours(
      "This batch's custody record is shown to its manufacturer, the parties it was shipped to or from, and regulators.",
    );
  }
}

/**
 * Of `batchIds`, those whose custody record the viewer may read (requireBatchAccess's rule), for
 * answers that gather events of several batches (a transaction found by search).
 */
export async function readableBatchIds(
  ctx: AppContext,
  viewer: Viewer,
  batchIds: readonly string[],
): Promise<Set<string>> {
  const ids = [...new Set(batchIds)];
  if (seesEverything(viewer) || ids.length === 0) return new Set(ids);
  const me = viewerAddress(viewer);
  const [made, traded] = await Promise.all([
    ctx.db
      .select({ batchId: batches.batchId })
      .from(batches)
      .where(and(inArray(batches.batchId, ids), eq(batches.manufacturer, me))),
    tradedBatchIds(ctx, me, ids),
  ]);
  return new Set([...made.map((row) => row.batchId), ...traded]);
}

/** Of `batchIds`, those that party `me` shipped or received any of, in one query on either ledger kind. */
async function tradedBatchIds(ctx: AppContext, me: string, batchIds: readonly string[]): Promise<Set<string>> {
  const rows =
    ctx.ledger.kind === "package"
      ? await ctx.db
          .select({ batchId: batches.batchId })
          .from(batches)
          .where(and(inArray(batches.batchId, batchIds), sql`${batches.batchId} in (${packageTraders(me)})`))
      : await ctx.db
          .selectDistinct({ batchId: shipmentLines.batchId })
          .from(shipmentLines)
          .where(
            and(
              inArray(shipmentLines.batchId, batchIds),
              or(eq(shipmentLines.sender, me), eq(shipmentLines.recipient, me)),
            ),
          );
  return new Set(rows.map((row) => row.batchId));
}

/**
 * The batches party `me` sent or received on the package-level ledger, as a subquery: those of
 * the loose packs of its shipments, and of the packs inside the units it shipped or was shipped
 * when they were shipped, at any depth. "Inside when shipped" is custody.ts's packsInUnitAt rule
 * (a shipment carried what the unit held just before it): a pack or child unit put in before the
 * shipment whose next event of its own (for a child, its next listing in that unit: being taken
 * out) comes after it; a case packed from a range holds its batch. So the party that received a
 * pallet reads its batches, the pharmacy that received one case picked from it reads the case's,
 * and a pack taken out before the unit left grants nothing. The walk starts from the party's
 * shipments (shipments_sender_idx, shipments_recipient_idx) and goes down the units by
 * custody_items_unit_idx, with the look-ahead checks by custody_items_pack_idx and
 * custody_items_sscc_idx; MAX_NESTING bounds it, as every walk of the units.
 */
function packageTraders(me: string): SQL {
  // The listings of a unit's events that put something in: UnitPacked, and UnitAggregated's ADD
  // (action 0); a DELETE's listing names what was taken out.
  const putIn = sql`join events e on e.block_number = c.block_number and e.log_index = c.log_index
    and coalesce(e.args->>'action', '0') = '0'`;
  return sql`
    with recursive shipped as (
      select i.sscc, i.batch_id, s.shipped_block as at_block, s.shipped_log_index as at_log
      from shipments s join shipment_items i on i.shipment_id = s.shipment_id
      where s.sender = ${me} or s.recipient = ${me}
    ),
    inside(sscc, at_block, at_log, depth) as (
      select sscc, at_block, at_log, 0 from shipped where sscc is not null
      union
      select c.sscc, t.at_block, t.at_log, t.depth + 1
      from inside t join custody_items c on c.unit = t.sscc ${putIn}
      where c.sscc is not null and t.depth < ${MAX_NESTING}
        and (c.block_number, c.log_index) < (t.at_block, t.at_log)
        and not exists (
          select 1 from custody_items o
          where o.sscc = c.sscc and o.unit = t.sscc
            and (o.block_number, o.log_index) > (c.block_number, c.log_index)
            and (o.block_number, o.log_index) < (t.at_block, t.at_log)
        )
    )
    select batch_id from shipped where batch_id is not null
    union
    select c.batch_id
    from inside t join custody_items c on c.unit = t.sscc ${putIn}
    where c.batch_id is not null
      and (c.block_number, c.log_index) < (t.at_block, t.at_log)
      and (
        c.pack_index is null
        or not exists (
          select 1 from custody_items o
          where o.batch_id = c.batch_id and o.pack_index = c.pack_index
            and (o.block_number, o.log_index) > (c.block_number, c.log_index)
            and (o.block_number, o.log_index) < (t.at_block, t.at_log)
        )
      )`;
}

/**
 * The serials naming the packs of the pack events among `rows`, as far as the viewer may see them.
 * Serial lists are secrets (DESIGN.md): a pack is named to regulators, to its batch's manufacturer
 * (whose list it is) and to the party that recorded the event (it held the pack and read its
 * code). Anyone else, the batch's other trading parties included, reads "a pack".
 */
export async function visiblePackSerials(
  ctx: AppContext,
  viewer: Viewer,
  rows: readonly EventRow[],
): Promise<PackSerials> {
  const packEvents = rows.filter(isPackEvent);
  if (seesEverything(viewer)) return packSerials(ctx.db, packEvents);
  const me = viewerAddress(viewer);
  const othersBatchIds = [...new Set(packEvents.filter((row) => row.args.by !== me).map((row) => row.batchId))];
  const made =
    othersBatchIds.length === 0
      ? []
      : await ctx.db
          .select({ batchId: batches.batchId })
          .from(batches)
          .where(and(inArray(batches.batchId, othersBatchIds), eq(batches.manufacturer, me)));
  const mine = new Set(made.map((row) => row.batchId));
  return packSerials(
    ctx.db,
    packEvents.filter((row) => row.args.by === me || mine.has(row.batchId)),
  );
}

/** Refuses a party's stock and shipments to anyone but that party and regulators. */
export function requirePartyAccess(viewer: Viewer, address: string): void {
  if (seesEverything(viewer) || address.toLowerCase() === viewerAddress(viewer)) return;
  throw notYours("A party's stock and shipments are shown to that party and to regulators only.");
}

/** Refuses what only regulators may read. */
export function requireRegulator(viewer: Viewer, what: string): void {
  if (seesEverything(viewer)) return;
  throw new ApiError(403, "REGULATORS_ONLY", `${what} is open to regulators only.`, {
    details: { role: viewer.role },
  });
}

/** The shipment lines the viewer may list: all for a regulator, else those it sent or received. */
export function shipmentScope(viewer: Viewer): SQL | undefined {
  if (seesEverything(viewer)) return undefined;
  const me = viewerAddress(viewer);
  return or(eq(shipmentLines.sender, me), eq(shipmentLines.recipient, me));
}

/**
 * The alerts the viewer may list: all for a regulator, else those it raised, those on its batches,
 * and the illegitimate findings on its stock.
 */
export function alertScope(viewer: Viewer): SQL | undefined {
  if (seesEverything(viewer)) return undefined;
  const me = viewerAddress(viewer);
  return or(
    eq(alerts.reportedBy, me),
    eq(alerts.holder, me),
    sql`${alerts.batchId} in (select ${batches.batchId} from ${batches} where ${batches.manufacturer} = ${me})`,
  );
}
