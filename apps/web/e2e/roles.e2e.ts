/**
 * Every party's main flow in the browser, as one story on one local chain: the administrator
 * onboards a pharmacy, the manufacturer registers a batch (serials generated in the page, Sign-In
 * with Ethereum, serial list uploaded) and ships it, the distributor receives and ships on, the
 * new pharmacy receives and dispenses at the counter (and undoes it), the manufacturer recalls the
 * batch, a pharmacist's stale dispense is refused in plain words, and the regulator audits the
 * batch and exports it (EPCIS validated against GS1's schema, and CSV).
 *
 * Each party signs through the dashboard's demo-accounts connector in its own browser context.
 * Each main page is checked with axe and photographed at laptop and phone size into
 * test-results/screenshots/. After each write the test waits for the server's indexer (its
 * cursor in /api/health), never a fixed time.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Download, Locator, Page } from "playwright-core";
import { parseGs1, toDigitalLink } from "@pedigree/gs1";
import { batchIdOf } from "@pedigree/ledger";
import { assertValidEpcis12 } from "../../../packages/ledger/test/epcis12Schema.ts";
import { assertValidEpcis } from "../../../packages/ledger/test/epcisSchema.ts";
import { parseCsv } from "../test/read-csv.ts";
import { launchBrowser, newContext, PHONE, screenshot, expectAccessible } from "./support/browser.ts";
import {
  confirmedBlock,
  lookAt,
  seedRolesWorld,
  selectOptionContaining,
  waitForIndexed,
  type RolesWorld,
} from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { watchWrongClaims, wrongClaims } from "./support/wrong-claims.ts";
import { startStack, type Stack } from "./support/stack.ts";

const LOT = "MET-2611A";
const EXPIRY = "2031-06-30";
const PACKS = 50;
const RECALL_REASON = "Nitrosamine impurity above the acceptable intake";

let stack: Stack<RolesWorld>;
let browser: Browser;

const parties = story("roles", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { contexts, offsiteRequests, pageErrors, partyPage, step } = parties;

before(async () => {
  stack = await startStack(seedRolesWorld);
  browser = await launchBrowser();
});

after(async () => {
  await parties.close();
  await browser?.close();
  await stack?.stop();
});

/**
 * Waits until a pending shipment's card leaves the list (the read model recorded its settlement),
 * failing at once with the transaction helper's words if the write was refused.
 */
async function waitUntilSettled(card: Locator, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while ((await card.count()) > 0) {
    const failed = card.locator("[data-testid=tx-status] [data-phase=failed]");
    if ((await failed.count()) > 0) assert.fail(`the shipment was not settled: ${await failed.innerText()}`);
    if (Date.now() > deadline) assert.fail("the shipment is still listed as pending");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stockUnits(page: Page, lot: string): Promise<string> {
  const row = page.getByTestId("stock-table").locator(`tr[data-lot="${lot}"]`);
  await row.waitFor({ timeout: 20_000 });
  return (await row.locator("td").last().innerText()).trim();
}

async function expectStockUnits(page: Page, lot: string, units: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const shown = await stockUnits(page, lot);
    if (shown === String(units)) return;
    if (Date.now() > deadline) assert.fail(`the stock table shows ${shown} units of lot ${lot}, expected ${units}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Ships `units` of the story's lot from the page's /stock ship form; returns the mined block. */
async function shipFromStock(page: Page, to: string, reference: string, units: number): Promise<number> {
  const form = page.getByRole("form", { name: "Ship stock" });
  await selectOptionContaining(form.getByLabel("Ship to"), to);
  await form.getByLabel("Reference").fill(reference);
  await selectOptionContaining(form.getByLabel("Batch of line 1"), `lot ${LOT}`);
  await form.getByLabel("Units of line 1").fill(String(units));
  await form.getByRole("button", { name: "Ship", exact: true }).click();
  return confirmedBlock(form);
}

/** Receives the pending shipment `reference` from the page's inbox. */
async function receiveFromInbox(page: Page, reference: string, name: string, what: string): Promise<void> {
  const card = page.getByTestId("incoming-shipments").locator("li[data-shipment-id]", { hasText: `ref. ${reference}` });
  await card.waitFor({ timeout: 20_000 });
  await lookAt(page, name, what);
  await card.getByTestId("receive-shipment").click();
  await waitUntilSettled(card);
}

/** Types a pack code into the counter's field, as a USB scanner would, and checks it. */
async function scanAtCounter(page: Page, code: string): Promise<Locator> {
  await page.getByLabel("Pack code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Check", exact: true }).click();
  const check = page.getByTestId("pack-check");
  await check.waitFor();
  return check;
}

async function expectCounterVerdict(page: Page, chainVerdict: string, serverVerdict: string): Promise<void> {
  await page.locator(`[data-testid=pack-check][data-chain-verdict="${chainVerdict}"]`).waitFor({ timeout: 20_000 });
  await page.locator(`[data-testid=verdict][data-verdict="${serverVerdict}"]`).waitFor({ timeout: 20_000 });
}

async function downloadText(page: Page, link: Locator): Promise<{ text: string; download: Download }> {
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const file = await download.path();
  return { text: readFileSync(file, "utf8"), download };
}

describe("every party's main flow, in the browser on a local chain", () => {
  let admin: Page;
  let acme: Page;
  let northwind: Page;
  let pharmacy: Page;
  let regulator: Page;
  /** Human-readable codes of the first packs, read off the label sheet the manufacturer prints. */
  let packCodes: string[] = [];
  let gtin: string;

  before(() => {
    gtin = stack.fixtures.product.gtin;
  });

  step("the administrator onboards a new pharmacy at /admin", async () => {
    const { newPharmacy } = stack.fixtures;
    admin = await partyPage(0, "ADMIN");
    await admin.waitForURL(/\/admin$/);
    const form = admin.getByRole("form", { name: "Onboard a participant" });
    await form.getByLabel("Address").fill(newPharmacy.account.address);
    await form.getByLabel("Role").selectOption("PHARMACY");
    await form.getByLabel("Legal name").fill(newPharmacy.legalName);

    // A GLN with a wrong check digit is refused in the form, before any transaction.
    const wrongDigit = newPharmacy.gln.slice(0, 12) + String((Number(newPharmacy.gln[12]) + 1) % 10);
    await form.getByLabel("GLN").fill(wrongDigit);
    await form.getByRole("button", { name: "Onboard" }).click();
    await form.getByText("13 digits with a correct GS1 check digit.").waitFor();
    assert.equal(await form.getByTestId("tx-status").count(), 0, "nothing is sent while the form is invalid");

    await form.getByLabel("GLN").fill(newPharmacy.gln);
    await form.getByRole("button", { name: "Onboard" }).click();
    await waitForIndexed(stack.baseUrl, await confirmedBlock(form));
    const row = admin.locator("tr", { hasText: newPharmacy.legalName });
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), new RegExp(`GLN ${newPharmacy.gln}[\\s\\S]*Pharmacy[\\s\\S]*Active`));
    await lookAt(admin, "roles-admin", "The admin page");
  });

  step("the manufacturer registers a batch with generated serials, signs in and uploads them", async () => {
    acme = await partyPage(1, "MANUFACTURER");
    await acme.waitForURL(/\/manufacturer$/);
    const form = acme.getByRole("form", { name: "Register a batch" });
    await selectOptionContaining(form.getByLabel("Product"), gtin);
    await form.getByLabel("Lot").fill(LOT);
    await form.getByLabel("Expiry date").fill(EXPIRY);
    await form.getByLabel("Pack count").fill(String(PACKS));
    await form.getByRole("button", { name: "Register the batch" }).click();

    const outcome = acme.getByTestId("batch-ready").or(acme.getByText("The batch is not complete"));
    await outcome.first().waitFor({ timeout: 60_000 });
    const ready = acme.getByTestId("batch-ready");
    assert.equal(await ready.count(), 1, `the batch is not ready: ${await outcome.first().innerText()}`);
    assert.match(await ready.innerText(), new RegExp(`${PACKS} serials stored`));
    await waitForIndexed(stack.baseUrl, await confirmedBlock(form));

    // The batch is listed under its product, with the way to its timeline and recall.
    await acme
      .getByTestId("products")
      .getByRole("link", { name: `Lot ${LOT}` })
      .waitFor({ timeout: 20_000 });
    await lookAt(acme, "roles-manufacturer", "The manufacturer's page");

    // The manufacturer prints labels; their human-readable lines are what the pharmacy types in.
    const labelsHref = await ready.getByRole("link", { name: "Print the labels" }).getAttribute("href");
    assert.equal(labelsHref, `/labels/${gtin}/${LOT}`);
    const sheet = await acme.context().newPage();
    await sheet.goto(`${labelsHref}?from=0&count=3`);
    const hri = sheet.getByTestId("label-hri");
    await hri.first().waitFor();
    packCodes = (await hri.allInnerTexts()).map((text) => text.replace(/\s+/g, ""));
    await sheet.close();
    assert.equal(packCodes.length, 3);
    for (const code of packCodes) {
      const parsed = parseGs1(code);
      assert.ok(parsed.ok, `the label's code ${code} does not parse`);
      assert.equal(parsed.value.gtin, gtin);
      assert.equal(parsed.value.lot, LOT);
    }
  });

  step("a signed-in manufacturer's pages show its role from the first paint, never 'Not a participant'", async () => {
    const context = acme.context();
    await watchWrongClaims(context, "MANUFACTURER");
    const page = await context.newPage();
    try {
      // The server renders the page for its party: the role is in the HTML, before any script ran.
      const html = await (await page.request.get("/manufacturer")).text();
      assert.match(
        html,
        /data-testid="wallet-status"[^>]*data-role="MANUFACTURER"/,
        "the server's HTML does not name the role",
      );
      for (const [path, content] of [
        ["/manufacturer", page.getByTestId("products").getByRole("link", { name: `Lot ${LOT}` })],
        ["/stock", page.getByTestId("stock-table").locator(`tr[data-lot="${LOT}"]`)],
        ["/alerts", page.getByRole("heading", { name: "All alerts" })],
      ] as const) {
        // Until the browser's own chain reads have answered, the page runs on what the server rendered.
        const chainRead = page.waitForResponse(
          (response) =>
            response.url().startsWith(stack.chain.rpcUrl) && /eth_call/.test(response.request().postData() ?? ""),
        );
        await page.goto(path);
        await content.first().waitFor();
        await chainRead;
        await page.locator('[data-testid="wallet-status"][data-role="MANUFACTURER"]').waitFor();
        assert.deepEqual(await wrongClaims(page), [], `${path} said something wrong about the signed-in manufacturer`);
      }
    } finally {
      await page.close();
    }
  });

  step("the manufacturer ships units to the distributor from /stock", async () => {
    await acme.goto("/stock");
    const block = await shipFromStock(acme, "Northwind Wholesale", "ASN-E2E-0001", 20);
    await waitForIndexed(stack.baseUrl, block);
    await acme.getByTestId("outgoing-shipments").getByText("ref. ASN-E2E-0001").waitFor({ timeout: 20_000 });
    await expectStockUnits(acme, LOT, PACKS - 20);
    await lookAt(acme, "roles-stock-manufacturer", "The manufacturer's stock page");
  });

  step("the distributor receives it, ships on to the pharmacy, and the pharmacy receives", async () => {
    northwind = await partyPage(2, "DISTRIBUTOR");
    await northwind.waitForURL(/\/stock$/);
    await receiveFromInbox(northwind, "ASN-E2E-0001", "roles-inbox-distributor", "The distributor's inbox");
    await expectStockUnits(northwind, LOT, 20);

    await waitForIndexed(
      stack.baseUrl,
      await shipFromStock(northwind, stack.fixtures.newPharmacy.legalName, "ASN-E2E-0002", 10),
    );
    await expectStockUnits(northwind, LOT, 10);

    pharmacy = await partyPage(stack.fixtures.newPharmacy.index, "PHARMACY");
    await pharmacy.waitForURL(/\/counter$/);
    await pharmacy.goto("/stock");
    await receiveFromInbox(pharmacy, "ASN-E2E-0002", "roles-inbox-pharmacy", "The pharmacy's inbox");
    await expectStockUnits(pharmacy, LOT, 10);
    await lookAt(pharmacy, "roles-stock-pharmacy", "The pharmacy's stock page");
  });

  step(
    "the pharmacy dispenses a genuine pack at the counter, sees it dispensed on a rescan, and undoes it",
    async () => {
      const code = packCodes[0]!;
      await pharmacy.goto("/counter");
      let check = await scanAtCounter(pharmacy, code);
      await expectCounterVerdict(pharmacy, "Genuine", "GENUINE");
      assert.match(await pharmacy.getByTestId("verdict").innerText(), /Metformin/);
      await lookAt(pharmacy, "roles-counter-genuine", "The counter with a genuine pack");

      await check.getByTestId("dispense-button").click();
      await waitForIndexed(stack.baseUrl, await confirmedBlock(check));

      // Scanned again, the same pack is refused: already dispensed, no dispense button. It is the
      // pharmacy's own dispense, so no falsification alert is raised.
      check = await scanAtCounter(pharmacy, code);
      await expectCounterVerdict(pharmacy, "Dispensed", "DISPENSED");
      assert.equal(await check.getByTestId("dispense-button").count(), 0);
      assert.equal(await pharmacy.getByTestId("verdict-alert").count(), 0);
      assert.match(await pharmacy.getByTestId("chain-verdict").innerText(), /Dispensed by your pharmacy[\s\S]*by you/);
      await lookAt(pharmacy, "roles-counter-dispensed", "The counter with a dispensed pack");

      // Handed out by mistake and brought back the same day: the undo window is ten days.
      await check.getByTestId("undo-dispense-button").click();
      await waitForIndexed(stack.baseUrl, await confirmedBlock(check));
      check = await scanAtCounter(pharmacy, code);
      await expectCounterVerdict(pharmacy, "Genuine", "GENUINE");
      assert.equal(await check.getByTestId("undo-dispense-button").count(), 0);
    },
  );

  step("the manufacturer recalls the batch; a patient's check of a pack says RECALLED", async () => {
    // A pharmacist has a genuine pack on screen, ready to dispense, when the recall lands.
    await pharmacy.goto("/counter");
    await scanAtCounter(pharmacy, packCodes[1]!);
    await expectCounterVerdict(pharmacy, "Genuine", "GENUINE");

    await acme.goto("/manufacturer");
    await acme.getByRole("link", { name: "Where are the units · recall" }).click();
    await acme.waitForURL(new RegExp(`/auditor/batches/${gtin}/${LOT}$`));
    await acme.getByTestId("recall-button").click();
    const dialog = acme.getByRole("dialog");
    await dialog.getByLabel("Reason").fill(RECALL_REASON);
    await dialog.getByRole("button", { name: "Recall the batch" }).click();
    await waitForIndexed(stack.baseUrl, await confirmedBlock(acme));
    await acme.getByText(RECALL_REASON).first().waitFor({ timeout: 20_000 });
    assert.equal(await acme.getByTestId("recall-button").count(), 0, "a recall is final: no second recall offered");

    const { context, offsiteRequests: offsite } = await newContext(browser, stack.baseUrl, PHONE);
    contexts.push(context);
    const patient = await context.newPage();
    const parsed = parseGs1(packCodes[2]!);
    assert.ok(parsed.ok);
    await patient.goto(toDigitalLink(parsed.value, stack.baseUrl));
    const verdict = patient.getByTestId("verdict");
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute("data-verdict"), "RECALLED");
    assert.match(await verdict.innerText(), new RegExp(RECALL_REASON));
    await screenshot(patient, "roles-patient-recalled-phone");
    await expectAccessible(patient, "The patient's recalled verdict");
    offsiteRequests.push(...offsite);
  });

  step("a refused write is explained in plain words and records nothing", async () => {
    // The pharmacist's screen still offers the dispense it showed before the recall.
    const check = pharmacy.getByTestId("pack-check");
    const before = await stack.world.packRecord(batchIdOf(gtin, LOT), 1);
    await check.getByTestId("dispense-button").click();
    const failed = check.locator("[data-testid=tx-status] [data-phase=failed]");
    await failed.waitFor({ timeout: 20_000 });
    assert.equal(await failed.getAttribute("data-error-name"), "PedigreeDispenseNotAllowed");
    const words = await failed.innerText();
    assert.match(words, /recalled/i);
    assert.match(words, new RegExp(`batch ${LOT} of Metformin`));
    assert.doesNotMatch(words, /0x[0-9a-f]{4}|revert|execution/i, `not plain words: ${words}`);
    // The counter then shows the ledger's view as it is now, and offers the dispense no more.
    await pharmacy.locator("[data-testid=pack-check][data-chain-verdict=Recalled]").waitFor({ timeout: 20_000 });
    assert.equal(await check.getByTestId("dispense-button").count(), 0);
    await lookAt(pharmacy, "roles-counter-refused", "The counter with a refused dispense");
    assert.deepEqual(await stack.world.packRecord(batchIdOf(gtin, LOT), 1), before, "nothing was recorded");
  });

  step("the regulator searches the batch, follows its timeline, and exports EPCIS and CSV", async () => {
    regulator = await partyPage(5, "REGULATOR");
    await regulator.waitForURL(/\/auditor$/);
    await regulator.getByTestId("recalled-stock").getByText(`lot ${LOT}`).waitFor({ timeout: 20_000 });
    // No alert for the lot: the pharmacy's rescan of a pack it dispensed itself is no falsification.
    const alerts = regulator.getByTestId("alerts").locator("li", { hasText: `lot ${LOT}` });
    assert.equal(await alerts.count(), 0, (await alerts.allInnerTexts()).join("\n"));
    await lookAt(regulator, "roles-auditor", "The auditor's home");

    await regulator.getByLabel(/Search by GTIN/).fill(LOT);
    await regulator.getByRole("button", { name: "Search", exact: true }).click();
    await regulator.waitForURL(/\/auditor\/search\?q=/);
    const results = regulator.getByTestId("search-results");
    await results
      .getByRole("link", { name: new RegExp(LOT) })
      .first()
      .click();
    await regulator.waitForURL(new RegExp(`/auditor/batches/${gtin}/${LOT}$`));

    const timeline = regulator.getByTestId("custody-timeline");
    await timeline.locator("li").first().waitFor({ timeout: 20_000 });
    const events = await timeline
      .locator("li[data-event]")
      .evaluateAll((items) => items.map((item) => item.getAttribute("data-event")));
    assert.deepEqual(events, [
      "BatchRegistered",
      "UnitsShipped",
      "UnitsReceived",
      "UnitsShipped",
      "UnitsReceived",
      "PackDecommissioned",
      "PackReactivated",
      "BatchRecalled",
    ]);
    const items = await timeline.locator("li[data-event]").allInnerTexts();
    assert.match(items[1]!, /Acme Pharma AG[\s\S]*Northwind Wholesale/);
    assert.match(items[3]!, /Northwind Wholesale[\s\S]*Riverside Pharmacy/);
    assert.match(items[5]!, /Riverside Pharmacy/);
    assert.match(items[7]!, new RegExp(RECALL_REASON));
    assert.match(
      await regulator.getByTestId("unit-balance").innerText(),
      new RegExp(`${PACKS} registered = ${PACKS} held \\+ 0 in transit \\+ 0 decommissioned`),
    );
    await lookAt(regulator, "roles-batch-timeline", "The batch timeline");

    const epcis = await downloadText(regulator, regulator.getByRole("link", { name: "Export EPCIS 2.0" }));
    const document = JSON.parse(epcis.text) as { epcisBody: { eventList: { bizStep?: string }[] } };
    assertValidEpcis(document, "The downloaded EPCIS export");
    assert.equal(document.epcisBody.eventList.length, events.length);

    const xml = await downloadText(regulator, regulator.getByRole("link", { name: "Export EPCIS 1.2 XML" }));
    assert.match(xml.download.suggestedFilename(), /\.xml$/);
    await assertValidEpcis12(xml.text, "The downloaded EPCIS 1.2 export");
    assert.equal(
      (xml.text.match(/<(ObjectEvent|AggregationEvent|TransformationEvent)>/g) ?? []).length,
      document.epcisBody.eventList.length,
      "the same events as the EPCIS 2.0 export",
    );

    const csv = await downloadText(regulator, regulator.getByRole("link", { name: "Export CSV" }));
    assert.match(csv.download.suggestedFilename(), new RegExp(`${gtin}-${LOT}\\.csv$`));
    const rows = parseCsv(csv.text);
    assert.equal(rows[0]![0], "time");
    assert.deepEqual(
      rows.slice(1).map((row) => row[1]),
      events,
    );
  });

  step("no page failed, and nothing was fetched from outside the app", async () => {
    for (const context of contexts) for (const page of context.pages()) await page.close();
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(offsiteRequests, []);
  });
});
