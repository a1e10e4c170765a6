/**
 * A printable A4 sheet of pack labels for one batch: GS1 DataMatrix, Digital Link QR code and
 * the human-readable text of each pack, paged by pack index (?from=&count=).
 */
import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { ApiError } from "@/server/api/errors";
import { appContext } from "@/server/context";
import { labelRange, labelSheet, type LabelSheet } from "../../label-sheet";
import { publicOrigin } from "@/server/auth/origin";
import { requirePartyOnPage } from "@/server/auth/session";
import { pageSegment } from "@/server/request-path";
import { PrintButton } from "../../PrintButton";

export const dynamic = "force-dynamic";

type Params = Promise<{ gtin: string; lot: string }>;
type Search = Promise<{ from?: string; count?: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { gtin, lot } = await params;
  return { title: `Labels for lot ${pageSegment(lot)} of ${pageSegment(gtin)}`, robots: { index: false } };
}

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

function pageHref(gtin: string, lot: string, from: number, count: number): string {
  return `/labels/${gtin}/${encodeURIComponent(lot)}?from=${from}&count=${count}`;
}

export default async function LabelsPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const [segments, query] = await Promise.all([params, searchParams]);
  const gtin = pageSegment(segments.gtin);
  const lot = pageSegment(segments.lot);
  const range = labelRange(query.from, query.count);
  let sheet: LabelSheet;
  try {
    const ctx = await appContext();
    const manufacturer = await requirePartyOnPage(ctx, await headers(), ["MANUFACTURER"]);
    sheet = await labelSheet(ctx.db, gtin, lot, range, publicOrigin().origin, manufacturer.session.address);
  } catch (error) {
    const message = !(error instanceof ApiError)
      ? "The labels could not be prepared because the record cannot be read right now. Try again in a minute."
      : error.status === 401
        ? "Pack labels are printed by the batch's manufacturer only. Sign in with the manufacturer's account on the dashboard, then open the labels from the batch."
        : error.message;
    if (!(error instanceof ApiError)) console.error("Label sheet failed:", error);
    return (
      <main className="mx-auto max-w-2xl p-6">
        <h1 className="text-2xl font-semibold">Pack labels</h1>
        <p
          role="alert"
          className="mt-4 rounded-lg border border-red-700 bg-red-50 p-4 text-red-950"
          data-testid="labels-error"
        >
          {message}
        </p>
        <p className="mt-4">
          <Link className="font-medium text-sky-800 underline" href="/manufacturer">
            Back to the manufacturer&apos;s page
          </Link>
        </p>
      </main>
    );
  }

  const last = Math.min(sheet.from + range.count, sheet.packCount);
  const previous = Math.max(0, sheet.from - range.count);
  const productLine = sheet.product
    ? `${sheet.product.name}${sheet.product.strength ? `, ${sheet.product.strength}` : ""}`
    : `GTIN ${sheet.gtin}`;

  return (
    <main className="mx-auto max-w-[210mm] p-4 print:max-w-none print:p-0">
      <style>{`@page { size: A4; margin: 10mm; } @media print { html, body { background: white !important; } }`}</style>
      <div className="mb-4 flex flex-col gap-3 print:hidden">
        <h1 className="text-2xl font-semibold text-slate-900">Pack labels</h1>
        <p className="text-slate-700">
          {productLine} · lot <span className="font-mono">{sheet.lot}</span> · use before{" "}
          {DATE.format(new Date(`${sheet.expiry}T00:00:00Z`))}
          {" · "}
          {sheet.labels.length > 0
            ? `packs ${sheet.from + 1} to ${sheet.from + sheet.labels.length} of ${sheet.packCount}`
            : `${sheet.packCount} packs`}
        </p>
        <nav aria-label="Label pages" className="flex flex-wrap items-center gap-3">
          {sheet.from > 0 && (
            <Link
              className="rounded-lg border border-slate-400 bg-white px-4 py-2 font-medium hover:bg-slate-100"
              href={pageHref(sheet.gtin, sheet.lot, previous, range.count)}
            >
              Previous {range.count}
            </Link>
          )}
          {last < sheet.packCount && (
            <Link
              className="rounded-lg border border-slate-400 bg-white px-4 py-2 font-medium hover:bg-slate-100"
              href={pageHref(sheet.gtin, sheet.lot, last, range.count)}
            >
              Next {range.count}
            </Link>
          )}
          <PrintButton />
        </nav>
        <p className="text-sm text-slate-600">
          The QR codes open the verification page on this server. Print at 100% scale on A4.
        </p>
      </div>

      {!sheet.manifestStored ? (
        <p
          role="alert"
          className="rounded-lg border border-amber-600 bg-amber-50 p-4 text-amber-950 print:hidden"
          data-testid="labels-error"
        >
          The serial list of this batch is not stored on this server, so its pack labels cannot be printed here. Upload
          the batch&apos;s serial list first.
        </p>
      ) : sheet.labels.length === 0 ? (
        <p
          role="alert"
          className="rounded-lg border border-amber-600 bg-amber-50 p-4 text-amber-950 print:hidden"
          data-testid="labels-error"
        >
          This batch has {sheet.packCount} packs; there are none from pack {sheet.from + 1} on.
        </p>
      ) : (
        <ol className="grid grid-cols-3 gap-[2mm] bg-white" aria-label="Pack labels" data-testid="label-sheet">
          {sheet.labels.map((label) => (
            <li
              key={label.index}
              className="flex break-inside-avoid flex-col gap-[1.5mm] rounded-sm border border-dashed border-slate-400 p-[2.5mm] text-black"
              data-testid="pack-label"
              data-serial={label.serial}
            >
              <p className="truncate text-[8pt] font-semibold leading-tight">{productLine}</p>
              <div className="flex items-end gap-[3mm]">
                <div
                  role="img"
                  aria-label={`GS1 DataMatrix of pack ${label.serial}`}
                  className="w-[17mm] shrink-0 [&>svg]:h-auto [&>svg]:w-full"
                  data-testid="label-datamatrix"
                  dangerouslySetInnerHTML={{ __html: label.dataMatrixSvg }}
                />
                <a
                  href={label.digitalLink}
                  aria-label={`Digital Link QR code of pack ${label.serial}: ${label.digitalLink}`}
                  className="block w-[21mm] shrink-0 [&>svg]:h-auto [&>svg]:w-full"
                  data-testid="label-qr"
                  dangerouslySetInnerHTML={{ __html: label.qrSvg }}
                />
              </div>
              <p className="font-mono text-[6.5pt] leading-snug break-all" data-testid="label-hri">
                {label.hri.split(/(?=\(\d{2,4}\))/).map((part) => (
                  <span key={part} className="block">
                    {part}
                  </span>
                ))}
              </p>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
