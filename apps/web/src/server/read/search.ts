/**
 * GET /api/search?q=: one box for the auditor. The query is read every way it can be, and each
 * reading that finds something adds typed results with the page the UI opens for them:
 *
 * - a GTIN (8, 12, 13 or 14 digits; 13 digits may also be a GLN) → the product and its batches;
 * - a GTIN and a lot ("09520123456788 A1", "09520123456788/A1") → the batch;
 * - any pack code (element string, HRI, Digital Link) → its batch, and the pack when its serial is
 *   in a stored manifest;
 * - an SSCC (18 digits, or AI 00) → an honest note: the ledger does not record logistic units;
 * - a party: a GLN, an account address, or part of its legal name;
 * - a 32-byte hash → the transaction's events, or the batch or shipment with that id;
 * - other text → parties and products by name, batches by lot.
 *
 * Any participant may search (the directory is theirs to see), but a transaction's custody events
 * and a shipment's quantities are a batch's record: a party that may not read the batch
 * (./access.ts) finds of a transaction only the events naming no batch, and no shipment of it.
 */
import { and, desc, eq, ilike, inArray, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { gs1CheckDigit, isValidGln, isValidSscc, parseGs1, isCset82 } from "@pedigree/gs1";
import { isoDateFromYyyymmdd } from "@pedigree/ledger";
import { readLinks, type SearchResponse, type SearchResult } from "../../lib/api/read.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { batches, manifestSerials, participants, products, shipmentLines } from "../db/schema.ts";
import { humanDate } from "../verify/words.ts";
import { readableBatchIds, seesEverything, type Viewer } from "./access.ts";
import { parseQuery } from "./input.ts";
import { timelineOf, transactionEventRows } from "./timeline.ts";

const MAX_RESULTS = 50;
const searchQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1, "is empty: type a GTIN, lot, pack code, party or transaction hash")
      .max(512, "is too long (at most 512 characters)"),
  })
  .strict();

type Batch = typeof batches.$inferSelect;

function batchResult(batch: Batch, productName: string | null | undefined): SearchResult {
  return {
    kind: "batch",
    title: `${productName ?? `GTIN ${batch.gtin}`}, lot ${batch.lot}`,
    subtitle: `Expiry ${humanDate(isoDateFromYyyymmdd(batch.expiry))} · ${batch.packCount.toLocaleString("en-GB")} packs · ${batch.status.toLowerCase()}${batch.statusReason && batch.status !== "ACTIVE" ? ` (${batch.statusReason})` : ""}`,
    href: readLinks.batch(batch.gtin, batch.lot),
    gtin: batch.gtin,
    lot: batch.lot,
  };
}

async function productName(db: Executor, gtin: string): Promise<string | undefined> {
  const [row] = await db
    .select({ name: products.name, strength: products.strength })
    .from(products)
    .where(eq(products.gtin, gtin));
  return row === undefined ? undefined : `${row.name} ${row.strength}`;
}

async function batchesWhere(db: Executor, where: SQL | undefined, limit = MAX_RESULTS): Promise<SearchResult[]> {
  const rows = await db
    .select({ batch: batches, name: products.name, strength: products.strength })
    .from(batches)
    .leftJoin(products, eq(products.gtin, batches.gtin))
    .where(where)
    .orderBy(desc(batches.registeredBlock))
    .limit(limit);
  return rows.map((r) => batchResult(r.batch, r.name === null ? null : `${r.name} ${r.strength}`));
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
    const packs = await db
      .select({ batchId: manifestSerials.batchId, index: manifestSerials.index, lot: batches.lot })
      .from(manifestSerials)
      .innerJoin(batches, eq(batches.batchId, manifestSerials.batchId))
      .where(and(eq(manifestSerials.gtin, gtin), eq(manifestSerials.serial, serial)));
    const name = await productName(db, gtin);
    for (const pack of packs) {
      results.push({
        kind: "pack",
        title: `Pack ${serial} of ${name ?? `GTIN ${gtin}`}, lot ${pack.lot}`,
        subtitle: `Pack #${pack.index} of the batch${lot !== undefined && lot !== pack.lot ? ` (the code says lot ${lot}: it does not match the record)` : ""}`,
        href: readLinks.batch(gtin, pack.lot),
        gtin,
        lot: pack.lot,
        serial,
      });
    }
    if (packs.length === 0)
      notes.push(`Serial ${serial} is not in any serial list stored on this server for GTIN ${gtin}.`);
  }
  if (lot !== undefined) {
    const found = await batchesWhere(db, and(eq(batches.gtin, gtin), eq(batches.lot, lot)));
    if (found.length === 0) notes.push(`No batch with lot ${lot} of GTIN ${gtin} is recorded on the ledger.`);
    results.push(...found);
  }
  if (lot === undefined && serial === undefined) {
    results.push(...(await productResults(db, eq(products.gtin, gtin))));
    results.push(...(await batchesWhere(db, eq(batches.gtin, gtin))));
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
      if (!results.some((r) => r.kind === result.kind && r.href === result.href && r.serial === result.serial))
        results.push(result);
    }
  };

  if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
    interpretedAs.push("hash");
    const hash = q.toLowerCase();
    const allRows = await transactionEventRows(db, hash);
    const readable = await readableBatchIds(
      ctx,
      viewer,
      allRows.map((r) => r.batchId).filter((id): id is string => id !== null),
    );
    const rows = allRows.filter((r) => r.batchId === null || readable.has(r.batchId));
    if (rows.length > 0) {
      const entries = await timelineOf(db, rows);
      add([
        {
          kind: "transaction",
          title: `Transaction ${hash.slice(0, 10)}…${hash.slice(-6)}: ${rows.length} event${rows.length === 1 ? "" : "s"}`,
          subtitle: entries
            .map((e) => e.summary)
            .slice(0, 3)
            .join("; "),
          href: readLinks.transaction(hash),
          transactionHash: hash,
          events: entries,
        },
      ]);
      const batchIds = [...new Set(rows.map((r) => r.batchId).filter((id): id is string => id !== null))];
      if (batchIds.length > 0) add(await batchesWhere(db, inArray(batches.batchId, batchIds)));
    }
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
      return { query: q, interpretedAs, results, notes };
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

  const code = parseGs1(q, { now: ctx.now() });
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
  if (isCset82(q) && q.length <= 20) add(await batchesWhere(db, eq(batches.lot, q)));
  if (results.length >= MAX_RESULTS)
    notes.push(`Showing the first ${MAX_RESULTS} matches of each kind: refine the search.`);
  if (results.length === 0) notes.push(`Nothing recorded on the ledger matches '${q}'.`);
  return { query: q, interpretedAs, results, notes };
}
