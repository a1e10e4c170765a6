/**
 * Conformance of this host's GS1 Digital Link resolver, written from the GS1 Digital Link URI syntax
 * and GS1-Conformant resolver standards (../shared/STANDARDS.md, and the resolver standard's linkset
 * shape: RFC 9264 JSON with the GS1 Web Vocabulary's link types as relation types, `anchor` the
 * identifier, each link an object with `href` and `title`), using the standard's own example URIs:
 *
 * - (01)09520123456788(17)271231(10)ABC123(21)XYZ987 is .../01/09520123456788/10/ABC123/21/XYZ987?17=271231
 * - (01)09520123456788(21)AB/12(17)280229(10)L+1 is .../01/09520123456788/10/L%2B1/21/AB%2F12?17=280229
 *
 * A browser gets the patient page (the proxy leaves it to the page, and names the linkset in a Link
 * header); `Accept: application/linkset+json` or `?linkType=linkset|all` the linkset; any other
 * `linkType` a 307 to that link; gs1:verificationService the VRS request, which then answers.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { NextRequest } from "next/server.js";
import { proxy, config as proxyConfig } from "../src/proxy.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { APP_SRC, resolveAppModules } from "./support/app-modules.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, type World } from "./support/world.ts";

resolveAppModules();

const GTIN = "09520123456788";
const EXAMPLE = `/01/${GTIN}/10/ABC123/21/XYZ987?17=271231`;
const ENCODED_EXAMPLE = `/01/${GTIN}/10/L%2B1/21/AB%2F12?17=280229`;
const VOC = "https://ref.gs1.org/voc/";
const LINKSET = "application/linkset+json";

type Linkset = { linkset: ({ anchor: string } & Record<string, unknown>)[] };

describe(`GS1 Digital Link resolver (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let origin: string;
  const previousLimit = process.env.PEDIGREE_VERIFY_RATE_LIMIT;

  /** GET through the resolver's route module, at the path the proxy rewrites /01/... to. */
  const resolve = (target: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/resolver${target}`, { headers, redirect: "manual" });

  before(async () => {
    process.env.PEDIGREE_VERIFY_RATE_LIMIT = "off";
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    const { acme } = world.parties;
    // 0952012 is Acme's company prefix in the test world: the standard's example GTIN is one of its.
    const product = await world.registerProduct(acme, {
      gtin: GTIN,
      name: "Example tablets",
      strength: "10 mg",
      dosageForm: "tablet",
    });
    const first = await world.registerBatch(acme, product, {
      lot: "ABC123",
      expiry: 20271231,
      serials: ["XYZ987", "XYZ988"],
    });
    const second = await world.registerBatch(acme, product, { lot: "L+1", expiry: 20280229, serials: ["AB/12"] });
    ctx = await createAppContext({ database, target: chain.target });
    await syncToHead(ctx);
    await storeWorldManifest(ctx.db, first);
    await storeWorldManifest(ctx.db, second);
    const routes: Record<string, RouteModule> = {};
    for (const [pattern, file] of Object.entries({
      "/api/resolver/[...path]": "api/resolver/[...path]",
      "/vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]": "vrs/verify/gtin/[gtin]/lot/[lot]/ser/[serial]",
      "/api/vrs-credentials": "api/vrs-credentials",
      "/api/auth/nonce": "api/auth/nonce",
      "/api/auth/verify": "api/auth/verify",
    })) {
      routes[pattern] = (await import(pathToFileURL(path.join(APP_SRC, "app", file, "route.ts")).href)) as RouteModule;
    }
    server = await startTestServer({ context: ctx, routes });
    origin = server.url;
  });

  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
    if (previousLimit === undefined) delete process.env.PEDIGREE_VERIFY_RATE_LIMIT;
    else process.env.PEDIGREE_VERIFY_RATE_LIMIT = previousLimit;
  });

  it("answers Accept: application/linkset+json with the identifier's linkset, on the origin labels print", async () => {
    const response = await resolve(EXAMPLE, { accept: LINKSET });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/linkset\+json/);
    assert.match(response.headers.get("link") ?? "", /rel="http:\/\/www\.w3\.org\/ns\/json-ld#context"/);
    const body = (await response.json()) as Linkset;
    assert.ok(Array.isArray(body.linkset) && body.linkset.length === 1);
    const [context] = body.linkset;
    // The anchor is the identifier: the link without its data attributes.
    assert.equal(context!.anchor, `${origin}/01/${GTIN}/10/ABC123/21/XYZ987`);
    assert.match(context!.anchor, /^https?:\/\/[a-zA-z0-9./]+/, "the resolver schema's anchor pattern");
    for (const type of ["defaultLink", "pip", "verificationService", "epcis", "recallStatus"]) {
      const links = context![`${VOC}${type}`] as { href: string; title: string; type?: string }[] | undefined;
      assert.ok(Array.isArray(links) && links.length > 0, `gs1:${type} in ${Object.keys(context!).join(", ")}`);
      for (const link of links) {
        assert.ok(link.href.startsWith(`${origin}/`), `gs1:${type} is served from the same origin: ${link.href}`);
        assert.equal(typeof link.title, "string");
      }
    }
    const pip = (context![`${VOC}pip`] as { href: string; type: string }[])[0]!;
    assert.equal(pip.href, `${origin}${EXAMPLE}`, "the patient page is the Digital Link itself");
    assert.equal(pip.type, "text/html");
  });

  it("answers ?linkType=linkset and ?linkType=all with the same linkset, whatever the Accept header", async () => {
    const reference = await (await resolve(EXAMPLE, { accept: LINKSET })).json();
    for (const linkType of ["linkset", "all"]) {
      const response = await resolve(`${EXAMPLE}&linkType=${linkType}`, { accept: "text/html" });
      assert.equal(response.status, 200, linkType);
      assert.deepEqual(await response.json(), reference, linkType);
    }
  });

  it("reads the standard's percent-encoded example (/ as %2F, + as %2B) and writes its links the same way", async () => {
    const response = await resolve(ENCODED_EXAMPLE, { accept: LINKSET });
    assert.equal(response.status, 200);
    const [context] = ((await response.json()) as Linkset).linkset;
    assert.equal(context!.anchor, `${origin}/01/${GTIN}/10/L%2B1/21/AB%2F12`);
    const verification = (context![`${VOC}verificationService`] as { href: string }[])[0]!;
    assert.equal(
      verification.href,
      `${origin}/vrs/verify/gtin/${GTIN}/lot/L%2B1/ser/AB%2F12?exp=280229&linkType=verificationService`,
    );
  });

  it("redirects ?linkType=gs1:verificationService (307) to the verification request, which answers the partner", async () => {
    const corrUUID = randomUUID();
    const reqGLN = world.parties.northwind.gln;
    const response = await resolve(
      `${EXAMPLE}&linkType=gs1:verificationService&context=dscsaSaleableReturn&reqGLN=${reqGLN}&corrUUID=${corrUUID}`,
    );
    assert.equal(response.status, 307);
    const location = response.headers.get("location") ?? "";
    assert.equal(
      location,
      `${origin}/vrs/verify/gtin/${GTIN}/lot/ABC123/ser/XYZ987?exp=271231&linkType=verificationService` +
        `&context=dscsaSaleableReturn&reqGLN=${reqGLN}&corrUUID=${corrUUID}`,
    );
    const manufacturer = (await signInAs(server.url, world.parties.acme.account)).body.token;
    const issued = await fetch(`${server.url}/api/vrs-credentials`, {
      method: "POST",
      headers: { authorization: `Bearer ${manufacturer}`, "content-type": "application/json" },
      body: JSON.stringify({ partnerGln: reqGLN, label: "Northwind" }),
    });
    const { token } = (await issued.json()) as { token: string };
    const answer = await fetch(location, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { data: unknown; corrUUID: string };
    assert.deepEqual(body.data, { verified: true });
    assert.equal(body.corrUUID, corrUUID);
  });

  it("redirects other link types, named as CURIEs or full IRIs, and says which exist when one does not", async () => {
    const epcis = await resolve(`${EXAMPLE}&linkType=gs1:epcis`);
    assert.equal(epcis.status, 307);
    assert.equal(epcis.headers.get("location"), `${origin}/api/batches/${GTIN}/ABC123/epcis`);
    const iri = await resolve(`${EXAMPLE}&linkType=${encodeURIComponent("https://gs1.org/voc/recallStatus")}`);
    assert.equal(iri.status, 307);
    // A product's link (no lot or serial) has no verification service.
    const missing = await resolve(`/01/${GTIN}?linkType=gs1:verificationService`);
    assert.equal(missing.status, 404);
    const error = ((await missing.json()) as { error: { code: string; details: { available: string[] } } }).error;
    assert.equal(error.code, "LINK_TYPE_NOT_AVAILABLE");
    assert.ok(error.details.available.includes("gs1:pip"));
  });

  it("refuses the standard's invalid URIs with 400 naming the GS1 error, and a GTIN it does not serve with 404", async () => {
    for (const [target, code] of [
      ["/01/09520123456789", "GTIN_CHECK_DIGIT"],
      [`/01/${GTIN}/21/X/10/L`, "DL_QUALIFIER_ORDER"],
      [`/01/${GTIN}/10/ABC123?17=271332`, "BAD_DATE"],
      [`/01/${GTIN}/10/ABC123?17=271231&17=271231`, "DUPLICATE_AI"],
    ] as const) {
      const response = await resolve(target, { accept: LINKSET });
      assert.equal(response.status, 400, target);
      const body = (await response.json()) as { error: { code: string; details: { gs1: { code: string } } } };
      assert.equal(body.error.details.gs1.code, code, target);
    }
    const unknown = await resolve("/01/09520123456795", { accept: LINKSET });
    assert.equal(unknown.status, 404);
  });

  describe("the proxy: browsers get the page, machines the resolver; /vrs/... goes to the responder", () => {
    const through = (target: string, headers: Record<string, string> = {}) =>
      proxy(
        new NextRequest(new URL(target, "http://127.0.0.1:3000"), { headers: { host: "127.0.0.1:3000", ...headers } }),
      );
    /** Where the proxy sent the request on to (its path and query), or null when on to the route as asked. */
    const rewrittenTo = (response: Response) => {
      const target = response.headers.get("x-middleware-rewrite");
      if (target === null) return null;
      const url = new URL(target);
      return `${url.pathname}${url.search}`;
    };
    const previousOrigin = process.env.PEDIGREE_PUBLIC_ORIGIN;
    before(() => {
      process.env.PEDIGREE_PUBLIC_ORIGIN = "http://127.0.0.1:3000";
    });
    after(() => {
      if (previousOrigin === undefined) delete process.env.PEDIGREE_PUBLIC_ORIGIN;
      else process.env.PEDIGREE_PUBLIC_ORIGIN = previousOrigin;
    });

    it("a browser gets the patient page, with a Link header naming the linkset", async () => {
      for (const target of [EXAMPLE, `${EXAMPLE}&linkType=gs1:pip`]) {
        const response = await through(target, { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
        assert.equal(rewrittenTo(response), null, target);
        assert.equal(
          response.headers.get("link"),
          `<http://127.0.0.1:3000/01/${GTIN}/10/ABC123/21/XYZ987?linkType=linkset>; rel="linkset"; type="${LINKSET}"`,
        );
      }
    });

    it("a linkset or another link type goes to the resolver, with the API's headers", async () => {
      for (const [target, accept] of [
        [EXAMPLE, LINKSET],
        [`${EXAMPLE}&linkType=all`, "text/html"],
        [`${EXAMPLE}&linkType=gs1:verificationService`, "*/*"],
      ] as const) {
        const response = await through(target, { accept });
        assert.equal(rewrittenTo(response), `/api/resolver${target}`, target);
        assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'none'/);
      }
      assert.equal(
        rewrittenTo(await through(EXAMPLE, { accept: `${LINKSET};q=0, text/html` })),
        null,
        "q=0 is a refusal",
      );
    });

    it("the VRS responder's paths stay outside the proxy, as the API's do, but for undecodable paths", async () => {
      const [pages] = proxyConfig.matcher as string[];
      const matches = (pattern: string, path: string) => new RegExp(`^${pattern}$`).test(path);
      const target = `/vrs/verify/gtin/${GTIN}/lot/ABC123/ser/XYZ987`;
      assert.equal(matches(pages!, target), false);
      assert.equal(matches(pages!, "/vrs/checkConnectivity"), false);
      assert.equal(matches(pages!, `/01/${GTIN}`), true);
      assert.ok(proxyConfig.matcher.some((pattern) => matches(pattern, "/vrs/verify/gtin/1/lot/L%2B1/ser/X")));
      const broken = await through("/vrs/verify/gtin/1/lot/%E0%A4%A/ser/X", { accept: "application/json" });
      assert.equal(broken.status, 400);
      assert.equal(((await broken.json()) as { error: { code: string } }).error.code, "INVALID_PATH");
    });
  });
});
