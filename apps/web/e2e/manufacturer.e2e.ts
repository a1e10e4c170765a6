/**
 * The manufacturer's batch form and labels, the dialogs' keyboard focus, and the home page, in the
 * browser on a local chain:
 *
 * - the batch form chooses no product for the user and says what is missing; a lot registered
 *   twice is named, with its product and GTIN, never by its hash;
 * - a label sheet is exactly one printed page on every paper offered (Chromium's own print to
 *   PDF, page count and page size), the whole batch is one PDF download (1,500 labels, 63 A4
 *   pages) whose codes read back as the sheet's, the PDF keeps the sheet's access rule, and the
 *   label pages lead back to the batch and the dashboard;
 * - every dialog gives focus back to the control that opened it: on Escape, on Close, and once
 *   its action is done;
 * - the home page says what each person does there, and signing in is signing in.
 *
 * Screenshots (pages, print previews and PDF pages as Chromium's viewer shows them) go to
 * test-results/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { toDigitalLink, toHri } from "@pedigree/gs1";
import { signInAs } from "../test/support/signIn.ts";
import type { WorldBatch, WorldParty, WorldProduct, WorldShipment } from "../test/support/world.ts";
import { expectAccessible, LAPTOP, launchBrowser, newContext, screenshot, SCREENSHOT_DIR } from "./support/browser.ts";
import { confirmedBlock, connectAs, lookAt, selectOptionContaining, waitForIndexed } from "./support/roles-world.ts";
import { signInBrowser, startStack, type Stack } from "./support/stack.ts";

interface ManufacturerWorld {
  product: WorldProduct;
  /** 48 packs: two A4 sheets, three Letter sheets, 48 roll labels. */
  small: WorldBatch;
  /** 1,500 packs: the batch that once took 63 clicks to print. */
  large: WorldBatch;
  /** Recalled through its dialog. */
  recallable: WorldBatch;
  /** Pending at Northwind, rejected through its dialog. */
  shipment: WorldShipment;
  acme: WorldParty;
  borealis: WorldParty;
  central: WorldParty;
}

const MM_TO_PT = 72 / 25.4;
/** Paper sizes in millimetres and labels per page, as the labels page offers them. */
const PAPERS = {
  a4: { width: 210, height: 297, perPage: 24 },
  letter: { width: 215.9, height: 279.4, perPage: 21 },
  roll: { width: 70, height: 40, perPage: 1 },
} as const;

let stack: Stack<ManufacturerWorld>;
let browser: Browser;
let scratch: string;
const contexts: BrowserContext[] = [];

before(async () => {
  stack = await startStack(async ({ world }) => {
    const { acme, borealis, central, northwind } = world.parties;
    const product = await world.registerProduct(acme, {
      name: "Metformin",
      strength: "500 mg",
      dosageForm: "film-coated tablets",
    });
    const small = await world.registerBatch(acme, product, { lot: "MET-48", packs: 48 });
    const large = await world.registerBatch(acme, product, { lot: "MET-1500", packs: 1_500 });
    const recallable = await world.registerBatch(acme, product, { lot: "MET-RECALL", packs: 4 });
    const shipment = await world.ship(acme, northwind, [{ batch: small, quantity: 5 }], "ASN-REJECT-1");
    return { product, small, large, recallable, shipment, acme, borealis, central };
  });
  browser = await launchBrowser();
  scratch = mkdtempSync(path.join(os.tmpdir(), "pedigree-manufacturer-e2e-"));
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve("zxing-wasm/reader/zxing_reader.wasm"));
  prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
  });
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await stack?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function laptopPage(): Promise<Page> {
  const { context } = await newContext(browser, stack.baseUrl, LAPTOP, {}, [stack.chain.rpcUrl]);
  contexts.push(context);
  return context.newPage();
}

/** A laptop page whose context holds `party`'s session (signed in over HTTP). */
async function signedInPage(party: WorldParty): Promise<Page> {
  const page = await laptopPage();
  await signInBrowser(page.context(), stack.baseUrl, party.account);
  return page;
}

function labelsPath(batch: WorldBatch, query = ""): string {
  return `/labels/${batch.gtin}/${encodeURIComponent(batch.lot)}${query}`;
}

/** Page count and every page's size (points) of a PDF, read from its page objects. */
function pdfPages(bytes: Buffer): { count: number; sizes: string[] } {
  const text = bytes.toString("latin1");
  const count = (text.match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length;
  const sizes = [...text.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map(
    ([, width, height]) => `${Math.round(Number(width))}x${Math.round(Number(height))}`,
  );
  return { count, sizes };
}

function paperSize(paper: keyof typeof PAPERS): string {
  const { width, height } = PAPERS[paper];
  return `${Math.round(width * MM_TO_PT)}x${Math.round(height * MM_TO_PT)}`;
}

/**
 * Shows a PDF in Chromium's own viewer, which draws it as a printer would: a screenshot of its
 * first page whole (for people), then the codes read off that page zoomed in (for the test).
 */
async function viewPdf(bytes: Buffer, name: string): Promise<string[]> {
  const file = path.join(scratch, `${name}.pdf`);
  writeFileSync(file, bytes);
  const context = await browser.newContext(LAPTOP);
  try {
    const whole = await context.newPage();
    // Tall enough for the viewer's fit-to-width to show the whole first page.
    await whole.setViewportSize({ width: LAPTOP.viewport.width, height: 1_900 });
    await whole.goto(`${pathToFileURL(file).href}#page=1`);
    const zoomed = await context.newPage();
    await zoomed.goto(`${pathToFileURL(file).href}#page=1&zoom=300`);
    // The viewer draws its pages after the load event: wait until the codes can be read.
    const deadline = Date.now() + 20_000;
    let texts: string[] = [];
    while (texts.length === 0 && Date.now() < deadline) {
      await zoomed.waitForTimeout(500);
      const found = await readBarcodes(new Uint8Array(await zoomed.screenshot()), {
        formats: ["QRCode", "DataMatrix"],
        maxNumberOfSymbols: 64,
      });
      texts = found.filter((result) => result.isValid).map((result) => result.text);
    }
    // For people only: the whole page has had as long as the zoomed one to be drawn, and a moment more.
    await whole.waitForTimeout(1_000);
    await whole.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
    return texts;
  } finally {
    await context.close();
  }
}

/** The first pack of `batch` as its label encodes it: its Digital Link on this server, and the DataMatrix's text. */
function firstPackCodes(batch: WorldBatch): string[] {
  const expiry = String(batch.expiry);
  const pack = {
    gtin: batch.gtin,
    lot: batch.lot,
    serial: batch.manifest.serials[0]!,
    expiry: { raw: expiry.slice(2), date: `${expiry.slice(0, 4)}-${expiry.slice(4, 6)}-${expiry.slice(6)}` },
  };
  return [toDigitalLink(pack, stack.baseUrl), toHri(pack)];
}

function assertCodesOf(batch: WorldBatch, texts: readonly string[], what: string): void {
  for (const code of firstPackCodes(batch))
    assert.ok(texts.includes(code), `${what}: ${code} is not in ${JSON.stringify(texts)}`);
}

/** Waits until `locator`'s element has the keyboard focus; fails naming what has it instead. */
async function expectFocused(locator: Locator, what: string): Promise<void> {
  const page = locator.page();
  const element = await locator.elementHandle();
  assert.ok(element, `${what}: the control is not on the page`);
  try {
    await page.waitForFunction((el) => document.activeElement === el, element, { timeout: 5_000 });
  } catch {
    const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200) ?? "nothing");
    assert.fail(`${what}: focus is on ${focused}`);
  }
}

/** Records which elements get the focus from now on (their test id or text), to see where focus went and when. */
async function watchFocus(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { focusSeen: string[] }).focusSeen = seen;
    document.addEventListener("focusin", (event) => {
      const target = event.target as HTMLElement;
      seen.push(target.dataset.testid ?? target.textContent?.trim() ?? target.tagName);
    });
  });
  return () => page.evaluate(() => (window as unknown as { focusSeen: string[] }).focusSeen);
}

describe("the manufacturer's batch form", () => {
  it("chooses no product for the user, says what is missing, and names a lot registered twice", async () => {
    const { small, product } = stack.fixtures;
    const page = await laptopPage();
    await connectAs(page, 1, "MANUFACTURER");
    await page.waitForURL(/\/manufacturer$/);
    const form = page.getByRole("form", { name: "Register a batch" });
    await form.getByLabel("Product").locator("option", { hasText: product.gtin }).waitFor({ state: "attached" });
    assert.equal(await form.getByLabel("Product").inputValue(), "", "no product is chosen before the user chooses one");

    await form.getByLabel("Lot").fill(small.lot);
    await form.getByLabel("Expiry date").fill("2031-06-30");
    await form.getByLabel("Pack count").fill("5");
    await form.getByRole("button", { name: "Register the batch" }).click();
    const missing = form.getByTestId("batch-missing");
    await missing.waitFor();
    assert.match(await missing.innerText(), /Product: Choose a product/);
    assert.equal(await form.getByTestId("tx-status").count(), 0, "nothing is sent while a product is missing");
    await lookAt(page, "manufacturer-form-missing", "The batch form saying what is missing");

    await selectOptionContaining(form.getByLabel("Product"), product.gtin);
    assert.equal(await missing.count(), 0, "the summary goes once nothing is missing");
    await form.getByRole("button", { name: "Register the batch" }).click();
    const refusal = form.getByTestId("tx-status").locator("[data-phase=failed]");
    await refusal.waitFor({ timeout: 60_000 });
    const words = await refusal.innerText();
    assert.match(
      words,
      new RegExp(`^Batch ${small.lot} of Metformin 500 mg \\(GTIN ${product.gtin}\\) is already registered`),
    );
    assert.doesNotMatch(words, /0x[0-9a-f]{4}/i, "the lot is named, not its hash");
    await lookAt(page, "manufacturer-form-duplicate", "The batch form refusing a duplicate lot");
  });
});

describe("pack labels", () => {
  it("prints each sheet on exactly one page of its paper: A4, Letter and a label roll", async () => {
    const { small } = stack.fixtures;
    const page = await signedInPage(stack.fixtures.acme);
    for (const paper of Object.keys(PAPERS) as (keyof typeof PAPERS)[]) {
      await page.goto(labelsPath(small, `?paper=${paper}&count=48`));
      await page.getByTestId("pack-label").first().waitFor();
      assert.equal(await page.getByTestId("pack-label").count(), 48);
      const expected = Math.ceil(48 / PAPERS[paper].perPage);
      assert.equal(await page.getByTestId("label-page").count(), expected, `${paper}: sheets on screen`);
      await screenshot(page, `labels-${paper}-laptop`);
      if (paper === "a4") await expectAccessible(page, "The label sheet");

      const printed = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      const { count, sizes } = pdfPages(printed);
      assert.equal(
        count,
        expected,
        `${paper}: 48 labels on ${PAPERS[paper].perPage} a page print on ${expected} pages`,
      );
      assert.deepEqual(new Set(sizes), new Set([paperSize(paper)]), `${paper}: every printed page is the paper`);
      assertCodesOf(small, await viewPdf(printed, `labels-${paper}-print-preview`), `${paper} print`);
    }
  });

  it("prints a whole 1,500-pack batch in one action: one PDF, 63 A4 pages, codes as on the sheet", async () => {
    const { large } = stack.fixtures;
    const page = await signedInPage(stack.fixtures.acme);
    await page.goto(labelsPath(large));
    const pdf = page.getByTestId("labels-pdf");
    assert.match(await pdf.innerText(), /One PDF of 1,500 labels, 63 A4 pages/);
    await screenshot(page, "labels-large-batch-laptop");
    const started = Date.now();
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 120_000 }),
      pdf.getByRole("link", { name: "Download 1,500 labels as one PDF" }).click(),
    ]);
    const bytes = readFileSync(await download.path());
    process.stderr.write(`# 1,500-label PDF: ${bytes.length} bytes in ${Date.now() - started} ms\n`);
    assert.equal(download.suggestedFilename(), `labels-${large.gtin}-MET-1500-1-to-1500-a4.pdf`);
    const { count, sizes } = pdfPages(bytes);
    assert.equal(count, 63);
    assert.deepEqual(new Set(sizes), new Set([paperSize("a4")]));

    // The first label's codes, read off the PDF as displayed, are the sheet's.
    assertCodesOf(large, await viewPdf(bytes, "labels-large-batch-pdf-page-1"), "the PDF");
  });

  it("makes the PDF for every paper, for the batch's manufacturer only, as the sheet", async () => {
    const { small, acme, borealis, central } = stack.fixtures;
    const pdfUrl = (paper: string) =>
      stack.url(`/api/batches/${small.gtin}/${encodeURIComponent(small.lot)}/labels?paper=${paper}`);
    const token = async (party: WorldParty) => {
      const attempt = await signInAs(stack.baseUrl, party.account);
      assert.equal(attempt.status, 200);
      return { authorization: `Bearer ${attempt.body.token}` };
    };
    const anonymous = await fetch(pdfUrl("a4"));
    assert.equal(anonymous.status, 401);
    for (const [party, code] of [
      [borealis, "NOT_THE_MANUFACTURER"],
      [central, "WRONG_ROLE"],
    ] as const) {
      const refused = await fetch(pdfUrl("a4"), { headers: await token(party) });
      assert.equal(refused.status, 403, party.legalName);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, code);
    }
    const headers = await token(acme);
    for (const paper of Object.keys(PAPERS) as (keyof typeof PAPERS)[]) {
      const answer = await fetch(pdfUrl(paper), { headers });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("content-type"), "application/pdf");
      const { count, sizes } = pdfPages(Buffer.from(await answer.arrayBuffer()));
      assert.equal(count, Math.ceil(48 / PAPERS[paper].perPage), paper);
      assert.deepEqual(new Set(sizes), new Set([paperSize(paper)]), paper);
    }
  });

  it("leads back to the batch and the dashboard, from the sheet and from a refusal", async () => {
    const { small } = stack.fixtures;
    const page = await signedInPage(stack.fixtures.acme);
    await page.goto(labelsPath(small));
    const back = page.getByRole("navigation", { name: "Back" });
    assert.equal(
      await back.getByRole("link", { name: "The manufacturer's page" }).getAttribute("href"),
      "/manufacturer",
    );
    await back.getByRole("link", { name: "← Back to the batch" }).click();
    await page.waitForURL(new RegExp(`/auditor/batches/${small.gtin}/${small.lot}$`));

    const other = await signedInPage(stack.fixtures.borealis);
    await other.goto(labelsPath(small));
    await other.getByTestId("labels-error").waitFor();
    await other.getByRole("navigation", { name: "Back" }).getByRole("link", { name: "← Back to the batch" }).waitFor();
  });
});

describe("dialogs give the focus back to the control that opened them", () => {
  it("the sign-in dialog, from the home page and from the header", async () => {
    const page = await laptopPage();
    await page.goto("/");
    const opener = page.getByTestId("home-sign-in");
    const dialog = page.getByRole("dialog", { name: "Sign in" });
    // Escape.
    await opener.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expectFocused(opener, "after Escape");
    // The Close button.
    await page.keyboard.press("Enter");
    await dialog.getByRole("button", { name: "Close" }).focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await expectFocused(opener, "after Close");
    // Signed in: the opener is gone, and the header's account button stands for it.
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="demo-account-1"][data-role="MANUFACTURER"]').waitFor({ timeout: 15_000 });
    await dialog.getByTestId("demo-account-1").focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/manufacturer$/);
    const account = page.getByRole("button", { name: "Switch account" });
    await expectFocused(account, "after signing in");
    // The header's own opener.
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await expectFocused(account, "after Escape from the header's dialog");
  });

  it("the recall dialog, on Escape and once the recall is sent", async () => {
    const { recallable } = stack.fixtures;
    const page = await laptopPage();
    await connectAs(page, 1, "MANUFACTURER");
    await page.goto(`/auditor/batches/${recallable.gtin}/${recallable.lot}`);
    const opener = page.getByTestId("recall-button");
    await opener.waitFor({ timeout: 20_000 });
    const dialog = page.getByRole("dialog");
    await opener.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await expectFocused(opener, "after Escape");

    await page.keyboard.press("Enter");
    await dialog.getByLabel("Reason").fill("Label misprint");
    const focusSeen = await watchFocus(page);
    await dialog.getByLabel("Reason").press("Enter");
    await dialog.waitFor({ state: "detached" });
    await waitForIndexed(stack.baseUrl, await confirmedBlock(page));
    assert.deepEqual(
      await focusSeen(),
      ["recall-button"],
      "focus went back to the recall button when the dialog closed",
    );
  });

  it("the reject-shipment dialog, on Close and once the rejection is sent", async () => {
    const { shipment } = stack.fixtures;
    const page = await laptopPage();
    await connectAs(page, 2, "DISTRIBUTOR");
    await page.goto("/stock");
    const card = page
      .getByTestId("incoming-shipments")
      .locator("li[data-shipment-id]", { hasText: `ref. ${shipment.ref}` });
    const opener = card.getByRole("button", { name: "Reject…" });
    await opener.waitFor({ timeout: 20_000 });
    const dialog = page.getByRole("dialog", { name: "Reject the shipment" });
    await opener.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Close" }).focus();
    await page.keyboard.press("Enter");
    await expectFocused(opener, "after Close");

    await page.keyboard.press("Enter");
    await dialog.getByLabel("Reason").fill("Damaged in transit");
    const focusSeen = await watchFocus(page);
    await dialog.getByLabel("Reason").press("Enter");
    await dialog.waitFor({ state: "detached" });
    await waitForIndexed(stack.baseUrl, await confirmedBlock(card));
    assert.deepEqual(await focusSeen(), ["Reject…"], "focus went back to the reject button when the dialog closed");
  });
});

describe("the home page", () => {
  it("says what each person does there, and signing in is for the staff of participants", async () => {
    const page = await laptopPage();
    await page.goto("/");
    const main = page.locator("main");
    await main.getByRole("link", { name: "Check a pack" }).waitFor();
    const text = await main.innerText();
    assert.doesNotMatch(text, /wallet|connect/i, "no wallet words on the front door");
    assert.match(text, /No account and no sign-in/);
    const roles = await page.getByTestId("who-does-what").innerText();
    for (const who of [
      /Pharmacists\s+Check each pack at the counter[^\n]*dispensed/,
      /Manufacturers\s+Register batches/,
      /Wholesalers\s+Record the shipments/,
      /Regulators\s+Follow the alerts[^\n]*audit/,
    ]) {
      assert.match(roles, who);
    }
    assert.match(text, /Staff of a participant organisation sign in/);
    await lookAt(page, "home", "The home page");

    await page.getByTestId("home-sign-in").click();
    const dialog = page.getByRole("dialog", { name: "Sign in" });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /For the staff of the organisations taking part/);
    // Wallets stay for those who want them.
    await dialog.getByRole("heading", { name: "With a browser wallet" }).waitFor();
    await page.locator('[data-testid="demo-account-1"][data-role="MANUFACTURER"]').waitFor({ timeout: 15_000 });
    await screenshot(page, "home-sign-in-dialog-laptop");
    await expectAccessible(page, "The sign-in dialog");
  });
});
