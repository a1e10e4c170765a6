/**
 * `npm test`: every check of the repository, in one run, ending with one line
 * `N passed, N failed` that sums all suites (CI reads it).
 *
 * 1. build: contracts compiled (production settings are the default profile's) and the generated
 *    ABI in packages/ledger matches the compiled one;
 * 2. lint: solhint, prettier, tsc;
 * 3. scripts: the demo world's seed (what `npm start` shows a newcomer), and package-lock.json
 *    resolving every system's native packages on its own (scripts/lockfile-platforms.ts);
 * 4. workspaces: each workspace's node:test suite (`npm test` in it). The web app's suite (the read
 *    model, indexer and API) runs on embedded PGlite, and once more on PostgreSQL when
 *    PEDIGREE_TEST_DATABASE_URL is set (.ci/run starts a server and sets it);
 * 5. dashboard: the browser end-to-end tests (apps/web `npm run test:e2e`, Debian's chromium), with
 *    e2e/scale-out.e2e.ts: two web servers on PEDIGREE_TEST_DATABASE_URL's PostgreSQL (inherited
 *    from this process's environment) sharing their rate limits, behind Debian's nginx;
 * 6. anvil: a subset on Foundry's anvil mining a block every 2 s with a chain id of its own, where
 *    every write waits for its block and an event counts after 5 confirmations: the custody flow
 *    tests, the web tests of the write path, the indexer service and provider limits, and the
 *    patient and all-parties browser tests (ANVIL_SUBSET below). `npm run test:anvil` runs it alone
 *    (`--only=anvil`: only the suites whose name starts so);
 * 7. chaos: the slow fault scenarios (`npm run chaos`);
 * 8. contracts: Solidity unit, fuzz and invariant tests plus the TypeScript flow tests, with
 *    coverage of contracts/ (lines and statements >= 95%). Its instrumented build has its own
 *    artifacts and cache (cache/coverage, see hardhat.config.ts), so the real build stays usable.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";

const COVERAGE_MIN = 95;
/** `--only=<prefix>`: only the suites whose name starts with it (`npm run test:anvil` is `--only=anvil`). */
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const results: { suite: string; passed: number; failed: number; seconds: number }[] = [];

interface Run {
  code: number;
  output: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; quiet?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        FORCE_COLOR: "0",
        NO_COLOR: "1",
        HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
        NEXT_TELEMETRY_DISABLED: "1",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const forward = (chunk: Buffer) => {
      output += chunk.toString();
      if (!options.quiet) process.stdout.write(chunk);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
    child.on("error", (error) => resolve({ code: 1, output: String(error) }));
  });
}

async function suite(name: string, body: () => Promise<{ passed: number; failed: number }>): Promise<void> {
  if (only !== undefined && !name.startsWith(only)) return;
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  let counts: { passed: number; failed: number };
  try {
    counts = await body();
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    counts = { passed: 0, failed: 1 };
  }
  const seconds = (performance.now() - started) / 1000;
  results.push({ suite: name, ...counts, seconds });
  console.log(`--- ${name}: ${counts.passed} passed, ${counts.failed} failed (${seconds.toFixed(0)} s)`);
}

const check = (ok: boolean) => (ok ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });

/** Sums mocha-style "N passing" / "N failing" lines (Hardhat's Solidity and mocha runners). */
function mochaCounts(output: string): { passed: number; failed: number } {
  const sum = (pattern: RegExp) => [...output.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
  return { passed: sum(/^\s*(\d+) passing/gm), failed: sum(/^\s*(\d+) failing/gm) };
}

/** node:test's spec reporter ends with "ℹ pass N" and "ℹ fail N". */
function nodeTestCounts(output: string): { passed: number; failed: number } {
  const last = (pattern: RegExp) => Number([...output.matchAll(pattern)].at(-1)?.[1] ?? 0);
  return { passed: last(/^ℹ pass (\d+)/gm), failed: last(/^ℹ fail (\d+)/gm) };
}

await suite("build", async () => {
  const build = await run("hardhat", ["build"]);
  if (build.code !== 0) return check(false);
  const { GENERATED_ABIS, compiledAbi } = await import("./export-ledger.ts");
  let fresh = true;
  for (const { contract, file, constant } of GENERATED_ABIS) {
    const generated = ((await import(`../packages/ledger/src/generated/${file}`)) as Record<string, unknown>)[constant];
    if (JSON.stringify(compiledAbi(contract)) === JSON.stringify(generated)) continue;
    fresh = false;
    console.error(`packages/ledger/src/generated/${file} is stale: run \`npm run export:ledger\` and commit it.`);
  }
  return { passed: 1 + (fresh ? 1 : 0), failed: fresh ? 0 : 1 };
});

await suite("lint", async () => {
  const solhint = await run("solhint", ["--disc", "--noPoster", "contracts/**/*.sol"]);
  const prettier = await run("prettier", ["--check", "."], { quiet: true });
  if (prettier.code !== 0) process.stdout.write(prettier.output);
  const tsc = await run("npm", ["run", "--silent", "typecheck"]);
  return [solhint, prettier, tsc].reduce(
    (total, r) => ({ passed: total.passed + (r.code === 0 ? 1 : 0), failed: total.failed + (r.code === 0 ? 0 : 1) }),
    { passed: 0, failed: 0 },
  );
});

await suite("scripts (demo world, lockfile)", async () => {
  const r = await run("node", [
    "--test",
    "--test-reporter=spec",
    "scripts/demo/seed.test.ts",
    "scripts/demo/package-seed.test.ts",
    "scripts/lockfile-platforms.test.ts",
  ]);
  const counts = nodeTestCounts(r.output);
  if (r.code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
});

/** The browser suite built the app (into PEDIGREE_E2E_DIST_DIR, default .next-e2e): the anvil suite reuses it. */
let browserBuilt = false;

for (const dir of ["packages", "apps"]) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    const manifest = path.join(dir, name, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; scripts?: Record<string, string> };
    if (pkg.scripts?.test === undefined) continue;
    const nodeTests = (env: Record<string, string | undefined>) => async () => {
      const r = await run("npm", ["test", "--silent"], { cwd: path.join(dir, name), env });
      const counts = nodeTestCounts(r.output);
      if (r.code !== 0 && counts.failed === 0) counts.failed = 1;
      return counts;
    };
    // The read model's tests pick their database from PEDIGREE_TEST_DATABASE_URL: PGlite first.
    await suite(pkg.name, nodeTests({ PEDIGREE_TEST_DATABASE_URL: "" }));
    if (pkg.name === "@pedigree/web" && process.env.PEDIGREE_TEST_DATABASE_URL) {
      await suite(`${pkg.name} on PostgreSQL`, nodeTests({}));
    }
    if (pkg.scripts["test:e2e"] !== undefined) {
      await suite(`${pkg.name} in the browser`, async () => {
        const r = await run("npm", ["run", "--silent", "test:e2e"], { cwd: path.join(dir, name) });
        browserBuilt = true;
        const counts = nodeTestCounts(r.output);
        if (r.code !== 0 && counts.failed === 0) counts.failed = 1;
        return counts;
      });
    }
  }
}

/**
 * The anvil subset (README, "Testing on anvil"): what must hold on a chain with real block times.
 * The three parts run side by side, each on anvils of its own: they mostly wait for blocks.
 */
const ANVIL_SUBSET = {
  /** The multi-party custody flow, deployed through the Ignition module (hardhat.config.ts's localhost network). */
  flows: ["test/flows/custody-flow.test.ts"],
  /** apps/web: a wallet's write pending until its block, then confirmed; the indexer service; provider limits. */
  web: ["test/ui/wallet-tx.test.ts", "test/indexer-service.test.ts", "test/provider-limits.test.ts"],
  /** apps/web's browser tests: a patient's checks, and every party's flow (onboard, ship, receive, dispense, recall, audit). */
  browser: ["e2e/patient.e2e.ts", "e2e/roles.e2e.ts"],
};
const ANVIL_BLOCK_TIME = 2;

await suite("anvil (2 s blocks: flows, writes, indexer, provider limits, browser)", async () => {
  // The contracts' artifacts: the build suite made them, `--only=anvil` may not have had one.
  const build = await run("hardhat", ["build", "--no-tests", "--quiet"]);
  if (build.code !== 0) return check(false);
  const { startAnvil } = await import("./anvil.ts");
  const { freePort } = await import("../apps/web/test/support/chain.ts");
  // The app's tests start their anvils themselves (apps/web/test/support/chain.ts), on PGlite.
  const env = {
    PEDIGREE_TEST_CHAIN: "anvil",
    PEDIGREE_TEST_BLOCK_TIME: String(ANVIL_BLOCK_TIME),
    PEDIGREE_TEST_DATABASE_URL: "",
  };
  type Counts = { passed: number; failed: number };
  const part = async (label: string, body: () => Promise<Run>, counts: (output: string) => Counts): Promise<Counts> => {
    const started = performance.now();
    const r = await body();
    const found = counts(r.output);
    if (r.code !== 0 && found.failed === 0) found.failed = 1;
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    process.stdout.write(`\n--- anvil: ${label} (${seconds} s) ---\n${r.output}`);
    return found;
  };
  const parts = await Promise.all([
    part(
      "flows",
      async () => {
        const anvil = await startAnvil({ port: await freePort(), blockTime: ANVIL_BLOCK_TIME });
        try {
          return await run(
            "hardhat",
            ["test", "mocha", "--no-compile", "--network", "localhost", ...ANVIL_SUBSET.flows],
            { quiet: true, env: { PEDIGREE_LOCAL_RPC_URL: anvil.rpcUrl } },
          );
        } finally {
          await anvil.stop();
        }
      },
      mochaCounts,
    ),
    part(
      "web",
      () =>
        run("node", ["--test", "--test-concurrency=1", "--test-reporter=spec", ...ANVIL_SUBSET.web], {
          cwd: "apps/web",
          quiet: true,
          env,
        }),
      nodeTestCounts,
    ),
    part(
      "browser",
      () =>
        run("node", ["e2e/run.ts", ...ANVIL_SUBSET.browser], {
          cwd: "apps/web",
          quiet: true,
          env: { ...env, ...(browserBuilt ? { PEDIGREE_E2E_SKIP_BUILD: "1" } : {}) },
        }),
      nodeTestCounts,
    ),
  ]);
  return parts.reduce((total, p) => ({ passed: total.passed + p.passed, failed: total.failed + p.failed }), {
    passed: 0,
    failed: 0,
  });
});

await suite("chaos (faults: indexer killed, links stalled)", async () => {
  const r = await run("node", ["apps/web/chaos/run.ts"]);
  const counts = nodeTestCounts(r.output);
  if (r.code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
});

// Last: the slowest. Its instrumented build goes to cache/coverage (hardhat.config.ts), not artifacts/.
await suite("contracts (Solidity + flows, with coverage)", async () => {
  const tests = await run("hardhat", ["test", "--coverage"]);
  const counts = mochaCounts(tests.output);
  if (tests.code !== 0 && counts.failed === 0) counts.failed = 1;
  const total = /Total\s*│\s*([\d.]+)\s*│\s*([\d.]+)/.exec(tests.output);
  const lines = Number(total?.[1] ?? 0);
  const statements = Number(total?.[2] ?? 0);
  const covered = lines >= COVERAGE_MIN && statements >= COVERAGE_MIN;
  console.log(`coverage of contracts/: lines ${lines}%, statements ${statements}% (minimum ${COVERAGE_MIN}%)`);
  return { passed: counts.passed + (covered ? 1 : 0), failed: counts.failed + (covered ? 0 : 1) };
});

if (results.length === 0) {
  console.error(`No suite's name starts with '${only}'.`);
  process.exit(1);
}
console.log("\n=== summary ===");
for (const r of results)
  console.log(
    `${r.suite.padEnd(46)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed  ${r.seconds.toFixed(0).padStart(5)} s`,
  );
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
