/**
 * The reading half of a check: the read model and the chain, read for one pack code. What comes
 * out is `Readings`, the raw material of the verdict (`decideVerdict` takes its chain and manifest
 * readings), and `Findings`, the little the answer needs besides the verdict (./answer.ts): the
 * answer never reaches into the raw readings.
 *
 * The serial is turned into its index and Merkle proof from the stored manifest. The ledger's
 * state comes from one of two places, and the answer names the block it is true at:
 * - the read model at its indexed block (`source: "read-model"`, ./read-model.ts), for a public
 *   check while the indexer is current (PEDIGREE_MAX_LAG): no call to the chain's node at all;
 * - the chain (`source: "chain"`): the ledger's `verifyPack` at the head, read first, for a check
 *   before dispensing (which must see the latest block) and whenever the read model lags.
 * Names and GLNs come from the read model, or from the chain when the indexer has not caught up.
 *
 * Which ledger is read (`ctx.ledger.kind`) is decided here only, in `packRecord` and `chainState`:
 * the count ledger's `verifyPack` and pack_states, or the package-level ledger's lens and custody
 * tables (./package-readings.ts). Both give a `LedgerVerification`; on the package-level ledger it
 * also says where the pack is, and the holders are the pack's own holder, not the batch's.
 */
import { sql, type SQL } from "drizzle-orm";
import {
  batchIdOf,
  glnFromUint64,
  gtinToUint64,
  pedigreeLedgerAbi,
  readPackVerification,
  roleName,
  yyyymmddFromIsoDate,
  type ChainBatch,
  type ChainProduct,
  type ChainPack,
  type ChainReading,
  type ManifestReading,
  type Party,
} from "@pedigree/ledger";
import { zeroAddress, type Address, type Hex } from "viem";
import type { PartyView } from "../../lib/api-types.ts";
import type { AppContext } from "../context.ts";
import { selectRows } from "../db/database.ts";
import { batches, holdings, indexedBlocks, indexerCursor, packStates, products } from "../db/schema.ts";
import { cursorId } from "../indexer/sync.ts";
import {
  findSerialLots,
  serialLookupOf,
  serialLookupSql,
  type SerialLookup,
  type SerialLookupRow,
} from "../manifests/store.ts";
import { loadParties, type PartyLookup } from "../read/parties.ts";
import { packPlaceFromReadModel, readLensVerification } from "./package-readings.ts";
import { verificationFromReadModel, type LedgerVerification, type PackPlace } from "./read-model.ts";

/** Where the ledger's state was read: the read model at its indexed block, or the chain at its head. */
export type VerificationSource = "read-model" | "chain";

/** What was read, kept for building the answer once the verdict is decided. */
export interface Readings {
  lot?: string;
  batchId?: Hex;
  blockNumber: number | null;
  /** Unix seconds of that block, when known. */
  blockTime: number | null;
  /** Where the ledger's state was read (null when it could not be). */
  source: VerificationSource | null;
  chain: ChainReading;
  manifest: ManifestReading;
  lookup?: SerialLookup;
  verification?: LedgerVerification;
  productRow?: ProductNames;
  batchRow?: BatchStatusRecord;
  party: PartyLookup;
  holders: string[];
  /** Whether an unavailable source is the database (or chain) being down rather than data missing here. */
  sourceDown: boolean;
  /** The ledger has the batch but this server has not got its serial list. */
  manifestMissing: boolean;
}

/** What the answer needs of the readings, besides the verdict's own facts. */
export interface Findings {
  /** The lot: the label's, or the one the manifests name for a label without one. */
  lot?: string;
  /** The pack's state on chain, when the serial was proved. */
  packState?: string;
  /** Names and GLNs of the parties the answer mentions. */
  party: PartyLookup;
  /**
   * Who holds the pack: the parties holding units of its batch (count ledger), or its own holder
   * (package-level ledger: the holder of the pack or of its top-most unit; none in transit).
   */
  holders: string[];
  /** The package-level ledger: where the pack is. */
  place?: PackPlace;
  /** The ledger has the batch but this server has not got its serial list. */
  manifestMissing: boolean;
}

export function findingsOf(readings: Readings): Findings {
  const packState = readings.verification?.pack?.state;
  const place = readings.verification?.place;
  return {
    ...(readings.lot === undefined ? {} : { lot: readings.lot }),
    ...(packState === undefined ? {} : { packState }),
    ...(place === undefined ? {} : { place }),
    party: readings.party,
    holders: readings.holders,
    manifestMissing: readings.manifestMissing,
  };
}

export const NOT_READ_CHAIN: ChainReading = { status: "ok" };
export const NOT_READ_MANIFEST: ManifestReading = { status: "ok", found: false };

export interface SourceChoice {
  /** Take the chain's state even when the read model is current (a check before dispensing). */
  latest: boolean;
  /** How many seconds since the read model last caught up with the chain it may still answer. */
  maxLagSeconds: number;
  /** Force one source (the differential test compares both). */
  force?: VerificationSource;
}

export async function readSources(ctx: AppContext, label: Label, choice: SourceChoice): Promise<Readings> {
  const readings: Readings = {
    blockNumber: null,
    blockTime: null,
    source: null,
    chain: NOT_READ_CHAIN,
    manifest: NOT_READ_MANIFEST,
    party: (address) => ({ address: (address ?? "").toLowerCase() }),
    holders: [],
    sourceDown: false,
    manifestMissing: false,
  };

  // The read model first, in one query: the serial's index and proof (the chain call needs
  // them), the batch's status, recall reason and holders, and the product unless this process
  // has read it before (see NamesCache).
  let lot = label.lot;
  let names: ReadModelNames | undefined;
  try {
    if (lot === undefined) {
      // A label without a lot: GS1 serials are unique per GTIN, so the manifests say which lot it is.
      const lots = await findSerialLots(ctx.db, { gtin: label.gtin, serial: label.serial });
      if (lots.length === 1) lot = lots[0]!.lot;
      else readings.manifest = { status: "ok", found: false, otherLots: lots.map((entry) => entry.lot) };
    }
    if (lot !== undefined) {
      readings.lot = lot;
      readings.batchId = batchIdOf(label.gtin, lot);
    }
    const query = lot === undefined ? undefined : { gtin: label.gtin, lot, serial: label.serial };
    const cached = namesCacheOf(ctx).products.get(label.gtin);
    const lookupColumn = query === undefined ? sql`null` : serialLookupSql(query);
    const [row] = await selectRows<ReadModelNames & { lookup: SerialLookupRow | null }>(
      ctx.db,
      sql`select ${lookupColumn} as lookup, ${namesSql(label.gtin, readings.batchId, cached === undefined)},
        ${indexedStateSql(cursorId(ctx.ledger))} as indexed`,
    );
    names = row === undefined ? undefined : { ...row, product: cached ?? row.product };
    if (cached === undefined && row?.product) namesCacheOf(ctx).products.set(label.gtin, row.product);
    if (query !== undefined) readings.lookup = await serialLookupOf(ctx.db, query, row?.lookup ?? null);
  } catch (error) {
    readings.manifest = { status: "unavailable", reason: `the database cannot be read (${firstLine(error)})` };
    readings.sourceDown = true;
  }
  // The ledger's state: from the read model for a public check while it is current, else from the chain.
  const indexed = names?.indexed ?? null;
  const current = indexed !== null && indexed.lagSeconds !== null && indexed.lagSeconds <= choice.maxLagSeconds;
  const source = choice.force ?? (choice.latest || !current ? "chain" : "read-model");
  const usable = names !== undefined && indexed !== null && indexed.time !== null;
  let state: LedgerState;
  try {
    state =
      source === "read-model" && usable
        ? await stateFromReadModel(ctx, readings, names!, indexed!, label)
        : await stateFromChain(ctx, readings, label);
  } catch (error) {
    const what = source === "read-model" && usable ? "the read model" : "the ledger";
    readings.chain = { status: "unavailable", reason: `${what} cannot be read (${firstLine(error)})` };
    readings.blockNumber = null;
    readings.source = null;
    readings.sourceDown = true;
    return readings;
  }
  readings.blockNumber = state.blockNumber;
  readings.blockTime = state.blockTime;
  readings.source = state.source;
  if (state.verification !== undefined) readings.verification = state.verification;
  let chainProduct = state.product;

  // Without the read model the verdict still stands on the chain; only names are missing. What it
  // lacks because the indexer is behind is read on chain.
  const verification = readings.verification;
  readings.productRow = names?.product ?? undefined;
  readings.batchRow = names?.batch ?? undefined;
  readings.holders = holdersOf(ctx, verification, names?.holders ?? []);
  const productKnown =
    lot === undefined ? chainProduct !== undefined : verification?.contractVerdict !== "UnknownProduct";
  if (productKnown && readings.productRow === undefined && chainProduct === undefined) {
    chainProduct = await readProduct(ctx, label.gtin, readings.blockNumber).catch(() => undefined);
  }
  const known = namesCacheOf(ctx).parties;
  const named = [
    chainProduct?.manufacturer,
    readings.productRow?.manufacturer,
    verification?.batch?.manufacturer,
    verification?.pack?.by,
    verification?.place?.recipient ?? undefined,
    readings.batchRow?.statusBy ?? undefined,
    ...readings.holders,
  ];
  const unnamed = named.filter((account) => account !== undefined && known.get(account.toLowerCase()) === undefined);
  const more =
    unnamed.length === 0 ? undefined : await partiesOf(ctx, readings.blockNumber, unnamed).catch(() => undefined);
  for (const account of unnamed) {
    // Only parties the read model names are kept: one read on chain while the indexer is behind is not.
    const view = more?.fromReadModel(account);
    if (view?.name !== undefined) known.set(view.address, view);
  }
  readings.party = (address) => {
    const key = (address ?? "").toLowerCase();
    return known.get(key) ?? more?.lookup(key) ?? { address: key };
  };

  readings.chain = chainReading(readings, label.gtin, chainProduct);
  if (readings.manifest.status === "ok" && readings.lookup !== undefined) {
    readings.manifest = manifestReading(readings.lookup, verification, lot ?? "");
    readings.manifestMissing = readings.lookup.status === "no_manifest" && readings.manifest.status !== "ok";
  }
  return readings;
}

/**
 * Who holds the pack. The count ledger counts units per batch, so the batch's holders (the read
 * model's). The package-level ledger knows the pack's own place at the block read: its holder when
 * held or quarantined in someone's stock, nobody while in transit or once decommissioned (the
 * answer then names who decommissioned it).
 */
function holdersOf(ctx: AppContext, verification: LedgerVerification | undefined, batchHolders: string[]): string[] {
  if (ctx.ledger.kind !== "package") return batchHolders;
  const place = verification?.place;
  if (place === undefined || place.party === null) return [];
  return place.place === "HELD" || place.place === "QUARANTINED" ? [place.party.toLowerCase()] : [];
}

/** The ledger's state for one pack code at one block, from one source. */
interface LedgerState {
  blockNumber: number;
  /** Unix seconds of the block, when read. */
  blockTime: number | null;
  source: VerificationSource;
  /** The pack's verification, when the code names a lot. */
  verification?: LedgerVerification;
  /** The product's record, read when the code names no lot (only it then says whether the GTIN is known). */
  product?: ChainProductRecord;
}

/** What a check reads of the pack's code: its GTIN and serial, and its lot and expiry when printed. */
type Label = { gtin: string; serial: string; lot?: string; expiry?: { date: string } };

/** `verifyPack` as the read model answers it at its indexed block (./read-model.ts): no call to the node. */
async function stateFromReadModel(
  ctx: AppContext,
  readings: Readings,
  names: ReadModelNames,
  indexed: IndexedState,
  label: Label,
): Promise<LedgerState> {
  const state: LedgerState = { blockNumber: indexed.block, blockTime: indexed.time, source: "read-model" };
  const productKnown = names.product !== null;
  if (readings.batchId === undefined) {
    if (productKnown) state.product = { ...names.product!, manufacturer: names.product!.manufacturer as Address };
    return state;
  }
  const found = readings.lookup?.status === "found" ? readings.lookup : undefined;
  state.verification = verificationFromReadModel({
    batchId: readings.batchId,
    productKnown,
    batch: names.batch?.record ?? null,
    index: found?.index,
    ...(found === undefined ? { pack: null } : await packRecord(ctx, readings.batchId, found.index)),
    ...(label.expiry === undefined ? {} : { labelExpiry: yyyymmddFromIsoDate(label.expiry.date) }),
    blockTime: indexed.time ?? 0,
  });
  return state;
}

/** `verifyPack` on the chain at its head, read in the same round trip as the head's number. */
async function stateFromChain(ctx: AppContext, readings: Readings, label: Label): Promise<LedgerState> {
  // The head and the pack's record in one round trip to the node (the transport batches calls
  // made together; see chainClient), so the answer names the block it was read at.
  const found = readings.lookup?.status === "found" ? readings.lookup : undefined;
  const lot = readings.lot;
  const head = ctx.chain.getBlockNumber({ cacheTime: 0 });
  const query =
    lot === undefined || readings.batchId === undefined
      ? undefined
      : {
          gtin: label.gtin,
          lot,
          serial: label.serial,
          // An unknown serial still gets the batch's record back (the contract answers UnknownSerial).
          index: found?.index ?? 0,
          proof: found?.proof ?? [],
          labelExpiry: label.expiry === undefined ? 0 : yyyymmddFromIsoDate(label.expiry.date),
          batchId: readings.batchId,
        };
  const { blockNumber, verification } = await chainState(ctx, query, head);
  const state: LedgerState = { blockNumber, blockTime: null, source: "chain" };
  if (verification !== undefined) state.verification = verification;
  // Without a batch, only the product record says whether the GTIN is known.
  else {
    const product = await readProduct(ctx, label.gtin, state.blockNumber);
    if (product !== undefined) state.product = product;
  }
  return state;
}

interface ProductNames {
  name: string;
  strength: string;
  dosageForm: string;
  manufacturer: string;
}

interface BatchStatusRecord {
  status: string;
  statusReason: string | null;
  statusBy: string | null;
  statusAt: number | null;
  /** The batch's record as the ledger's `verifyPack` reads it, for an answer from the read model. */
  record: { manufacturer: string; status: string; expiry: number; packCount: number; serialsRoot: string };
}

/** The read model's own state: its indexed block, that block's time, and seconds since it last caught up. */
interface IndexedState {
  block: number;
  time: number | null;
  lagSeconds: number | null;
}

interface ReadModelNames {
  product: ProductNames | null;
  batch: BatchStatusRecord | null;
  holders: string[];
  indexed: IndexedState | null;
}

/** The read model's indexed block, its time and how long since the indexer was last at the chain's safe head (database time). */
function indexedStateSql(id: string): SQL {
  return sql`(select json_build_object('block', c.block_number, 'time', ib.timestamp,
      'lagSeconds', extract(epoch from now() - c.caught_up_at)::float8)
    from ${indexerCursor} c left join ${indexedBlocks} ib on ib.number = c.block_number
    where c.id = ${id})`;
}

/**
 * `verifyPack` at the head, of the ledger the target names: the count ledger's own, or the
 * package-level ledger's lens. Without a lot there is no batch to ask about: only the head.
 */
async function chainState(
  ctx: AppContext,
  query: Parameters<typeof readLensVerification>[1] | undefined,
  head: Promise<bigint>,
): Promise<{ blockNumber: number; verification?: LedgerVerification }> {
  if (query === undefined) return { blockNumber: Number(await head) };
  if (ctx.ledger.kind === "package") {
    const read = await readLensVerification(ctx, query, head);
    return { blockNumber: Number(read.head), verification: read.verification };
  }
  const [number, verification] = await Promise.all([
    head,
    readPackVerification(ctx.chain, {
      chainId: ctx.ledger.chainId,
      address: ctx.ledger.address,
      gtin: query.gtin,
      lot: query.lot,
      serial: query.serial,
      index: query.index,
      proof: query.proof,
      ...(query.labelExpiry === 0 ? {} : { labelExpiry: query.labelExpiry }),
    }),
  ]);
  return { blockNumber: Number(number), verification };
}

/**
 * The pack's record in the read model, of the ledger the target names: its row of pack_states
 * (count ledger), or its place in the custody tables (package-level ledger).
 */
async function packRecord(
  ctx: AppContext,
  batchId: Hex,
  index: number,
): Promise<Pick<Parameters<typeof verificationFromReadModel>[0], "pack" | "place">> {
  if (ctx.ledger.kind !== "package") return { pack: await packStateOf(ctx, batchId, index) };
  const found = await packPlaceFromReadModel(ctx, batchId, index);
  return found === null ? { pack: null } : found;
}

/** The pack's row of pack_states (none for a pack never decommissioned). */
async function packStateOf(
  ctx: AppContext,
  batchId: Hex,
  index: number,
): Promise<{ state: string; by: string; at: number } | null> {
  const [row] = await selectRows<{ state: string; by: string; at: number | string }>(
    ctx.db,
    sql`select state, "by", "at" from ${packStates} where batch_id = ${batchId} and pack_index = ${index}`,
  );
  return row === undefined ? null : { state: row.state, by: row.by, at: Number(row.at) };
}

/**
 * Columns with what the read model knows of the batch (status, reason, holders) and, unless it
 * is cached, the product, selected beside the serial's proof: every check asks them, so they
 * cost no round trip of their own.
 */
function namesSql(gtin: string, batchId: Hex | undefined, withProduct: boolean): SQL {
  const batch = batchId ?? "";
  const product = withProduct
    ? sql`(select json_build_object('name', p.name, 'strength', p.strength, 'dosageForm', p.dosage_form, 'manufacturer', p.manufacturer)
         from ${products} p where p.gtin = ${gtin})`
    : sql`null`;
  return sql`
    ${product} as product,
    (select json_build_object('status', b.status, 'statusReason', b.status_reason, 'statusBy', b.status_by, 'statusAt', b.status_at,
        'record', json_build_object('manufacturer', b.manufacturer, 'status', b.status, 'expiry', b.expiry,
          'packCount', b.pack_count, 'serialsRoot', b.serials_root))
       from ${batches} b where b.batch_id = ${batch}) as batch,
    (select coalesce(json_agg(h.holder order by h.holder), '[]'::json)
       from ${holdings} h where h.batch_id = ${batch}) as holders`;
}

/** At most this many products, and as many parties, are kept per process (then the cache starts again). */
const NAMES_CACHE_LIMIT = 10_000;

/**
 * Product and party records never change once indexed: the ledger registers each product and
 * onboards each participant once, and suspension changes no name. So a context keeps those it has
 * read from the read model, and a check reads only what does change (the batch's status and
 * holders, the serial's proof). Only records that exist are kept. A reorganisation that undid a
 * registration would leave its names here until restart; the verdict itself is always the chain's.
 */
interface NamesCache {
  products: Map<string, ProductNames>;
  parties: Map<string, PartyView>;
}

const namesCaches = new WeakMap<AppContext, NamesCache>();

function namesCacheOf(ctx: AppContext): NamesCache {
  let cache = namesCaches.get(ctx);
  if (cache === undefined || cache.products.size > NAMES_CACHE_LIMIT || cache.parties.size > NAMES_CACHE_LIMIT) {
    cache = { products: new Map(), parties: new Map() };
    namesCaches.set(ctx, cache);
  }
  return cache;
}

type ChainProductRecord = { name: string; strength: string; dosageForm: string; manufacturer: Address };

/**
 * The product's record on chain at `blockNumber`, or undefined when the GTIN is not registered.
 * Products and participants are PedigreeRegistry's, with the same functions on both ledgers, so
 * the count ledger's ABI reads them from either.
 */
async function readProduct(
  ctx: AppContext,
  gtin: string,
  blockNumber: number,
): Promise<ChainProductRecord | undefined> {
  const record = await ctx.chain.readContract({
    address: ctx.ledger.address,
    abi: pedigreeLedgerAbi,
    functionName: "product",
    args: [gtinToUint64(gtin)],
    blockNumber: BigInt(blockNumber),
  });
  return record.manufacturer === zeroAddress ? undefined : record;
}

function chainReading(readings: Readings, gtin: string, chainProduct: ChainProductRecord | undefined): ChainReading {
  const { verification, productRow, batchRow, party } = readings;
  const reading: { product?: ChainProduct; batch?: ChainBatch } = {};
  const productKnown =
    chainProduct !== undefined || (verification !== undefined && verification.contractVerdict !== "UnknownProduct");
  if (productKnown) {
    const manufacturer = chainProduct?.manufacturer ?? verification?.batch?.manufacturer ?? productRow?.manufacturer;
    reading.product = {
      name: productRow?.name ?? chainProduct?.name ?? `GTIN ${gtin}`,
      strength: productRow?.strength ?? chainProduct?.strength ?? "",
      dosageForm: productRow?.dosageForm ?? chainProduct?.dosageForm ?? "",
      ...(manufacturer === undefined ? {} : { manufacturer: toParty(party(manufacturer)) }),
    };
  }
  const record = verification?.batch;
  if (record !== undefined && readings.lot !== undefined) {
    const batch: ChainBatch = {
      batchId: verification!.batchId,
      lot: readings.lot,
      status: record.status,
      expiry: record.expiry,
      manufacturer: toParty(party(record.manufacturer)),
      packCount: record.packCount,
      holders: readings.holders.map((holder) => toParty(party(holder))),
    };
    // The read model's reason applies only if it has caught up with the status the chain reports.
    if (batchRow !== undefined && batchRow.status === record.status && batchRow.statusReason !== null) {
      const event = {
        reason: batchRow.statusReason,
        ...(batchRow.statusBy === null ? {} : { by: toParty(party(batchRow.statusBy)) }),
        ...(batchRow.statusAt === null ? {} : { at: batchRow.statusAt }),
      };
      if (record.status === "RECALLED") batch.recall = event;
      if (record.status === "SUSPENDED") batch.suspension = event;
      if (record.status === "QUARANTINED") batch.quarantine = event;
    }
    reading.batch = batch;
  }
  const pack = verification?.pack;
  const chainPack: ChainPack | undefined =
    pack === undefined
      ? undefined
      : {
          state: pack.state,
          ...(pack.by === undefined ? {} : { by: toParty(party(pack.by)) }),
          ...(pack.at === undefined ? {} : { at: pack.at }),
          ...(pack.quarantined === true ? { quarantined: true } : {}),
        };
  return {
    status: "ok",
    ...(reading.product === undefined ? {} : { product: reading.product }),
    ...(reading.batch === undefined ? {} : { batch: reading.batch }),
    ...(chainPack === undefined ? {} : { pack: chainPack }),
  };
}

function manifestReading(
  lookup: SerialLookup,
  verification: LedgerVerification | undefined,
  lot: string,
): ManifestReading {
  const chainRoot = verification?.batch?.serialsRoot?.toLowerCase();
  if (lookup.status === "no_manifest") {
    // No list is expected for a batch the ledger does not know; for a real batch, its absence here proves nothing.
    if (verification?.batch === undefined) return { status: "ok", found: false };
    return {
      status: "unavailable",
      reason: `the serial list of lot ${lot} is not stored on this server, so the serial cannot be checked`,
    };
  }
  if (chainRoot !== undefined && lookup.root !== chainRoot) {
    return {
      status: "unavailable",
      reason: `the serial list stored for lot ${lot} is not the one the ledger records for the batch (its root differs)`,
    };
  }
  if (lookup.status === "not_found") return { status: "ok", found: false, otherLots: lookup.otherLots };
  return { status: "ok", found: true, index: lookup.index };
}

/**
 * Parties from the read model (`fromReadModel`), and with the chain's participant record for any
 * the indexer has not seen yet (`lookup`).
 */
async function partiesOf(
  ctx: AppContext,
  blockNumber: number | null,
  accounts: (string | undefined)[],
): Promise<{ fromReadModel: PartyLookup; lookup: PartyLookup }> {
  const wanted = accounts.filter((account): account is string => account !== undefined && account !== zeroAddress);
  const fromReadModel = await loadParties(ctx.db, wanted);
  const missing = [...new Set(wanted.map((account) => account.toLowerCase()))].filter(
    (account) => fromReadModel(account).name === undefined,
  );
  if (missing.length === 0 || blockNumber === null) return { fromReadModel, lookup: fromReadModel };
  const fromChain = new Map<string, PartyView>();
  await Promise.all(
    missing.map(async (account) => {
      const record = await ctx.chain
        .readContract({
          address: ctx.ledger.address,
          abi: pedigreeLedgerAbi,
          functionName: "participant",
          args: [account as Address],
          blockNumber: BigInt(blockNumber),
        })
        .catch(() => undefined);
      const role = record === undefined ? "NONE" : roleName(record.role);
      if (record !== undefined && role !== "NONE") {
        fromChain.set(account, { address: account, name: record.legalName, gln: glnFromUint64(record.gln), role });
      }
    }),
  );
  return {
    fromReadModel,
    lookup: (address) => fromChain.get((address ?? "").toLowerCase()) ?? fromReadModel(address),
  };
}

function toParty(view: PartyView): Party {
  return {
    address: view.address as Address,
    ...(view.name === undefined ? {} : { name: view.name }),
    ...(view.gln === undefined ? {} : { gln: view.gln }),
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error";
}
