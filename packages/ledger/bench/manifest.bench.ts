/**
 * Time and memory to read and commit to a million-pack serial list:
 *
 *   node packages/ledger/bench/manifest.bench.ts [count]      (from the repository root; default 1,000,000)
 *
 * Generates `count` serials (12 characters, as for labels), writes them as an uploaded CSV would be
 * (header, CRLF), then parses the text (parseSerialList) and builds the manifest (buildManifest:
 * Merkle tree and serial → index lookup), and proves a few packs. Prints seconds per phase and
 * the process's peak resident memory after each phase (peak RSS never goes down, so the last
 * figure is the whole run's peak, generation included).
 */
import { generateSerials } from "../src/manifest/generate.ts";
import { buildManifest } from "../src/manifest/manifest.ts";
import { parseSerialList } from "../src/manifest/serialList.ts";

const count = Number(process.argv[2] ?? 1_000_000);
const peakMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const rows: { phase: string; seconds: number; peakMb: string }[] = [];
function phase<T>(name: string, run: () => T): T {
  const started = performance.now();
  const value = run();
  rows.push({ phase: name, seconds: (performance.now() - started) / 1000, peakMb: peakMb() });
  return value;
}

console.log(
  `Serial manifest bench: ${count.toLocaleString("en-US")} serials, Node ${process.version}, ${process.arch}`,
);
const serials = phase("generate (HMAC-SHA-256)", () =>
  generateSerials({ count, seed: "bench seed: not a secret, 32 bytes" }),
);
const text = phase("write CSV text", () => `serial\r\n${serials.join("\r\n")}\r\n`);
const parsed = phase("parseSerialList", () => parseSerialList(text));
if (!parsed.ok) throw new Error(parsed.message);
const manifest = phase("buildManifest", () => buildManifest(parsed.serials));
phase("1,000 lookups + proofs", () => {
  for (let i = 0; i < 1000; i++) manifest.proofFor(serials[(i * 7919) % count] as string);
});

const parseAndBuild = rows
  .filter((row) => row.phase === "parseSerialList" || row.phase === "buildManifest")
  .reduce((sum, row) => sum + row.seconds, 0);
console.table(rows.map((row) => ({ ...row, seconds: Number(row.seconds.toFixed(2)) })));
console.log(
  `text: ${(text.length / 1e6).toFixed(1)} MB; root ${manifest.root}; proof depth ${manifest.tree.proof(0).length}`,
);
console.log(`parse + build: ${parseAndBuild.toFixed(2)} s; peak RSS (whole run): ${peakMb()} MB`);
