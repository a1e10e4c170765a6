/**
 * The label papers: every label of a page lies on the page, apart from the others, and the PDF
 * has one page of the paper's size per sheet (the browser test prints the HTML sheets and checks
 * the same of Chromium's output).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LABEL, labelPosition, labelsPerPage, pageCount, PAPERS } from "../src/app/labels/label-layout.ts";
import { labelPdf } from "../src/app/labels/label-pdf.ts";

describe("label papers", () => {
  for (const paper of Object.values(PAPERS)) {
    it(`${paper.title}: ${labelsPerPage(paper)} labels a page, each on the page and none over another`, () => {
      const boxes = Array.from({ length: labelsPerPage(paper) }, (_, slot) => labelPosition(paper, slot));
      for (const { x, y } of boxes) {
        assert.ok(x >= 3 && y >= 3, `${paper.name}: a label at ${x}, ${y} mm is within 3 mm of the edge`);
        assert.ok(
          x + LABEL.width <= paper.width - 3 && y + LABEL.height <= paper.height - 3,
          `${paper.name}: off the page`,
        );
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          // Millimetres as floating point: touching edges may differ in the last bit.
          const before = (start: number, size: number, next: number) => start + size <= next + 1e-9;
          const apart =
            before(a.x, LABEL.width, b.x) ||
            before(b.x, LABEL.width, a.x) ||
            before(a.y, LABEL.height, b.y) ||
            before(b.y, LABEL.height, a.y);
          assert.ok(apart, `${paper.name}: labels at ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`);
        }
      }
    });

    it(`${paper.title}: the PDF has one page of the paper's size per sheet`, () => {
      const labels = 25;
      const pdf = Buffer.concat([
        ...labelPdf({
          paper: paper.name,
          origin: "https://pedigree.example",
          gtin: "09506000134352",
          lot: "L1",
          expiry: { raw: "301231", date: "2030-12-31" },
          productLine: "Metformin, 500 mg",
          serials: Array.from({ length: labels }, (_, i) => `S${i}`),
          firstIndex: 0,
        }),
      ]).toString("latin1");
      assert.equal((pdf.match(/\/Type \/Page\b(?!s)/g) ?? []).length, pageCount(paper, labels));
      const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf);
      assert.deepEqual(
        [Number(box?.[1]), Number(box?.[2])].map((points) => Number(((points * 25.4) / 72).toFixed(1))),
        [paper.width, paper.height],
      );
      assert.ok(pdf.startsWith("%PDF-") && pdf.trimEnd().endsWith("%%EOF"), "a whole PDF file");
    });
  }
});
