/**
 * A browser story told in steps by several parties, each in a laptop-sized context of its own
 * (its own wallet) signed in as a demo account. The steps share the story's state: once one
 * fails, the later ones are skipped instead of failing for a reason that is not theirs, and what
 * each party's screen showed is photographed as `<name>-FAILED-<context>-<page>`.
 */
import { it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { LAPTOP, newContext, screenshot } from "./browser.ts";
import { connectAs } from "./roles-world.ts";

export interface Story {
  /** Every party's context, for the closing checks. */
  readonly contexts: BrowserContext[];
  /** Requests a closed page sent outside the app and the chain. */
  readonly offsiteRequests: string[];
  readonly pageErrors: string[];
  partyPage(index: number, role: string): Promise<Page>;
  step(name: string, body: () => Promise<void>): void;
  close(): Promise<void>;
}

/** @param session the browser and the stack's addresses, read when a party's page opens */
export function story(name: string, session: () => { browser: Browser; baseUrl: string; rpcUrl: string }): Story {
  const contexts: BrowserContext[] = [];
  const offsiteRequests: string[] = [];
  const pageErrors: string[] = [];
  let brokenAt: string | null = null;
  return {
    contexts,
    offsiteRequests,
    pageErrors,
    async partyPage(index, role) {
      const { browser, baseUrl, rpcUrl } = session();
      const { context, offsiteRequests: offsite } = await newContext(browser, baseUrl, LAPTOP, {}, [rpcUrl]);
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(`${role} (account ${index}) at ${page.url()}: ${error.message}`));
      page.on("close", () => offsiteRequests.push(...offsite));
      await connectAs(page, index, role);
      return page;
    },
    step(stepName, body) {
      it(stepName, { timeout: 180_000 }, async (t) => {
        if (brokenAt !== null) return t.skip(`skipped: the step "${brokenAt}" failed`);
        try {
          await body();
        } catch (error) {
          brokenAt = stepName;
          for (const [i, context] of contexts.entries()) {
            for (const [j, page] of context.pages().entries()) {
              await screenshot(page, `${name}-FAILED-${i}-${j}`).catch(() => {});
            }
          }
          throw error;
        }
      });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
    },
  };
}
