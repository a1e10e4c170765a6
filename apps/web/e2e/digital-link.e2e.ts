/**
 * A genuine pack whose lot and serial hold every CSET 82 punctuation character verifies GENUINE
 * each way a code reaches the server: its label's QR code opened as a phone camera opens it (the
 * /01/... page), the same link given to GET /api/verify, and the label's QR read by the patient
 * page's camera scanner (a fake camera video). Links written by other encoders (lower-case hex,
 * sub-delimiters left as they are) read the same; a link encoded twice names another serial, on
 * the page and in the API alike: every value is decoded exactly once.
 *
 * The labels are the label sheet's own (labelSheet, what /labels/<gtin>/<lot> prints), read from a
 * database of their own filled from the same chain (the server's PGlite is its alone).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { VerifyResponse } from "../src/lib/api-types.ts";
import { createAppContext } from "../src/server/context.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { resolveAppModules } from "../test/support/app-modules.ts";
import { openTestDatabase } from "../test/support/database.ts";
import { storeWorldManifest } from "../test/support/manifests.ts";
import type { WorldBatch } from "../test/support/world.ts";
import { expectAccessible, launchBrowser, newContext, PHONE, screenshot } from "./support/browser.ts";
import { startStack, type Stack } from "./support/stack.ts";
import { cameraFrameOfLabel, writeY4m } from "./support/y4m.ts";

resolveAppModules();
const { labelSheet } = await import("../src/app/labels/label-sheet.ts");
type PackLabel = Awaited<ReturnType<typeof labelSheet>>["labels"][number];

/** CSET 82's punctuation, all twenty: the lot is exactly this, each serial a rotation of it. */
const PUNCTUATION = `!"%&'()*+,-./:;<=>?_`;

let stack: Stack<{ batch: WorldBatch }>;
let browser: Browser;
let labels: PackLabel[];
let videoDir: string;

before(async () => {
  // Each check here is a verification; the allowance has its own tests (security.test.ts).
  process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
  stack = await startStack(async ({ world }) => {
    const { acme } = world.parties;
    const product = await world.registerProduct(acme, {
      name: "Paracetamol",
      strength: "500 mg",
      dosageForm: "tablets",
    });
    const serials = [0, 1, 2, 3].map((i) => PUNCTUATION.slice(i) + PUNCTUATION.slice(0, i));
    return { batch: await world.registerBatch(acme, product, { lot: PUNCTUATION, serials }) };
  });
  const database = await openTestDatabase();
  try {
    await storeWorldManifest(database.db, stack.fixtures.batch);
    await syncToHead(await createAppContext({ target: stack.chain.target, database }));
    const { batch } = stack.fixtures;
    const range = { from: 0, count: 4 };
    labels = (await labelSheet(database.db, batch.gtin, batch.lot, range, stack.baseUrl, batch.manufacturer.address))
      .labels;
  } finally {
    await database.close();
  }
  browser = await launchBrowser();
  videoDir = mkdtempSync(path.join(os.tmpdir(), "pedigree-dl-camera-"));
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  if (videoDir) rmSync(videoDir, { recursive: true, force: true });
});

async function apiVerdict(link: string): Promise<VerifyResponse> {
  const response = await fetch(stack.url(`/api/verify?code=${encodeURIComponent(link)}`));
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as VerifyResponse;
}

async function pageVerdict(page: Page, link: string): Promise<{ verdict: string | null; text: string }> {
  const response = await page.goto(link);
  assert.equal(response?.status(), 200, link);
  const card = page.getByTestId("verdict");
  await card.waitFor({ timeout: 30_000 });
  return { verdict: await card.getAttribute("data-verdict"), text: await card.innerText() };
}

/** The same values as another encoder may write them: encodeURIComponent (which leaves ! ' ( ) * as they are), hex in lower case. */
function otherEncoderLink(label: PackLabel): string {
  const { batch } = stack.fixtures;
  const encode = (value: string) => encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
  return `${stack.baseUrl}/01/${batch.gtin}/10/${encode(batch.lot)}/21/${encode(label.serial)}?17=${String(batch.expiry).slice(2)}`;
}

describe("a pack with every CSET 82 punctuation character in its lot and serial", () => {
  it("prints labels whose QR codes are Digital Links on this server, every reserved character encoded once", () => {
    const { batch } = stack.fixtures;
    assert.equal(labels.length, 4);
    for (const label of labels) {
      const prefix = `${stack.baseUrl}/01/${batch.gtin}/10/`;
      assert.ok(label.digitalLink.startsWith(prefix), label.digitalLink);
      const [lot, serial, expiry] = label.digitalLink.slice(prefix.length).split(/\/21\/|\?17=/);
      // Only letters, digits and - . _ stand as they are; one decoding gives the values back.
      for (const value of [lot, serial]) assert.match(value ?? "", /^(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+$/);
      assert.equal(decodeURIComponent(lot ?? ""), batch.lot);
      assert.equal(decodeURIComponent(serial ?? ""), label.serial);
      assert.equal(expiry, String(batch.expiry).slice(2));
    }
  });

  it("verifies GENUINE through each label's Digital Link, on the page and in the API, showing the lot and serial as printed", async () => {
    const { context } = await newContext(browser, stack.baseUrl, PHONE);
    try {
      const page = await context.newPage();
      for (const label of labels) {
        const api = await apiVerdict(label.digitalLink);
        assert.equal(api.verdict, "GENUINE", `${label.serial}: ${api.headline}`);
        assert.equal(api.pack?.serial, label.serial);
        const shown = await pageVerdict(page, label.digitalLink);
        assert.equal(shown.verdict, "GENUINE", `${label.serial}: ${shown.text}`);
        assert.ok(shown.text.includes(label.serial), `the page shows serial ${label.serial}:\n${shown.text}`);
        assert.ok(shown.text.includes(stack.fixtures.batch.lot), `the page shows lot ${stack.fixtures.batch.lot}`);
      }
      await pageVerdict(page, labels[0]!.digitalLink);
      await screenshot(page, "digital-link-punctuation-phone");
      await expectAccessible(page, "The punctuated pack's verdict page");
    } finally {
      await context.close();
    }
  });

  it("reads a link from another encoder the same, and a link encoded twice as another serial, on the page and in the API", async () => {
    const { context } = await newContext(browser, stack.baseUrl, PHONE);
    try {
      const page = await context.newPage();
      const label = labels[1]!;
      const other = otherEncoderLink(label);
      assert.notEqual(other, label.digitalLink);
      assert.equal((await apiVerdict(other)).verdict, "GENUINE");
      assert.equal((await pageVerdict(page, other)).verdict, "GENUINE");

      // The serial's encoding encoded again: decoding once gives "%21%22...", not the pack's serial.
      const twice = label.digitalLink.replace(
        /\/21\/([^?]+)/,
        (_, serial: string) => `/21/${encodeURIComponent(serial)}`,
      );
      const api = await apiVerdict(twice);
      const shown = await pageVerdict(page, twice);
      assert.notEqual(api.verdict, "GENUINE", api.headline);
      assert.equal(shown.verdict, api.verdict, shown.text);
    } finally {
      await context.close();
    }
  });

  it("verifies GENUINE when the patient page's camera reads the label's QR code", async () => {
    const label = labels[2]!;
    const video = path.join(videoDir, "qr.y4m");
    const { context } = await newContext(browser, stack.baseUrl, PHONE);
    try {
      const page = await context.newPage();
      await page.setContent(`<div id="label-qr" style="background:#fff">${label.qrSvg}</div>`);
      writeY4m(video, await cameraFrameOfLabel(page, "#label-qr", { width: 640, height: 480, symbolSize: 440 }));
    } finally {
      await context.close();
    }

    const cameraBrowser = await launchBrowser({ fakeCameraVideo: video });
    try {
      const { context: phone, offsiteRequests } = await newContext(cameraBrowser, stack.baseUrl, PHONE, {
        permissions: ["camera"],
      });
      const page = await phone.newPage();
      await page.goto("/verify");
      await page.getByRole("button", { name: "Scan with the camera" }).click();
      await page.waitForURL(/\/verify\?code=/, { timeout: 30_000 });
      // What the scanner read: the QR's text behind its symbology identifier (]Q1, a plain QR code).
      assert.equal(new URL(page.url()).searchParams.get("code"), `]Q1${label.digitalLink}`);
      const card = page.getByTestId("verdict");
      await card.waitFor({ timeout: 30_000 });
      assert.equal(await card.getAttribute("data-verdict"), "GENUINE", await card.innerText());
      assert.ok((await card.innerText()).includes(label.serial));
      await screenshot(page, "digital-link-punctuation-camera-phone");
      assert.deepEqual(offsiteRequests, []);
    } finally {
      await cameraBrowser.close();
    }
  });
});
