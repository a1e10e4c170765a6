import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { jsonResponse, toErrorResponse } from "../src/server/api/errors.ts";
import { requireParty } from "../src/server/auth/session.ts";
import { chainClient, createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import type { NonceResponse, SessionResponse } from "../src/lib/api-types.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { jsonOf, rawRequest } from "./support/raw-request.ts";
import { fetchNonce, postSignIn, signInAs, siweMessageFor } from "./support/signIn.ts";
import { createWorld, type World } from "./support/world.ts";

describe(`Sign-In with Ethereum and privileged routes (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  /** Added to the server's clock, so a test can move time forward. */
  let clockOffsetMs = 0;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({
      target: chain.target,
      database,
      now: () => new Date(Date.now() + clockOffsetMs),
    });
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/auth/session": await import("../src/app/api/auth/session/route.ts"),
        "/api/auth/logout": await import("../src/app/api/auth/logout/route.ts"),
        // A privileged route as every one is built: requireParty, then the work.
        "/privileged/manufacturer": {
          GET: async (request) => {
            try {
              const party = await requireParty(ctx, request, ["MANUFACTURER"]);
              return jsonResponse({ address: party.address, role: party.role });
            } catch (error) {
              return toErrorResponse(error);
            }
          },
        },
      },
    });
  });
  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  const privileged = (token: string) =>
    fetch(`${server.url}/privileged/manufacturer`, { headers: { authorization: `Bearer ${token}` } });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

  it("hands out a nonce with the domain, URI and chain id the message must carry", async () => {
    const nonce = await fetchNonce(server.url);
    assert.match(nonce.nonce, /^[a-zA-Z0-9]{8,}$/);
    assert.equal(nonce.domain, new URL(server.url).host);
    assert.equal(nonce.uri, server.url);
    assert.equal(nonce.chainId, chain.chainId);
    const second = await fetchNonce(server.url);
    assert.notEqual(second.nonce, nonce.nonce);
  });

  it("signs a participant in: HttpOnly SameSite=Strict cookie, a bearer token, and who-am-I from the chain", async () => {
    const { acme } = world.parties;
    const attempt = await signInAs(server.url, acme.account);
    assert.equal(attempt.status, 200, JSON.stringify(attempt.body));
    assert.equal(attempt.body.address, acme.address);
    assert.ok(attempt.body.token.length >= 40);
    const cookie = attempt.setCookie ?? "";
    assert.match(cookie, new RegExp(`^pedigree_session=${attempt.body.token};`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/, "plain http origin: no Secure flag, or the browser drops the cookie");

    const byCookie = await fetch(`${server.url}/api/auth/session`, {
      headers: { cookie: `other=1; pedigree_session=${attempt.body.token}` },
    });
    const who = (await byCookie.json()) as SessionResponse;
    assert.equal(who.signedIn, true);
    assert.ok(who.signedIn);
    assert.equal(who.address, acme.address);
    assert.equal(who.role, "MANUFACTURER");
    assert.equal(who.name, "Acme Pharma AG");
    assert.equal(who.gln, acme.gln);
    assert.equal(who.suspended, false);

    assert.equal((await privileged(attempt.body.token)).status, 200);
  });

  it("answers signedIn: false without a session, and NOT_SIGNED_IN on a privileged route", async () => {
    const who = (await (await fetch(`${server.url}/api/auth/session`)).json()) as SessionResponse;
    assert.deepEqual(who, { signedIn: false });
    const response = await fetch(`${server.url}/privileged/manufacturer`);
    assert.equal(response.status, 401);
    assert.equal(await errorCode(response), "NOT_SIGNED_IN");
    const forged = await privileged("not-a-token-we-issued");
    assert.equal(forged.status, 401);
    assert.equal(await errorCode(forged), "NOT_SIGNED_IN");
  });

  it("refuses a replayed message: its nonce was used", async () => {
    const first = await signInAs(server.url, world.parties.acme.account);
    assert.equal(first.status, 200);
    const replay = await postSignIn(server.url, first.message, first.signature, first.cookie);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error?.code, "NONCE_REUSED");
    assert.equal(replay.setCookie, null);
  });

  it("refuses a nonce this server never issued, and one that expired", async () => {
    const account = world.parties.acme.account;
    const nonce = await fetchNonce(server.url);
    const unknownMessage = siweMessageFor(account, { ...nonce, nonce: "abcdefgh12345678" });
    const unknown = await postSignIn(
      server.url,
      unknownMessage,
      await account.signMessage({ message: unknownMessage }),
      nonce.cookie,
    );
    assert.equal(unknown.body.error?.code, "NONCE_UNKNOWN");

    const message = siweMessageFor(account, nonce);
    const signature = await account.signMessage({ message });
    clockOffsetMs = 11 * 60 * 1000;
    try {
      const late = await postSignIn(server.url, message, signature, nonce.cookie);
      assert.equal(late.status, 401);
      assert.equal(late.body.error?.code, "NONCE_EXPIRED");
    } finally {
      clockOffsetMs = 0;
    }
  });

  it("refuses a message for another domain, another URI or another chain", async () => {
    const account = world.parties.acme.account;
    const wrongDomain = await signInAs(server.url, account, { overrides: { domain: "evil.example" } });
    assert.equal(wrongDomain.status, 401);
    assert.equal(wrongDomain.body.error?.code, "WRONG_DOMAIN");
    assert.match(wrongDomain.body.error?.message ?? "", /evil\.example/);

    const wrongUri = await signInAs(server.url, account, { overrides: { uri: "https://evil.example/login" } });
    assert.equal(wrongUri.body.error?.code, "WRONG_URI");

    const wrongChain = await signInAs(server.url, account, { overrides: { chainId: 1 } });
    assert.equal(wrongChain.status, 401);
    assert.equal(wrongChain.body.error?.code, "WRONG_CHAIN");
    assert.deepEqual(wrongChain.body.error?.details, { expected: chain.chainId, got: 1 });
  });

  it("refuses an expired message and one not valid yet", async () => {
    const account = world.parties.acme.account;
    const expired = await signInAs(server.url, account, {
      overrides: { issuedAt: new Date(Date.now() - 120_000), expirationTime: new Date(Date.now() - 60_000) },
    });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error?.code, "MESSAGE_EXPIRED");

    const early = await signInAs(server.url, account, { overrides: { notBefore: new Date(Date.now() + 3_600_000) } });
    assert.equal(early.body.error?.code, "MESSAGE_NOT_YET_VALID");

    const future = await signInAs(server.url, account, { overrides: { issuedAt: new Date(Date.now() + 3_600_000) } });
    assert.equal(future.body.error?.code, "MESSAGE_NOT_YET_VALID");
  });

  it("refuses a signature made by another key, and leaves the nonce usable", async () => {
    const { acme, northwind } = world.parties;
    const nonce = await fetchNonce(server.url);
    const message = siweMessageFor(acme.account, nonce);
    const forged = await postSignIn(
      server.url,
      message,
      await northwind.account.signMessage({ message }),
      nonce.cookie,
    );
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error?.code, "BAD_SIGNATURE");
    const garbage = await postSignIn(server.url, message, "0x1234", nonce.cookie);
    assert.equal(garbage.body.error?.code, "BAD_SIGNATURE");
    const genuine = await postSignIn(server.url, message, await acme.account.signMessage({ message }), nonce.cookie);
    assert.equal(genuine.status, 200);
  });

  it("answers bad request bodies with 400 and a code, never a 500", async () => {
    const post = (body: string, type = "application/json") =>
      fetch(`${server.url}/api/auth/verify`, { method: "POST", headers: { "content-type": type }, body });
    const notJson = await post("message=hello");
    assert.equal(notJson.status, 400);
    assert.equal(await errorCode(notJson), "INVALID_JSON");
    const missing = await post(JSON.stringify({ message: "x" }));
    assert.equal(missing.status, 400);
    assert.equal(await errorCode(missing), "INVALID_BODY");
    const notSiwe = await post(JSON.stringify({ message: "hello world", signature: "0x00" }));
    assert.equal(notSiwe.status, 400);
    assert.equal(await errorCode(notSiwe), "MESSAGE_MALFORMED");
    const huge = await post(JSON.stringify({ message: "x".repeat(100_000), signature: "0x00" }));
    assert.equal(huge.status, 413);
    assert.equal(await errorCode(huge), "PAYLOAD_TOO_LARGE");
  });

  it("lets anyone sign in, but privileged routes refuse non-participants and other roles", async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    const signedIn = await signInAs(server.url, stranger);
    assert.equal(signedIn.status, 200);
    const who = (await (
      await fetch(`${server.url}/api/auth/session`, { headers: { authorization: `Bearer ${signedIn.body.token}` } })
    ).json()) as SessionResponse;
    assert.ok(who.signedIn);
    assert.equal(who.role, "NONE");
    const refused = await privileged(signedIn.body.token);
    assert.equal(refused.status, 403);
    assert.equal(await errorCode(refused), "NOT_PARTICIPANT");

    const pharmacy = await signInAs(server.url, world.parties.central.account);
    const wrongRole = await privileged(pharmacy.body.token);
    assert.equal(wrongRole.status, 403);
    const body = (await wrongRole.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "WRONG_ROLE");
    assert.match(body.error.message, /MANUFACTURER/);
  });

  it("refuses a participant from the block it is suspended in, and accepts it again once reinstated", async () => {
    const { borealis } = world.parties;
    const session = await signInAs(server.url, borealis.account);
    assert.equal((await privileged(session.body.token)).status, 200);

    await world.suspendParticipant(borealis);
    const refused = await privileged(session.body.token);
    assert.equal(refused.status, 403);
    assert.equal(await errorCode(refused), "PARTICIPANT_SUSPENDED");

    await world.reinstateParticipant(borealis);
    assert.equal((await privileged(session.body.token)).status, 200);
  });

  it("expires sessions, and logout ends one at once", async () => {
    const session = await signInAs(server.url, world.parties.acme.account);
    clockOffsetMs = 9 * 60 * 60 * 1000;
    try {
      const expired = await privileged(session.body.token);
      assert.equal(expired.status, 401);
      assert.equal(await errorCode(expired), "SESSION_EXPIRED");
    } finally {
      clockOffsetMs = 0;
    }

    const other = await signInAs(server.url, world.parties.acme.account);
    const logout = await fetch(`${server.url}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: `pedigree_session=${other.body.token}` },
    });
    assert.equal(logout.status, 200);
    assert.match(logout.headers.get("set-cookie") ?? "", /pedigree_session=;.*Max-Age=0/);
    const after = await privileged(other.body.token);
    assert.equal(after.status, 401);
    assert.equal(await errorCode(after), "NOT_SIGNED_IN");
  });

  it("names the configured origin in sign-in, never the request's Host, with a Secure cookie on https", async () => {
    const previous = process.env.PEDIGREE_PUBLIC_ORIGIN;
    process.env.PEDIGREE_PUBLIC_ORIGIN = "https://pedigree.example.org";
    const as = (
      host: string,
      path: string,
      init: { method?: string; headers?: Record<string, string>; body?: string } = {},
    ) =>
      rawRequest(server.url, {
        method: init.method ?? "GET",
        path,
        headers: { host, ...init.headers },
        body: init.body,
      });
    try {
      const nonceAnswer = await as("pedigree.example.org", "/api/auth/nonce");
      assert.equal(nonceAnswer.status, 200);
      const nonce = jsonOf<NonceResponse>(nonceAnswer);
      assert.equal(nonce.domain, "pedigree.example.org");
      assert.equal(nonce.uri, "https://pedigree.example.org");
      const bindingCookie = String(nonceAnswer.headers["set-cookie"]?.[0] ?? "");
      assert.match(
        bindingCookie,
        /^pedigree_signin=[^;]+; Path=\/api\/auth; Max-Age=300; HttpOnly; SameSite=Strict; Secure$/,
      );
      const account = world.parties.acme.account;
      const message = siweMessageFor(account, nonce);
      const attempt = await as("pedigree.example.org", "/api/auth/verify", {
        method: "POST",
        headers: { "content-type": "application/json", cookie: bindingCookie.split(";")[0]! },
        body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
      });
      assert.equal(attempt.status, 200);
      assert.ok(String(attempt.headers["set-cookie"]).includes("; Secure"));

      // A phishing host that forwards to us gets neither a nonce naming it nor a session.
      const phished = await as("evil.example", "/api/auth/nonce");
      assert.equal(phished.status, 421);
      assert.equal(jsonOf<{ error: { code: string } }>(phished).error.code, "WRONG_HOST");
      const evilMessage = siweMessageFor(account, { ...nonce, domain: "evil.example", uri: "https://evil.example" });
      const evilPost = await as("evil.example", "/api/auth/verify", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: evilMessage, signature: await account.signMessage({ message: evilMessage }) }),
      });
      assert.equal(evilPost.status, 421);
      assert.equal(evilPost.headers["set-cookie"], undefined);
    } finally {
      if (previous === undefined) delete process.env.PEDIGREE_PUBLIC_ORIGIN;
      else process.env.PEDIGREE_PUBLIC_ORIGIN = previous;
    }
  });

  it("refuses cross-site sign-in (login CSRF): a foreign Origin, a cross-site fetch, a form's content type", async () => {
    const account = world.parties.acme.account;
    const nonce = await fetchNonce(server.url);
    const message = siweMessageFor(account, nonce);
    const body = JSON.stringify({ message, signature: await account.signMessage({ message }) });
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/auth/verify`, { method: "POST", headers: { cookie: nonce.cookie, ...headers }, body });
    const foreign = await post({ "content-type": "application/json", origin: "https://evil.example" });
    assert.equal(foreign.status, 403);
    assert.equal(await errorCode(foreign), "FOREIGN_ORIGIN");
    assert.equal(foreign.headers.get("set-cookie"), null);
    const crossSite = await post({ "content-type": "application/json", "sec-fetch-site": "cross-site" });
    assert.equal(crossSite.status, 403);
    // What an HTML form can send without a preflight: text/plain.
    const form = await post({ "content-type": "text/plain", origin: new URL(server.url).origin });
    assert.equal(form.status, 415);
    assert.equal(await errorCode(form), "UNSUPPORTED_CONTENT_TYPE");
    // The same request from our own page signs in: nothing above used the nonce.
    const own = await post({
      "content-type": "application/json",
      origin: new URL(server.url).origin,
      "sec-fetch-site": "same-origin",
    });
    assert.equal(own.status, 200);
  });

  it("accepts a message that expires when its nonce does, as the dashboard writes it", async () => {
    const account = world.parties.acme.account;
    const nonce = await fetchNonce(server.url);
    const message = siweMessageFor(account, nonce, { expirationTime: new Date(nonce.expiresAt) });
    const attempt = await postSignIn(server.url, message, await account.signMessage({ message }), nonce.cookie);
    assert.equal(attempt.status, 200, JSON.stringify(attempt.body));
    const future = siweMessageFor(account, await fetchNonce(server.url), {
      notBefore: new Date(Date.now() + 60_000),
    });
    const early = await postSignIn(server.url, future, await account.signMessage({ message: future }));
    assert.notEqual(early.body.error?.code, "MESSAGE_MALFORMED", "a notBefore within the clock skew is not malformed");
  });

  it("issues unpredictable nonces bound to the client that asked", async () => {
    const nonces = await Promise.all(Array.from({ length: 20 }, () => fetchNonce(server.url)));
    for (const { nonce } of nonces) assert.match(nonce, /^[0-9a-f]{32}$/, "128 random bits as hex");
    // No nonce is a shift of another (viem's generateSiweNonce was: each the previous moved by one digit).
    for (const a of nonces)
      for (const b of nonces)
        if (a !== b) assert.ok(!b.nonce.startsWith(a.nonce.slice(1, 9)), `${a.nonce} / ${b.nonce}`);
    assert.equal(new Set(nonces.map((n) => n.nonce)).size, nonces.length);

    const account = world.parties.acme.account;
    const [mine, theirs] = nonces;
    const message = siweMessageFor(account, mine!);
    const signature = await account.signMessage({ message });
    const noCookie = await postSignIn(server.url, message, signature);
    assert.equal(noCookie.status, 401);
    assert.equal(noCookie.body.error?.code, "NONCE_OTHER_CLIENT");
    const otherClient = await postSignIn(server.url, message, signature, theirs!.cookie);
    assert.equal(otherClient.body.error?.code, "NONCE_OTHER_CLIENT");
    const sameClient = await postSignIn(server.url, message, signature, mine!.cookie);
    assert.equal(sameClient.status, 200);
  });

  it("answers LEDGER_UNAVAILABLE (503), not a refusal, when the chain cannot be read", async () => {
    const session = await signInAs(server.url, world.parties.acme.account);
    const realChain = ctx.chain;
    ctx.chain = chainClient({ ...ctx.ledger, rpcUrl: "http://127.0.0.1:1" });
    try {
      const response = await privileged(session.body.token);
      assert.equal(response.status, 503);
      assert.equal(await errorCode(response), "LEDGER_UNAVAILABLE");
    } finally {
      ctx.chain = realChain;
    }
  });
});
