/**
 * The demo organisations write through their own server (issue 14, items 2 and 6): on `npm
 * start`'s demo world, with the demo keystores `npm start` writes (scripts/demo/keys.ts) and the
 * server pointed at them, Central Pharmacy signed in dispenses a pack at the counter. The write
 * goes to POST /api/writes and is signed there: the page shows it queued, then confirmed, and
 * never asks the wallet for a signature (the browser sends no transaction to the chain); the
 * server's record of the write names the pharmacy as the one who asked, and the transaction is
 * from the pharmacy's account.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { getAddress, type Hash } from "viem";
import { createDemoKeys, demoKeysEnv } from "../../../scripts/demo/keys.ts";
import { PARTIES } from "../../../scripts/demo/world.ts";
import { expectAccessible, LAPTOP, launchBrowser, newContext, screenshot } from "./support/browser.ts";
import { confirmedBlock, connectAs, waitForIndexed } from "./support/roles-world.ts";
import { startDemoStack, type DemoStack } from "./support/stack.ts";

let stack: DemoStack;
let browser: Browser;
let keysFolder: string;
const contexts: BrowserContext[] = [];

before(async () => {
  keysFolder = mkdtempSync(path.join(os.tmpdir(), "pedigree-e2e-keys-"));
  const keys = await createDemoKeys(keysFolder);
  stack = await startDemoStack({ serverEnv: demoKeysEnv(keys) });
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await stack?.stop();
  if (keysFolder) rmSync(keysFolder, { recursive: true, force: true });
});

describe("a demo organisation writes through its server, without a wallet", () => {
  it(
    "Central Pharmacy dispenses at the counter: queued, confirmed, no wallet prompt, the record names it",
    { timeout: 240_000 },
    async () => {
      const genuine = stack.fixtures.examples.find((example) => example.verdict === "GENUINE");
      assert.ok(genuine, "the demo world has a genuine pack at Central Pharmacy");
      const { context } = await newContext(browser, stack.baseUrl, LAPTOP, {}, [stack.chain.rpcUrl]);
      contexts.push(context);
      // Every transaction the browser would send to the chain (a wallet's signature): there must be none.
      const sentByBrowser: string[] = [];
      context.on("request", (request) => {
        if (!request.url().startsWith(stack.chain.rpcUrl)) return;
        const body = request.postData() ?? "";
        if (/eth_sendRawTransaction|eth_sendTransaction/.test(body)) sentByBrowser.push(body.slice(0, 200));
      });
      // Every phase the transaction display shows, however briefly.
      await context.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { __phases: string[] }).__phases = seen;
        new MutationObserver(() => {
          for (const element of document.querySelectorAll("[data-phase]")) {
            const phase = element.getAttribute("data-phase")!;
            if (seen.at(-1) !== phase) seen.push(phase);
          }
        }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-phase"] });
      });
      const page = await context.newPage();
      try {
        await connectAs(page, PARTIES.central.index, "PHARMACY");
        // Signed in as it connected (the session keeper, a moment later); then the server says it signs for the pharmacy.
        const signing = await page.evaluate(async () => {
          for (const deadline = Date.now() + 30_000; ;) {
            const response = await fetch("/api/signing", { cache: "no-store" });
            if (response.status !== 401 || Date.now() > deadline) {
              return { status: response.status, body: (await response.json()) as { signsHere?: boolean } };
            }
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        });
        assert.equal(signing.body.signsHere, true, `the server signs for Central Pharmacy: ${JSON.stringify(signing)}`);
        await page.goto("/counter");
        const field = page.getByLabel("Pack code", { exact: true });
        await field.waitFor();
        await page.waitForLoadState("networkidle");
        await field.fill(genuine.hri);
        await field.press("Enter");
        const check = page.getByTestId("pack-check");
        await check.getByTestId("dispense-button").waitFor({ timeout: 60_000 });
        await check.getByTestId("dispense-button").click();

        const block = await confirmedBlock(check, 60_000);
        await waitForIndexed(stack.baseUrl, block);
        assert.match(await check.getByTestId("tx-status").innerText(), /Dispensed and recorded/);
        await screenshot(page, "server-signing-dispensed");
        await expectAccessible(page, "The counter after a dispense signed by the server");

        const phases = await page.evaluate(() => (window as unknown as { __phases: string[] }).__phases);
        assert.ok(phases.includes("queued"), `the write was queued on the server: ${phases.join(", ")}`);
        assert.ok(!phases.includes("signing"), `the wallet was never asked: ${phases.join(", ")}`);
        assert.deepEqual(sentByBrowser, [], "the browser sent no transaction to the chain");

        // The server's record: who asked, for what, and the transaction it signed.
        const writes = await page.evaluate(async () => {
          const response = await fetch("/api/writes", { cache: "no-store" });
          return (await response.json()) as {
            writes: {
              operation: string;
              status: string;
              arguments: { serial?: string };
              requestedBy: { kind: string; label: string };
              transaction: { hash: string; blockNumber: number } | null;
            }[];
          };
        });
        const dispense = writes.writes.find((write) => write.operation === "dispense");
        assert.ok(dispense, `the dispense is in the pharmacy's writes: ${JSON.stringify(writes)}`);
        assert.equal(dispense.status, "confirmed");
        assert.equal(dispense.arguments.serial, genuine.serial);
        assert.deepEqual(dispense.requestedBy.kind, "person");
        assert.equal(dispense.requestedBy.label, PARTIES.central.name);
        assert.equal(dispense.transaction?.blockNumber, block);
        const transaction = await stack.chain.publicClient.getTransaction({ hash: dispense.transaction!.hash as Hash });
        const central = stack.fixtures.accounts.find((account) => account.name === PARTIES.central.name)!;
        assert.equal(getAddress(transaction.from), getAddress(central.address), "signed with the pharmacy's own key");
      } catch (error) {
        await screenshot(page, "server-signing-FAILED").catch(() => {});
        throw error;
      }
    },
  );
});
