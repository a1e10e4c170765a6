/**
 * Seeds the demo world (world.ts) onto a fresh local chain where the ledger is deployed, through
 * @pedigree/ledger's typed writer, and returns what a newcomer needs: the demo accounts and one
 * pack code per verdict.
 *
 * The seed owns the chain's clock. History needs time (a batch that expired six weeks ago had to
 * be registered before its expiry, and the contract refuses a past expiry), and a chain's clock
 * never goes back, so the chain must START in the past: its genesis block at demoGenesisTime().
 * `hardhat node` has no flag for that; start the node with the network config's `initialDate`
 * (e.g. `network.createServer({ network: "hardhat", override: { initialDate } })`, as
 * packages/ledger/test/support/hardhat-node.ts does), or anvil with `--timestamp` (scripts/anvil.ts),
 * then deploy, then call seedDemoWorld. The seed sets each block's time (evm_setNextBlockTimestamp)
 * as it walks through 13 months of history, and ends by mining a block at the wall clock's now,
 * after which the node keeps time with the wall clock, so verdicts computed with `new Date()`
 * agree with the chain's.
 *
 * On a node that mines on a clock (anvil --block-time) each step waits for the block that takes
 * its transaction, and that may not be the block the time was set for: an empty block can be
 * mined in between and take it, and the chain's clock then runs on from there. So the seed reads
 * the chain's time back after each step instead of assuming its own, and a same-day step that
 * finds the clock already past the second it wanted takes the next free one.
 */
import { createPublicClient, createTestClient, createWalletClient, http, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { expiryToDate, toDigitalLink, toElementString, toHri } from "@pedigree/gs1";
import {
  batchIdOf,
  buildManifest,
  generateSerials,
  type LedgerErrorLookup,
  type LedgerKind,
  type SerialManifest,
  type Verdict,
} from "@pedigree/ledger";
import {
  BATCHES,
  DEMO_MNEMONIC,
  PARTIES,
  PRODUCTS,
  UNREGISTERED_GTIN,
  demoSerialSeed,
  type BatchKeyName,
  type DemoRole,
  type PartyKey,
} from "./world.ts";
import { countHistory } from "./count-history.ts";
import { SALEABLE_RETURN_REFERENCE, type DemoUnit, type HistoryContext, type SeedWriter } from "./history.ts";
import { packageHistory } from "./package-history.ts";

const DAY = 86_400;
/** How far back the world's history reaches: the first event is this many days before seeding. */
const HISTORY_DAYS = 390;
export { SALEABLE_RETURN_REFERENCE };

/** When the demo chain's genesis block must be: 400 days before `now`, before any of the history. */
export function demoGenesisTime(now: Date = new Date()): Date {
  return new Date(now.getTime() - 400 * DAY * 1000);
}

export interface DemoManifest {
  batchId: Hex;
  gtin: string;
  lot: string;
  serials: readonly string[];
  root: Hex;
  /** The batch's manufacturer, who registered the root. */
  manufacturer: Address;
}

export interface DemoAccount {
  /** Address index in Hardhat's test mnemonic. */
  index: number;
  address: Address;
  role: DemoRole;
  name: string;
  gln: string;
}

/** One pack code, in each form a newcomer can use. */
export interface DemoPack {
  gtin: string;
  lot: string;
  serial: string;
  /** YYMMDD, as printed on the pack (AI 17). */
  expiry: string;
  /** GS1 Digital Link path, to append to the dashboard's origin: /01/<gtin>/10/<lot>/21/<serial>?17=<YYMMDD>. */
  digitalLink: string;
  /** The human-readable element string: (01)…(17)…(10)…(21)…. */
  hri: string;
  /** The element string as a barcode carries it (GS-separated, no symbology identifier). */
  elementString: string;
}

export interface DemoExample extends DemoPack {
  /** The verdict the server gives this pack. */
  verdict: Verdict;
  /** What happened to it, in a few words. */
  description: string;
}

export interface DemoBatchSummary {
  key: BatchKeyName;
  batchId: Hex;
  gtin: string;
  lot: string;
  product: string;
  manufacturer: string;
  packs: number;
  /** YYYYMMDD. */
  expiry: number;
}

export interface DemoSummary {
  accounts: DemoAccount[];
  batches: DemoBatchSummary[];
  /** One pack per verdict: genuine, dispensed, decommissioned, recalled, suspended, expired, mismatch, unknown serial, unknown product. */
  examples: DemoExample[];
  /** A pack dispensed three weeks ago: verifying it with purpose=dispense raises the potential falsification alert. */
  alertPack: DemoPack;
  /** alertPack as its human-readable element string, ready for /api/verify?code=. */
  alertCode: string;
  /** A pharmacy's return waiting at the distributor, and the codes of its packs to verify (VRS requester). */
  saleableReturn: { reference: string; from: string; to: string; packs: DemoPack[] };
  /** The logistic units (cases, pallets, totes) the history packed: none on the count ledger. */
  units: DemoUnit[];
  /** The chain's time when seeding ended (Unix seconds): the wall clock's now. */
  chainTime: number;
  transactions: number;
  durationMs: number;
}

export interface SeedDemoWorldOptions {
  rpcUrl: string;
  /** The deployed ledger; `kind` (default count) says which history is played onto it. */
  ledger: { address: Address; deploymentBlock: number; kind?: LedgerKind };
  /** Stores each batch's serial manifest in the read model (called once, with every batch). */
  storeManifests: (manifests: DemoManifest[]) => Promise<void>;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

interface Step {
  daysAgo: number;
  what: string;
  run: () => Promise<unknown>;
}

export async function seedDemoWorld({
  rpcUrl,
  ledger,
  storeManifests,
  log,
}: SeedDemoWorldOptions): Promise<DemoSummary> {
  const started = Date.now();
  const seedNow = Math.floor(started / 1000);
  const transport = http(rpcUrl, { retryCount: 0, timeout: 30_000 });
  const probe = createPublicClient({ transport });
  const chain = { ...hardhat, id: await probe.getChainId() };
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 20 });
  // viem names a few test methods per node (anvil_mine, hardhat_mine); both nodes answer the evm_ ones.
  const clientVersion = await probe.request({ method: "web3_clientVersion" }).catch(() => "");
  const mode = /^anvil\//i.test(String(clientVersion)) ? "anvil" : "hardhat";
  const testClient = createTestClient({ chain, transport, mode });

  const latest = await publicClient.getBlock();
  const firstEvent = seedNow - HISTORY_DAYS * DAY;
  if (Number(latest.timestamp) >= firstEvent) {
    throw new Error(
      `The chain's clock is at ${new Date(Number(latest.timestamp) * 1000).toISOString()}, but the demo world's history ` +
        `starts ${HISTORY_DAYS} days ago and a chain's clock cannot go back. Start a fresh chain whose genesis time is ` +
        `demoGenesisTime() (the network config's initialDate), deploy the ledger, then seed.`,
    );
  }

  // Batches are built first: the lookup below names them in any error message.
  const manifests = new Map<BatchKeyName, SerialManifest>();
  for (const batch of Object.values(BATCHES)) {
    manifests.set(batch.key, buildManifest(generateSerials({ count: batch.packs, seed: demoSerialSeed(batch.lot) })));
  }
  const accountOf = (key: PartyKey) => mnemonicToAccount(DEMO_MNEMONIC, { addressIndex: PARTIES[key].index });
  const addresses = Object.fromEntries(
    (Object.keys(PARTIES) as PartyKey[]).map((key) => [key, accountOf(key).address]),
  ) as Record<PartyKey, Address>;
  const batchIds = Object.fromEntries(
    Object.values(BATCHES).map((batch) => [batch.key, batchIdFor(batch.key)]),
  ) as Record<BatchKeyName, Hex>;
  const lookup: LedgerErrorLookup = {
    party: (address) => {
      const key = (Object.keys(addresses) as PartyKey[]).find(
        (k) => addresses[k].toLowerCase() === address.toLowerCase(),
      );
      return key === undefined ? undefined : { name: PARTIES[key].name, gln: PARTIES[key].gln };
    },
    batch: (batchId) => {
      const key = (Object.keys(batchIds) as BatchKeyName[]).find((k) => batchIds[k] === batchId);
      if (key === undefined) return undefined;
      const product = PRODUCTS[BATCHES[key].product];
      return { gtin: product.gtin, lot: BATCHES[key].lot, productName: productName(product) };
    },
  };
  const expiryOf = (key: BatchKeyName) => yyyymmddAt(seedNow + BATCHES[key].expiresInDays * DAY);
  const manifestOf = (key: BatchKeyName) => manifests.get(key) as SerialManifest;

  const steps: Step[] = [];
  const at = (daysAgo: number, what: string, run: () => Promise<unknown>) => steps.push({ daysAgo, what, run });
  const historySteps: Step[] = [];
  const context: HistoryContext = {
    at: (daysAgo, what, run) => historySteps.push({ daysAgo, what, run }),
    addresses,
    batchIds,
    manifestOf,
    lookup,
    writersFor: (create) =>
      Object.fromEntries(
        (Object.keys(PARTIES) as PartyKey[]).map((key) => [
          key,
          create({
            publicClient,
            walletClient: createWalletClient({ account: accountOf(key), chain, transport }),
            address: ledger.address,
            lookup,
          }),
        ]),
      ) as never,
  };
  const history = (ledger.kind === "package" ? packageHistory : countHistory)(context);
  const writers: Record<PartyKey, SeedWriter> = history.writers;

  // The network: participants, company prefixes, products.
  for (const key of ["acme", "borealis", "northwind", "central", "harbour", "agency"] as const) {
    const party = PARTIES[key];
    at(HISTORY_DAYS, `onboard ${party.name}`, () =>
      writers.admin.onboardParticipant({
        account: addresses[key],
        role: party.role.toUpperCase() as "MANUFACTURER" | "DISTRIBUTOR" | "PHARMACY" | "REGULATOR",
        legalName: party.name,
        gln: party.gln,
      }),
    );
  }
  for (const key of ["acme", "borealis"] as const) {
    for (const prefix of PARTIES[key].prefixes) {
      at(HISTORY_DAYS, `assign ${prefix}`, () =>
        writers.admin.assignCompanyPrefix({ manufacturer: addresses[key], prefix }),
      );
    }
  }
  for (const product of Object.values(PRODUCTS)) {
    at(HISTORY_DAYS - 2, `register ${productName(product)}`, () =>
      writers[product.manufacturer].registerProduct({
        gtin: product.gtin,
        name: product.name,
        strength: product.strength,
        dosageForm: product.dosageForm,
      }),
    );
  }
  for (const batch of Object.values(BATCHES)) {
    const product = PRODUCTS[batch.product];
    at(batch.registeredDaysAgo, `register batch ${batch.lot}`, () =>
      writers[product.manufacturer].registerBatch({
        gtin: product.gtin,
        lot: batch.lot,
        expiry: expiryOf(batch.key),
        manifest: manifestOf(batch.key),
      }),
    );
  }

  // The history after the network: a same-day step of it comes after the registrations.
  steps.push(...historySteps);

  // Play the history in order; steps of the same day keep their order, a few seconds apart.
  const ordered = steps
    .map((step, order) => ({ step, order }))
    .sort((a, b) => b.step.daysAgo - a.step.daysAgo || a.order - b.order);
  /**
   * Sets the next block's time to `wanted`, or just past the chain's newest block when that is
   * later: under interval mining a block may be mined between our last look and this call, and a
   * node refuses a time before its newest block's.
   */
  const setClock = async (wanted: number): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      const newest = Number((await publicClient.getBlock({ blockTag: "latest" })).timestamp);
      const time = Math.max(wanted, newest + 1);
      try {
        await testClient.setNextBlockTimestamp({ timestamp: BigInt(time) });
        return time;
      } catch (error) {
        if (attempt >= 5 || !/timestamp/i.test((error as Error).message)) throw error;
      }
    }
  };
  let lastTime = 0;
  for (const { step } of ordered) {
    const time = await setClock(Math.max(seedNow - Math.round(step.daysAgo * DAY), lastTime + 1));
    try {
      await step.run();
    } catch (error) {
      throw new Error(
        `Seeding the demo world failed at "${step.what}" (${step.daysAgo} days ago): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    // The chain's time now: the step's block's on a node that mines each transaction at once,
    // possibly a later (empty) block's on one that mines on a clock.
    lastTime = Math.max(time, Number((await publicClient.getBlock({ blockTag: "latest" })).timestamp));
    log?.(`  ${new Date(time * 1000).toISOString().slice(0, 10)}  ${step.what}`);
  }
  // Back to the present: from this block on, the node keeps time with the wall clock. The block
  // is mined on demand (both nodes do, whether or not they also mine on a clock).
  const chainTime = await setClock(Math.max(Math.floor(Date.now() / 1000), lastTime + 1));
  await testClient.mine({ blocks: 1 });

  await storeManifests(
    Object.values(BATCHES).map((batch) => {
      const manifest = manifestOf(batch.key);
      return {
        batchId: batchIds[batch.key],
        gtin: PRODUCTS[batch.product].gtin,
        lot: batch.lot,
        serials: manifest.serials,
        root: manifest.root,
        manufacturer: addresses[PRODUCTS[batch.product].manufacturer],
      };
    }),
  );

  const packOf = (key: BatchKeyName, index: number, overrides: { serial?: string; expiry?: number } = {}) => {
    const batch = BATCHES[key];
    return demoPack(
      PRODUCTS[batch.product].gtin,
      batch.lot,
      overrides.serial ?? (manifestOf(key).serials[index] as string),
      overrides.expiry ?? expiryOf(key),
    );
  };
  const example = (verdict: Verdict, description: string, pack: DemoPack): DemoExample => ({
    verdict,
    description,
    ...pack,
  });
  const examples: DemoExample[] = [
    example("GENUINE", "Metformin at Central Pharmacy, ready to dispense", packOf("metformin", 100)),
    example(
      "DISPENSED",
      "Metformin dispensed by Central Pharmacy two hours ago (the undo window is open)",
      packOf("metformin", 60),
    ),
    example(
      "DECOMMISSIONED",
      "Metformin destroyed by Northwind Wholesale (damaged)",
      packOf("metformin", history.destroyedMetformin),
    ),
    example(
      "RECALLED",
      "Atorvastatin still at Harbour Pharmacy, recalled by Acme Pharma 10 days ago",
      packOf("atorvastatin", 150),
    ),
    example(
      "SUSPENDED",
      "Salbutamol at Central Pharmacy, suspended by the agency 5 days ago",
      packOf("salbutamol", 50),
    ),
    example("EXPIRED", "Amoxicillin at Central Pharmacy that expired six weeks ago", packOf("amoxicillin", 200)),
    example(
      "MISMATCH",
      "A Metformin code whose expiry differs from the batch record",
      packOf("metformin", 101, { expiry: yyyymmddAt(seedNow + (BATCHES.metformin.expiresInDays + 30) * DAY) }),
    ),
    example(
      "UNKNOWN_SERIAL",
      "A Metformin code with a serial the batch never had",
      packOf("metformin", 0, { serial: "DEMO2NOT3REAL" }),
    ),
    example(
      "UNKNOWN_PRODUCT",
      "A GTIN under Acme's prefix that no product uses",
      demoPack(UNREGISTERED_GTIN, "X0000", "DEMO2NOT3REAL", expiryOf("metformin")),
    ),
    ...history.examples.map((e) => example(e.verdict, e.description, packOf(e.batch, e.index))),
  ];
  const alertPack = packOf("metformin", 10);
  // Packs Central holds and never dispensed (it dispensed 0 to 62): their manufacturer verifies them.
  const returnPacks = [packOf("metformin", 200), packOf("metformin", 201)];

  return {
    accounts: (Object.keys(PARTIES) as PartyKey[]).map((key) => ({
      index: PARTIES[key].index,
      address: addresses[key],
      role: PARTIES[key].role,
      name: PARTIES[key].name,
      gln: PARTIES[key].gln,
    })),
    batches: Object.values(BATCHES).map((batch) => ({
      key: batch.key,
      batchId: batchIds[batch.key],
      gtin: PRODUCTS[batch.product].gtin,
      lot: batch.lot,
      product: productName(PRODUCTS[batch.product]),
      manufacturer: PARTIES[PRODUCTS[batch.product].manufacturer].name,
      packs: batch.packs,
      expiry: expiryOf(batch.key),
    })),
    examples,
    alertPack,
    alertCode: alertPack.hri,
    saleableReturn: {
      reference: SALEABLE_RETURN_REFERENCE,
      from: PARTIES.central.name,
      to: PARTIES.northwind.name,
      packs: returnPacks,
    },
    units: history.units,
    chainTime,
    transactions: ordered.length,
    durationMs: Date.now() - started,
  };
}

/** The summary as lines for a terminal; `origin` prefixes the Digital Link paths (e.g. http://127.0.0.1:3000). */
export function formatDemoSummary(summary: DemoSummary, origin = ""): string {
  const accounts = summary.accounts.map(
    (a) => `  ${String(a.index).padStart(2)}  ${a.role.padEnd(13)} ${a.name.padEnd(27)} GLN ${a.gln}  ${a.address}`,
  );
  const examples = summary.examples.map((e) => `  ${e.verdict.padEnd(15)} ${origin}${e.digitalLink}`);
  return [
    "Demo accounts (Hardhat's test mnemonic, account index first):",
    ...accounts,
    "",
    "One pack per verdict:",
    ...examples,
    "",
    `Potential falsification: verify ${origin}${summary.alertPack.digitalLink} for dispensing (it was dispensed 3 weeks ago).`,
    "",
    `Saleable return: ${summary.saleableReturn.to} verifies each pack of ${summary.saleableReturn.reference} from ` +
      `${summary.saleableReturn.from} with its manufacturer (Stock & inbox), then receives it:`,
    ...summary.saleableReturn.packs.map((pack) => `  ${pack.hri}`),
    ...unitLines(summary.units),
  ].join("\n");
}

/** The pallets and totes of a package-level world, by SSCC, to scan or look up (its cases are too many to list). */
function unitLines(units: readonly DemoUnit[]): string[] {
  const shown = units.filter((u) => u.kind !== "case");
  if (shown.length === 0) return [];
  const size = (u: DemoUnit) => (u.packs === undefined ? 0 : u.packs.to - u.packs.from);
  const firstCase = units.find((u) => u.kind === "case");
  return [
    "",
    `Pallets and totes (SSCC; besides them, ${units.length - shown.length} cases of ${firstCase === undefined ? 0 : size(firstCase)} packs):`,
    ...shown.map((u) => {
      const contents = u.children !== undefined ? `${u.children.length} cases` : `${size(u)} packs`;
      return `  ${u.kind.padEnd(6)} (00)${u.sscc}  packed by ${PARTIES[u.packer].name}, ${contents}`;
    }),
  ];
}

function productName(product: { name: string; strength: string; dosageForm: string }): string {
  return `${product.name} ${product.strength} ${product.dosageForm}`;
}

function batchIdFor(key: BatchKeyName): Hex {
  const batch = BATCHES[key];
  return batchIdOf(PRODUCTS[batch.product].gtin, batch.lot);
}

/** A pack's code in every form; `expiry` is YYYYMMDD. */
function demoPack(gtin: string, lot: string, serial: string, expiry: number): DemoPack {
  const raw = String(expiry).slice(2);
  const parsed = expiryToDate(raw);
  if (!parsed.ok) throw new RangeError(`Demo expiry ${expiry}: ${parsed.error.message}`);
  const value = { gtin, lot, serial, expiry: parsed.value };
  const base = "https://pedigree.invalid";
  return {
    gtin,
    lot,
    serial,
    expiry: raw,
    digitalLink: toDigitalLink(value, base).slice(base.length),
    hri: toHri(value),
    elementString: toElementString(value),
  };
}

/** Unix seconds → the UTC day as YYYYMMDD. */
function yyyymmddAt(unixSeconds: number): number {
  return Number(new Date(unixSeconds * 1000).toISOString().slice(0, 10).replaceAll("-", ""));
}
