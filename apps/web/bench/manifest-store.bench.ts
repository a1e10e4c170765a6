/**
 * A batch at the size the design promises (a million packs), stored and indexed:
 *
 * 1. its serial manifest: building the tree, then writing it in one transaction, and looking up
 *    serials in it;
 * 2. its contents lists (issue 13): the packaging line packs it into cases of 50 (`packRange`, one
 *    transaction a case) and the cases into pallets of 40 (`aggregate`), on the package-level
 *    ledger; the indexer folds those events into the read model from scratch (timed), and a few
 *    pallets go to a distributor, who receives them;
 * 3. a pack's trace on that batch (the read API's `GET /api/packs/<gtin>/<serial>/trace`, called
 *    in process as the regulator, so without HTTP): p50/p95 over packs drawn across the batch.
 *
 * The budget (issue 13) is for what the server does: manifest stored + contents indexed, in
 * seconds and peak memory of this process. The chain writes of step 2 are reported apart: they
 * are the packaging line's, not the server's.
 *
 * PGlite in a temporary folder (as the app keeps it, on disk) by default; a throwaway database on
 * the PostgreSQL server when DATABASE_URL is set. Prints wall and CPU seconds: on a busy machine
 * the CPU figure is the one to compare.
 *
 *   npm run bench:manifests [-- serialCount=1000000] [--no-contents]
 *
 * At the full size with contents it writes bench-results/manifests.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { gs1CheckDigit } from "@pedigree/gs1";
import { batchIdOf, generateSerials, gtinToUint64, packageLedgerAbi } from "@pedigree/ledger";
import { zeroHash, type Abi } from "viem";
import { createAppContext } from "../src/server/context.ts";
import { openDatabase, repositoryRoot, type OpenedDatabase } from "../src/server/db/database.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { lookupSerial, storeManifest } from "../src/server/manifests/store.ts";
import { buildSerialTree } from "../src/server/manifests/treeBuilder.ts";
import { readApi } from "../src/server/read/http.ts";
import { startTestChain } from "../test/support/chain.ts";
import { createScratchDatabase } from "../test/support/database.ts";
import { openSession, requestAs } from "../test/support/viewers.ts";
import { COMPANY_PREFIXES, createWorld } from "../test/support/world.ts";
import { sendBulk, sendOne, type BulkCall } from "./support/bulk-writes.ts";

const abi = packageLedgerAbi as Abi;
const CASE_PACKS = 50;
const PALLET_CASES = 40;
/** Pallets shipped to the distributor and received, so that traces have custody steps to walk. */
const SHIPPED_PALLETS = 10;
const TRACES = 200;

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const withContents = !process.argv.includes("--no-contents");
const count = Number(positional[0] ?? 1_000_000);
if (!Number.isSafeInteger(count) || count < 1) {
  console.error(`The serial count must be a positive integer (got '${positional[0]}').`);
  process.exit(2);
}
if (withContents && count % (CASE_PACKS * PALLET_CASES) !== 0) {
  console.error(`With contents, the serial count must be a multiple of ${CASE_PACKS * PALLET_CASES} (a pallet).`);
  process.exit(2);
}

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(2));
const cpuSeconds = (usage: NodeJS.CpuUsage) => Number(((usage.user + usage.system) / 1e6).toFixed(2));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function openBenchDatabase(): Promise<{ database: OpenedDatabase; cleanUp: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL);
    const database = await openDatabase({ url: scratch.url });
    return { database, cleanUp: () => database.close().then(() => scratch.drop()) };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "pedigree-manifest-bench-"));
  const database = await openDatabase({ url: "", dataDir });
  return {
    database,
    cleanUp: async () => {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An SSCC under `prefix`: extension digit 3, the prefix, a serial reference, the check digit. */
function ssccOf(prefix: string, serial: number): bigint {
  const body = "3" + prefix + String(serial).padStart(16 - prefix.length, "0");
  return BigInt(body + String(gs1CheckDigit(body)));
}

const { database, cleanUp } = await openBenchDatabase();
const serials = generateSerials({ count, seed: new Uint8Array(32).fill(7) });

// 1. The manifest: the root the batch is registered with, built as the server builds trees.
let started = performance.now();
const root = (await buildSerialTree(serials)).root;
const buildSeconds = seconds(started);

const chain = withContents ? await startTestChain({ contract: "PedigreePackageLedger" }) : undefined;
const world = chain === undefined ? undefined : await createWorld(chain);
const acme = world?.parties.acme;
const product = acme === undefined ? undefined : await world!.registerProduct(acme, { name: "Bench tablets" });
const gtin = product?.gtin ?? "09506000134352";
const lot = `BENCH${Date.now().toString(36).toUpperCase()}`.slice(0, 20);
const batchId = batchIdOf(gtin, lot);
if (world !== undefined && acme !== undefined) {
  await world.write(acme, {
    functionName: "registerBatch",
    args: [gtinToUint64(gtin), lot, 20_301_231, BigInt(count), root, zeroHash],
  });
}

started = performance.now();
let cpuBefore = process.cpuUsage();
const result = await storeManifest(database.db, {
  batchId,
  gtin,
  lot,
  serials,
  expectedRoot: root,
  uploadedBy: acme?.address ?? "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
  onProgress: (phase, done, total) => {
    if (done === total)
      console.error(
        `  ${phase}: ${done.toLocaleString("en-US")} done at ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
  },
});
const storeSeconds = seconds(started);
const storeCpu = cpuSeconds(process.cpuUsage(cpuBefore));

started = performance.now();
const lookups = 200;
for (let i = 0; i < lookups; i++) {
  const found = await lookupSerial(database.db, { gtin, lot, serial: serials[(i * 7919) % count] as string });
  if (found.status !== "found") throw new Error(`Serial ${i} was not found after storing`);
}
const lookupMs = (performance.now() - started) / lookups;
const manifestPeakRss = Math.max(peakRss, process.memoryUsage.rss());

const figures: Record<string, unknown> = {
  database: database.kind,
  serials: count,
  stored: result.stored,
  buildSeconds,
  storeSeconds,
  storeCpuSeconds: storeCpu,
  totalSeconds: Number((buildSeconds + storeSeconds).toFixed(2)),
  peakRssMiB: Math.round(manifestPeakRss / 2 ** 20),
  lookupMsEach: Number(lookupMs.toFixed(2)),
};

try {
  if (chain !== undefined && world !== undefined && acme !== undefined) {
    // 2. The contents lists, written as the packaging line would, then indexed from scratch.
    const prefix = COMPANY_PREFIXES.acme;
    const cases = count / CASE_PACKS;
    const pallets = cases / PALLET_CASES;
    const caseSscc = (i: number) => ssccOf(prefix, 1 + i);
    const palletSscc = (i: number) => ssccOf(prefix, 1_000_000 + i);
    const calls: BulkCall[] = [];
    for (let i = 0; i < cases; i++) {
      calls.push({
        functionName: "packRange",
        args: [caseSscc(i), BigInt(prefix.length), batchId, BigInt(CASE_PACKS)],
        gas: 150_000n,
      });
    }
    for (let p = 0; p < pallets; p++) {
      const children = Array.from({ length: PALLET_CASES }, (_, c) => caseSscc(p * PALLET_CASES + c));
      calls.push({
        functionName: "aggregate",
        args: [palletSscc(p), BigInt(prefix.length), { units: children, packs: [] }],
        gas: 1_000_000n,
      });
    }
    started = performance.now();
    await sendBulk(chain, acme.account, abi, calls, {
      onProgress: (done) => {
        if (done % 5_000 < 400) console.error(`  chain writes: ${done.toLocaleString("en-US")} of ${calls.length}`);
      },
    });
    const chainWriteSeconds = seconds(started);

    const ctx = await createAppContext({ database, target: chain.target });
    peakRss = process.memoryUsage.rss();
    started = performance.now();
    cpuBefore = process.cpuUsage();
    const indexed = await syncToHead(ctx, { confirmations: 0 });
    const indexSeconds = seconds(started);
    const indexCpu = cpuSeconds(process.cpuUsage(cpuBefore));
    const indexPeakRss = Math.max(peakRss, process.memoryUsage.rss());

    // A few pallets change hands, so that traces walk shipments through pallet and case.
    const { northwind, regulator } = world.parties;
    for (let p = 0; p < SHIPPED_PALLETS; p++) {
      const shipped = await sendOne(chain, acme.account, abi, {
        functionName: "ship",
        args: [northwind.address, zeroHash, { units: [palletSscc(p)], packs: [] }],
      });
      const shipmentId = shipped.logs.find((log) => log.address.toLowerCase() === chain.address.toLowerCase())
        ?.topics[1];
      if (shipmentId === undefined) throw new Error("The shipment's event was not found");
      await sendOne(chain, northwind.account, abi, {
        functionName: "receiveShipment",
        args: [shipmentId, { units: [palletSscc(p)], packs: [] }, { units: [], packs: [] }, ""],
      });
    }
    await syncToHead(ctx, { confirmations: 0 });

    // 3. Traces across the batch: shipped pallets (the first ones) and ones still at the maker's.
    const ask = requestAs(await openSession(ctx, regulator.address));
    const latencies: number[] = [];
    let traceEvents = 0;
    for (let i = 0; i < TRACES; i++) {
      const index = i % 2 === 0 ? (i * 7919) % (SHIPPED_PALLETS * PALLET_CASES * CASE_PACKS) : (i * 104_729) % count;
      const serial = serials[index]!;
      const t0 = performance.now();
      const answer = await readApi.packTrace(ctx, ask(`/api/packs/${gtin}/${encodeURIComponent(serial)}/trace`), {
        gtin,
        serial,
      });
      latencies.push(performance.now() - t0);
      if (answer.status !== 200) throw new Error(`The trace of ${serial} answered ${answer.status}`);
      traceEvents += ((await answer.json()) as { events: unknown[] }).events.length;
    }
    latencies.sort((a, b) => a - b);

    Object.assign(figures, {
      contents: {
        cases,
        pallets,
        chainWrites: calls.length,
        chainWriteSeconds,
        indexedEvents: indexed.events,
        indexSeconds,
        indexCpuSeconds: indexCpu,
        indexPeakRssMiB: Math.round(indexPeakRss / 2 ** 20),
        // The budget: the server's part, manifest stored and contents indexed (limit 60 s, 1.5 GB).
        storedAndIndexedSeconds: Number((buildSeconds + storeSeconds + indexSeconds).toFixed(2)),
        peakRssMiB: Math.round(Math.max(manifestPeakRss, indexPeakRss) / 2 ** 20),
      },
      trace: {
        packs: TRACES,
        eventsPerTrace: Number((traceEvents / TRACES).toFixed(1)),
        p50Ms: Number(percentile(latencies, 50).toFixed(1)),
        p95Ms: Number(percentile(latencies, 95).toFixed(1)),
      },
    });
  }
} finally {
  clearInterval(sampler);
  await chain?.stop();
  await cleanUp();
}

console.log(JSON.stringify(figures, null, 2));
// The figures of record: the full size, contents included (a smaller run is a try-out).
if (count === 1_000_000 && withContents) {
  const out = path.join(repositoryRoot(), "bench-results/manifests.json");
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ...figures }, null, 2) + "\n");
  console.error(`Written to ${path.relative(process.cwd(), out)}.`);
}
