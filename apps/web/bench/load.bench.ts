/**
 * `npm run bench:load`: GET /api/verify under load while the indexer follows a live chain.
 *
 * Starts the production server (e2e/support/stack.ts: local chain, seeded world, manifests,
 * read model, `next start` with its in-process indexer) and a writer that sends 10 custody
 * transactions per second to the chain (a pharmacy dispensing packs, one transaction each), then
 * drives /api/verify with autocannon at 50 and then 200 concurrent connections, each request a
 * different genuine pack. Each level runs 5 s on its connections before the measured window
 * (connections opened, code paths compiled), so the figures are the steady state; the warm-up's
 * own slowest answer and errors are printed beside them. Prints
 * requests per second, p50/p95/p99 latency (over every answer, computed here: autocannon reports
 * p97.5, not p95), errors by kind and the server's CPU use, and writes
 * bench-results/load-<database>.json.
 *
 *   npm run bench:load [-- --duration=30] [--database=pglite|postgres]
 *
 * `--database=postgres` keeps the read model on a PostgreSQL server (a scratch database on the
 * server named by PEDIGREE_BENCH_DATABASE_URL or PEDIGREE_TEST_DATABASE_URL; `.ci/postgres-start`
 * starts one), as a deployment past one process would; the default is embedded PGlite, as
 * `npm start` runs.
 *
 * The rate limit on /api/verify is turned off for the run (PEDIGREE_VERIFY_RATE_LIMIT=off); a 429
 * would still be counted apart from errors. Aim: no errors, p99 <= 200 ms at 50 connections.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { repositoryRoot } from "../src/server/db/database.ts";
import { operatorHealth, startStack } from "../e2e/support/stack.ts";
import type { World, WorldBatch } from "../test/support/world.ts";

const VERIFY_PACKS = 2_000;
const WRITER_PACKS = 1_000;
const WRITES_PER_SECOND = 10;
const CONNECTION_LEVELS = [50, 200] as const;
const P99_TARGET_MS = 200;
const WARM_UP_SECONDS = 5;

type DatabaseKind = "pglite" | "postgres";
const USAGE = "Usage: npm run bench:load [-- --duration=30] [--database=pglite|postgres]";

function parseArgs(): { duration: number; database: DatabaseKind } {
  let duration = 30;
  let database: DatabaseKind = "pglite";
  for (const arg of process.argv.slice(2)) {
    const durationMatch = /^--duration=(\d+)$/.exec(arg);
    const databaseMatch = /^--database=(pglite|postgres)$/.exec(arg);
    if (durationMatch) duration = Number(durationMatch[1]);
    else if (databaseMatch) database = databaseMatch[1] as DatabaseKind;
    else {
      console.error(`Unknown argument '${arg}'. ${USAGE}`);
      process.exit(2);
    }
  }
  if (duration < 1) {
    console.error(`Give a duration of at least 1 second. ${USAGE}`);
    process.exit(2);
  }
  return { duration, database };
}

function postgresServerUrl(): string {
  const url = process.env.PEDIGREE_BENCH_DATABASE_URL || process.env.PEDIGREE_TEST_DATABASE_URL;
  if (!url) {
    console.error(
      "--database=postgres needs a PostgreSQL server: set PEDIGREE_BENCH_DATABASE_URL (or PEDIGREE_TEST_DATABASE_URL),\n" +
        "for example: PEDIGREE_BENCH_DATABASE_URL=$(.ci/postgres-start) npm run bench:load -- --database=postgres",
    );
    process.exit(2);
  }
  return url;
}

/** CPU seconds used so far by a process, all its threads (Linux /proc), or undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
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
  /** Every failure: connection errors, timeouts (no answer within autocannon's 10 s), non-2xx answers other than 429, wrong verdicts. */
  errors: number;
  timeouts: number;
  non2xx: Record<string, number>;
  rateLimited: number;
  verdicts: Record<string, number>;
  /** CPU used during the measured window, in cores (1 = one core busy all along): the server, and the chain's node. */
  cpu: { server: number | null; chain: number | null };
  /** The warm-up window before it (every connection opened at once, code paths compiled), reported apart. */
  warmUp: { seconds: number; requests: number; maxLatency: number; errors: number; timeouts: number };
}

interface Processes {
  server: number | undefined;
  chain: number | undefined;
}

/**
 * One autocannon run of `warmUpSeconds + seconds` at `connections`: the figures are those of the
 * requests sent after the warm-up, on connections opened at its start (a level that opened its
 * connections mid-measurement would measure the stampede of connections, not the steady state).
 */
async function drive(
  baseUrl: string,
  codes: string[],
  connections: number,
  warmUpSeconds: number,
  seconds: number,
  processes: Processes,
): Promise<LevelResult> {
  let next = 0;
  const started = performance.now();
  const measuredFrom = started + warmUpSeconds * 1000;
  let cpuAtStart: { server?: number; chain?: number } = {};
  const sampleCpu = setTimeout(() => {
    cpuAtStart = { server: cpuSeconds(processes.server), chain: cpuSeconds(processes.chain) };
  }, warmUpSeconds * 1000);
  const latencies: number[] = [];
  /** Latencies of the checks that were answered with a verdict (2xx), without the quick 429s. */
  const answered: number[] = [];
  const statuses: Record<string, number> = {};
  const verdicts: Record<string, number> = {};
  const warmUp = { seconds: warmUpSeconds, requests: 0, maxLatency: 0, errors: 0, timeouts: 0 };
  let connectionErrors = 0;
  let timeouts = 0;
  const instance = autocannon({
    url: baseUrl,
    connections,
    duration: warmUpSeconds + seconds,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => ({
          ...request,
          path: `/api/verify?code=${encodeURIComponent(codes[next++ % codes.length]!)}`,
        }),
        onResponse: (status, body) => {
          if (performance.now() < measuredFrom) return;
          // Every answer must be the verdict for a genuine pack: anything else is an error too.
          const verdict = status === 200 ? ((/"verdict":"([A-Z_]+)"/.exec(body)?.[1] ?? "NONE") as string) : "";
          if (verdict) verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    const sentAt = performance.now() - responseTime;
    if (sentAt < measuredFrom) {
      warmUp.requests++;
      warmUp.maxLatency = Math.max(warmUp.maxLatency, Math.round(responseTime));
      if (statusCode >= 400 && statusCode !== 429) warmUp.errors++;
      return;
    }
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) answered.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  instance.on("reqError", (error: Error) => {
    // A timeout is reported when autocannon gives up on a request, 10 s after sending it.
    const timedOut = /timed out/i.test(error.message);
    const sentAt = performance.now() - (timedOut ? 10_000 : 0);
    if (sentAt < measuredFrom) {
      warmUp.errors++;
      if (timedOut) warmUp.timeouts++;
      return;
    }
    connectionErrors++;
    if (timedOut) timeouts++;
  });
  await instance;
  clearTimeout(sampleCpu);
  const elapsed = (performance.now() - measuredFrom) / 1000;
  const cores = (pid: number | undefined, before: number | undefined) => {
    const after = cpuSeconds(pid);
    return before === undefined || after === undefined ? null : round((after - before) / elapsed);
  };
  const cpu = { server: cores(processes.server, cpuAtStart.server), chain: cores(processes.chain, cpuAtStart.chain) };
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
    errors: connectionErrors + failedStatuses + wrongVerdicts,
    timeouts,
    non2xx,
    rateLimited,
    verdicts,
    cpu,
    warmUp,
  };
}

const { duration, database } = parseArgs();
const postgres = database === "postgres" ? postgresServerUrl() : undefined;
// The stack's server inherits this process's environment.
process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
console.log(
  `bench:load: /api/verify for ${duration} s at ${CONNECTION_LEVELS.join(" and ")} connections, read model on ${database}`,
);
const setupStarted = performance.now();
const stack = await startStack(
  async ({ world }) => {
    const { acme, central } = world.parties;
    const product = await world.registerProduct(acme, {
      name: "Amoxicillin",
      strength: "500 mg",
      dosageForm: "capsule",
    });
    const verified = await world.registerBatch(acme, product, { lot: "LOAD-V", packs: VERIFY_PACKS });
    const written = await world.registerBatch(acme, product, { lot: "LOAD-W", packs: WRITER_PACKS });
    await world.receive(await world.ship(acme, central, [{ batch: written, quantity: WRITER_PACKS }]));
    return { verified, written };
  },
  postgres === undefined ? {} : { postgresServerUrl: postgres },
);
let writer: ReturnType<typeof startWriter> | undefined;
try {
  const { verified, written } = stack.fixtures;
  const ai17 = String(verified.expiry).slice(2);
  const codes = verified.manifest.serials.map(
    (serial) => `(01)${verified.gtin}(17)${ai17}(10)${verified.lot}(21)${serial}`,
  );
  console.log(`  server ready in ${((performance.now() - setupStarted) / 1000).toFixed(0)} s (${stack.baseUrl})`);
  const processes: Processes = { server: stack.serverPid, chain: stack.chain.process().pid };

  writer = startWriter(stack.world, written);
  const levels: LevelResult[] = [];
  for (const connections of CONNECTION_LEVELS) {
    const level = await drive(stack.baseUrl, codes, connections, WARM_UP_SECONDS, duration, processes);
    levels.push(level);
    console.log(
      `  ${String(connections).padStart(3)} connections: ${level.rps} req/s · p50 ${level.p50} ms · p95 ${level.p95} ms` +
        ` · p99 ${level.p99} ms · ${level.errors} errors (${level.timeouts} of them timeouts)` +
        (level.rateLimited > 0
          ? ` · ${level.rateLimited} refused with 429 (busy), answered checks' p99 ${level.answeredP99} ms`
          : "") +
        ` · ${level.requests} requests` +
        (level.cpu.server === null ? "" : ` · CPU: server ${level.cpu.server}, chain ${level.cpu.chain} cores`) +
        ` (warm-up: ${level.warmUp.requests} requests, slowest ${level.warmUp.maxLatency} ms, ${level.warmUp.errors} errors)`,
    );
  }
  const writes = await writer.stop();
  writer = undefined;

  // The indexer followed the writer: its read model reaches the chain's head.
  const head = Number(await stack.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  let indexed: number | null = null;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    indexed = (await operatorHealth(stack.baseUrl)).indexer?.cursor ?? null;
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

  const out = path.join(repositoryRoot(), `bench-results/load-${database}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", node: process.version },
        route: "GET /api/verify (a different genuine pack per request)",
        database,
        warmUpSeconds: WARM_UP_SECONDS,
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
