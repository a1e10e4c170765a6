/**
 * A saleable return in the browser (DSCSA; the VRS requester, docs/INTEROP.md): Central Pharmacy
 * sent two packs of Acme's Amoxicillin back to Northwind. Acme registered its responder (this
 * Pedigree's /vrs) in the lookup directory for its company prefix and issued Northwind a credential,
 * which Northwind stored.
 *
 * - The return's Receive button is disabled, saying that 2 of 2 packs have no passing verification.
 * - Northwind types each pack's code and verifies it with Acme: each answer is listed as Verified.
 * - With both verified the button is enabled, and the return is received on the ledger.
 *
 * Screenshots go to test-results/screenshots/ (returns-*.png).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe } from "node:test";
import type { Browser, Page } from "playwright-core";
import { toHri } from "@pedigree/gs1";
import { signIn } from "../../../scripts/cli/api.ts";
import { COMPANY_PREFIXES, type WorldBatch } from "../test/support/world.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";
import { receiveReturn, returnCard, verifyReturnedPack } from "./support/returns.ts";
import { lookAt } from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { startStack, type SeedContext, type Stack } from "./support/stack.ts";

const REFERENCE = "RET-E2E-0001";

interface ReturnsWorld {
  amoxicillin: WorldBatch;
}

async function seed({ world }: SeedContext): Promise<ReturnsWorld> {
  const { acme, northwind, central } = world.parties;
  const product = await world.registerProduct(acme, { name: "Amoxicillin" });
  const amoxicillin = await world.registerBatch(acme, product, { lot: "AMX-R1", packs: 20 });
  await world.receive(await world.ship(acme, northwind, [{ batch: amoxicillin, quantity: 10 }], "ASN-R-0001"));
  await world.receive(await world.ship(northwind, central, [{ batch: amoxicillin, quantity: 6 }], "ASN-R-0002"));
  await world.ship(central, northwind, [{ batch: amoxicillin, quantity: 2 }], REFERENCE);
  return { amoxicillin };
}

let stack: Stack<ReturnsWorld>;
let browser: Browser;

const parties = story("returns", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { pageErrors, partyPage, step } = parties;

/** A JSON call to the app's API as a signed-in party (its session token). */
async function apiCall(token: string, method: string, route: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(stack.url(route), {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

before(async () => {
  stack = await startStack(seed, {
    serverEnv: { PEDIGREE_SECRET_KEY: randomBytes(32).toString("hex"), PEDIGREE_VRS_ALLOW_LOOPBACK: "on" },
  });
  browser = await launchBrowser();
  // Acme's side and Northwind's set-up, as their systems (or the CLI) would do it.
  const { acme, northwind } = stack.world.parties;
  const acmeToken = await signIn(stack.baseUrl, acme.account, stack.chain.chainId);
  const northwindToken = await signIn(stack.baseUrl, northwind.account, stack.chain.chainId);
  await apiCall(acmeToken, "PUT", "/api/vrs-directory", {
    prefix: COMPANY_PREFIXES.acme,
    responderUrl: `${stack.baseUrl}/vrs`,
  });
  const issued = await apiCall(acmeToken, "POST", "/api/vrs-credentials", {
    partnerGln: northwind.gln,
    label: "Northwind returns desk",
  });
  await apiCall(northwindToken, "PUT", "/api/vrs-requester-credentials", {
    responderUrl: `${stack.baseUrl}/vrs`,
    token: issued.token,
    label: "Acme",
  });
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

describe("a distributor verifies a pharmacy's return with the manufacturer, then receives it", () => {
  let northwind: Page;
  const card = () => returnCard(northwind, REFERENCE);

  step("the return cannot be received before its packs are verified, and the page says why", async () => {
    northwind = await partyPage(2, "DISTRIBUTOR");
    await northwind.goto("/stock");
    await card().getByTestId("return-verification").waitFor({ timeout: 20_000 });
    const receive = card().getByTestId("receive-shipment");
    assert.equal(await receive.isDisabled(), true, "Receive is disabled");
    const why = card().getByTestId("receive-blocked");
    assert.match(await why.innerText(), /2 of 2 pack\(s\) of GTIN \d{14}, lot AMX-R1 have no passing verification/);
    assert.equal(await receive.getAttribute("aria-describedby"), await why.getAttribute("id"));
    await lookAt(northwind, "returns-unverified", "A return waiting for verification");
  });

  step("each pack is verified with Acme's responder and listed as verified", async () => {
    const { amoxicillin } = stack.fixtures;
    for (const index of [0, 1]) {
      const answer = await verifyReturnedPack(card(), codeOf(amoxicillin, index), amoxicillin.manifest.serials[index]!);
      assert.match(answer, /Verified[\s\S]*the manufacturer verified the identifier/);
    }
    assert.match(await card().getByTestId("return-lines").innerText(), /2 of 2 verified/);
    await card().getByTestId("receive-blocked").waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await card().getByTestId("receive-shipment").isDisabled(), false, "Receive is enabled");
    await screenshot(northwind, "returns-verified");
  });

  step("the verified return is received on the ledger", async () => {
    await receiveReturn(card());
    assert.deepEqual(pageErrors, []);
  });
});
