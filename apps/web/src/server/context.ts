/**
 * What every server-side handler needs: the read-model database, a viem client on the chain, and
 * which ledger deployment to follow. Built once per process from the environment and shared (kept
 * on globalThis so Next.js dev reloads do not open a second database).
 *
 * Environment:
 * - PEDIGREE_RPC_URL        the chain's JSON-RPC URL (default http://127.0.0.1:8545), or several,
 *                           comma-separated: the first is preferred, the others take over when it
 *                           fails, ranked by their health (docs/ARCHITECTURE.md, "Real networks")
 * - PEDIGREE_CHAIN_ID       chain id (default 31337, the local chain)
 * - PEDIGREE_LEDGER_ADDRESS / PEDIGREE_DEPLOYMENT_BLOCK  override the generated deployment record
 * - PEDIGREE_LEDGER_KIND    with PEDIGREE_LEDGER_ADDRESS: which ledger is there, `count` (default)
 *                           or `package` (the record says it otherwise)
 * - PEDIGREE_LENS_ADDRESS   the package-level ledger's lens (PedigreePackageLens), over the record's
 * - DATABASE_URL            PostgreSQL; without it, embedded PGlite under .data/pglite
 *
 * Handlers take the context as a parameter, so tests build their own with `createAppContext`.
 */
import { createPublicClient, defineChain, fallback, http, type Address, type PublicClient } from "viem";
import { ledgerDeployment, type LedgerKind } from "@pedigree/ledger";
import { openDatabase, type Database, type OpenedDatabase } from "./db/database.ts";
import { keepAliveFetch } from "./rpcFetch.ts";

/** One pool of kept-alive sockets to the chain per process. */
const rpcFetch = keepAliveFetch() as unknown as typeof fetch;

export interface LedgerTarget {
  chainId: number;
  address: Address;
  deploymentBlock: number;
  /** The preferred JSON-RPC URL of the chain's node. */
  rpcUrl: string;
  /** Other nodes' URLs, tried when the preferred one fails (PEDIGREE_RPC_URL's list after its first). */
  fallbackRpcUrls?: readonly string[];
  /**
   * Which ledger contract is deployed there: the count ledger (PedigreeLedger, the default while
   * the application moves over) or the package-level one (PedigreePackageLedger).
   */
  kind?: LedgerKind;
  /**
   * The package-level ledger's read-only views (PedigreePackageLens): where a check on the chain
   * reads `verifyPack`. Unused by the count ledger, whose views are its own.
   */
  lens?: Address;
}

export type { LedgerKind };

/** The target's lens, or an error saying how to name it (a package-level ledger's checks on chain need it). */
export function lensOf(target: LedgerTarget): Address {
  if (target.lens !== undefined) return target.lens;
  throw new Error(
    `No lens (PedigreePackageLens) is known for the package-level ledger at ${target.address} on chain ${target.chainId}: ` +
      "set PEDIGREE_LENS_ADDRESS, or deploy the ledger with its lens and run npm run export:ledger so the deployment record names it.",
  );
}

/** PEDIGREE_LENS_ADDRESS, checked: undefined when unset. */
function lensFromEnv(value: string | undefined): Address | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
    throw new Error(
      `PEDIGREE_LENS_ADDRESS must be a 0x-prefixed 20-byte address, the package-level ledger's lens (got '${value.slice(0, 60)}').`,
    );
  }
  return value as Address;
}

/** PEDIGREE_LEDGER_KIND: `count` when unset. */
export function ledgerKindFromEnv(value: string | undefined): LedgerKind {
  if (value === undefined || value === "" || value === "count") return "count";
  if (value === "package") return "package";
  throw new Error(
    `PEDIGREE_LEDGER_KIND must be 'count' (PedigreeLedger) or 'package' (PedigreePackageLedger); got '${value.slice(0, 40)}'.`,
  );
}

export interface AppContext {
  db: Database;
  database: OpenedDatabase;
  chain: PublicClient;
  ledger: LedgerTarget;
  /** The clock verdicts are decided against (tests pin it). */
  now(): Date;
}

/**
 * PEDIGREE_RPC_URL's URLs: one, or several separated by commas (the first preferred). Each must be
 * an http(s) URL; an empty entry or another scheme is refused, saying which.
 */
export function rpcUrlsFromEnv(value: string | undefined): { rpcUrl: string; fallbackRpcUrls?: string[] } {
  if (value === undefined || value.trim() === "") return { rpcUrl: "http://127.0.0.1:8545" };
  const urls = value.split(",").map((item) => item.trim());
  urls.forEach((url, i) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      const which = urls.length > 1 ? `entry ${i + 1} of PEDIGREE_RPC_URL` : "PEDIGREE_RPC_URL";
      throw new Error(
        `${which} must be an http:// or https:// URL of a JSON-RPC node (got '${url.slice(0, 80)}'). ` +
          "Several URLs are separated by commas, the preferred first.",
      );
    }
  });
  if (new Set(urls).size !== urls.length) {
    throw new Error("PEDIGREE_RPC_URL names a URL twice: list each node once, the preferred first.");
  }
  const [rpcUrl, ...fallbackRpcUrls] = urls as [string, ...string[]];
  return fallbackRpcUrls.length === 0 ? { rpcUrl } : { rpcUrl, fallbackRpcUrls };
}

export function ledgerTargetFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerTarget {
  const rpc = rpcUrlsFromEnv(env.PEDIGREE_RPC_URL);
  const chainId = Number(env.PEDIGREE_CHAIN_ID ?? 31337);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new Error(`PEDIGREE_CHAIN_ID must be a positive integer (got '${env.PEDIGREE_CHAIN_ID}').`);
  }
  const lens = lensFromEnv(env.PEDIGREE_LENS_ADDRESS);
  if (env.PEDIGREE_LEDGER_ADDRESS) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(env.PEDIGREE_LEDGER_ADDRESS)) {
      throw new Error(
        `PEDIGREE_LEDGER_ADDRESS must be a 0x-prefixed 20-byte address (got '${env.PEDIGREE_LEDGER_ADDRESS}').`,
      );
    }
    return {
      chainId,
      ...rpc,
      address: env.PEDIGREE_LEDGER_ADDRESS as Address,
      deploymentBlock: Number(env.PEDIGREE_DEPLOYMENT_BLOCK ?? 0),
      kind: ledgerKindFromEnv(env.PEDIGREE_LEDGER_KIND),
      ...(lens === undefined ? {} : { lens }),
    };
  }
  const deployment = ledgerDeployment(chainId);
  const deployedLens = lens ?? deployment.lens;
  return {
    chainId,
    ...rpc,
    address: deployment.address,
    deploymentBlock: deployment.deploymentBlock,
    kind: deployment.kind ?? "count",
    ...(deployedLens === undefined ? {} : { lens: deployedLens }),
  };
}

/** An RPC URL without what may be a secret in it (user info, path, query): its origin. */
export function redactedRpcUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(not a URL)";
  }
}

/** The target's nodes as logs and status may show them: their origins, the preferred first ("a, then b"). */
export function describeRpcUrls(target: Pick<LedgerTarget, "rpcUrl" | "fallbackRpcUrls">): string {
  const [first, ...rest] = [target.rpcUrl, ...(target.fallbackRpcUrls ?? [])].map(redactedRpcUrl);
  return rest.length === 0 ? String(first) : `${first}, then ${rest.join(", then ")}`;
}

export interface ChainClientOptions {
  /**
   * With several URLs: rank them by health (viem's fallback ranking pings each every 10 s and
   * prefers the most stable, then the fastest). Default on; its timer keeps a process alive, so a
   * test that must exit turns it off and gets the URLs in their given order.
   */
  rank?: boolean;
}

export function chainClient(target: LedgerTarget, options: ChainClientOptions = {}): PublicClient {
  const urls = [target.rpcUrl, ...(target.fallbackRpcUrls ?? [])];
  const chain = defineChain({
    id: target.chainId,
    name: target.chainId === 31337 ? "Local chain" : `Chain ${target.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: urls } },
  });
  // Short: a patient waits for at most two tries (about 5 s) before hearing UNAVAILABLE; the indexer
  // has its own retries with backoff. Calls made together (a check's head and pack record, the
  // checks running at once, the indexer's block fetches) go as one JSON-RPC batch: one HTTP
  // exchange instead of several, the largest cost of a check after the database.
  // With several nodes, each is asked once and a failure moves to the next at once: the retry is
  // the fallback's, over all of them.
  const retryCount = urls.length === 1 ? 1 : 0;
  const node = (url: string) =>
    http(url, { retryCount, retryDelay: 150, timeout: 2_500, fetchFn: rpcFetch, batch: { wait: 0, batchSize: 64 } });
  return createPublicClient({
    chain,
    // Several nodes: a failed request (unreachable, 429, 5xx, a timeout) goes to the next node at
    // once; one retry round over all of them. A refusal that is the call's own (a revert) is not
    // retried elsewhere: every node would give it.
    transport:
      urls.length === 1
        ? node(target.rpcUrl)
        : fallback(urls.map(node), {
            retryCount: 1,
            retryDelay: 150,
            rank: options.rank === false ? false : { interval: 10_000, sampleCount: 6, timeout: 2_000 },
          }),
    pollingInterval: 500,
  }) as PublicClient;
}

export async function createAppContext(
  options: {
    target?: LedgerTarget;
    database?: OpenedDatabase;
    now?: () => Date;
    chain?: ChainClientOptions;
  } = {},
): Promise<AppContext> {
  const ledger = options.target ?? ledgerTargetFromEnv();
  const database = options.database ?? (await openDatabase());
  return {
    db: database.db,
    database,
    chain: chainClient(ledger, options.chain),
    ledger,
    now: options.now ?? (() => new Date()),
  };
}

const holder = globalThis as typeof globalThis & { __pedigreeContext?: Promise<AppContext> };

/** The process-wide context (route handlers use this). */
export function appContext(): Promise<AppContext> {
  holder.__pedigreeContext ??= createAppContext().catch((error: unknown) => {
    holder.__pedigreeContext = undefined;
    throw error;
  });
  return holder.__pedigreeContext;
}
