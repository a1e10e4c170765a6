/**
 * Package-level custody in the read model: the places of units and packs, as a function of the
 * package-level ledger's events (contracts/PedigreePackageLedger.sol).
 *
 * Each event says enough to write the new places of what it lists, except three things it leaves
 * to the state before it: where a pack that never moved is (loose with its manufacturer, or inside
 * the range-packed case whose range holds it), which shipment put an item in transit (a settlement
 * quotes a shipment id the chain does not check), and whose stock a quarantine holds. So `flush`
 * loads the rows of every unit, pack and batch the step names, folds the events over them in
 * memory in chain order, and writes what changed in a few multi-row statements, as `Projection`
 * does for the rest of the read model.
 *
 * A unit or pack inside a unit names only its parent, as on chain: moving a pallet changes one row
 * whatever it holds, and a holder is found by walking up (../read/custody.ts).
 *
 * The fold also keeps `holdings` (the packs of each batch each party holds, loose or inside units
 * whose top-most unit it holds, quarantined included) and, for that, `unit_contents` (each unit's
 * packs by batch, at any depth). Every change of place goes through `setUnit` or `setPack`, which
 * move the item's contents out of the custody and the units around it before and into those
 * after: a pallet's shipment is one holdings change per batch on it, whatever it holds.
 */
import { and, eq, gt, gte, inArray, lt, lte, or, sql } from "drizzle-orm";
import { aggregationName, packStateName, quarantineOutcomeName } from "@pedigree/ledger";
import type { Executor } from "../db/database.ts";
import {
  batches,
  custodyItems,
  packPlaces,
  participants,
  shipmentItems,
  shipmentLines,
  shipments,
  unitContents,
  units,
} from "../db/schema.ts";
import { MAX_NESTING } from "../read/custody.ts";
import { chunks, field, integer, text } from "./event-args.ts";
import type { EventArg, EventRow } from "./events.ts";
import { HoldingDeltas } from "./holdings.ts";
import { raiseIllegitimateAlerts, type IllegitimateFinding } from "./illegitimate.ts";

type UnitRow = typeof units.$inferSelect;
type PackRow = typeof packPlaces.$inferSelect;
type CustodyItemRow = typeof custodyItems.$inferInsert;
type ShipmentItemRow = typeof shipmentItems.$inferInsert;
type ShipmentRow = typeof shipments.$inferInsert;
/** A change of a shipment line: `quantity` is added to the row (shipment, batch, status). */
type ShipmentLineChange = typeof shipmentLines.$inferInsert;

/** The events this projection folds; every other event is the main projection's. */
export const CUSTODY_EVENTS = new Set([
  "UnitPacked",
  "UnitAggregated",
  "ShipmentShipped",
  "ShipmentReceived",
  "ShipmentCancelled",
  "PackDecommissioned",
  "PackReactivated",
  "ItemsQuarantined",
  "ItemsQuarantineEnded",
]);

/** A place as both tables keep it. */
interface Place {
  place: "HELD" | "IN_UNIT" | "IN_TRANSIT" | "QUARANTINED" | "DECOMMISSIONED" | "DESTROYED";
  party: string | null;
  recipient: string | null;
  parent: string | null;
  shipmentId: string | null;
  byRegulator: boolean;
}

const held = (party: string): Place => ({
  place: "HELD",
  party,
  recipient: null,
  parent: null,
  shipmentId: null,
  byRegulator: false,
});

export interface PackRef {
  batchId: string;
  index: number;
  /** The unit the event says directly contains it, or null when loose. */
  within: string | null;
}

interface BatchFacts {
  manufacturer: string;
  packedUpTo: number;
}

const packKey = (batchId: string, index: number) => `${batchId}/${index}`;

/** Whose stock something is: the holder of it (or of its top-most unit), and whether it is quarantined there. */
interface Custody {
  holder: string;
  quarantined: boolean;
}

/** Packs by batch id. */
type Contents = Map<string, number>;

/** An SSCC as the read model writes it: 18 digits (the chain carries it as a number). */
export function ssccText(value: EventArg | bigint): string {
  const digits = typeof value === "bigint" ? value.toString() : String(value);
  if (!/^\d{1,18}$/.test(digits)) throw new TypeError(`${digits} is not an SSCC`);
  return digits.padStart(18, "0");
}

/** The units an event lists in `key` (default `units`; a settlement's rejected ones in `rejectedUnits`). */
export function unitList(args: Readonly<Record<string, EventArg>>, event: string, key = "units"): string[] {
  const list = field(args, key, event);
  if (!Array.isArray(list)) throw new TypeError(`${event}.${key} should be a list`);
  return list.map((value: EventArg) => ssccText(value));
}

/** The packs an event lists in `key` (default `packs`; a settlement's rejected ones in `rejectedPacks`). */
export function packList(args: Readonly<Record<string, EventArg>>, event: string, key = "packs"): PackRef[] {
  const list = field(args, key, event);
  if (!Array.isArray(list)) throw new TypeError(`${event}.${key} should be a list`);
  return list.map((value: EventArg, i: number) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TypeError(`${event}.${key}[${i}] should be a PackRef`);
    }
    const ref = value as Readonly<Record<string, EventArg>>;
    const unit = text(ref, "unit", `${event}.${key}[${i}]`);
    return {
      batchId: text(ref, "batchId", `${event}.${key}[${i}]`),
      index: integer(ref, "index", `${event}.${key}[${i}]`),
      within: unit === "0" ? null : ssccText(unit),
    };
  });
}

/** Every unit and pack an event lists, whichever its lists. */
function everyListed(args: Readonly<Record<string, EventArg>>, event: string): { units: string[]; packs: PackRef[] } {
  const rejected = "rejectedUnits" in args;
  return {
    units: [...unitList(args, event), ...(rejected ? unitList(args, event, "rejectedUnits") : [])],
    packs: [...packList(args, event), ...(rejected ? packList(args, event, "rejectedPacks") : [])],
  };
}

/** The state of a pack during the fold: its own row, or where a pack that never moved is. */
type PackNow = { kind: "row"; row: PackRow } | { kind: "fresh"; parent: string | null; manufacturer: string };

export class CustodyProjection {
  readonly #events: EventRow[] = [];

  /** Takes a custody event for the next flush; false for an event that is not one. */
  apply(event: EventRow): boolean {
    if (!CUSTODY_EVENTS.has(event.name)) return false;
    this.#events.push(event);
    return true;
  }

  async flush(tx: Executor): Promise<void> {
    if (this.#events.length === 0) return;
    const state = await StepState.load(tx, this.#events);
    for (const event of this.#events) state.fold(event);
    await state.write(tx);
    await raiseIllegitimateAlerts(tx, state.findings);
  }
}

/** The rows a step reads and writes, folded in memory. */
class StepState {
  readonly units = new Map<string, UnitRow>();
  readonly packs = new Map<string, PackRow>();
  readonly batches = new Map<string, BatchFacts>();
  /** Range-packed units by batch, for packs that never moved: [start, end, sscc]. */
  readonly ranges = new Map<string, [number, number, string][]>();
  readonly changedUnits = new Set<string>();
  readonly changedPacks = new Set<string>();
  readonly changedBatches = new Set<string>();
  /** Per unit, its packs by batch at any depth (loaded for every unit the step loaded). */
  readonly contents = new Map<string, Contents>();
  /** The (unit, batch) pairs whose count changed: `${sscc}|${batchId}`. */
  readonly changedContents = new Set<string>();
  /** Per batch, the indexes of its packs that have a row (moved at least once), loaded or written. */
  readonly movedIndexes = new Map<string, Set<number>>();
  readonly holdings = new HoldingDeltas();
  readonly items: CustodyItemRow[] = [];
  readonly newShipments: ShipmentRow[] = [];
  /** The shipments the step ships or settles items of, by id. */
  readonly shipmentFacts = new Map<string, ShipmentRow>();
  readonly shipmentItems = new Map<string, ShipmentItemRow>();
  /** Changes of shipment lines, by `${shipmentId}|${batchId}|${status}`. */
  readonly lineChanges = new Map<string, ShipmentLineChange>();
  /** The regulators among those who quarantined something in the step. */
  readonly regulators = new Set<string>();
  /** The quarantines the step ended ILLEGITIMATE: each raises an alert naming what it destroyed (./illegitimate.ts). */
  readonly findings: IllegitimateFinding[] = [];
  /** Per item (sscc or pack key) in transit: its shipment and position there. */
  readonly transitOf = new Map<string, { shipmentId: string; position: number }>();

  static async load(tx: Executor, events: readonly EventRow[]): Promise<StepState> {
    const state = new StepState();
    const ssccs = new Set<string>();
    const packs = new Map<string, { batchId: string; index: number }>();
    const batchIds = new Set<string>();
    const quarantiners = new Set<string>();
    /** The ranges packed in the step: the packs of them that moved before are not in the case. */
    const packedRanges: { batchId: string; start: number; end: number }[] = [];
    const addPack = (batchId: string, index: number) => {
      packs.set(packKey(batchId, index), { batchId, index });
      batchIds.add(batchId);
    };
    for (const event of events) {
      const a = event.args;
      if (event.name === "PackDecommissioned" || event.name === "PackReactivated") {
        addPack(text(a, "batchId", event.name), integer(a, "index", event.name));
        continue;
      }
      if (event.name === "ItemsQuarantined") quarantiners.add(text(a, "by", event.name));
      if ("sscc" in a) ssccs.add(ssccText(field(a, "sscc", event.name)));
      if (event.name === "UnitPacked") {
        const batchId = text(a, "batchId", event.name);
        const start = integer(a, "firstIndex", event.name);
        batchIds.add(batchId);
        packedRanges.push({ batchId, start, end: start + integer(a, "count", event.name) });
        continue;
      }
      const listed = everyListed(a, event.name);
      for (const sscc of listed.units) ssccs.add(sscc);
      for (const ref of listed.packs) {
        addPack(ref.batchId, ref.index);
        if (ref.within !== null) ssccs.add(ref.within);
      }
    }

    for (const chunk of chunks([...ssccs])) {
      const found = await tx.select().from(units).where(inArray(units.sscc, chunk));
      for (const row of found) state.units.set(row.sscc, row);
    }
    for (const chunk of chunks([...packs.values()])) {
      const keys = sql.join(
        chunk.map((p) => sql`(${p.batchId}::text, ${p.index}::integer)`),
        sql`, `,
      );
      const found = await tx
        .select()
        .from(packPlaces)
        .where(sql`(${packPlaces.batchId}, ${packPlaces.index}) in (${keys})`);
      for (const row of found) state.rememberPack(row);
    }
    for (const chunk of chunks(packedRanges, 500)) {
      const found = await tx
        .select()
        .from(packPlaces)
        .where(
          or(
            ...chunk.map((r) =>
              and(eq(packPlaces.batchId, r.batchId), gte(packPlaces.index, r.start), lt(packPlaces.index, r.end)),
            ),
          ),
        );
      for (const row of found) state.rememberPack(row);
    }
    for (const chunk of chunks([...batchIds])) {
      const found = await tx
        .select({ batchId: batches.batchId, manufacturer: batches.manufacturer, packedUpTo: batches.packedUpTo })
        .from(batches)
        .where(inArray(batches.batchId, chunk));
      for (const row of found)
        state.batches.set(row.batchId, { manufacturer: row.manufacturer, packedUpTo: row.packedUpTo });
    }
    // The units directly containing packs that moved before (a decommissioning names none).
    const parents = [...state.packs.values()]
      .map((row) => row.parent)
      .filter((parent): parent is string => parent !== null && !state.units.has(parent));
    for (const chunk of chunks([...new Set(parents)])) {
      for (const row of await tx.select().from(units).where(inArray(units.sscc, chunk))) state.addUnit(row);
    }
    if (quarantiners.size > 0) {
      const found = await tx
        .select({ address: participants.address })
        .from(participants)
        .where(and(inArray(participants.address, [...quarantiners]), eq(participants.role, "REGULATOR")));
      for (const row of found) state.regulators.add(row.address);
    }
    // The range-packed units holding packs that never moved (no row yet), named by the event or not.
    const fresh = [...packs.values()].filter((p) => !state.packs.has(packKey(p.batchId, p.index)));
    for (const chunk of chunks(fresh, 500)) {
      const found = await tx
        .select()
        .from(units)
        .where(
          or(
            ...chunk.map((p) =>
              and(eq(units.rangeBatchId, p.batchId), lte(units.rangeStart, p.index), gt(units.rangeEnd, p.index)),
            ),
          ),
        );
      for (const row of found) state.addUnit(row);
    }
    // Every unit around those loaded, up to the top-most: whose stock their contents are.
    for (let depth = 0; ; depth++) {
      const missing = [...state.units.values()]
        .filter((row) => row.place === "IN_UNIT" && row.parent !== null && !state.units.has(row.parent))
        .map((row) => row.parent!);
      if (missing.length === 0) break;
      if (depth > MAX_NESTING) throw new Error(`Units ${missing.join(", ")} are nested deeper than ${MAX_NESTING}`);
      for (const chunk of chunks([...new Set(missing)])) {
        for (const row of await tx.select().from(units).where(inArray(units.sscc, chunk))) state.addUnit(row);
      }
      const unknown = missing.find((sscc) => !state.units.has(sscc));
      if (unknown !== undefined)
        throw new Error(`A unit is inside unit ${unknown}, which the read model does not know`);
    }
    for (const chunk of chunks([...state.units.keys()])) {
      for (const row of await tx.select().from(unitContents).where(inArray(unitContents.sscc, chunk))) {
        state.contentsOf(row.sscc).set(row.batchId, row.packs);
      }
    }
    for (const row of state.units.values()) state.indexRange(row);
    // Items in transit: which shipment (and position there) put them in transit.
    const inTransit = [
      ...[...state.units.values()].filter((u) => u.place === "IN_TRANSIT").map((u) => ({ key: u.sscc, u })),
    ];
    const transitPacks = [...state.packs.values()].filter((p) => p.place === "IN_TRANSIT");
    const shipmentIds = new Set<string>([
      ...inTransit.map((t) => t.u.shipmentId!),
      ...transitPacks.map((p) => p.shipmentId!),
    ]);
    for (const chunk of chunks([...shipmentIds])) {
      const found = await tx
        .select()
        .from(shipmentItems)
        .where(and(inArray(shipmentItems.shipmentId, chunk), eq(shipmentItems.status, "PENDING")));
      for (const row of found) {
        const itemKey = row.sscc ?? packKey(row.batchId!, row.index!);
        state.transitOf.set(itemKey, { shipmentId: row.shipmentId, position: row.position });
      }
      for (const row of await tx.select().from(shipments).where(inArray(shipments.shipmentId, chunk))) {
        state.shipmentFacts.set(row.shipmentId, row);
      }
    }
    return state;
  }

  addUnit(row: UnitRow): void {
    if (!this.units.has(row.sscc)) this.units.set(row.sscc, row);
  }

  rememberPack(row: PackRow): void {
    const key = packKey(row.batchId, row.index);
    if (this.packs.has(key)) return;
    this.packs.set(key, row);
    const moved = this.movedIndexes.get(row.batchId) ?? new Set<number>();
    moved.add(row.index);
    this.movedIndexes.set(row.batchId, moved);
  }

  contentsOf(sscc: string): Contents {
    let contents = this.contents.get(sscc);
    if (contents === undefined) {
      contents = new Map();
      this.contents.set(sscc, contents);
    }
    return contents;
  }

  /** Whose stock a unit and everything inside it is: that of its top-most unit, if anyone's. */
  unitCustody(sscc: string): Custody | null {
    let row = this.units.get(sscc);
    for (let depth = 0; row !== undefined && row.place === "IN_UNIT"; depth++) {
      if (depth > MAX_NESTING) throw new Error(`Unit ${sscc} is nested deeper than ${MAX_NESTING} levels`);
      row = this.units.get(row.parent!);
    }
    if (row === undefined) throw new Error(`Unit ${sscc} or a unit around it is not in the read model`);
    return placeCustody(row);
  }

  /** Whose stock something in `place` is (a pack's or a unit's own place). */
  custody(place: Place): Custody | null {
    return place.place === "IN_UNIT" ? this.unitCustody(place.parent!) : placeCustody(place);
  }

  /** Adds `sign` times `packs` to the contents of `sscc` and of every unit around it. */
  addInside(sscc: string | null, packs: Contents, sign: 1 | -1): void {
    for (let unit = sscc, depth = 0; unit !== null; depth++) {
      if (depth > MAX_NESTING) throw new Error(`Unit ${sscc} is nested deeper than ${MAX_NESTING} levels`);
      const contents = this.contentsOf(unit);
      for (const [batchId, n] of packs) {
        const after = (contents.get(batchId) ?? 0) + sign * n;
        if (after < 0) throw new Error(`Unit ${unit} would hold ${after} packs of batch ${batchId}`);
        contents.set(batchId, after);
        this.changedContents.add(`${unit}|${batchId}`);
      }
      const row = this.units.get(unit);
      if (row === undefined) throw new Error(`Unit ${unit} is not in the read model`);
      unit = row.place === "IN_UNIT" ? row.parent : null;
    }
  }

  /** `packs` leave the stock of `before` and join that of `after`. */
  moveStock(packs: Contents, before: Custody | null, after: Custody | null): void {
    if (before?.holder === after?.holder && before?.quarantined === after?.quarantined) return;
    for (const [batchId, n] of packs) {
      if (before !== null) this.holdings.add(batchId, before.holder, -n, before.quarantined ? -n : 0);
      if (after !== null) this.holdings.add(batchId, after.holder, n, after.quarantined ? n : 0);
    }
  }

  indexRange(row: UnitRow): void {
    if (row.rangeBatchId === null || row.rangeStart === null || row.rangeEnd === null) return;
    const list = this.ranges.get(row.rangeBatchId) ?? [];
    if (!list.some(([, , sscc]) => sscc === row.sscc)) list.push([row.rangeStart, row.rangeEnd, row.sscc]);
    this.ranges.set(row.rangeBatchId, list);
  }

  batch(batchId: string): BatchFacts {
    const facts = this.batches.get(batchId);
    if (facts === undefined) throw new Error(`Custody event for batch ${batchId}, which the read model does not know`);
    return facts;
  }

  unit(sscc: string, event: string): UnitRow {
    const row = this.units.get(sscc);
    if (row === undefined) throw new Error(`${event} names unit ${sscc}, which the read model does not know`);
    return row;
  }

  packNow(ref: { batchId: string; index: number }): PackNow {
    const row = this.packs.get(packKey(ref.batchId, ref.index));
    if (row !== undefined) return { kind: "row", row };
    const batch = this.batch(ref.batchId);
    let parent: string | null = null;
    if (ref.index < batch.packedUpTo) {
      const range = this.ranges.get(ref.batchId)?.find(([start, end]) => start <= ref.index && ref.index < end);
      if (range === undefined) throw new Error(`No range-packed unit holds pack ${ref.index} of batch ${ref.batchId}`);
      parent = range[2];
    }
    return { kind: "fresh", parent, manufacturer: batch.manufacturer };
  }

  /** The place of a pack now (a fresh one resolved). */
  packPlace(ref: { batchId: string; index: number }): Place {
    const now = this.packNow(ref);
    if (now.kind === "row") return { ...now.row, place: now.row.place as Place["place"] };
    return now.parent === null
      ? held(now.manufacturer)
      : { ...held(now.manufacturer), place: "IN_UNIT", party: null, parent: now.parent };
  }

  setUnit(sscc: string, place: Place, block: number, event: string): void {
    const row = this.unit(sscc, event);
    const inside = new Map(this.contentsOf(sscc));
    const before = this.unitCustody(sscc);
    const parentBefore = row.place === "IN_UNIT" ? row.parent : null;
    Object.assign(row, place, { updatedBlock: block });
    this.changedUnits.add(sscc);
    const parentAfter = row.place === "IN_UNIT" ? row.parent : null;
    if (parentBefore !== parentAfter) {
      this.addInside(parentBefore, inside, -1);
      this.addInside(parentAfter, inside, 1);
    }
    this.moveStock(inside, before, this.unitCustody(sscc));
  }

  open(sscc: string | null, block: number): void {
    if (sscc === null) return;
    const row = this.units.get(sscc);
    if (row === undefined) throw new Error(`A pack left unit ${sscc}, which the read model does not know`);
    if (row.opened) return;
    row.opened = true;
    row.updatedBlock = block;
    this.changedUnits.add(sscc);
  }

  /** A pack's new place; a pack leaving the unit that contained it opens that unit. */
  setPack(
    ref: { batchId: string; index: number },
    place: Place & { state?: string | null; at?: number | null },
    event: EventRow,
  ): void {
    const before = this.packPlace(ref);
    if (before.place === "IN_UNIT" && place.parent !== before.parent) this.open(before.parent, event.blockNumber);
    const one: Contents = new Map([[ref.batchId, 1]]);
    const parentBefore = before.place === "IN_UNIT" ? before.parent : null;
    const parentAfter = place.place === "IN_UNIT" ? place.parent : null;
    if (parentBefore !== parentAfter) {
      this.addInside(parentBefore, one, -1);
      this.addInside(parentAfter, one, 1);
    }
    this.moveStock(one, this.custody(before), this.custody(place));
    const key = packKey(ref.batchId, ref.index);
    const row: PackRow = this.packs.get(key) ?? {
      batchId: ref.batchId,
      index: ref.index,
      place: "HELD",
      party: null,
      recipient: null,
      parent: null,
      shipmentId: null,
      byRegulator: false,
      state: null,
      at: null,
      updatedBlock: event.blockNumber,
      updatedTx: event.transactionHash,
    };
    Object.assign(row, place, {
      state: place.state ?? null,
      at: place.at ?? null,
      updatedBlock: event.blockNumber,
      updatedTx: event.transactionHash,
    });
    this.rememberPack(row);
    this.changedPacks.add(key);
  }

  listItems(event: EventRow, unit: string | null, listed: readonly string[], packs: readonly PackRef[]): void {
    let position = 0;
    const base = { blockNumber: event.blockNumber, logIndex: event.logIndex, unit };
    for (const sscc of listed) {
      this.items.push({ ...base, position: position++, sscc, batchId: null, index: null, within: null });
    }
    for (const p of packs) {
      this.items.push({
        ...base,
        position: position++,
        sscc: null,
        batchId: p.batchId,
        index: p.index,
        within: p.within,
      });
    }
  }

  /** The packs an item carries, by batch: a loose pack itself, or a unit's contents at any depth. */
  itemContents(itemKey: string): Contents {
    const item = itemColumns(itemKey);
    return item.sscc !== null ? new Map(this.contentsOf(item.sscc)) : new Map([[item.batchId!, 1]]);
  }

  /** Adds `packs` to the shipment's lines of `status` (negative to take them off). */
  changeLines(
    shipmentId: string,
    packs: Contents,
    sign: 1 | -1,
    outcome: Pick<ShipmentLineChange, "status" | "reason" | "settledBlock" | "settledAt">,
  ): void {
    const shipment = this.shipmentFacts.get(shipmentId);
    if (shipment === undefined) throw new Error(`Shipment ${shipmentId} is not in the read model`);
    for (const [batchId, n] of packs) {
      const lineKey = `${shipmentId}|${batchId}|${outcome.status}`;
      const change = this.lineChanges.get(lineKey) ?? {
        shipmentId,
        batchId,
        sender: shipment.sender,
        recipient: shipment.recipient,
        quantity: 0,
        shipmentRef: shipment.shipmentRef,
        shippedBlock: shipment.shippedBlock,
        shippedAt: shipment.shippedAt,
        shippedTx: shipment.shippedTx,
        ...outcome,
      };
      change.quantity += sign * n;
      if (sign > 0) Object.assign(change, outcome);
      this.lineChanges.set(lineKey, change);
    }
  }

  /** Settles the items of a shipment step: each one's shipment item gets its outcome. */
  settle(
    keys: readonly string[],
    status: "RECEIVED" | "REJECTED" | "CANCELLED",
    reason: string | null,
    event: EventRow,
  ): void {
    for (const itemKey of keys) {
      const transit = this.transitOf.get(itemKey);
      if (transit === undefined) continue; // a shipment indexed before shipment_items existed
      const rowKey = `${transit.shipmentId}#${transit.position}`;
      const row: ShipmentItemRow = this.shipmentItems.get(rowKey) ?? {
        shipmentId: transit.shipmentId,
        position: transit.position,
        ...itemColumns(itemKey),
        status: "PENDING",
      };
      const outcome = { status, reason, settledBlock: event.blockNumber, settledAt: event.timestamp };
      Object.assign(row, outcome);
      this.shipmentItems.set(rowKey, row);
      this.transitOf.delete(itemKey);
      const packs = this.itemContents(itemKey);
      this.changeLines(transit.shipmentId, packs, -1, PENDING_LINE);
      this.changeLines(transit.shipmentId, packs, 1, outcome);
    }
  }

  fold(event: EventRow): void {
    const a = event.args;
    const name = event.name;
    const block = event.blockNumber;
    switch (name) {
      case "UnitPacked": {
        const sscc = ssccText(field(a, "sscc", name));
        const batchId = text(a, "batchId", name);
        const start = integer(a, "firstIndex", name);
        const end = start + integer(a, "count", name);
        const row = newUnit(sscc, text(a, "by", name), event);
        Object.assign(row, { rangeBatchId: batchId, rangeStart: start, rangeEnd: end });
        this.units.set(sscc, row);
        this.changedUnits.add(sscc);
        this.indexRange(row);
        const batch = this.batch(batchId);
        // The case holds the range's packs that never moved; those that did stay where they are.
        let moved = 0;
        for (const index of this.movedIndexes.get(batchId) ?? []) if (start <= index && index < end) moved++;
        const packed: Contents = new Map([[batchId, end - start - moved]]);
        this.addInside(sscc, packed, 1);
        this.moveStock(packed, { holder: batch.manufacturer, quarantined: false }, this.unitCustody(sscc));
        batch.packedUpTo = end;
        this.changedBatches.add(batchId);
        this.items.push({
          blockNumber: block,
          logIndex: event.logIndex,
          position: 0,
          unit: sscc,
          sscc: null,
          batchId,
          index: null,
          within: null,
        });
        break;
      }
      case "UnitAggregated": {
        const sscc = ssccText(field(a, "sscc", name));
        const by = text(a, "by", name);
        const children = unitList(a, name);
        const packs = packList(a, name);
        if (aggregationName(integer(a, "action", name)) === "ADD") {
          if (!this.units.has(sscc)) {
            this.units.set(sscc, newUnit(sscc, by, event));
            this.changedUnits.add(sscc);
          }
          const inside: Place = { ...held(by), place: "IN_UNIT", party: null, parent: sscc };
          for (const child of children) this.setUnit(child, inside, block, name);
          for (const ref of packs) this.setPack(ref, inside, event);
        } else {
          for (const child of children) this.setUnit(child, held(by), block, name);
          for (const ref of packs) this.setPack(ref, held(by), event);
          this.open(sscc, block);
        }
        this.listItems(event, sscc, children, packs);
        break;
      }
      case "ShipmentShipped": {
        const shipmentId = text(a, "shipmentId", name);
        const by = text(a, "by", name);
        const to = text(a, "to", name);
        const listed = unitList(a, name);
        const packs = packList(a, name);
        const shipment: ShipmentRow = {
          shipmentId,
          sender: by,
          recipient: to,
          shipmentRef: text(a, "shipmentRef", name),
          shippedBlock: block,
          shippedLogIndex: event.logIndex,
          shippedAt: event.timestamp,
          shippedTx: event.transactionHash,
        };
        this.newShipments.push(shipment);
        this.shipmentFacts.set(shipmentId, shipment);
        [...listed, ...packs.map((p) => packKey(p.batchId, p.index))].forEach((itemKey, position) => {
          this.shipmentItems.set(`${shipmentId}#${position}`, {
            shipmentId,
            position,
            ...itemColumns(itemKey),
            status: "PENDING",
          });
          this.transitOf.set(itemKey, { shipmentId, position });
          this.changeLines(shipmentId, this.itemContents(itemKey), 1, PENDING_LINE);
        });
        const transit: Place = { ...held(by), place: "IN_TRANSIT", recipient: to, shipmentId };
        for (const sscc of listed) this.setUnit(sscc, transit, block, name);
        for (const ref of packs) this.setPack(ref, transit, event);
        this.listItems(event, null, listed, packs);
        break;
      }
      case "ShipmentReceived": {
        // Received items join the recipient (`by`); rejected ones go back to whoever shipped them.
        const by = text(a, "by", name);
        const received = { units: unitList(a, name), packs: packList(a, name) };
        const rejected = { units: unitList(a, name, "rejectedUnits"), packs: packList(a, name, "rejectedPacks") };
        const reason = rejected.units.length + rejected.packs.length > 0 ? text(a, "reason", name) : null;
        this.settle(
          [...received.units, ...received.packs.map((p) => packKey(p.batchId, p.index))],
          "RECEIVED",
          null,
          event,
        );
        for (const sscc of received.units) this.setUnit(sscc, held(by), block, name);
        for (const ref of received.packs) this.setPack(ref, held(by), event);
        this.settle(
          [...rejected.units, ...rejected.packs.map((p) => packKey(p.batchId, p.index))],
          "REJECTED",
          reason,
          event,
        );
        for (const sscc of rejected.units) this.setUnit(sscc, held(this.unit(sscc, name).party!), block, name);
        for (const ref of rejected.packs) this.setPack(ref, held(this.packPlace(ref).party!), event);
        this.listItems(event, null, [...received.units, ...rejected.units], [...received.packs, ...rejected.packs]);
        break;
      }
      case "ShipmentCancelled": {
        const by = text(a, "by", name);
        const listed = unitList(a, name);
        const packs = packList(a, name);
        this.settle([...listed, ...packs.map((p) => packKey(p.batchId, p.index))], "CANCELLED", null, event);
        for (const sscc of listed) this.setUnit(sscc, held(by), block, name);
        for (const ref of packs) this.setPack(ref, held(by), event);
        this.listItems(event, null, listed, packs);
        break;
      }
      case "PackDecommissioned": {
        const ref = { batchId: text(a, "batchId", name), index: integer(a, "index", name) };
        this.setPack(
          ref,
          {
            ...held(text(a, "by", name)),
            place: "DECOMMISSIONED",
            state: packStateName(integer(a, "state", name)),
            at: event.timestamp,
          },
          event,
        );
        // Listed like a moved pack, so that a pack's own events are found by its key alone.
        this.listItems(event, null, [], [{ ...ref, within: null }]);
        break;
      }
      case "PackReactivated": {
        const ref = { batchId: text(a, "batchId", name), index: integer(a, "index", name) };
        this.setPack(ref, held(text(a, "by", name)), event);
        this.listItems(event, null, [], [{ ...ref, within: null }]);
        break;
      }
      case "ItemsQuarantined": {
        const by = text(a, "by", name);
        // A regulator's quarantine is ended by a regulator only.
        const byRegulator = this.regulators.has(by);
        const listed = unitList(a, name);
        const packs = packList(a, name);
        for (const sscc of listed) {
          const holder = this.unit(sscc, name).party;
          this.setUnit(sscc, { ...held(holder ?? by), place: "QUARANTINED", byRegulator }, block, name);
        }
        for (const ref of packs) {
          const holder = this.packPlace(ref).party;
          this.setPack(ref, { ...held(holder ?? by), place: "QUARANTINED", byRegulator }, event);
        }
        this.listItems(event, null, listed, packs);
        break;
      }
      case "ItemsQuarantineEnded": {
        const by = text(a, "by", name);
        const cleared = quarantineOutcomeName(integer(a, "outcome", name)) === "CLEARED";
        const listed = unitList(a, name);
        const packs = packList(a, name);
        if (!cleared) {
          this.findings.push({
            event,
            by,
            units: listed.map((sscc) => ({ sscc, holder: this.unit(sscc, name).party })),
            packs: packs.map((ref) => ({ batchId: ref.batchId, index: ref.index, holder: this.packPlace(ref).party })),
          });
        }
        for (const sscc of listed) {
          const holder = this.unit(sscc, name).party ?? by;
          this.setUnit(sscc, cleared ? held(holder) : { ...held(by), place: "DESTROYED" }, block, name);
        }
        for (const ref of packs) {
          const holder = this.packPlace(ref).party ?? by;
          this.setPack(
            ref,
            cleared ? held(holder) : { ...held(by), place: "DECOMMISSIONED", state: "DESTROYED", at: event.timestamp },
            event,
          );
        }
        this.listItems(event, null, listed, packs);
        break;
      }
      default:
        throw new Error(`${name} is not a custody event`);
    }
  }

  async write(tx: Executor): Promise<void> {
    const unitRows = [...this.changedUnits].map((sscc) => this.units.get(sscc)!);
    for (const chunk of chunks(unitRows)) {
      await tx
        .insert(units)
        .values(chunk)
        .onConflictDoUpdate({
          target: units.sscc,
          set: {
            place: sql`excluded.place`,
            party: sql`excluded.party`,
            recipient: sql`excluded.recipient`,
            parent: sql`excluded.parent`,
            shipmentId: sql`excluded.shipment_id`,
            byRegulator: sql`excluded.by_regulator`,
            opened: sql`excluded.opened`,
            updatedBlock: sql`excluded.updated_block`,
          },
        });
    }
    const packRows = [...this.changedPacks].map((key) => this.packs.get(key)!);
    for (const chunk of chunks(packRows)) {
      await tx
        .insert(packPlaces)
        .values(chunk)
        .onConflictDoUpdate({
          target: [packPlaces.batchId, packPlaces.index],
          set: {
            place: sql`excluded.place`,
            party: sql`excluded.party`,
            recipient: sql`excluded.recipient`,
            parent: sql`excluded.parent`,
            shipmentId: sql`excluded.shipment_id`,
            byRegulator: sql`excluded.by_regulator`,
            state: sql`excluded.state`,
            at: sql`excluded.at`,
            updatedBlock: sql`excluded.updated_block`,
            updatedTx: sql`excluded.updated_tx`,
          },
        });
    }
    for (const batchId of this.changedBatches) {
      await tx.execute(
        sql`update batches set packed_up_to = ${this.batches.get(batchId)!.packedUpTo} where batch_id = ${batchId}`,
      );
    }
    const contents = [...this.changedContents].map((pair) => {
      const [sscc, batchId] = pair.split("|") as [string, string];
      return { sscc, batchId, packs: this.contents.get(sscc)!.get(batchId)! };
    });
    for (const chunk of chunks(contents.filter((row) => row.packs > 0))) {
      await tx
        .insert(unitContents)
        .values(chunk)
        .onConflictDoUpdate({
          target: [unitContents.sscc, unitContents.batchId],
          set: { packs: sql`excluded.packs` },
        });
    }
    for (const chunk of chunks(contents.filter((row) => row.packs === 0))) {
      const keys = sql.join(
        chunk.map((row) => sql`(${row.sscc}::text, ${row.batchId}::text)`),
        sql`, `,
      );
      await tx.execute(sql`delete from unit_contents where (sscc, batch_id) in (${keys})`);
    }
    await this.holdings.write(tx);
    for (const chunk of chunks(this.items)) await tx.insert(custodyItems).values(chunk);
    for (const chunk of chunks(this.newShipments)) await tx.insert(shipments).values(chunk);
    for (const chunk of chunks([...this.shipmentItems.values()])) {
      await tx
        .insert(shipmentItems)
        .values(chunk)
        .onConflictDoUpdate({
          target: [shipmentItems.shipmentId, shipmentItems.position],
          set: {
            status: sql`excluded.status`,
            reason: sql`excluded.reason`,
            settledBlock: sql`excluded.settled_block`,
            settledAt: sql`excluded.settled_at`,
          },
        });
    }
    const lines = [...this.lineChanges.values()];
    for (const chunk of chunks(lines)) {
      await tx
        .insert(shipmentLines)
        .values(chunk)
        .onConflictDoUpdate({
          target: [shipmentLines.shipmentId, shipmentLines.batchId, shipmentLines.status],
          set: {
            quantity: sql`${shipmentLines.quantity} + excluded.quantity`,
            reason: sql`coalesce(excluded.reason, ${shipmentLines.reason})`,
            settledBlock: sql`coalesce(excluded.settled_block, ${shipmentLines.settledBlock})`,
            settledAt: sql`coalesce(excluded.settled_at, ${shipmentLines.settledAt})`,
          },
        });
    }
    // A line whose packs all moved on to another outcome (the pending line of a settled shipment) goes.
    for (const chunk of chunks(lines)) {
      const keys = sql.join(
        chunk.map((row) => sql`(${row.shipmentId}::text, ${row.batchId}::text, ${row.status}::text)`),
        sql`, `,
      );
      await tx.execute(
        sql`delete from shipment_lines where quantity = 0 and (shipment_id, batch_id, status) in (${keys})`,
      );
    }
  }
}

/** Whose stock something in a place of its own (not inside a unit) is: held or quarantined by someone, or nobody's. */
function placeCustody(place: { place: string; party: string | null }): Custody | null {
  if (place.place !== "HELD" && place.place !== "QUARANTINED") return null;
  return { holder: place.party!, quarantined: place.place === "QUARANTINED" };
}

function newUnit(sscc: string, packer: string, event: EventRow): UnitRow {
  return {
    sscc,
    packer,
    ...held(packer),
    opened: false,
    rangeBatchId: null,
    rangeStart: null,
    rangeEnd: null,
    createdBlock: event.blockNumber,
    createdLogIndex: event.logIndex,
    createdAt: event.timestamp,
    updatedBlock: event.blockNumber,
  };
}

const PENDING_LINE = { status: "PENDING", reason: null, settledBlock: null, settledAt: null } as const;

function itemColumns(itemKey: string): { sscc: string | null; batchId: string | null; index: number | null } {
  const slash = itemKey.indexOf("/");
  if (slash < 0) return { sscc: itemKey, batchId: null, index: null };
  return { sscc: null, batchId: itemKey.slice(0, slash), index: Number(itemKey.slice(slash + 1)) };
}
