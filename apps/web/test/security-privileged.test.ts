/**
 * Every route that changes state on a user's behalf, refused the moment its caller stops being a
 * participant in good standing on chain: POST /api/manifests and PATCH /api/alerts/<id> (as the
 * regulator, and as the party whose scan raised the alert). Suspension is read on chain at each
 * call, so the read model is indexed once, before any suspension, and never again: the refusal
 * must not wait for the indexer. (The read model says whose batch an alert is on: who may see it.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alerts } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { readApi } from "../src/server/read/http.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, type World, type WorldBatch } from "./support/world.ts";

describe(`privileged routes refuse suspended and non-participants at once (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let batch: WorldBatch;

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    const product = await world.registerProduct(world.parties.acme);
    batch = await world.registerBatch(world.parties.acme, product, { lot: "PRIV-1", packs: 4 });
    ctx = await createAppContext({
      target: chain.target,
      database,
    });
    await syncToHead(ctx);
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/auth/session": await import("../src/app/api/auth/session/route.ts"),
        "/api/manifests": await import("../src/app/api/manifests/route.ts"),
        // What src/app/api/alerts/[id]/route.ts does (its `@/` imports are for Next's compiler only).
        "/api/alerts/[id]": {
          PATCH: async (request, { params }) => readApi.changeAlert(ctx, request, String((await params).id)),
        },
      },
    });
  });
  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  const tokenOf = async (account: Parameters<typeof signInAs>[1]) => {
    const attempt = await signInAs(server.url, account);
    assert.equal(attempt.status, 200, JSON.stringify(attempt.body));
    return attempt.body.token;
  };
  const answer = async (response: Response) => {
    const body = (await response.json()) as { error?: { code: string }; status?: string };
    return [response.status, body.error?.code ?? body.status] as const;
  };
  const upload = (token: string, text: string) =>
    fetch(`${server.url}/api/manifests?gtin=${batch.gtin}&lot=${batch.lot}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: text,
    });
  const patchAlert = (token: string, id: number, status: "INVESTIGATING" | "CLOSED") =>
    fetch(`${server.url}/api/alerts/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(
        status === "CLOSED"
          ? { status, rootCause: "SCANNER_OR_DATA_ERROR", note: "The scanner misread the label." }
          : { status },
      ),
    });
  const alertReportedBy = async (address: string) => {
    const [row] = await database.db
      .insert(alerts)
      .values({
        verdict: "DISPENSED",
        purpose: "dispense",
        gtin: batch.gtin,
        lot: batch.lot,
        batchId: batch.batchId,
        // A pack of its own: one open alert per pack and reporter.
        serial: `S${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
        reportedBy: address.toLowerCase(),
        message: "Pack already dispensed",
      })
      .returning();
    return row!.id;
  };

  it("POST /api/manifests: a manufacturer suspended after signing in is refused before its list is read", async () => {
    const { acme } = world.parties;
    const token = await tokenOf(acme.account);
    // Signed in and in good standing: the list itself is judged (one serial for four packs).
    assert.deepEqual(await answer(await upload(token, "ONLY1\n")), [422, "PACK_COUNT_MISMATCH"]);
    await world.suspendParticipant(acme);
    try {
      assert.deepEqual(await answer(await upload(token, batch.manifest.serials.join("\n"))), [
        403,
        "PARTICIPANT_SUSPENDED",
      ]);
      const session = (await (
        await fetch(`${server.url}/api/auth/session`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { suspended?: boolean };
      assert.equal(session.suspended, true);
    } finally {
      await world.reinstateParticipant(acme);
    }
    assert.deepEqual(await answer(await upload(token, batch.manifest.serials.join("\n"))), [201, undefined]);
  });

  it("PATCH /api/alerts/<id>: the reporting pharmacy may work its alert only while in good standing", async () => {
    const { central } = world.parties;
    const id = await alertReportedBy(central.address);
    const token = await tokenOf(central.account);
    assert.deepEqual(await answer(await patchAlert(token, id, "INVESTIGATING")), [200, "INVESTIGATING"]);
    await world.suspendParticipant(central);
    try {
      assert.deepEqual(await answer(await patchAlert(token, id, "CLOSED")), [403, "PARTICIPANT_SUSPENDED"]);
    } finally {
      await world.reinstateParticipant(central);
    }
    assert.deepEqual(await answer(await patchAlert(token, id, "CLOSED")), [200, "CLOSED"]);
  });

  it("PATCH /api/alerts/<id>: a suspended regulator is refused; another party's alert needs the regulator", async () => {
    const { regulator, acme, harbour, central } = world.parties;
    const id = await alertReportedBy(central.address);
    const regulatorToken = await tokenOf(regulator.account);
    // The batch's manufacturer sees the alert (it is on its batch) but may not close it; a party
    // with no part in it does not even learn that it exists.
    assert.deepEqual(await answer(await patchAlert(await tokenOf(acme.account), id, "INVESTIGATING")), [
      403,
      "WRONG_ROLE",
    ]);
    assert.deepEqual(await answer(await patchAlert(await tokenOf(harbour.account), id, "INVESTIGATING")), [
      404,
      "ALERT_NOT_FOUND",
    ]);
    await world.suspendParticipant(regulator);
    try {
      assert.deepEqual(await answer(await patchAlert(regulatorToken, id, "INVESTIGATING")), [
        403,
        "PARTICIPANT_SUSPENDED",
      ]);
    } finally {
      await world.reinstateParticipant(regulator);
    }
    assert.deepEqual(await answer(await patchAlert(regulatorToken, id, "INVESTIGATING")), [200, "INVESTIGATING"]);
  });

  it("an address that is no participant gets nothing, even for an alert recorded under its name", async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    const token = await tokenOf(stranger);
    assert.deepEqual(await answer(await upload(token, batch.manifest.serials.join("\n"))), [403, "NOT_PARTICIPANT"]);
    const id = await alertReportedBy(stranger.address);
    assert.deepEqual(await answer(await patchAlert(token, id, "INVESTIGATING")), [403, "NOT_PARTICIPANT"]);
  });
});
