/**
 * A batch's pack labels as one PDF, to print a whole batch as one job: the pages and places of
 * label-layout.ts, each label's codes from barcodes.ts (the SVG paths the HTML sheet shows, drawn
 * as vectors) and its text in the PDF's standard fonts. Written page by page, so the worker thread
 * that draws it (label-pdf-worker.ts) hands each page on as soon as it is drawn. Plain TypeScript
 * without app aliases: Node starts the worker from the source file.
 */
import PDFDocument from "pdfkit";
import type { Gs1Value } from "@pedigree/gs1";
import { packLabel } from "./barcodes.ts";
import { hriLines, LABEL, labelPosition, labelsPerPage, PAPERS, type PaperName } from "./label-layout.ts";

export interface LabelPdfJob {
  paper: PaperName;
  origin: string;
  gtin: string;
  lot: string;
  expiry: NonNullable<Gs1Value["expiry"]>;
  productLine: string;
  /** The serials to print, in pack order, and the pack index of the first. */
  serials: string[];
  firstIndex: number;
}

/** The worker's answer to each request for more: a page's bytes, the end, or why it failed. */
export type LabelPdfReply = { kind: "page"; bytes: Uint8Array } | { kind: "done" } | { kind: "error"; message: string };

const POINTS_PER_MM = 72 / 25.4;
const pt = (mm: number) => mm * POINTS_PER_MM;
/** Line height of the label's text, as the HTML sheet sets it (leading 1.2). */
const LEADING = 1.2;

/** The PDF's bytes, a page at a time (the last part also ends the file). */
export function* labelPdf(job: LabelPdfJob): Generator<Uint8Array> {
  const paper = PAPERS[job.paper];
  const doc = new PDFDocument({
    size: [pt(paper.width), pt(paper.height)],
    margin: 0,
    autoFirstPage: false,
    info: { Title: `Pack labels, lot ${job.lot} of GTIN ${job.gtin}`, Creator: "Pedigree" },
  });
  const perPage = labelsPerPage(paper);
  for (let start = 0; start < job.serials.length; start += perPage) {
    doc.addPage();
    job.serials.slice(start, start + perPage).forEach((serial, slot) => {
      const { x, y } = labelPosition(paper, slot);
      // The fonts are not embedded: a reader's stand-in for Helvetica may run wider, never onto the next label.
      doc.save().rect(pt(x), pt(y), pt(LABEL.width), pt(LABEL.height)).clip();
      drawLabel(doc, job, serial, job.firstIndex + start + slot, x + LABEL.padding, y + LABEL.padding);
      doc.restore();
    });
    yield written(doc);
  }
  doc.end();
  yield written(doc);
}

/** One label, its text block's top left corner at (left, top) in millimetres. */
function drawLabel(
  doc: PDFKit.PDFDocument,
  job: LabelPdfJob,
  serial: string,
  index: number,
  left: number,
  top: number,
) {
  const label = packLabel({ gtin: job.gtin, lot: job.lot, serial, expiry: job.expiry }, index, job.origin);
  const width = LABEL.width - 2 * LABEL.padding;
  doc.font("Helvetica-Bold").fontSize(LABEL.productPt);
  doc.text(fitted(doc, winAnsi(job.productLine), pt(width)), pt(left), pt(top), { lineBreak: false });
  const codesTop = top + (LABEL.productPt * LEADING) / POINTS_PER_MM + 1.5;
  drawSymbol(doc, label.qrSvg, left, codesTop, LABEL.qrSize);
  const right = left + LABEL.qrSize + LABEL.gap;
  drawSymbol(doc, label.dataMatrixSvg, right, codesTop, LABEL.dataMatrixSize);
  doc.font("Courier").fontSize(LABEL.hriPt);
  hriLines(label.hri).forEach((line, i) => {
    doc.text(line, pt(right), pt(codesTop + LABEL.dataMatrixSize + 1) + i * LABEL.hriPt * LEADING, {
      lineBreak: false,
    });
  });
}

/** bwip-js's SVG (one even-odd path in a square viewBox) as a vector, `size` mm wide. */
function drawSymbol(doc: PDFKit.PDFDocument, svg: string, left: number, top: number, size: number) {
  const viewBox = /viewBox="0 0 (\d+) \d+"/.exec(svg);
  const path = / d="([^"]+)"/.exec(svg);
  if (viewBox === null || path === null) throw new Error("bwip-js drew a symbol this PDF cannot read");
  doc
    .save()
    .translate(pt(left), pt(top))
    .scale(pt(size) / Number(viewBox[1]))
    .path(path[1] as string)
    .fill("black", "even-odd")
    .restore();
}

/** The standard fonts write WinAnsi (Latin-1 and a few more): other characters become '?'. */
function winAnsi(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xffŒœŠšŸŽžƒˆ˜–—‘’‚“”„†‡•…‰‹›€™]/gu, "?");
}

/** The text, cut with an ellipsis to `width` points in the current font. */
function fitted(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let cut = text;
  while (cut.length > 0 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** What the document wrote since the last call (pdfkit writes a page out when the next begins). */
function written(doc: PDFKit.PDFDocument): Uint8Array {
  const parts: Buffer[] = [];
  for (let part = doc.read() as Buffer | null; part !== null; part = doc.read() as Buffer | null) parts.push(part);
  // A fresh buffer, not one from Node's pool: it is transferred to the main thread.
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}
