/**
 * `npm run bench:pages`: how long each signed-in party's main pages take to show their content,
 * in Chromium, on the demo world `npm start` shows.
 *
 * Starts the production build (`next start`, e2e/support/stack.ts's startDemoStack: a chain whose
 * clock starts 400 days back, the demo world seeded onto it, its serial lists stored, the read
 * model indexed; then Harbour Pharmacy's scan raises the demo's falsification alert, as
 * `npm start` does). Each party signs in once through the dashboard's own dialog (demo accounts,
 * then Sign-In with Ethereum) and opens each of its pages once, unmeasured (the server's first
 * render of a route loads its code); its cookies (the session and the wallet's state) are kept.
 * Then, for every main page of that party:
 *
 * - cold: a fresh browser context (empty HTTP cache, no JavaScript loaded yet) with those cookies
 *   opens the page: the first visit after signing in;
 * - warm: the same context opens it a second time (the scripts and styles are cached).
 *
 * A script injected before the page's own measures, from the navigation's start
 * (performance.timeOrigin), the time of the first frame in which the page's main content is on
 * screen: its heading, its own data (each page's `ready` selector below: rows of its table or
 * list, or the list's empty notice), and no "Loading…" left in the main area. A MutationObserver
 * installed beside it (e2e/support/wrong-claims.ts) reads the page after every change from the
 * first HTML on: a claim that is wrong for a signed-in participant ("Not a participant", "Not for
 * this account", "Sign in to continue", a Sign in button, another role in the header) is
 * recorded, and fails the run.
 *
 *   npm run bench:pages [-- --runs=8] [--only=<role>]
 *
 * PEDIGREE_E2E_SKIP_BUILD=1 reuses the last build (PEDIGREE_E2E_DIST_DIR, default .next-e2e).
 * Prints p50/p95 per page, cold and warm (nearest rank over the runs), writes
 * bench-results/pages.json, and exits with status 1 when a page's p95 is over 1,000 ms, a wrong
 * claim was seen, or a page did not show its content (an error, or 15 s without it).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { repositoryRoot } from "../src/server/db/database.ts";
import { launchBrowser, LAPTOP } from "../e2e/support/browser.ts";
import { connectAs } from "../e2e/support/roles-world.ts";
import { E2E_DIST_DIR, startDemoStack, WEB_DIR, type DemoStack } from "../e2e/support/stack.ts";
import { watchWrongClaims, wrongClaims, type WrongClaim } from "../e2e/support/wrong-claims.ts";
import { signInAs } from "../test/support/signIn.ts";

const P95_TARGET_MS = 1_000;
const CONTENT_TIMEOUT_MS = 15_000;
const USAGE = "Usage: npm run bench:pages [-- --runs=8] [--only=admin|manufacturer|distributor|pharmacy|regulator]";

/**
 * What the page shows once it has loaded, beside its heading and no "Loading…" left in the main
 * area. An empty list shows QueryState's notice (data-state="empty") instead of rows.
 */
interface PageSpec {
  path: string;
  heading: string;
  /** A CSS selector that matches only once the page's own data is on screen. */
  ready: string;
}

interface RoleSpec {
  key: string;
  /** The demo account (Hardhat's test mnemonic) and the role the header must name. */
  account: number;
  role: string;
  name: string;
  pages: PageSpec[];
}

const AUDIT: PageSpec = {
  path: "/auditor",
  heading: "Audit",
  // Its two lists (alerts, recalled stock), each with rows or its empty notice.
  ready: "#main [data-testid=recalled-stock] li, #main [data-testid=alerts] li, #main [data-state=empty]",
};
const ALERTS: PageSpec = {
  path: "/alerts",
  heading: "Alerts",
  ready: "#main [data-testid=alerts-table] tbody tr, #main section[aria-labelledby=alerts-results] [data-state=empty]",
};
const STOCK: PageSpec = { path: "/stock", heading: "Stock", ready: "#main [data-testid=stock-table] tbody tr" };

/** Each role's pages: its navigation (app-shell.tsx) and the audit page every participant has. */
const ROLES: RoleSpec[] = [
  {
    key: "admin",
    account: 0,
    role: "ADMIN",
    name: "Pedigree Network Operator",
    pages: [{ path: "/admin", heading: "Participants", ready: "#main table tbody tr[data-address]" }],
  },
  {
    key: "manufacturer",
    account: 1,
    role: "MANUFACTURER",
    name: "Acme Pharma AG",
    pages: [
      // Every product with its batches listed (each product's list is its own read).
      { path: "/manufacturer", heading: "Batches", ready: "#main [data-testid=products] li a" },
      STOCK,
      ALERTS,
      AUDIT,
    ],
  },
  { key: "distributor", account: 3, role: "DISTRIBUTOR", name: "Northwind Wholesale", pages: [STOCK, ALERTS, AUDIT] },
  {
    key: "pharmacy",
    account: 5,
    role: "PHARMACY",
    name: "Harbour Pharmacy",
    pages: [
      { path: "/counter", heading: "Counter", ready: "#main input[name=code]:not([disabled])" },
      STOCK,
      ALERTS,
      AUDIT,
    ],
  },
  { key: "regulator", account: 6, role: "REGULATOR", name: "National Medicines Agency", pages: [AUDIT, ALERTS] },
];

interface Visit {
  /** ms from the navigation's start to the first frame showing the main content; null if it never did. */
  contentMs: number | null;
  /** Wrong claims the page made until then (or until it gave up), each when first made. */
  wrong: WrongClaim[];
  error: string | null;
}

function parseArgs(): { runs: number; only: string | null } {
  let runs = 8;
  let only: string | null = null;
  for (const arg of process.argv.slice(2)) {
    const runsMatch = /^--runs=(\d+)$/.exec(arg);
    const onlyMatch = /^--only=(\w+)$/.exec(arg);
    if (runsMatch) runs = Number(runsMatch[1]);
    else if (onlyMatch && ROLES.some((r) => r.key === onlyMatch[1])) only = onlyMatch[1]!;
    else {
      console.error(`Unknown argument '${arg}'. ${USAGE}`);
      process.exit(2);
    }
  }
  if (runs < 1) {
    console.error(`Give at least one run. ${USAGE}`);
    process.exit(2);
  }
  return { runs, only };
}

/**
 * Injected before the page's own scripts: samples every frame until the content is on screen.
 * Frames are what the user sees; a frame is not rendered before the render-blocking stylesheets
 * have loaded, so requestAnimationFrame's time is when the content could first be seen.
 */
function probe(spec: { heading: string; ready: string }): void {
  type Probe = { contentMs: number | null; error: string | null };
  const state: Probe = { contentMs: null, error: null };
  (window as unknown as { __pageBench: Probe }).__pageBench = state;
  const visible = (element: Element | null) => {
    if (element === null) return false;
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
  };
  const frame = (at: number) => {
    const main = document.getElementById("main");
    if (main !== null) {
      const failed = [...main.querySelectorAll("h2, h3, p")].find((e) => e.textContent?.startsWith("Could not load"));
      if (failed !== undefined) {
        state.error = `${failed.textContent}: ${failed.parentElement?.textContent?.slice(0, 200)}`;
        return;
      }
      const heading = main.querySelector("h1");
      const loading = [...main.querySelectorAll("[role=status]")].some((e) =>
        /^(Loading|Reading your account)/.test(e.textContent ?? ""),
      );
      if (
        heading !== null &&
        heading.textContent?.trim().startsWith(spec.heading) &&
        visible(heading) &&
        !loading &&
        visible(main.querySelector(spec.ready))
      ) {
        state.contentMs = Math.round(at);
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function visit(context: BrowserContext, url: string, role: RoleSpec, page: PageSpec): Promise<Visit> {
  const tab = context.pages()[0] ?? (await context.newPage());
  try {
    await tab.goto(url, { waitUntil: "commit" });
    const outcome = await tab
      .waitForFunction(
        () => {
          const state = (window as unknown as { __pageBench?: { contentMs: number | null; error: string | null } })
            .__pageBench;
          return state !== undefined && (state.contentMs !== null || state.error !== null);
        },
        undefined,
        { timeout: CONTENT_TIMEOUT_MS, polling: 50 },
      )
      .then(
        () => null,
        (error: Error) => error.message.split("\n")[0] ?? "timeout",
      );
    const state = await tab.evaluate(() => (window as unknown as { __pageBench: Visit }).__pageBench);
    return {
      contentMs: state.contentMs,
      wrong: await wrongClaims(tab),
      error: state.error ?? (outcome === null ? null : `no content within ${CONTENT_TIMEOUT_MS} ms (${outcome})`),
    };
  } catch (error) {
    return {
      contentMs: null,
      wrong: [],
      error: `${role.key} ${page.path}: ${(error as Error).message.split("\n")[0]}`,
    };
  }
}

/**
 * The party's cookies after signing in through the dashboard (the wallet's state and the session),
 * having opened each of its pages once (unmeasured).
 */
async function signIn(browser: Browser, stack: DemoStack, role: RoleSpec) {
  const context = await browser.newContext({ ...LAPTOP, baseURL: stack.baseUrl });
  try {
    const page = await context.newPage();
    await connectAs(page, role.account, role.role);
    const deadline = Date.now() + 20_000;
    while (!(await context.cookies()).some((c) => c.name === "pedigree_session")) {
      if (Date.now() > deadline) throw new Error(`${role.key} did not get a session within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The server's first render of a route loads its code: not what a visitor of a running server waits for.
    for (const spec of role.pages) await page.goto(spec.path, { waitUntil: "load" });
    return await context.storageState();
  } finally {
    await context.close();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface PageFigures {
  role: string;
  path: string;
  cold: number[];
  warm: number[];
  wrong: string[];
  errors: string[];
}

const { runs, only } = parseArgs();
if (process.env.PEDIGREE_E2E_SKIP_BUILD === "1" && existsSync(path.join(WEB_DIR, E2E_DIST_DIR, "BUILD_ID"))) {
  process.env.PEDIGREE_E2E_BUILT = "1";
}
const roles = ROLES.filter((r) => only === null || r.key === only);
console.log("# Starting the production build on the demo world (chain, seed, read model, next start)...");
const started = Date.now();
const stack = await startDemoStack();
const browser = await launchBrowser();
let failed = false;
try {
  // npm start's falsification alert: Harbour Pharmacy scans, for dispensing, a pack dispensed elsewhere.
  const harbour = stack.chain.accounts[5]!;
  const token = (await signInAs(stack.baseUrl, harbour)).body.token;
  const alert = await fetch(
    stack.url(`/api/verify?purpose=dispense&code=${encodeURIComponent(stack.fixtures.alertCode)}`),
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  if (!alert.ok) throw new Error(`The demo's alert was not raised: /api/verify answered ${alert.status}`);
  console.log(
    `# Ready in ${((Date.now() - started) / 1000).toFixed(0)} s; ${runs} cold and ${runs} warm visits a page.`,
  );

  const figures: PageFigures[] = [];
  for (const role of roles) {
    const storageState = await signIn(browser, stack, role);
    const rows = role.pages.map(
      (page) => ({ role: role.key, path: page.path, cold: [], warm: [], wrong: [], errors: [] }) as PageFigures,
    );
    for (let run = 0; run < runs; run++) {
      for (const [i, page] of role.pages.entries()) {
        const row = rows[i]!;
        const context = await browser.newContext({ ...LAPTOP, baseURL: stack.baseUrl, storageState });
        await context.addInitScript(probe, { heading: page.heading, ready: page.ready });
        await watchWrongClaims(context, role.role);
        try {
          for (const kind of ["cold", "warm"] as const) {
            const result = await visit(context, stack.url(page.path), role, page);
            if (result.contentMs !== null) row[kind].push(result.contentMs);
            if (result.error !== null) row.errors.push(`${kind} run ${run + 1}: ${result.error}`);
            for (const wrong of result.wrong)
              row.wrong.push(`${kind} run ${run + 1}: ${wrong.what} at ${wrong.atMs} ms`);
          }
        } finally {
          await context.close();
        }
      }
    }
    figures.push(...rows);
  }

  const summarise = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length === 0
      ? { runs: 0, p50: null, p95: null, max: null }
      : { runs: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1)! };
  };
  const results = figures.map((f) => {
    const cold = summarise(f.cold);
    const warm = summarise(f.warm);
    const over = [cold, warm].some((s) => s.p95 === null || s.p95 > P95_TARGET_MS);
    const ok = !over && f.wrong.length === 0 && f.errors.length === 0;
    if (!ok) failed = true;
    return {
      role: f.role,
      page: f.path,
      cold,
      warm,
      coldMs: f.cold,
      warmMs: f.warm,
      wrongClaims: f.wrong,
      errors: f.errors,
      ok,
    };
  });

  const cell = (value: number | null) => (value === null ? "—" : String(value)).padStart(6);
  console.log(
    `\n${"role".padEnd(13)} ${"page".padEnd(14)} ${"cold p50".padStart(8)} ${"p95".padStart(6)}  ${"warm p50".padStart(8)} ${"p95".padStart(6)}  wrong  result`,
  );
  for (const r of results) {
    console.log(
      `${r.role.padEnd(13)} ${r.page.padEnd(14)} ${cell(r.cold.p50).padStart(8)} ${cell(r.cold.p95)}  ${cell(r.warm.p50).padStart(8)} ${cell(r.warm.p95)}  ${String(r.wrongClaims.length).padStart(5)}  ${r.ok ? "ok" : "FAIL"}`,
    );
  }
  for (const r of results) {
    for (const line of [...r.wrongClaims, ...r.errors].slice(0, 6)) console.log(`  ${r.role} ${r.page}: ${line}`);
  }
  console.log(
    `(ms from navigation start to the main content on screen; aim p95 <= ${P95_TARGET_MS} ms, no wrong claim)`,
  );

  const out = path.join(repositoryRoot(), "bench-results/pages.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) },
        method: `Chromium ${browser.version()}, ${LAPTOP.viewport.width}x${LAPTOP.viewport.height}, next start (production build), demo world; cold: a fresh browser context with the signed-in party's cookies; warm: the same context's second visit; ms from navigation start to the first frame showing the page's heading and data with no loading placeholder; p50/p95 nearest rank over ${runs} runs`,
        targetP95Ms: P95_TARGET_MS,
        pages: results,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`Wrote ${path.relative(process.cwd(), out)}`);
} catch (error) {
  console.error(`bench:pages failed: ${(error as Error).stack ?? error}`);
  failed = true;
} finally {
  await browser.close().catch(() => {});
  await stack.stop();
}
process.exit(failed ? 1 : 0);
