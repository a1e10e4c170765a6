/**
 * Staff with passkeys in the browser, with Chromium's virtual authenticator (a platform
 * authenticator with user verification, as a laptop's fingerprint reader):
 *
 * - Acme, signed in with its wallet, invites a person from its Staff page and is shown the
 *   one-time link;
 * - the person opens the link in a browser of their own (no wallet), sees their name and role,
 *   creates their passkey and lands on Acme's dashboard, signed in as themselves for Acme;
 * - they sign out, sign in with "Sign in with a passkey", and are back on Acme's dashboard;
 * - the Staff page then lists them with their passkey, and the link no longer works.
 *
 * Passkeys need a site's name, not an IP address: the person works at localhost on the stack's
 * port (server/auth/origin.ts, passkeyOrigin). Screenshots: test-results/screenshots/staff-*.png.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { clickUntilShown, expectAccessible, LAPTOP, launchBrowser, newContext, screenshot } from "./support/browser.ts";
import { story } from "./support/story.ts";
import { startStack, type Stack } from "./support/stack.ts";

const PERSON = "Maria Keller";

let stack: Stack<Record<string, never>>;
let browser: Browser;

const parties = story("staff", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { pageErrors, partyPage, step } = parties;

before(async () => {
  stack = await startStack(async () => ({}));
  browser = await launchBrowser();
});

after(async () => {
  await parties.close();
  await staffContext?.close().catch(() => {});
  await browser?.close();
  await stack?.stop();
});

let acme: Page;
let link: string;
let staffContext: BrowserContext | undefined;
let person: Page;

/** The person's own browser: no wallet, a virtual passkey authenticator, pages at localhost. */
async function personBrowser(): Promise<Page> {
  const base = stack.baseUrl.replace("127.0.0.1", "localhost");
  const { context } = await newContext(browser, base, LAPTOP, {}, [stack.chain.rpcUrl]);
  staffContext = context;
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`staff at ${page.url()}: ${error.message}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}

describe("staff sign in with passkeys", () => {
  step("Acme's administrator invites a person and is shown the link once", async () => {
    acme = await partyPage(1, "MANUFACTURER");
    await acme.getByRole("link", { name: "Staff" }).click();
    await acme.getByRole("heading", { name: "Invite a person" }).waitFor();
    await acme.getByTestId("invite-name").fill(PERSON);
    await acme.getByTestId("invite-role").selectOption("clerk");
    await acme.getByTestId("invite-submit").click();
    link = (await acme.getByTestId("invitation-link").innerText()).trim();
    assert.match(link, /^http:\/\/localhost:\d+\/invite\/pdgi_[A-Za-z0-9_-]+$/);
    await acme.getByTestId("pending-invitations").getByText(PERSON).waitFor();
    await screenshot(acme, "staff-admin-invited");
    await expectAccessible(acme, "the Staff page");
  });

  step("the invited person opens the link and creates their passkey", async () => {
    person = await personBrowser();
    await person.goto(link);
    await person.getByRole("heading", { name: `Welcome, ${PERSON}` }).waitFor();
    await person.getByText("invites you to Pedigree as clerk").waitFor();
    await screenshot(person, "staff-invitation");
    await expectAccessible(person, "the invitation page");
    await person.getByTestId("create-passkey").click();
    await person.waitForURL(/\/manufacturer$/, { timeout: 30_000 });
    await person.getByTestId("staff-name").getByText(PERSON).waitFor({ timeout: 15_000 });
    await person.locator('[data-testid="wallet-status"][data-role="MANUFACTURER"]').waitFor();
    await screenshot(person, "staff-signed-in");
  });

  step("after signing out, they sign in with their passkey and see Acme's dashboard", async () => {
    await person.getByTestId("sign-out").click();
    await person.waitForURL(/\/$/, { timeout: 15_000 });
    await clickUntilShown(person.getByTestId("connect-button").first(), person.getByTestId("passkey-sign-in"));
    await screenshot(person, "staff-sign-in-dialog");
    await expectAccessible(person, "the sign-in dialog");
    await person.getByTestId("passkey-sign-in").click();
    await person.waitForURL(/\/manufacturer$/, { timeout: 30_000 });
    await person.getByTestId("staff-name").getByText(PERSON).waitFor({ timeout: 15_000 });
    await person.getByRole("heading", { level: 1 }).first().waitFor();
    // A clerk does not manage staff: no Staff link for them.
    assert.equal(await person.getByRole("link", { name: "Staff" }).count(), 0);
  });

  step("the Staff page lists them with their passkey; the link works no more", async () => {
    await acme.reload();
    const row = acme.getByTestId("staff-member").filter({ hasText: PERSON });
    await row.getByText("1 passkey").waitFor({ timeout: 15_000 });
    await person.goto(link);
    await person.getByTestId("invitation-used").waitFor();
  });

  step("no page failed on the way", async () => {
    assert.deepEqual(pageErrors, []);
  });
});
