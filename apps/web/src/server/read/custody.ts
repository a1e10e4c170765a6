/**
 * Where packs and logistic units are, from the read model's custody tables (../indexer/custody.ts):
 * a pack's or unit's own place, the units around it up to the top-most one, and what that says of
 * its custody. The same resolution as the package-level ledger's `packLocation` and `unit` views;
 * a differential test (test/custody-read-model.test.ts) checks them against each other.
 */
import { and, desc, eq, gt, gte, inArray, lte, sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { batches, custodyItems, events, packPlaces, shipmentItems, shipments, units } from "../db/schema.ts";

export type PlaceName = "HELD" | "IN_UNIT" | "IN_TRANSIT" | "QUARANTINED" | "DECOMMISSIONED" | "DESTROYED";

/** Where something is. For a pack or unit inside units, the custody is that of the top-most unit. */
export interface Whereabouts {
  /** The custody: the place of the item itself when loose, else of its top-most unit (never IN_UNIT). */
  place: Exclude<PlaceName, "IN_UNIT">;
  /** HELD, QUARANTINED: the holder; IN_TRANSIT: the sender; DECOMMISSIONED, DESTROYED: who did it. */
  party: string;
  /** IN_TRANSIT: the recipient. */
  recipient: string | null;
  /** IN_TRANSIT: the shipment. */
  shipmentId: string | null;
  /** QUARANTINED: placed by a regulator. */
  byRegulator: boolean;
  /** The units around it, innermost first (empty when loose). */
  path: string[];
  /** A pack nobody has moved yet (with its manufacturer, loose or in the case it was packed into). */
  fresh: boolean;
  /** DECOMMISSIONED: the pack state and when (unix seconds). */
  state: string | null;
  at: number | null;
}

/** The deepest nesting the ledger allows (MAX_NESTING): a walk up that goes further is a corrupt read model. */
export const MAX_NESTING = 8;

type UnitRow = typeof units.$inferSelect;

/**
 * The unit rows from `sscc` up to the top-most unit around it, in one query: a recursive walk up
 * the parent links finds the SSCCs (bounded by MAX_NESTING, so a cycle in a corrupt read model
 * cannot run away), and the rows come back together. Before, each level was a round trip of its
 * own, and a pack in a case on a pallet cost three.
 */
async function unitsUp(db: Executor, sscc: string): Promise<UnitRow[]> {
  const rows = await db
    .select()
    .from(units)
    .where(
      sql`${units.sscc} in (
        with recursive up(sscc, parent, depth) as (
          select sscc, case when place = 'IN_UNIT' then parent end, 0 from units where sscc = ${sscc}
          union all
          select u.sscc, case when u.place = 'IN_UNIT' then u.parent end, up.depth + 1
          from units u join up on u.sscc = up.parent
          where up.depth <= ${MAX_NESTING}
        )
        select sscc from up)`,
    );
  const bySscc = new Map(rows.map((row) => [row.sscc, row]));
  const chain: UnitRow[] = [];
  let next: string | null = sscc;
  while (next !== null) {
    if (chain.length > MAX_NESTING) throw new Error(`Unit ${sscc} is nested deeper than ${MAX_NESTING} levels`);
    const row = bySscc.get(next);
    if (row === undefined) throw new Error(`The read model names unit ${next}, which it does not hold`);
    chain.push(row);
    next = row.place === "IN_UNIT" ? row.parent : null;
  }
  return chain;
}

function custodyOf(
  top: {
    place: string;
    party: string | null;
    recipient: string | null;
    shipmentId: string | null;
    byRegulator: boolean;
  },
  path: string[],
  fresh: boolean,
  decommission: { state: string | null; at: number | null } = { state: null, at: null },
): Whereabouts {
  return {
    place: top.place as Whereabouts["place"],
    party: top.party ?? "",
    recipient: top.recipient,
    shipmentId: top.shipmentId,
    byRegulator: top.byRegulator,
    path,
    fresh,
    ...decommission,
  };
}

/** Where a logistic unit is, or undefined for an SSCC the ledger has no unit for. */
export async function unitWhereabouts(db: Executor, sscc: string): Promise<Whereabouts | undefined> {
  const [own] = await db.select().from(units).where(eq(units.sscc, sscc));
  if (own === undefined) return undefined;
  if (own.place !== "IN_UNIT") return custodyOf(own, [], false);
  const up = await unitsUp(db, own.parent!);
  return custodyOf(
    up.at(-1)!,
    up.map((u) => u.sscc),
    false,
  );
}

/** Where pack `index` of a batch is, or undefined for a batch the read model does not know. */
export async function packWhereabouts(db: Executor, batchId: string, index: number): Promise<Whereabouts | undefined> {
  const [own] = await db
    .select()
    .from(packPlaces)
    .where(and(eq(packPlaces.batchId, batchId), eq(packPlaces.index, index)));
  if (own !== undefined) {
    if (own.place !== "IN_UNIT") return custodyOf(own, [], false, own);
    const up = await unitsUp(db, own.parent!);
    return custodyOf(
      up.at(-1)!,
      up.map((u) => u.sscc),
      false,
    );
  }
  const [batch] = await db
    .select({ manufacturer: batches.manufacturer, packedUpTo: batches.packedUpTo })
    .from(batches)
    .where(eq(batches.batchId, batchId));
  if (batch === undefined) return undefined;
  if (index >= batch.packedUpTo) {
    return custodyOf(
      { place: "HELD", party: batch.manufacturer, recipient: null, shipmentId: null, byRegulator: false },
      [],
      true,
    );
  }
  const range = await rangeUnitOf(db, batchId, index);
  if (range === undefined) throw new Error(`No range-packed unit holds pack ${index} of batch ${batchId}`);
  const up = await unitsUp(db, range.sscc);
  return custodyOf(
    up.at(-1)!,
    up.map((u) => u.sscc),
    true,
  );
}

/**
 * The unit a batch's packaging line packed pack `index` into (by range), if any. Ranges of a batch
 * do not overlap, so it is the one starting last at or before the index, if it reaches it: one
 * step down units_range_idx, however many cases the batch has.
 */
async function rangeUnitOf(
  db: Executor,
  batchId: string,
  index: number,
): Promise<{ sscc: string; createdBlock: number; createdLogIndex: number } | undefined> {
  const [range] = await db
    .select({
      sscc: units.sscc,
      rangeEnd: units.rangeEnd,
      createdBlock: units.createdBlock,
      createdLogIndex: units.createdLogIndex,
    })
    .from(units)
    .where(and(eq(units.rangeBatchId, batchId), lte(units.rangeStart, index)))
    .orderBy(desc(units.rangeStart))
    .limit(1);
  return range !== undefined && range.rangeEnd !== null && range.rangeEnd > index ? range : undefined;
}

/** What a unit directly contains now: its child units, and its packs (those of its range that never moved, and those put in). */
export interface UnitContents {
  units: string[];
  packs: { batchId: string; index: number }[];
}

export async function unitContents(db: Executor, sscc: string): Promise<UnitContents | undefined> {
  const [own] = await db.select().from(units).where(eq(units.sscc, sscc));
  if (own === undefined) return undefined;
  const children = await db
    .select({ sscc: units.sscc })
    .from(units)
    .where(and(eq(units.parent, sscc), eq(units.place, "IN_UNIT")))
    .orderBy(units.sscc);
  const packs = await db
    .select({ batchId: packPlaces.batchId, index: packPlaces.index })
    .from(packPlaces)
    .where(and(eq(packPlaces.parent, sscc), eq(packPlaces.place, "IN_UNIT")))
    .orderBy(packPlaces.batchId, packPlaces.index);
  if (own.rangeBatchId !== null && own.rangeStart !== null && own.rangeEnd !== null) {
    const moved = new Set(
      (
        await db
          .select({ index: packPlaces.index })
          .from(packPlaces)
          .where(
            and(
              eq(packPlaces.batchId, own.rangeBatchId),
              gt(packPlaces.index, own.rangeStart - 1),
              lte(packPlaces.index, own.rangeEnd - 1),
            ),
          )
      ).map((row) => row.index),
    );
    const fresh: { batchId: string; index: number }[] = [];
    for (let index = own.rangeStart; index < own.rangeEnd; index++) {
      if (!moved.has(index)) fresh.push({ batchId: own.rangeBatchId, index });
    }
    packs.unshift(...fresh);
  }
  return { units: children.map((c) => c.sscc), packs };
}

// ---------------------------------------------------------------- a pack's trace

/** A position on the chain: block, then log index. */
export type Position = readonly [number, number];

export const before = (a: Position, b: Position) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
/** Chain order, for sort. */
export const inChainOrder = (a: Position, b: Position) => a[0] - b[0] || a[1] - b[1];

/** A stay of a pack or unit inside a unit, from the event that put it there to the one that took it out (null: still there). */
interface Stay {
  unit: string;
  from: Position;
  to: Position | null;
}

/** Events that concern a whole batch, and so each of its packs. */
const BATCH_EVENTS = [
  "BatchRegistered",
  "BatchRecalled",
  "BatchSuspended",
  "BatchReinstated",
  "BatchQuarantined",
  "BatchQuarantineEnded",
];

/**
 * The positions of every event in a pack's history: those of its batch, those listing it, and,
 * while it was inside a unit (and that unit inside another...), those that moved the unit.
 * What happened to a unit before the pack went in or after it came out is not the pack's.
 */
export async function packTracePositions(db: Executor, batchId: string, index: number): Promise<Position[]> {
  const found = new Map<string, Position>();
  const add = (position: Position) => found.set(`${position[0]}:${position[1]}`, position);

  // By name through events_batch_name_idx: a batch of a million packs has a million other events.
  const batchEvents = await db
    .select({ blockNumber: events.blockNumber, logIndex: events.logIndex })
    .from(events)
    .where(and(eq(events.batchId, batchId), inArray(events.name, BATCH_EVENTS)));
  for (const event of batchEvents) add([event.blockNumber, event.logIndex]);
  // Every event that names the pack itself (moved, aggregated, decommissioned...) lists it in custody_items.
  const own: { position: Position; into: string | null }[] = [];
  const listed = await db
    .select({
      blockNumber: custodyItems.blockNumber,
      logIndex: custodyItems.logIndex,
      unit: custodyItems.unit,
      name: events.name,
      args: events.args,
    })
    .from(custodyItems)
    .innerJoin(
      events,
      and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
    )
    .where(and(eq(custodyItems.batchId, batchId), eq(custodyItems.index, index)));
  for (const row of listed) {
    const adds = row.name === "UnitAggregated" && Number(row.args.action) === 0;
    own.push({ position: [row.blockNumber, row.logIndex], into: adds ? row.unit : null });
  }
  own.sort((a, b) => inChainOrder(a.position, b.position));
  for (const step of own) add(step.position);

  // Its stays in units: packed by range (while it had not moved), or put in by an aggregation.
  const stays: Stay[] = [];
  const nextOwnAfter = (position: Position) => own.find((step) => before(position, step.position))?.position ?? null;
  const range = await rangeUnitOf(db, batchId, index);
  if (range !== undefined) {
    const packed: Position = [range.createdBlock, range.createdLogIndex];
    if (own.length === 0 || before(packed, own[0]!.position)) {
      add(packed);
      stays.push({ unit: range.sscc, from: packed, to: nextOwnAfter(packed) });
    }
  }
  for (const step of own) {
    if (step.into !== null) stays.push({ unit: step.into, from: step.position, to: nextOwnAfter(step.position) });
  }
  for (const stay of stays) await addUnitHistory(db, stay, add, 0);
  return [...found.values()].sort(inChainOrder);
}

/** The events that moved `stay.unit` during the stay, and those of the units it was in meanwhile. */
async function addUnitHistory(
  db: Executor,
  stay: Stay,
  add: (position: Position) => void,
  depth: number,
): Promise<void> {
  if (depth > MAX_NESTING) throw new Error(`Unit ${stay.unit} is nested deeper than ${MAX_NESTING} levels`);
  const within = (position: Position) =>
    !before(position, stay.from) && (stay.to === null || before(position, stay.to));
  const rows = await db
    .select({
      blockNumber: custodyItems.blockNumber,
      logIndex: custodyItems.logIndex,
      unit: custodyItems.unit,
      name: events.name,
      args: events.args,
    })
    .from(custodyItems)
    .innerJoin(
      events,
      and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
    )
    .where(eq(custodyItems.sscc, stay.unit))
    .orderBy(custodyItems.blockNumber, custodyItems.logIndex);
  const parents: Stay[] = [];
  let open: Stay | null = null;
  for (const row of rows) {
    const position: Position = [row.blockNumber, row.logIndex];
    if (within(position)) add(position);
    if (row.unit === null) continue;
    // Put into, or taken out of, a parent unit.
    if (Number(row.args.action) === 0) open = { unit: row.unit, from: position, to: null };
    else if (open !== null) {
      open.to = position;
      parents.push(open);
      open = null;
    }
  }
  if (open !== null) parents.push(open);
  for (const parent of parents) {
    // The part of the parent's stay that falls within this one.
    const from = before(parent.from, stay.from) ? stay.from : parent.from;
    const to = parent.to === null ? stay.to : stay.to === null || before(parent.to, stay.to) ? parent.to : stay.to;
    if (to !== null && !before(from, to)) continue;
    await addUnitHistory(db, { unit: parent.unit, from, to }, add, depth + 1);
  }
}

// ---------------------------------------------------------------- what a unit held at a moment

/** A pack of a batch. */
export interface PackKey {
  batchId: string;
  index: number;
}

/**
 * The packs inside unit `sscc` (in it or in units inside it, at any depth) just before the event
 * at `at`: what a shipment of that unit carried. Sealed units keep their contents, so this is
 * what the unit held when shipped, whatever happened to it since.
 */
export async function packsInUnitAt(db: Executor, sscc: string, at: Position, depth = 0): Promise<PackKey[]> {
  if (depth > MAX_NESTING) throw new Error(`Unit ${sscc} is nested deeper than ${MAX_NESTING} levels`);
  const [unit] = await db.select().from(units).where(eq(units.sscc, sscc));
  if (unit === undefined || !before([unit.createdBlock, unit.createdLogIndex], at)) return [];
  const rows = await db
    .select({
      blockNumber: custodyItems.blockNumber,
      logIndex: custodyItems.logIndex,
      sscc: custodyItems.sscc,
      batchId: custodyItems.batchId,
      index: custodyItems.index,
      args: events.args,
    })
    .from(custodyItems)
    .innerJoin(
      events,
      and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
    )
    .where(eq(custodyItems.unit, sscc))
    .orderBy(custodyItems.blockNumber, custodyItems.logIndex, custodyItems.position);
  // Child units in the unit at `at`: put in by an aggregation, not taken out since.
  const children = new Set<string>();
  const entered: { key: PackKey; from: Position }[] = [];
  for (const row of rows) {
    const position: Position = [row.blockNumber, row.logIndex];
    if (!before(position, at)) break;
    const adds = Number(row.args.action) === 0;
    if (row.sscc !== null) {
      if (adds) children.add(row.sscc);
      else children.delete(row.sscc);
    } else if (row.index !== null && row.batchId !== null && adds) {
      entered.push({ key: { batchId: row.batchId, index: row.index }, from: position });
    }
  }
  if (unit.rangeBatchId !== null && unit.rangeStart !== null && unit.rangeEnd !== null) {
    for (let index = unit.rangeStart; index < unit.rangeEnd; index++) {
      entered.push({ key: { batchId: unit.rangeBatchId, index }, from: [unit.createdBlock, unit.createdLogIndex] });
    }
  }
  // A pack is still inside at `at` when its own next event after it went in comes at or after `at`
  // (for a range, when it had no event of its own before it was packed either).
  const inside: PackKey[] = [];
  const byBatch = new Map<string, { key: PackKey; from: Position }[]>();
  for (const entry of entered) byBatch.set(entry.key.batchId, [...(byBatch.get(entry.key.batchId) ?? []), entry]);
  for (const [batchId, list] of byBatch) {
    const ownEvents = await packEventPositions(
      db,
      batchId,
      list.map((entry) => entry.key.index),
    );
    for (const entry of list) {
      const own = ownEvents.get(entry.key.index) ?? [];
      const isRange =
        entry.from[0] === unit.createdBlock && entry.from[1] === unit.createdLogIndex && unit.rangeBatchId === batchId;
      if (isRange && own.some((position) => before(position, entry.from))) continue;
      const next = own.find((position) => before(entry.from, position));
      if (next === undefined || !before(next, at)) inside.push(entry.key);
    }
  }
  for (const child of [...children].sort()) inside.push(...(await packsInUnitAt(db, child, at, depth + 1)));
  return inside;
}

/** Per pack index of a batch, the positions of the events that name it, in chain order. */
async function packEventPositions(
  db: Executor,
  batchId: string,
  indexes: readonly number[],
): Promise<Map<number, Position[]>> {
  const wanted = new Set(indexes);
  const out = new Map<number, Position[]>();
  const push = (index: number, position: Position) => {
    if (!wanted.has(index)) return;
    out.set(index, [...(out.get(index) ?? []), position]);
  };
  const low = Math.min(...indexes);
  const high = Math.max(...indexes);
  const listed = await db
    .select({ blockNumber: custodyItems.blockNumber, logIndex: custodyItems.logIndex, index: custodyItems.index })
    .from(custodyItems)
    .where(and(eq(custodyItems.batchId, batchId), gte(custodyItems.index, low), lte(custodyItems.index, high)));
  for (const row of listed) push(row.index!, [row.blockNumber, row.logIndex]);
  for (const positions of out.values()) positions.sort(inChainOrder);
  return out;
}

/** What one shipment carried: each unit with the packs inside it when shipped, and the loose packs. */
export interface ShipmentContents {
  shipmentId: string;
  sender: string;
  recipient: string;
  shipmentRef: string;
  shippedBlock: number;
  shippedAt: number;
  shippedTx: string;
  items: {
    sscc: string | null;
    /** The packs: a loose pack's own key, or those inside the unit. */
    packs: PackKey[];
    status: string;
    reason: string | null;
  }[];
}

export async function shipmentContents(db: Executor, shipmentId: string): Promise<ShipmentContents | undefined> {
  const [shipment] = await db.select().from(shipments).where(eq(shipments.shipmentId, shipmentId));
  if (shipment === undefined) return undefined;
  const at: Position = [shipment.shippedBlock, shipment.shippedLogIndex];
  const rows = await db
    .select()
    .from(shipmentItems)
    .where(eq(shipmentItems.shipmentId, shipmentId))
    .orderBy(shipmentItems.position);
  const items: ShipmentContents["items"] = [];
  for (const row of rows) {
    const packs =
      row.sscc !== null ? await packsInUnitAt(db, row.sscc, at) : [{ batchId: row.batchId!, index: row.index! }];
    items.push({ sscc: row.sscc, packs, status: row.status, reason: row.reason });
  }
  return {
    shipmentId,
    sender: shipment.sender,
    recipient: shipment.recipient,
    shipmentRef: shipment.shipmentRef,
    shippedBlock: shipment.shippedBlock,
    shippedAt: shipment.shippedAt,
    shippedTx: shipment.shippedTx,
    items,
  };
}
