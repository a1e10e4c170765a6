/**
 * The papers pack labels are printed on, and where each label sits on a page: one table that the
 * HTML sheet (CSS `@page` and millimetres) and the PDF (points) both read, so that one sheet is
 * exactly one printed page. Every paper takes the same label, 63.5 × 33.9 mm: 24 to an A4 sheet,
 * as on the common 3 × 8 sheets of self-adhesive labels. Plain TypeScript without app aliases (the
 * PDF is drawn on a worker thread that Node starts from the source file).
 */

/** One label, in millimetres: the codes' printed sizes, and what the text beside them gets. */
export const LABEL = {
  width: 63.5,
  height: 33.9,
  padding: 2,
  /** The Digital Link QR code (about 0.5 mm a module for this server's URLs). */
  qrSize: 22,
  /** The GS1 DataMatrix (about 0.5 mm a module for a 20-character lot and serial). */
  dataMatrixSize: 12,
  gap: 2.5,
  productPt: 7,
  hriPt: 6.5,
} as const;

export type PaperName = "a4" | "letter" | "roll";

export interface Paper {
  name: PaperName;
  /** What the choice is called on the page. */
  title: string;
  /** Page size in millimetres. */
  width: number;
  height: number;
  columns: number;
  rows: number;
  columnGap: number;
  rowGap: number;
}

export const PAPERS: Readonly<Record<PaperName, Paper>> = {
  a4: { name: "a4", title: "A4", width: 210, height: 297, columns: 3, rows: 8, columnGap: 2.5, rowGap: 0 },
  letter: {
    name: "letter",
    title: "US Letter",
    width: 215.9,
    height: 279.4,
    columns: 3,
    rows: 7,
    columnGap: 2.5,
    rowGap: 2.5,
  },
  // A roll printer's page is one label (with the gap around it the roll leaves).
  roll: {
    name: "roll",
    title: "Label roll, 70 × 40 mm",
    width: 70,
    height: 40,
    columns: 1,
    rows: 1,
    columnGap: 0,
    rowGap: 0,
  },
};

/** The page's ?paper=, A4 when it names no paper offered. */
export function paperOf(value: string | undefined): Paper {
  return Object.hasOwn(PAPERS, value ?? "") ? PAPERS[value as PaperName] : PAPERS.a4;
}

export function labelsPerPage(paper: Paper): number {
  return paper.columns * paper.rows;
}

export function pageCount(paper: Paper, labels: number): number {
  return Math.ceil(labels / labelsPerPage(paper));
}

/** The top left corner of the `slot`-th label of a page, in millimetres from the page's: the grid is centred. */
export function labelPosition(paper: Paper, slot: number): { x: number; y: number } {
  const gridWidth = paper.columns * LABEL.width + (paper.columns - 1) * paper.columnGap;
  const gridHeight = paper.rows * LABEL.height + (paper.rows - 1) * paper.rowGap;
  const column = slot % paper.columns;
  const row = Math.floor(slot / paper.columns);
  return {
    x: (paper.width - gridWidth) / 2 + column * (LABEL.width + paper.columnGap),
    y: (paper.height - gridHeight) / 2 + row * (LABEL.height + paper.rowGap),
  };
}

/** The human-readable text as printed: one line per application identifier. */
export function hriLines(hri: string): string[] {
  return hri.split(/(?=\(\d{2,4}\))/);
}
