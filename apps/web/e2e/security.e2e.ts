/**
 * The pages under their Content-Security-Policy, in Chromium against `next start`: every main page
 * renders and hydrates with no CSP violation (Next's scripts carry the per-request nonce), the
 * dashboard's wallet dialog opens and reads the chain from the browser (connect-src), the label
 * sheet shows its barcodes (data: images), the scanner compiles zxing's WebAssembly
 * ('wasm-unsafe-eval'), and an injected inline script without the nonce is refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { LAPTOP, launchBrowser, newContext } from "./support/browser.ts";
import { packPath, PATIENT_WORLD_START, seedPatientWorld, type PatientWorld } from "./support/patient-world.ts";
import { signInBrowser, startStack, type Stack } from "./support/stack.ts";
import { writeY4m } from "./support/y4m.ts";

let stack: Stack<PatientWorld>;
let browser: Browser;
let videoDir: string;

before(async () => {
  stack = await startStack(seedPatientWorld, { initialDate: PATIENT_WORLD_START.toISOString() });
  videoDir = mkdtempSync(path.join(os.tmpdir(), "pedigree-csp-"));
  // A plain grey camera picture: enough for the scanner to start (and load its wasm), nothing to read.
  const video = path.join(videoDir, "grey.y4m");
  writeY4m(video, { width: 320, height: 240, data: new Uint8Array(320 * 240 * 4).fill(128) }, 2);
  browser = await launchBrowser({ fakeCameraVideo: video });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  if (videoDir) rmSync(videoDir, { recursive: true, force: true });
});

/** Opens a page, collecting CSP violations as the browser reports them (console and the DOM event). */
async function watchedPage() {
  const { context, offsiteRequests } = await newContext(browser, stack.baseUrl, LAPTOP, { permissions: ["camera"] }, [
    stack.chain.rpcUrl,
  ]);
  const page = await context.newPage();
  const violations: string[] = [];
  const errors: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.exposeFunction("__reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportCspViolation(text: string): void }).__reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  return { page, context, violations, errors, offsiteRequests };
}

async function expectHydrated(page: Page): Promise<void> {
  // Next's router is only there once its nonce-carrying scripts ran.
  await page.waitForFunction(() => "next" in window && document.readyState === "complete", null, { timeout: 30_000 });
}

describe("pages under the Content-Security-Policy", () => {
  it("every main page renders and hydrates with no CSP violation, and each response carries the headers", async () => {
    const { main } = stack.fixtures;
    const pages = [
      "/",
      "/verify",
      `/verify?code=${encodeURIComponent(`(01)${main.gtin}(21)${main.manifest.serials[0]}`)}`,
      packPath(main, 0),
      `/labels/${main.gtin}/${encodeURIComponent(main.lot)}?from=0&count=4`,
      "/manufacturer",
      "/counter",
      "/auditor",
    ];
    const { page, context, violations, errors, offsiteRequests } = await watchedPage();
    // The label sheet lists serials: only the batch's manufacturer, signed in, sees it.
    await signInBrowser(context, stack.baseUrl, stack.world.parties.acme.account);
    try {
      const nonces = new Set<string>();
      for (const target of pages) {
        const response = await page.goto(target);
        assert.ok(response !== null && response.status() < 400, `${target} answered ${response?.status()}`);
        const headers = response.headers();
        const policy = headers["content-security-policy"] ?? "";
        assert.match(policy, /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/, `${target}: ${policy}`);
        assert.match(policy, /frame-ancestors 'none'/);
        assert.equal(headers["x-content-type-options"], "nosniff");
        assert.equal(headers["referrer-policy"], "no-referrer");
        nonces.add(/'nonce-([^']+)'/.exec(policy)?.[1] ?? "");
        await expectHydrated(page);
        // Every script Next rendered carries this response's nonce.
        const scripts = await page.$$eval("script", (nodes) => nodes.map((node) => node.nonce ?? ""));
        assert.ok(scripts.length > 0);
        const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
        assert.ok(
          scripts.every((value) => value === nonce),
          `${target}: scripts without this response's nonce`,
        );
        assert.deepEqual(violations, [], `${target}: CSP violations`);
      }
      assert.equal(nonces.size, pages.length, "a fresh nonce per response");
      const barcodes = page; // the label page was visited above; check its images drew.
      await barcodes.goto(`/labels/${main.gtin}/${encodeURIComponent(main.lot)}?from=0&count=2`);
      await page.getByTestId("pack-label").first().waitFor();
      assert.deepEqual(violations, []);
      assert.deepEqual(errors, []);
      assert.deepEqual(offsiteRequests, []);
    } finally {
      await context.close();
    }
  });

  it("hands the label sheet, and so the serial list, to nobody but the batch's manufacturer signed in", async () => {
    const { main } = stack.fixtures;
    const sheet = `/labels/${main.gtin}/${encodeURIComponent(main.lot)}?from=0&count=240`;
    const serials = main.manifest.serials.slice(0, 20);
    const leaked = (html: string) => serials.filter((serial) => html.includes(serial));

    const anonymous = await fetch(stack.url(sheet));
    const anonymousHtml = await anonymous.text();
    assert.deepEqual(leaked(anonymousHtml), [], "an anonymous request gets no serial");
    assert.match(anonymousHtml, /printed by the batch(&#x27;|')s manufacturer only/);

    for (const [who, account, expected] of [
      [
        "another manufacturer",
        stack.world.parties.borealis.account,
        /Only the manufacturer that registered this batch/,
      ],
      ["a pharmacy", stack.world.parties.central.account, /needs the role MANUFACTURER/],
    ] as const) {
      const { context } = await newContext(browser, stack.baseUrl, LAPTOP);
      try {
        await signInBrowser(context, stack.baseUrl, account);
        const page = await context.newPage();
        await page.goto(sheet);
        const error = await page.getByTestId("labels-error").innerText();
        assert.match(error, expected, who);
        assert.deepEqual(leaked(await page.content()), [], `${who} gets no serial`);
        assert.equal(await page.getByTestId("pack-label").count(), 0, who);
      } finally {
        await context.close();
      }
    }
  });

  it("the wallet dialog opens and reads the demo accounts' roles from the chain (connect-src)", async () => {
    const { page, context, violations } = await watchedPage();
    try {
      await page.goto("/counter");
      await expectHydrated(page);
      await page.getByTestId("connect-button").first().click();
      await page.locator('[data-testid="demo-account-1"][data-role="MANUFACTURER"]').waitFor({ timeout: 20_000 });
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });

  it("the scanner loads and compiles zxing's WebAssembly from this server", async () => {
    const { page, context, violations } = await watchedPage();
    try {
      await page.goto("/verify");
      await expectHydrated(page);
      const wasm = page.waitForResponse((response) => response.url().includes("/zxing_reader.wasm"), {
        timeout: 30_000,
      });
      await page.getByRole("button", { name: "Scan with the camera" }).click();
      assert.equal((await wasm).status(), 200);
      // Compilation happens after the download: give the reader a moment to instantiate, then look.
      await page.waitForTimeout(1_500);
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });

  it("refuses inline script that lacks the nonce: event handler attributes and javascript: URLs", async () => {
    const { page, context, violations } = await watchedPage();
    try {
      await page.goto("/verify");
      await expectHydrated(page);
      // What an injected fragment of HTML would carry. (Scripts created by running scripts are
      // trusted under 'strict-dynamic' by design; markup-borne script is what the nonce shuts out.)
      const ran = await page.evaluate(async () => {
        const marker = window as unknown as { __injected?: string };
        const image = document.createElement("img");
        image.setAttribute("onerror", "window.__injected = 'onerror'");
        image.src = "data:image/png;base64,AAAA";
        document.body.append(image);
        const link = document.createElement("a");
        link.href = "javascript:window.__injected = 'href'";
        document.body.append(link);
        link.click();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return marker.__injected ?? null;
      });
      assert.equal(ran, null);
      assert.ok(
        violations.some((text) => /script-src/.test(text)),
        violations.join("\n"),
      );
    } finally {
      await context.close();
    }
  });
});
