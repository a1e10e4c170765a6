/**
 * The VRS set-up through the dashboard's forms, then the demo world's saleable return verified with
 * it (docs/INTEROP.md, "The lookup directory" and "The requester"). The demo world is seeded without
 * its VRS set-up (scripts/demo/vrs.ts is `npm start`'s), so nothing but the forms makes it work:
 *
 * - Acme's quality lead, on its Batches page ("Where partners verify your packs"): a prefix that is
 *   Borealis's and an http address are refused with the server's reason; the entry for Acme's company
 *   prefix, at this Pedigree's own responder, is saved and listed. An entry for one product is added,
 *   its address changed in a dialog and removed after a confirmation (the focus goes back to the
 *   control that opened each dialog, then to the list once its button is gone). Acme issues
 *   Northwind a credential.
 * - Northwind's clerk, on Stock & inbox ("Credentials for manufacturers' responders"): an http
 *   address is refused with the server's reason and the secret field is emptied; Acme's responder is
 *   listed as lacking a credential, and adding it keeps only its last four characters on the page.
 * - Northwind verifies both packs of the demo return (CP-RET-251121) with Acme, receives it, and
 *   then removes the credential.
 *
 * Both pages are photographed at laptop and phone width (test-results/screenshots/vrs-setup-*.png)
 * and checked with axe.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { launchBrowser, PHONE, LAPTOP, SCREENSHOT_DIR } from "./support/browser.ts";
import { receiveReturn, returnCard, verifyReturnedPack } from "./support/returns.ts";
import { lookAt } from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { startDemoStack, type DemoStack } from "./support/stack.ts";

let stack: DemoStack;
let browser: Browser;

const parties = story("vrs-setup", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { pageErrors, partyPage, step } = parties;

before(async () => {
  stack = await startDemoStack({
    serverEnv: { PEDIGREE_SECRET_KEY: randomBytes(32).toString("hex"), PEDIGREE_VRS_ALLOW_LOOPBACK: "on" },
  });
  browser = await launchBrowser();
});

after(async () => {
  await parties.close();
  await browser?.close();
  await stack?.stop();
});

function account(role: string, name: string) {
  const found = stack.fixtures.accounts.find((a) => a.role === role && a.name.startsWith(name));
  assert.ok(found, `the demo world has no ${role} ${name}`);
  return found;
}

/** The aria-label (or the name) of the element that has the focus. */
function focused(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const element = document.activeElement;
    return element?.getAttribute("aria-label") ?? element?.getAttribute("name") ?? null;
  });
}

/** A section's photograph at laptop and phone width (the whole page's comes from lookAt). */
async function photograph(page: Page, section: Locator, name: string): Promise<void> {
  await section.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-laptop.png`) });
  await page.setViewportSize(PHONE.viewport);
  await section.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-phone.png`) });
  await page.setViewportSize(LAPTOP.viewport);
}

describe("a manufacturer and a distributor set up return verification in the dashboard, and a return verifies", () => {
  let acme: Page;
  let northwind: Page;
  let token = "";
  const responderUrl = () => `${stack.baseUrl}/vrs`;
  const directory = () => acme.locator("#vrs-directory");
  const addEntry = () => directory().getByRole("form", { name: "Add a directory entry" });
  const credentials = () => northwind.locator("#responder-credentials");
  const addCredential = () => credentials().getByRole("form", { name: "Add a credential" });

  /** Fills the directory form and saves it; returns the error notice's text, or null once saved. */
  async function saveEntry(prefix: { choice: string; other?: string }, url: string | "this"): Promise<string | null> {
    const form = addEntry();
    await form.getByLabel("Packs it answers for", { exact: true }).selectOption(prefix.choice);
    if (prefix.other !== undefined) await form.getByLabel("Prefix or GTIN", { exact: true }).fill(prefix.other);
    if (url === "this") await form.getByRole("button", { name: "Use this Pedigree's responder" }).click();
    else await form.getByLabel("Responder's address", { exact: true }).fill(url);
    await form.getByTestId("save-directory-entry").click();
    const outcome = form.locator("[data-testid=directory-entry-error], [data-testid=directory-entry-saved]");
    await outcome.first().waitFor({ timeout: 20_000 });
    const error = form.getByTestId("directory-entry-error");
    return (await error.count()) > 0 ? error.innerText() : null;
  }

  step("the manufacturer is told why a prefix not its own and an http address are refused", async () => {
    acme = await partyPage(account("manufacturer", "Acme").index, "MANUFACTURER");
    await acme.goto("/manufacturer");
    await directory().locator("[data-state=empty]").waitFor({ timeout: 20_000 });
    assert.match(await directory().innerText(), /partners cannot find your responder/);

    // Borealis's company prefix: the server's ownership rule, in its words.
    const notOurs = await saveEntry({ choice: "other", other: "9520345" }, "this");
    assert.match(
      notOurs ?? "",
      /You may not register a responder for 9520345: .*not a company prefix the ledger assigned you/,
    );

    const http = await saveEntry({ choice: "952012" }, "http://vrs.example.com");
    assert.match(http ?? "", /over https only \(got http:\/\/vrs\.example\.com\)/);
    assert.equal(await directory().getByTestId("directory-entries").count(), 0, "nothing was saved");
  });

  step("the entry for Acme's company prefix is saved at this Pedigree's responder and listed", async () => {
    assert.equal(await saveEntry({ choice: "952012" }, "this"), null);
    const row = directory().locator('[data-testid=directory-entries] li[data-prefix="952012"]');
    await row.waitFor({ timeout: 20_000 });
    const text = await row.innerText();
    assert.match(text, /Company prefix 952012: every GTIN under it/);
    assert.ok(text.includes(responderUrl()), `the row names ${responderUrl()}: ${text}`);
    assert.match(text, /Updated \d+ \w+ \d{4}/);
    // The form is empty again for the next entry.
    assert.equal(await addEntry().getByLabel("Responder's address", { exact: true }).inputValue(), "");
  });

  step("a product's own entry is changed in a dialog and removed after a confirmation, the focus kept", async () => {
    const gtin = stack.fixtures.saleableReturn.packs[0]!.gtin;
    assert.equal(await saveEntry({ choice: gtin }, "https://vrs.example.com/acme"), null);
    const row = directory().locator(`[data-testid=directory-entries] li[data-prefix="${gtin}"]`);
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /GTIN \d{14}: Metformin/);

    // Escape closes the dialog; the Change button has the focus again.
    const change = row.getByRole("button", { name: `Change the responder for ${gtin}` });
    await change.click();
    const dialog = acme.getByRole("dialog", { name: `Change the responder for ${gtin}` });
    await dialog.waitFor();
    await acme.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal(await focused(acme), `Change the responder for ${gtin}`);

    // A new address, typed and sent with Enter.
    await change.press("Enter");
    await dialog.waitFor();
    const field = dialog.getByLabel("Responder's address", { exact: true });
    assert.equal(await focused(acme), "responderUrl", "the address field has the focus");
    await field.fill("https://vrs.example.com/acme-metformin");
    await field.press("Enter");
    await dialog.waitFor({ state: "detached", timeout: 20_000 });
    assert.match(await row.innerText(), /vrs\.example\.com\/acme-metformin/);
    assert.equal(await focused(acme), `Change the responder for ${gtin}`);

    await row.getByRole("button", { name: `Remove the entry for ${gtin}` }).click();
    const confirm = acme.getByRole("dialog", { name: `Remove the entry for ${gtin}?` });
    assert.match(await confirm.innerText(), /their returns of them cannot be verified/);
    await confirm.getByRole("button", { name: "Remove the entry", exact: true }).click();
    await row.waitFor({ state: "detached", timeout: 20_000 });
    assert.equal(await focused(acme), "Your directory entries", "the list has the focus once the row is gone");
    assert.equal(await directory().locator("[data-testid=directory-entries] li").count(), 1);

    await photograph(acme, directory(), "vrs-setup-directory");
    await lookAt(acme, "vrs-setup-manufacturer", "The manufacturer's page with its directory entries");
  });

  step("the manufacturer issues Northwind a credential", async () => {
    const form = acme.getByRole("form", { name: "Issue a credential" });
    await form.getByLabel("Partner's GLN", { exact: true }).fill(account("distributor", "Northwind").gln);
    await form.getByLabel("For", { exact: true }).fill("Northwind returns desk");
    await form.getByRole("button", { name: "Issue a credential" }).click();
    const issued = acme.getByTestId("issued-token");
    await issued.waitFor({ timeout: 20_000 });
    token = (await issued.locator(".font-mono").innerText()).trim();
    assert.ok(token.length >= 8, `a token was shown: '${token}'`);
  });

  step("the distributor is told why an http address is refused, and the secret is not left in the field", async () => {
    northwind = await partyPage(account("distributor", "Northwind").index, "DISTRIBUTOR");
    await northwind.goto("/stock");
    await credentials().locator("[data-state=empty]").waitFor({ timeout: 20_000 });
    const form = addCredential();
    await form.getByLabel("Responder's address", { exact: true }).fill("http://vrs.example.com");
    await form.getByLabel("Credential", { exact: true }).fill(token);
    await form.getByTestId("save-requester-credential").click();
    const error = form.getByTestId("requester-credential-error");
    await error.waitFor({ timeout: 20_000 });
    assert.match(await error.innerText(), /over https only \(got http:\/\/vrs\.example\.com\)/);
    assert.equal(await form.getByLabel("Credential", { exact: true }).inputValue(), "");
    assert.equal(await credentials().getByTestId("requester-credentials").count(), 0, "nothing was saved");
  });

  step("the credential for Acme's responder is added: only its last four characters are shown", async () => {
    const missing = credentials().getByTestId("responders-missing");
    await missing.waitFor({ timeout: 20_000 });
    assert.match(await missing.innerText(), /Acme Pharma AG/);
    await missing.getByRole("button", { name: `Add a credential for ${responderUrl()}` }).click();
    const form = addCredential();
    assert.equal(await form.getByLabel("Responder's address", { exact: true }).inputValue(), responderUrl());
    assert.equal(await focused(northwind), "token", "the credential field has the focus");
    await northwind.keyboard.insertText(token);
    await form.getByTestId("save-requester-credential").click();
    await form.getByTestId("requester-credential-saved").waitFor({ timeout: 20_000 });
    const row = credentials().locator(`[data-testid=requester-credentials] li[data-responder="${responderUrl()}"]`);
    await row.waitFor({ timeout: 20_000 });
    const text = await row.innerText();
    assert.match(text, /Acme Pharma AG/);
    assert.ok(text.includes(`…${token.slice(-4)}`), `the row shows the last four characters: ${text}`);
    assert.match(text, /Added \d+ \w+ \d{4}/);
    assert.equal(await form.getByLabel("Credential", { exact: true }).inputValue(), "");
    assert.equal((await northwind.content()).includes(token), false, "the page holds the credential nowhere");
    await missing.waitFor({ state: "detached", timeout: 10_000 });

    // Replace: Escape gives the focus back to the button.
    const replace = row.getByRole("button", { name: "Replace the credential for Acme Pharma AG" });
    await replace.click();
    await northwind.getByRole("dialog", { name: "Replace the credential for Acme Pharma AG" }).waitFor();
    await northwind.keyboard.press("Escape");
    assert.equal(await focused(northwind), "Replace the credential for Acme Pharma AG");

    await photograph(northwind, credentials(), "vrs-setup-credentials");
    await lookAt(northwind, "vrs-setup-distributor", "The distributor's page with its responder credentials");
  });

  step("the demo return's packs are verified with Acme's responder, and the return is received", async () => {
    const { saleableReturn } = stack.fixtures;
    const card = returnCard(northwind, saleableReturn.reference);
    await card.getByTestId("return-verification").waitFor({ timeout: 20_000 });
    for (const pack of saleableReturn.packs) {
      const answer = await verifyReturnedPack(card, pack.hri, pack.serial);
      assert.match(answer, /Verified[\s\S]*the manufacturer verified the identifier/);
    }
    await card.getByTestId("receive-blocked").waitFor({ state: "detached", timeout: 10_000 });
    await receiveReturn(card);
  });

  step("the credential is removed after a confirmation, and the list says what that means", async () => {
    const row = credentials().locator(`[data-testid=requester-credentials] li[data-responder="${responderUrl()}"]`);
    await row.getByRole("button", { name: "Remove the credential for Acme Pharma AG" }).click();
    const confirm = northwind.getByRole("dialog", { name: "Remove the credential for Acme Pharma AG?" });
    assert.match(await confirm.innerText(), /cannot be verified, nor received as saleable/);
    await confirm.getByRole("button", { name: "Remove the credential", exact: true }).click();
    await row.waitFor({ state: "detached", timeout: 20_000 });
    assert.equal(await focused(northwind), "Your credentials");
    assert.match(await credentials().locator("[data-state=empty]").innerText(), /No credential yet/);
    await credentials().getByTestId("responders-missing").waitFor({ timeout: 10_000 });
    assert.deepEqual(pageErrors, []);
  });
});
