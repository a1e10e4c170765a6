/**
 * The administrator's decisions and the reasons they record on chain, as the read API shows them
 * (over HTTP through the route modules Next serves, on an indexed world):
 *
 * - a suspension or reinstatement of a participant carries its reason, when and by whom, in the
 *   directory (GET /api/participants) and on the party's own page (GET /api/parties/<address>);
 * - GET /api/ledger says whether the ledger is paused and why, and after it resumes, why it did;
 * - an empty reason is refused by the ledger, in words that say what to write.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { explainLedgerError, pedigreeLedgerAbi } from "@pedigree/ledger";
import type { LedgerStatusResponse, ParticipantsResponse, PartyResponse } from "../src/lib/api/read.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { APP_SRC, resolveAppModules } from "./support/app-modules.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type RouteModule, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, type World } from "./support/world.ts";

resolveAppModules();

const ROUTE_FILES = ["auth/nonce", "auth/verify", "ledger", "participants", "parties/[address]"];
const SUSPENSION = "Wholesale licence withdrawn by the agency";
const REINSTATEMENT = "Licence renewed on appeal";
const PAUSE = "Signing key of a wholesaler leaked";
const RESUME = "Key revoked and the wholesaler suspended";

describe(`the administrator's decisions and their reasons in the read API (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  const tokens = new Map<"admin" | "regulator", string>();

  async function get<T>(route: string, who: "admin" | "regulator" | null): Promise<{ status: number; body: T }> {
    const token = who === null ? undefined : tokens.get(who);
    const response = await fetch(`${server.url}${route}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function ok<T>(route: string, who: "admin" | "regulator"): Promise<T> {
    const answer = await get<T>(route, who);
    assert.equal(answer.status, 200, `${who} GET ${route}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  const participant = async (address: string) =>
    (await ok<ParticipantsResponse>("/api/participants", "admin")).participants.find(
      (p) => p.address === address.toLowerCase(),
    );

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({ database, target: chain.target });
    await syncToHead(ctx);
    const routes: Record<string, RouteModule> = {};
    for (const file of ROUTE_FILES) {
      routes[`/api/${file}`] = (await import(
        pathToFileURL(path.join(APP_SRC, "app/api", file, "route.ts")).href
      )) as RouteModule;
    }
    server = await startTestServer({ context: ctx, routes });
    for (const [who, account] of [
      ["admin", world.admin],
      ["regulator", world.parties.regulator.account],
    ] as const) {
      const attempt = await signInAs(server.url, account);
      assert.equal(attempt.status, 200, `${who}: ${JSON.stringify(attempt.body)}`);
      tokens.set(who, attempt.body.token);
    }
  });

  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  it("lists no decision for a participant never suspended, and a ledger never paused", async () => {
    const northwind = await participant(world.parties.northwind.address);
    assert.deepEqual(
      [northwind?.suspended, northwind?.statusReason, northwind?.statusBy, northwind?.statusAt],
      [false, null, null, null],
    );
    assert.deepEqual(await ok<LedgerStatusResponse>("/api/ledger", "regulator"), { paused: false, lastChange: null });
  });

  it("shows a suspension's reason, time and author in the directory and on the party's page", async () => {
    const { northwind } = world.parties;
    const receipt = await world.suspendParticipant(northwind, SUSPENSION);
    await syncToHead(ctx);
    const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const expected = {
      suspended: true,
      statusReason: SUSPENSION,
      statusBy: { address: world.admin.address.toLowerCase() },
      statusAt: new Date(Number(block.timestamp) * 1000).toISOString(),
    };
    const listed = await participant(northwind.address);
    assert.deepEqual(
      {
        suspended: listed?.suspended,
        statusReason: listed?.statusReason,
        statusBy: listed?.statusBy,
        statusAt: listed?.statusAt,
      },
      expected,
    );
    // The others keep no decision of their own.
    const { participants } = await ok<ParticipantsResponse>("/api/participants", "regulator");
    assert.deepEqual(
      participants.filter((p) => p.statusReason !== null).map((p) => p.name),
      ["Northwind Wholesale"],
    );
    const page = await ok<PartyResponse>(`/api/parties/${northwind.address}`, "regulator");
    assert.ok("statusReason" in page.party, "a registered party comes with its record");
    assert.equal(page.party.statusReason, SUSPENSION);
  });

  it("shows the reinstatement's reason once the suspension is lifted", async () => {
    const { northwind } = world.parties;
    await world.reinstateParticipant(northwind, REINSTATEMENT);
    await syncToHead(ctx);
    const listed = await participant(northwind.address);
    assert.deepEqual([listed?.suspended, listed?.statusReason], [false, REINSTATEMENT]);
  });

  it("says the ledger is paused and why, and after it resumes, why it did", async () => {
    const paused = await world.pause(PAUSE);
    await syncToHead(ctx);
    const status = await ok<LedgerStatusResponse>("/api/ledger", "regulator");
    assert.equal(status.paused, true);
    assert.deepEqual(
      { ...status.lastChange, at: undefined },
      {
        paused: true,
        reason: PAUSE,
        by: { address: world.admin.address.toLowerCase() },
        at: undefined,
        transactionHash: paused.transactionHash,
      },
    );
    // The administrator, who is no participant, reads it too (its page shows its last decision).
    assert.equal((await ok<LedgerStatusResponse>("/api/ledger", "admin")).lastChange?.reason, PAUSE);

    await world.unpause(RESUME);
    await syncToHead(ctx);
    const resumed = await ok<LedgerStatusResponse>("/api/ledger", "regulator");
    assert.deepEqual([resumed.paused, resumed.lastChange?.paused, resumed.lastChange?.reason], [false, false, RESUME]);
  });

  it("answers /api/ledger to signed-in parties only, and refuses a query it does not take", async () => {
    const anonymous = await get<{ error: { code: string } }>("/api/ledger", null);
    assert.deepEqual([anonymous.status, anonymous.body.error.code], [401, "NOT_SIGNED_IN"]);
    const unknown = await get<{ error: { code: string } }>("/api/ledger?since=1", "regulator");
    assert.equal(unknown.status, 400);
  });

  it("refuses an empty reason on chain, in words that say what to write", async () => {
    for (const call of [() => world.pause(""), () => world.suspendParticipant(world.parties.central, "")]) {
      await assert.rejects(call(), (error: unknown) => {
        const explained = explainLedgerError(error);
        assert.equal(explained.code, "PedigreeEmptyReason");
        assert.match(explained.message, /A reason is required/);
        return true;
      });
    }
    assert.equal(
      await chain.publicClient.readContract({ address: chain.address, abi: pedigreeLedgerAbi, functionName: "paused" }),
      false,
    );
  });
});
