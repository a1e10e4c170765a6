/**
 * The pharmacy counter and the typed code, in the browser on a local chain (issue 17's counter
 * items): a keyboard-wedge scanner's burst replaces the last scan and a stale verdict cannot be
 * acted on; after a dispense the field has the focus and the screen shows one state; a pack the
 * pharmacy does not hold says so before any click; the text printed on packs is read, a typed
 * code that matches nothing asks to check the typing first, and no page speaks parser jargon.
 *
 * A wedge scanner is simulated as it types: the whole code within a few ms a character
 * (page.keyboard.type with a 5 ms delay), with or without Enter. Screenshots of each counter
 * state go to test-results/screenshots/counter-*.png.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import type { WorldBatch, WorldParty, WorldProduct } from "../test/support/world.ts";
import { expectAccessible, LAPTOP, launchBrowser, newContext, PHONE, screenshot } from "./support/browser.ts";
import { confirmedBlock, connectAs, waitForIndexed } from "./support/roles-world.ts";
import { startStack, type SeedContext, type Stack } from "./support/stack.ts";

interface CounterWorld {
  product: WorldProduct;
  central: WorldParty;
  /** Ten of its twenty packs are in Central Pharmacy's stock. */
  held: WorldBatch;
  /** Still all with the manufacturer: genuine, but not the pharmacy's to dispense. */
  elsewhere: WorldBatch;
}

async function seedCounterWorld({ world }: SeedContext): Promise<CounterWorld> {
  const { acme, central } = world.parties;
  const product = await world.registerProduct(acme, {
    name: "Metformin",
    strength: "500 mg",
    dosageForm: "film-coated tablets",
  });
  const held = await world.registerBatch(acme, product, { lot: "CTR1", packs: 20 });
  const elsewhere = await world.registerBatch(acme, product, { lot: "CTR2", packs: 10 });
  await world.receive(await world.ship(acme, central, [{ batch: held, quantity: 10 }]));
  return { product, central, held, elsewhere };
}

/** Central Pharmacy, world party 3. */
const CENTRAL_ACCOUNT = 3;

/** Words no pharmacist or patient should have to read. */
const JARGON = /\bAI \d|GS separator|Merkle|pack index|\bblock \d/i;

let stack: Stack<CounterWorld>;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

before(async () => {
  stack = await startStack(seedCounterWorld);
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await stack?.stop();
});

/**
 * A test whose failure leaves a screenshot of every open page (test-results/screenshots/
 * counter-FAILED-*.png), for whoever reads the failure.
 */
function test(name: string, body: () => Promise<void>): void {
  it(name, { timeout: 180_000 }, async () => {
    try {
      await body();
    } catch (error) {
      for (const [i, context] of contexts.entries()) {
        for (const [j, page] of context.pages().entries()) {
          await screenshot(page, `counter-FAILED-${i}-${j}`).catch(() => {});
        }
      }
      throw error;
    }
  });
}

function serialOf(batch: WorldBatch, index: number): string {
  const serial = batch.manifest.serials[index];
  if (serial === undefined) throw new RangeError(`Batch ${batch.lot} has no pack ${index}`);
  return serial;
}

/** What a wedge scanner types for a pack's DataMatrix: the element string, GS configured as "^". */
function scanData(batch: WorldBatch, index: number): string {
  return `]d201${batch.gtin}17${String(batch.expiry).slice(2)}10${batch.lot}^21${serialOf(batch, index)}`;
}

/** The US layout of the text printed beside the code; the expiry as YYYY-MM. */
function printedText(batch: WorldBatch, serial: string): string {
  const expiry = String(batch.expiry);
  return `GTIN ${batch.gtin} SN ${serial} LOT ${batch.lot} EXP ${expiry.slice(0, 4)}-${expiry.slice(4, 6)}`;
}

/** A keyboard-wedge scanner: the whole code within a few ms a character, then Enter or not. */
async function wedgeScan(page: Page, code: string, enter: boolean): Promise<void> {
  await page.keyboard.type(code, { delay: 5 });
  if (enter) await page.keyboard.press("Enter");
}

async function counterPage(): Promise<Page> {
  const { context } = await newContext(browser, stack.baseUrl, LAPTOP, {}, [stack.chain.rpcUrl]);
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  await connectAs(page, CENTRAL_ACCOUNT, "PHARMACY");
  await page.goto("/counter");
  await field(page).waitFor();
  // A pharmacist scans at a loaded counter. Playwright types a key only once the page took the
  // last, so a page still busy loading would pull a simulated burst apart into slow keys.
  await page.waitForLoadState("networkidle");
  return page;
}

function field(page: Page): Locator {
  return page.getByLabel("Pack code", { exact: true });
}

/** Waits until the counter shows its verdict for the pack with `serial`, and returns the check. */
async function verdictFor(page: Page, serial: string): Promise<Locator> {
  const check = page.getByTestId("pack-check");
  // The first check of a fresh server also signs the pharmacy in: give it time.
  await check.getByTestId("verdict").filter({ hasText: serial }).waitFor({ timeout: 60_000 });
  return check;
}

async function focusedTestId(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);
}

async function expectPlainWords(page: Page, what: string): Promise<void> {
  const text = await page.locator("body").innerText();
  const jargon = JARGON.exec(text);
  assert.equal(jargon, null, `${what} shows "${jargon?.[0]}": ${text}`);
}

describe("the pharmacy counter", () => {
  test("takes each scanner burst as a new scan, Enter or not, and never acts on a stale verdict", async () => {
    const { held } = stack.fixtures;
    const page = await counterPage();
    assert.equal(await focusedTestId(page), "scanner-input", "the field has the focus for the scanner");

    // A scanner that sends no Enter: the burst is checked when it stops.
    await wedgeScan(page, scanData(held, 0), false);
    let check = await verdictFor(page, serialOf(held, 0));
    await check.getByTestId("dispense-button").waitFor();
    await screenshot(page, "counter-genuine-laptop");
    await expectPlainWords(page, "The counter with a genuine pack");
    await expectAccessible(page, "The counter with a genuine pack");

    // The next pack's burst replaces the field's text instead of being appended to it.
    await wedgeScan(page, scanData(held, 1), true);
    check = await verdictFor(page, serialOf(held, 1));
    assert.equal(await field(page).inputValue(), scanData(held, 1));
    assert.equal(await page.getByTestId("scanner-error").count(), 0);
    assert.doesNotMatch(await check.innerText(), new RegExp(serialOf(held, 0)));
    await check.getByTestId("dispense-button").waitFor();

    // Editing the field takes the verdict and its Dispense button away at once.
    await field(page).press("Backspace");
    assert.equal(await page.getByTestId("pack-check").count(), 0, "the verdict of the code before the edit is gone");
    assert.equal(await page.getByTestId("dispense-button").count(), 0);

    // A verification still on its way for an older code is discarded when its answer comes.
    const slowSerial = serialOf(held, 2);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/verify?**", async (route) => {
      if (route.request().url().includes(slowSerial)) await gate;
      await route.continue();
    });
    await wedgeScan(page, scanData(held, 2), true);
    await page.getByTestId("pack-check").getByRole("status").filter({ hasText: "Checking the pack" }).waitFor();
    assert.equal(await page.getByTestId("dispense-button").count(), 0, "nothing to dispense before the verdict");
    await wedgeScan(page, scanData(held, 3), true);
    check = await verdictFor(page, serialOf(held, 3));
    const slowAnswer = page.waitForResponse((response) => response.url().includes(slowSerial));
    release();
    await slowAnswer;
    // Give the late answer the time it would need to reach the screen; it must not.
    await page.waitForTimeout(500);
    assert.equal(await page.getByTestId("pack-check").count(), 1);
    assert.match(await check.innerText(), new RegExp(serialOf(held, 3)));
    assert.doesNotMatch(await check.innerText(), new RegExp(slowSerial));
    await page.unroute("**/api/verify?**");
    assert.deepEqual(pageErrors, []);
  });

  test("gives the field the focus back after a dispense, and shows one state at a time", async () => {
    const { held } = stack.fixtures;
    const page = await counterPage();
    await wedgeScan(page, scanData(held, 4), true);
    const check = await verdictFor(page, serialOf(held, 4));
    await check.getByTestId("dispense-button").click();
    const done = page.getByTestId("pack-check");
    await waitForIndexed(stack.baseUrl, await confirmedBlock(done));
    assert.equal(await focusedTestId(page), "scanner-input", "the next scan goes into the field");
    assert.match(await done.getByTestId("tx-status").innerText(), /Dispensed and recorded/);
    // Not the green verdict from before, nor the ledger's "do not hand it out again", beside it.
    assert.equal(await page.getByTestId("verdict").count(), 0);
    assert.equal(await page.getByTestId("chain-verdict").count(), 0);
    assert.equal(await done.locator("[role=status], [role=alert]").count(), 1, "one message: the dispense's");
    await done.getByTestId("undo-dispense-button").waitFor({ timeout: 20_000 });
    await screenshot(page, "counter-dispensed-laptop");
    await expectPlainWords(page, "The counter after a dispense");
    await expectAccessible(page, "The counter after a dispense");

    // The next pack, scanned straight away, is checked.
    await wedgeScan(page, scanData(held, 5), true);
    await verdictFor(page, serialOf(held, 5));
    assert.equal(await field(page).inputValue(), scanData(held, 5));
    assert.deepEqual(pageErrors, []);
  });

  test("says a genuine pack the pharmacy does not hold is not in its stock, before any click", async () => {
    const { elsewhere } = stack.fixtures;
    const page = await counterPage();
    await wedgeScan(page, scanData(elsewhere, 0), true);
    const check = await verdictFor(page, serialOf(elsewhere, 0));
    const card = check.getByTestId("verdict");
    assert.equal(await card.getAttribute("data-presentation"), "not-in-stock");
    assert.match(await card.innerText(), /not in your stock/i);
    assert.doesNotMatch(await card.innerText(), /may be supplied/);
    assert.match(await check.getByTestId("chain-verdict").innerText(), /holds none of its batch/);
    assert.equal(await check.getByTestId("dispense-button").count(), 0);
    await screenshot(page, "counter-not-in-stock-laptop");
    await expectPlainWords(page, "The counter with a pack not in stock");
    await expectAccessible(page, "The counter with a pack not in stock");
    assert.deepEqual(pageErrors, []);
  });
});

describe("typed codes", () => {
  test("reads the text printed on packs at the counter, in the US and the EU layouts", async () => {
    const { held } = stack.fixtures;
    const page = await counterPage();
    await field(page).fill(printedText(held, serialOf(held, 6)));
    await field(page).press("Enter");
    let check = await verdictFor(page, serialOf(held, 6));
    await check.getByTestId("dispense-button").waitFor();

    // Pasted from a label over the code before, line by line: the field keeps the lines apart.
    const expiry = String(held.expiry);
    const eu = `PC ${held.gtin}\nSN ${serialOf(held, 7)}\nCh.-B. ${held.lot}\nVerw. bis ${expiry.slice(4, 6)}/${expiry.slice(0, 4)}`;
    await field(page).selectText();
    await field(page).evaluate((input, text) => {
      const data = new DataTransfer();
      data.setData("text/plain", text);
      input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, eu);
    await page.getByRole("button", { name: "Check", exact: true }).click();
    check = await verdictFor(page, serialOf(held, 7));
    await check.getByTestId("dispense-button").waitFor();
    assert.equal(await focusedTestId(page), "scanner-input", "a click on Check gives the field the focus back");
    await screenshot(page, "counter-typed-laptop");
  });

  test("asks to check a typed code that matches nothing before it alarms anyone", async () => {
    const { held } = stack.fixtures;
    const page = await counterPage();
    await field(page).fill(printedText(held, "NOSUCH99"));
    await field(page).press("Enter");
    const card = page.getByTestId("pack-check").getByTestId("verdict");
    await card.waitFor({ timeout: 30_000 });
    assert.equal(await card.getAttribute("data-verdict"), "UNKNOWN_SERIAL");
    assert.equal(await card.getAttribute("data-presentation"), "typed-check");
    const words = await card.innerText();
    assert.match(words, /Check what you typed/i);
    assert.match(words, /The code you typed matches no pack on record/);
    assert.match(words, /Compare each character with the text printed on the pack/);
    assert.doesNotMatch(words, /Pack not on record|Alert raised/i);
    assert.equal(await page.getByTestId("dispense-button").count(), 0);
    await screenshot(page, "counter-typed-unknown-laptop");
    await expectPlainWords(page, "The counter with a typed unknown serial");
    await expectAccessible(page, "The counter with a typed unknown serial");

    // The same code from a scanner is the alert it always was.
    await field(page).fill("");
    await wedgeScan(page, `01${held.gtin}17${String(held.expiry).slice(2)}10${held.lot}^21NOSUCH99`, true);
    const scanned = page.getByTestId("pack-check").getByTestId("verdict");
    await scanned.waitFor({ timeout: 30_000 });
    assert.equal(await scanned.getAttribute("data-presentation"), null);
    assert.match(await scanned.innerText(), /Pack not on record/i);
  });

  test("offers the capitals reading of a lowercase serial at the counter", async () => {
    const { held } = stack.fixtures;
    const page = await counterPage();
    const serial = serialOf(held, 8);
    await field(page).fill(printedText(held, serial.toLowerCase()));
    await field(page).press("Enter");
    const card = page.getByTestId("pack-check").getByTestId("verdict");
    await card.getByTestId("verdict-uppercase").waitFor({ timeout: 30_000 });
    assert.match(await card.innerText(), /printed in capital letters, and the case matters/);
    await card.getByTestId("check-uppercase").click();
    const check = await verdictFor(page, serial);
    await check.getByTestId("dispense-button").waitFor();
    assert.match(await field(page).inputValue(), new RegExp(`\\(21\\)${serial}$`));
    assert.equal(await focusedTestId(page), "scanner-input");
  });

  test("explains refused typed codes in plain words: a wrong check digit, an NDC alone, a stray word", async () => {
    const { held } = stack.fixtures;
    const page = await counterPage();
    const error = page.getByTestId("scanner-error");
    const wrongDigit = held.gtin.slice(0, 13) + String((Number(held.gtin[13]) + 1) % 10);
    const cases: [string, RegExp][] = [
      [`GTIN ${wrongDigit} SN ABC123`, /product number \(GTIN\) does not add up: its last digit, the check digit/],
      [`NDC 12345-678-90 SN ABC123 LOT L1 EXP 2030-12`, /NDC alone cannot be turned into the pack's product number/],
      [`PC ${held.gtin} SN ABC123 Lot L1 COLOUR red`, /“COLOUR” is not part of the code printed on packs/],
      [`(01)${held.gtin}(10)${held.lot}`, /does not identify one pack/],
      [`GTN ${held.gtin} SN ABC123`, /Type the text printed beside the code/],
    ];
    for (const [typed, words] of cases) {
      await field(page).fill(typed);
      await field(page).press("Enter");
      await error.waitFor();
      const text = await error.innerText();
      assert.match(text, words, typed);
      assert.doesNotMatch(text, JARGON, typed);
      assert.doesNotMatch(text, /position|character \d/, typed);
    }
    await screenshot(page, "counter-refused-code-laptop");
  });

  test("reads a patient's typed label, and turns a lowercase serial into a question, not an alarm", async () => {
    const { held } = stack.fixtures;
    const { context } = await newContext(browser, stack.baseUrl, PHONE);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto("/verify");
    const patientField = page.getByLabel("Code on the pack", { exact: true });

    const serial = serialOf(held, 9);
    await patientField.fill(printedText(held, serial.toLowerCase()));
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await page.waitForURL(/\/verify\?code=.*&entry=typed/);
    const card = page.getByTestId("verdict");
    await card.waitFor();
    assert.equal(await card.getAttribute("data-verdict"), "UNKNOWN_SERIAL");
    const words = await card.innerText();
    assert.match(words, /Check what you typed/i);
    assert.match(words, /printed in capital letters, and the case matters/);
    // The alarm comes only for a code that matches the pack exactly.
    assert.doesNotMatch(await card.getByTestId("verdict-advice").innerText(), /^Do not take this medicine/);
    await screenshot(page, "counter-patient-lowercase-phone");
    await expectPlainWords(page, "The patient's page for a lowercase serial");
    await expectAccessible(page, "The patient's page for a lowercase serial");

    await card.getByTestId("check-uppercase").click();
    await page.locator("[data-testid=verdict][data-verdict=GENUINE]").waitFor();
    assert.match(await page.getByTestId("verdict").innerText(), new RegExp(serial));
    await expectPlainWords(page, "The patient's genuine verdict");
    await screenshot(page, "counter-patient-uppercase-phone");
  });

  test("reads printed text on the patient's page without JavaScript too", async () => {
    const { held } = stack.fixtures;
    const { context } = await newContext(browser, stack.baseUrl, PHONE, { javaScriptEnabled: false });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto("/verify");
    await page.getByLabel("Code on the pack", { exact: true }).fill(printedText(held, serialOf(held, 10)));
    await page.getByRole("button", { name: "Check", exact: true }).click();
    await page.locator("[data-testid=verdict][data-verdict=GENUINE]").waitFor();

    const wrongDigit = held.gtin.slice(0, 13) + String((Number(held.gtin[13]) + 1) % 10);
    await page.getByLabel("Code on the pack", { exact: true }).fill(printedText({ ...held, gtin: wrongDigit }, "X1"));
    await page.getByRole("button", { name: "Check", exact: true }).click();
    const codeError = page.getByTestId("verdict-code-error");
    await codeError.waitFor();
    assert.match(await codeError.innerText(), /check digit/);
    await expectPlainWords(page, "The patient's page for a mistyped GTIN");
  });
});
