/**
 * Printable sheets of pack labels for one batch: GS1 DataMatrix, Digital Link QR code and the
 * human-readable text of each pack, on the paper chosen (?paper=a4|letter|roll), one sheet to a
 * printed page (CSS @page at the paper's size), paged by pack index (?from=&count=). The whole
 * batch is also one PDF (GET /api/batches/<gtin>/<lot>/labels), for a single print job.
 */
import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { ApiError } from "@/server/api/errors";
import { appContext } from "@/server/context";
import {
  hriLines,
  LABEL,
  labelPosition,
  labelsPerPage,
  pageCount,
  paperOf,
  PAPERS,
  type Paper,
} from "../../label-layout";
import { labelRange, labelSheet, MAX_PDF_LABELS, type LabelSheet } from "../../label-sheet";
import type { PackLabel } from "../../barcodes";
import { publicOrigin } from "@/server/auth/origin";
import { requirePartyOnPage } from "@/server/auth/session";
import { pageSegment } from "@/server/request-path";
import { PrintButton } from "../../PrintButton";

export const dynamic = "force-dynamic";

type Params = Promise<{ gtin: string; lot: string }>;
type Search = Promise<{ from?: string; count?: string; paper?: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { gtin, lot } = await params;
  return { title: `Labels for lot ${pageSegment(lot)} of ${pageSegment(gtin)}`, robots: { index: false } };
}

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const NUMBER = new Intl.NumberFormat("en-GB");

const linkClass =
  "rounded-lg border border-slate-400 bg-white px-4 py-2 font-medium hover:bg-slate-100 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700";

function pageHref(gtin: string, lot: string, query: { from: number; count?: number; paper: Paper }): string {
  const count = query.count === undefined ? "" : `&count=${query.count}`;
  return `/labels/${gtin}/${encodeURIComponent(lot)}?paper=${query.paper.name}&from=${query.from}${count}`;
}

function pdfHref(gtin: string, lot: string, paper: Paper, from: number): string {
  return `/api/batches/${gtin}/${encodeURIComponent(lot)}/labels?paper=${paper.name}&from=${from}`;
}

/** The way back, on every state of the page. */
function BackLinks({ gtin, lot }: { gtin: string; lot: string }) {
  return (
    <nav aria-label="Back" className="flex flex-wrap gap-x-4 gap-y-1 print:hidden">
      <Link className="font-medium text-sky-800 underline" href={`/auditor/batches/${gtin}/${encodeURIComponent(lot)}`}>
        ← Back to the batch
      </Link>
      <Link className="font-medium text-sky-800 underline" href="/manufacturer">
        The manufacturer&apos;s page
      </Link>
    </nav>
  );
}

export default async function LabelsPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const [segments, query] = await Promise.all([params, searchParams]);
  const gtin = pageSegment(segments.gtin);
  const lot = pageSegment(segments.lot);
  const paper = paperOf(query.paper);
  const range = labelRange(query.from, query.count, paper);
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
      <main className="mx-auto max-w-2xl space-y-4 p-6">
        <h1 className="text-2xl font-semibold">Pack labels</h1>
        <p
          role="alert"
          className="rounded-lg border border-red-700 bg-red-50 p-4 text-red-950"
          data-testid="labels-error"
        >
          {message}
        </p>
        <BackLinks gtin={gtin} lot={lot} />
      </main>
    );
  }

  const perPage = labelsPerPage(paper);
  const shown = sheet.labels.length;
  const last = sheet.from + shown;
  const pdfFrom = Math.floor(sheet.from / MAX_PDF_LABELS) * MAX_PDF_LABELS;
  const pdfCount = Math.min(MAX_PDF_LABELS, sheet.packCount - pdfFrom);
  const sheets = Array.from({ length: Math.ceil(shown / perPage) }, (_, i) =>
    sheet.labels.slice(i * perPage, (i + 1) * perPage),
  );

  return (
    <main className="mx-auto max-w-5xl p-4 print:max-w-none print:p-0">
      {/* One sheet is one page: the page is the paper, with no margin of the browser's own. */}
      <style>{`@page { size: ${paper.width}mm ${paper.height}mm; margin: 0; } @media print { html, body { background: white !important; } }`}</style>
      <div className="mb-4 flex flex-col gap-3 print:hidden">
        <BackLinks gtin={sheet.gtin} lot={sheet.lot} />
        <h1 className="text-2xl font-semibold text-slate-900">Pack labels</h1>
        <p className="text-slate-700">
          {sheet.productLine} · lot <span className="font-mono">{sheet.lot}</span> · use before{" "}
          {DATE.format(new Date(`${sheet.expiry}T00:00:00Z`))} · {NUMBER.format(sheet.packCount)} packs
        </p>
        <nav aria-label="Paper" className="flex flex-wrap items-center gap-2">
          <span className="text-sm font-medium text-slate-800">Paper:</span>
          {Object.values(PAPERS).map((choice) => (
            <Link
              key={choice.name}
              href={pageHref(sheet.gtin, sheet.lot, { from: sheet.from, paper: choice })}
              aria-current={choice.name === paper.name ? "page" : undefined}
              className={`rounded-md px-3 py-1.5 text-sm font-medium ${choice.name === paper.name ? "bg-slate-900 text-white" : "border border-slate-400 bg-white hover:bg-slate-100"}`}
            >
              {choice.title} ({labelsPerPage(choice)} {labelsPerPage(choice) === 1 ? "label" : "labels"} a page)
            </Link>
          ))}
        </nav>
        {shown > 0 ? (
          <>
            <section
              aria-labelledby="whole-batch"
              className="rounded-lg border border-slate-300 bg-white p-4"
              data-testid="labels-pdf"
            >
              <h2 id="whole-batch" className="font-semibold text-slate-900">
                {pdfCount === sheet.packCount ? "The whole batch, one print job" : "A part of the batch, one print job"}
              </h2>
              <p className="mt-1 text-sm text-slate-700">
                One PDF of {NUMBER.format(pdfCount)} labels
                {pdfCount === sheet.packCount
                  ? ""
                  : ` (packs ${NUMBER.format(pdfFrom + 1)} to ${NUMBER.format(pdfFrom + pdfCount)}; a PDF holds ${NUMBER.format(MAX_PDF_LABELS)} at most)`}
                , {NUMBER.format(pageCount(paper, pdfCount))} {paper.title} pages: open it and print it at 100% scale.
              </p>
              <a
                href={pdfHref(sheet.gtin, sheet.lot, paper, pdfFrom)}
                download
                className="mt-3 inline-block rounded-lg bg-slate-900 px-4 py-2 font-semibold text-white hover:bg-slate-800 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
              >
                Download {NUMBER.format(pdfCount)} labels as one PDF
              </a>
            </section>
            <p className="text-slate-700">
              Below: packs {NUMBER.format(sheet.from + 1)} to {NUMBER.format(last)}, {sheets.length}{" "}
              {sheets.length === 1 ? "page" : "pages"}. Print them from the browser at 100% scale on {paper.title}.
            </p>
            <nav aria-label="Label pages" className="flex flex-wrap items-center gap-3">
              {sheet.from > 0 && (
                <Link
                  className={linkClass}
                  href={pageHref(sheet.gtin, sheet.lot, {
                    from: Math.max(0, sheet.from - range.count),
                    count: range.count,
                    paper,
                  })}
                >
                  Previous {range.count}
                </Link>
              )}
              {last < sheet.packCount && (
                <Link
                  className={linkClass}
                  href={pageHref(sheet.gtin, sheet.lot, { from: last, count: range.count, paper })}
                >
                  Next {range.count}
                </Link>
              )}
              <PrintButton />
            </nav>
            <p className="text-sm text-slate-600">The QR codes open the verification page on this server.</p>
          </>
        ) : null}
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
      ) : shown === 0 ? (
        <p
          role="alert"
          className="rounded-lg border border-amber-600 bg-amber-50 p-4 text-amber-950 print:hidden"
          data-testid="labels-error"
        >
          This batch has {sheet.packCount} packs; there are none from pack {sheet.from + 1} on.
        </p>
      ) : (
        // On a narrow screen the sheets scroll in their box; the page itself does not.
        <div className="overflow-x-auto print:overflow-visible" data-testid="label-sheet">
          {sheets.map((labels, i) => (
            <ol
              key={labels[0]?.index}
              aria-label={`Sheet ${i + 1} of ${sheets.length}`}
              className="relative mx-auto mb-6 bg-white shadow-md ring-1 ring-slate-300 break-after-page last:break-after-auto print:mb-0 print:shadow-none print:ring-0"
              style={{ width: `${paper.width}mm`, height: `${paper.height}mm`, overflow: "hidden" }}
              data-testid="label-page"
            >
              {labels.map((label, slot) => (
                <PackLabelView
                  key={label.index}
                  label={label}
                  productLine={sheet.productLine}
                  paper={paper}
                  slot={slot}
                />
              ))}
            </ol>
          ))}
        </div>
      )}
    </main>
  );
}

/** One label at its place on the sheet (label-layout.ts, as the PDF draws it). */
function PackLabelView({
  label,
  productLine,
  paper,
  slot,
}: {
  label: PackLabel;
  productLine: string;
  paper: Paper;
  slot: number;
}) {
  const { x, y } = labelPosition(paper, slot);
  return (
    <li
      className="absolute flex flex-col overflow-hidden rounded-sm border border-dashed border-slate-400 text-black print:border-transparent"
      style={{
        left: `${x}mm`,
        top: `${y}mm`,
        width: `${LABEL.width}mm`,
        height: `${LABEL.height}mm`,
        padding: `${LABEL.padding}mm`,
      }}
      data-testid="pack-label"
      data-serial={label.serial}
    >
      <p className="truncate leading-[1.2] font-semibold" style={{ fontSize: `${LABEL.productPt}pt` }}>
        {productLine}
      </p>
      <div className="flex items-start" style={{ gap: `${LABEL.gap}mm`, marginTop: "1.5mm" }}>
        <a
          href={label.digitalLink}
          aria-label={`Digital Link QR code of pack ${label.serial}: ${label.digitalLink}`}
          className="block shrink-0 [&>svg]:h-auto [&>svg]:w-full"
          style={{ width: `${LABEL.qrSize}mm` }}
          data-testid="label-qr"
          dangerouslySetInnerHTML={{ __html: label.qrSvg }}
        />
        <div className="flex min-w-0 flex-col" style={{ gap: "1mm" }}>
          <div
            role="img"
            aria-label={`GS1 DataMatrix of pack ${label.serial}`}
            className="shrink-0 [&>svg]:h-auto [&>svg]:w-full"
            style={{ width: `${LABEL.dataMatrixSize}mm` }}
            data-testid="label-datamatrix"
            dangerouslySetInnerHTML={{ __html: label.dataMatrixSvg }}
          />
          <p
            className="font-mono leading-[1.2] whitespace-nowrap"
            style={{ fontSize: `${LABEL.hriPt}pt` }}
            data-testid="label-hri"
          >
            {hriLines(label.hri).map((part) => (
              <span key={part} className="block">
                {part}
              </span>
            ))}
          </p>
        </div>
      </div>
    </li>
  );
}
