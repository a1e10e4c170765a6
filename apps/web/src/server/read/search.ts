/**
 * GET /api/search?q=: one box for the auditor. The query is read every way it can be, and each
 * reading that finds something adds typed results with the page the UI opens for them:
 *
 * - a GTIN (8, 12, 13 or 14 digits; 13 digits may also be a GLN) → the product and its batches;
 * - a GTIN and a lot ("09520123456788 A1", "09520123456788/A1") → the batch;
 * - any pack code (element string, HRI, Digital Link, or the text printed beside the code, as
 *   ../../lib/pack-code.ts reads it) → its batch, and the pack when its serial is in a stored
 *   manifest;
 * - an SSCC (18 digits, or AI 00) → an honest note: the ledger does not record logistic units;
 * - a party: a GLN, an account address, or part of its legal name;
 * - a 32-byte hash (0x optional) → the transaction's events, or the batch or shipment with that
 *   id; its first 8 or more hex digits → the transactions whose hash starts with them (0x optional
 *   unless they are all decimal digits, which read as a GTIN, GLN or SSCC);
 * - other text → parties and products by name, batches by lot in any letter case, shipments by
 *   reference (as typed, in capitals or in small letters) and packs by serial.
 *
 * Any participant may search (the directory is theirs to see), but custody is a batch's record
 * (./access.ts): a transaction's events, and a shipment found by its id or reference, are shown
 * only for batches the viewer may read.
 *
 * Serial lists are secrets (DESIGN.md), so a serial alone is matched whole, never as part of a
 * word: a search shows no serial the viewer did not type. It finds the packs with that serial in
 * the batches the viewer may read (a regulator: every stored list; a manufacturer: its batches; a
 * trading party: the batches it shipped or received), and says nothing of other batches, not even
 * that the serial is in one. For a batch it traded, a party learns what checking the code with
 * the GTIN would tell anyone holding the pack, and the route charges searches to verification's
 * allowance per client, so guessing serials here is no faster than at /api/verify. A whole pack
 * code (GTIN and serial) is answered to any participant, as verification answers it to anyone.
 */
import { and, desc, eq, gte, ilike, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { gs1CheckDigit, isValidGln, isValidSscc, isCset82 } from "@pedigree/gs1";
import { isoDateFromYyyymmdd, shipmentRefOf } from "@pedigree/ledger";
import { readLinks, type SearchResponse, type SearchResult } from "../../lib/api/read.ts";
import { readPackCode } from "../../lib/pack-code.ts";
import type { AppContext } from "../context.ts";
import { selectRows, type Executor } from "../db/database.ts";
import { batches, events, manifests, manifestSerials, participants, products, shipmentLines } from "../db/schema.ts";
import { humanDate } from "../verify/words.ts";
import { readableBatchIds, seesEverything, visiblePackSerials, type Viewer } from "./access.ts";
import { parseQuery } from "./input.ts";
import { partyLabel } from "./parties.ts";
import { shipmentRows, shipmentViews } from "./shipments.ts";
import { selectEventRows, timelineOf, type EventRow } from "./timeline.ts";

const MAX_RESULTS = 50;
/** How many transactions a partial hash lists. */
const MAX_TRANSACTIONS = 10;
const searchQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1, "is empty: type a GTIN, lot, serial, pack code, party, shipment reference or transaction hash")
      .max(512, "is too long (at most 512 characters)"),
  })
  .strict();

type Batch = typeof batches.$inferSelect;

function statusText(batch: Batch): string {
  return `${batch.status.toLowerCase()}${batch.statusReason && batch.status !== "ACTIVE" ? ` (${batch.statusReason})` : ""}`;
}

function batchResult(batch: Batch, productName: string | null): SearchResult {
  return {
    kind: "batch",
    title: `${productName ?? `GTIN ${batch.gtin}`}, lot ${batch.lot}`,
    subtitle: `Expiry ${humanDate(isoDateFromYyyymmdd(batch.expiry))} · ${batch.packCount.toLocaleString("en-GB")} packs · ${statusText(batch)}`,
    href: readLinks.batch(batch.gtin, batch.lot),
    gtin: batch.gtin,
    lot: batch.lot,
  };
}

function packResult(serial: string, batch: Batch, productName: string | null, labelLot?: string): SearchResult {
  return {
    kind: "pack",
    title: `Pack ${serial} of ${productName ?? `GTIN ${batch.gtin}`}, lot ${batch.lot}`,
    subtitle: `Expiry ${humanDate(isoDateFromYyyymmdd(batch.expiry))} · batch ${statusText(batch)}${labelLot !== undefined && labelLot !== batch.lot ? ` · the code says lot ${labelLot}: it does not match the record` : ""}`,
    href: readLinks.batch(batch.gtin, batch.lot),
    gtin: batch.gtin,
    lot: batch.lot,
    serial,
  };
}

/** Batches matching `where`, newest first, each with its product's name. */
async function batchRows(db: Executor, where: SQL | undefined, limit = MAX_RESULTS) {
  const rows = await db
    .select({ batch: batches, name: products.name, strength: products.strength })
    .from(batches)
    .leftJoin(products, eq(products.gtin, batches.gtin))
    .where(where)
    .orderBy(desc(batches.registeredBlock))
    .limit(limit);
  return rows.map((r) => ({ batch: r.batch, productName: r.name === null ? null : `${r.name} ${r.strength}` }));
}

async function batchesWhere(db: Executor, where: SQL | undefined): Promise<SearchResult[]> {
  return (await batchRows(db, where)).map((r) => batchResult(r.batch, r.productName));
}

/** A lot as typed, in any letter case (the batches_lot_lower_idx index). */
function lotIs(lot: string): SQL {
  return sql`lower(${batches.lot}) = ${lot.toLowerCase()}`;
}

async function productResults(db: Executor, where: SQL): Promise<SearchResult[]> {
  const rows = await db
    .select({ product: products, manufacturer: participants.legalName })
    .from(products)
    .leftJoin(participants, eq(participants.address, products.manufacturer))
    .where(where)
    .orderBy(products.name)
    .limit(MAX_RESULTS);
  return rows.map(({ product, manufacturer }) => ({
    kind: "product" as const,
    title: `${product.name} ${product.strength} (${product.dosageForm})`,
    subtitle: `GTIN ${product.gtin}${manufacturer ? ` · ${manufacturer}` : ""}`,
    href: readLinks.product(product.gtin),
    gtin: product.gtin,
  }));
}

async function partyResults(db: Executor, where: SQL): Promise<SearchResult[]> {
  const rows = await db.select().from(participants).where(where).orderBy(participants.legalName).limit(MAX_RESULTS);
  return rows.map((p) => ({
    kind: "party" as const,
    title: p.legalName,
    subtitle: `${p.role.toLowerCase()} · GLN ${p.gln}${p.suspended ? " · suspended" : ""}`,
    href: readLinks.party(p.address),
    address: p.address,
  }));
}

/** Results for a GTIN (and lot, serial) read from a code or typed in. */
async function gtinResults(
  db: Executor,
  gtin: string,
  lot: string | undefined,
  serial: string | undefined,
  notes: string[],
) {
  const results: SearchResult[] = [];
  if (serial !== undefined) {
    const holding = db
      .select({ batchId: manifestSerials.batchId })
      .from(manifestSerials)
      .where(and(eq(manifestSerials.gtin, gtin), eq(manifestSerials.serial, serial)));
    const packs = await batchRows(db, inArray(batches.batchId, holding));
    results.push(...packs.map((pack) => packResult(serial, pack.batch, pack.productName, lot)));
    if (packs.length === 0)
      notes.push(`Serial ${serial} is not in any serial list stored on this server for GTIN ${gtin}.`);
  }
  if (lot !== undefined) {
    const found = await batchesWhere(db, and(eq(batches.gtin, gtin), lotIs(lot)));
    if (found.length === 0) notes.push(`No batch with lot ${lot} of GTIN ${gtin} is recorded on the ledger.`);
    results.push(...found);
  }
  if (lot === undefined && serial === undefined) {
    results.push(...(await productResults(db, eq(products.gtin, gtin))));
    results.push(...(await batchesWhere(db, eq(batches.gtin, gtin))));
  }
  return results;
}

/**
 * The packs whose serial is `serial`, or the same in capitals when it holds small letters
 * (serials are printed in capitals, and GS1 serials are case-sensitive), in the stored lists of
 * batches the viewer may read. Serial lists are per product, and manifest_serials_gtin_serial_idx
 * leads with the GTIN: one index probe per product with a stored list.
 */
async function packsBySerial(ctx: AppContext, viewer: Viewer, serial: string, notes: string[]) {
  const capitals = serial.toUpperCase();
  const found = await selectRows<{ batchId: string; serial: string }>(
    ctx.db,
    sql`select s.batch_id as "batchId", s.serial
        from (select distinct ${manifests.gtin} as gtin from ${manifests}) g
        cross join lateral (
          select ms.batch_id, ms.serial from ${manifestSerials} ms
          where ms.gtin = g.gtin and ms.serial in (${serial}, ${capitals})
          limit ${MAX_RESULTS}) s`,
  );
  const readable = await readableBatchIds(
    ctx,
    viewer,
    found.map((row) => row.batchId),
  );
  const visible = found.filter((row) => readable.has(row.batchId));
  if (visible.length === 0) return [];
  if (!visible.some((row) => row.serial === serial)) {
    notes.push(
      `Serials are case-sensitive and printed in capitals: the packs with serial ${capitals} are listed. Check the serial on the pack.`,
    );
  }
  const packs = await batchRows(
    ctx.db,
    inArray(
      batches.batchId,
      visible.map((row) => row.batchId),
    ),
  );
  return packs.flatMap((pack) =>
    visible
      .filter((row) => row.batchId === pack.batch.batchId)
      .map((row) => packResult(row.serial, pack.batch, pack.productName)),
  );
}

/**
 * Shipment lines whose reference is `text` as typed, in capitals or in small letters (references
 * are stored as the bytes32 the ledger holds, so they are matched whole), on batches the viewer
 * may read.
 */
async function shipmentResults(ctx: AppContext, viewer: Viewer, text: string): Promise<SearchResult[]> {
  const references = [...new Set([text, text.toUpperCase(), text.toLowerCase()])]
    .filter((reference) => new TextEncoder().encode(reference).length <= 32)
    .map(shipmentRefOf);
  if (references.length === 0) return [];
  const lines = await shipmentRows(ctx.db, inArray(shipmentLines.shipmentRef, references), MAX_RESULTS);
  const readable = await readableBatchIds(
    ctx,
    viewer,
    lines.map((line) => line.batchId),
  );
  const views = await shipmentViews(
    ctx.db,
    lines.filter((line) => readable.has(line.batchId)),
  );
  return views.map((view) => ({
    kind: "shipment" as const,
    title: `Shipment ${view.reference}: ${view.quantity.toLocaleString("en-GB")} unit${view.quantity === 1 ? "" : "s"} of ${view.productName ?? `GTIN ${view.gtin}`}, lot ${view.lot}`,
    subtitle: `${partyLabel(view.from)} → ${partyLabel(view.to)} · ${view.status.toLowerCase()} · shipped ${humanDate(view.shippedAt)}`,
    href: readLinks.batch(view.gtin, view.lot),
    gtin: view.gtin,
    lot: view.lot,
    transactionHash: view.shippedTx,
  }));
}

/**
 * One result per transaction among `rows` (in chain order) with events the viewer may read: the
 * events naming no batch and those of batches it may read; and the batches they name.
 */
async function transactionResults(ctx: AppContext, viewer: Viewer, allRows: readonly EventRow[]) {
  const readable = await readableBatchIds(
    ctx,
    viewer,
    allRows.map((r) => r.batchId).filter((id): id is string => id !== null),
  );
  const rows = allRows.filter((r) => r.batchId === null || readable.has(r.batchId));
  const entries = await timelineOf(ctx.db, rows, await visiblePackSerials(ctx, viewer, rows));
  const byHash = new Map<string, typeof entries>();
  for (const entry of entries) byHash.set(entry.transactionHash, [...(byHash.get(entry.transactionHash) ?? []), entry]);
  const results: SearchResult[] = [...byHash].map(([hash, events]) => ({
    kind: "transaction",
    title: `Transaction ${hash.slice(0, 10)}…${hash.slice(-6)}: ${events.length} event${events.length === 1 ? "" : "s"}`,
    subtitle: events
      .map((e) => e.summary)
      .slice(0, 3)
      .join("; "),
    href: readLinks.transaction(hash),
    transactionHash: hash,
    events,
  }));
  const batchIds = [...new Set(rows.map((r) => r.batchId).filter((id): id is string => id !== null))];
  return { results, batchIds };
}

/** The transactions whose hash starts with the hex digits `prefix` (the events_tx_idx index), at most MAX_TRANSACTIONS. */
async function transactionsStartingWith(ctx: AppContext, viewer: Viewer, prefix: string, notes: string[]) {
  const from = `0x${prefix}`;
  // Every hash that starts with `from` sorts from it up to `from` followed by "g", after every hex digit.
  const hashes = await ctx.db
    .selectDistinct({ hash: events.transactionHash })
    .from(events)
    .where(and(gte(events.transactionHash, from), lt(events.transactionHash, `${from}g`)))
    .orderBy(events.transactionHash)
    .limit(MAX_TRANSACTIONS + 1);
  if (hashes.length === 0) return [];
  const rows = await selectEventRows(
    ctx.db,
    inArray(
      events.transactionHash,
      hashes.slice(0, MAX_TRANSACTIONS).map((h) => h.hash),
    ),
  );
  const { results } = await transactionResults(ctx, viewer, rows);
  if (hashes.length > MAX_TRANSACTIONS && results.length === MAX_TRANSACTIONS) {
    notes.push(`More than ${MAX_TRANSACTIONS} transactions start with ${from}: type more of the hash.`);
  }
  return results;
}

/** GET /api/search?q=, as `viewer` may see it. */
export async function search(ctx: AppContext, params: URLSearchParams, viewer: Viewer): Promise<SearchResponse> {
  const { q } = parseQuery(searchQuery, params);
  const db = ctx.db;
  const interpretedAs: string[] = [];
  const results: SearchResult[] = [];
  const notes: string[] = [];
  const add = (found: SearchResult[]) => {
    for (const result of found) {
      if (
        !results.some(
          (r) =>
            r.kind === result.kind &&
            r.href === result.href &&
            r.serial === result.serial &&
            r.transactionHash === result.transactionHash,
        )
      )
        results.push(result);
    }
  };
  const fullHash = /^(?:0x)?([0-9a-fA-F]{64})$/.exec(q)?.[1];
  if (fullHash !== undefined) {
    interpretedAs.push("hash");
    const hash = `0x${fullHash.toLowerCase()}`;
    const found = await transactionResults(ctx, viewer, await selectEventRows(db, eq(events.transactionHash, hash)));
    add(found.results);
    if (found.batchIds.length > 0) add(await batchesWhere(db, inArray(batches.batchId, found.batchIds)));
    add(await batchesWhere(db, eq(batches.batchId, hash)));
    const lines = await db.select().from(shipmentLines).where(eq(shipmentLines.shipmentId, hash));
    const linesReadable = await readableBatchIds(
      ctx,
      viewer,
      lines.map((s) => s.batchId),
    );
    const shipment = lines.filter((s) => linesReadable.has(s.batchId));
    if (shipment.length > 0) {
      add(
        await batchesWhere(
          db,
          inArray(
            batches.batchId,
            shipment.map((s) => s.batchId),
          ),
        ),
      );
      notes.push(
        `${hash} is a shipment id: the shipment moved ${shipment.map((s) => `${s.quantity} units`).join(" and ")} (see each batch's timeline).`,
      );
    }
    if (results.length === 0) {
      notes.push(
        seesEverything(viewer)
          ? "No transaction, batch or shipment with this hash is recorded on the ledger."
          : "No transaction, batch or shipment with this hash is recorded on the ledger among those you took part in.",
      );
    }
    return { query: q, interpretedAs, results, notes };
  }

  if (/^0x[0-9a-fA-F]{40}$/.test(q)) {
    interpretedAs.push("address");
    const found = await partyResults(db, eq(participants.address, q.toLowerCase()));
    if (found.length === 0) notes.push(`Account ${q} is not a participant of the ledger.`);
    add(found);
    return { query: q, interpretedAs, results, notes };
  }

  const digits = q.replace(/[\s-]/g, "");
  if (/^\d+$/.test(digits) && digits.length >= 8 && digits.length <= 18) {
    if (digits.length === 18) {
      interpretedAs.push("sscc");
      notes.push(
        isValidSscc(digits)
          ? `${digits} is an SSCC (a case or pallet). The ledger records batches, units and packs, not logistic units, so it cannot be searched by SSCC: search by the GTIN and lot printed on the case label instead.`
          : `${digits} looks like an SSCC but its check digit is wrong (expected ${gs1CheckDigit(digits.slice(0, 17))}).`,
      );
      add([
        {
          kind: "sscc",
          title: `SSCC ${digits}`,
          subtitle: "Logistic units are not recorded by the ledger",
          href: readLinks.search(digits),
        },
      ]);
    }
    if (digits.length === 13 && isValidGln(digits)) {
      interpretedAs.push("gln");
      add(await partyResults(db, eq(participants.gln, digits)));
    }
    if ([8, 12, 13, 14].includes(digits.length)) {
      const gtin = digits.padStart(14, "0");
      const expected = gs1CheckDigit(gtin.slice(0, 13));
      if (String(expected) === gtin[13]) {
        interpretedAs.push("gtin");
        add(await gtinResults(db, gtin, undefined, undefined, notes));
      } else if (!interpretedAs.includes("gln")) {
        notes.push(`${digits} is not a valid GTIN: its check digit should be ${expected}, not ${gtin[13]}.`);
      }
    }
    if (results.length === 0 && notes.length === 0) notes.push(`Nothing on the ledger has the number ${digits}.`);
    return { query: q, interpretedAs, results, notes };
  }

  // A GTIN and a lot typed together: "09520123456788 A1" or "09520123456788/A1".
  const gtinAndLot = /^(\d{8}|\d{12,14})[\s/]+(\S{1,20})$/.exec(q);
  if (gtinAndLot !== null && isCset82(gtinAndLot[2] as string)) {
    const gtin = (gtinAndLot[1] as string).padStart(14, "0");
    if (String(gs1CheckDigit(gtin.slice(0, 13))) === gtin[13]) {
      interpretedAs.push("gtin+lot");
      add(await gtinResults(db, gtin, gtinAndLot[2], undefined, notes));
      return { query: q, interpretedAs, results, notes };
    }
  }

  const code = readPackCode(q, { now: ctx.now() });
  if (code.ok) {
    interpretedAs.push("gs1-code");
    const v = code.value;
    if (v.gtin !== undefined) add(await gtinResults(db, v.gtin, v.lot, v.serial, notes));
    if (v.sscc !== undefined) {
      notes.push(
        `The code holds SSCC ${v.sscc}. The ledger does not record logistic units (cases, pallets): search by GTIN and lot instead.`,
      );
    }
    const gln = v.partyGln ?? v.gln;
    if (gln !== undefined) add(await partyResults(db, eq(participants.gln, gln)));
    if (results.length === 0 && notes.length === 0)
      notes.push("The code is valid but names nothing recorded on the ledger.");
    return { query: q, interpretedAs, results, notes };
  }
  if (/^(\]|\(\d\d|https?:\/\/|\x1d)/.test(q)) {
    // It was meant as a pack code: say why it could not be read rather than searching names for it.
    interpretedAs.push("gs1-code");
    notes.push(`This looks like a pack code but could not be read: ${code.error.message}.`);
    return { query: q, interpretedAs, results, notes };
  }

  interpretedAs.push("text");
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  add(await partyResults(db, ilike(participants.legalName, pattern)));
  add(await productResults(db, or(ilike(products.name, pattern), ilike(products.strength, pattern)) as SQL));
  if (isCset82(q) && q.length <= 20) {
    add(await batchesWhere(db, lotIs(q)));
    add(await packsBySerial(ctx, viewer, q, notes));
  }
  add(await shipmentResults(ctx, viewer, q));
  const hashPrefix = /^(?:0x)?([0-9a-fA-F]{8,63})$/.exec(q)?.[1];
  if (hashPrefix !== undefined) {
    interpretedAs.push("hash-prefix");
    add(await transactionsStartingWith(ctx, viewer, hashPrefix.toLowerCase(), notes));
  }
  if (results.length >= MAX_RESULTS)
    notes.push(`Showing the first ${MAX_RESULTS} matches of each kind: refine the search.`);
  if (results.length === 0) notes.push(`Nothing recorded on the ledger matches '${q}'.`);
  return { query: q, interpretedAs, results, notes };
}
