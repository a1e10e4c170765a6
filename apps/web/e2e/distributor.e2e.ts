/**
 * A distributor's stock page in the browser, on a local chain where Northwind holds two batches of
 * two manufacturers: 10 units of Acme's Amoxicillin and 5 of Borealis's Metformin (Acme keeps a
 * third batch, never shipped).
 *
 * - On a phone (390 px) the stock table keeps the Units column on screen: expiry and status move
 *   under the lot instead of pushing Units off to the right.
 * - "Return to" offers only the manufacturer of the batch returned, says why when the lines mix
 *   manufacturers, and the return to Borealis goes through.
 * - Northwind records a pack as stolen by typing its code: a dialog names the pack, says it cannot
 *   be undone and what a patient will read; the ledger records it, the stock goes down by one, and
 *   a patient's check of the pack then says it was reported stolen. Looking it up again says there
 *   is nothing to record; a pack of a batch Northwind does not hold is "not in your stock".
 *
 * Screenshots go to test-results/screenshots/ (distributor-*.png).
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { Browser, Page } from "playwright-core";
import { toHri } from "@pedigree/gs1";
import type { WorldBatch } from "../test/support/world.ts";
import { expectAccessible, LAPTOP, launchBrowser, newContext, PHONE, screenshot } from "./support/browser.ts";
import { confirmedBlock, lookAt, selectOptionContaining, waitForIndexed } from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { startStack, type SeedContext, type Stack } from "./support/stack.ts";

const STOLEN = 3;

interface DistributorWorld {
  amoxicillin: WorldBatch;
  metformin: WorldBatch;
  /** Acme's, never shipped: Northwind holds none of it. */
  unshipped: WorldBatch;
}

async function seed({ world }: SeedContext): Promise<DistributorWorld> {
  const { acme, borealis, northwind } = world.parties;
  const amoxicillinProduct = await world.registerProduct(acme, { name: "Amoxicillin" });
  const metforminProduct = await world.registerProduct(borealis, {
    name: "Metformin",
    strength: "850 mg",
    dosageForm: "film-coated tablets",
  });
  const amoxicillin = await world.registerBatch(acme, amoxicillinProduct, { lot: "AMX-D1", packs: 20 });
  const metformin = await world.registerBatch(borealis, metforminProduct, { lot: "MET-D1", packs: 10 });
  const unshipped = await world.registerBatch(acme, amoxicillinProduct, { lot: "AMX-D2", packs: 5 });
  await world.receive(await world.ship(acme, northwind, [{ batch: amoxicillin, quantity: 10 }], "ASN-D-0001"));
  await world.receive(await world.ship(borealis, northwind, [{ batch: metformin, quantity: 5 }], "ASN-D-0002"));
  return { amoxicillin, metformin, unshipped };
}

let stack: Stack<DistributorWorld>;
let browser: Browser;

const parties = story("distributor", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
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

function codeOf(batch: WorldBatch, index: number): string {
  const serial = batch.manifest.serials[index]!;
  return toHri({ gtin: batch.gtin, lot: batch.lot, serial, expiry: { raw: String(batch.expiry).slice(2), date: "" } });
}

async function unitsShown(page: Page, lot: string): Promise<string> {
  const cell = page.getByTestId("stock-table").locator(`tr[data-lot="${lot}"] [data-testid=stock-units]`);
  await cell.waitFor({ timeout: 20_000 });
  return (await cell.innerText()).trim();
}

/** Types a pack's code into the "Destroyed or stolen packs" section and looks it up. */
async function lookUp(page: Page, code: string) {
  const section = page.locator("#losses");
  await section.getByLabel("Code of the pack", { exact: true }).fill(code);
  await section.getByRole("button", { name: "Look up", exact: true }).click();
  const check = section.getByTestId("loss-check");
  await check.and(page.locator(":not([data-state=checking])")).waitFor({ timeout: 20_000 });
  return check;
}

describe("a distributor's stock: the phone table, returns to the right manufacturer, a stolen pack", () => {
  let northwind: Page;

  step("on a 390 px phone the stock table shows the Units column, with expiry and status under the lot", async () => {
    const { amoxicillin, metformin } = stack.fixtures;
    northwind = await partyPage(2, "DISTRIBUTOR");
    await northwind.goto("/stock");
    assert.equal(await unitsShown(northwind, amoxicillin.lot), "10");
    await northwind.setViewportSize(PHONE.viewport);
    const table = northwind.getByTestId("stock-table");
    const header = table.getByRole("columnheader", { name: "Units" });
    assert.ok(await header.isVisible(), "the Units heading is visible");
    for (const locator of [
      header,
      table.locator(`tr[data-lot="${amoxicillin.lot}"] [data-testid=stock-units]`),
      table.locator(`tr[data-lot="${metformin.lot}"] [data-testid=stock-units]`),
    ]) {
      const box = await locator.boundingBox();
      assert.ok(box, "the cell is laid out");
      assert.ok(
        box.x >= 0 && box.x + box.width <= PHONE.viewport.width,
        `a Units cell spans ${box.x}..${box.x + box.width} px, outside the ${PHONE.viewport.width} px screen`,
      );
    }
    // The table does not scroll sideways inside its box either: nothing is hidden to the right.
    const overflow = await table.evaluate(
      (element) => element.parentElement!.scrollWidth - element.parentElement!.clientWidth,
    );
    assert.equal(overflow, 0, "the stock table scrolls sideways on a phone");
    const details = table.locator(`tr[data-lot="${amoxicillin.lot}"] [data-testid=stock-line-details]`);
    assert.match(await details.innerText(), /^Exp\. 31 Dec 2030[\s\S]*In date[\s\S]*Active$/);
    assert.equal(await table.getByRole("columnheader", { name: "Expiry" }).isVisible(), false);
    await screenshot(northwind, "distributor-stock-phone");
    await northwind.setViewportSize(LAPTOP.viewport);
    assert.equal(await table.getByRole("columnheader", { name: "Expiry" }).isVisible(), true);
    await lookAt(northwind, "distributor-stock", "The distributor's stock page");
  });

  step("'Return to' offers only the manufacturer of the batch returned, and says why lines cannot mix", async () => {
    const { amoxicillin, metformin } = stack.fixtures;
    const { acme, borealis } = stack.world.parties;
    const form = northwind.getByRole("form", { name: "Return stock" });
    const returnTo = form.getByLabel("Return to");
    const offered = () => returnTo.locator("option").allInnerTexts();

    await selectOptionContaining(form.getByLabel("Batch of line 1"), `lot ${amoxicillin.lot}`);
    assert.deepEqual(await offered(), [`${acme.legalName} (Manufacturer, GLN ${acme.gln})`]);

    await form.getByRole("button", { name: "Add a line" }).click();
    await selectOptionContaining(form.getByLabel("Batch of line 2"), `lot ${metformin.lot}`);
    const why = form.getByText("These batches have different manufacturers", { exact: false });
    await why.waitFor();
    assert.match(
      await why.innerText(),
      new RegExp(
        `lot ${amoxicillin.lot} by ${acme.legalName}, lot ${metformin.lot} by ${borealis.legalName}\\), and each goes back to its own`,
      ),
    );
    assert.deepEqual(await offered(), ["No single manufacturer"]);
    await screenshot(northwind, "distributor-return-mixed-laptop");
    await expectAccessible(northwind, "The return form with mixed manufacturers");

    await form.getByRole("button", { name: "Remove line 1" }).click();
    assert.deepEqual(await offered(), [`${borealis.legalName} (Manufacturer, GLN ${borealis.gln})`]);
    await form.getByLabel("Reference").fill("RET-D-0001");
    await form.getByLabel("Units of line 1").fill("1");
    await form.getByRole("button", { name: "Send the return" }).click();
    await waitForIndexed(stack.baseUrl, await confirmedBlock(form));
    assert.equal(await stack.world.unitsHeld(metformin, stack.world.parties.northwind), 4);
  });

  step("a pack typed in and recorded as stolen, after a dialog naming it and what follows", async () => {
    const { amoxicillin } = stack.fixtures;
    const serial = amoxicillin.manifest.serials[STOLEN]!;
    const check = await lookUp(northwind, codeOf(amoxicillin, STOLEN));
    assert.equal(await check.getAttribute("data-state"), "found", await check.innerText());
    const name = `Amoxicillin 500 mg capsule, lot ${amoxicillin.lot}, serial ${serial}`;
    assert.equal((await check.getByTestId("loss-pack").innerText()).trim(), name);
    await check.getByLabel(/^Stolen/).check();
    const opener = check.getByTestId("record-loss");
    assert.equal((await opener.innerText()).trim(), "Record as stolen…");
    await opener.click();
    const dialog = northwind.getByRole("dialog", { name: "Record this pack as stolen" });
    await dialog.waitFor();
    const said = await dialog.innerText();
    assert.ok(said.includes(name), `the dialog names the pack: ${said}`);
    assert.match(said, /can never be shipped or dispensed again, and this cannot be undone/);
    assert.match(
      said,
      /A patient reads: “This pack is no longer in circulation: it was reported stolen\. Do not take this medicine\./,
    );
    assert.match(said, /at the counter reads: “This pack was reported stolen and must not be supplied\./);
    await screenshot(northwind, "distributor-stolen-dialog-laptop");
    await expectAccessible(northwind, "The stolen-pack dialog");

    await dialog.getByRole("button", { name: "Record as stolen", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await waitForIndexed(stack.baseUrl, await confirmedBlock(northwind.locator("#losses")));
    await northwind.locator("#losses [data-testid=loss-check][data-state=recorded]").waitFor();
    assert.match(await northwind.locator("#losses").innerText(), new RegExp(`Recorded: ${name} is reported stolen`));
    assert.equal((await stack.world.packRecord(amoxicillin, STOLEN)).state, "STOLEN");
    // Ready for the next pack: the field has the focus.
    assert.equal(
      await northwind.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.innerText),
      "Code of the pack",
    );
    const deadline = Date.now() + 20_000;
    while ((await unitsShown(northwind, amoxicillin.lot)) !== "9") {
      if (Date.now() > deadline) assert.fail("the stock table still shows 10 units after the theft was recorded");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await screenshot(northwind, "distributor-stolen-recorded-laptop");
  });

  step("a patient checking the stolen pack is told it was reported stolen and not to take it", async () => {
    const { amoxicillin } = stack.fixtures;
    const { context } = await newContext(browser, stack.baseUrl, PHONE);
    contexts.push(context);
    const patient = await context.newPage();
    await patient.goto(`/verify?code=${encodeURIComponent(codeOf(amoxicillin, STOLEN))}`);
    const card = patient.getByTestId("verdict");
    await card.waitFor({ timeout: 30_000 });
    assert.equal(await card.getAttribute("data-verdict"), "DECOMMISSIONED");
    const text = await card.innerText();
    assert.match(text, /This pack is no longer in circulation: it was reported stolen\./);
    assert.match(text, /Do not take this medicine/);
    await screenshot(patient, "distributor-stolen-patient-phone");
  });

  step("looking the pack up again records nothing; a pack of a batch not held is 'not in your stock'", async () => {
    const { amoxicillin, unshipped } = stack.fixtures;
    const again = await lookUp(northwind, codeOf(amoxicillin, STOLEN));
    assert.match(await again.innerText(), /Nothing to record[\s\S]*is already stolen on the ledger/);
    assert.equal(await again.getByTestId("record-loss").count(), 0);

    const elsewhere = await lookUp(northwind, codeOf(unshipped, 0));
    assert.match(
      await elsewhere.innerText(),
      new RegExp(`Not in your stock[\\s\\S]*no packs of lot ${unshipped.lot} with you`),
    );
    assert.equal(await elsewhere.getByTestId("record-loss").count(), 0);
    await screenshot(northwind, "distributor-loss-not-held-laptop");
  });

  step("no page failed", async () => {
    for (const context of contexts) for (const page of context.pages()) await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
