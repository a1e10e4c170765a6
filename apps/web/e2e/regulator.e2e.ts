/**
 * The regulator's work in the browser, on a local chain seeded with one batch that has travelled:
 * Acme made it, shipped 20 units to Northwind (ASN-REG-0001), which shipped 10 on to Central
 * (DEL-REG-0002), which dispensed one pack.
 *
 * - Search finds a pack by its serial alone, a shipment by its reference in small letters, the
 *   batch by its lot in small letters, a transaction by the first digits of its hash, and a pack
 *   by the text printed beside its code.
 * - The batch's timeline names the dispensed pack by its serial for the regulator, and says "a
 *   pack" to Northwind, which traded the batch but never held that pack; never "pack #2".
 * - The regulator suspends the batch (a dialog that says what it does, a required reason, focus
 *   back on the button that opened it), a check of one of its packs then answers SUSPENDED, and
 *   the regulator reinstates it.
 *
 * Screenshots go to test-results/screenshots/ (regulator-*.png).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { toHri } from "@pedigree/gs1";
import type { WorldBatch, WorldProduct } from "../test/support/world.ts";
import { expectAccessible, launchBrowser, screenshot } from "./support/browser.ts";
import { confirmedBlock, lookAt, waitForIndexed } from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { startStack, type SeedContext, type Stack } from "./support/stack.ts";

const LOT = "MET-REG-7";
const DISPENSED = 2;
const REASON = "Tampered cartons reported at two wholesalers";

interface RegulatorWorld {
  product: WorldProduct;
  batch: WorldBatch;
  /** The transaction of Acme's shipment to Northwind. */
  firstShipmentTx: string;
}

async function seed({ world }: SeedContext): Promise<RegulatorWorld> {
  const { acme, northwind, central } = world.parties;
  const product = await world.registerProduct(acme, {
    name: "Metformin",
    strength: "500 mg",
    dosageForm: "film-coated tablets",
  });
  const batch = await world.registerBatch(acme, product, { lot: LOT, packs: 30 });
  const first = await world.ship(acme, northwind, [{ batch, quantity: 20 }], "ASN-REG-0001");
  await world.receive(first);
  await world.receive(await world.ship(northwind, central, [{ batch, quantity: 10 }], "DEL-REG-0002"));
  await world.decommission(central, batch, DISPENSED);
  return { product, batch, firstShipmentTx: first.receipt.transactionHash };
}

let stack: Stack<RegulatorWorld>;
let browser: Browser;

const parties = story("regulator", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { contexts, pageErrors, partyPage, step } = parties;

before(async () => {
  stack = await startStack(seed);
  browser = await launchBrowser();
});

after(async () => {
  await parties.close();
  await browser?.close();
  await stack?.stop();
});

/** Types `q` into the search box and returns the results' link texts. */
async function search(page: Page, q: string): Promise<string[]> {
  await page.goto("/auditor/search");
  await page.getByLabel(/Search by GTIN/).fill(q);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL(/\/auditor\/search\?q=/);
  const results = page.getByTestId("search-results");
  await results.or(page.getByText("Nothing matches")).first().waitFor({ timeout: 20_000 });
  return results.getByRole("link").allInnerTexts();
}

/** Waits until the element with `testId` has the focus (the dialog hands it back just after it closes). */
async function expectFocusOn(page: Page, testId: string): Promise<void> {
  try {
    await page.waitForFunction((id) => document.activeElement?.getAttribute("data-testid") === id, testId, {
      timeout: 5_000,
    });
  } catch {
    const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? "nothing");
    assert.fail(`the focus is on ${focused}, not on [data-testid=${testId}]`);
  }
}

async function packEntries(page: Page): Promise<string[]> {
  const timeline = page.getByTestId("custody-timeline");
  await timeline.locator("li[data-event=PackDecommissioned]").waitFor({ timeout: 20_000 });
  return timeline.locator("li[data-event^=Pack]").allInnerTexts();
}

/** Waits for the batch's status (the first line of its record) to read `status`. */
async function statusShows(page: Page, status: string): Promise<void> {
  await page.locator("dd", { hasText: status }).first().waitFor({ timeout: 20_000 });
}

describe("the regulator's search, timeline and suspension, in the browser on a local chain", () => {
  let regulator: Page;
  let serial: (index: number) => string;
  let batchPath: string;

  before(() => {
    const { batch } = stack.fixtures;
    serial = (index) => batch.manifest.serials[index]!;
    batchPath = `/auditor/batches/${batch.gtin}/${LOT}`;
  });

  step(
    "search finds a serial alone, a shipment reference, a lot in small letters, part of a hash and printed text",
    async () => {
      const { batch, firstShipmentTx } = stack.fixtures;
      regulator = await partyPage(5, "REGULATOR");

      assert.deepEqual(await search(regulator, serial(7)), [`Pack ${serial(7)} of Metformin 500 mg, lot ${LOT}`]);
      await lookAt(regulator, "regulator-search-serial", "The search results for a serial");

      assert.deepEqual(await search(regulator, "asn-reg-0001"), [
        `Shipment ASN-REG-0001: 20 units of Metformin, lot ${LOT}`,
      ]);
      assert.deepEqual(await search(regulator, LOT.toLowerCase()), [`Metformin 500 mg, lot ${LOT}`]);

      const found = await search(regulator, firstShipmentTx.slice(0, 12));
      assert.deepEqual(found, [`Transaction ${firstShipmentTx.slice(0, 10)}…${firstShipmentTx.slice(-6)}: 1 event`]);

      const expiry = `${String(batch.expiry).slice(0, 4)}-${String(batch.expiry).slice(4, 6)}`;
      assert.deepEqual(await search(regulator, `GTIN ${batch.gtin} SN ${serial(9)} LOT ${LOT} EXP ${expiry}`), [
        `Pack ${serial(9)} of Metformin 500 mg, lot ${LOT}`,
        `Metformin 500 mg, lot ${LOT}`,
      ]);
      await screenshot(regulator, "regulator-search-printed-text-laptop");
    },
  );

  step(
    "the timeline names the dispensed pack by its serial for the regulator, and 'a pack' for Northwind",
    async () => {
      await regulator.goto(batchPath);
      const [dispensed] = await packEntries(regulator);
      assert.match(dispensed!, new RegExp(`Central Pharmacy marked pack ${serial(DISPENSED)} as dispensed`));
      await lookAt(regulator, "regulator-batch-timeline", "The batch timeline, as the regulator sees it");

      const northwind = await partyPage(2, "DISTRIBUTOR");
      await northwind.goto(batchPath);
      const [seen] = await packEntries(northwind);
      assert.match(seen!, /Central Pharmacy marked a pack as dispensed/);
      const page = await northwind.getByTestId("custody-timeline").innerText();
      assert.doesNotMatch(page, new RegExp(`${serial(DISPENSED)}|pack #|#${DISPENSED}\\b`));
      await screenshot(northwind, "regulator-batch-timeline-distributor-laptop");
    },
  );

  step(
    "the regulator suspends the batch: a dialog says what happens, asks for a reason, and gives focus back",
    async () => {
      const { batch } = stack.fixtures;
      await regulator.goto(batchPath);
      const opener = regulator.getByTestId("suspension-button");
      await opener.click();
      const dialog = regulator.getByRole("dialog", { name: `Suspend lot ${LOT}` });
      await dialog.waitFor();
      assert.match(
        await dialog.innerText(),
        /none of its packs can be shipped \(except back to the manufacturer\) or dispensed/,
      );
      await screenshot(regulator, "regulator-suspend-dialog-laptop");
      await expectAccessible(regulator, "The suspension dialog");

      // Closed without a word, it gives focus back to the button and sends nothing.
      await regulator.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      await expectFocusOn(regulator, "suspension-button");

      await opener.click();
      await dialog.getByRole("button", { name: "Suspend the batch" }).click();
      await dialog.getByText("Give the reason that holders will read while the batch is suspended.").waitFor();
      assert.equal(await regulator.getByTestId("batch-suspension").getByTestId("tx-status").count(), 0);

      await dialog.getByLabel("Reason").fill(REASON);
      await dialog.getByRole("button", { name: "Suspend the batch" }).click();
      await dialog.waitFor({ state: "detached" });
      await expectFocusOn(regulator, "suspension-button");
      await waitForIndexed(stack.baseUrl, await confirmedBlock(regulator.getByTestId("batch-suspension")));
      await statusShows(regulator, "Suspended");
      await regulator.getByText(REASON).first().waitFor({ timeout: 20_000 });
      assert.equal(await stack.world.batchStatus(batch), "SUSPENDED");
      // The same button now reinstates, and still has the focus.
      await regulator.getByRole("button", { name: "Reinstate…" }).waitFor({ timeout: 20_000 });
      await expectFocusOn(regulator, "suspension-button");
      await lookAt(regulator, "regulator-batch-suspended", "The suspended batch");

      // What the dialog said: a pack of the batch is now answered as suspended.
      const code = toHri({ gtin: batch.gtin, lot: LOT, serial: serial(11) });
      const check = (await (await fetch(stack.url(`/api/verify?code=${encodeURIComponent(code)}`))).json()) as {
        verdict: string;
      };
      assert.equal(check.verdict, "SUSPENDED");
    },
  );

  step("the regulator reinstates the batch, and its timeline records both", async () => {
    const { batch } = stack.fixtures;
    await regulator.getByTestId("suspension-button").click();
    const dialog = regulator.getByRole("dialog", { name: `Reinstate lot ${LOT}` });
    assert.match(await dialog.innerText(), /can be shipped and dispensed again/);
    await dialog.getByRole("button", { name: "Reinstate the batch" }).click();
    await dialog.waitFor({ state: "detached" });
    await expectFocusOn(regulator, "suspension-button");
    await waitForIndexed(stack.baseUrl, await confirmedBlock(regulator.getByTestId("batch-suspension")));
    await regulator.getByRole("button", { name: "Suspend…" }).waitFor({ timeout: 20_000 });
    await statusShows(regulator, "Active");
    assert.equal(await stack.world.batchStatus(batch), "ACTIVE");
    const timeline = regulator.getByTestId("custody-timeline");
    await timeline.locator("li[data-event=BatchReinstated]").waitFor({ timeout: 20_000 });
    assert.match(
      await timeline.locator("li[data-event=BatchSuspended]").innerText(),
      new RegExp(`Medicines Agency suspended the batch: ${REASON}`),
    );
    await screenshot(regulator, "regulator-batch-reinstated-laptop");
  });

  step("no page failed", async () => {
    for (const context of contexts) for (const page of context.pages()) await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
