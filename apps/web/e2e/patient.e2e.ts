/**
 * The patient's check in a phone-sized browser (390x844): every verdict through the GS1 Digital
 * Link route a printed QR code opens, the /verify page's field, the camera refused, a label the
 * app printed read by the scanner from a fake camera video, and "unavailable" once the chain is
 * gone. Each main page is checked with axe and photographed into test-results/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { expectAccessible, LAPTOP, launchBrowser, newContext, PHONE, screenshot } from "./support/browser.ts";
import { packPath, PATIENT_WORLD_START, seedPatientWorld, type PatientWorld } from "./support/patient-world.ts";
import { signInBrowser, startStack, type Stack } from "./support/stack.ts";
import { cameraFrameOfLabel, writeY4m } from "./support/y4m.ts";

let stack: Stack<PatientWorld>;
let browser: Browser;

before(async () => {
  stack = await startStack(seedPatientWorld, { initialDate: PATIENT_WORLD_START.toISOString() });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function phonePage(options: { javaScriptEnabled?: boolean } = {}) {
  const { context, offsiteRequests } = await newContext(browser, stack.baseUrl, PHONE, options);
  const page = await context.newPage();
  return { page, context, offsiteRequests };
}

async function expectVerdict(page: Page, verdict: string) {
  const card = page.getByTestId("verdict");
  await card.waitFor({ timeout: 30_000 });
  assert.equal(await card.getAttribute("data-verdict"), verdict);
  // Never colour alone: an icon and words go with every verdict.
  assert.equal(await card.locator("svg[data-icon]").count(), 1);
  assert.ok((await page.getByTestId("verdict-label").innerText()).trim().length > 0);
  assert.ok((await page.getByTestId("verdict-advice").innerText()).trim().length > 10);
}

describe("patient check on a phone", () => {
  const cases: { name: string; verdict: string; path: (w: PatientWorld) => string; expect?: RegExp }[] = [
    { name: "genuine", verdict: "GENUINE", path: (w) => packPath(w.main, 0), expect: /Amoxicillin/ },
    // The public learns that and when the pack was dispensed, never by which pharmacy.
    {
      name: "dispensed",
      verdict: "DISPENSED",
      path: (w) => packPath(w.main, 1),
      expect: /^(?![\s\S]*Central Pharmacy)[\s\S]*Dispensed/,
    },
    { name: "recalled", verdict: "RECALLED", path: (w) => packPath(w.recalled, 0), expect: /Particles found/ },
    { name: "expired", verdict: "EXPIRED", path: (w) => packPath(w.expired, 0) },
    {
      name: "unknown-serial",
      verdict: "UNKNOWN_SERIAL",
      path: (w) => packPath(w.main, 0, { serial: "NOTAREALSERIAL9" }),
    },
    {
      name: "invalid-code",
      verdict: "INVALID_CODE",
      // The GTIN's check digit is wrong: a misprint or a made-up code.
      path: (w) => `/01/${w.main.gtin.slice(0, 13)}${(Number(w.main.gtin[13]) + 1) % 10}/21/X1`,
      expect: /check digit/i,
    },
  ];

  for (const c of cases) {
    it(`shows "${c.verdict}" for the ${c.name} pack's Digital Link, accessibly`, async () => {
      const { page, context, offsiteRequests } = await phonePage();
      try {
        await page.goto(c.path(stack.fixtures));
        await expectVerdict(page, c.verdict);
        if (c.expect) assert.match(await page.getByTestId("verdict").innerText(), c.expect);
        await screenshot(page, `patient-${c.name}-phone`);
        await expectAccessible(page, `The ${c.name} verdict page`);
        assert.deepEqual(offsiteRequests, []);
      } finally {
        await context.close();
      }
    });
  }

  it("shows the verdict without JavaScript (a phone camera opening the printed link)", async () => {
    const { page, context } = await phonePage({ javaScriptEnabled: false });
    try {
      await page.goto(packPath(stack.fixtures.main, 0));
      await expectVerdict(page, "GENUINE");
      // The field still works: the form falls back to a plain GET of /verify?code=.
      await page
        .getByLabel("Code on the pack", { exact: true })
        .fill(`${stack.baseUrl}${packPath(stack.fixtures.recalled, 1)}`);
      await page.getByRole("button", { name: "Check", exact: true }).click();
      await expectVerdict(page, "RECALLED");
    } finally {
      await context.close();
    }
  });

  it("checks a code typed into /verify, and says clearly when the camera is refused", async () => {
    const { page, context, offsiteRequests } = await phonePage();
    try {
      await page.goto("/verify");
      await page.getByRole("heading", { name: "Check your medicine" }).waitFor();
      await screenshot(page, "patient-verify-phone");
      await expectAccessible(page, "The /verify page");

      await page.getByRole("button", { name: "Scan with the camera" }).click();
      const cameraError = page.getByTestId("camera-error");
      await cameraError.waitFor();
      assert.match(await cameraError.innerText(), /camera/i);

      // A mistyped code is refused in the page, with the parser's reason.
      await page.getByLabel("Code on the pack", { exact: true }).fill("(01)12345");
      await page.getByRole("button", { name: "Check", exact: true }).click();
      assert.match(await page.getByTestId("scanner-error").innerText(), /not a readable pack code/i);

      const main = stack.fixtures.main;
      const hri = `(01)${main.gtin}(17)${String(main.expiry).slice(2)}(10)${main.lot}(21)${main.manifest.serials[0]}`;
      await page.getByLabel("Code on the pack", { exact: true }).fill(hri);
      await page.getByRole("button", { name: "Check", exact: true }).click();
      await page.waitForURL(/\/verify\?code=/);
      await expectVerdict(page, "GENUINE");
      await screenshot(page, "patient-verify-result-phone");
      assert.deepEqual(offsiteRequests, []);
    } finally {
      await context.close();
    }
  });
});

describe("labels and the camera scanner", () => {
  let videoDir: string;
  before(() => {
    videoDir = mkdtempSync(path.join(os.tmpdir(), "pedigree-camera-"));
  });
  after(() => rmSync(videoDir, { recursive: true, force: true }));

  it("prints a sheet of DataMatrix and Digital Link QR labels, and the fake camera reads one back", async () => {
    const main = stack.fixtures.main;
    const { context, offsiteRequests } = await newContext(browser, stack.baseUrl, LAPTOP);
    const video = path.join(videoDir, "label.y4m");
    await signInBrowser(context, stack.baseUrl, stack.world.parties.acme.account);
    try {
      const page = await context.newPage();
      await page.goto(`/labels/${main.gtin}/${encodeURIComponent(main.lot)}?from=0&count=6`);
      const labels = page.getByTestId("pack-label");
      await labels.first().waitFor();
      assert.equal(await labels.count(), 6);
      assert.equal(await labels.first().getAttribute("data-serial"), main.manifest.serials[0]);
      const hri = await labels.first().getByTestId("label-hri").innerText();
      assert.match(
        hri.replace(/\s+/g, ""),
        new RegExp(`^\\(01\\)${main.gtin}\\(17\\)\\d{6}\\(10\\)${main.lot}\\(21\\)`),
      );
      const qrHref = await labels.first().getByTestId("label-qr").getAttribute("href");
      assert.equal(qrHref, `${stack.baseUrl}${packPath(main, 0)}`);
      await screenshot(page, "labels-laptop");
      await expectAccessible(page, "The label sheet");
      writeY4m(
        video,
        await cameraFrameOfLabel(page, '[data-testid="pack-label"]:first-child [data-testid="label-datamatrix"]'),
      );
      assert.deepEqual(offsiteRequests, []);
    } finally {
      await context.close();
    }

    const cameraBrowser = await launchBrowser({ fakeCameraVideo: video });
    try {
      const { context: phone, offsiteRequests: offsite } = await newContext(cameraBrowser, stack.baseUrl, PHONE, {
        permissions: ["camera"],
      });
      const page = await phone.newPage();
      await page.goto("/verify");
      await page.getByRole("button", { name: "Scan with the camera" }).click();
      await page.waitForURL(/\/verify\?code=/, { timeout: 30_000 });
      const code = new URL(page.url()).searchParams.get("code") ?? "";
      assert.ok(code.startsWith("]d2"), `the camera should read GS1 DataMatrix scan data, got ${JSON.stringify(code)}`);
      await expectVerdict(page, "GENUINE");
      await screenshot(page, "patient-camera-result-phone");
      assert.deepEqual(offsite, []);
    } finally {
      await cameraBrowser.close();
    }
  });
});

describe("when the chain cannot be read", () => {
  it("says the check is unavailable, never that the pack is fake", async () => {
    await stack.stopChain();
    const { page, context } = await phonePage();
    try {
      // For PEDIGREE_MAX_LAG (15 s) after the indexer last reached the chain, the read model still
      // answers a public check with the pack's state at its block; then nothing can, and the page
      // must say so. Every answer on the way is the pack's true one.
      const deadline = Date.now() + 60_000;
      for (;;) {
        await page.goto(packPath(stack.fixtures.main, 0));
        const card = page.getByTestId("verdict");
        await card.waitFor({ timeout: 30_000 });
        const shown = await card.getAttribute("data-verdict");
        if (shown === "UNAVAILABLE") break;
        assert.equal(shown, "GENUINE", "while the read model is current it gives the pack's state");
        assert.ok(Date.now() < deadline, "the check became unavailable once the read model was too old");
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      await expectVerdict(page, "UNAVAILABLE");
      assert.doesNotMatch(await page.getByTestId("verdict").innerText(), /fake|counterfeit|falsif/i);
      await screenshot(page, "patient-unavailable-phone");
      await expectAccessible(page, "The unavailable page");
    } finally {
      await context.close();
    }
  });
});
