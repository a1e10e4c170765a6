/**
 * Looks at every dashboard page as each party, on a laptop and a phone screen: connects through
 * the connect dialog with a demo account, opens the role's pages, fails on a page error or a
 * console error, and writes screenshots. Needs the dev server (BASE_URL, default
 * http://localhost:3101) on a chain with the dev world (test/ui/dev-world.ts).
 *
 *   node test/ui/smoke.ts [outDir]
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "playwright-core";

const base = process.env.BASE_URL ?? "http://localhost:3101";
const outDir = process.argv[2] ?? "/tmp/ui/shots";
mkdirSync(outDir, { recursive: true });

const visits: { account: number; role: string; pages: string[] }[] = [
  { account: 1, role: "MANUFACTURER", pages: ["/manufacturer", "/stock"] },
  { account: 2, role: "DISTRIBUTOR", pages: ["/stock"] },
  { account: 3, role: "PHARMACY", pages: ["/counter", "/stock"] },
  { account: 5, role: "REGULATOR", pages: ["/auditor"] },
  { account: 0, role: "ADMIN", pages: ["/admin"] },
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
    page.on("pageerror", (error) => problems.push(`${label} ${visit.role}: page error ${error.message}`));
    page.on("console", (message) => {
      // Next's dev server refuses the HMR socket and serves no favicon: not the pages' doing.
      if (/favicon|_next\/hmr|WebSocket|status of 404/.test(message.text())) return;
      if (message.type() === "error") problems.push(`${label} ${visit.role}: console ${message.text()}`);
    });
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (!["127.0.0.1", "localhost"].includes(url.hostname) && url.protocol.startsWith("http")) {
        problems.push(`${label} ${visit.role}: request left the machine: ${request.url()}`);
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
      const file = path.join(outDir, `${label}${pathname.replaceAll("/", "-")}-${visit.role.toLowerCase()}.png`);
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
