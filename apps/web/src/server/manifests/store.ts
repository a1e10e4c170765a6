/**
 * Serial manifests: the list behind each batch's Merkle root, kept so that a pack's serial can be
 * turned into its index and proof without the manufacturer's file.
 *
 * A manifest is accepted only when its tree's root equals the batch's root on chain (the caller
 * reads it), so the server cannot hand out a proof the contract would not accept. It is written in
 * one transaction of bulk statements (`unnest` arrays): the
 * manifest row, one row per serial (serial → pack index and leaf position), the serials again in
 * pack order (chunks of SERIALS_PER_CHUNK: pack index → serial), and the tree's nodes in chunks of
 * NODES_PER_CHUNK by position. A proof is the sibling of each node on the leaf's path
 * to the root; the path's top levels share chunk 0 and each lower level is one chunk, and the
 * database cuts the siblings out of their chunks, so a proof is one query.
 */
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Sql } from "postgres";
import { batchIdOf, parseSerialList, type Hex, type SerialTree } from "@pedigree/ledger";
import type { Address } from "viem";
import { ApiError } from "../api/errors.ts";
import { selectRows, type Database, type Executor } from "../db/database.ts";
import { manifestNodes, manifests, manifestSerialChunks, manifestSerials } from "../db/schema.ts";
import { buildSerialTree } from "./treeBuilder.ts";

/**
 * Nodes (32 bytes each) per stored chunk: the most whose row stays under PostgreSQL's 2 KB TOAST
 * threshold, so a chunk is read inline. A depth-20 proof reads about 16 chunks (30 KB).
 */
export const NODES_PER_CHUNK = 56;
const NODE_BYTES = 32;
/**
 * Serials per row of the pack-order copy: 64 serials of at most 20 characters and their spaces
 * keep a row under the 2 KB TOAST threshold too. Migration 0003 wrote the lists stored before it
 * with the same number.
 */
export const SERIALS_PER_CHUNK = 64;
/** Serial rows per statement (a whole number of chunks): bounds the memory of what is being sent. */
const ROWS_PER_PART = 800 * SERIALS_PER_CHUNK;

export type ManifestErrorCode = "INVALID_MANIFEST" | "INVALID_SERIALS" | "ROOT_MISMATCH" | "MANIFEST_CONFLICT";

/** Why a manifest was refused. An ApiError, so a route handler can let it through as the answer. */
export class ManifestError extends ApiError {
  declare readonly code: ManifestErrorCode;
  constructor(status: number, code: ManifestErrorCode, message: string, details?: unknown) {
    super(status, code, message, details === undefined ? {} : { details });
    this.name = "ManifestError";
  }
}

export interface StoreManifestInput {
  batchId: Hex;
  gtin: string;
  lot: string;
  serials: readonly string[];
  /** The batch's serials root on chain. */
  expectedRoot: Hex;
  uploadedBy: Address;
  /** Called as work advances: phases "validate", "build", "serials", "nodes". */
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface StoreManifestResult {
  /** False when this same manifest was already stored (nothing was written). */
  stored: boolean;
  root: Hex;
  serialCount: number;
}

/**
 * Validates, builds and stores a batch's manifest. Throws a ManifestError (nothing written) when
 * the input is malformed, a serial is bad (every bad line listed), the tree's root is not the
 * batch's root, or the batch already has a different manifest.
 */
export async function storeManifest(db: Database, input: StoreManifestInput): Promise<StoreManifestResult> {
  const progress = input.onProgress ?? (() => {});
  const batchId = checkBatchIdentity(input);
  const expectedRoot = input.expectedRoot.toLowerCase() as Hex;
  if (!/^0x[0-9a-f]{64}$/.test(expectedRoot)) {
    throw new ManifestError(
      400,
      "INVALID_MANIFEST",
      `The expected root '${input.expectedRoot}' is not a 32-byte hex value.`,
    );
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(input.uploadedBy)) {
    throw new ManifestError(400, "INVALID_MANIFEST", `The uploader '${input.uploadedBy}' is not an address.`);
  }

  const existing = await storedManifest(db, batchId);
  if (existing !== undefined && existing.root !== expectedRoot) throw conflict(batchId, existing.root, expectedRoot);

  progress("validate", 0, input.serials.length);
  const parsed = parseSerialList(input.serials);
  if (!parsed.ok) {
    throw new ManifestError(422, "INVALID_SERIALS", parsed.message, {
      errors: parsed.errors,
      errorCount: parsed.errorCount,
      truncated: parsed.truncated,
    });
  }
  const serials = parsed.serials;
  progress("validate", serials.length, serials.length);

  progress("build", 0, serials.length);
  const tree = await buildSerialTree(serials);
  progress("build", serials.length, serials.length);
  if (tree.root !== expectedRoot) {
    throw new ManifestError(
      422,
      "ROOT_MISMATCH",
      `This serial list's Merkle root is ${tree.root}, but the batch's root on the ledger is ${expectedRoot}: ` +
        `it is not the list the batch was registered with. Upload the exact list (same serials, same order) used at registration.`,
      { root: tree.root, expectedRoot },
    );
  }
  if (existing !== undefined) return { stored: false, root: tree.root, serialCount: serials.length };

  const written = await inTransaction(db, async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO manifests (batch_id, gtin, lot, root, serial_count, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
      [batchId, input.gtin, input.lot, tree.root, serials.length, input.uploadedBy.toLowerCase()],
    );
    // Another upload of this batch committed first; what it stored decides below.
    if (inserted.length === 0) return false;
    for (const part of serialParts(serials, tree)) {
      await tx.insertSerials(batchId, input.gtin, part);
      progress("serials", part.done, serials.length);
    }
    for (const part of serialChunkParts(serials)) await tx.insertSerialChunks(batchId, part);
    const chunkCount = Math.ceil(tree.nodeCount / NODES_PER_CHUNK);
    for (const part of nodeParts(tree)) {
      await tx.insertNodes(batchId, part);
      progress("nodes", part.done, chunkCount);
    }
    return true;
  });
  if (!written) {
    const winner = await storedManifest(db, batchId);
    if (winner !== undefined && winner.root !== tree.root) throw conflict(batchId, winner.root, tree.root);
  }
  return { stored: written, root: tree.root, serialCount: serials.length };
}

/** `root` is the stored manifest's root, for callers that check it against the chain's. */
export type SerialLookup =
  | { status: "found"; batchId: Hex; index: number; proof: Hex[]; root: Hex }
  | { status: "not_found"; otherLots: string[]; root: Hex }
  | { status: "no_manifest" };

/**
 * A serial's index and proof in the manifest of batch (gtin, lot); or, when it is not there, the
 * lots whose manifests hold it. One query when the serial is found (see serialLookupSql).
 */
export async function lookupSerial(
  db: Database,
  query: { gtin: string; lot: string; serial: string },
): Promise<SerialLookup> {
  const [row] = await selectRows<{ lookup: SerialLookupRow | null }>(
    db,
    sql`select ${serialLookupSql(query)} as lookup`,
  );
  return serialLookupOf(db, query, row?.lookup ?? null);
}

/** What serialLookupSql selects: null when the batch has no stored manifest. */
export interface SerialLookupRow {
  root: string;
  index: number | null;
  proof: string | null;
  levels: number;
}

/**
 * A SQL expression (a JSON object, or null without a manifest) for the serial's row and its
 * proof, to select alone or beside other columns: the hot path of every verification. The
 * database cuts each sibling on the leaf's path out of its chunk, so only the proof's 32-byte
 * nodes cross to JavaScript, not whole chunks.
 */
export function serialLookupSql(query: { gtin: string; lot: string; serial: string }): SQL {
  const batchId = batchIdOf(query.gtin, query.lot);
  // Nodes are numbered as in OpenZeppelin's tree (root 0, children 2i+1 and 2i+2). Numbered from
  // 1 instead, the ancestors of node n are n >> k and the sibling of node m is m # 1 (xor). The
  // positions are int4, whose shift counts wrap at 32: levels stop at 30 (2^31 nodes).
  return sql`(
    with leaf as (
      select m.root, s.pack_index, s.tree_index
      from ${manifests} m
      left join ${manifestSerials} s on s.batch_id = m.batch_id and s.serial = ${query.serial}
      where m.batch_id = ${batchId}
    ), siblings as (
      select k.level, (((leaf.tree_index + 1) >> k.level) # 1) - 1 as position
      from leaf, generate_series(0, 30) as k(level)
      where leaf.tree_index is not null and ((leaf.tree_index + 1) >> k.level) > 1
    )
    select json_build_object(
      'root', leaf.root,
      'index', leaf.pack_index,
      'proof', (select string_agg(coalesce(encode(substring(n.nodes from (s.position % ${NODES_PER_CHUNK}) * ${NODE_BYTES} + 1 for ${NODE_BYTES}), 'hex'), ''), ',' order by s.level)
                from siblings s
                left join ${manifestNodes} n on n.batch_id = ${batchId} and n.chunk = s.position / ${NODES_PER_CHUNK}),
      'levels', (select count(*) from siblings))
    from leaf)`;
}

/** The lookup from what serialLookupSql selected (one more query only for a serial not in the list). */
export async function serialLookupOf(
  db: Database,
  query: { gtin: string; lot: string; serial: string },
  row: SerialLookupRow | null,
): Promise<SerialLookup> {
  const batchId = batchIdOf(query.gtin, query.lot);
  if (row === null) return { status: "no_manifest" };
  if (row.index === null) {
    const lots = await findSerialLots(db, { gtin: query.gtin, serial: query.serial });
    const otherLots = lots.filter((lot) => lot.batchId !== batchId).map((lot) => lot.lot);
    return { status: "not_found", otherLots, root: row.root as Hex };
  }
  const proof = row.proof === null ? [] : row.proof.split(",");
  if (proof.length !== row.levels || proof.some((node) => node.length !== NODE_BYTES * 2)) {
    throw new Error(
      `The stored tree of batch ${batchId} lacks nodes of the proof of serial ${query.serial}; the manifest is damaged.`,
    );
  }
  return {
    status: "found",
    batchId,
    index: row.index,
    proof: proof.map((node) => `0x${node}` as Hex),
    root: row.root as Hex,
  };
}

/** The batches of `gtin` whose manifests hold `serial` (a label without a lot is looked up this way). */
export async function findSerialLots(
  db: Database,
  query: { gtin: string; serial: string },
): Promise<{ batchId: Hex; lot: string }[]> {
  const rows = await db
    .select({ batchId: manifests.batchId, lot: manifests.lot })
    .from(manifestSerials)
    .innerJoin(manifests, eq(manifests.batchId, manifestSerials.batchId))
    .where(and(eq(manifestSerials.gtin, query.gtin), eq(manifestSerials.serial, query.serial)))
    .orderBy(asc(manifests.lot));
  return rows.map((row) => ({ batchId: row.batchId as Hex, lot: row.lot }));
}

/**
 * The serials of packs given by batch and pack index, from the pack-order copy (one query, one
 * row read per SERIALS_PER_CHUNK packs): `${batchId}:${index}` → serial, for the packs whose batch
 * has a stored list.
 */
export async function serialsOfPacks(
  db: Executor,
  packs: ReadonlyMap<string, ReadonlySet<number>>,
): Promise<Map<string, string>> {
  const serials = new Map<string, string>();
  const chunks = [...packs].flatMap(([batchId, indexes]) =>
    [...new Set([...indexes].map((index) => Math.floor(index / SERIALS_PER_CHUNK)))].map((chunk) => ({
      batchId,
      chunk,
    })),
  );
  if (chunks.length === 0) return serials;
  const rows = await db
    .select()
    .from(manifestSerialChunks)
    .where(
      inArray(
        sql`(${manifestSerialChunks.batchId}, ${manifestSerialChunks.chunk})`,
        chunks.map(({ batchId, chunk }) => sql`(${batchId}, ${chunk})`),
      ),
    );
  const byChunk = new Map(rows.map((row) => [`${row.batchId}:${row.chunk}`, row.serials.split(" ")]));
  for (const [batchId, indexes] of packs) {
    for (const index of indexes) {
      const serial = byChunk.get(`${batchId}:${Math.floor(index / SERIALS_PER_CHUNK)}`)?.[index % SERIALS_PER_CHUNK];
      if (serial !== undefined) serials.set(`${batchId}:${index}`, serial);
    }
  }
  return serials;
}

/** The stored manifest's record for a batch, or undefined. */
export async function storedManifest(
  db: Database,
  batchId: Hex,
): Promise<
  | { batchId: Hex; gtin: string; lot: string; root: Hex; serialCount: number; uploadedBy: string; uploadedAt: Date }
  | undefined
> {
  const rows = await db.select().from(manifests).where(eq(manifests.batchId, batchId.toLowerCase()));
  const row = rows[0];
  return row === undefined ? undefined : { ...row, batchId: row.batchId as Hex, root: row.root as Hex };
}

function checkBatchIdentity(input: StoreManifestInput): Hex {
  if (!/^\d{14}$/.test(input.gtin)) {
    throw new ManifestError(400, "INVALID_MANIFEST", `The GTIN '${input.gtin}' must be 14 digits.`);
  }
  if (typeof input.lot !== "string" || input.lot.length === 0 || input.lot.length > 20) {
    throw new ManifestError(400, "INVALID_MANIFEST", `The lot '${String(input.lot)}' must be 1 to 20 characters.`);
  }
  const batchId = batchIdOf(input.gtin, input.lot);
  if (batchId !== input.batchId.toLowerCase()) {
    throw new ManifestError(
      400,
      "INVALID_MANIFEST",
      `The batch id ${input.batchId} is not that of GTIN ${input.gtin}, lot ${input.lot} (${batchId}).`,
    );
  }
  return batchId;
}

function conflict(batchId: Hex, storedRoot: Hex, offeredRoot: Hex): ManifestError {
  return new ManifestError(
    409,
    "MANIFEST_CONFLICT",
    `Batch ${batchId} already has a stored serial list (root ${storedRoot}); a different list (root ${offeredRoot}) ` +
      `cannot replace it. A batch's serials are fixed at registration.`,
    { batchId, storedRoot, offeredRoot },
  );
}

// ---------------------------------------------------------------- rows, in parts

interface SerialPart {
  serials: string[];
  indexes: number[];
  positions: number[];
  /** Rows written once this part is. */
  done: number;
}

export interface SerialChunkPart {
  chunks: number[];
  serials: string[];
}

interface NodePart {
  chunks: number[];
  /** Each chunk's nodes, hex without 0x. */
  hex: string[];
  done: number;
}

/**
 * The serial rows in serial order: both of the table's indexes lead with (batch, serial) or
 * (GTIN, serial), so rows in that order land on the right-most index page, which PostgreSQL
 * appends to without searching; in random order PGlite spends three times as long. The
 * databases use the C collation (byte order), which is JavaScript's order for CSET 82.
 */
function* serialParts(serials: readonly string[], tree: SerialTree): Generator<SerialPart> {
  const order = new Uint32Array(serials.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => ((serials[a] as string) < (serials[b] as string) ? -1 : 1));
  for (let start = 0; start < order.length; start += ROWS_PER_PART) {
    const end = Math.min(start + ROWS_PER_PART, order.length);
    const part: SerialPart = { serials: [], indexes: [], positions: [], done: end };
    for (let rank = start; rank < end; rank++) {
      const index = order[rank] as number;
      part.serials.push(serials[index] as string);
      part.indexes.push(index);
      part.positions.push(tree.leafPosition(index));
    }
    yield part;
  }
}

/** The serials in pack order, SERIALS_PER_CHUNK to a chunk, each chunk one space-separated text. */
export function* serialChunkParts(serials: readonly string[]): Generator<SerialChunkPart> {
  for (let start = 0; start < serials.length; start += ROWS_PER_PART) {
    const part: SerialChunkPart = { chunks: [], serials: [] };
    for (let at = start; at < Math.min(start + ROWS_PER_PART, serials.length); at += SERIALS_PER_CHUNK) {
      part.chunks.push(at / SERIALS_PER_CHUNK);
      part.serials.push(serials.slice(at, at + SERIALS_PER_CHUNK).join(" "));
    }
    yield part;
  }
}

function* nodeParts(tree: SerialTree): Generator<NodePart> {
  const chunkCount = Math.ceil(tree.nodeCount / NODES_PER_CHUNK);
  const chunksPerPart = Math.ceil(ROWS_PER_PART / 10);
  for (let start = 0; start < chunkCount; start += chunksPerPart) {
    const end = Math.min(start + chunksPerPart, chunkCount);
    const part: NodePart = { chunks: [], hex: [], done: end };
    for (let chunk = start; chunk < end; chunk++) {
      const bytes = tree.nodeBytes(chunk * NODES_PER_CHUNK, NODES_PER_CHUNK);
      part.chunks.push(chunk);
      part.hex.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex"));
    }
    yield part;
  }
}

// ---------------------------------------------------------------- one bulk transaction

interface BulkTransaction {
  query(text: string, params: unknown[]): Promise<unknown[]>;
  insertSerials(batchId: Hex, gtin: string, part: SerialPart): Promise<void>;
  insertSerialChunks(batchId: Hex, part: SerialChunkPart): Promise<void>;
  insertNodes(batchId: Hex, part: NodePart): Promise<void>;
}

/**
 * Runs `work` in one transaction on the postgres-js client under Drizzle (both databases are
 * reached through it), whose row-by-row inserts would take minutes for a million serials. Each
 * part goes as arrays expanded by `unnest`, as fast as COPY; postgres-js's COPY stream is not used
 * because it never finishes when the server refuses the data (a duplicate key), which would hang
 * the upload.
 */
async function inTransaction<T>(db: Database, work: (tx: BulkTransaction) => Promise<T>): Promise<T> {
  const client = (db as unknown as { $client: Sql }).$client;
  return (await client.begin(async (tx) =>
    work({
      query: async (text, params) => [...(await tx.unsafe(text, params as never[]))],
      async insertSerials(batchId, gtin, part) {
        await tx.unsafe(
          `INSERT INTO manifest_serials (batch_id, gtin, serial, pack_index, tree_index)
           SELECT $1, $2, serial, pack_index, tree_index FROM unnest($3::text[], $4::int[], $5::int[])
             AS rows (serial, pack_index, tree_index)`,
          [batchId, gtin, part.serials, part.indexes, part.positions] as never[],
        );
      },
      async insertSerialChunks(batchId, part) {
        await tx.unsafe(
          `INSERT INTO manifest_serial_chunks (batch_id, chunk, serials)
           SELECT $1, chunk, serials FROM unnest($2::int[], $3::text[]) AS rows (chunk, serials)`,
          [batchId, part.chunks, part.serials] as never[],
        );
      },
      async insertNodes(batchId, part) {
        await tx.unsafe(
          `INSERT INTO manifest_nodes (batch_id, chunk, nodes)
           SELECT $1, chunk, decode(hex, 'hex') FROM unnest($2::int[], $3::text[]) AS rows (chunk, hex)`,
          [batchId, part.chunks, part.hex] as never[],
        );
      },
    }),
  )) as T;
}
