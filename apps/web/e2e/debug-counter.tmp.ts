import { after, before, it } from "node:test";
import type { Browser } from "playwright-core";
import { LAPTOP, launchBrowser, newContext, screenshot } from "./support/browser.ts";
import { connectAs } from "./support/roles-world.ts";
import { startStack, type Stack } from "./support/stack.ts";
import type { WorldBatch } from "../test/support/world.ts";

let stack: Stack<{ held: WorldBatch }>;
let browser: Browser;
before(async () => {
  stack = await startStack(async ({ world }) => {
    const { acme, central } = world.parties;
    const product = await world.registerProduct(acme, {});
    const held = await world.registerBatch(acme, product, { lot: "CTR1", packs: 20 });
    await world.receive(await world.ship(acme, central, [{ batch: held, quantity: 10 }]));
    return { held };
  });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await stack?.stop(); });
it("debug", { timeout: 120_000 }, async () => {
  const { context } = await newContext(browser, stack.baseUrl, LAPTOP, {}, [stack.chain.rpcUrl]);
  const page = await context.newPage();
  page.on("console", (m) => console.log("console:", m.type(), m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  page.on("response", (r) => { if (r.url().includes("/api/")) console.log("resp", r.status(), r.url().slice(0, 160)); });
  await connectAs(page, 3, "PHARMACY");
  await page.goto("/counter");
  await page.getByLabel("Pack code", { exact: true }).waitFor();
  const b = stack.fixtures.held;
  const code = `]d201${b.gtin}17${String(b.expiry).slice(2)}10${b.lot}^21${b.manifest.serials[0]}`;
  await page.keyboard.type(code, { delay: 5 });
  await page.waitForTimeout(8000);
  console.log("value:", await page.getByLabel("Pack code", { exact: true }).inputValue());
  console.log("state:", await page.locator("[data-testid=pack-check]").evaluateAll((n) => n.map((x) => x.outerHTML.slice(0, 300))));
  await screenshot(page, "debug-counter");
  await context.close();
});
