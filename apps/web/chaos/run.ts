/**
 * `npm run chaos`: the fault scenarios too slow for every `npm test` run of the web suite
 * (which runs twice, on PGlite and on PostgreSQL). Each is a node:test file (chaos/*.chaos.ts), run
 * one at a time with the spec reporter, so the output ends with node:test's `ℹ pass N` and
 * `ℹ fail N` lines.
 *
 * The indexer-kill scenario needs PostgreSQL: PEDIGREE_TEST_DATABASE_URL, or else a throwaway
 * server from .ci/postgres-start (Debian's postgresql package).
 *
 *   node apps/web/chaos/run.ts [file filter]
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const chaosDir = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(chaosDir, "..");
const filter = process.argv[2] ?? "";
const files = readdirSync(chaosDir)
  .filter((name) => name.endsWith(".chaos.ts") && name.includes(filter))
  .sort()
  .map((name) => path.join("chaos", name));
if (files.length === 0) {
  console.error(`No chaos scenario matches '${filter}' in ${chaosDir}.`);
  process.exit(2);
}

const env = { ...process.env };
if (!env.PEDIGREE_TEST_DATABASE_URL) {
  const started = spawnSync(path.resolve(webDir, "../../.ci/postgres-start"), { encoding: "utf8" });
  const url = started.stdout.trim().split("\n").at(-1) ?? "";
  if (started.status === 0 && url.startsWith("postgres")) {
    env.PEDIGREE_TEST_DATABASE_URL = url;
    console.log(`PostgreSQL for the chaos scenarios: ${url}`);
  } else {
    console.log(
      `No PostgreSQL (${(started.stderr || String(started.error ?? "")).trim()}): the scenarios that need it are skipped.`,
    );
  }
}

const child = spawn(
  process.execPath,
  ["--test", "--test-reporter=spec", "--test-concurrency=1", "--test-timeout=900000", ...files],
  { cwd: webDir, env, stdio: "inherit" },
);
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
