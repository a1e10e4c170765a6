/**
 * Event rows of the read model as people and standards read them: timeline entries (parties
 * resolved, a one-line summary) and the LedgerEvent objects of @pedigree/ledger that the EPCIS
 * mapping takes. The rows come from the `events` table, whose `args` hold the decoded event
 * arguments (bigints as decimal strings, addresses lower-case).
 */
import { eq, sql, type SQL } from "drizzle-orm";
import {
  isoDateFromYyyymmdd,
  packStateName,
  roleName,
  shipmentRefText,
  LEDGER_EVENT_NAMES,
  type Address,
  type Hex,
  type LedgerEvent,
  type LedgerEventName,
  type Party,
} from "@pedigree/ledger";
import type { PartyView, TimelineEntry } from "../../lib/api-types.ts";
import type { Executor } from "../db/database.ts";
import { batches, events } from "../db/schema.ts";
import { serialsOfPacks } from "../manifests/store.ts";
import { humanDate } from "../verify/words.ts";
import { loadParties, partyLabel, type PartyLookup } from "./parties.ts";

export type EventArgs = Record<string, string | number | boolean>;

/** An event row with its batch's GTIN and lot (joined from `batches`; null for events without a batch). */
export interface EventRow {
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  timestamp: number;
  name: string;
  batchId: string | null;
  args: EventArgs;
  gtin: string | null;
  lot: string | null;
}

/**
 * Event rows matching `where` (which may name `events` and `batches` columns), in chain order.
 * The rows come back as one JSON array built by the database: with a thousand rows that is about
 * three times faster than a row set, since the per-row, per-column decoding is what costs (PGlite
 * above all). `inner` keeps only events whose batch is in the read model.
 */
export async function selectEventRows(
  db: Executor,
  where: SQL,
  options: { limit?: number; join?: "left" | "inner" } = {},
): Promise<EventRow[]> {
  const join = options.join === "inner" ? sql`inner join` : sql`left join`;
  const limit = options.limit === undefined ? sql`` : sql`limit ${options.limit}`;
  const result = await db.execute<{ rows: string }>(sql`
    select coalesce(json_agg(json_build_array(e.block_number, e.log_index, e.transaction_hash, e.timestamp,
             e.name, e.batch_id, e.args, e.gtin, e.lot) order by e.block_number, e.log_index), '[]')::text as rows
    from (
      select ${events.blockNumber}, ${events.logIndex}, ${events.transactionHash}, ${events.timestamp},
             ${events.name}, ${events.batchId}, ${events.args}, ${batches.gtin}, ${batches.lot}
      from ${events} ${join} ${batches} on ${batches.batchId} = ${events.batchId}
      where ${where}
      order by ${events.blockNumber}, ${events.logIndex}
      ${limit}
    ) e`);
  const first = (Array.isArray(result) ? result[0] : (result as { rows: unknown[] }).rows[0]) as
    { rows: string } | undefined;
  const tuples = JSON.parse(first?.rows ?? "[]") as [
    number,
    number,
    string,
    number,
    string,
    string | null,
    EventArgs,
    string | null,
    string | null,
  ][];
  return tuples.map(([blockNumber, logIndex, transactionHash, timestamp, name, batchId, args, gtin, lot]) => ({
    blockNumber: Number(blockNumber),
    logIndex,
    transactionHash,
    timestamp: Number(timestamp),
    name,
    batchId,
    args,
    gtin,
    lot,
  }));
}

/** Arguments that name an account; each becomes a resolved party of the entry. */
const PARTY_ARGUMENTS = ["manufacturer", "from", "to", "by", "account"] as const;
/** Arguments the entry already carries elsewhere (batchId) or that say nothing to a person. */
const HIDDEN_ARGUMENTS = new Set(["batchId"]);

/** Every event of one batch, in chain order: one query (the events_batch_idx index serves it). */
export async function batchEventRows(db: Executor, batchId: string): Promise<EventRow[]> {
  return selectEventRows(db, eq(events.batchId, batchId));
}

/** The events of one transaction, in log order. */
export async function transactionEventRows(db: Executor, transactionHash: string): Promise<EventRow[]> {
  return selectEventRows(db, eq(events.transactionHash, transactionHash.toLowerCase()));
}

/** The accounts a set of rows names, for one `loadParties` call. */
export function accountsOf(rows: readonly EventRow[]): Set<string> {
  const accounts = new Set<string>();
  for (const row of rows) {
    for (const key of PARTY_ARGUMENTS) {
      const value = row.args[key];
      if (typeof value === "string") accounts.add(value.toLowerCase());
    }
  }
  return accounts;
}

/**
 * Serials of packs, `${batchId}:${index}` → serial, for naming the packs of pack events (see
 * packSerials; which packs a viewer may see named is ./access.ts's visiblePackSerials).
 */
export type PackSerials = ReadonlyMap<string, string>;

/** Timeline entries of `rows` (parties resolved in one query), packs named by `serials`. */
export async function timelineOf(
  db: Executor,
  rows: readonly EventRow[],
  serials: PackSerials = new Map(),
): Promise<TimelineEntry[]> {
  const party = await loadParties(db, accountsOf(rows));
  return rows.map((row) => timelineEntry(row, party, serials));
}

/**
 * One event as a timeline entry. A pack event names its pack by its serial when `serials` has it
 * (also in `details.serial`), else as "a pack": never by its index, which means nothing to people.
 */
export function timelineEntry(row: EventRow, party: PartyLookup, serials: PackSerials = new Map()): TimelineEntry {
  const parties: Record<string, PartyView> = {};
  const details: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(row.args)) {
    if ((PARTY_ARGUMENTS as readonly string[]).includes(key) && typeof value === "string") {
      parties[key] = party(value);
    } else if (Array.isArray(value)) {
      details[key] = listDetail(key, value as unknown[]);
    } else if (!HIDDEN_ARGUMENTS.has(key)) {
      details[key] = detailValue(row.name, key, value);
    }
  }
  const serial = isPackEvent(row) ? serials.get(`${row.batchId}:${String(row.args.index)}`) : undefined;
  if (serial !== undefined) details.serial = serial;
  return {
    eventName: row.name,
    blockNumber: row.blockNumber,
    logIndex: row.logIndex,
    transactionHash: row.transactionHash,
    time: new Date(row.timestamp * 1000).toISOString(),
    batchId: row.batchId,
    parties,
    details,
    summary: summarise(row, parties, serial === undefined ? "a pack" : `pack ${serial}`),
  };
}

/** A pack's decommissioning or reactivation, on a batch. */
export function isPackEvent(row: EventRow): row is EventRow & { batchId: string } {
  return (row.name === "PackDecommissioned" || row.name === "PackReactivated") && row.batchId !== null;
}

/**
 * A package-level event's list as people read it: logistic units by their SSCCs, packs by their
 * number (a PackRef names a pack by its index, which means nothing to people, and never by serial).
 */
function listDetail(key: string, list: readonly unknown[]): string | number {
  if (/packs$/i.test(key)) return list.length;
  return list.map((value) => ssccOf(value)).join(", ");
}

/** An SSCC as the chain carries it (a number, stored as decimal text) in its 18 digits. */
function ssccOf(value: unknown): string {
  const digits = String(value);
  return /^\d{1,18}$/.test(digits) ? digits.padStart(18, "0") : digits;
}

/** Argument values as people read them: names for enums, text for references, ISO dates, numbers. */
function detailValue(eventName: string, key: string, value: string | number | boolean): string | number | boolean {
  try {
    switch (key) {
      case "state":
      case "previousState":
        return packStateName(Number(value));
      case "role":
        return roleName(Number(value));
      case "shipmentRef":
        return typeof value === "string" && value.startsWith("0x") ? shipmentRefText(value as Hex) : value;
      case "expiry":
        return eventName === "BatchRegistered" ? isoDateFromYyyymmdd(Number(value)) : value;
      case "quantity":
      case "index":
      case "packCount":
      case "number": {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : value;
      }
      default:
        return value;
    }
  } catch {
    // A value outside the enum the ledger defines: show it as it was emitted rather than fail the timeline.
    return value;
  }
}

function summarise(row: EventRow, parties: Record<string, PartyView>, pack: string): string {
  const a = row.args;
  const who = (key: string) => (parties[key] ? partyLabel(parties[key]) : "An unknown account");
  const units = (q: unknown) => `${String(q)} unit${String(q) === "1" ? "" : "s"}`;
  const state = (s: unknown) => {
    try {
      return packStateName(Number(s)).toLowerCase();
    } catch {
      return `state ${String(s)}`;
    }
  };
  const lot = row.lot ?? (typeof a.lot === "string" ? a.lot : undefined);
  const args = a as unknown as Record<string, unknown>;
  const count = (key: string) => (Array.isArray(args[key]) ? (args[key] as unknown[]).length : 0);
  /** What a package-level step lists: "2 logistic units and 3 packs". */
  const listed = (unitsKey = "units", packsKey = "packs") => {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const parts = [
      count(unitsKey) > 0 ? plural(count(unitsKey), "logistic unit") : "",
      count(packsKey) > 0 ? plural(count(packsKey), "pack") : "",
    ].filter((part) => part !== "");
    return parts.length === 0 ? "nothing" : parts.join(" and ");
  };
  const because = (reason: unknown) => (reason ? `: ${String(reason)}` : "");
  const outcome = (value: unknown) => (String(value) === "0" ? "cleared" : "found illegitimate");
  const reference = () => {
    const text = typeof a.shipmentRef === "string" ? shipmentRefText(a.shipmentRef as Hex) : "";
    return text && !text.startsWith("0x") ? ` (reference ${text})` : "";
  };
  switch (row.name) {
    case "UnitPacked":
      return `${who("by")} packed ${String(a.count)} pack${String(a.count) === "1" ? "" : "s"} into SSCC ${ssccOf(a.sscc)}`;
    case "UnitAggregated":
      return String(a.action) === "0"
        ? `${who("by")} packed ${listed()} into SSCC ${ssccOf(a.sscc)}`
        : `${who("by")} took ${listed()} out of SSCC ${ssccOf(a.sscc)}`;
    case "ShipmentShipped":
      return `${who("by")} shipped ${listed()} to ${who("to")}${reference()}`;
    case "ShipmentReceived": {
      const refused = count("rejectedUnits") + count("rejectedPacks") > 0;
      const received = count("units") + count("packs") > 0 ? `received ${listed()}` : "";
      const rejected = refused ? `rejected ${listed("rejectedUnits", "rejectedPacks")}${because(a.reason)}` : "";
      return `${who("by")} ${[received, rejected].filter((part) => part !== "").join("; ")}`;
    }
    case "ItemsQuarantined":
      return `${who("by")} quarantined ${listed()}${because(a.reason)}`;
    case "ItemsQuarantineEnded":
      return `${who("by")} ended the quarantine of ${listed()}: ${outcome(a.outcome)}${because(a.reason)}`;
    case "BatchQuarantined":
      return `${who("by")} quarantined the batch${because(a.reason)}`;
    case "BatchQuarantineEnded":
      return `${who("by")} ended the batch's quarantine: ${outcome(a.outcome)}${because(a.reason)}`;
    case "BatchRegistered": {
      let expiry = String(a.expiry);
      try {
        expiry = humanDate(isoDateFromYyyymmdd(Number(a.expiry)));
      } catch {
        // keep the raw value
      }
      return `${who("manufacturer")} registered lot ${lot ?? "?"}: ${String(a.packCount)} packs, expiring ${expiry}`;
    }
    case "UnitsShipped": {
      const reference = typeof a.shipmentRef === "string" ? shipmentRefText(a.shipmentRef as Hex) : "";
      const ref = reference && !reference.startsWith("0x") ? ` (reference ${reference})` : "";
      return `${who("from")} shipped ${units(a.quantity)} to ${who("to")}${ref}`;
    }
    case "UnitsReceived":
      return `${who("by")} received ${units(a.quantity)} from ${who("from")}`;
    case "UnitsRejected":
      return `${who("by")} rejected ${units(a.quantity)} from ${who("from")}${a.reason ? `: ${String(a.reason)}` : ""}`;
    case "ShipmentCancelled":
      // The package-level ledger's cancellation lists what it withdrew; the count ledger's counts it.
      return Array.isArray(args.units)
        ? `${who("by")} cancelled the shipment of ${listed()}`
        : `${who("by")} cancelled the shipment of ${units(a.quantity)} to ${who("to")}`;
    case "PackDecommissioned":
      return `${who("by")} marked ${pack} as ${state(a.state)}`;
    case "PackReactivated":
      return `${who("by")} undid the ${state(a.previousState)} status of ${pack}; it is active again`;
    case "BatchRecalled":
      return `${who("by")} recalled the batch${a.reason ? `: ${String(a.reason)}` : ""}`;
    case "BatchSuspended":
      return `${who("by")} suspended the batch${a.reason ? `: ${String(a.reason)}` : ""}`;
    case "BatchReinstated":
      return `${who("by")} reinstated the batch`;
    case "ParticipantOnboarded": {
      let role = String(a.role);
      try {
        role = roleName(Number(a.role)).toLowerCase();
      } catch {
        // keep the raw value
      }
      return `${typeof a.legalName === "string" ? a.legalName : who("account")} was onboarded as a ${role}`;
    }
    case "ParticipantSuspended":
      return `${who("by")} suspended ${who("account")}`;
    case "ParticipantReinstated":
      return `${who("by")} reinstated ${who("account")}`;
    case "CompanyPrefixAssigned":
      return `Company prefix ${String(a.prefix)} was assigned to ${who("manufacturer")}`;
    case "ProductRegistered":
      return `${who("manufacturer")} registered the product ${String(a.name)} ${String(a.strength)} (${String(a.dosageForm)})`;
    default:
      return row.name.replace(/([a-z])([A-Z])/g, "$1 $2");
  }
}

// ---------------------------------------------------------------- LedgerEvent (for EPCIS)

export function isLedgerEventName(name: string): name is LedgerEventName {
  return (LEDGER_EVENT_NAMES as readonly string[]).includes(name);
}

/**
 * Serials of the packs the pack events among `rows` name, from the stored manifests (one query):
 * EPCIS then names a pack by its Digital Link instead of "one unit of the batch", and a timeline
 * by its serial.
 */
export async function packSerials(db: Executor, rows: readonly EventRow[]): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<number>>();
  for (const row of rows) {
    if (!isPackEvent(row)) continue;
    const set = wanted.get(row.batchId) ?? new Set<number>();
    set.add(Number(row.args.index));
    wanted.set(row.batchId, set);
  }
  return serialsOfPacks(db, wanted);
}

/**
 * The LedgerEvent of a row, as `ledgerEventFromLog` would have made it from the log; undefined for
 * the ledger's other events (participants, products) and for a row whose batch is not in the
 * read model (it cannot be named by GTIN and lot).
 */
export function ledgerEventOf(
  row: EventRow,
  chainId: number,
  party: PartyLookup,
  serials: PackSerials,
): LedgerEvent | undefined {
  if (!isLedgerEventName(row.name) || row.batchId === null) return undefined;
  const a = row.args;
  const gtin =
    row.gtin ?? (typeof a.gtin === "string" || typeof a.gtin === "number" ? String(a.gtin).padStart(14, "0") : null);
  const lot = row.lot ?? (typeof a.lot === "string" ? a.lot : null);
  if (gtin === null || lot === null) return undefined;
  const base = {
    chainId,
    blockNumber: row.blockNumber,
    transactionHash: row.transactionHash as Hex,
    logIndex: row.logIndex,
    timestamp: row.timestamp,
    batch: { batchId: row.batchId as Hex, gtin, lot },
  };
  const p = (key: string): Party => {
    const view = party(String(a[key] ?? ""));
    return {
      address: view.address as Address,
      ...(view.name ? { name: view.name } : {}),
      ...(view.gln ? { gln: view.gln } : {}),
    };
  };
  const n = (key: string) => Number(a[key]);
  const s = (key: string) => String(a[key] ?? "");
  const serialOf = (index: number) => {
    const serial = serials.get(`${row.batchId}:${index}`);
    return serial === undefined ? {} : { serial };
  };
  switch (row.name) {
    case "BatchRegistered":
      return {
        ...base,
        eventName: row.name,
        manufacturer: p("manufacturer"),
        expiry: n("expiry"),
        packCount: n("packCount"),
        serialsRoot: s("serialsRoot") as Hex,
        documentHash: s("documentHash") as Hex,
      };
    case "UnitsShipped":
      return {
        ...base,
        eventName: row.name,
        shipmentId: s("shipmentId") as Hex,
        from: p("from"),
        to: p("to"),
        quantity: n("quantity"),
        shipmentRef: s("shipmentRef") as Hex,
      };
    case "UnitsReceived":
      return {
        ...base,
        eventName: row.name,
        shipmentId: s("shipmentId") as Hex,
        by: p("by"),
        from: p("from"),
        quantity: n("quantity"),
      };
    case "UnitsRejected":
      return {
        ...base,
        eventName: row.name,
        shipmentId: s("shipmentId") as Hex,
        by: p("by"),
        from: p("from"),
        quantity: n("quantity"),
        reason: s("reason"),
      };
    case "ShipmentCancelled":
      return {
        ...base,
        eventName: row.name,
        shipmentId: s("shipmentId") as Hex,
        by: p("by"),
        to: p("to"),
        quantity: n("quantity"),
      };
    case "PackDecommissioned":
      return {
        ...base,
        eventName: row.name,
        index: n("index"),
        ...serialOf(n("index")),
        by: p("by"),
        state: packStateName(n("state")),
      };
    case "PackReactivated":
      return {
        ...base,
        eventName: row.name,
        index: n("index"),
        ...serialOf(n("index")),
        by: p("by"),
        previousState: packStateName(n("previousState")),
      };
    case "BatchRecalled":
    case "BatchSuspended":
      return { ...base, eventName: row.name, by: p("by"), reason: s("reason") };
    case "BatchReinstated":
      return { ...base, eventName: row.name, by: p("by") };
  }
}

/**
 * LedgerEvents of rows (parties and serials loaded in one go), skipping rows that are not custody
 * events. Packs are named by `serials` when given (what a viewer may see: ./access.ts
 * visiblePackSerials), else by every serial stored.
 */
export async function ledgerEventsOf(
  db: Executor,
  rows: readonly EventRow[],
  chainId: number,
  visible?: PackSerials,
): Promise<LedgerEvent[]> {
  const custody = rows.filter((row) => isLedgerEventName(row.name));
  const [party, serials] = await Promise.all([
    loadParties(db, accountsOf(custody)),
    visible ?? packSerials(db, custody),
  ]);
  const out: LedgerEvent[] = [];
  for (const row of custody) {
    const event = ledgerEventOf(row, chainId, party, serials);
    if (event !== undefined) out.push(event);
  }
  return out;
}
