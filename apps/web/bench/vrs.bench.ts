/**
 * `npm run bench:vrs`: the VRS responder under 50 concurrent requesters on loopback, next to
 * /api/verify in the same run.
 *
 * Starts the production server (e2e/support/stack.ts: local chain, a batch of 2,000 packs, its
 * manifest, the read model, `next start`), has the manufacturer issue an API credential to a
 * wholesaler over HTTP (as its dashboard does), then drives with autocannon, each request a
 * different genuine pack, 5 s of warm-up then the measured window:
 * 1. GET /vrs/verify/gtin/{gtin}/lot/{lot}/ser/{serial}?exp=&linkType=verificationService&context=
 *    dscsaSaleableReturn&reqGLN=&corrUUID= with the credential (through the proxy's rewrite, as a
 *    partner calls it; each request is authenticated, verified and logged);
 * 2. the same requests at /api/vrs/... (the same handler, which the proxy does not run for);
 * 3. GET /api/verify?code=... for the same packs.
 * Prints p50/p95/p99 and requests per second of each, and writes bench-results/vrs.json. Aim: the
 * responder's p95 <= 200 ms at 50 connections (the standard's target is under 1 s), every answer
 * 200 with verified: true.
 *
 *   npm run bench:vrs [-- --duration=15]
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { repositoryRoot } from "../src/server/db/database.ts";
import { startStack } from "../e2e/support/stack.ts";
import { signInAs } from "../test/support/signIn.ts";

const PACKS = 2_000;
const CONNECTIONS = 50;
const WARM_UP_SECONDS = 5;
const P95_TARGET_MS = 200;
const USAGE = "Usage: npm run bench:vrs [-- --duration=15]";

function parseDuration(): number {
  let duration = 15;
  for (const arg of process.argv.slice(2)) {
    const match = /^--duration=(\d+)$/.exec(arg);
    if (match === null || Number(match[1]) < 1) {
      console.error(`Unknown argument '${arg}'. ${USAGE}`);
      process.exit(2);
    }
    duration = Number(match[1]);
  }
  return duration;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number) => Math.round(n * 10) / 10;

interface Level {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Non-200 answers, connection errors, timeouts, and 200s that are not the expected answer. */
  errors: number;
  statuses: Record<string, number>;
  warmUp: { requests: number; maxLatency: number };
}

/**
 * One autocannon run of warm-up + `seconds` at CONNECTIONS: figures of the requests sent after
 * the warm-up. `expected` tells a right answer's body.
 */
async function drive(
  baseUrl: string,
  seconds: number,
  request: (i: number) => { path: string; headers?: Record<string, string> },
  expected: RegExp,
): Promise<Level> {
  let next = 0;
  const measuredFrom = performance.now() + WARM_UP_SECONDS * 1000;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const warmUp = { requests: 0, maxLatency: 0 };
  let wrong = 0;
  let failures = 0;
  const instance = autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: WARM_UP_SECONDS + seconds,
    requests: [
      {
        method: "GET",
        setupRequest: (base) => {
          const spec = request(next++);
          return { ...base, path: spec.path, headers: { ...base.headers, ...spec.headers } };
        },
        onResponse: (status, body) => {
          if (performance.now() >= measuredFrom && status === 200 && !expected.test(body)) wrong++;
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    if (performance.now() - responseTime < measuredFrom) {
      warmUp.requests++;
      warmUp.maxLatency = Math.max(warmUp.maxLatency, Math.round(responseTime));
      return;
    }
    latencies.push(responseTime);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  instance.on("reqError", () => {
    if (performance.now() >= measuredFrom) failures++;
  });
  await instance;
  latencies.sort((a, b) => a - b);
  const non200 = Object.entries(statuses)
    .filter(([status]) => status !== "200")
    .reduce((total, [, n]) => total + n, 0);
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    errors: non200 + wrong + failures,
    statuses,
    warmUp,
  };
}

const duration = parseDuration();
// The stack's server inherits this environment: no per-client allowance on /api/verify in a load test.
process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
console.log(`bench:vrs: the VRS responder and /api/verify, ${CONNECTIONS} connections, ${duration} s each`);
const setupStarted = performance.now();
const stack = await startStack(async ({ world }) => {
  const product = await world.registerProduct(world.parties.acme, {
    name: "Amoxicillin",
    strength: "500 mg",
    dosageForm: "capsule",
  });
  return { batch: await world.registerBatch(world.parties.acme, product, { lot: "VRS-1", packs: PACKS }) };
});
try {
  const { batch } = stack.fixtures;
  const { acme, northwind } = stack.world.parties;
  console.log(`  server ready in ${((performance.now() - setupStarted) / 1000).toFixed(0)} s (${stack.baseUrl})`);
  const session = await signInAs(stack.baseUrl, acme.account);
  const issued = await fetch(stack.url("/api/vrs-credentials"), {
    method: "POST",
    headers: { authorization: `Bearer ${session.body.token}`, "content-type": "application/json" },
    body: JSON.stringify({ partnerGln: northwind.gln, label: "bench:vrs" }),
  });
  if (issued.status !== 201) throw new Error(`Issuing the credential failed: ${issued.status} ${await issued.text()}`);
  const { token } = (await issued.json()) as { token: string };
  const exp = String(batch.expiry).slice(2);
  const serials = batch.manifest.serials;
  const vrsPath = (i: number) =>
    `/vrs/verify/gtin/${batch.gtin}/lot/${encodeURIComponent(batch.lot)}/ser/${encodeURIComponent(serials[i % serials.length]!)}` +
    `?exp=${exp}&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=${northwind.gln}&corrUUID=${randomUUID()}`;
  const probe = await fetch(stack.url(vrsPath(0)), { headers: { authorization: `Bearer ${token}` } });
  if (probe.status !== 200) throw new Error(`The responder answered ${probe.status}: ${await probe.text()}`);

  const vrs = await drive(
    stack.baseUrl,
    duration,
    (i) => ({ path: vrsPath(i), headers: { authorization: `Bearer ${token}` } }),
    /"verified":true/,
  );
  console.log(
    `  VRS responder: p50 ${vrs.p50} / p95 ${vrs.p95} / p99 ${vrs.p99} ms, ${vrs.rps} req/s, ${vrs.errors} errors` +
      ` (warm-up: ${vrs.warmUp.requests} requests, slowest ${vrs.warmUp.maxLatency} ms)`,
  );
  // The same handler under /api, which the proxy does not run for: what the proxy's pass costs.
  const direct = await drive(
    stack.baseUrl,
    duration,
    (i) => ({ path: `/api${vrsPath(i)}`, headers: { authorization: `Bearer ${token}` } }),
    /"verified":true/,
  );
  console.log(
    `  /api/vrs/...:  p50 ${direct.p50} / p95 ${direct.p95} / p99 ${direct.p99} ms, ${direct.rps} req/s, ${direct.errors} errors (the same handler, without the proxy)`,
  );
  const verify = await drive(
    stack.baseUrl,
    duration,
    (i) => ({
      path: `/api/verify?code=${encodeURIComponent(`(01)${batch.gtin}(17)${exp}(10)${batch.lot}(21)${serials[i % serials.length]}`)}`,
    }),
    /"verdict":"GENUINE"/,
  );
  console.log(
    `  /api/verify:   p50 ${verify.p50} / p95 ${verify.p95} / p99 ${verify.p99} ms, ${verify.rps} req/s, ${verify.errors} errors`,
  );
  const met = vrs.p95 <= P95_TARGET_MS && vrs.errors === 0;
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, load: os.loadavg().map(round) },
    connections: CONNECTIONS,
    seconds: duration,
    warmUpSeconds: WARM_UP_SECONDS,
    packs: PACKS,
    vrs,
    vrsWithoutProxy: direct,
    verify,
    p95TargetMs: P95_TARGET_MS,
    met,
  };
  const out = path.join(repositoryRoot(), "bench-results", "vrs.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `  ${met ? "met" : "MISSED"}: the responder's p95 ${vrs.p95} ms against ${P95_TARGET_MS} ms (written to ${path.relative(process.cwd(), out)})`,
  );
  process.exitCode = met ? 0 : 1;
} finally {
  await stack.stop();
}
