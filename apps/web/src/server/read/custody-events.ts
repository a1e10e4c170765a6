/**
 * The package-level ledger's stored events as the EPCIS mapping takes them (@pedigree/ledger's
 * CustodyEvent): the rows of the `events` table with their lists of units and packs resolved to
 * GTINs, lots and, where the reader may see them, serials, plus the three facts the chain events
 * leave to the read model: which packs a range actually packed (those that had moved before stay
 * where they were), which unit a decommissioned pack was taken out of, and who sent a shipment
 * that a settlement names.
 *
 * Also the history of one batch on that ledger (`batchCustodyRows`): the batch's own events, every
 * event that lists one of its packs, and the events that moved the units holding its packs while
 * they held them, as a pack's trace does (./custody.ts), for all its packs at once.
 */
import { and, eq, gte, inArray, isNotNull, lte, or, sql, type SQL } from "drizzle-orm";
import {
  quarantineOutcomeName,
  type BatchRef,
  type CustodyEvent,
  type CustodyItems,
  type CustodyPack,
  type Hex,
  type Party,
} from "@pedigree/ledger";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { batches, custodyItems, events, shipmentItems, shipments, units, type StoredEventArg } from "../db/schema.ts";
import { packList, ssccText, unitList, type PackRef } from "../indexer/custody.ts";
import { field, integer, text } from "../indexer/event-args.ts";
import { serialsOfPacks } from "../manifests/store.ts";
import { seesEverything, visiblePackSerials, type Viewer } from "./access.ts";
import { MAX_NESTING, before, inChainOrder, type Position } from "./custody.ts";
import { ledgerPartyOf, loadParties } from "./parties.ts";
import {
  accountsOf,
  batchEventRows,
  ledgerEventOf,
  ledgerEventsOf,
  selectEventRows,
  type EventRow,
} from "./timeline.ts";

type Args = Readonly<Record<string, StoredEventArg>>;

/** The package ledger's events whose lists of units and packs this module reads (the others are ledgerEventOf's). */
const LISTING_EVENTS = new Set([
  "UnitAggregated",
  "ShipmentShipped",
  "ShipmentReceived",
  "ShipmentCancelled",
  "ItemsQuarantined",
  "ItemsQuarantineEnded",
]);
/** Every custody event the package ledger emits, as the EPCIS exports take them. */
export const PACKAGE_CUSTODY_EVENT_NAMES = [
  "BatchRegistered",
  "BatchRecalled",
  "BatchSuspended",
  "BatchReinstated",
  "BatchQuarantined",
  "BatchQuarantineEnded",
  "UnitPacked",
  "PackDecommissioned",
  "PackReactivated",
  ...LISTING_EVENTS,
];
const PACK_EVENTS = ["PackDecommissioned", "PackReactivated"];

const argsOf = (row: EventRow): Args => row.args as unknown as Args;
const positionOf = (row: { blockNumber: number; logIndex: number }): Position => [row.blockNumber, row.logIndex];
const positionKey = (position: Position) => `${position[0]}:${position[1]}`;
const packKey = (batchId: string, index: number) => `${batchId}:${index}`;

/** A pack and its batch's manufacturer, for deciding whether a reader may see its serial. */
export interface NamedPack {
  batchId: string;
  index: number;
  manufacturer: string;
}

/**
 * Whether the export names `pack` by its serial in the event of `row`. Serial lists are secrets
 * (DESIGN.md): an export names only the packs its reader may see.
 */
export type PackNaming = (pack: NamedPack, row: EventRow) => boolean;

/**
 * The rule of the batch timelines (./access.ts, visiblePackSerials) for every pack an event lists:
 * regulators, the pack's batch's manufacturer and the party that recorded the event see its serial.
 */
export function viewerNaming(viewer: Viewer): PackNaming {
  if (seesEverything(viewer)) return () => true;
  const me = viewer.address.toLowerCase();
  return (pack, row) => pack.manufacturer === me || row.args.by === me;
}

/** Every pack named. For readers who see everything (the EPCIS query interface is for regulators only). */
export const everyPackNamed: PackNaming = () => true;

/**
 * The CustodyEvents of the package ledger's `rows` (chain order kept), packs named as `naming`
 * allows. Rows of events outside the mapping (participants, products) are skipped.
 */
export async function custodyEventsOf(
  db: Executor,
  rows: readonly EventRow[],
  chainId: number,
  naming: PackNaming,
): Promise<CustodyEvent[]> {
  const custody = rows.filter((row) => PACKAGE_CUSTODY_EVENT_NAMES.includes(row.name));
  const batchIds = new Set<string>();
  const shipmentIds = new Set<string>();
  for (const row of custody) {
    if (row.batchId !== null) batchIds.add(row.batchId);
    if (row.name === "ShipmentReceived" || row.name === "ShipmentCancelled") {
      shipmentIds.add(text(argsOf(row), "shipmentId", row.name));
    }
    for (const list of listedPacks(row)) for (const ref of list) batchIds.add(ref.batchId);
  }
  const [batchRows, shipmentRows] = await Promise.all([
    batchIds.size === 0
      ? []
      : db
          .select({
            batchId: batches.batchId,
            gtin: batches.gtin,
            lot: batches.lot,
            manufacturer: batches.manufacturer,
          })
          .from(batches)
          .where(inArray(batches.batchId, [...batchIds])),
    shipmentIds.size === 0
      ? []
      : db
          .select({ shipmentId: shipments.shipmentId, sender: shipments.sender, recipient: shipments.recipient })
          .from(shipments)
          .where(inArray(shipments.shipmentId, [...shipmentIds])),
  ]);
  const batchOf = new Map(batchRows.map((row) => [row.batchId, row]));
  const shipmentOf = new Map(shipmentRows.map((row) => [row.shipmentId, row]));
  for (const row of custody) {
    if (row.name !== "ShipmentReceived" && row.name !== "ShipmentCancelled") continue;
    const id = text(argsOf(row), "shipmentId", row.name);
    if (!shipmentOf.has(id)) {
      const found = await settledShipmentOf(db, row);
      if (found !== undefined) shipmentOf.set(id, found);
    }
  }

  const ranges = await packedRanges(db, custody);
  const decommissions = custody
    .filter((row) => row.name === "PackDecommissioned" && row.batchId !== null)
    .map((row) => ({ batchId: row.batchId!, index: integer(argsOf(row), "index", row.name), at: positionOf(row) }));
  const containers = await containersBefore(db, decommissions);

  // Which packs each row names, and their serials (one query).
  const named = (row: EventRow, batchId: string, index: number) => {
    const batch = batchOf.get(batchId);
    return batch !== undefined && naming({ batchId, index, manufacturer: batch.manufacturer }, row);
  };
  const wanted = new Map<string, Set<number>>();
  const want = (batchId: string, index: number) => wanted.set(batchId, (wanted.get(batchId) ?? new Set()).add(index));
  for (const row of custody) {
    for (const list of listedPacks(row)) {
      for (const ref of list) if (named(row, ref.batchId, ref.index)) want(ref.batchId, ref.index);
    }
    if (row.name === "UnitPacked" && row.batchId !== null) {
      for (const index of ranges.get(positionKey(positionOf(row))) ?? []) {
        if (named(row, row.batchId, index)) want(row.batchId, index);
      }
    }
    if (PACK_EVENTS.includes(row.name) && row.batchId !== null) {
      const index = integer(argsOf(row), "index", row.name);
      if (named(row, row.batchId, index)) want(row.batchId, index);
    }
  }
  const accounts = accountsOf(custody);
  for (const row of shipmentOf.values()) accounts.add(row.sender).add(row.recipient);
  const [serials, partyOf] = await Promise.all([serialsOfPacks(db, wanted), loadParties(db, accounts)]);
  const party = (address: string): Party => ledgerPartyOf(partyOf(address));

  const batchRef = (batchId: string, what: string): BatchRef => {
    const batch = batchOf.get(batchId);
    if (batch === undefined) throw new Error(`${what} names batch ${batchId}, which the read model does not hold`);
    return { batchId: batchId as Hex, gtin: batch.gtin, lot: batch.lot };
  };
  const custodyPack = (row: EventRow, batchId: string, index: number, within: string | null): CustodyPack => {
    const serial = named(row, batchId, index) ? serials.get(packKey(batchId, index)) : undefined;
    return {
      batch: batchRef(batchId, row.name),
      index,
      ...(serial === undefined ? {} : { serial }),
      ...(within === null ? {} : { within }),
    };
  };
  const items = (row: EventRow, unitsKey: string, packsKey: string): CustodyItems => ({
    units: unitList(argsOf(row), row.name, unitsKey),
    packs: packList(argsOf(row), row.name, packsKey).map((ref) => custodyPack(row, ref.batchId, ref.index, ref.within)),
  });

  const out: CustodyEvent[] = [];
  for (const row of custody) {
    const a = argsOf(row);
    const name = row.name;
    const base = {
      chainId,
      blockNumber: row.blockNumber,
      transactionHash: row.transactionHash as Hex,
      logIndex: row.logIndex,
      timestamp: row.timestamp,
    };
    const shipment = () => {
      const id = text(a, "shipmentId", name);
      const found = shipmentOf.get(id);
      if (found === undefined) throw new Error(`${name} settles shipment ${id}, which the read model does not hold`);
      return { shipmentId: id as Hex, sender: party(found.sender), recipient: party(found.recipient) };
    };
    switch (name) {
      case "UnitPacked": {
        const batchId = text(a, "batchId", name);
        out.push({
          ...base,
          eventName: "UnitPacked",
          sscc: ssccText(field(a, "sscc", name)),
          by: party(text(a, "by", name)),
          batch: batchRef(batchId, name),
          firstIndex: integer(a, "firstIndex", name),
          count: integer(a, "count", name),
          packs: (ranges.get(positionKey(positionOf(row))) ?? []).map((index) =>
            custodyPack(row, batchId, index, null),
          ),
        });
        break;
      }
      case "UnitAggregated":
        out.push({
          ...base,
          eventName: "UnitAggregated",
          sscc: ssccText(field(a, "sscc", name)),
          action: integer(a, "action", name) === 0 ? "ADD" : "DELETE",
          by: party(text(a, "by", name)),
          items: items(row, "units", "packs"),
        });
        break;
      case "ShipmentShipped":
        out.push({
          ...base,
          eventName: "ShipmentShipped",
          shipmentId: text(a, "shipmentId", name) as Hex,
          from: party(text(a, "by", name)),
          to: party(text(a, "to", name)),
          shipmentRef: text(a, "shipmentRef", name) as Hex,
          items: items(row, "units", "packs"),
        });
        break;
      case "ShipmentReceived": {
        const { shipmentId, sender } = shipment();
        out.push({
          ...base,
          eventName: "ShipmentReceived",
          shipmentId,
          by: party(text(a, "by", name)),
          from: sender,
          received: items(row, "units", "packs"),
          rejected: items(row, "rejectedUnits", "rejectedPacks"),
          reason: typeof a.reason === "string" ? a.reason : "",
        });
        break;
      }
      case "ShipmentCancelled": {
        const { shipmentId, recipient } = shipment();
        out.push({
          ...base,
          eventName: "ShipmentCancelled",
          shipmentId,
          by: party(text(a, "by", name)),
          to: recipient,
          items: items(row, "units", "packs"),
        });
        break;
      }
      case "ItemsQuarantined":
        out.push({
          ...base,
          eventName: "ItemsQuarantined",
          by: party(text(a, "by", name)),
          items: items(row, "units", "packs"),
          reason: text(a, "reason", name),
        });
        break;
      case "ItemsQuarantineEnded":
        out.push({
          ...base,
          eventName: "ItemsQuarantineEnded",
          by: party(text(a, "by", name)),
          outcome: quarantineOutcomeName(integer(a, "outcome", name)),
          items: items(row, "units", "packs"),
          reason: text(a, "reason", name),
        });
        break;
      case "BatchQuarantined":
        out.push({
          ...base,
          eventName: "BatchQuarantined",
          batch: batchRef(text(a, "batchId", name), name),
          by: party(text(a, "by", name)),
          reason: text(a, "reason", name),
        });
        break;
      case "BatchQuarantineEnded":
        out.push({
          ...base,
          eventName: "BatchQuarantineEnded",
          batch: batchRef(text(a, "batchId", name), name),
          by: party(text(a, "by", name)),
          outcome: quarantineOutcomeName(integer(a, "outcome", name)),
          reason: text(a, "reason", name),
        });
        break;
      default: {
        // The events both ledgers share (registration, recall, suspension, decommissioning...).
        const event = ledgerEventOf(row, chainId, partyOf, serials);
        if (event === undefined) break;
        // The serials were read for every row at once: another row may name a pack this one may not.
        if (
          PACK_EVENTS.includes(event.eventName) &&
          "index" in event &&
          !named(row, event.batch.batchId, event.index)
        ) {
          delete event.serial;
        }
        if (event.eventName !== "PackDecommissioned") {
          out.push(event);
          break;
        }
        const within = containers.get(`${packKey(event.batch.batchId, event.index)}@${positionKey(positionOf(row))}`);
        out.push(within === undefined || within === null ? event : { ...event, within });
      }
    }
  }
  return out;
}

/** The pack lists of a row that lists items (none for the others). */
function listedPacks(row: EventRow): PackRef[][] {
  if (!LISTING_EVENTS.has(row.name) || !Array.isArray(row.args.packs)) return [];
  const args = argsOf(row);
  const lists = [packList(args, row.name)];
  if (row.name === "ShipmentReceived") lists.push(packList(args, row.name, "rejectedPacks"));
  return lists;
}

/**
 * The shipment a settlement settled, found through the items it settled: the chain does not check
 * the shipment id a settlement quotes, and the read model settles each item against the shipment
 * that put it in transit (../indexer/custody.ts).
 */
async function settledShipmentOf(
  db: Executor,
  row: EventRow,
): Promise<{ shipmentId: string; sender: string; recipient: string } | undefined> {
  const args = argsOf(row);
  const [unit] = unitList(args, row.name);
  const [ref] = packList(args, row.name);
  const item =
    unit !== undefined
      ? eq(shipmentItems.sscc, unit)
      : ref !== undefined
        ? and(eq(shipmentItems.batchId, ref.batchId), eq(shipmentItems.index, ref.index))
        : undefined;
  if (item === undefined) return undefined;
  const [found] = await db
    .select({ shipmentId: shipments.shipmentId, sender: shipments.sender, recipient: shipments.recipient })
    .from(shipmentItems)
    .innerJoin(shipments, eq(shipments.shipmentId, shipmentItems.shipmentId))
    .where(and(item, eq(shipmentItems.settledBlock, row.blockNumber)))
    .limit(1);
  return found;
}

/**
 * Per pack of the given batches, the positions of the events that name it (the lists of custody
 * events, and its decommissionings and reactivations), in chain order; and per custody position
 * whether it put the pack into a unit (an aggregation ADD) and which.
 */
async function ownEventsOf(
  db: Executor,
  packs: ReadonlyMap<string, ReadonlySet<number>>,
): Promise<Map<string, { at: Position; into: string | null }[]>> {
  const out = new Map<string, { at: Position; into: string | null }[]>();
  const add = (batchId: string, index: number, at: Position, into: string | null) => {
    const key = packKey(batchId, index);
    out.set(key, [...(out.get(key) ?? []), { at, into }]);
  };
  for (const [batchId, indexes] of packs) {
    if (indexes.size === 0) continue;
    // Bounds rather than a list: a range-packed case may hold thousands of packs.
    let low = Infinity;
    let high = -Infinity;
    for (const index of indexes) [low, high] = [Math.min(low, index), Math.max(high, index)];
    const listed = await db
      .select({
        blockNumber: custodyItems.blockNumber,
        logIndex: custodyItems.logIndex,
        index: custodyItems.index,
        unit: custodyItems.unit,
        name: events.name,
        action: sql<string | null>`${events.args}->>'action'`,
      })
      .from(custodyItems)
      .innerJoin(
        events,
        and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
      )
      .where(and(eq(custodyItems.batchId, batchId), gte(custodyItems.index, low), lte(custodyItems.index, high)));
    for (const row of listed) {
      if (!indexes.has(row.index!)) continue;
      const into = row.name === "UnitAggregated" && row.action === "0" ? row.unit : null;
      add(batchId, row.index!, positionOf(row), into);
    }
    const own = await db
      .select({
        blockNumber: events.blockNumber,
        logIndex: events.logIndex,
        index: sql<string>`${events.args}->>'index'`,
      })
      .from(events)
      .where(and(eq(events.batchId, batchId), inArray(events.name, PACK_EVENTS)));
    for (const row of own) if (indexes.has(Number(row.index))) add(batchId, Number(row.index), positionOf(row), null);
  }
  for (const list of out.values()) list.sort((a, b) => inChainOrder(a.at, b.at));
  return out;
}

/**
 * Per UnitPacked row (by position), the indexes its range packed: those of [firstIndex,
 * firstIndex + count) that had no event of their own before it (the others stay where they were).
 */
async function packedRanges(db: Executor, rows: readonly EventRow[]): Promise<Map<string, number[]>> {
  const packed = rows.filter((row) => row.name === "UnitPacked" && row.batchId !== null);
  const out = new Map<string, number[]>();
  if (packed.length === 0) return out;
  const wanted = new Map<string, Set<number>>();
  const ranges = packed.map((row) => {
    const a = argsOf(row);
    const start = integer(a, "firstIndex", row.name);
    const end = start + integer(a, "count", row.name);
    return { row, batchId: row.batchId!, start, end };
  });
  for (const { batchId, start, end } of ranges) {
    const set = wanted.get(batchId) ?? new Set<number>();
    for (let index = start; index < end; index++) set.add(index);
    wanted.set(batchId, set);
  }
  const own = await ownEventsOf(db, wanted);
  for (const { row, batchId, start, end } of ranges) {
    const at = positionOf(row);
    const indexes: number[] = [];
    for (let index = start; index < end; index++) {
      const first = own.get(packKey(batchId, index))?.[0];
      if (first === undefined || !before(first.at, at)) indexes.push(index);
    }
    out.set(positionKey(at), indexes);
  }
  return out;
}

/**
 * The unit that directly contained each pack just before the event at `at` (null when loose):
 * the unit its last event before then put it into, or, when it had none, the range-packed case
 * whose range holds it. Keyed `<batchId>:<index>@<block>:<log>`.
 */
export async function containersBefore(
  db: Executor,
  packs: readonly { batchId: string; index: number; at: Position }[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (packs.length === 0) return out;
  const wanted = new Map<string, Set<number>>();
  for (const { batchId, index } of packs) wanted.set(batchId, (wanted.get(batchId) ?? new Set()).add(index));
  const [own, rangeUnits] = await Promise.all([
    ownEventsOf(db, wanted),
    db
      .select({
        sscc: units.sscc,
        batchId: units.rangeBatchId,
        start: units.rangeStart,
        end: units.rangeEnd,
        createdBlock: units.createdBlock,
        createdLogIndex: units.createdLogIndex,
      })
      .from(units)
      .where(inArray(units.rangeBatchId, [...wanted.keys()])),
  ]);
  for (const { batchId, index, at } of packs) {
    const earlier = (own.get(packKey(batchId, index)) ?? []).filter((event) => before(event.at, at));
    const last = earlier.at(-1);
    let container: string | null = null;
    if (last !== undefined) container = last.into;
    else {
      const range = rangeUnits.find(
        (unit) =>
          unit.batchId === batchId &&
          unit.start! <= index &&
          index < unit.end! &&
          before([unit.createdBlock, unit.createdLogIndex], at),
      );
      container = range?.sscc ?? null;
    }
    out.set(`${packKey(batchId, index)}@${positionKey(at)}`, container);
  }
  return out;
}

// ---------------------------------------------------------------- a batch's history

/** A stretch of the chain, from one position to another (null: still open). */
interface Interval {
  from: Position;
  to: Position | null;
}

const contains = (interval: Interval, position: Position) =>
  !before(position, interval.from) && (interval.to === null || before(position, interval.to));

function merged(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => inChainOrder(a.from, b.from));
  const out: Interval[] = [];
  for (const interval of sorted) {
    const last = out.at(-1);
    if (last !== undefined && (last.to === null || !before(last.to, interval.from))) {
      if (last.to !== null && (interval.to === null || before(last.to, interval.to))) last.to = interval.to;
    } else out.push({ ...interval });
  }
  return out;
}

function intersection(a: Interval, b: Interval): Interval | null {
  const from = before(a.from, b.from) ? b.from : a.from;
  const to = a.to === null ? b.to : b.to === null ? a.to : before(a.to, b.to) ? a.to : b.to;
  return to !== null && !before(from, to) ? null : { from, to };
}

/**
 * The events of one batch on the package-level ledger, in chain order: its own (registration,
 * packing of its ranges, decommissionings, recalls, quarantines), every custody event listing one
 * of its packs, and the events that moved a unit while the unit held packs of the batch (in it, or
 * in units inside it): what the batch's timeline and exports show.
 */
export async function batchCustodyRows(db: Executor, batchId: string): Promise<EventRow[]> {
  const own = await batchEventRows(db, batchId);
  const found = new Map<string, Position>();
  const add = (position: Position) => found.set(positionKey(position), position);

  // Every event listing a pack of the batch, and each pack's own events in chain order.
  const listed = await db
    .select({
      blockNumber: custodyItems.blockNumber,
      logIndex: custodyItems.logIndex,
      index: custodyItems.index,
      unit: custodyItems.unit,
      name: events.name,
      action: sql<string | null>`${events.args}->>'action'`,
    })
    .from(custodyItems)
    .innerJoin(
      events,
      and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
    )
    .where(and(eq(custodyItems.batchId, batchId), isNotNull(custodyItems.index)));
  const ownOf = new Map<number, { at: Position; into: string | null }[]>();
  const push = (index: number, at: Position, into: string | null) =>
    ownOf.set(index, [...(ownOf.get(index) ?? []), { at, into }]);
  for (const row of listed) {
    add(positionOf(row));
    push(row.index!, positionOf(row), row.name === "UnitAggregated" && row.action === "0" ? row.unit : null);
  }
  for (const row of own) if (PACK_EVENTS.includes(row.name)) push(Number(row.args.index), positionOf(row), null);
  for (const list of ownOf.values()) list.sort((a, b) => inChainOrder(a.at, b.at));

  // The stays of its packs in the units that directly held them.
  const staysIn = new Map<string, Interval[]>();
  const stay = (unit: string, interval: Interval) => staysIn.set(unit, [...(staysIn.get(unit) ?? []), interval]);
  for (const list of ownOf.values()) {
    list.forEach((event, i) => {
      if (event.into !== null) stay(event.into, { from: event.at, to: list[i + 1]?.at ?? null });
    });
  }
  const ranges = await db
    .select({
      sscc: units.sscc,
      start: units.rangeStart,
      end: units.rangeEnd,
      createdBlock: units.createdBlock,
      createdLogIndex: units.createdLogIndex,
    })
    .from(units)
    .where(eq(units.rangeBatchId, batchId));
  for (const range of ranges) {
    const packedAt: Position = [range.createdBlock, range.createdLogIndex];
    let to: Position | null = packedAt;
    for (let index = range.start!; index < range.end! && to !== null; index++) {
      const first = ownOf.get(index)?.[0];
      if (first !== undefined && before(first.at, packedAt)) continue; // it stayed where it was
      if (first === undefined) to = null;
      else if (before(to, first.at)) to = first.at;
    }
    if (to === null || before(packedAt, to)) stay(range.sscc, { from: packedAt, to });
  }

  // Up the nesting: what moved each unit while it held the batch's packs, and its stays in parents.
  let level = new Map([...staysIn].map(([unit, list]) => [unit, merged(list)]));
  for (let depth = 0; level.size > 0; depth++) {
    if (depth > MAX_NESTING) throw new Error(`Units holding batch ${batchId} are nested deeper than ${MAX_NESTING}`);
    const rows = await db
      .select({
        blockNumber: custodyItems.blockNumber,
        logIndex: custodyItems.logIndex,
        sscc: custodyItems.sscc,
        unit: custodyItems.unit,
        action: sql<string | null>`${events.args}->>'action'`,
      })
      .from(custodyItems)
      .innerJoin(
        events,
        and(eq(events.blockNumber, custodyItems.blockNumber), eq(events.logIndex, custodyItems.logIndex)),
      )
      .where(inArray(custodyItems.sscc, [...level.keys()]))
      .orderBy(custodyItems.blockNumber, custodyItems.logIndex);
    const parents = new Map<string, Interval[]>();
    const open = new Map<string, { parent: string; from: Position }>();
    const close = (unit: string, to: Position | null) => {
      const inParent = open.get(unit);
      if (inParent === undefined) return;
      open.delete(unit);
      for (const interval of level.get(unit) ?? []) {
        const both = intersection(interval, { from: inParent.from, to });
        if (both !== null) parents.set(inParent.parent, [...(parents.get(inParent.parent) ?? []), both]);
      }
    };
    for (const row of rows) {
      const unit = row.sscc!;
      const at = positionOf(row);
      if ((level.get(unit) ?? []).some((interval) => contains(interval, at))) add(at);
      if (row.unit === null) continue;
      // Put into, or taken out of, a parent unit.
      if (row.action === "0") open.set(unit, { parent: row.unit, from: at });
      else close(unit, at);
    }
    for (const unit of [...open.keys()]) close(unit, null);
    level = new Map([...parents].map(([unit, list]) => [unit, merged(list)]));
  }

  const ownKeys = new Set(own.map((row) => positionKey(positionOf(row))));
  const missing = [...found.values()].filter((position) => !ownKeys.has(positionKey(position)));
  const more = await eventRowsAt(db, missing);
  return [...own, ...more].sort((a, b) => inChainOrder(positionOf(a), positionOf(b)));
}

/** The event rows at the given positions, in chain order. */
export async function eventRowsAt(db: Executor, positions: readonly Position[]): Promise<EventRow[]> {
  const out: EventRow[] = [];
  for (let i = 0; i < positions.length; i += 5_000) {
    const chunk = positions.slice(i, i + 5_000);
    const pairs = sql.join(
      chunk.map(([block, log]) => sql`(${block}::bigint, ${log}::integer)`),
      sql`, `,
    );
    out.push(...(await selectEventRows(db, sql`(${events.blockNumber}, ${events.logIndex}) in (${pairs})`)));
  }
  return out.sort((a, b) => inChainOrder(positionOf(a), positionOf(b)));
}

/** The history a batch's timeline and exports show: the package ledger's (above), or the count ledger's events of the batch. */
export function batchHistoryRows(ctx: AppContext, batchId: string): Promise<EventRow[]> {
  return ctx.ledger.kind === "package" ? batchCustodyRows(ctx.db, batchId) : batchEventRows(ctx.db, batchId);
}

/**
 * A batch's events as the EPCIS mapping takes them (./batch.ts's exports), packs named by serial as
 * `viewer` may see them: on the package-level ledger with its units' custody, on the count ledger
 * its own events.
 */
export async function batchCustodyEvents(ctx: AppContext, batchId: string, viewer: Viewer): Promise<CustodyEvent[]> {
  const rows = await batchHistoryRows(ctx, batchId);
  return ctx.ledger.kind === "package"
    ? custodyEventsOf(ctx.db, rows, ctx.ledger.chainId, viewerNaming(viewer))
    : ledgerEventsOf(ctx.db, rows, ctx.ledger.chainId, await visiblePackSerials(ctx, viewer, rows));
}

/** The SSCCs the events name, for looking up their company prefixes (EPCIS 1.2 writes them as EPC URNs). */
export function ssccsOf(events: readonly CustodyEvent[]): string[] {
  const out = new Set<string>();
  for (const event of events) {
    if ("sscc" in event) out.add(event.sscc);
    const lists =
      event.eventName === "ShipmentReceived" ? [event.received, event.rejected] : "items" in event ? [event.items] : [];
    for (const list of lists) {
      for (const unit of list.units) out.add(unit);
      for (const pack of list.packs) if (pack.within !== undefined) out.add(pack.within);
    }
    if ("within" in event && event.within !== undefined) out.add(event.within);
  }
  return [...out];
}

/** A condition on `events` rows: those listing (or, for `unit`, being about) any of the given units and packs. */
export function listingCondition(what: {
  units?: readonly string[];
  packs?: readonly { batchId: string; index: number }[];
}): SQL {
  const conditions: SQL[] = [];
  if (what.units !== undefined && what.units.length > 0) {
    conditions.push(
      sql`exists (select 1 from ${custodyItems} where ${custodyItems.blockNumber} = ${events.blockNumber} and ${custodyItems.logIndex} = ${events.logIndex} and (${inArray(custodyItems.sscc, [...what.units])} or ${inArray(custodyItems.unit, [...what.units])}))`,
    );
  }
  for (const pack of what.packs ?? []) {
    conditions.push(
      sql`exists (select 1 from ${custodyItems} where ${custodyItems.blockNumber} = ${events.blockNumber} and ${custodyItems.logIndex} = ${events.logIndex} and ${custodyItems.batchId} = ${pack.batchId} and ${custodyItems.index} = ${pack.index})`,
    );
  }
  return or(...conditions) ?? sql`false`;
}
