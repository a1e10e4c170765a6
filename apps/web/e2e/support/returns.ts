/**
 * A distributor's steps on a pharmacy's return in its inbox (Stock & inbox, the VRS requester):
 * find the return's card, verify a pack with its manufacturer, receive the return. Shared by the
 * suites that end with a verified return (returns.e2e.ts, vrs-setup.e2e.ts).
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";

/** The incoming shipment card of the return with reference `reference`. */
export function returnCard(page: Page, reference: string): Locator {
  return page.getByTestId("incoming-shipments").locator("li[data-shipment-id]", { hasText: `ref. ${reference}` });
}

/** Types a returned pack's code into the card, verifies it with its manufacturer, and returns the answer's row text. */
export async function verifyReturnedPack(card: Locator, code: string, serial: string): Promise<string> {
  await card.getByLabel("Returned pack", { exact: true }).fill(code);
  await card.getByTestId("verify-returned-pack").click();
  const row = card.locator(`[data-testid=return-verifications] li[data-serial="${serial}"]`);
  await row.waitFor({ timeout: 20_000 });
  return row.innerText();
}

/** Receives the return and waits until it has left the inbox (fails with the write's explanation). */
export async function receiveReturn(card: Locator): Promise<void> {
  await card.getByTestId("receive-shipment").click();
  const deadline = Date.now() + 30_000;
  while ((await card.count()) > 0) {
    const failed = card.locator("[data-testid=tx-status] [data-phase=failed]");
    if ((await failed.count()) > 0) assert.fail(`the return was not received: ${await failed.innerText()}`);
    if (Date.now() > deadline) assert.fail("the return is still listed as pending");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
