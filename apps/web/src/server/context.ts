/**
 * What every server-side handler needs: the read-model database, a viem client on the chain, and
 * which ledger deployment to follow. Built once per process from the environment and shared (kept
 * on globalThis so Next.js dev reloads do not open a second database).
 *
 * Environment:
 * - PEDIGREE_RPC_URL        the chain's JSON-RPC URL (default http://127.0.0.1:8545)
 * - PEDIGREE_CHAIN_ID       chain id (default 31337, the local chain)
 * - PEDIGREE_LEDGER_ADDRESS / PEDIGREE_DEPLOYMENT_BLOCK  override the generated deployment record
 * - DATABASE_URL            PostgreSQL; without it, embedded PGlite under .data/pglite
 *
 * Handlers take the context as a parameter, so tests build their own with `createAppContext`.
 */
import { createPublicClient, defineChain, http, type Address, type PublicClient } from "viem";
import { ledgerDeployment } from "@pedigree/ledger";
import { openDatabase, type Database, type OpenedDatabase } from "./db/database.ts";
import { keepAliveFetch } from "./rpcFetch.ts";

/** One pool of kept-alive sockets to the chain per process. */
const rpcFetch = keepAliveFetch() as unknown as typeof fetch;

export interface LedgerTarget {
  chainId: number;
  address: Address;
  deploymentBlock: number;
  rpcUrl: string;
  /**
   * Which ledger contract is deployed there: the count ledger (PedigreeLedger, the default while
   * the application moves over) or the package-level one (PedigreePackageLedger).
   */
  kind?: LedgerKind;
}

export type LedgerKind = "count" | "package";

export interface AppContext {
  db: Database;
  database: OpenedDatabase;
  chain: PublicClient;
  ledger: LedgerTarget;
  /** The clock verdicts are decided against (tests pin it). */
  now(): Date;
}

export function ledgerTargetFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerTarget {
  const rpcUrl = env.PEDIGREE_RPC_URL ?? "http://127.0.0.1:8545";
  const chainId = Number(env.PEDIGREE_CHAIN_ID ?? 31337);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new Error(`PEDIGREE_CHAIN_ID must be a positive integer (got '${env.PEDIGREE_CHAIN_ID}').`);
  }
  if (env.PEDIGREE_LEDGER_ADDRESS) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(env.PEDIGREE_LEDGER_ADDRESS)) {
      throw new Error(
        `PEDIGREE_LEDGER_ADDRESS must be a 0x-prefixed 20-byte address (got '${env.PEDIGREE_LEDGER_ADDRESS}').`,
      );
    }
    return {
      chainId,
      rpcUrl,
      address: env.PEDIGREE_LEDGER_ADDRESS as Address,
      deploymentBlock: Number(env.PEDIGREE_DEPLOYMENT_BLOCK ?? 0),
    };
  }
  const deployment = ledgerDeployment(chainId);
  return { chainId, rpcUrl, address: deployment.address, deploymentBlock: deployment.deploymentBlock };
}

export function chainClient(target: LedgerTarget): PublicClient {
  const chain = defineChain({
    id: target.chainId,
    name: target.chainId === 31337 ? "Local chain" : `Chain ${target.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [target.rpcUrl] } },
  });
  return createPublicClient({
    chain,
    // Short: a patient waits for at most two tries (about 5 s) before hearing UNAVAILABLE; the indexer
    // has its own retries with backoff. Calls made together (a check's head and pack record, the
    // checks running at once, the indexer's block fetches) go as one JSON-RPC batch: one HTTP
    // exchange instead of several, the largest cost of a check after the database.
    transport: http(target.rpcUrl, {
      retryCount: 1,
      retryDelay: 150,
      timeout: 2_500,
      fetchFn: rpcFetch,
      batch: { wait: 0, batchSize: 64 },
    }),
    pollingInterval: 500,
  }) as PublicClient;
}

export async function createAppContext(
  options: {
    target?: LedgerTarget;
    database?: OpenedDatabase;
    now?: () => Date;
  } = {},
): Promise<AppContext> {
  const ledger = options.target ?? ledgerTargetFromEnv();
  const database = options.database ?? (await openDatabase());
  return { db: database.db, database, chain: chainClient(ledger), ledger, now: options.now ?? (() => new Date()) };
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
