/**
 * The serial manifest store: what is stored can be looked up and proves against the batch's root;
 * what is refused leaves nothing behind. Runs on PGlite, and on PostgreSQL when
 * PEDIGREE_TEST_DATABASE_URL is set. (verify.test.ts proves stored proofs with the contract.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { eq, sql } from "drizzle-orm";
import { batchIdOf, SerialTree, type Hex } from "@pedigree/ledger";
import { migrationsFolder, type Database, type OpenedDatabase } from "../src/server/db/database.ts";
import { manifestNodes, manifests, manifestSerialChunks, manifestSerials } from "../src/server/db/schema.ts";
import {
  findSerialLots,
  lookupSerial,
  ManifestError,
  NODES_PER_CHUNK,
  SERIALS_PER_CHUNK,
  serialsOfPacks,
  storeManifest,
  type StoreManifestInput,
} from "../src/server/manifests/store.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";

const GTIN = "09520123000019";
const OTHER_GTIN = "09520123000026";
const UPLOADER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function serialsFor(lot: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${lot}-${(i * 7919 + 13).toString(36).toUpperCase()}`);
}

function inputFor(lot: string, serials: readonly string[], gtin = GTIN): StoreManifestInput {
  return {
    batchId: batchIdOf(gtin, lot),
    gtin,
    lot,
    serials,
    expectedRoot: SerialTree.build(serials).root,
    uploadedBy: UPLOADER,
  };
}

async function rowCounts(db: Database, batchId: Hex) {
  const count = async (
    table: typeof manifests | typeof manifestSerials | typeof manifestSerialChunks | typeof manifestNodes,
  ) =>
    (
      await db
        .select({ n: sql<number>`count(*)::int` })
        .from(table)
        .where(eq(table.batchId, batchId))
    )[0]!.n;
  return {
    manifests: await count(manifests),
    serials: await count(manifestSerials),
    serialChunks: await count(manifestSerialChunks),
    nodes: await count(manifestNodes),
  };
}

async function refusal(promise: Promise<unknown>): Promise<ManifestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ManifestError, `expected a ManifestError, got ${String(error)}`);
    return error;
  }
  assert.fail("the manifest was accepted");
}

describe(`manifest store (${TEST_DATABASE_KIND})`, () => {
  let database: OpenedDatabase;
  let db: Database;
  before(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  after(async () => {
    await database?.close();
  });

  it("stores a list and serves every serial's index and a proof that verifies against the root", async () => {
    // Sizes around the chunk boundaries, so proofs cross chunks at every level.
    for (const count of [
      1,
      2,
      3,
      NODES_PER_CHUNK / 2,
      NODES_PER_CHUNK / 2 + 1,
      NODES_PER_CHUNK + 3,
      SERIALS_PER_CHUNK,
      SERIALS_PER_CHUNK + 1,
      300,
    ]) {
      const lot = `SIZE${count}`;
      const serials = serialsFor(lot, count);
      const input = inputFor(lot, serials);
      const result = await storeManifest(db, input);
      assert.deepEqual(result, { stored: true, root: input.expectedRoot, serialCount: count });
      const tree = SerialTree.build(serials);
      for (let index = 0; index < count; index++) {
        const found = await lookupSerial(db, { gtin: GTIN, lot, serial: serials[index]! });
        assert.equal(found.status, "found", `serial ${index} of ${count}`);
        if (found.status !== "found") continue;
        assert.equal(found.index, index);
        assert.equal(found.batchId, input.batchId);
        assert.equal(found.root, input.expectedRoot);
        assert.deepEqual(found.proof, tree.proof(index));
        assert.ok(
          StandardMerkleTree.verify(input.expectedRoot, ["uint256", "string"], [index, serials[index]!], found.proof),
          `proof of serial ${index} of ${count}`,
        );
      }
      assert.deepEqual(await rowCounts(db, input.batchId), {
        manifests: 1,
        serials: count,
        serialChunks: Math.ceil(count / SERIALS_PER_CHUNK),
        nodes: Math.ceil((2 * count - 1) / NODES_PER_CHUNK),
      });
      // Every pack's serial from its index, and none for an index past the list.
      const indexes = new Set(Array.from({ length: count + 1 }, (_, i) => i));
      const byIndex = await serialsOfPacks(db, new Map([[input.batchId, indexes]]));
      assert.deepEqual(
        [...byIndex].sort(([a], [b]) => Number(a.split(":")[1]) - Number(b.split(":")[1])),
        serials.map((serial, index) => [`${input.batchId}:${index}`, serial]),
      );
    }
  });

  it("refuses to serve a proof from a damaged tree rather than a short or wrong one", async () => {
    const lot = "DAMAGED";
    const serials = serialsFor(lot, 300);
    const input = inputFor(lot, serials);
    await storeManifest(db, input);
    // Serial 0's leaf sits in the last chunks; chunk 0 holds the top of every path.
    await db
      .delete(manifestNodes)
      .where(sql`${manifestNodes.batchId} = ${input.batchId} and ${manifestNodes.chunk} = 0`);
    await assert.rejects(
      lookupSerial(db, { gtin: GTIN, lot, serial: serials[0]! }),
      /lacks nodes of the proof of serial .*the manifest is damaged/,
    );
  });

  it("records who uploaded the list, and the same list again is a no-op", async () => {
    const serials = serialsFor("AGAIN", 40);
    const input = inputFor("AGAIN", serials);
    assert.equal((await storeManifest(db, input)).stored, true);
    const again = await storeManifest(db, { ...input, serials: [...serials] });
    assert.deepEqual(again, { stored: false, root: input.expectedRoot, serialCount: 40 });
    const [row] = await db.select().from(manifests).where(eq(manifests.batchId, input.batchId));
    assert.equal(row?.uploadedBy, UPLOADER.toLowerCase());
    assert.equal(row?.lot, "AGAIN");
    assert.equal(row?.serialCount, 40);
    assert.deepEqual(await rowCounts(db, input.batchId), { manifests: 1, serials: 40, serialChunks: 1, nodes: 2 });
  });

  it("answers not_found with the other lots of the GTIN that hold the serial, and no_manifest for a batch without one", async () => {
    const first = serialsFor("LOTA", 10);
    const second = [...serialsFor("LOTB", 10), first[4]!];
    await storeManifest(db, inputFor("LOTA", first));
    await storeManifest(db, inputFor("LOTB", second));
    // The same serial under another GTIN is another pack: it must not count as another lot.
    await storeManifest(db, inputFor("LOTC", [first[4]!, "Z1"], OTHER_GTIN));

    const elsewhere = await lookupSerial(db, { gtin: GTIN, lot: "LOTB", serial: first[0]! });
    assert.equal(elsewhere.status, "not_found");
    assert.deepEqual(elsewhere.status === "not_found" && elsewhere.otherLots, ["LOTA"]);
    const inBoth = await lookupSerial(db, { gtin: GTIN, lot: "LOTA", serial: first[4]! });
    assert.equal(inBoth.status === "found" && inBoth.index, 4);
    const nowhere = await lookupSerial(db, { gtin: GTIN, lot: "LOTA", serial: "NOT-THERE" });
    assert.deepEqual(nowhere.status === "not_found" && nowhere.otherLots, []);
    assert.deepEqual(await lookupSerial(db, { gtin: GTIN, lot: "NO-SUCH-LOT", serial: first[0]! }), {
      status: "no_manifest",
    });
    assert.deepEqual(
      (await findSerialLots(db, { gtin: GTIN, serial: first[4]! })).map((entry) => entry.lot),
      ["LOTA", "LOTB"],
    );
    assert.deepEqual(await findSerialLots(db, { gtin: GTIN, serial: "Z1" }), []);
  });

  it("refuses a list whose root is not the batch's root on chain, and stores nothing", async () => {
    const input = inputFor("ROOT", serialsFor("ROOT", 30));
    const error = await refusal(storeManifest(db, { ...input, serials: [...input.serials].reverse() }));
    assert.equal(error.code, "ROOT_MISMATCH");
    assert.equal(error.status, 422);
    assert.match(error.message, /not the list the batch was registered with/);
    assert.deepEqual((error.details as { expectedRoot: string }).expectedRoot, input.expectedRoot);
    assert.deepEqual(await rowCounts(db, input.batchId), { manifests: 0, serials: 0, serialChunks: 0, nodes: 0 });
  });

  it("refuses a list with bad serials or duplicates whole, naming every bad line, and stores nothing", async () => {
    const serials = ["GOOD1", "", "GOOD2", "has space", "X".repeat(21), "GOOD1", "GOOD3"];
    const input = { ...inputFor("BAD", ["ANY"]), serials };
    const error = await refusal(storeManifest(db, input));
    assert.equal(error.code, "INVALID_SERIALS");
    assert.equal(error.status, 422);
    const details = error.details as {
      errors: { line: number; code: string; firstLine?: number }[];
      errorCount: number;
    };
    assert.equal(details.errorCount, 4);
    assert.deepEqual(
      details.errors.map((entry) => [entry.line, entry.code]),
      [
        [2, "EMPTY"],
        [4, "CSET82"],
        [5, "TOO_LONG"],
        [6, "DUPLICATE"],
      ],
    );
    assert.equal(details.errors[3]!.firstLine, 1);
    assert.deepEqual(await rowCounts(db, input.batchId), { manifests: 0, serials: 0, serialChunks: 0, nodes: 0 });
    const empty = await refusal(storeManifest(db, { ...input, serials: [] }));
    assert.equal(empty.code, "INVALID_SERIALS");
  });

  it("refuses a different list for a batch that already has one, keeping the stored one", async () => {
    const stored = inputFor("FIXED", serialsFor("FIXED", 12));
    await storeManifest(db, stored);
    const other = inputFor("FIXED", serialsFor("OTHER", 12));
    const error = await refusal(storeManifest(db, other));
    assert.equal(error.code, "MANIFEST_CONFLICT");
    assert.equal(error.status, 409);
    assert.match(error.message, /already has a stored serial list/);
    // Even a list claiming the stored root is built and checked, not taken at its word.
    const claimed = await refusal(storeManifest(db, { ...other, expectedRoot: stored.expectedRoot }));
    assert.equal(claimed.code, "ROOT_MISMATCH");
    assert.deepEqual(await rowCounts(db, stored.batchId), { manifests: 1, serials: 12, serialChunks: 1, nodes: 1 });
    const found = await lookupSerial(db, { gtin: GTIN, lot: "FIXED", serial: stored.serials[5]! });
    assert.equal(found.status === "found" && found.index, 5);
  });

  it("refuses malformed identities: a batch id that is not the GTIN and lot's, a bad GTIN, root or uploader", async () => {
    const input = inputFor("IDENT", ["A1"]);
    const cases: [Partial<StoreManifestInput>, RegExp][] = [
      [{ batchId: batchIdOf(GTIN, "OTHER") }, /is not that of GTIN 09520123000019, lot IDENT/],
      [{ gtin: "952012300001" }, /GTIN '952012300001' must be 14 digits/],
      [{ lot: "" }, /lot '' must be 1 to 20 characters/],
      [{ expectedRoot: "0x1234" as Hex }, /not a 32-byte hex value/],
      [{ uploadedBy: "acme" as Hex }, /uploader 'acme' is not an address/],
    ];
    for (const [change, message] of cases) {
      const error = await refusal(storeManifest(db, { ...input, ...change }));
      assert.equal(error.code, "INVALID_MANIFEST");
      assert.equal(error.status, 400);
      assert.match(error.message, message);
    }
    assert.deepEqual(await rowCounts(db, input.batchId), { manifests: 0, serials: 0, serialChunks: 0, nodes: 0 });
  });

  it("migration 0003 writes the pack-order copy of the lists stored before it as the store does", async () => {
    const serials = serialsFor("BEFORE", 3 * SERIALS_PER_CHUNK + 5);
    const input = inputFor("BEFORE", serials);
    await storeManifest(db, input);
    // As the lists were stored before the migration: the serial rows without their copy.
    await db.delete(manifestSerialChunks);
    const migration = readFileSync(path.join(migrationsFolder(), "0003_search.sql"), "utf8");
    const backfill = migration.split("--> statement-breakpoint").find((statement) => /INSERT INTO/.test(statement));
    assert.ok(backfill, "0003_search.sql copies the stored lists");
    await db.execute(sql.raw(backfill));
    const byIndex = await serialsOfPacks(db, new Map([[input.batchId, new Set(serials.keys())]]));
    assert.deepEqual(
      serials.map((_, index) => byIndex.get(`${input.batchId}:${index}`)),
      serials,
    );
  });

  it("writes in one transaction: a failure while copying the serials leaves no manifest row", async () => {
    const input = inputFor("HALF", serialsFor("HALF", 50));
    // A stray row for this batch makes the COPY of the serials fail on the primary key.
    await db.insert(manifestSerials).values({
      batchId: input.batchId,
      gtin: GTIN,
      serial: input.serials[7]!,
      index: 99,
      treeIndex: 99,
    });
    await assert.rejects(storeManifest(db, input));
    assert.deepEqual(await rowCounts(db, input.batchId), { manifests: 0, serials: 1, serialChunks: 0, nodes: 0 });
    await db.delete(manifestSerials).where(eq(manifestSerials.batchId, input.batchId));
    assert.equal((await storeManifest(db, input)).stored, true);
  });

  it("two uploads of the same list at once store it once", async () => {
    const input = inputFor("RACE", serialsFor("RACE", 500));
    const results = await Promise.all([storeManifest(db, input), storeManifest(db, { ...input })]);
    assert.deepEqual(results.map((result) => result.stored).sort(), [false, true]);
    assert.deepEqual(await rowCounts(db, input.batchId), { manifests: 1, serials: 500, serialChunks: 8, nodes: 18 });
  });

  it("reports progress through each phase", async () => {
    const input = inputFor("PROGRESS", serialsFor("PROGRESS", 120));
    const phases = new Map<string, [number, number]>();
    await storeManifest(db, { ...input, onProgress: (phase, done, total) => phases.set(phase, [done, total]) });
    assert.deepEqual(Object.fromEntries(phases), {
      validate: [120, 120],
      build: [120, 120],
      serials: [120, 120],
      nodes: [5, 5],
    });
  });
});
