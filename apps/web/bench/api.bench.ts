/**
 * `npm run bench:api`: the read side's figures on this machine.
 *
 * Seeds a local chain with a batch of 100,000 packs and about 1,000 custody events on it
 * (shipments to a distributor and on to pharmacies, receipts, dispensed packs), stores its
 * manifest, indexes it and starts the production server (`next start`, the e2e build), then:
 * - /api/verify: p50/p95/p99 latency and throughput with 50 concurrent connections on loopback,
 *   each request a different genuine pack, next to the p95 of a bare `eth_call` of the ledger's
 *   verifyPack to the same node at the same concurrency, and their ratio;
 * - the batch timeline (GET /api/batches/<gtin>/<lot>, about 1,000 events): p50/p95, one
 *   connection (the latency one auditor sees), signed in as the regulator (the read API answers
 *   signed-in participants only);
 * - search (GET /api/search), one connection, p50/p95 for each kind of query (GTIN, GLN, party
 *   name, lot in small letters, serial alone, shipment reference, part of a transaction hash, a
 *   whole one, pack code, printed text), as the regulator (and a serial as a pharmacy, whose
 *   answer is scoped), over a directory grown to 106 parties, 11 products and 51 batches with
 *   200,000 stored serials;
 * - indexer catch-up in events per second (bench/indexer.bench.ts, 5,000 events);
 * - building and storing a 1,000,000-serial manifest, packing that batch into 20,000 cases and 500
 *   pallets on the package-level ledger and indexing them: seconds and peak memory; a pack's
 *   trace on that batch: p50/p95 (bench/manifest-store.bench.ts).
 * Writes the figures to bench-results/api.json.
 *
 *   npm run bench:api [-- --duration=15]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { encodeFunctionData, keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expiryToDate, toHri } from "@pedigree/gs1";
import { gtinToUint64, pedigreeLedgerAbi } from "@pedigree/ledger";
import { repositoryRoot } from "../src/server/db/database.ts";
import { startStack } from "../e2e/support/stack.ts";
import { glnOf, type WorldBatch } from "../test/support/world.ts";
import { signInAs } from "../test/support/signIn.ts";

const PACKS = 100_000;
const CONNECTIONS = 50;
/** What search walks besides the big batch: more parties, products, batches and stored serials. */
const SEARCH_PARTIES = 100;
const SEARCH_PRODUCTS = 10;
const SEARCH_BATCHES_PER_PRODUCT = 5;
const SEARCH_BATCH_PACKS = 2_000;
const duration = Number(/^--duration=(\d+)$/.exec(process.argv[2] ?? "")?.[1] ?? 15);

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface RequestSpec {
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A closed loop of `connections` clients on keep-alive sockets, each sending its next request as
 * soon as the last one answered, for `seconds`. Latency is measured per request.
 */
async function load(
  target: string,
  options: {
    connections: number;
    seconds: number;
    request: (i: number) => RequestSpec;
  },
): Promise<LoadResult> {
  const url = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const one = (spec: RequestSpec) =>
    new Promise<boolean>((resolve) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: spec.path,
          method: spec.method ?? "GET",
          agent,
          headers: {
            ...spec.headers,
            ...(spec.body
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(spec.body) }
              : {}),
          },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode !== undefined && response.statusCode < 400));
        },
      );
      request.on("error", () => resolve(false));
      if (spec.body) request.write(spec.body);
      request.end();
    });
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const spec = options.request(counter++);
        const t = performance.now();
        const ok = await one(spec);
        latencies.push(performance.now() - t);
        if (!ok) errors++;
      }
    }),
  );
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Runs another bench script and returns its output (it prints its own figures). */
function runBench(script: string, args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(import.meta.dirname, script), ...args], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status}):\n${result.stdout}`);
  return result.stdout;
}

// The bench measures the server, not its abuse protection: no rate limit and no load shedding
// on /api/verify (bench:load shows those).
process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
process.env.PEDIGREE_VERIFY_MAX_IN_FLIGHT = "off";

console.log(`Seeding a batch of ${PACKS.toLocaleString("en")} packs with about 1,000 custody events...`);
const seedStarted = performance.now();
const stack = await startStack(async ({ world }) => {
  const { acme, northwind, central, harbour } = world.parties;
  const product = await world.registerProduct(acme, {
    name: "Amoxicillin",
    strength: "500 mg",
    dosageForm: "capsules",
  });
  const batch: WorldBatch = await world.registerBatch(acme, product, { packs: PACKS, lot: "BENCH100K" });
  let events = 1; // BatchRegistered
  // 150 shipments to the distributor, each received: 300 events.
  const shipments: { ref: string; tx: string }[] = [];
  for (let i = 0; i < 150; i++) {
    const shipment = await world.ship(acme, northwind, [{ batch, quantity: 200 }]);
    await world.receive(shipment);
    shipments.push({ ref: shipment.ref, tx: shipment.receipt.transactionHash });
    events += 2;
  }
  // 150 shipments on to the two pharmacies, each received: 300 events.
  for (let i = 0; i < 150; i++) {
    await world.receive(await world.ship(northwind, i % 2 === 0 ? central : harbour, [{ batch, quantity: 100 }]));
    events += 2;
  }
  // 400 packs dispensed at the first pharmacy, 100 per transaction: 400 events. They are the
  // first 400 indexes that pharmacy may dispense (units, not particular packs, move).
  const dispensed = Array.from({ length: 400 }, (_, i) => i);
  for (let i = 0; i < dispensed.length; i += 100) {
    await world.decommissionMany(central, batch, dispensed.slice(i, i + 100), "DISPENSED");
  }
  events += dispensed.length;
  // The rest of the directory that search reads.
  const parties = [];
  for (let i = 0; i < SEARCH_PARTIES; i++) {
    const account = privateKeyToAccount(keccak256(toHex(`bench party ${i}`)));
    parties.push(
      await world.onboard(account, "PHARMACY", `Bench Pharmacy ${i}`, glnOf(`9520001${String(i).padStart(5, "0")}`)),
    );
  }
  const products = [product];
  const others: WorldBatch[] = [];
  for (let p = 0; p < SEARCH_PRODUCTS; p++) {
    const other = await world.registerProduct(acme, { name: `Bench product ${p}`, strength: "10 mg" });
    products.push(other);
    for (let b = 0; b < SEARCH_BATCHES_PER_PRODUCT; b++) {
      others.push(await world.registerBatch(acme, other, { packs: SEARCH_BATCH_PACKS, lot: `SB${p}-${b}` }));
    }
  }
  return { batch, events, dispensed: dispensed.length, shipments, parties, products, others };
});
const seedSeconds = (performance.now() - seedStarted) / 1000;
const { batch, events, shipments, parties, products, others } = stack.fixtures;
console.log(`  ${events} events on the batch; chain, manifest, index and server ready in ${seedSeconds.toFixed(0)} s`);

const serials = batch.manifest.serials;
const parsedExpiry = expiryToDate(String(batch.expiry).slice(2));
if (!parsedExpiry.ok) throw new Error(`The bench batch's expiry ${batch.expiry} is not a GS1 date`);
const expiry = parsedExpiry.value;
const codeOf = (index: number) =>
  encodeURIComponent(toHri({ gtin: batch.gtin, lot: batch.lot, serial: serials[index]!, expiry }));
// Genuine, active packs: past the 400 dispensed ones, spread over the whole batch.
const verifyPaths = Array.from(
  { length: 5_000 },
  (_, i) => `/api/verify?code=${codeOf(1_000 + ((i * 7_919) % (PACKS - 1_000)))}`,
);

try {
  const probe = await fetch(stack.url(verifyPaths[0]!)).then((r) => r.json() as Promise<{ verdict: string }>);
  if (probe.verdict !== "GENUINE")
    throw new Error(`A genuine pack was answered ${probe.verdict}; the bench would measure the wrong thing.`);

  console.log(`\n/api/verify, ${CONNECTIONS} connections, ${duration} s...`);
  await load(stack.baseUrl, {
    connections: 4,
    seconds: 3,
    request: (i) => ({ path: verifyPaths[i % verifyPaths.length]! }),
  });
  const verify = await load(stack.baseUrl, {
    connections: CONNECTIONS,
    seconds: duration,
    request: (i) => ({ path: verifyPaths[i % verifyPaths.length]! }),
  });

  console.log(`eth_call verifyPack on the node, ${CONNECTIONS} connections, ${duration} s...`);
  const proofIndex = 1_000;
  const proof = batch.manifest.proofFor(serials[proofIndex]!)!;
  const callData = encodeFunctionData({
    abi: pedigreeLedgerAbi,
    functionName: "verifyPack",
    args: [
      gtinToUint64(batch.gtin),
      batch.lot,
      serials[proofIndex]!,
      BigInt(proof.index),
      [...proof.proof] as Hex[],
      20301231,
    ],
  });
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_call",
    params: [{ to: stack.chain.address, data: callData }, "latest"],
  });
  const ethCall = await load(stack.chain.rpcUrl, {
    connections: CONNECTIONS,
    seconds: duration,
    request: () => ({ path: "/", method: "POST", body }),
  });

  console.log(`Batch timeline (${events} events), 1 connection, ${duration} s...`);
  const timelinePath = `/api/batches/${batch.gtin}/${encodeURIComponent(batch.lot)}`;
  const signedIn = await signInAs(stack.baseUrl, stack.world.parties.regulator.account);
  if (signedIn.status !== 200) {
    throw new Error(`Signing in as the regulator: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
  }
  const asRegulator = { authorization: `Bearer ${signedIn.body.token}` };
  const timelineResponse = await fetch(stack.url(timelinePath), { headers: asRegulator });
  if (timelineResponse.status !== 200) {
    throw new Error(`The timeline answered ${timelineResponse.status}: ${await timelineResponse.text()}`);
  }
  const timelineCheck = (await timelineResponse.json()) as { timeline: unknown[] };
  const timeline = await load(stack.baseUrl, {
    connections: 1,
    seconds: duration,
    request: () => ({ path: timelinePath, headers: asRegulator }),
  });
  console.log(`  ${timeline.requests} requests as the regulator, ${timeline.errors} errors, p95 ${ms(timeline.p95)}`);

  const asPharmacy = await signInAs(stack.baseUrl, stack.world.parties.central.account);
  if (asPharmacy.status !== 200) throw new Error(`Signing in as a pharmacy: ${JSON.stringify(asPharmacy.body)}`);
  const printedExpiry = `${String(batch.expiry).slice(0, 4)}-${String(batch.expiry).slice(4, 6)}`;
  const spread = <T>(list: readonly T[], count: number) =>
    Array.from({ length: count }, (_, i) => list[(i * 7_919) % list.length]!);
  const serialsOfAll = [...spread(serials, 200), ...others.flatMap((b) => spread(b.manifest.serials, 4))];
  const searchCases: { kind: string; queries: string[]; headers?: Record<string, string> }[] = [
    { kind: "GTIN", queries: products.map((p) => p.gtin) },
    { kind: "GLN", queries: parties.map((p) => p.gln) },
    { kind: "party name (part)", queries: parties.map((_, i) => `pharmacy ${i}`) },
    { kind: "lot in small letters", queries: [batch, ...others].map((b) => b.lot.toLowerCase()) },
    { kind: "serial alone", queries: serialsOfAll },
    {
      kind: "serial alone, as a pharmacy",
      queries: spread(serials, 200),
      headers: { authorization: `Bearer ${asPharmacy.body.token}` },
    },
    { kind: "shipment reference in small letters", queries: shipments.map((s) => s.ref.toLowerCase()) },
    {
      kind: "transaction hash, 10 digits, no 0x",
      // Ten decimal digits read as a number: those prefixes need their 0x.
      queries: shipments.map((s) => s.tx.slice(2, 12)).filter((prefix) => /[a-f]/.test(prefix)),
    },
    { kind: "transaction hash, whole", queries: shipments.map((s) => s.tx) },
    {
      kind: "pack code (HRI)",
      queries: spread(serials, 200).map((serial) => toHri({ gtin: batch.gtin, lot: batch.lot, serial, expiry })),
    },
    {
      kind: "printed text (GTIN SN LOT EXP)",
      queries: spread(serials, 200).map(
        (serial) => `GTIN ${batch.gtin} SN ${serial} LOT ${batch.lot} EXP ${printedExpiry}`,
      ),
    },
  ];
  const searchSeconds = Math.max(3, Math.round(duration / 3));
  console.log(`Search, ${searchCases.length} kinds of query, 1 connection, ${searchSeconds} s each...`);
  const search: Record<string, LoadResult> = {};
  for (const { kind, queries, headers = asRegulator } of searchCases) {
    const path = (q: string) => `/api/search?q=${encodeURIComponent(q)}`;
    const probeResponse = await fetch(stack.url(path(queries[0]!)), { headers });
    const probeBody = (await probeResponse.json()) as { results?: unknown[] };
    if (probeResponse.status !== 200 || (probeBody.results?.length ?? 0) === 0) {
      throw new Error(`Search for ${kind} (${queries[0]}) found nothing: ${JSON.stringify(probeBody)}`);
    }
    search[kind] = await load(stack.baseUrl, {
      connections: 1,
      seconds: searchSeconds,
      request: (i) => ({ path: path(queries[i % queries.length]!), headers }),
    });
    console.log(
      `  ${kind}: p50 ${ms(search[kind].p50)}, p95 ${ms(search[kind].p95)}, ${search[kind].requests} requests, ${search[kind].errors} errors`,
    );
  }

  await stack.stop();

  console.log("Indexer catch-up (bench/indexer.bench.ts, 5,000 events)...");
  const indexerOutput = runBench("indexer.bench.ts", ["5000", "--runs=1"]);
  const eventsPerSecond = Number(/([\d,.]+)\s*events\/s/.exec(indexerOutput)?.[1]?.replaceAll(",", "") ?? NaN);
  console.log("1,000,000-serial manifest (bench/manifest-store.bench.ts)...");
  const manifestOutput = runBench("manifest-store.bench.ts", ["1000000"]);
  const manifest = JSON.parse(manifestOutput.slice(manifestOutput.indexOf("{"))) as {
    totalSeconds: number;
    peakRssMiB: number;
    contents: { cases: number; pallets: number; storedAndIndexedSeconds: number; peakRssMiB: number };
    trace: { packs: number; p50Ms: number; p95Ms: number };
  };
  const manifestSeconds = manifest.totalSeconds;
  const manifestPeakMb = manifest.peakRssMiB;

  const figures = {
    date: new Date().toISOString(),
    machine: "this 2-core machine, loopback",
    verify: { connections: CONNECTIONS, ...verify },
    ethCallVerifyPack: { connections: CONNECTIONS, ...ethCall },
    verifyToEthCallP95Ratio: verify.p95 / ethCall.p95,
    timeline: { events: timelineCheck.timeline.length, connections: 1, ...timeline },
    search,
    indexer: { eventsPerSecond, output: indexerOutput.trim() },
    manifest1M: manifest,
  };

  console.log(`
| measure                                   | figure                     | aim        |
|-------------------------------------------|----------------------------|------------|
| /api/verify p50 / p95 / p99 (50 conn.)    | ${ms(verify.p50)} / ${ms(verify.p95)} / ${ms(verify.p99)} | p95 <= 50 ms |
| /api/verify throughput                    | ${verify.rps.toFixed(0)} req/s, ${verify.errors} errors |            |
| eth_call verifyPack p95 (50 conn.)        | ${ms(ethCall.p95)} (${ethCall.rps.toFixed(0)} req/s) |            |
| verify p95 / eth_call p95                 | ${figures.verifyToEthCallP95Ratio.toFixed(2)}                       |            |
| timeline of ${timelineCheck.timeline.length} events p50 / p95 (1 conn.) | ${ms(timeline.p50)} / ${ms(timeline.p95)}, ${timeline.errors} errors | p95 <= 100 ms |
| indexer catch-up                          | ${eventsPerSecond.toFixed(0)} events/s            | >= 1,000   |
| 1,000,000-serial manifest build + store   | ${manifestSeconds.toFixed(1)} s, peak ${manifestPeakMb} MiB | <= 30 s, <= 1.5 GB |
| + ${manifest.contents.cases} cases, ${manifest.contents.pallets} pallets indexed | ${manifest.contents.storedAndIndexedSeconds.toFixed(1)} s, peak ${manifest.contents.peakRssMiB} MiB | <= 60 s, <= 1.5 GB |
| a pack's trace on that batch p50 / p95    | ${manifest.trace.p50Ms} ms / ${manifest.trace.p95Ms} ms | p95 <= 50 ms |
${Object.entries(search)
  .map(
    ([kind, r]) =>
      `| search: ${kind} p50 / p95 (1 conn.) | ${ms(r.p50)} / ${ms(r.p95)}, ${r.errors} errors | p95 <= 300 ms |`,
  )
  .join("\n")}
`);
  const out = path.join(repositoryRoot(), "bench-results/api.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(figures, null, 2) + "\n");
  console.log(`Written to ${path.relative(process.cwd(), out)}.`);
} finally {
  await stack.stop();
}
