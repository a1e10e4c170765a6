/**
 * Whether a signed-in participant's page ever said something wrong about it while loading: "Not a
 * participant", another role, "Sign in to continue", a Sign in button. A MutationObserver installed
 * before the page's own scripts reads the page after every change, from the first HTML on; the
 * dashboard used to render "Not a participant" in the header until the wallet had reconnected and
 * the browser's chain reads had answered.
 *
 * ```ts
 * await watchWrongClaims(context, "MANUFACTURER");   // before the navigations to check
 * await page.goto("/manufacturer");
 * assert.deepEqual(await wrongClaims(page), []);
 * ```
 */
import type { BrowserContext, Page } from "playwright-core";

/** Texts that are wrong on any page of a signed-in participant, whatever its role. */
export const WRONG_TEXTS = ["Not a participant", "not a participant", "Not for this account", "Sign in to continue"];

export interface WrongClaim {
  what: string;
  /** ms from the navigation's start. */
  atMs: number;
}

function watcher({ wrongTexts, role }: { wrongTexts: string[]; role: string }): void {
  const claims: WrongClaim[] = [];
  (window as unknown as { __wrongClaims: WrongClaim[] }).__wrongClaims = claims;
  const seen = new Set<string>();
  const note = (what: string) => {
    if (seen.has(what)) return;
    seen.add(what);
    claims.push({ what, atMs: Math.round(performance.now()) });
  };
  const read = () => {
    const body = document.body;
    if (body === null) return;
    const text = body.innerText;
    for (const wrong of wrongTexts) if (text.includes(wrong)) note(`text "${wrong}"`);
    const button = document.querySelector("[data-testid=connect-button]");
    if (button !== null && button.getBoundingClientRect().width > 0) note("a Sign in button in the header");
    // The header names the role once the ledger has answered (no data-role while it waits).
    const shown = document.querySelector("[data-testid=wallet-status][data-role]")?.getAttribute("data-role");
    if (shown !== undefined && shown !== role) note(`the header names role ${shown}`);
  };
  new MutationObserver(read).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
  });
}

/** Records, on every page the context opens from now on, what is wrong for a party of `role`. */
export async function watchWrongClaims(context: BrowserContext, role: string): Promise<void> {
  await context.addInitScript(watcher, { wrongTexts: WRONG_TEXTS, role });
}

/** What the page said wrongly so far (watchWrongClaims must have been called before it opened). */
export async function wrongClaims(page: Page): Promise<WrongClaim[]> {
  return page.evaluate(() => (window as unknown as { __wrongClaims?: WrongClaim[] }).__wrongClaims ?? []);
}
