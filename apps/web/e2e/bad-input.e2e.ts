/**
 * Bad input against the real server (`next start`), since some of it never reaches the app's own
 * code: Next itself answers a path it cannot percent-decode. Every page and route under src/app
 * gets arbitrary path segments (malformed percent-encoding among them) and arbitrary, repeated
 * query parameters, and the paged API routes forged page tokens. No answer may be a 5xx; every
 * answer, 404s, refusals and Next's own included, carries the security headers; an error says
 * what is wrong (the API's JSON error, or a page with a heading). The not-found and broken-link
 * pages are photographed into test-results/screenshots/ and checked with axe.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { Browser } from "playwright-core";
import { COMMON_SECURITY_HEADERS } from "../src/server/security/headers.ts";
import { rawRequest, type RawAnswer } from "../test/support/raw-request.ts";
import { signInAs } from "../test/support/signIn.ts";
import { queryString, urlText } from "../test/support/url-input.ts";
import { expectAccessible, launchBrowser, newContext, PHONE, screenshot } from "./support/browser.ts";
import { packPath, PATIENT_WORLD_START, seedPatientWorld, type PatientWorld } from "./support/patient-world.ts";
import { startStack, WEB_DIR, type Stack } from "./support/stack.ts";

let stack: Stack<PatientWorld>;
let browser: Browser;
let regulatorToken: string;

before(async () => {
  // The property test checks pages that verify: the allowance would turn its answers into 429s.
  process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
  stack = await startStack(seedPatientWorld, { initialDate: PATIENT_WORLD_START.toISOString() });
  browser = await launchBrowser();
  regulatorToken = (await signInAs(stack.baseUrl, stack.world.parties.regulator.account)).body.token;
});

after(async () => {
  const tally = [...statusTally].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
  process.stderr.write(`# answers by status: ${tally.join(", ")}\n`);
  await browser?.close();
  await stack?.stop();
});

/** Every page and route of the app, as a URL pattern (route groups dropped), from the files under src/app. */
function appRoutes(): string[] {
  const app = path.join(WEB_DIR, "src/app");
  return (readdirSync(app, { recursive: true }) as string[])
    .filter((file) => /(^|\/)(page\.tsx|route\.ts)$/.test(file))
    .map((file) => {
      const segments = path
        .dirname(file)
        .split(path.sep)
        .filter((s) => s !== "." && !/^\(.*\)$/.test(s));
      return `/${segments.join("/")}`;
    })
    .sort();
}

/** The pattern with its dynamic segments filled from `values` (a catch-all takes one to three). */
function fill(pattern: string, values: string[]): string {
  let i = 0;
  const next = () => values[i++ % values.length] || "x";
  return pattern
    .split("/")
    .map((segment) =>
      /^\[\.\.\.\w+\]$/.test(segment)
        ? Array.from({ length: 1 + (values.length % 3) }, next).join("/")
        : /^\[\w+\]$/.test(segment)
          ? next()
          : segment,
    )
    .join("/");
}

/** "//", a trailing "/", or a "." or ".." segment (a dot may come as %2e, as URLs allow). */
const NORMALISED_BY_NEXT = /\/\/|\/((\.|%2e){1,2})?(\/|$)/i;

/** What every answer must be: no 5xx, the security headers, and an error that says what is wrong. */
function assertAnswer(answer: RawAnswer, target: string): void {
  const label = `GET ${target.slice(0, 300)} -> ${answer.status} ${answer.body.subarray(0, 200).toString("utf8")}`;
  assert.ok(answer.status < 500, `no 5xx: ${label}`);
  // Next answers a path it normalises (a trailing "/", "//", "." or ".." segments) with a 308 to the
  // normal form before the proxy or next.config.ts's headers run; the answer there carries them.
  const pathname = target.split("?")[0] ?? "";
  if (answer.status === 308 && NORMALISED_BY_NEXT.test(pathname)) {
    assert.match(String(answer.headers.location), /^\/(?!\/)/, `a redirect on this server: ${label}`);
    return;
  }
  for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) {
    assert.equal(answer.headers[name.toLowerCase()], value, `${name}: ${label}`);
  }
  // Build assets go without a policy (next.config.ts says why); everything else has one.
  if (!target.startsWith("/_next/")) {
    assert.match(String(answer.headers["content-security-policy"]), /frame-ancestors 'none'/, `CSP: ${label}`);
  }
  if (answer.status < 400) return;
  // Next's own answer to a method a route does not export (GET on a POST route): the status alone.
  if (answer.status === 405 && answer.body.length === 0) return;
  const type = String(answer.headers["content-type"]);
  const body = answer.body.toString("utf8");
  if (type.startsWith("application/json")) {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof parsed.error?.code, "string", `error.code: ${label}`);
    assert.ok(typeof parsed.error?.message === "string" && parsed.error.message.length > 10, `message: ${label}`);
  } else if (type.startsWith("text/html")) {
    assert.match(body, /<h1[^>]*>[^<]{5,}/, `a page that says what is wrong: ${label}`);
  } else {
    assert.ok(target.startsWith("/_next/"), `an error as JSON or a page: ${label} (${type})`);
  }
}

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** How often each status was answered, printed at the end: a run of nothing but 400s would test little. */
const statusTally = new Map<number, number>();

async function get(target: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const answer = await rawRequest(stack.baseUrl, { method: "GET", path: target, headers });
  statusTally.set(answer.status, (statusTally.get(answer.status) ?? 0) + 1);
  assertAnswer(answer, target);
  return answer;
}

describe("bad input against next start", () => {
  it("answers the reported cases with a 4xx that says what is wrong, with the headers", async () => {
    const { main } = stack.fixtures;
    for (const target of ["/01/%FF", "/auditor/batches/%FF/x", "/verify%", "/%C3%28"]) {
      const page = await get(target, { accept: BROWSER_ACCEPT });
      assert.equal(page.status, 400, target);
      assert.match(page.body.toString("utf8"), /This link is broken/);
    }
    for (const target of ["/api/batches/%FF/x", "/api/verify%zz", "/api/%E0%A4%A"]) {
      const api = await get(target);
      assert.equal(api.status, 400, target);
      assert.equal((JSON.parse(api.body.toString("utf8")) as { error: { code: string } }).error.code, "INVALID_PATH");
    }
    // A path that decodes still reaches its route: the check refuses nothing else (the read API
    // answers signed-in participants: the regulator here).
    const lot = await get(`/api/batches/${main.gtin}/${encodeURIComponent(main.lot).replace("-", "%2D")}`, {
      authorization: `Bearer ${regulatorToken}`,
    });
    assert.equal(lot.status, 200, lot.body.toString("utf8").slice(0, 300));

    const search = await get("/auditor/search?q=a&q=b", { accept: BROWSER_ACCEPT });
    assert.equal(search.status, 200);
    assert.match(search.body.toString("utf8"), /One search at a time/);

    for (const target of ["/no-such-page", "/01", "/api/no-such-route", "/_next/static/no-such-file.js"]) {
      assert.equal((await get(target, { accept: BROWSER_ACCEPT })).status, 404, target);
    }
  });

  it("serves its own favicon, with the headers", async () => {
    const ico = await get("/favicon.ico");
    assert.equal(ico.status, 200);
    assert.match(String(ico.headers["content-type"]), /^image\/(x-icon|vnd\.microsoft\.icon)/);
    const svg = await get("/icon.svg");
    assert.equal(svg.status, 200);
    assert.match(String(svg.headers["content-type"]), /^image\/svg\+xml/);
    const page = (await get("/verify", { accept: BROWSER_ACCEPT })).body.toString("utf8");
    assert.match(page, /<link rel="icon" href="\/favicon\.ico/);
    assert.match(page, /<link rel="icon" href="\/icon\.svg/);
  });

  it("refuses forged page tokens with a 400, past the integer columns' range too", async () => {
    const { main } = stack.fixtures;
    // Two alerts, from a pharmacy's dispensing scans of a pack another pharmacy dispensed and of a
    // serial never made.
    const pharmacy = (await signInAs(stack.baseUrl, stack.world.parties.harbour.account)).body.token;
    for (const code of [packPath(main, 1), packPath(main, 0, { serial: "NOTAREALSERIAL9" })]) {
      const scan = await fetch(stack.url(`/api/verify?purpose=dispense&code=${encodeURIComponent(stack.url(code))}`), {
        headers: { authorization: `Bearer ${pharmacy}` },
      });
      assert.equal(scan.status, 200, await scan.text());
    }
    const authorization = `Bearer ${regulatorToken}`;
    // An alert id and an event's log index are integer columns; a shipment's block is a bigint,
    // where 2^31 is only a block past every shipment (an empty page).
    const cases = { "/api/alerts": 400, "/api/epcis/events": 400, "/api/shipments": 200 };
    for (const [route, expected] of Object.entries(cases)) {
      const first = await get(`${route}?perPage=1`, { authorization });
      assert.equal(first.status, 200, `${route}: ${first.body.toString("utf8").slice(0, 300)}`);
      const link = /[?&]nextPageToken=([\w-]+)/.exec(String(first.headers.link ?? ""))?.[1];
      const token = link ?? (JSON.parse(first.body.toString("utf8")) as { nextPageToken: string | null }).nextPageToken;
      assert.ok(token, `${route} should have a second page`);
      const real = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { k: unknown[] };
      const forged = { ...real, k: real.k.map((value) => (typeof value === "number" ? 2 ** 31 : value)) };
      const encoded = Buffer.from(JSON.stringify(forged)).toString("base64url");
      const answer = await get(`${route}?perPage=1&nextPageToken=${encoded}`, { authorization });
      assert.equal(answer.status, expected, `${route}: ${answer.body.toString("utf8").slice(0, 300)}`);
    }
  });

  it("every page and route under arbitrary path segments and query strings", async () => {
    const routes = [...appRoutes(), "/favicon.ico", "/icon.svg", "/no-such-page/[x]", "/_next/static/[x]"];
    assert.ok(routes.includes("/01/[...path]") && routes.includes("/api/batches/[gtin]/[lot]"), routes.join(" "));
    const { main } = stack.fixtures;
    const real = fc.constantFrom(main.gtin, encodeURIComponent(main.lot), main.manifest.serials[0] ?? "", "21", "10");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(fc.oneof(urlText, real), { minLength: 1, maxLength: 4 }),
        queryString(["q", "code", "perPage", "nextPageToken", "from", "count", "17", "gtin", "lot"]),
        fc.boolean(),
        fc.boolean(),
        async (route, segments, query, asBrowser, signedIn) => {
          const headers: Record<string, string> = {};
          if (asBrowser) headers.accept = BROWSER_ACCEPT;
          if (signedIn) headers.authorization = `Bearer ${regulatorToken}`;
          await get(`${fill(route, segments)}${query}`, headers);
        },
      ),
      {
        numRuns: 300,
        examples: [
          ["/01/[...path]", ["%FF"], "", true, false],
          ["/auditor/batches/[gtin]/[lot]", ["%FF", "x"], "", true, false],
          ["/api/batches/[gtin]/[lot]", ["%FF", "x"], "", false, false],
          ["/auditor/search", ["x"], "?q=a&q=b", true, false],
          // Next 16 answered a client page's inherited-name parameter with a 500 (found by this property).
          ["/", ["x"], "?valueOf", false, false],
          ["/stock", ["x"], "?constructor=1", true, false],
          ["/favicon.ico", ["x"], "", false, false],
        ],
      },
    );
  });

  it("shows a not-found page and a broken-link page that say what is wrong, accessibly", async () => {
    const { context } = await newContext(browser, stack.baseUrl, PHONE);
    try {
      const page = await context.newPage();
      const missing = await page.goto("/no-such-page");
      assert.equal(missing?.status(), 404);
      await page.getByTestId("not-found").getByRole("heading", { name: "This page does not exist" }).waitFor();
      await screenshot(page, "not-found-phone");
      await expectAccessible(page, "The not-found page");

      const broken = await page.goto("/01/09520123456788/21/AB%FFCD");
      assert.equal(broken?.status(), 400);
      await page.getByRole("heading", { name: "This link is broken" }).waitFor();
      assert.match(await page.locator("body").innerText(), /%FFCD/);
      await screenshot(page, "broken-link-phone");
      await expectAccessible(page, "The broken-link page");
    } finally {
      await context.close();
    }
  });
});
