/**
 * The regulator's desk in the browser: potential falsifications raised by pharmacies' scans are
 * listed with their merged rescans, filtered (state, product, reporting party, dates; the filters
 * in the address), moved open -> investigating -> closed as falsified with a confirmation that
 * says what will happen, their history shown (who did what), and exported as CSV. The pharmacy
 * that raised an alert may close its own as a scanner or data error, and only that.
 *
 * The alerts are raised as in real life, through the running server: pharmacies signed in over
 * HTTP scan codes to dispense them (GET /api/verify?purpose=dispense). A patient's typo and the
 * pharmacy's rescan of a pack it dispensed itself raise nothing.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { VerifyResponse } from "../src/lib/api-types.ts";
import { parseCsv } from "../test/read-csv.ts";
import { signInAs } from "../test/support/signIn.ts";
import type { WorldBatch, WorldParty } from "../test/support/world.ts";
import { launchBrowser } from "./support/browser.ts";
import { lookAt, selectOptionContaining } from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { startStack, type SeedContext, type Stack } from "./support/stack.ts";

interface AlertsWorld {
  metformin: WorldBatch;
  ibuprofen: WorldBatch;
  central: WorldParty;
  harbour: WorldParty;
}

/** Two products from two makers, in two pharmacies; Central dispenses Metformin's pack 0. */
async function seedAlertsWorld({ world }: SeedContext): Promise<AlertsWorld> {
  const { acme, borealis, central, harbour } = world.parties;
  const metforminProduct = await world.registerProduct(acme, {
    name: "Metformin",
    strength: "500 mg",
    dosageForm: "film-coated tablets",
  });
  const ibuprofenProduct = await world.registerProduct(borealis, {
    name: "Ibuprofen",
    strength: "400 mg",
    dosageForm: "tablets",
  });
  const metformin = await world.registerBatch(acme, metforminProduct, { lot: "MET-ALR1", packs: 10 });
  const ibuprofen = await world.registerBatch(borealis, ibuprofenProduct, { lot: "IBU-ALR1", packs: 10 });
  await world.receive(await world.ship(acme, central, [{ batch: metformin, quantity: 5 }]));
  await world.receive(await world.ship(acme, harbour, [{ batch: metformin, quantity: 5 }]));
  await world.receive(await world.ship(borealis, harbour, [{ batch: ibuprofen, quantity: 5 }]));
  await world.decommission(central, metformin, 0, "DISPENSED");
  return { metformin, ibuprofen, central, harbour };
}

const REGULATOR_ACCOUNT = 5;
const CENTRAL_ACCOUNT = 3;

let stack: Stack<AlertsWorld>;
let browser: Browser;

const parties = story("alerts", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { contexts, offsiteRequests, pageErrors, partyPage, step } = parties;

before(async () => {
  stack = await startStack(seedAlertsWorld);
  browser = await launchBrowser();
});

after(async () => {
  await parties.close();
  await browser?.close();
  await stack?.stop();
});

const codeOf = (batch: WorldBatch, serial: string) =>
  `(01)${batch.gtin}(17)${String(batch.expiry).slice(2)}(10)${batch.lot}(21)${serial}`;

/** A code checked through the running server, as the counter does (a signed-in pharmacy, to dispense), or by a patient. */
async function scan(code: string, by: WorldParty | null): Promise<VerifyResponse> {
  const headers: Record<string, string> = {};
  if (by !== null) {
    const signedIn = await signInAs(stack.baseUrl, by.account);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    headers.authorization = `Bearer ${signedIn.body.token}`;
  }
  const purpose = by === null ? "verify" : "dispense";
  const response = await fetch(stack.url(`/api/verify?code=${encodeURIComponent(code)}&purpose=${purpose}`), {
    headers,
  });
  assert.equal(response.status, 200);
  return (await response.json()) as VerifyResponse;
}

const rows = (page: Page) => page.getByTestId("alerts-table").locator("tbody tr");
const row = (page: Page, id: number) => page.locator(`[data-testid=alerts-table] tr[data-alert-id="${id}"]`);

/** Waits until the table lists exactly the alerts `ids` (newest first), or says that none matches. */
async function expectListed(page: Page, ids: number[]): Promise<void> {
  if (ids.length === 0) {
    await page.getByText("No alert matches these filters.").waitFor({ timeout: 20_000 });
    return;
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const shown =
      (await page.getByTestId("alerts-table").count()) === 0
        ? []
        : (await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-alert-id")))).map(Number);
    if (JSON.stringify(shown) === JSON.stringify(ids)) return;
    if (Date.now() > deadline)
      assert.fail(`the list shows alerts ${JSON.stringify(shown)}, expected ${JSON.stringify(ids)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Applies the filter form and waits for the page at the new address (each call here changes the filters). */
async function applyFilters(page: Page): Promise<void> {
  const before = page.url();
  await page.getByRole("form", { name: "Filter alerts" }).getByRole("button", { name: "Apply filters" }).click();
  await page.waitForURL((url) => url.href !== before);
}

describe("the regulator's desk: alerts worked from open to closed, in the browser", () => {
  let regulator: Page;
  /** The alerts the pharmacies' scans raise. */
  let dispensedAgain: number;
  let centralUnknown: number;
  let harbourUnknown: number;
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

  step("pharmacies' scans raise alerts; a patient's typo and a pharmacy's own dispensed pack raise none", async () => {
    const { metformin, ibuprofen, central, harbour } = stack.fixtures;
    // Harbour scans, twice, a pack Central dispensed: one alert, two scans.
    const dispensed = codeOf(metformin, metformin.manifest.serials[0]!);
    for (let i = 0; i < 2; i++) assert.equal((await scan(dispensed, harbour)).alert, true);
    assert.equal((await scan(dispensed, central)).alert, false, "Central's rescan of its own dispensed pack");
    assert.equal((await scan(codeOf(metformin, "TYPO0NOPE"), null)).alert, false, "a patient's typo");
    assert.equal((await scan(codeOf(metformin, "NEVERISSUED1"), central)).verdict, "UNKNOWN_SERIAL");
    assert.equal((await scan(codeOf(ibuprofen, "NEVERISSUED2"), harbour)).verdict, "UNKNOWN_SERIAL");

    regulator = await partyPage(REGULATOR_ACCOUNT, "REGULATOR");
    await regulator.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
    await regulator.waitForURL(/\/alerts$/);
    await rows(regulator).nth(2).waitFor({ timeout: 20_000 });
    assert.equal(await rows(regulator).count(), 3, (await rows(regulator).allInnerTexts()).join("\n"));
    const ids = (await rows(regulator).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-alert-id")))).map(
      Number,
    );
    [harbourUnknown, centralUnknown, dispensedAgain] = ids as [number, number, number];
    // The rescan was merged: two scans, first and last seen.
    const scans = await row(regulator, dispensedAgain).getByTestId("alert-scans").innerText();
    assert.match(scans, /2 scans[\s\S]*First [\s\S]*Last /);
    assert.match(
      await row(regulator, dispensedAgain).innerText(),
      /Already dispensed[\s\S]*Harbour Pharmacy[\s\S]*Open/,
    );
    assert.match(await row(regulator, centralUnknown).innerText(), /Pack not on record[\s\S]*Central Pharmacy/);
    await lookAt(regulator, "alerts-list", "The alerts page");
  });

  step("the regulator filters by product, party, state and dates; the address keeps the filters", async () => {
    const { metformin } = stack.fixtures;
    const form = regulator.getByRole("form", { name: "Filter alerts" });
    await form.getByLabel("Product (GTIN)").fill(metformin.gtin);
    await applyFilters(regulator);
    await expectListed(regulator, [centralUnknown, dispensedAgain]);
    const harbour = await selectOptionContaining(form.getByLabel("Reported by"), "Harbour Pharmacy");
    await applyFilters(regulator);
    await expectListed(regulator, [dispensedAgain]);
    const url = new URL(regulator.url());
    assert.equal(url.searchParams.get("gtin"), metformin.gtin);
    assert.equal(url.searchParams.get("reporter"), harbour);

    // A link (here: the page loaded again from its address) keeps the filters, in the list and the fields.
    await regulator.reload();
    await expectListed(regulator, [dispensedAgain]);
    assert.equal(await form.getByLabel("Product (GTIN)").inputValue(), metformin.gtin);
    assert.equal(await form.getByLabel("Reported by").inputValue(), harbour);

    await form.getByLabel("State").selectOption("CLOSED");
    await applyFilters(regulator);
    await expectListed(regulator, []);
    await form.getByLabel("State").selectOption("OPEN");
    await form.getByLabel("Raised to (inclusive)").fill(yesterday);
    await applyFilters(regulator);
    await expectListed(regulator, []);
    await form.getByLabel("Raised to (inclusive)").fill("");
    await form.getByLabel("Raised from").fill(today);
    await applyFilters(regulator);
    await expectListed(regulator, [dispensedAgain]);
    assert.equal(new URL(regulator.url()).searchParams.get("status"), "OPEN");
    await form.getByLabel("State").selectOption("");
    await applyFilters(regulator);
    assert.equal(new URL(regulator.url()).searchParams.has("status"), false);
    await expectListed(regulator, [dispensedAgain]);

    // An address with a filter the server cannot take says what is wrong, in the server's words.
    const bad = await regulator.context().newPage();
    await bad.goto("/alerts?status=DONE");
    await bad.getByText("status must be OPEN, INVESTIGATING or CLOSED").waitFor({ timeout: 20_000 });
    await bad.close();
  });

  step("the regulator moves the alert to investigating, closes it as falsified, and reads its history", async () => {
    const details = row(regulator, dispensedAgain).getByRole("button", { name: `Details of alert ${dispensedAgain}` });
    await details.click();
    const dialog = regulator.getByRole("dialog", { name: `Alert #${dispensedAgain}` });
    await dialog.getByTestId("alert-details").waitFor();
    assert.match(await dialog.innerText(), /Scans\s+2 \(first [^)]+, last [^)]+\)/);
    assert.match(await dialog.innerText(), /No change yet: the alert is as the scan raised it\./);

    // Investigating: the confirmation says what will happen before anything changes.
    await dialog.getByLabel("Note (optional)").fill("Asked Harbour Pharmacy for a photo of the pack.");
    await dialog.getByRole("button", { name: "Move to investigating…" }).click();
    assert.match(
      await dialog.getByTestId("alert-confirmation").innerText(),
      new RegExp(
        `Alert #${dispensedAgain} will move from open to investigating\\. Medicines Agency, the time and your note will be recorded in its history\\.`,
      ),
    );
    assert.equal(await row(regulator, dispensedAgain).getAttribute("data-status"), "OPEN", "nothing changed yet");
    await dialog.getByRole("button", { name: "Confirm: move to investigating" }).click();
    await dialog.getByText(`Alert #${dispensedAgain} is now investigating.`).waitFor({ timeout: 20_000 });
    await regulator.locator(`tr[data-alert-id="${dispensedAgain}"][data-status=INVESTIGATING]`).waitFor();

    // Closing needs a root cause and a note; the confirmation says it is final.
    await dialog.getByRole("button", { name: "Close the alert…" }).click();
    await dialog.getByText("Choose what the investigation found.").waitFor();
    await dialog.getByText("Say what the investigation found").waitFor();
    assert.deepEqual(
      await dialog.getByRole("radio").evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).value)),
      ["SCANNER_OR_DATA_ERROR", "GENUINE", "FALSIFIED"],
    );
    await dialog.getByRole("radio", { name: "Falsified" }).check();
    await dialog
      .getByLabel("What the investigation found")
      .fill("Pack returned by Harbour: the carton is a copy (wrong font, no tamper seal).");
    await dialog.getByRole("button", { name: "Close the alert…" }).click();
    assert.match(
      await dialog.getByTestId("alert-confirmation").innerText(),
      /will be closed as “Falsified”\. Closing is final: a new scan of this pack raises a new alert\./,
    );
    await lookAt(regulator, "alerts-confirm-close", "The alert dialog asking to confirm the closing");
    await dialog.getByRole("button", { name: "Confirm: close as falsified" }).click();
    await dialog.getByText(`Alert #${dispensedAgain} is now closed.`).waitFor({ timeout: 20_000 });

    const history = dialog.getByTestId("alert-history").locator("li");
    assert.deepEqual(await history.evaluateAll((items) => items.map((li) => li.getAttribute("data-to"))), [
      "INVESTIGATING",
      "CLOSED",
    ]);
    const entries = await history.allInnerTexts();
    assert.match(
      entries[0]!,
      /Medicines Agency \(Regulator, 0x[0-9a-f]{4}…[0-9a-f]{4}\) moved it from open to investigating[\s\S]*“Asked Harbour Pharmacy for a photo of the pack\.”/,
    );
    assert.match(
      entries[1]!,
      /Medicines Agency \(Regulator, .*\) moved it from investigating to closed: falsified[\s\S]*the carton is a copy/,
    );
    assert.match(await dialog.innerText(), /A closed alert is final/);
    assert.equal(await dialog.getByRole("button", { name: /Confirm|Close the alert|Move to/ }).count(), 0);
    await lookAt(regulator, "alerts-history", "The closed alert with its history");

    // Closing the dialog puts focus back on the button that opened it.
    await regulator.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal(
      await regulator.evaluate(() => document.activeElement?.getAttribute("aria-label")),
      `Details of alert ${dispensedAgain}`,
    );
    assert.match(await row(regulator, dispensedAgain).innerText(), /Closed\s+Falsified/);
  });

  step("the regulator downloads the filtered list as CSV", async () => {
    const [download] = await Promise.all([
      regulator.waitForEvent("download"),
      regulator.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^alerts-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = parseCsv(readFileSync(await download.path(), "utf8"));
    const header = csv[0]!;
    assert.deepEqual(header.slice(0, 6), ["id", "raised_at", "last_seen_at", "occurrences", "status", "root_cause"]);
    assert.equal(csv.length, 2, "the header and the one alert the filters match");
    const line = Object.fromEntries(header.map((name, i) => [name, csv[1]![i]]));
    assert.deepEqual(
      [line.id, line.occurrences, line.status, line.root_cause, line.verdict, line.reported_by_name],
      [String(dispensedAgain), "2", "CLOSED", "FALSIFIED", "DISPENSED", "Harbour Pharmacy"],
    );
    assert.match(line.raised_at!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(line.last_seen_at! >= line.raised_at!);
  });

  step(
    "the pharmacy that raised an alert sees its own only, and may close it as its scanner or data error",
    async () => {
      const central = await partyPage(CENTRAL_ACCOUNT, "PHARMACY");
      await central.goto("/alerts");
      await expectListed(central, [centralUnknown]);
      await row(central, centralUnknown)
        .getByRole("button", { name: `Details of alert ${centralUnknown}` })
        .click();
      const dialog = central.getByRole("dialog", { name: `Alert #${centralUnknown}` });
      await dialog.getByRole("button", { name: "Move to investigating…" }).click();
      await dialog.getByRole("button", { name: "Confirm: move to investigating" }).click();
      await dialog.getByText(`Alert #${centralUnknown} is now investigating.`).waitFor({ timeout: 20_000 });
      // Whether a pack is genuine or falsified is the regulator's conclusion.
      assert.deepEqual(
        await dialog.getByRole("radio").evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).value)),
        ["SCANNER_OR_DATA_ERROR"],
      );
      await dialog.getByLabel("What the investigation found").fill("Our scanner dropped a character of the serial.");
      await dialog.getByRole("button", { name: "Close the alert…" }).click();
      await dialog.getByRole("button", { name: "Confirm: close as scanner or data error" }).click();
      await dialog.getByText(`Alert #${centralUnknown} is now closed.`).waitFor({ timeout: 20_000 });
      assert.match(
        (await dialog.getByTestId("alert-history").locator("li").allInnerTexts())[1]!,
        /Central Pharmacy \(Pharmacy, .*\) moved it from investigating to closed: scanner or data error/,
      );

      // The regulator reads who closed it, and why, in the list.
      await regulator.goto("/alerts?status=CLOSED");
      await expectListed(regulator, [centralUnknown, dispensedAgain]);
      assert.match(await row(regulator, centralUnknown).innerText(), /Closed\s+Scanner or data error/);
    },
  );

  step("no page failed, and nothing was fetched from outside the app", async () => {
    for (const context of contexts) for (const page of context.pages()) await page.close();
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(offsiteRequests, []);
  });
});
