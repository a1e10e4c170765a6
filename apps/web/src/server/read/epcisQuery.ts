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
 * The answer is an EPCISQueryDocument (the query interface's result), ObjectEvents mapped by
 * @pedigree/ledger's toEpcisDocument, so an event has the same eventID here and in a batch export.
 */
import { and, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { parseGs1, isValidGtin, gs1CheckDigit } from "@pedigree/gs1";
import {
  batchIdOf,
  packStateNumber,
  toEpcisDocument,
  PACK_STATE_EPCIS,
  LEDGER_EVENT_NAMES,
  type PackStateName,
} from "@pedigree/ledger";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { batches, events, manifestSerials } from "../db/schema.ts";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { clip, isoInstantSchema, pageSizeSchema, parseQuery } from "./input.ts";
import { decodePageToken, encodePageToken, pageKey } from "./pageToken.ts";
import { ledgerEventsOf, selectEventRows } from "./timeline.ts";

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

const tokenKey = z.tuple([pageKey.bigint, pageKey.integer]);

/** What an EPC or class URI names, read from its GS1 Digital Link or EPC URN form. */
interface EpcTarget {
  gtin: string;
  lot?: string;
  serial?: string;
}

export function parseEpcTarget(value: string): EpcTarget | undefined {
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
    if (!parsed.ok || parsed.form !== "digital-link" || parsed.value.gtin === undefined) return undefined;
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

/** The SQL condition an EPC target stands for (resolving a pack's serial to its index through the stored manifests). */
async function targetCondition(db: Executor, target: EpcTarget): Promise<SQL> {
  const nothing = sql`false`;
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
    return (
      or(
        ...packs.map((pack) =>
          and(
            eq(events.batchId, pack.batchId),
            inArray(events.name, PACK_EVENTS),
            sql`${events.args}->>'index' = ${String(pack.index)}`,
          ),
        ),
      ) ?? nothing
    );
  }
  if (target.lot !== undefined) return eq(events.batchId, batchIdOf(target.gtin, target.lot));
  return eq(batches.gtin, target.gtin);
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
  const filters: (SQL | undefined)[] = [inArray(events.name, [...LEDGER_EVENT_NAMES])];
  // Events carry whole seconds: t >= x  ⇔  t >= ceil(x); t < x  ⇔  t < ceil(x).
  if (query.GE_eventTime) filters.push(gte(events.timestamp, Math.ceil(query.GE_eventTime.getTime() / 1000)));
  if (query.LT_eventTime) filters.push(lt(events.timestamp, Math.ceil(query.LT_eventTime.getTime() / 1000)));
  if (query.EQ_bizStep) {
    const steps = query.EQ_bizStep.map((value) => {
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
  if (epcValues.length > 0) {
    const conditions: SQL[] = [];
    for (const value of epcValues) {
      const target = parseEpcTarget(value);
      if (target === undefined) {
        throw new ApiError(
          400,
          "INVALID_QUERY",
          `MATCH_epc '${clip(value)}' is neither a GS1 Digital Link of a product, batch or pack (https://id.gs1.org/01/<gtin>/10/<lot> or .../01/<gtin>/21/<serial>) nor an EPC URI (urn:epc:id:sgtin:..., urn:epc:class:lgtin:..., urn:epc:idpat:sgtin:<prefix>.<item>.*).`,
          { details: [{ parameter: "MATCH_epc", message: "not a Digital Link or EPC URI" }] },
        );
      }
      conditions.push(await targetCondition(ctx.db, target));
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
  if (query.nextPageToken !== undefined) {
    const [block, logIndex] = decodePageToken(query.nextPageToken, fingerprint, tokenKey);
    filters.push(sql`(${events.blockNumber}, ${events.logIndex}) > (${block}, ${logIndex})`);
  }
  const rows = await selectEventRows(ctx.db, and(...filters) as SQL, { limit: query.perPage + 1, join: "inner" });
  const page = rows.slice(0, query.perPage);
  const last = page.at(-1);
  const document = toEpcisDocument(await ledgerEventsOf(ctx.db, page, ctx.ledger.chainId), { creationDate: ctx.now() });
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
      rows.length > query.perPage && last !== undefined
        ? encodePageToken([last.blockNumber, last.logIndex], fingerprint)
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
