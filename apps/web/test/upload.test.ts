import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { toErrorResponse } from "../src/server/api/errors.ts";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { manifests } from "../src/server/db/schema.ts";
import { MAX_MANIFEST_BYTES, uploadManifestResponse } from "../src/server/manifests/upload.ts";
import type { ManifestUploadResponse } from "../src/lib/api-types.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { signInAs } from "./support/signIn.ts";
import { createWorld, testSerials, type World, type WorldBatch, type WorldProduct } from "./support/world.ts";

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe(`POST /api/manifests (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let database: OpenedDatabase;
  let world: World;
  let ctx: AppContext;
  let server: TestServer;
  let product: WorldProduct;
  const tokens: Record<string, string> = {};

  before(async () => {
    [chain, database] = await Promise.all([startTestChain(), openTestDatabase()]);
    world = await createWorld(chain);
    ctx = await createAppContext({
      target: chain.target,
      database,
    });
    server = await startTestServer({
      context: ctx,
      routes: {
        "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
        "/api/auth/verify": await import("../src/app/api/auth/verify/route.ts"),
        "/api/manifests": await import("../src/app/api/manifests/route.ts"),
      },
    });
    product = await world.registerProduct(world.parties.acme);
    for (const name of ["acme", "borealis", "northwind"] as const) {
      const attempt = await signInAs(server.url, world.parties[name].account);
      assert.equal(attempt.status, 200);
      tokens[name] = attempt.body.token;
    }
  });
  after(async () => {
    await server?.stop();
    await Promise.all([chain?.stop(), database?.close()]);
  });

  let lotCounter = 0;
  const newBatch = (packs = 25) =>
    world.registerBatch(world.parties.acme, product, { lot: `UP${++lotCounter}`, packs });

  const upload = (
    batch: Pick<WorldBatch, "gtin" | "lot">,
    body: string,
    options: { token?: string; type?: string; query?: string } = {},
  ) =>
    fetch(`${server.url}/api/manifests?${options.query ?? `gtin=${batch.gtin}&lot=${encodeURIComponent(batch.lot)}`}`, {
      method: "POST",
      headers: {
        "content-type": options.type ?? "text/plain; charset=utf-8",
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      body,
    });
  const listOf = (batch: WorldBatch) => batch.manifest.serials.join("\n") + "\n";

  it("stores the manufacturer's list (201), then answers 200 for the same list again", async () => {
    const batch = await newBatch();
    const first = await upload(batch, `serial\r\n${batch.manifest.serials.join("\r\n")}\r\n`, {
      token: tokens.acme,
      type: "text/csv",
    });
    assert.equal(first.status, 201, await first.clone().text());
    const body = (await first.json()) as ManifestUploadResponse;
    assert.deepEqual(body, {
      stored: true,
      batchId: batch.batchId,
      gtin: batch.gtin,
      lot: batch.lot,
      root: batch.manifest.root,
      serialCount: 25,
    });
    const [row] = await ctx.db.select().from(manifests).where(eq(manifests.batchId, batch.batchId));
    assert.equal(row?.uploadedBy, world.parties.acme.address.toLowerCase());
    assert.equal(row?.serialCount, 25);

    const again = await upload(batch, listOf(batch), {
      token: tokens.acme,
      query: `batchId=${batch.batchId}&gtin=${batch.gtin}&lot=${batch.lot}`,
    });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as ManifestUploadResponse).stored, false);
  });

  it("refuses uploads without a session, from another role, and from another manufacturer", async () => {
    const batch = await newBatch();
    const anonymous = await upload(batch, listOf(batch));
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as ErrorBody).error.code, "NOT_SIGNED_IN");

    const distributor = await upload(batch, listOf(batch), { token: tokens.northwind });
    assert.equal(distributor.status, 403);
    assert.equal(((await distributor.json()) as ErrorBody).error.code, "WRONG_ROLE");

    const otherManufacturer = await upload(batch, listOf(batch), { token: tokens.borealis });
    assert.equal(otherManufacturer.status, 403);
    const refusal = (await otherManufacturer.json()) as ErrorBody;
    assert.equal(refusal.error.code, "NOT_BATCH_MANUFACTURER");
    assert.match(refusal.error.message, new RegExp(world.parties.acme.address));

    const [row] = await ctx.db.select().from(manifests).where(eq(manifests.batchId, batch.batchId));
    assert.equal(row, undefined, "nothing stored by a refused upload");
  });

  it("refuses a suspended manufacturer from the moment it is suspended", async () => {
    const batch = await newBatch();
    await world.suspendParticipant(world.parties.acme);
    try {
      const refused = await upload(batch, listOf(batch), { token: tokens.acme });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as ErrorBody).error.code, "PARTICIPANT_SUSPENDED");
    } finally {
      await world.reinstateParticipant(world.parties.acme);
    }
    assert.equal((await upload(batch, listOf(batch), { token: tokens.acme })).status, 201);
  });

  it("refuses a list with bad lines whole, naming each line as numbered in the file", async () => {
    const batch = await newBatch(5);
    const [a, b, c] = batch.manifest.serials;
    const text = ["serial", a, "bad serial", b, a, "X".repeat(21), c].join("\n");
    const response = await upload(batch, text, { token: tokens.acme });
    assert.equal(response.status, 422);
    const body = (await response.json()) as ErrorBody;
    assert.equal(body.error.code, "INVALID_SERIAL_LIST");
    const errors = body.error.details?.errors as { line: number; code: string }[];
    assert.deepEqual(
      errors.map((error) => [error.line, error.code]),
      [
        [3, "CSET82"],
        [5, "DUPLICATE"],
        [6, "TOO_LONG"],
      ],
    );
    assert.equal(body.error.details?.errorCount, 3);
  });

  it("refuses a list that is not the batch's: wrong length, or another root (with both roots)", async () => {
    const batch = await newBatch(10);
    const short = await upload(batch, batch.manifest.serials.slice(0, 9).join("\n"), { token: tokens.acme });
    assert.equal(short.status, 422);
    const shortBody = (await short.json()) as ErrorBody;
    assert.equal(shortBody.error.code, "PACK_COUNT_MISMATCH");
    assert.deepEqual(shortBody.error.details, { serialCount: 9, packCount: 10 });

    const reordered = [...batch.manifest.serials].reverse().join("\n");
    const wrongRoot = await upload(batch, reordered, { token: tokens.acme });
    assert.equal(wrongRoot.status, 422);
    const rootBody = (await wrongRoot.json()) as ErrorBody;
    assert.equal(rootBody.error.code, "ROOT_MISMATCH");
    assert.equal(rootBody.error.details?.expectedRoot, batch.manifest.root);
    assert.match(String(rootBody.error.details?.root), /^0x[0-9a-f]{64}$/);
    assert.notEqual(rootBody.error.details?.root, batch.manifest.root);

    const other = testSerials(10, "OTHER").join("\n");
    const otherList = await upload(batch, other, { token: tokens.acme });
    assert.equal(((await otherList.json()) as ErrorBody).error.code, "ROOT_MISMATCH");
  });

  it("answers a bad query, an unknown batch and a wrong content type with their own codes", async () => {
    const batch = await newBatch(3);
    const cases: [string, string | undefined, number, string][] = [
      ["gtin=123&lot=A", undefined, 400, "INVALID_QUERY"],
      [`gtin=${batch.gtin}`, undefined, 400, "INVALID_QUERY"],
      [`gtin=${batch.gtin}&lot=${encodeURIComponent("bad lot")}`, undefined, 400, "INVALID_QUERY"],
      ["batchId=0x1234", undefined, 400, "INVALID_QUERY"],
      [`batchId=0x${"ab".repeat(32)}`, undefined, 400, "INVALID_QUERY"],
      ["", undefined, 400, "INVALID_QUERY"],
      [`gtin=${batch.gtin}&lot=NOSUCHLOT`, undefined, 404, "UNKNOWN_BATCH"],
      [`gtin=${batch.gtin}&lot=${batch.lot}`, "application/json", 415, "UNSUPPORTED_MEDIA_TYPE"],
      [`gtin=${batch.gtin}&lot=${batch.lot}`, "text/plain; charset=latin1", 415, "UNSUPPORTED_MEDIA_TYPE"],
    ];
    for (const [query, type, status, code] of cases) {
      const response = await upload(batch, listOf(batch), { token: tokens.acme, query, type });
      assert.equal(response.status, status, `${query} ${type ?? ""}`);
      assert.equal(((await response.json()) as ErrorBody).error.code, code, query);
    }
  });

  it("refuses a body over the limit with 413 as soon as the limit is crossed", async () => {
    const batch = await newBatch(3);
    const refuse = (request: Request) => uploadManifestResponse(ctx, request).catch(toErrorResponse);
    const declared = await refuse(
      new Request(`${server.url}/api/manifests?gtin=${batch.gtin}&lot=${batch.lot}`, {
        method: "POST",
        headers: {
          "content-type": "text/plain",
          authorization: `Bearer ${tokens.acme}`,
          "content-length": String(MAX_MANIFEST_BYTES + 1),
        },
        body: "x",
      }),
    );
    assert.equal(declared.status, 413, "a declared length over the limit is refused before reading");

    let produced = 0;
    const chunk = new TextEncoder().encode("ABCDEFGHJK\n".repeat(100_000));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        produced += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(`${server.url}/api/manifests?gtin=${batch.gtin}&lot=${batch.lot}`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${tokens.acme}` },
      body: endless,
      duplex: "half",
    } as RequestInit);
    const response = await refuse(request);
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as ErrorBody).error.code, "PAYLOAD_TOO_LARGE");
    assert.ok(produced < MAX_MANIFEST_BYTES + 4 * chunk.byteLength, `read ${produced} bytes before refusing`);
  });
});
