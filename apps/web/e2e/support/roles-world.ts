/**
 * The world the parties' browser flow starts from, and what the flow needs to drive the dashboard
 * the way people do: connect as a demo account, wait for the read model to catch up with a
 * confirmed transaction, pick a select's option by its text, and look at a page (screenshots at
 * laptop and phone size, axe).
 *
 * The seed is deliberately small: the default parties (accounts 1 to 6) and one product of Acme's.
 * Everything the flow checks (a pharmacy, a batch, its shipments, dispenses and recall) is then
 * made through the pages.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import type { PrivateKeyAccount } from "viem/accounts";
import { glnOf, type WorldParty, type WorldProduct } from "../../test/support/world.ts";
import { clickUntilShown, expectAccessible, LAPTOP, PHONE, screenshot } from "./browser.ts";
import { operatorHealth, type SeedContext } from "./stack.ts";

/** The demo account the administrator onboards through /admin (accounts 1 to 6 are the world's parties). */
export const NEW_PHARMACY_ACCOUNT = 7;

export interface RolesWorld {
  product: WorldProduct;
  acme: WorldParty;
  northwind: WorldParty;
  regulator: WorldParty;
  /** Not onboarded yet: the administrator does it in the browser. */
  newPharmacy: { account: PrivateKeyAccount; index: number; legalName: string; gln: string };
}

export async function seedRolesWorld({ world, chain }: SeedContext): Promise<RolesWorld> {
  const { acme, northwind, regulator } = world.parties;
  const product = await world.registerProduct(acme, {
    name: "Metformin",
    strength: "500 mg",
    dosageForm: "film-coated tablets",
  });
  const account = chain.accounts[NEW_PHARMACY_ACCOUNT];
  if (account === undefined) throw new Error(`The test chain has no account ${NEW_PHARMACY_ACCOUNT}`);
  return {
    product,
    acme,
    northwind,
    regulator,
    newPharmacy: { account, index: NEW_PHARMACY_ACCOUNT, legalName: "Riverside Pharmacy", gln: glnOf("952000000077") },
  };
}

/** Connects the page's browser context as demo account `index` and waits for the role read from the chain. */
export async function connectAs(page: Page, index: number, role: string): Promise<void> {
  await page.goto("/");
  await clickUntilShown(page.getByTestId("connect-button").first(), page.getByRole("dialog"));
  const choice = page.getByTestId(`demo-account-${index}`);
  // The dialog reads every demo account's role from the chain before it names them.
  await page.locator(`[data-testid="demo-account-${index}"][data-role="${role}"]`).waitFor({ timeout: 15_000 });
  await choice.click();
  await page.locator(`[data-testid="wallet-status"][data-role="${role}"]`).waitFor({ timeout: 15_000 });
}

/**
 * Waits for the transaction helper inside `scope` to confirm, and returns the block it was mined
 * in (the helper's data-block). Fails with the helper's explanation when the write was refused.
 */
export async function confirmedBlock(scope: Page | Locator, timeout = 30_000): Promise<number> {
  const status = scope.getByTestId("tx-status").locator("[data-phase=confirmed], [data-phase=failed]");
  await status.first().waitFor({ timeout });
  const phase = await status.first().getAttribute("data-phase");
  const text = await status.first().innerText();
  assert.equal(phase, "confirmed", `the transaction was not recorded: ${text}`);
  const block = await status.first().getAttribute("data-block");
  assert.ok(block !== null && /^\d+$/.test(block), `the confirmation names no block: ${text}`);
  return Number(block);
}

/** Polls /api/health until the server's indexer has recorded `block` (no fixed sleeps). */
export async function waitForIndexed(baseUrl: string, block: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const report = await operatorHealth(baseUrl);
      last = JSON.stringify(report.indexer);
      if ((report.indexer?.cursor ?? -1) >= block) return;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`The indexer did not reach block ${block} in ${timeoutMs} ms: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Selects the option of `select` whose text contains `text` (option values are addresses and ids). */
export async function selectOptionContaining(select: Locator, text: string, timeout = 20_000): Promise<string> {
  const option = select.locator("option", { hasText: text });
  // Options come from the read model, which may still be catching up with the last write.
  await option.first().waitFor({ state: "attached", timeout });
  const value = await option.first().getAttribute("value");
  assert.ok(value, `the option "${text}" has no value`);
  await select.selectOption(value);
  return value;
}

/**
 * Looks at a main page as a reviewer would: a laptop screenshot, an axe check, and a phone-size
 * screenshot of the same page, which must not scroll sideways there (the viewport is then put back).
 */
export async function lookAt(page: Page, name: string, what: string): Promise<void> {
  await screenshot(page, `${name}-laptop`);
  await expectAccessible(page, what);
  await page.setViewportSize(PHONE.viewport);
  await screenshot(page, `${name}-phone`);
  // On a phone a wide table scrolls inside its box; the page itself never scrolls sideways.
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(
    pageWidth <= PHONE.viewport.width,
    `${what} is ${pageWidth} px wide on a ${PHONE.viewport.width} px phone screen: something overflows`,
  );
  await page.setViewportSize(LAPTOP.viewport);
}
