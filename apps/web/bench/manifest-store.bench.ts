/**
 * How long storing a batch's serial manifest takes at the size the design promises (a million
 * serials), and how much memory it peaks at: building the tree, then writing it in one
 * transaction. PGlite in a temporary folder (as the app keeps it, on disk) by default; a fresh
 * database on the PostgreSQL server when DATABASE_URL is set. Prints wall and CPU seconds: on a
 * busy machine the CPU figure is the one to compare.
 *
 *   node apps/web/bench/manifest-store.bench.ts [serialCount]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { batchIdOf, generateSerials } from "@pedigree/ledger";
import { eq } from "drizzle-orm";
import { openDatabase } from "../src/server/db/database.ts";
import { manifestNodes, manifests, manifestSerials } from "../src/server/db/schema.ts";
import { lookupSerial, storeManifest } from "../src/server/manifests/store.ts";
import { buildSerialTree } from "../src/server/manifests/treeBuilder.ts";

const count = Number(process.argv[2] ?? 1_000_000);
if (!Number.isSafeInteger(count) || count < 1) {
  console.error(`The serial count must be a positive integer (got '${process.argv[2]}').`);
  process.exit(2);
}

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

const url = process.env.DATABASE_URL ?? "";
const dataDir = mkdtempSync(path.join(tmpdir(), "pedigree-manifest-bench-"));
const database = await openDatabase({ url, dataDir });
const gtin = "09506000134352";
const lot = `BENCH${Date.now().toString(36).toUpperCase()}`.slice(0, 20);
const serials = generateSerials({ count, seed: new Uint8Array(32).fill(7) });

// The root the batch was registered with, built as the server builds trees (treeBuilder.ts).
let started = performance.now();
const root = (await buildSerialTree(serials)).root;
const buildSeconds = (performance.now() - started) / 1000;

started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await storeManifest(database.db, {
  batchId: batchIdOf(gtin, lot),
  gtin,
  lot,
  serials,
  expectedRoot: root,
  uploadedBy: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
  onProgress: (phase, done, total) => {
    if (done === total)
      console.error(
        `  ${phase}: ${done.toLocaleString("en-US")} done at ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
  },
});
const storeSeconds = (performance.now() - started) / 1000;
const storeCpu = process.cpuUsage(cpuBefore);

started = performance.now();
const lookups = 200;
for (let i = 0; i < lookups; i++) {
  const found = await lookupSerial(database.db, { gtin, lot, serial: serials[(i * 7919) % count] as string });
  if (found.status !== "found") throw new Error(`Serial ${i} was not found after storing`);
}
const lookupMs = (performance.now() - started) / lookups;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
// A PostgreSQL database outlives the bench: leave it as it was.
if (database.kind === "postgres") {
  const batchId = batchIdOf(gtin, lot);
  await database.db.delete(manifestSerials).where(eq(manifestSerials.batchId, batchId));
  await database.db.delete(manifestNodes).where(eq(manifestNodes.batchId, batchId));
  await database.db.delete(manifests).where(eq(manifests.batchId, batchId));
}
await database.close();
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      database: database.kind,
      serials: count,
      stored: result.stored,
      buildSeconds: Number(buildSeconds.toFixed(2)),
      storeSeconds: Number(storeSeconds.toFixed(2)),
      storeCpuSeconds: Number(((storeCpu.user + storeCpu.system) / 1e6).toFixed(2)),
      totalSeconds: Number((buildSeconds + storeSeconds).toFixed(2)),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      lookupMsEach: Number(lookupMs.toFixed(2)),
    },
    null,
    2,
  ),
);
