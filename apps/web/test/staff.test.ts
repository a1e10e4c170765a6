/**
 * Staff who sign in with passkeys, against a real local chain: invitations (one-time, expiring,
 * the organisation's administrator only), passkey registration and sign-in with a software
 * authenticator (ES256, as a platform authenticator answers), challenges bound to their browser
 * and used once, origin binding (a phishing page's answer), cloned authenticators (the counter),
 * role scopes on POST /api/writes and the write record naming the person, role changes and
 * removals taking effect at the next request.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import type { Hex } from "viem";
import type {
  PasskeySignInResponse,
  SessionResponse,
  StaffInvitationIssued,
  StaffListResponse,
} from "../src/lib/api-types.ts";
import { DEMO_STAFF, formatDemoInvitations, storeDemoStaff } from "../../../scripts/demo/staff.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { sessions, staffInvitations, staffPasskeys, writeRequests } from "../src/server/db/schema.ts";
import type { WriteView } from "../src/server/signer/queue.ts";
import { attachWriteService, WriteService } from "../src/server/signer/service.ts";
import { localSigner } from "../src/server/signer/signer.ts";
import { startTestChain, TEST_PRIVATE_KEYS, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { SoftAuthenticator } from "./support/passkey-authenticator.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, gtinUnder, COMPANY_PREFIXES, type World, type WorldParty } from "./support/world.ts";

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T & { error?: { code: string; message: string; details?: unknown } };
  headers: Headers;
}

/** A browser: its cookies (the session and the passkey challenge's binding) and its authenticator. */
interface Browser {
  cookies: Map<string, string>;
  authenticator: SoftAuthenticator;
}

const newBrowser = (): Browser => ({ cookies: new Map(), authenticator: new SoftAuthenticator() });

describe(`staff who sign in with passkeys (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let service: WriteService;
  let acme: WorldParty;
  let northwind: WorldParty;
  let harbour: WorldParty;
  /** Where passkeys live for a server on 127.0.0.1: the same port under localhost (origin.ts, passkeyOrigin). */
  let passkeyOrigin: string;
  const wallets = new Map<string, string>();
  let productCounter = 500;

  async function call<T = Record<string, unknown>>(
    method: string,
    route: string,
    options: { token?: string; browser?: Browser; body?: unknown; key?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.browser !== undefined) {
      // A browser's fetch from our pages names their origin and sends its cookies.
      headers.origin ??= passkeyOrigin;
      if (options.browser.cookies.size > 0) {
        headers.cookie = [...options.browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      }
    }
    if (options.body !== undefined) headers["content-type"] ??= "application/json";
    if (options.key !== undefined) headers["idempotency-key"] = options.key;
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (options.browser !== undefined) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const [name, value] = pair!.split("=") as [string, string];
        if (value === "" || /Max-Age=0/.test(line)) options.browser.cookies.delete(name);
        else options.browser.cookies.set(name, value);
      }
    }
    return { status: response.status, body: (await response.json()) as Answer<T>["body"], headers: response.headers };
  }

  async function walletOf(party: WorldParty): Promise<string> {
    let token = wallets.get(party.address);
    if (token === undefined) {
      const attempt = await signInAs(server.url, party.account);
      assert.equal(attempt.status, 200, JSON.stringify(attempt.body));
      token = attempt.body.token;
      wallets.set(party.address, token);
    }
    return token;
  }

  async function invite(party: WorldParty, name: string, role: string, by?: { browser: Browser }) {
    const answer = await call<StaffInvitationIssued>("POST", "/api/staff/invitations", {
      ...(by === undefined ? { token: await walletOf(party) } : { browser: by.browser }),
      body: { name, role },
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return { ...answer.body, token: answer.body.link.split("/invite/")[1]! };
  }

  /** The invited person opens the link and creates their passkey in `browser`. */
  async function register(token: string, browser: Browser, origin = passkeyOrigin) {
    const options = await call<{ challenge: string; rp: { id: string }; user: { id: string } }>(
      "POST",
      "/api/auth/passkey/register/options",
      { browser, body: { invitation: token } },
    );
    if (options.status !== 200) return options as unknown as Answer<PasskeySignInResponse>;
    const response = browser.authenticator.register(options.body, origin);
    return call<PasskeySignInResponse>("POST", "/api/auth/passkey/register/verify", {
      browser,
      body: { invitation: token, response },
    });
  }

  async function signIn(browser: Browser, origin = passkeyOrigin) {
    const options = await call<{ challenge: string; rpId: string }>("POST", "/api/auth/passkey/options", { browser });
    assert.equal(options.status, 200, JSON.stringify(options.body));
    const response = browser.authenticator.authenticate(options.body, origin);
    return call<PasskeySignInResponse>("POST", "/api/auth/passkey/verify", { browser, body: { response } });
  }

  /** A staff member of `party` with `role`, registered and signed in, in a browser of their own. */
  async function staffMember(party: WorldParty, name: string, role: string) {
    const browser = newBrowser();
    const { token } = await invite(party, name, role);
    const registered = await register(token, browser);
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    return { browser, staff: registered.body.staff };
  }

  const newProduct = () => ({
    gtin: gtinUnder(COMPANY_PREFIXES.acme, ++productCounter),
    name: `Product ${productCounter}`,
    strength: "5 mg",
    dosageForm: "tablet",
  });

  const write = (browser: Browser, operation: string, args: unknown) =>
    call<WriteView>("POST", "/api/writes", { browser, key: randomUUID(), body: { operation, arguments: args } });

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    ({ acme, northwind, harbour } = world.parties);
    ctx = await createAppContext({ target: chain.target, database });
    // The server holds acme's and northwind's keys, not harbour's.
    const keyOf = (party: WorldParty) =>
      TEST_PRIVATE_KEYS[chain.accounts.findIndex((account) => account.address === party.address)] as Hex;
    service = attachWriteService(
      ctx,
      new WriteService(ctx, [localSigner(keyOf(acme)), localSigner(keyOf(northwind))], { pollIntervalMs: 20 }).start(),
    );
    const route = (file: string) => import(`../src/app/api/${file}/route.ts`) as Promise<RouteModule>;
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await route("auth/nonce"),
        "/api/auth/verify": await route("auth/verify"),
        "/api/auth/session": await route("auth/session"),
        "/api/auth/logout": await route("auth/logout"),
        "/api/auth/passkey/options": await route("auth/passkey/options"),
        "/api/auth/passkey/verify": await route("auth/passkey/verify"),
        "/api/auth/passkey/register/options": await route("auth/passkey/register/options"),
        "/api/auth/passkey/register/verify": await route("auth/passkey/register/verify"),
        "/api/staff": await route("staff"),
        "/api/staff/invitations": await route("staff/invitations"),
        "/api/staff/invitations/[id]": await route("staff/invitations/[id]"),
        "/api/staff/[id]": await route("staff/[id]"),
        "/api/writes": await route("writes"),
        "/api/tokens": await route("tokens"),
      },
    });
    passkeyOrigin = server.url.replace("127.0.0.1", "localhost");
  });

  after(async () => {
    await service?.stop();
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("an organisation invites a person; the link is one-time, on the passkey origin, and only its hash is kept", async () => {
    const issued = await invite(acme, "Dana Clerk", "clerk");
    assert.match(issued.link, new RegExp(`^${passkeyOrigin}/invite/pdgi_[A-Za-z0-9_-]{43}$`));
    assert.equal(issued.invitation.role, "clerk");
    const stored = await database.db
      .select()
      .from(staffInvitations)
      .where(eq(staffInvitations.id, issued.invitation.id));
    assert.equal(stored.length, 1);
    assert.ok(!JSON.stringify(stored).includes(issued.token), "the token itself is not stored");
    const list = await call<StaffListResponse>("GET", "/api/staff", { token: await walletOf(acme) });
    assert.equal(list.status, 200);
    assert.ok(list.body.invitations.some((invitation) => invitation.id === issued.invitation.id));
    assert.deepEqual(list.body.roles.clerk.scopes, ["ship", "receive", "pack", "read"]);
    assert.ok(list.body.roles.admin.manages);
    // Another organisation does not see it.
    const theirs = await call<StaffListResponse>("GET", "/api/staff", { token: await walletOf(northwind) });
    assert.ok(!theirs.body.invitations.some((invitation) => invitation.id === issued.invitation.id));
  });

  it("registering a passkey uses the invitation, creates the member and signs them in for the organisation", async () => {
    const browser = newBrowser();
    const { token } = await invite(acme, "Quinn Quality", "quality");
    const registered = await register(token, browser);
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    assert.equal(registered.body.address, acme.address);
    assert.equal(registered.body.staff.name, "Quinn Quality");
    assert.equal(registered.body.staff.role, "quality");
    assert.ok(browser.cookies.has("pedigree_session"), "the session cookie is set");
    assert.ok(!browser.cookies.has("pedigree_passkey"), "the challenge's cookie is cleared");
    // requireParty's view: the organisation, with the person.
    const session = await call<SessionResponse>("GET", "/api/auth/session", { browser });
    assert.equal(session.body.signedIn, true);
    assert.ok(session.body.signedIn);
    assert.equal(session.body.address, acme.address);
    assert.equal(session.body.role, "MANUFACTURER");
    assert.equal(session.body.name, acme.legalName);
    assert.deepEqual(session.body.staff, registered.body.staff);
    // The link works once: a second browser with it is refused, before and after the ceremony.
    const again = await register(token, newBrowser());
    assert.equal(again.status, 410);
    assert.equal(again.body.error?.code, "INVITATION_USED");
    const list = await call<StaffListResponse>("GET", "/api/staff", { token: await walletOf(acme) });
    const member = list.body.members.find((m) => m.id === registered.body.staff.id);
    assert.equal(member?.passkeys, 1);
    assert.match(member?.invitedBy ?? "", /^person:0x/);
  });

  it("a link raced from two browsers registers once", async () => {
    const { token } = await invite(acme, "Race Twice", "clerk");
    const [first, second] = [newBrowser(), newBrowser()];
    const optionsOf = (browser: Browser) =>
      call<{ challenge: string; rp: { id: string }; user: { id: string } }>(
        "POST",
        "/api/auth/passkey/register/options",
        {
          browser,
          body: { invitation: token },
        },
      );
    const [a, b] = [await optionsOf(first), await optionsOf(second)];
    const verify = (browser: Browser, options: typeof a) =>
      call<PasskeySignInResponse>("POST", "/api/auth/passkey/register/verify", {
        browser,
        body: { invitation: token, response: browser.authenticator.register(options.body, passkeyOrigin) },
      });
    assert.equal((await verify(first, a)).status, 200);
    const late = await verify(second, b);
    assert.equal(late.status, 410);
    assert.equal(late.body.error?.code, "INVITATION_USED");
  });

  it("refuses expired, cancelled, unknown and malformed invitations with what to do", async () => {
    const expired = await invite(acme, "Late Comer", "clerk");
    await database.db
      .update(staffInvitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(staffInvitations.id, expired.invitation.id));
    const late = await register(expired.token, newBrowser());
    assert.equal(late.status, 410);
    assert.equal(late.body.error?.code, "INVITATION_EXPIRED");
    assert.match(late.body.error?.message ?? "", /administrator for a new one/);

    const cancelled = await invite(acme, "Never Mind", "clerk");
    const cancel = await call("DELETE", `/api/staff/invitations/${cancelled.invitation.id}`, {
      token: await walletOf(acme),
    });
    assert.equal(cancel.status, 200);
    assert.equal((await register(cancelled.token, newBrowser())).body.error?.code, "INVITATION_CANCELLED");

    const unknown = await register(`pdgi_${"x".repeat(43)}`, newBrowser());
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error?.code, "INVITATION_UNKNOWN");
    const garbage = await call("POST", "/api/auth/passkey/register/options", {
      browser: newBrowser(),
      body: { invitation: 42, extra: true },
    });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.error?.code, "INVALID_BODY");
    assert.match(garbage.body.error?.message ?? "", /invitation link/);
    const notJson = await call("POST", "/api/auth/passkey/register/options", {
      browser: newBrowser(),
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(notJson.status, 415);
  });

  it("only the organisation's administrator manages staff: not another organisation, other staff, a token or nobody", async () => {
    const clerk = await staffMember(acme, "Casey Clerk", "clerk");
    const pending = await invite(acme, "Pending Person", "pharmacist");
    // Another organisation's administrator finds nothing of acme's.
    const theirs = await walletOf(northwind);
    for (const [method, path, body] of [
      ["PATCH", `/api/staff/${clerk.staff.id}`, { role: "admin" }],
      ["DELETE", `/api/staff/${clerk.staff.id}`, undefined],
      ["DELETE", `/api/staff/invitations/${pending.invitation.id}`, undefined],
    ] as const) {
      const answer = await call(method, path, { token: theirs, ...(body === undefined ? {} : { body }) });
      assert.equal(answer.status, 404, `${method} ${path}`);
    }
    // Staff other than admins may not manage staff.
    for (const [method, path, body] of [
      ["GET", "/api/staff", undefined],
      ["POST", "/api/staff/invitations", { name: "Friend", role: "admin" }],
      ["PATCH", `/api/staff/${clerk.staff.id}`, { role: "admin" }],
    ] as const) {
      const answer = await call(method, path, { browser: clerk.browser, ...(body === undefined ? {} : { body }) });
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.body.error?.code, "STAFF_ADMIN_ONLY");
      assert.match(answer.body.error?.message ?? "", /Casey Clerk is clerk, who may: ship goods/);
    }
    // Nor API tokens, nor anyone not signed in.
    const token = await call<{ token: string }>("POST", "/api/tokens", {
      token: await walletOf(acme),
      body: { label: "ERP", scopes: ["ship"] },
    });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const byToken = await call("POST", "/api/staff/invitations", {
      token: token.body.token,
      body: { name: "X", role: "clerk" },
    });
    assert.equal(byToken.status, 403);
    assert.equal(byToken.body.error?.code, "TOKENS_NEED_A_PERSON");
    assert.equal((await call("GET", "/api/staff")).body.error?.code, "NOT_SIGNED_IN");
    // A staff admin does: their invitation records them.
    const admin = await staffMember(acme, "Ada Admin", "admin");
    const invited = await invite(acme, "Invited By Ada", "clerk", { browser: admin.browser });
    assert.equal(invited.invitation.createdBy, `staff:${admin.staff.id}`);
    const badRole = await call("POST", "/api/staff/invitations", {
      browser: admin.browser,
      body: { name: "Y", role: "owner" },
    });
    assert.equal(badRole.status, 400);
    assert.match(badRole.body.error?.message ?? "", /clerk, pharmacist, quality, admin/);
  });

  it("signs in with a passkey: discoverable, challenge bound to its browser and used once", async () => {
    const member = await staffMember(acme, "Sam Signin", "clerk");
    await call("POST", "/api/auth/logout", { browser: member.browser });
    assert.equal(
      (await call<SessionResponse>("GET", "/api/auth/session", { browser: member.browser })).body.signedIn,
      false,
    );

    const signedIn = await signIn(member.browser);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.staff.id, member.staff.id);
    assert.equal(signedIn.body.address, acme.address);

    // The options are for any passkey of this site: none is named, user verification preferred.
    const options = await call<{
      challenge: string;
      rpId: string;
      allowCredentials?: unknown[];
      userVerification: string;
    }>("POST", "/api/auth/passkey/options", { browser: member.browser });
    assert.equal(options.body.rpId, "localhost");
    assert.deepEqual(options.body.allowCredentials ?? [], []);
    assert.equal(options.body.userVerification, "preferred");
    const answer = member.browser.authenticator.authenticate(options.body, passkeyOrigin);
    // Taken to another browser (no challenge cookie, or its own), it is refused.
    const elsewhere = newBrowser();
    await call("POST", "/api/auth/passkey/options", { browser: elsewhere });
    const stolen = await call("POST", "/api/auth/passkey/verify", { browser: elsewhere, body: { response: answer } });
    assert.equal(stolen.status, 401);
    assert.equal(stolen.body.error?.code, "PASSKEY_NOT_VERIFIED", "another browser's challenge does not match");
    const bare = await call("POST", "/api/auth/passkey/verify", { body: { response: answer } });
    assert.equal(bare.body.error?.code, "CHALLENGE_UNKNOWN");
    // In its own browser it signs in once; replayed, it is refused.
    assert.equal(
      (await call("POST", "/api/auth/passkey/verify", { browser: member.browser, body: { response: answer } })).status,
      200,
    );
    const replay = await call("POST", "/api/auth/passkey/verify", {
      browser: member.browser,
      body: { response: answer },
    });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error?.code, "CHALLENGE_UNKNOWN");
  });

  it("refuses a passkey answer made for a phishing page, and one from a cloned authenticator", async () => {
    const member = await staffMember(acme, "Pat Phished", "clerk");
    const phished = await signIn(member.browser, "https://pedigree-login.example");
    assert.equal(phished.status, 401);
    assert.equal(phished.body.error?.code, "PASSKEY_NOT_VERIFIED");
    assert.match(phished.body.error?.message ?? "", /origin/i);
    // Registration from a phishing page is refused the same way.
    const { token } = await invite(acme, "Phil Phished", "clerk");
    const registeredThere = await register(token, newBrowser(), "https://pedigree-login.example");
    assert.equal(registeredThere.body.error?.code, "PASSKEY_NOT_VERIFIED");

    assert.equal((await signIn(member.browser)).status, 200);
    const [stored] = await database.db.select().from(staffPasskeys).where(eq(staffPasskeys.staffId, member.staff.id));
    assert.equal(stored?.counter, member.browser.authenticator.counter, "the counter is kept");
    // A copy of the key whose counter lags behind the original's.
    member.browser.authenticator.counter = 0;
    const cloned = await signIn(member.browser);
    assert.equal(cloned.status, 401);
    assert.equal(cloned.body.error?.code, "PASSKEY_NOT_VERIFIED");
    assert.match(cloned.body.error?.message ?? "", /counter/i);
  });

  it("writes within the role's scopes are signed and record the person; others are refused naming the role", async () => {
    const clerk = await staffMember(acme, "Cleo Clerk", "clerk");
    const refused = await write(clerk.browser, "register-product", newProduct());
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, "MISSING_SCOPE");
    assert.match(refused.body.error?.message ?? "", /As a clerk, Cleo Clerk may not register products/);
    assert.match(refused.body.error?.message ?? "", /ship goods and cancel shipments; receive and reject shipments/);

    const quality = await staffMember(acme, "Quentin Quality", "quality");
    const product = newProduct();
    const accepted = await write(quality.browser, "register-product", product);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.deepEqual(accepted.body.requestedBy, { kind: "staff", id: quality.staff.id, label: "Quentin Quality" });
    const [row] = await database.db.select().from(writeRequests).where(eq(writeRequests.id, accepted.body.id));
    assert.equal(row?.requesterKind, "staff");
    assert.equal(row?.organisation, acme.address.toLowerCase());

    // The role changed: effective at the clerk's next request, same session.
    const promote = await call("PATCH", `/api/staff/${clerk.staff.id}`, {
      token: await walletOf(acme),
      body: { role: "quality" },
    });
    assert.equal(promote.status, 200, JSON.stringify(promote.body));
    assert.equal((await write(clerk.browser, "register-product", newProduct())).status, 202);
  });

  it("staff of an organisation whose key this server does not hold cannot have writes signed", async () => {
    const member = await staffMember(harbour, "Harriet Pharmacist", "pharmacist");
    const answer = await write(member.browser, "dispense", { gtin: "09520123456788", serial: "X", lot: "L" });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error?.code, "NO_ORGANISATION_KEY");
  });

  it("removing a member stops their sessions and passkeys at once", async () => {
    const member = await staffMember(acme, "Riley Removed", "clerk");
    const otherBrowser: Browser = { cookies: new Map(), authenticator: member.browser.authenticator };
    assert.equal((await signIn(otherBrowser)).status, 200, "signed in on a second device too");
    const removed = await call("DELETE", `/api/staff/${member.staff.id}`, { token: await walletOf(acme) });
    assert.equal(removed.status, 200);
    for (const browser of [member.browser, otherBrowser]) {
      assert.equal((await call<SessionResponse>("GET", "/api/auth/session", { browser })).body.signedIn, false);
      const writeAfter = await write(browser, "ship", { to: northwind.address, reference: "R", lines: [] });
      assert.equal(writeAfter.status, 401);
    }
    assert.equal((await database.db.select().from(sessions).where(eq(sessions.staffId, member.staff.id))).length, 0);
    const again = await signIn(newBrowserWith(member.browser.authenticator));
    assert.equal(again.status, 401);
    assert.equal(again.body.error?.code, "PASSKEY_UNKNOWN");
    const list = await call<StaffListResponse>("GET", "/api/staff", { token: await walletOf(acme) });
    assert.ok(!list.body.members.some((m) => m.id === member.staff.id));
    assert.equal((await call("DELETE", `/api/staff/${member.staff.id}`, { token: await walletOf(acme) })).status, 404);
  });

  it("npm start's demo invitations open a passkey registration for each demo organisation", async () => {
    const invitations = await storeDemoStaff(database.db, {
      origin: server.url,
      addresses: {
        acme: acme.address,
        borealis: world.parties.borealis.address,
        northwind: northwind.address,
        central: world.parties.central.address,
        harbour: harbour.address,
        agency: world.parties.regulator.address,
      },
    });
    assert.equal(invitations.length, 6);
    assert.match(
      formatDemoInvitations(invitations),
      /Maria Keller, administrator: http:\/\/localhost:\d+\/invite\/pdgi_/,
    );
    const acmeInvitation = invitations.find((invitation) => invitation.person === DEMO_STAFF.acme)!;
    assert.ok(acmeInvitation.link.startsWith(`${passkeyOrigin}/invite/`), "on the passkey origin");
    const browser = newBrowser();
    const registered = await register(acmeInvitation.link.split("/invite/")[1]!, browser);
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    assert.deepEqual(
      { name: registered.body.staff.name, role: registered.body.staff.role, organisation: registered.body.address },
      { name: DEMO_STAFF.acme, role: "admin", organisation: acme.address },
    );
    // An administrator: they see Acme's staff, themselves included.
    const list = await call<StaffListResponse>("GET", "/api/staff", { browser });
    assert.ok(list.body.members.some((member) => member.id === registered.body.staff.id));
  });

  it("passkey ceremonies and staff changes are refused from another site", async () => {
    const foreign = { origin: "https://pedigree-login.example" };
    for (const [path, body] of [
      ["/api/auth/passkey/options", undefined],
      ["/api/auth/passkey/verify", { response: {} }],
      ["/api/auth/passkey/register/options", { invitation: "pdgi_x" }],
      ["/api/staff/invitations", { name: "X", role: "clerk" }],
    ] as const) {
      const answer = await call("POST", path, {
        browser: newBrowser(),
        headers: foreign,
        ...(body === undefined ? {} : { body }),
      });
      assert.equal(answer.status, 403, path);
      assert.equal(answer.body.error?.code, "FOREIGN_ORIGIN");
    }
    const crossSite = await call("POST", "/api/auth/passkey/options", {
      browser: newBrowser(),
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(crossSite.body.error?.code, "FOREIGN_ORIGIN");
  });
});

function newBrowserWith(authenticator: SoftAuthenticator): Browser {
  return { cookies: new Map(), authenticator };
}
