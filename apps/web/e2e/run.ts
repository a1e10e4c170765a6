/**
 * The browser end-to-end suite (`npm run test:e2e` in apps/web): one production build of the app
 * into .next-e2e, then every e2e/*.e2e.ts file under node:test, one file at a time (each starts
 * its own chain and server; the CI machine has two cores).
 *
 * PEDIGREE_E2E_SKIP_BUILD=1 reuses the last build (when only tests changed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { buildApp, E2E_DIST_DIR, WEB_DIR } from "./support/stack.ts";
import { CHROMIUM_PATH } from "./support/browser.ts";

if (!existsSync(CHROMIUM_PATH)) {
  console.error(
    `Chromium is not installed at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set PEDIGREE_CHROMIUM.`,
  );
  process.exit(1);
}

const reuse = process.env.PEDIGREE_E2E_SKIP_BUILD === "1" && existsSync(path.join(WEB_DIR, E2E_DIST_DIR, "BUILD_ID"));
if (!reuse) buildApp();

const files = readdirSync(path.join(WEB_DIR, "e2e"))
  .filter((name) => name.endsWith(".e2e.ts"))
  .sort()
  .map((name) => path.join("e2e", name));
const only = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  ["--test", "--test-concurrency=1", "--test-reporter=spec", ...(only.length > 0 ? only : files)],
  { cwd: WEB_DIR, stdio: "inherit", env: { ...process.env, PEDIGREE_E2E_BUILT: "1", NEXT_TELEMETRY_DISABLED: "1" } },
);
process.exit(result.status ?? 1);
