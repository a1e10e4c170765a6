/**
 * Looks at every dashboard page as each party of the demo world, on a laptop and a phone screen:
 * connects through the connect dialog with a demo account, opens the role's pages, fails on a
 * page error, a console error or a page wider than the screen, and writes screenshots. Needs a
 * server (BASE_URL, default http://localhost:3101) on a chain seeded with the demo world
 * (test/ui/demo-world.ts; account indexes as in scripts/demo/world.ts).
 *
 *   node test/ui/smoke.ts [outDir]
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { privateKeyToAccount } from "viem/accounts";
import { PARTIES as DEMO_PARTIES } from "../../../../scripts/demo/world.ts";
import type { PartyResponse, ProductsResponse } from "../../src/lib/api/read.ts";
import { TEST_PRIVATE_KEYS } from "../support/chain.ts";
import { signInAs } from "../support/signIn.ts";

const base = process.env.BASE_URL ?? "http://localhost:3101";
const outDir = process.argv[2] ?? "/tmp/ui/shots";
mkdirSync(outDir, { recursive: true });

// The read API answers signed-in participants only: the auditor's reads below are the regulator's.
const regulator = privateKeyToAccount(TEST_PRIVATE_KEYS[DEMO_PARTIES.agency.index]!);
const signedIn = await signInAs(base, regulator);
if (signedIn.status !== 200) {
  throw new Error(`Signing in as the demo regulator: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
}
const asRegulator = { authorization: `Bearer ${signedIn.body.token}` };

async function get<T>(pathname: string): Promise<T> {
  const response = await fetch(`${base}${pathname}`, { headers: asRegulator });
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

// The auditor's detail pages, found through the read API: a product, a pharmacy, a shipment's transaction.
const CENTRAL = "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65";
const { products } = await get<ProductsResponse>("/api/products");
const central = await get<PartyResponse>(`/api/parties/${CENTRAL}`);
const shipment = Object.values(central.incoming).flat()[0];
const product = products[0];
if (!product || !shipment) throw new Error("The server's world has no product or no shipment: seed the demo world.");
const auditorPages = [
  "/auditor",
  `/auditor/search?q=${encodeURIComponent(product.name)}`,
  `/auditor/products/${product.gtin}`,
  `/auditor/batches/${shipment.gtin}/${encodeURIComponent(shipment.lot)}`,
  `/auditor/parties/${CENTRAL}`,
  `/auditor/transactions/${shipment.shippedTx}`,
];

const visits: { account: number; role: string; name: string; pages: string[] }[] = [
  { account: 0, role: "ADMIN", name: "admin", pages: ["/admin"] },
  { account: 1, role: "MANUFACTURER", name: "acme", pages: ["/manufacturer", "/stock"] },
  { account: 2, role: "MANUFACTURER", name: "borealis", pages: ["/manufacturer"] },
  { account: 3, role: "DISTRIBUTOR", name: "northwind", pages: ["/stock"] },
  { account: 4, role: "PHARMACY", name: "central", pages: ["/counter", "/stock"] },
  { account: 5, role: "PHARMACY", name: "harbour", pages: ["/stock"] },
  { account: 6, role: "REGULATOR", name: "agency", pages: auditorPages },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
  ],
});
const problems: string[] = [];

async function connectAs(page: Page, account: number) {
  await page.goto(`${base}/`);
  await page.getByTestId("connect-button").first().click();
  await page.getByTestId(`demo-account-${account}`).click();
  await page.getByTestId("wallet-status").waitFor({ timeout: 15_000 });
}

for (const [label, viewport] of [
  ["laptop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const) {
  for (const visit of visits) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`${label} ${visit.name}: page error ${error.message}`));
    page.on("console", (message) => {
      // Next's dev server refuses the HMR socket and serves no favicon: not the pages' doing.
      if (/favicon|_next\/hmr|WebSocket|status of 404/.test(message.text())) return;
      if (message.type() === "error") problems.push(`${label} ${visit.name}: console ${message.text()}`);
    });
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (!["127.0.0.1", "localhost"].includes(url.hostname) && url.protocol.startsWith("http")) {
        problems.push(`${label} ${visit.name}: request left the machine: ${request.url()}`);
      }
    });
    await connectAs(page, visit.account);
    // The role is read from the chain just after connecting.
    await page
      .locator(`[data-testid="wallet-status"][data-role="${visit.role}"]`)
      .waitFor({ timeout: 10_000 })
      .catch(() => {});
    const role = await page.getByTestId("wallet-status").getAttribute("data-role");
    if (role !== visit.role) problems.push(`${label}: account ${visit.account} is ${role}, expected ${visit.role}`);
    for (const pathname of visit.pages) {
      await page.goto(`${base}${pathname}`);
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(800);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0)
        problems.push(`${label} ${visit.name} ${pathname}: the page is ${overflow} px wider than the screen`);
      const slug = pathname.split("?")[0]!.split("/").filter(Boolean).slice(0, 2).join("-");
      const file = path.join(outDir, `${label}-${slug}-${visit.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${file}`);
      // With PACK_CODE (a genuine pack the pharmacy holds), dispense it at the counter and undo it.
      if (pathname === "/counter" && label === "laptop" && process.env.PACK_CODE) {
        await page.getByLabel("Pack code").fill(process.env.PACK_CODE);
        await page.getByRole("button", { name: "Check" }).click();
        await page.getByTestId("pack-check").waitFor();
        await page.waitForTimeout(4000);
        await page.screenshot({ path: path.join(outDir, "laptop-counter-checked.png"), fullPage: true });
        await page.getByTestId("dispense-button").click();
        await page.locator('[data-testid="tx-status"] [data-phase="confirmed"]').waitFor({ timeout: 20_000 });
        await page.screenshot({ path: path.join(outDir, "laptop-counter-dispensed.png"), fullPage: true });
        await page.getByRole("button", { name: "Check" }).click();
        await page.getByTestId("undo-dispense-button").click();
        await page.locator('[data-testid="tx-status"] [data-phase="confirmed"]').waitFor({ timeout: 20_000 });
        console.log("dispensed and undone at the counter");
      }
    }
    await context.close();
  }
}
await browser.close();
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("no page errors");
