/**
 * Verification of one pack code: what a patient's phone or a pharmacy's scanner gets back.
 *
 * The code is parsed in any of its forms; the serial is turned into its index and Merkle proof
 * from the stored manifest; the ledger's `verifyPack` is read at one block (the head, read first),
 * so the answer names the block it is true at; `decideVerdict` (@pedigree/ledger) decides. Names
 * and GLNs come from the read model, or from the chain when the indexer has not caught up.
 *
 * Honesty rules: a source that cannot be read gives UNAVAILABLE (HTTP 503), never a counterfeit
 * verdict; a batch whose serial list is not on this server gives UNAVAILABLE too, since the chain
 * alone cannot prove a serial. A scan changes nothing on chain; a potential falsification
 * (unknown product or serial, a mismatch, an inactive pack scanned to dispense) is recorded in the
 * alerts table with only what an investigator needs: the code's identifiers, the verdict, the
 * block, and the signed-in party when there is one (never anything about a patient).
 */
import { sql, type SQL } from "drizzle-orm";
import { parseGs1, toDigitalLink, type ParseResult } from "@pedigree/gs1";
import {
  batchIdOf,
  decideVerdict,
  glnFromUint64,
  gtinToUint64,
  pedigreeLedgerAbi,
  readPackVerification,
  roleName,
  yyyymmddFromIsoDate,
  type ChainBatch,
  type ChainProduct,
  type ChainReading,
  type ManifestReading,
  type PackVerification,
  type Party,
  type VerdictResult,
} from "@pedigree/ledger";
import { zeroAddress, type Address, type Hex } from "viem";
import type { PartyView, TimelineEntry, VerifyResponse } from "../../lib/api-types.ts";
import type { AppContext } from "../context.ts";
import { selectRows } from "../db/database.ts";
import { alerts, batches, holdings, products } from "../db/schema.ts";
import {
  findSerialLots,
  serialLookupOf,
  serialLookupSql,
  type SerialLookup,
  type SerialLookupRow,
} from "../manifests/store.ts";
import { loadParties, type PartyLookup } from "../read/parties.ts";
import { batchEventRows, timelineOf } from "../read/timeline.ts";
import { alertDetail, wordsFor } from "./words.ts";

export type VerifyPurpose = "verify" | "dispense";

export interface VerifyOptions {
  /** "dispense" when a pharmacy scans a pack to hand it out: an inactive pack then raises an alert. Default "verify". */
  purpose?: VerifyPurpose;
  /** Add the custody timeline of the pack's batch (and this pack's own events). */
  history?: boolean;
  /** The signed-in party that scanned, recorded with an alert. Patients have none. */
  reportedBy?: Address;
  /** Where this server answers Digital Link URIs (e.g. "https://pedigree.example"); default GS1's resolver. */
  digitalLinkBase?: string;
  /** The longest the check may take before it answers UNAVAILABLE (default CHECK_DEADLINE_MS). */
  deadlineMs?: number;
}

/**
 * The longest a check takes. Each source has its own limits (the chain client's timeout and one
 * retry, the database's connect timeout), but a query lost on a dropped connection can wait
 * forever; past this the person gets UNAVAILABLE, and the check's admission slot is freed.
 */
export const CHECK_DEADLINE_MS = 8_000;

export interface VerifyResult {
  /** 200 for every answer about the pack; 503 when a source could not be read (UNAVAILABLE). */
  status: number;
  body: VerifyResponse;
}

/** What was read, kept for building the answer once the verdict is decided. */
interface Readings {
  lot?: string;
  batchId?: Hex;
  blockNumber: number | null;
  chain: ChainReading;
  manifest: ManifestReading;
  lookup?: SerialLookup;
  verification?: PackVerification;
  productRow?: ProductNames;
  batchRow?: BatchStatusRecord;
  party: PartyLookup;
  holders: string[];
  /** Whether an unavailable source is the database (or chain) being down rather than data missing here. */
  sourceDown: boolean;
  /** The ledger has the batch but this server has not got its serial list. */
  manifestMissing: boolean;
}

const NOT_READ_CHAIN: ChainReading = { status: "ok" };
const NOT_READ_MANIFEST: ManifestReading = { status: "ok", found: false };

export async function verifyCode(ctx: AppContext, code: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const deadlineMs = options.deadlineMs ?? CHECK_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<VerifyResult>((resolve) => {
    timer = setTimeout(() => {
      const reason = `the check did not finish within ${deadlineMs / 1000} s (the database or the chain is not answering)`;
      resolve({ status: 503, body: unavailableAnswer(ctx.now(), options.purpose ?? "verify", reason) });
    }, deadlineMs);
  });
  try {
    return await Promise.race([check(ctx, code, options), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function check(ctx: AppContext, code: string, options: VerifyOptions): Promise<VerifyResult> {
  const purpose = options.purpose ?? "verify";
  const now = ctx.now();
  const parsed = parseGs1(code, { now });
  if (!parsed.ok || parsed.value.gtin === undefined || parsed.value.serial === undefined) {
    // decideVerdict refuses such a code before looking at any source.
    const decision = decideVerdict({ code: parsed, chain: NOT_READ_CHAIN, manifest: NOT_READ_MANIFEST, now, purpose });
    return { status: 200, body: answerOf(decision, parsed, purpose, now, null, undefined, options) };
  }
  const label = { ...parsed.value, gtin: parsed.value.gtin, serial: parsed.value.serial };
  const readings = await read(ctx, label);
  const decision = decideVerdict({ code: parsed, chain: readings.chain, manifest: readings.manifest, now, purpose });
  const body = answerOf(decision, parsed, purpose, now, readings.blockNumber, readings, options);
  if (options.history === true && readings.batchId !== undefined && readings.batchRow !== undefined) {
    body.history = await packHistory(ctx, readings.batchId, readings.lookup).catch(() => undefined);
  }
  if (decision.alert) await raiseAlert(ctx, body, purpose, readings, options.reportedBy);
  const status = decision.verdict === "UNAVAILABLE" && readings.sourceDown ? 503 : 200;
  return { status, body };
}

/** The answer when verification cannot even start (the server's own connections failed). */
export function unavailableAnswer(now: Date, purpose: VerifyPurpose, reason: string): VerifyResponse {
  const unavailable = [
    { source: "chain" as const, reason },
    { source: "manifest" as const, reason },
  ];
  const words = wordsFor({ verdict: "UNAVAILABLE", facts: { unavailable }, alert: false }, purpose);
  return {
    verdict: "UNAVAILABLE",
    ...words,
    alert: false,
    pack: null,
    batch: null,
    product: null,
    manufacturer: null,
    holder: null,
    unavailable,
    checkedAt: now.toISOString(),
    blockNumber: null,
  };
}

// ---------------------------------------------------------------- reading the sources

async function read(
  ctx: AppContext,
  label: { gtin: string; serial: string; lot?: string; expiry?: { date: string } },
): Promise<Readings> {
  const readings: Readings = {
    blockNumber: null,
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
      sql`select ${lookupColumn} as lookup, ${namesSql(label.gtin, readings.batchId, cached === undefined)}`,
    );
    names = row === undefined ? undefined : { ...row, product: cached ?? row.product };
    if (cached === undefined && row?.product) namesCacheOf(ctx).products.set(label.gtin, row.product);
    if (query !== undefined) readings.lookup = await serialLookupOf(ctx.db, query, row?.lookup ?? null);
  } catch (error) {
    readings.manifest = { status: "unavailable", reason: `the database cannot be read (${firstLine(error)})` };
    readings.sourceDown = true;
  }
  let chainProduct: ChainProductRecord | undefined;
  try {
    // The head and the pack's record in one round trip to the node (the transport batches calls
    // made together; see chainClient), so the answer names the block it was read at.
    const found = readings.lookup?.status === "found" ? readings.lookup : undefined;
    const [head, verification] = await Promise.all([
      ctx.chain.getBlockNumber({ cacheTime: 0 }),
      lot === undefined
        ? undefined
        : readPackVerification(ctx.chain, {
            chainId: ctx.ledger.chainId,
            address: ctx.ledger.address,
            gtin: label.gtin,
            lot,
            serial: label.serial,
            // An unknown serial still gets the batch's record back (the contract answers UnknownSerial).
            index: found?.index ?? 0,
            proof: found?.proof ?? [],
            ...(label.expiry === undefined ? {} : { labelExpiry: yyyymmddFromIsoDate(label.expiry.date) }),
          }),
    ]);
    readings.blockNumber = Number(head);
    readings.verification = verification;
    // Without a batch, only the product record says whether the GTIN is known.
    if (lot === undefined) chainProduct = await readProduct(ctx, label.gtin, readings.blockNumber);
  } catch (error) {
    readings.chain = { status: "unavailable", reason: `the ledger cannot be read (${firstLine(error)})` };
    readings.blockNumber = null;
    readings.sourceDown = true;
    return readings;
  }

  // Without the read model the verdict still stands on the chain; only names are missing. What it
  // lacks because the indexer is behind is read on chain.
  const verification = readings.verification;
  readings.productRow = names?.product ?? undefined;
  readings.batchRow = names?.batch ?? undefined;
  readings.holders = names?.holders ?? [];
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
}

interface ReadModelNames {
  product: ProductNames | null;
  batch: BatchStatusRecord | null;
  holders: string[];
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
    (select json_build_object('status', b.status, 'statusReason', b.status_reason, 'statusBy', b.status_by, 'statusAt', b.status_at)
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

/** The product's record on chain at `blockNumber`, or undefined when the GTIN is not registered. */
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
    }
    reading.batch = batch;
  }
  const pack = verification?.pack;
  return {
    status: "ok",
    ...(reading.product === undefined ? {} : { product: reading.product }),
    ...(reading.batch === undefined ? {} : { batch: reading.batch }),
    ...(pack === undefined
      ? {}
      : {
          pack: {
            state: pack.state,
            ...(pack.by === undefined ? {} : { by: toParty(party(pack.by)) }),
            ...(pack.at === undefined ? {} : { at: pack.at }),
          },
        }),
  };
}

function manifestReading(
  lookup: SerialLookup,
  verification: PackVerification | undefined,
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

// ---------------------------------------------------------------- the answer

function answerOf(
  decision: VerdictResult,
  parsed: ParseResult,
  purpose: VerifyPurpose,
  now: Date,
  blockNumber: number | null,
  readings: Readings | undefined,
  options: VerifyOptions,
): VerifyResponse {
  const { verdict, facts } = decision;
  const words = wordsFor(decision, purpose, readings?.manifestMissing === true);
  const party = readings?.party ?? ((address: string | null | undefined) => ({ address: address ?? "" }));
  const body: VerifyResponse = {
    verdict,
    headline: words.headline,
    advice: words.advice,
    alert: decision.alert,
    pack: null,
    batch: null,
    product: null,
    manufacturer: null,
    holder: null,
    checkedAt: now.toISOString(),
    blockNumber,
  };
  if (parsed.ok) {
    const value = parsed.value;
    const lot = value.lot ?? readings?.lot;
    const pack: NonNullable<VerifyResponse["pack"]> = {};
    if (value.gtin !== undefined) pack.gtin = value.gtin;
    if (lot !== undefined) pack.lot = lot;
    if (value.serial !== undefined) pack.serial = value.serial;
    if (value.expiry !== undefined) pack.expiry = value.expiry.date;
    if (facts.packIndex !== undefined) pack.index = facts.packIndex;
    const state = readings?.verification?.pack?.state;
    if (state !== undefined && facts.packIndex !== undefined) pack.state = state;
    if (value.gtin !== undefined && value.serial !== undefined) {
      pack.digitalLink = toDigitalLink(
        {
          gtin: value.gtin,
          serial: value.serial,
          ...(lot === undefined ? {} : { lot }),
          ...(value.expiry ? { expiry: value.expiry } : {}),
        },
        options.digitalLinkBase,
      );
    }
    body.pack = pack;
  }
  if (facts.product !== undefined) {
    body.product = {
      gtin: facts.product.gtin,
      name: facts.product.name,
      strength: facts.product.strength ?? "",
      dosageForm: facts.product.dosageForm ?? "",
    };
  }
  if (facts.manufacturer !== undefined) body.manufacturer = party(facts.manufacturer.address);
  if (facts.batch !== undefined && facts.batch.batchId !== undefined) {
    const statusEvent = facts.recall ?? facts.suspension;
    body.batch = {
      batchId: facts.batch.batchId,
      lot: facts.batch.lot,
      expiry: facts.batch.expiry,
      status: facts.batch.status,
      packCount: facts.batch.packCount ?? 0,
      ...(statusEvent?.reason === undefined ? {} : { statusReason: statusEvent.reason }),
      ...(statusEvent?.at === undefined ? {} : { statusAt: statusEvent.at }),
    };
  }
  const decommission =
    facts.dispensed !== undefined ? { state: "DISPENSED", ...facts.dispensed } : facts.decommissioned;
  if (decommission !== undefined && decommission.by !== undefined && decommission.at !== undefined) {
    body.decommissioned = { state: decommission.state, by: party(decommission.by.address), at: decommission.at };
  }
  body.holder = holderOf(decommission?.by?.address, readings, options.reportedBy, party);
  if (facts.codeError !== undefined) body.codeError = { code: facts.codeError.code, message: facts.codeError.message };
  if (facts.mismatch !== undefined) body.mismatch = facts.mismatch;
  if (facts.unavailable !== undefined) body.unavailable = facts.unavailable;
  if (facts.expiredOn !== undefined) body.expiredOn = facts.expiredOn;
  return body;
}

/**
 * Who has the pack: the party that decommissioned it; otherwise the scanning party when it holds
 * units of the batch, or the batch's only holder. Units are tracked per batch, so with several
 * holders the pack's own holder is not known.
 */
function holderOf(
  decommissionedBy: string | undefined,
  readings: Readings | undefined,
  reportedBy: Address | undefined,
  party: PartyLookup,
): PartyView | null {
  if (decommissionedBy !== undefined) return party(decommissionedBy);
  const holders = readings?.holders ?? [];
  if (reportedBy !== undefined && holders.includes(reportedBy.toLowerCase())) return party(reportedBy);
  return holders.length === 1 ? party(holders[0]) : null;
}

/** The batch's custody timeline, with this pack's own events but not the other packs'. */
async function packHistory(ctx: AppContext, batchId: Hex, lookup: SerialLookup | undefined): Promise<TimelineEntry[]> {
  const index = lookup?.status === "found" ? String(lookup.index) : undefined;
  const rows = (await batchEventRows(ctx.db, batchId)).filter(
    (row) => !row.name.startsWith("Pack") || (index !== undefined && String(row.args.index) === index),
  );
  return timelineOf(ctx.db, rows);
}

async function raiseAlert(
  ctx: AppContext,
  body: VerifyResponse,
  purpose: VerifyPurpose,
  readings: Readings,
  reportedBy: Address | undefined,
): Promise<void> {
  try {
    await ctx.db.insert(alerts).values({
      verdict: body.verdict,
      purpose,
      gtin: body.pack?.gtin ?? null,
      lot: body.pack?.lot ?? null,
      serial: body.pack?.serial ?? null,
      batchId: readings.batchId ?? null,
      reportedBy: reportedBy?.toLowerCase() ?? null,
      message: `${body.headline} ${alertDetail(body)}`.trim(),
      blockNumber: readings.blockNumber,
    });
  } catch (error) {
    // The verdict is still the right answer to give; the lost alert is logged for the operator.
    console.error("An alert could not be recorded:", firstLine(error), body.verdict, body.pack);
  }
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
