/**
 * `npm run bench:load`: GET /api/verify under load while the indexer follows a live chain.
 *
 * Starts the production server (e2e/support/stack.ts: local chain, seeded world, manifests,
 * read model, `next start` with its in-process indexer) and a writer that sends 10 custody
 * transactions per second to the chain (a pharmacy dispensing packs, one transaction each), then
 * drives /api/verify with autocannon at 50 and then 200 concurrent connections, each request a
 * different genuine pack. Prints requests per second, p50/p95/p99 latency (over every answer,
 * computed here: autocannon reports p97.5, not p95) and errors by kind, and writes
 * bench-results/load.json.
 *
 *   npm run bench:load [-- --duration=30]
 *
 * The rate limit on /api/verify is turned off for the run (PEDIGREE_VERIFY_RATE_LIMIT=off); a 429
 * would still be counted apart from errors. Aim: no errors, p99 <= 200 ms at 50 connections.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { repositoryRoot } from "../src/server/db/database.ts";
import { startStack } from "../e2e/support/stack.ts";
import type { World, WorldBatch } from "../test/support/world.ts";

const VERIFY_PACKS = 2_000;
const WRITER_PACKS = 1_000;
const WRITES_PER_SECOND = 10;
const CONNECTION_LEVELS = [50, 200] as const;
const P99_TARGET_MS = 200;

function parseArgs(): { duration: number } {
  let duration = 30;
  for (const arg of process.argv.slice(2)) {
    const match = /^--duration=(\d+)$/.exec(arg);
    if (match) duration = Number(match[1]);
    else {
      console.error(`Unknown argument '${arg}'. Usage: node apps/web/bench/load.bench.ts [--duration=30]`);
      process.exit(2);
    }
  }
  if (duration < 1) {
    console.error("Give a duration of at least 1 second.");
    process.exit(2);
  }
  return { duration };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** Custody writes at a steady rate: the pharmacy dispenses one pack per transaction. */
function startWriter(world: World, batch: WorldBatch) {
  const { central } = world.parties;
  let stopping = false;
  let sent = 0;
  let failed = 0;
  let lastError = "";
  const started = performance.now();
  const running = (async () => {
    while (!stopping && sent + failed < batch.manifest.count) {
      const slot = started + ((sent + failed) * 1000) / WRITES_PER_SECOND;
      const wait = slot - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        await world.decommission(central, batch, sent + failed, "DISPENSED");
        sent++;
      } catch (error) {
        failed++;
        lastError = (error as Error).message.split("\n")[0] ?? "";
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      await running;
      const seconds = (performance.now() - started) / 1000;
      return { sent, failed, lastError, perSecond: round(sent / seconds) };
    },
  };
}

interface LevelResult {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** p99 of the checks answered with a verdict (2xx), without the quick 429 refusals. */
  answeredP99: number;
  autocannon: { p50: number; p97_5: number; p99: number };
  /** Every failure: connection errors, timeouts (no answer within autocannon's 10 s), non-2xx answers other than 429, wrong verdicts. */
  errors: number;
  timeouts: number;
  non2xx: Record<string, number>;
  rateLimited: number;
  verdicts: Record<string, number>;
}

async function drive(baseUrl: string, codes: string[], connections: number, seconds: number): Promise<LevelResult> {
  let next = 0;
  const latencies: number[] = [];
  /** Latencies of the checks that were answered with a verdict (2xx), without the quick 429s. */
  const answered: number[] = [];
  const statuses: Record<string, number> = {};
  const verdicts: Record<string, number> = {};
  const instance = autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => ({
          ...request,
          path: `/api/verify?code=${encodeURIComponent(codes[next++ % codes.length]!)}`,
        }),
        onResponse: (status, body) => {
          // Every answer must be the verdict for a genuine pack: anything else is an error too.
          const verdict = status === 200 ? ((/"verdict":"([A-Z_]+)"/.exec(body)?.[1] ?? "NONE") as string) : "";
          if (verdict) verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) answered.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  answered.sort((a, b) => a - b);
  const non2xx = Object.fromEntries(Object.entries(statuses).filter(([status]) => !status.startsWith("2")));
  const rateLimited = statuses["429"] ?? 0;
  const wrongVerdicts = Object.entries(verdicts)
    .filter(([verdict]) => verdict !== "GENUINE")
    .reduce((total, [, n]) => total + n, 0);
  const failedStatuses = Object.entries(non2xx)
    .filter(([status]) => status !== "429")
    .reduce((total, [, n]) => total + n, 0);
  return {
    connections,
    seconds,
    requests: latencies.length,
    rps: Math.round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    answeredP99: round(percentile(answered, 99)),
    autocannon: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
    errors: result.errors + failedStatuses + wrongVerdicts,
    timeouts: result.timeouts,
    non2xx,
    rateLimited,
    verdicts,
  };
}

const { duration } = parseArgs();
// The stack's server inherits this process's environment.
process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
console.log(`bench:load: /api/verify for ${duration} s at ${CONNECTION_LEVELS.join(" and ")} connections`);
const setupStarted = performance.now();
const stack = await startStack(async ({ world }) => {
  const { acme, central } = world.parties;
  const product = await world.registerProduct(acme, { name: "Amoxicillin", strength: "500 mg", dosageForm: "capsule" });
  const verified = await world.registerBatch(acme, product, { lot: "LOAD-V", packs: VERIFY_PACKS });
  const written = await world.registerBatch(acme, product, { lot: "LOAD-W", packs: WRITER_PACKS });
  await world.receive(await world.ship(acme, central, [{ batch: written, quantity: WRITER_PACKS }]));
  return { verified, written };
});
let writer: ReturnType<typeof startWriter> | undefined;
try {
  const { verified, written } = stack.fixtures;
  const ai17 = String(verified.expiry).slice(2);
  const codes = verified.manifest.serials.map(
    (serial) => `(01)${verified.gtin}(17)${ai17}(10)${verified.lot}(21)${serial}`,
  );
  console.log(`  server ready in ${((performance.now() - setupStarted) / 1000).toFixed(0)} s (${stack.baseUrl})`);
  // Warm the server's routes and connections before measuring.
  await drive(stack.baseUrl, codes, 10, 3);

  writer = startWriter(stack.world, written);
  const levels: LevelResult[] = [];
  for (const connections of CONNECTION_LEVELS) {
    const level = await drive(stack.baseUrl, codes, connections, duration);
    levels.push(level);
    console.log(
      `  ${String(connections).padStart(3)} connections: ${level.rps} req/s · p50 ${level.p50} ms · p95 ${level.p95} ms` +
        ` · p99 ${level.p99} ms · ${level.errors} errors (${level.timeouts} of them timeouts)` +
        (level.rateLimited > 0
          ? ` · ${level.rateLimited} refused with 429 (busy), answered checks' p99 ${level.answeredP99} ms`
          : "") +
        ` · ${level.requests} requests`,
    );
  }
  const writes = await writer.stop();
  writer = undefined;

  // The indexer followed the writer: its read model reaches the chain's head.
  const head = Number(await stack.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  let indexed: number | null = null;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const health = (await (await fetch(stack.url("/api/health"))).json()) as { indexer?: { cursor: number | null } };
    indexed = health.indexer?.cursor ?? null;
    if (indexed !== null && indexed >= head) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(
    `  writer: ${writes.sent} custody transactions (${writes.perSecond}/s), ${writes.failed} failed` +
      `${writes.lastError ? ` (${writes.lastError})` : ""}; indexer at block ${indexed} of ${head}`,
  );
  const at50 = levels.find((level) => level.connections === 50)!;
  const errors = levels.reduce((total, level) => total + level.errors, 0);
  const p99Met = at50.p99 <= P99_TARGET_MS;
  console.log(
    `  aim: 0 errors (${errors}: ${errors === 0 ? "met" : "NOT met"}); p99 <= ${P99_TARGET_MS} ms at 50 connections` +
      ` (${at50.p99} ms: ${p99Met ? "met" : "NOT met"})`,
  );

  const out = path.join(repositoryRoot(), "bench-results/load.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", node: process.version },
        route: "GET /api/verify (a different genuine pack per request)",
        durationSeconds: duration,
        rateLimit: "off",
        levels,
        writer: { target: WRITES_PER_SECOND, ...writes },
        indexer: { head, indexed },
        aim: { errors: 0, p99At50Ms: P99_TARGET_MS, met: errors === 0 && p99Met },
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`  figures written to ${path.relative(process.cwd(), out)}`);
} finally {
  await writer?.stop();
  await stack.stop();
}
