/**
 * Debian's chromium driven by playwright-core (no browser download), phone and laptop
 * viewports, an axe accessibility check, and screenshots a reviewer can open
 * (apps/web/test-results/screenshots/, git-ignored).
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { WEB_DIR } from "./stack.ts";

export const CHROMIUM_PATH = process.env.PEDIGREE_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOT_DIR = path.join(WEB_DIR, "test-results/screenshots");

const BASE_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--disable-dev-shm-usage",
];

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const LAPTOP = { viewport: { width: 1280, height: 800 } };

export interface LaunchOptions {
  /** A .y4m file the browser's fake camera plays in a loop (camera permission granted). */
  fakeCameraVideo?: string;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const args = [...BASE_ARGS];
  if (options.fakeCameraVideo !== undefined) {
    args.push(
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${options.fakeCameraVideo}`,
      "--use-fake-ui-for-media-stream",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

/**
 * A browser context that refuses every request leaving the app's origin: a page that tries to
 * reach a CDN fails its test instead of quietly working online. `alsoAllowed` lists the other
 * origins the page may reach (the dashboard's wallet talks to the chain's JSON-RPC itself).
 */
export async function newContext(
  browser: Browser,
  baseUrl: string,
  device: typeof PHONE | typeof LAPTOP,
  extra: Parameters<Browser["newContext"]>[0] = {},
  alsoAllowed: readonly string[] = [],
): Promise<{ context: BrowserContext; offsiteRequests: string[] }> {
  const context = await browser.newContext({ ...device, baseURL: baseUrl, ...extra });
  const offsiteRequests: string[] = [];
  const origins = [baseUrl, ...alsoAllowed].map((url) => new URL(url).origin);
  await context.route("**/*", (route) => {
    const url = route.request().url();
    const allowed = origins.some((origin) => url === origin || url.startsWith(`${origin}/`));
    if (allowed || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    offsiteRequests.push(url);
    return route.abort("blockedbyclient");
  });
  return { context, offsiteRequests };
}

/** Fails with the list of violations (rule, impact, where) when axe finds any. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const violations = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`,
  );
  assert.deepEqual(violations, [], `${what} has accessibility violations:\n${violations.join("\n")}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Clicks `trigger` until `shown` appears. A page the server rendered shows its buttons before
 * React has hydrated them, and a click in that moment does nothing; on a loaded machine that
 * moment lasts seconds. Clicking again is what a person does too.
 */
export async function clickUntilShown(trigger: Locator, shown: Locator, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    await trigger.click({ timeout: Math.max(1, deadline - Date.now()) });
    try {
      await shown.waitFor({ timeout: Math.min(2_000, Math.max(1, deadline - Date.now())) });
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
  }
}
