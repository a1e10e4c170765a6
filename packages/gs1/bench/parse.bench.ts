/**
 * Codes parsed per second, per form, on one core (this process's main
 * thread). Run from the repository root: `npm run bench:gs1`.
 *
 * Each form parses the same 1,024 generated pack codes (GTIN, expiry, lot,
 * serial) round-robin: a warm-up, then timed rounds for about 1.5 s.
 */
import { gs1CheckDigit, parseGs1, toDigitalLink, toElementString, toHri, type Gs1Value } from "../src/index.ts";

const WARM_UP_MS = 400;
const MEASURE_MS = 1_500;
const SAMPLE_SIZE = 1_024;
const now = new Date("2025-06-15T00:00:00Z");

/** Deterministic pseudo-random numbers (mulberry32), so every run parses the same codes. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function samplePacks(): Gs1Value[] {
  const next = random(20250615);
  const pick = (chars: string, length: number): string => {
    let out = "";
    for (let i = 0; i < length; i++) out += chars[Math.floor(next() * chars.length)];
    return out;
  };
  const packs: Gs1Value[] = [];
  for (let i = 0; i < SAMPLE_SIZE; i++) {
    const body = `0${pick("0123456789", 12)}`;
    const month = 1 + Math.floor(next() * 12);
    const raw = `${26 + Math.floor(next() * 5)}${String(month).padStart(2, "0")}${month === 2 ? "28" : "30"}`;
    packs.push({
      gtin: body + String(gs1CheckDigit(body)),
      expiry: { raw, date: "" },
      lot: pick("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", 4 + Math.floor(next() * 6)),
      serial: pick("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz0123456789", 8 + Math.floor(next() * 12)),
    });
  }
  return packs;
}

type Row = { form: string; inputs: string[] };

function measure(inputs: readonly string[]): number {
  let sink = 0;
  const round = (): void => {
    for (const input of inputs) {
      const result = parseGs1(input, { now });
      sink += result.ok ? 1 : 0;
    }
  };
  const warmUpEnd = performance.now() + WARM_UP_MS;
  while (performance.now() < warmUpEnd) round();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    round();
    count += inputs.length;
    elapsed = performance.now() - start;
  }
  if (sink === 0) throw new Error("nothing parsed");
  return (count / elapsed) * 1000;
}

const packs = samplePacks();
const rows: Row[] = [
  {
    form: "element-string (]d2 + GS)",
    inputs: packs.map((p) => `]d2${toElementString(p)}`),
  },
  {
    form: "element-string (wedge ^)",
    inputs: packs.map((p) => toElementString(p).replaceAll("\u001d", "^")),
  },
  { form: "hri", inputs: packs.map((p) => toHri(p)) },
  { form: "digital-link", inputs: packs.map((p) => toDigitalLink(p)) },
];

for (const row of rows) {
  for (const input of row.inputs) {
    const result = parseGs1(input, { now });
    if (!result.ok) throw new Error(`bench input refused: ${input}: ${result.error.message}`);
  }
}

console.log(`@pedigree/gs1 parseGs1 — Node ${process.version}, one core, ${SAMPLE_SIZE} distinct pack codes per form`);
console.log("");
console.log(`${"form".padEnd(28)} ${"codes/s".padStart(12)} ${"µs/code".padStart(9)}`);
console.log(`${"-".repeat(28)} ${"-".repeat(12)} ${"-".repeat(9)}`);
for (const row of rows) {
  const perSecond = measure(row.inputs);
  console.log(
    `${row.form.padEnd(28)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} ${(1e6 / perSecond).toFixed(2).padStart(9)}`,
  );
}
