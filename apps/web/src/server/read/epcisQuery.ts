/**
 * GET /api/epcis/events: the subset of the EPCIS 2.0 query interface (REST binding, SimpleEventQuery)
 * an auditor's system needs, over every custody event of the ledger:
 *
 * - GE_eventTime, LT_eventTime: ISO 8601 date-times (events carry their block's time, whole seconds);
 * - EQ_bizStep: CBV business steps, bare (`shipping`) or as URIs (`urn:epcglobal:cbv:bizstep:shipping`,
 *   `https://ref.gs1.org/cbv/BizStep-shipping`); several values by repeating the parameter or with `|`;
 * - MATCH_epc: a pack (Digital Link `.../01/<gtin>/21/<serial>`, `urn:epc:id:sgtin:...`) matches the
 *   events that name that pack; a batch (`.../01/<gtin>/10/<lot>`, `urn:epc:class:lgtin:...`) or a
 *   product (`.../01/<gtin>`, `urn:epc:idpat:sgtin:<prefix>.<item>.*`) matches the events of its units,
 *   as MATCH_epcClass does (accepted too). Several values are ORed;
 * - perPage (1 to 1000, default 100) and nextPageToken: keyset paging in chain order, announced by a
 *   `Link: <...>; rel="next"` header as the REST binding does.
 *
 * On the package-level ledger the events include the aggregations (packing, unpacking) and the
 * shipments of logistic units; MATCH_epc also takes an SSCC (`.../00/<sscc>`, `urn:epc:id:sscc:...`),
 * matching the events that list the unit or are about it (an aggregation's parent). One ledger event
 * may give several EPCIS events (a settlement's receipt and refusal, an implied unpacking), and the
 * filters hold for each EPCIS event, so the SQL selects candidates and the mapped events are kept
 * or left out one by one; a page token names the last event served within its ledger event.
 *
 * The answer is an EPCISQueryDocument (the query interface's result), events mapped by
 * @pedigree/ledger's toEpcisEvents, so an event has the same eventID here and in a batch export.
 */
import { and, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { parseGs1, isValidGtin, gs1CheckDigit, toDigitalLink } from "@pedigree/gs1";
import {
  batchIdOf,
  epcisDocumentOf,
  packStateNumber,
  toEpcisEvents,
  PACKAGE_EVENT_BIZ_STEPS,
  PACK_STATE_EPCIS,
  LEDGER_EVENT_NAMES,
  type CustodyEvent,
  type EpcisEvent,
  type PackStateName,
} from "@pedigree/ledger";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { batches, custodyItems, events, manifestSerials, units } from "../db/schema.ts";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { custodyEventsOf, everyPackNamed, listingCondition, PACKAGE_CUSTODY_EVENT_NAMES } from "./custody-events.ts";
import { clip, isoInstantSchema, pageSizeSchema, parseQuery } from "./input.ts";
import { decodePageToken, encodePageToken, pageKey } from "./pageToken.ts";
import { ledgerEventsOf, selectEventRows, type EventRow } from "./timeline.ts";

export const MAX_EPCIS_PAGE = 1000;

/** Which ledger events carry which CBV bizStep (the pack states' from PACK_STATE_EPCIS, as toEpcisEvent maps them). */
const EVENT_BIZ_STEPS: readonly { bizStep: string; eventName: string; state?: PackStateName }[] = [
  { bizStep: "commissioning", eventName: "BatchRegistered" },
  { bizStep: "shipping", eventName: "UnitsShipped" },
  { bizStep: "receiving", eventName: "UnitsReceived" },
  { bizStep: "receiving", eventName: "UnitsRejected" },
  { bizStep: "void_shipping", eventName: "ShipmentCancelled" },
  { bizStep: "stocking", eventName: "PackReactivated" },
  { bizStep: "holding", eventName: "BatchRecalled" },
  { bizStep: "holding", eventName: "BatchSuspended" },
  { bizStep: "inspecting", eventName: "BatchReinstated" },
  ...Object.entries(PACK_STATE_EPCIS).map(([state, mapped]) => ({
    bizStep: mapped.bizStep,
    eventName: "PackDecommissioned",
    state: state as PackStateName,
  })),
  // The package-level ledger's: candidates only (an event may map to several steps), checked per EPCIS event.
  ...Object.entries(PACKAGE_EVENT_BIZ_STEPS).flatMap(([eventName, steps]) =>
    steps.map((bizStep) => ({ bizStep, eventName })),
  ),
];

/** `shipping`, `urn:epcglobal:cbv:bizstep:shipping`, `https://ref.gs1.org/cbv/BizStep-shipping` → `shipping`. */
export function bareBizStep(value: string): string | undefined {
  const match =
    /^(?:urn:epcglobal:cbv:bizstep:|https?:\/\/ref\.gs1\.org\/cbv\/BizStep-|https?:\/\/gs1\.org\/voc\/Bizstep-)?([a-z_]+)$/.exec(
      value,
    );
  return match?.[1];
}

const multiValue = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split("|")).filter((s) => s !== ""));

const epcisQuery = z
  .object({
    GE_eventTime: isoInstantSchema.optional(),
    LT_eventTime: isoInstantSchema.optional(),
    EQ_bizStep: multiValue.optional(),
    MATCH_epc: multiValue.optional(),
    MATCH_epcClass: multiValue.optional(),
    perPage: pageSizeSchema(100, MAX_EPCIS_PAGE),
    nextPageToken: z.string().optional(),
  })
  .strict();

/** The last ledger event served (block, log index) and how many of its EPCIS events were. */
const tokenKey = z.tuple([pageKey.bigint, pageKey.integer, pageKey.integer]);

/** What an EPC or class URI names, read from its GS1 Digital Link or EPC URN form. */
type EpcTarget = { gtin: string; lot?: string; serial?: string; sscc?: undefined } | { sscc: string };

export function parseEpcTarget(value: string): EpcTarget | undefined {
  const ssccUrn = /^urn:epc:id:sscc:(\d{6,12})\.(\d+)$/.exec(value);
  if (ssccUrn !== null) {
    const [, companyPrefix, reference] = ssccUrn as unknown as [string, string, string];
    // The serial reference's first digit is the SSCC's extension digit, then prefix and reference, then the check digit.
    if (companyPrefix.length + reference.length !== 17) return undefined;
    const body = `${reference[0]}${companyPrefix}${reference.slice(1)}`;
    return { sscc: `${body}${gs1CheckDigit(body)}` };
  }
  const urn = /^urn:epc:(id:sgtin|idpat:sgtin|class:lgtin):(\d+)\.(\d+)\.(.+)$/.exec(value);
  if (urn !== null) {
    const [, kind, companyPrefix, itemReference, rest] = urn as unknown as [string, string, string, string, string];
    // SGTIN: the item reference's first digit is the GTIN's indicator digit, then prefix and item, then the check digit.
    if (companyPrefix.length + itemReference.length !== 13) return undefined;
    const body = `${itemReference[0]}${companyPrefix}${itemReference.slice(1)}`;
    const gtin = `${body}${gs1CheckDigit(body)}`;
    if (!isValidGtin(gtin)) return undefined;
    const decoded = safeDecode(rest);
    if (decoded === undefined) return undefined;
    if (kind === "idpat:sgtin") return rest === "*" ? { gtin } : undefined;
    if (kind === "class:lgtin") return { gtin, lot: decoded };
    return { gtin, serial: decoded };
  }
  if (/^https?:\/\//.test(value)) {
    const parsed = parseGs1(value);
    if (!parsed.ok || parsed.form !== "digital-link") return undefined;
    if (parsed.value.sscc !== undefined && parsed.value.gtin === undefined) return { sscc: parsed.value.sscc };
    if (parsed.value.gtin === undefined) return undefined;
    const { gtin, lot, serial } = parsed.value;
    return { gtin, ...(lot === undefined ? {} : { lot }), ...(serial === undefined ? {} : { serial }) };
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

const PACK_EVENTS = ["PackDecommissioned", "PackReactivated"];

/**
 * The SQL condition an EPC target stands for (resolving a pack's serial to its index through the
 * stored manifests): exact on the count ledger; on the package-level ledger a superset of the
 * events whose EPCIS events name the target (`namesTarget` decides each).
 */
async function targetCondition(db: Executor, target: EpcTarget, packageLedger: boolean): Promise<SQL> {
  const nothing = sql`false`;
  const index = sql`(${events.args}->>'index')::integer`;
  if (target.sscc !== undefined) {
    if (!packageLedger) return nothing;
    const sscc = target.sscc;
    // A pack decommissioned inside the unit gives an unpacking of it: the packs that were ever inside are candidates.
    const packOfUnit = sql`${events.name} = 'PackDecommissioned' and (
      (${events.batchId}, ${index}) in (select ${custodyItems.batchId}, ${custodyItems.index} from ${custodyItems}
        where ${custodyItems.unit} = ${sscc} and ${custodyItems.index} is not null)
      or exists (select 1 from ${units} where ${units.sscc} = ${sscc} and ${units.rangeBatchId} = ${events.batchId}
        and ${index} >= ${units.rangeStart} and ${index} < ${units.rangeEnd}))`;
    return or(listingCondition({ units: [sscc] }), packOfUnit) ?? nothing;
  }
  if (target.serial !== undefined) {
    const packs = await db
      .select({ batchId: manifestSerials.batchId, index: manifestSerials.index })
      .from(manifestSerials)
      .where(
        target.lot === undefined
          ? and(eq(manifestSerials.gtin, target.gtin), eq(manifestSerials.serial, target.serial))
          : and(
              eq(manifestSerials.batchId, batchIdOf(target.gtin, target.lot)),
              eq(manifestSerials.serial, target.serial),
            ),
      );
    if (packs.length === 0) return nothing;
    const own = packs.map((pack) =>
      and(
        eq(events.batchId, pack.batchId),
        inArray(events.name, PACK_EVENTS),
        sql`${events.args}->>'index' = ${String(pack.index)}`,
      ),
    );
    if (!packageLedger) return or(...own) ?? nothing;
    const first = sql`(${events.args}->>'firstIndex')::integer`;
    const packed = packs.map((pack) =>
      and(
        eq(events.batchId, pack.batchId),
        eq(events.name, "UnitPacked"),
        sql`${first} <= ${pack.index} and ${first} + (${events.args}->>'count')::integer > ${pack.index}`,
      ),
    );
    return or(...own, ...packed, listingCondition({ packs })) ?? nothing;
  }
  const batchCondition =
    target.lot !== undefined ? eq(events.batchId, batchIdOf(target.gtin, target.lot)) : eq(batches.gtin, target.gtin);
  if (!packageLedger) return batchCondition;
  const listsPackOf =
    target.lot !== undefined
      ? sql`${custodyItems.batchId} = ${batchIdOf(target.gtin, target.lot)}`
      : sql`${custodyItems.batchId} in (select ${batches.batchId} from ${batches} where ${batches.gtin} = ${target.gtin})`;
  return (
    or(
      batchCondition,
      sql`exists (select 1 from ${custodyItems} where ${custodyItems.blockNumber} = ${events.blockNumber}
        and ${custodyItems.logIndex} = ${events.logIndex} and ${listsPackOf})`,
    ) ?? nothing
  );
}

/** The identifiers an EPCIS event lists: its EPCs (a parent included) and its classes. */
function identifiersOf(event: EpcisEvent): { epcs: string[]; classes: string[] } {
  if (event.type === "AggregationEvent") {
    return {
      epcs: [event.parentID, ...(event.childEPCs ?? [])],
      classes: (event.childQuantityList ?? []).map((q) => q.epcClass),
    };
  }
  return { epcs: event.epcList ?? [], classes: (event.quantityList ?? []).map((q) => q.epcClass) };
}

/** The SGTINs of the packs of one batch a ledger event lists. */
function packUrisOf(event: CustodyEvent, batchId: string): Set<string> {
  const packs =
    event.eventName === "ShipmentReceived"
      ? [...event.received.packs, ...event.rejected.packs]
      : "items" in event
        ? event.items.packs
        : event.eventName === "UnitPacked"
          ? event.packs
          : "serial" in event && event.serial !== undefined
            ? [{ batch: event.batch, serial: event.serial }]
            : [];
  const out = new Set<string>();
  for (const pack of packs) {
    if (pack.batch.batchId === batchId && pack.serial !== undefined) {
      out.add(toDigitalLink({ gtin: pack.batch.gtin, serial: pack.serial }));
    }
  }
  return out;
}

/** Whether an EPCIS event of `source` names the target (MATCH_epc / MATCH_epcClass, per event). */
function namesTarget(event: EpcisEvent, source: CustodyEvent, target: EpcTarget): boolean {
  const { epcs, classes } = identifiersOf(event);
  if (target.sscc !== undefined) return epcs.includes(toDigitalLink({ sscc: target.sscc }));
  if (target.serial !== undefined) return epcs.includes(toDigitalLink({ gtin: target.gtin, serial: target.serial }));
  const product = `https://id.gs1.org/01/${target.gtin}/`;
  if (target.lot === undefined) return [...epcs, ...classes].some((id) => id.startsWith(product));
  const batchId = batchIdOf(target.gtin, target.lot);
  const ofBatch = packUrisOf(source, batchId);
  return (
    classes.includes(toDigitalLink({ gtin: target.gtin, lot: target.lot })) || epcs.some((epc) => ofBatch.has(epc))
  );
}

function bizStepCondition(steps: readonly string[]): SQL {
  const matching = EVENT_BIZ_STEPS.filter((entry) => steps.includes(entry.bizStep));
  if (matching.length === 0) return sql`false`;
  return (
    or(
      ...matching.map((entry) =>
        entry.state === undefined
          ? eq(events.name, entry.eventName)
          : and(
              eq(events.name, entry.eventName),
              sql`${events.args}->>'state' = ${String(packStateNumber(entry.state))}`,
            ),
      ),
    ) ?? sql`false`
  );
}

export interface EpcisQueryResult {
  document: {
    "@context": unknown;
    type: "EPCISQueryDocument";
    schemaVersion: "2.0";
    creationDate: string;
    epcisBody: { queryResults: { queryName: "SimpleEventQuery"; resultsBody: { eventList: unknown[] } } };
  };
  nextPageToken: string | null;
}

export async function queryEpcisEvents(ctx: AppContext, params: URLSearchParams): Promise<EpcisQueryResult> {
  const query = parseQuery(epcisQuery, params);
  const packageLedger = ctx.ledger.kind === "package";
  const filters: (SQL | undefined)[] = [
    packageLedger
      ? and(
          inArray(events.name, PACKAGE_CUSTODY_EVENT_NAMES),
          // Events of a batch count once the batch is in the read model (as the count ledger's inner join).
          sql`(${events.batchId} is null or ${batches.batchId} is not null)`,
        )
      : inArray(events.name, [...LEDGER_EVENT_NAMES]),
  ];
  let steps: string[] | undefined;
  // Events carry whole seconds: t >= x  ⇔  t >= ceil(x); t < x  ⇔  t < ceil(x).
  if (query.GE_eventTime) filters.push(gte(events.timestamp, Math.ceil(query.GE_eventTime.getTime() / 1000)));
  if (query.LT_eventTime) filters.push(lt(events.timestamp, Math.ceil(query.LT_eventTime.getTime() / 1000)));
  if (query.EQ_bizStep) {
    steps = query.EQ_bizStep.map((value) => {
      const step = bareBizStep(value);
      if (step === undefined) {
        throw new ApiError(
          400,
          "INVALID_QUERY",
          `EQ_bizStep '${clip(value)}' is not a CBV business step: send e.g. shipping, receiving, dispensing or commissioning (bare or as urn:epcglobal:cbv:bizstep:shipping).`,
          { details: [{ parameter: "EQ_bizStep", message: "not a CBV business step" }] },
        );
      }
      return step;
    });
    filters.push(bizStepCondition(steps));
  }
  const epcValues = [...(query.MATCH_epc ?? []), ...(query.MATCH_epcClass ?? [])];
  const targets: EpcTarget[] = [];
  if (epcValues.length > 0) {
    const conditions: SQL[] = [];
    for (const value of epcValues) {
      const target = parseEpcTarget(value);
      if (target === undefined) {
        throw new ApiError(
          400,
          "INVALID_QUERY",
          `MATCH_epc '${clip(value)}' is neither a GS1 Digital Link of a product, batch, pack or logistic unit (https://id.gs1.org/01/<gtin>/10/<lot>, .../01/<gtin>/21/<serial> or .../00/<sscc>) nor an EPC URI (urn:epc:id:sgtin:..., urn:epc:class:lgtin:..., urn:epc:idpat:sgtin:<prefix>.<item>.*, urn:epc:id:sscc:...).`,
          { details: [{ parameter: "MATCH_epc", message: "not a Digital Link or EPC URI" }] },
        );
      }
      targets.push(target);
      conditions.push(await targetCondition(ctx.db, target, packageLedger));
    }
    filters.push(or(...conditions));
  }
  const fingerprint = JSON.stringify([
    query.GE_eventTime?.toISOString(),
    query.LT_eventTime?.toISOString(),
    query.EQ_bizStep,
    query.MATCH_epc,
    query.MATCH_epcClass,
  ]);
  // Resume after the last event served: at its ledger event, skipping the EPCIS events already sent.
  let cursor: { block: number; logIndex: number; served: number } | undefined;
  if (query.nextPageToken !== undefined) {
    const [block, logIndex, served] = decodePageToken(query.nextPageToken, fingerprint, tokenKey);
    cursor = { block, logIndex, served };
  }
  const keep = (event: EpcisEvent, source: CustodyEvent) =>
    (steps === undefined || steps.includes(event.bizStep)) &&
    (targets.length === 0 || targets.some((target) => namesTarget(event, source, target)));
  const mapRows = (rows: readonly EventRow[]): Promise<CustodyEvent[]> =>
    packageLedger
      ? custodyEventsOf(ctx.db, rows, ctx.ledger.chainId, everyPackNamed)
      : ledgerEventsOf(ctx.db, rows, ctx.ledger.chainId);
  const served: { event: EpcisEvent; block: number; logIndex: number; ordinal: number }[] = [];
  for (let after = cursor, done = false; !done && served.length <= query.perPage;) {
    const position =
      after === undefined
        ? undefined
        : after.served > 0
          ? sql`(${events.blockNumber}, ${events.logIndex}) >= (${after.block}, ${after.logIndex})`
          : sql`(${events.blockNumber}, ${events.logIndex}) > (${after.block}, ${after.logIndex})`;
    const limit = query.perPage + 1;
    const rows = await selectEventRows(ctx.db, and(...filters, position) as SQL, {
      limit,
      join: packageLedger ? "left" : "inner",
    });
    for (const source of await mapRows(rows)) {
      const skip =
        after !== undefined && source.blockNumber === after.block && source.logIndex === after.logIndex
          ? after.served
          : 0;
      const kept = toEpcisEvents(source).filter((event) => keep(event, source));
      kept.forEach((event, ordinal) => {
        if (ordinal >= skip) served.push({ event, block: source.blockNumber, logIndex: source.logIndex, ordinal });
      });
    }
    const last = rows.at(-1);
    done = rows.length < limit || last === undefined;
    if (last !== undefined) after = { block: last.blockNumber, logIndex: last.logIndex, served: 0 };
  }
  const page = served.slice(0, query.perPage);
  const last = page.at(-1);
  const document = epcisDocumentOf(
    page.map((entry) => entry.event),
    { creationDate: ctx.now() },
  );
  return {
    document: {
      "@context": document["@context"],
      type: "EPCISQueryDocument",
      schemaVersion: "2.0",
      creationDate: document.creationDate,
      epcisBody: {
        queryResults: { queryName: "SimpleEventQuery", resultsBody: { eventList: document.epcisBody.eventList } },
      },
    },
    nextPageToken:
      served.length > query.perPage && last !== undefined
        ? encodePageToken([last.block, last.logIndex, last.ordinal + 1], fingerprint)
        : null,
  };
}

/** The HTTP answer: the document as JSON-LD, the REST binding's headers, and the next page's link. */
export async function epcisEventsResponse(ctx: AppContext, url: URL): Promise<Response> {
  const result = await queryEpcisEvents(ctx, url.searchParams);
  const headers: Record<string, string> = {
    "content-type": "application/ld+json; charset=utf-8",
    "GS1-EPCIS-Version": "2.0",
    "GS1-CBV-Version": "2.0",
  };
  if (result.nextPageToken !== null) {
    const next = new URL(url);
    next.searchParams.set("nextPageToken", result.nextPageToken);
    headers.link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  return jsonResponse(result.document, { headers });
}
