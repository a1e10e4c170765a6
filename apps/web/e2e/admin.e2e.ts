/**
 * The administrator's emergency decisions in the browser, on a local chain with the test world's
 * parties: none acts on one click any more.
 *
 * - Pausing the ledger opens a dialog that says what stops and what keeps working, asks for the
 *   reason (refused empty), and gives the focus back to its button; the reason is then on the
 *   administrator's page and in the banner every participant sees, and on chain.
 * - Resuming asks for its own reason, which the page then shows.
 * - Suspending Northwind says what it can no longer do, records the reason, and the participant
 *   list shows it with when and by whom; Northwind's own pages say it is suspended, and the
 *   regulator's page of Northwind gives the reason. Reinstating asks for a reason too.
 *
 * Screenshots go to test-results/screenshots/ (admin-*.png).
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { Browser, Page } from "playwright-core";
import { pedigreeLedgerAbi } from "@pedigree/ledger";
import { expectAccessible, launchBrowser, screenshot } from "./support/browser.ts";
import { confirmedBlock, lookAt, waitForIndexed } from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { startStack, type Stack } from "./support/stack.ts";

const PAUSE_REASON = "Signing key of a wholesaler reported leaked";
const RESUME_REASON = "Key revoked and Northwind suspended";
const SUSPEND_REASON = "Wholesale licence withdrawn by the Medicines Agency";
const REINSTATE_REASON = "Licence restored on appeal";

let stack: Stack<Record<string, never>>;
let browser: Browser;

const parties = story("admin", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { contexts, pageErrors, partyPage, step } = parties;

before(async () => {
  stack = await startStack(async () => ({}));
  browser = await launchBrowser();
});

after(async () => {
  await parties.close();
  await browser?.close();
  await stack?.stop();
});

/** Waits until the element with `testId` (inside `within`, when given) has the focus. */
async function expectFocusOn(page: Page, testId: string, within?: string): Promise<void> {
  try {
    await page.waitForFunction(
      ([id, scope]) => {
        const active = document.activeElement;
        return active?.getAttribute("data-testid") === id && (!scope || active.closest(scope) !== null);
      },
      [testId, within ?? ""] as const,
      { timeout: 5_000 },
    );
  } catch {
    const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? "nothing");
    assert.fail(`the focus is on ${focused}, not on [data-testid=${testId}]`);
  }
}

/** Waits for the dashboard's sign-in (it signs in as it connects): the audit pages are rendered for a session. */
async function signedIn(page: Page): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await page.context().cookies()).some((cookie) => cookie.name === "pedigree_session")) {
    if (Date.now() > deadline) assert.fail("the dashboard did not sign in within 20 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const paused = () =>
  stack.chain.publicClient.readContract({
    address: stack.chain.address,
    abi: pedigreeLedgerAbi,
    functionName: "paused",
  });

describe("the administrator pauses, resumes, suspends and reinstates, each with a confirmation and a reason", () => {
  let admin: Page;
  let northwind: Page;
  const row = () => admin.locator(`tr[data-address="${stack.world.parties.northwind.address.toLowerCase()}"]`);

  step("pausing opens a dialog that says what stops, refuses an empty reason and gives the focus back", async () => {
    admin = await partyPage(0, "ADMIN");
    await admin.waitForURL(/\/admin$/);
    const opener = admin.getByTestId("pause-decision");
    await opener.click();
    const dialog = admin.getByRole("dialog", { name: "Pause the ledger" });
    await dialog.waitFor();
    const said = await dialog.innerText();
    assert.match(said, /Every write to the ledger stops for every participant until the ledger is resumed/);
    assert.match(said, /Reads and patient checks keep working/);
    await screenshot(admin, "admin-pause-dialog-laptop");
    await expectAccessible(admin, "The pause dialog");

    // Closed without a decision: nothing is sent and the focus is back on the button.
    await admin.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expectFocusOn(admin, "pause-decision");
    assert.equal(await paused(), false);

    await opener.click();
    await dialog.getByRole("button", { name: "Pause the ledger" }).click();
    await dialog.getByText("Give the reason: it is recorded on the ledger with the decision.").waitFor();
    assert.equal(await admin.getByTestId("pause-control").getByTestId("tx-status").count(), 0, "nothing was sent");
    await screenshot(admin, "admin-pause-dialog-no-reason-laptop");
  });

  step("the pause is recorded with its reason, which the admin page and every participant's banner show", async () => {
    const dialog = admin.getByRole("dialog", { name: "Pause the ledger" });
    await dialog.getByLabel("Reason").fill(PAUSE_REASON);
    await dialog.getByRole("button", { name: "Pause the ledger" }).click();
    await dialog.waitFor({ state: "detached" });
    await expectFocusOn(admin, "pause-decision");
    await waitForIndexed(stack.baseUrl, await confirmedBlock(admin.getByTestId("pause-control")));
    assert.equal(await paused(), true);
    const decision = admin.getByTestId("last-pause-decision");
    await decision.waitFor({ timeout: 20_000 });
    assert.match(await decision.innerText(), new RegExp(`^Paused on .+ by you: “${PAUSE_REASON}”$`));
    // The same button now resumes, and still has the focus.
    await admin.getByRole("button", { name: "Resume the ledger…" }).waitFor({ timeout: 20_000 });
    await expectFocusOn(admin, "pause-decision");
    await lookAt(admin, "admin-paused", "The admin page while the ledger is paused");

    northwind = await partyPage(2, "DISTRIBUTOR");
    await northwind.goto("/stock");
    const banner = northwind.getByTestId("ledger-paused");
    await banner.getByTestId("pause-reason").waitFor({ timeout: 20_000 });
    assert.match(await banner.innerText(), new RegExp(`Paused on .+: “${PAUSE_REASON}”`));
    await lookAt(northwind, "admin-paused-distributor", "A distributor's page while the ledger is paused");
  });

  step("resuming asks for its own reason, which the page then shows", async () => {
    await admin.getByTestId("pause-decision").click();
    const dialog = admin.getByRole("dialog", { name: "Resume the ledger" });
    assert.match(await dialog.innerText(), /Every participant can write again/);
    await dialog.getByLabel("Reason").fill(RESUME_REASON);
    await dialog.getByRole("button", { name: "Resume the ledger" }).click();
    await dialog.waitFor({ state: "detached" });
    await waitForIndexed(stack.baseUrl, await confirmedBlock(admin.getByTestId("pause-control")));
    assert.equal(await paused(), false);
    await admin
      .getByTestId("last-pause-decision")
      .getByText(`Resumed on`, { exact: false })
      .waitFor({ timeout: 20_000 });
    assert.match(await admin.getByTestId("last-pause-decision").innerText(), new RegExp(`“${RESUME_REASON}”$`));
    await admin.getByRole("button", { name: "Pause the ledger…" }).waitFor({ timeout: 20_000 });
    await northwind.reload();
    await northwind.getByTestId("stock-table").or(northwind.getByText("You hold no stock.")).first().waitFor();
    assert.equal(await northwind.getByTestId("ledger-paused").count(), 0, "the banner is gone once resumed");
  });

  step("suspending Northwind says what it can no longer do and records the reason, shown in the list", async () => {
    const { northwind: party } = stack.world.parties;
    await row().getByTestId("participant-decision").click();
    const dialog = admin.getByRole("dialog", { name: "Suspend Northwind Wholesale" });
    await dialog.waitFor();
    assert.match(
      await dialog.innerText(),
      new RegExp(
        `Northwind Wholesale \\(GLN ${party.gln}\\) can no longer ship, receive or return stock until reinstated`,
      ),
    );
    await screenshot(admin, "admin-suspend-dialog-laptop");
    await expectAccessible(admin, "The suspension dialog");
    await dialog.getByRole("button", { name: "Suspend", exact: true }).click();
    await dialog.getByText("Give the reason: it is recorded on the ledger with the decision.").waitFor();

    await dialog.getByLabel("Reason").fill(SUSPEND_REASON);
    await dialog.getByRole("button", { name: "Suspend", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await expectFocusOn(admin, "participant-decision", `tr[data-address="${party.address.toLowerCase()}"]`);
    await waitForIndexed(stack.baseUrl, await confirmedBlock(row()));
    const status = row().getByTestId("participant-status");
    await status.getByText(SUSPEND_REASON, { exact: false }).waitFor({ timeout: 20_000 });
    assert.match(await status.innerText(), new RegExp(`Suspended\\s+Suspended on .+ by you: “${SUSPEND_REASON}”`));
    const record = await stack.chain.publicClient.readContract({
      address: stack.chain.address,
      abi: pedigreeLedgerAbi,
      functionName: "participant",
      args: [party.address],
    });
    assert.equal(record.suspended, true);
    await lookAt(admin, "admin-participant-suspended", "The participant list with a suspended participant");

    // Northwind is told, on its own pages.
    await northwind.reload();
    await northwind.getByText("This account is suspended").waitFor({ timeout: 20_000 });
    await screenshot(northwind, "admin-suspended-distributor-laptop");

    // A regulator reads why on Northwind's page.
    const regulator = await partyPage(5, "REGULATOR");
    await signedIn(regulator);
    await regulator.goto(`/auditor/parties/${party.address}`);
    const partyRecord = regulator.getByTestId("party-record");
    await partyRecord.getByText(SUSPEND_REASON, { exact: false }).waitFor({ timeout: 20_000 });
    await screenshot(regulator, "admin-suspended-party-regulator-laptop");
  });

  step("reinstating asks for a reason too, and the list then shows the reinstatement", async () => {
    await row().getByTestId("participant-decision").click();
    const dialog = admin.getByRole("dialog", { name: "Reinstate Northwind Wholesale" });
    assert.match(await dialog.innerText(), /can act on the ledger again as a distributor/);
    await dialog.getByLabel("Reason").fill(REINSTATE_REASON);
    await dialog.getByRole("button", { name: "Reinstate", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await waitForIndexed(stack.baseUrl, await confirmedBlock(row()));
    const status = row().getByTestId("participant-status");
    await status.getByText(REINSTATE_REASON, { exact: false }).waitFor({ timeout: 20_000 });
    assert.match(await status.innerText(), new RegExp(`Active\\s+Reinstated on .+ by you: “${REINSTATE_REASON}”`));
    await screenshot(admin, "admin-participant-reinstated-laptop");
  });

  step("no page failed", async () => {
    for (const context of contexts) for (const page of context.pages()) await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
