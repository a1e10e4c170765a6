/**
 * How long the labels PDF of a batch takes (GET /api/batches/<gtin>/<lot>/labels: a worker thread
 * draws it, the response streams it), how much memory the process peaks at meanwhile, and how long
 * the main thread, which serves every verification, is held at most. PGlite in a temporary folder,
 * the batch written into the read model directly. Prints wall and CPU seconds: on a busy machine
 * the CPU figure is the one to compare.
 *
 *   node apps/web/bench/label-pdf.bench.ts [packCount] [a4|letter|roll]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { batchIdOf, generateSerials } from "@pedigree/ledger";
import { openDatabase } from "../src/server/db/database.ts";
import { batches, products } from "../src/server/db/schema.ts";
import { storeManifest } from "../src/server/manifests/store.ts";
import { buildSerialTree } from "../src/server/manifests/treeBuilder.ts";
import { resolveAppModules } from "../test/support/app-modules.ts";

resolveAppModules();
const { labelPdfResponse, MAX_PDF_LABELS } = await import("../src/app/labels/label-sheet.ts");
const { paperOf } = await import("../src/app/labels/label-layout.ts");

const count = Number(process.argv[2] ?? MAX_PDF_LABELS);
if (!Number.isSafeInteger(count) || count < 1 || count > MAX_PDF_LABELS) {
  console.error(`The pack count must be a whole number from 1 to ${MAX_PDF_LABELS} (got '${process.argv[2]}').`);
  process.exit(2);
}
const paper = paperOf(process.argv[3] ?? "a4");

const dataDir = mkdtempSync(path.join(tmpdir(), "pedigree-label-pdf-bench-"));
const database = await openDatabase({ url: "", dataDir });
const gtin = "09506000134352";
const lot = "BENCH-LABELS";
const manufacturer = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const batchId = batchIdOf(gtin, lot);
const serials = generateSerials({ count, seed: new Uint8Array(32).fill(7) });
const root = (await buildSerialTree(serials)).root;
await database.db.insert(products).values({
  gtin,
  manufacturer,
  name: "Metformin",
  strength: "500 mg",
  dosageForm: "film-coated tablets",
  registeredBlock: 1,
});
await database.db.insert(batches).values({
  batchId,
  gtin,
  lot,
  expiry: 20301231,
  packCount: count,
  manufacturer,
  serialsRoot: root,
  documentHash: `0x${"0".repeat(64)}`,
  status: "ACTIVE",
  registeredBlock: 1,
  registeredAt: 0,
});
await storeManifest(database.db, { batchId, gtin, lot, serials, expectedRoot: root, uploadedBy: manufacturer });

const rssBefore = process.memoryUsage.rss();
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const started = performance.now();
const cpuBefore = process.cpuUsage();
loopDelay.enable();
const response = await labelPdfResponse(
  database.db,
  gtin,
  lot,
  { paper, from: 0 },
  "https://pedigree.example",
  manufacturer,
);
let bytes = 0;
let firstPageSeconds: number | undefined;
const reader = response.body!.getReader();
for (let part = await reader.read(); !part.done; part = await reader.read()) {
  firstPageSeconds ??= (performance.now() - started) / 1000;
  bytes += part.value.length;
}
loopDelay.disable();
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
await database.close();
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      labels: count,
      paper: paper.name,
      megabytes: Number((bytes / 2 ** 20).toFixed(1)),
      firstBytesSeconds: Number(firstPageSeconds?.toFixed(2)),
      seconds: Number(seconds.toFixed(1)),
      // The worker's CPU counts here too: it is a thread of this process.
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      mainThreadLongestStallMs: Math.round(loopDelay.max / 1e6),
    },
    null,
    2,
  ),
);
