/**
 * What a sheet of pack labels holds: for each pack of a batch (by index in its serial manifest),
 * the GS1 DataMatrix (scan data with FNC1), the Digital Link QR code on this app's origin, and
 * the human-readable text. Barcodes are drawn on the server with bwip-js as SVG, so printing
 * needs no script and no network.
 *
 * A sheet lists serials, and a serial list is a secret (whoever holds it prints labels that
 * verify as genuine): only the batch's manufacturer, signed in, gets its labels.
 */
import { and, asc, eq, gte, lt } from "drizzle-orm";
import type { Address } from "viem";
import { toDigitalLink, toHri, type Gs1Value } from "@pedigree/gs1";
import { dataMatrixSvg, qrCodeSvg } from "./barcodes";
import { ApiError } from "@/server/api/errors";
import type { Database } from "@/server/db/database";
import { manifestSerials, products } from "@/server/db/schema";
import { findBatch } from "@/server/read/batch";

export const DEFAULT_LABEL_COUNT = 24;
export const MAX_LABEL_COUNT = 240;

export interface PackLabel {
  index: number;
  serial: string;
  hri: string;
  digitalLink: string;
  dataMatrixSvg: string;
  qrSvg: string;
}

export interface LabelSheet {
  gtin: string;
  lot: string;
  /** YYMMDD as printed in AI 17. */
  expiryRaw: string;
  /** ISO date. */
  expiry: string;
  packCount: number;
  product: { name: string; strength: string; dosageForm: string } | null;
  manifestStored: boolean;
  from: number;
  labels: PackLabel[];
}

/** The page's ?from=&count=, clamped to sensible values rather than refused (it is a print view). */
export function labelRange(from: string | undefined, count: string | undefined): { from: number; count: number } {
  const f = Number.parseInt(from ?? "", 10);
  const c = Number.parseInt(count ?? "", 10);
  return {
    from: Number.isSafeInteger(f) && f > 0 ? f : 0,
    count: Number.isSafeInteger(c) && c > 0 ? Math.min(c, MAX_LABEL_COUNT) : DEFAULT_LABEL_COUNT,
  };
}

export async function labelSheet(
  db: Database,
  rawGtin: string,
  rawLot: string,
  range: { from: number; count: number },
  origin: string,
  requester: Address,
): Promise<LabelSheet> {
  const batch = await findBatch(db, rawGtin, rawLot);
  if (batch.manufacturer.toLowerCase() !== requester.toLowerCase()) {
    throw new ApiError(
      403,
      "NOT_THE_MANUFACTURER",
      "Only the manufacturer that registered this batch can print its pack labels. Sign in with the manufacturer's account.",
    );
  }
  const expiryRaw = String(batch.expiry).slice(2);
  const expiry = `${String(batch.expiry).slice(0, 4)}-${String(batch.expiry).slice(4, 6)}-${String(batch.expiry).slice(6, 8)}`;
  const [product] = await db
    .select({ name: products.name, strength: products.strength, dosageForm: products.dosageForm })
    .from(products)
    .where(eq(products.gtin, batch.gtin))
    .limit(1);
  const rows = await db
    .select({ index: manifestSerials.index, serial: manifestSerials.serial })
    .from(manifestSerials)
    .where(
      and(
        eq(manifestSerials.batchId, batch.batchId),
        gte(manifestSerials.index, range.from),
        lt(manifestSerials.index, range.from + range.count),
      ),
    )
    .orderBy(asc(manifestSerials.index));
  const manifestStored =
    rows.length > 0 ||
    (
      await db
        .select({ index: manifestSerials.index })
        .from(manifestSerials)
        .where(eq(manifestSerials.batchId, batch.batchId))
        .limit(1)
    ).length > 0;
  const labels = rows.map(({ index, serial }) => {
    const value: Gs1Value = { gtin: batch.gtin, lot: batch.lot, serial, expiry: { raw: expiryRaw, date: expiry } };
    const digitalLink = toDigitalLink(value, origin);
    return {
      index,
      serial,
      hri: toHri(value),
      digitalLink,
      dataMatrixSvg: dataMatrixSvg(value),
      qrSvg: qrCodeSvg(digitalLink),
    };
  });
  return {
    gtin: batch.gtin,
    lot: batch.lot,
    expiryRaw,
    expiry,
    packCount: batch.packCount,
    product: product ?? null,
    manifestStored,
    from: range.from,
    labels,
  };
}
