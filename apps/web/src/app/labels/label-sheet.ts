/**
 * What a sheet of pack labels holds: for each pack of a batch (by index in its serial manifest),
 * the GS1 DataMatrix (scan data with FNC1), the Digital Link QR code on this app's origin, and
 * the human-readable text. Barcodes are drawn on the server with bwip-js as SVG, so printing
 * needs no script and no network. A whole batch prints as one PDF of the same labels
 * (label-pdf.ts), drawn on a worker thread and streamed as it is drawn.
 *
 * A sheet lists serials, and a serial list is a secret (whoever holds it prints labels that
 * verify as genuine): only the batch's manufacturer, signed in, gets its labels, on the page and
 * in the PDF alike.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { and, asc, eq, gte, lt } from "drizzle-orm";
import type { Address } from "viem";
import type { Hex } from "@pedigree/ledger";
import { packLabel, type PackLabel } from "./barcodes";
import { labelsPerPage, type Paper } from "./label-layout";
import type { LabelPdfJob, LabelPdfReply } from "./label-pdf";
import { ApiError } from "@/server/api/errors";
import { repositoryRoot, type Database } from "@/server/db/database";
import { manifestSerials, products } from "@/server/db/schema";
import { storedManifest } from "@/server/manifests/store";
import { findBatch } from "@/server/read/batch";

/** The most labels one page of the HTML sheet shows (ten A4 sheets). */
export const MAX_LABEL_COUNT = 240;
/** The most labels one PDF holds: a 10,000-pack batch is one file, a bigger one comes in parts. */
export const MAX_PDF_LABELS = 10_000;

export interface LabelSheet {
  gtin: string;
  lot: string;
  /** ISO date. */
  expiry: string;
  packCount: number;
  /** "Metformin, 500 mg", or the GTIN when the product is not in the read model. */
  productLine: string;
  manifestStored: boolean;
  from: number;
  labels: PackLabel[];
}

/** Labels on one HTML page: whole sheets of the paper, MAX_LABEL_COUNT at most. */
export function sheetfulCount(paper: Paper): number {
  return Math.floor(MAX_LABEL_COUNT / labelsPerPage(paper)) * labelsPerPage(paper);
}

/** A ?from= pack index, 0 unless a whole number above it (a print view clamps rather than refuses). */
export function firstPack(from: string | undefined): number {
  const f = Number.parseInt(from ?? "", 10);
  return Number.isSafeInteger(f) && f > 0 ? f : 0;
}

/** The page's ?from=&count=, clamped to sensible values. */
export function labelRange(
  from: string | undefined,
  count: string | undefined,
  paper: Paper,
): { from: number; count: number } {
  const c = Number.parseInt(count ?? "", 10);
  const most = sheetfulCount(paper);
  return { from: firstPack(from), count: Number.isSafeInteger(c) && c > 0 ? Math.min(c, most) : most };
}

/** The batch `requester` may print labels of: its own. */
async function manufacturersBatch(db: Database, rawGtin: string, rawLot: string, requester: Address) {
  const batch = await findBatch(db, rawGtin, rawLot);
  if (batch.manufacturer.toLowerCase() !== requester.toLowerCase()) {
    throw new ApiError(
      403,
      "NOT_THE_MANUFACTURER",
      "Only the manufacturer that registered this batch can print its pack labels. Sign in with the manufacturer's account.",
    );
  }
  const [product] = await db
    .select({ name: products.name, strength: products.strength })
    .from(products)
    .where(eq(products.gtin, batch.gtin))
    .limit(1);
  const digits = String(batch.expiry);
  return {
    batchId: batch.batchId as Hex,
    gtin: batch.gtin,
    lot: batch.lot,
    packCount: batch.packCount,
    expiryRaw: digits.slice(2),
    expiry: `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`,
    productLine: product ? `${product.name}${product.strength ? `, ${product.strength}` : ""}` : `GTIN ${batch.gtin}`,
  };
}

/** The serials of packs `from` to `from + count - 1`, in pack order. */
async function serialsInRange(db: Database, batchId: Hex, from: number, count: number): Promise<string[]> {
  const rows = await db
    .select({ serial: manifestSerials.serial })
    .from(manifestSerials)
    .where(
      and(
        eq(manifestSerials.batchId, batchId),
        gte(manifestSerials.index, from),
        lt(manifestSerials.index, from + count),
      ),
    )
    .orderBy(asc(manifestSerials.index));
  return rows.map((row) => row.serial);
}

export async function labelSheet(
  db: Database,
  rawGtin: string,
  rawLot: string,
  range: { from: number; count: number },
  origin: string,
  requester: Address,
): Promise<LabelSheet> {
  const batch = await manufacturersBatch(db, rawGtin, rawLot, requester);
  const serials = await serialsInRange(db, batch.batchId, range.from, range.count);
  const manifestStored = serials.length > 0 || (await storedManifest(db, batch.batchId)) !== undefined;
  const expiry = { raw: batch.expiryRaw, date: batch.expiry };
  return {
    gtin: batch.gtin,
    lot: batch.lot,
    expiry: batch.expiry,
    packCount: batch.packCount,
    productLine: batch.productLine,
    manifestStored,
    from: range.from,
    labels: serials.map((serial, i) =>
      packLabel({ gtin: batch.gtin, lot: batch.lot, serial, expiry }, range.from + i, origin),
    ),
  };
}

/**
 * The labels of packs `from` to `from + MAX_PDF_LABELS - 1` as one PDF download, streamed a page
 * at a time as the worker thread draws it (drawing a code takes milliseconds: 10,000 labels on the
 * server's main thread would hold every verification for minutes).
 */
export async function labelPdfResponse(
  db: Database,
  rawGtin: string,
  rawLot: string,
  request: { paper: Paper; from: number },
  origin: string,
  requester: Address,
): Promise<Response> {
  const batch = await manufacturersBatch(db, rawGtin, rawLot, requester);
  const serials = await serialsInRange(db, batch.batchId, request.from, MAX_PDF_LABELS);
  if (serials.length === 0) {
    throw (await storedManifest(db, batch.batchId)) === undefined
      ? new ApiError(
          409,
          "SERIALS_NOT_STORED",
          "The serial list of this batch is not stored on this server, so its pack labels cannot be printed here. Upload the batch's serial list first.",
        )
      : new ApiError(
          404,
          "NO_SUCH_PACKS",
          `This batch has ${batch.packCount} packs; there are none from pack ${request.from + 1} on.`,
        );
  }
  const job: LabelPdfJob = {
    paper: request.paper.name,
    origin,
    gtin: batch.gtin,
    lot: batch.lot,
    expiry: { raw: batch.expiryRaw, date: batch.expiry },
    productLine: batch.productLine,
    firstIndex: request.from,
    serials,
  };
  const name = `labels-${batch.gtin}-${batch.lot}-${request.from + 1}-to-${request.from + serials.length}-${request.paper.name}.pdf`;
  return new Response(labelPdfStream(job), {
    headers: {
      "content-type": "application/pdf",
      // Lots may hold characters a header's quoted file name cannot.
      "content-disposition": `attachment; filename="${name.replace(/[^\w.-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}

/** The PDF's bytes from the worker, one page per pull, so a slow download holds one page in memory. */
function labelPdfStream(job: LabelPdfJob): ReadableStream<Uint8Array> {
  // turbopackIgnore: the worker is loaded by Node at run time, not bundled with the server.
  const worker = new Worker(
    path.join(/*turbopackIgnore: true*/ repositoryRoot(), "apps/web/src/app/labels/label-pdf-worker.ts"),
    { workerData: job },
  );
  return new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) => {
        const settle = (outcome: () => void) => {
          worker.off("message", onMessage).off("error", onError).off("exit", onExit);
          outcome();
          resolve();
        };
        const fail = (message: string) => {
          console.error(`The label PDF of lot ${job.lot} of ${job.gtin} failed: ${message}`);
          controller.error(new Error(message));
          void worker.terminate();
        };
        const onMessage = (reply: LabelPdfReply) =>
          settle(() => {
            if (reply.kind === "page") return controller.enqueue(reply.bytes);
            if (reply.kind === "error") return fail(reply.message);
            controller.close();
            void worker.terminate();
          });
        const onError = (error: Error) => settle(() => fail(error.message));
        const onExit = (code: number) => settle(() => fail(`the worker stopped (exit code ${code})`));
        worker.on("message", onMessage).on("error", onError).on("exit", onExit);
        worker.postMessage("next");
      }),
    cancel: () => void worker.terminate(),
  });
}
