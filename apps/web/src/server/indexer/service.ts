/**
 * The indexer as a long-running service: steps while it is behind, polls once caught up, and
 * when the chain (or the database) fails it retries with capped exponential backoff instead of
 * crashing the process. `status()` says where it stands, for the web server's health answer,
 * the indexer process's output and tests.
 */
import { BaseError, HttpRequestError, SocketClosedError, TimeoutError, WebSocketRequestError } from "viem";
import { appContext, describeRpcUrls, type AppContext } from "../context.ts";
import { indexedBlock, RangeSizer, syncOnce, type SyncOptions, type SyncResult } from "./sync.ts";

export type IndexerState = "starting" | "catching-up" | "live" | "unreachable" | "failed" | "stopped";

export interface IndexerStatus {
  /**
   * live: at the safe head; catching-up: stepping towards it; unreachable: the chain's node does
   * not answer (retrying); failed: another error, such as a database of another deployment
   * (retrying, see lastError); stopped: stop() was called.
   */
  state: IndexerState;
  chainId: number;
  contract: string;
  rpcUrl: string;
  /** The chain's head at the last successful step. */
  head: number | null;
  /** The indexed block. */
  cursor: number | null;
  /** Blocks between the head and the indexed block. */
  lag: number | null;
  /** Events written since the service started. */
  eventsIndexed: number;
  lastStepAt: string | null;
  lastError: { message: string; at: string } | null;
  consecutiveFailures: number;
  /** When the service waits after a failure: how long before the next try. */
  retryInMs: number | null;
}

export interface IndexerOptions extends SyncOptions {
  /** Wait between polls once caught up (default 1,000 ms, or PEDIGREE_INDEXER_INTERVAL_MS). */
  intervalMs?: number;
  /** First wait after a failure (default 500 ms), doubled after each further failure up to `maxBackoffMs` (default 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Receives one line per state change (default: console). */
  log?: (line: string) => void;
  /** Called after every successful step (the indexer process prints progress from it). */
  onStep?: (step: SyncResult, status: IndexerStatus) => void;
}

export interface IndexerHandle {
  /** Stops after the step in progress (a step is one transaction: it completes or leaves nothing). */
  stop(): Promise<void>;
  status(): IndexerStatus;
}

/** The error came from reaching the node (refused, timed out, closed), not from its answer. */
export function isChainUnreachable(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false;
  return (
    error.walk(
      (cause) =>
        cause instanceof TimeoutError ||
        cause instanceof SocketClosedError ||
        cause instanceof WebSocketRequestError ||
        (cause instanceof HttpRequestError && (cause.status === undefined || cause.status >= 500)),
    ) !== null
  );
}

function describe(error: unknown): string {
  if (error instanceof BaseError) {
    const short = error.shortMessage.replace(/\.$/, "");
    return error.details && !short.includes(error.details) ? `${short} (${error.details})` : short;
  }
  return error instanceof Error ? error.message : String(error);
}

export function defaultIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.PEDIGREE_INDEXER_INTERVAL_MS;
  if (configured === undefined || configured === "") return 1_000;
  const value = Number(configured);
  if (!Number.isSafeInteger(value) || value < 10) {
    throw new Error(
      `PEDIGREE_INDEXER_INTERVAL_MS must be a whole number of milliseconds, 10 or more (got '${configured}').`,
    );
  }
  return value;
}

export function startIndexer(ctx: AppContext, options: IndexerOptions = {}): IndexerHandle {
  const intervalMs = options.intervalMs ?? defaultIntervalMs();
  const initialBackoffMs = options.initialBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const log = options.log ?? ((line: string) => console.log(line));
  const range = new RangeSizer(options.rangeSize);
  const status: IndexerStatus = {
    state: "starting",
    chainId: ctx.ledger.chainId,
    contract: ctx.ledger.address.toLowerCase(),
    rpcUrl: ctx.ledger.rpcUrl,
    head: null,
    cursor: null,
    lag: null,
    eventsIndexed: 0,
    lastStepAt: null,
    lastError: null,
    consecutiveFailures: 0,
    retryInMs: null,
  };
  let stopping = false;
  let wake: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      wake = null;
      timer = null;
    });

  const run = async () => {
    // Until the first step succeeds, report what the database holds.
    status.cursor = (await indexedBlock(ctx).catch(() => null))?.number ?? null;
    while (!stopping) {
      try {
        const step = await syncOnce(ctx, { ...options, rangeSize: range.size });
        range.stepped(step);
        const recovered = status.consecutiveFailures > 0;
        status.consecutiveFailures = 0;
        status.retryInMs = null;
        status.head = step.head;
        status.cursor = step.cursor;
        status.lag = step.cursor === null ? null : step.head - step.cursor;
        status.eventsIndexed += step.events;
        status.lastStepAt = new Date().toISOString();
        const state = step.caughtUp ? "live" : "catching-up";
        if (recovered) log(`Indexer: the chain answers again; ${state} at block ${step.cursor} of ${step.head}.`);
        if (step.rolledBack !== undefined) {
          const { from, to, removedEvents } = step.rolledBack;
          log(
            `Indexer: the chain reorganised below block ${from}; rolled back to ${to ?? "the deployment block"}` +
              ` (${removedEvents} events removed) and rebuilt the read model.`,
          );
        }
        status.state = state;
        options.onStep?.(step, { ...status });
        // Behind: take the next step at once (after yielding to pending I/O); caught up: poll.
        await sleep(step.caughtUp ? intervalMs : 0);
      } catch (error) {
        if (stopping) break;
        status.consecutiveFailures++;
        const delay = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (status.consecutiveFailures - 1));
        const state = isChainUnreachable(error) ? "unreachable" : "failed";
        const message =
          state === "unreachable"
            ? `The chain's node at ${describeRpcUrls(ctx.ledger)} cannot be reached: ${describe(error)}`
            : describe(error);
        if (state !== status.state || message !== status.lastError?.message) {
          log(`Indexer: ${message}. Retrying with backoff (up to ${Math.round(maxBackoffMs / 1000)} s).`);
        }
        status.state = state;
        status.lastError = { message, at: new Date().toISOString() };
        status.retryInMs = delay;
        await sleep(delay);
      }
    }
  };
  const running = run();

  return {
    async stop() {
      stopping = true;
      if (timer !== null) clearTimeout(timer);
      wake?.();
      await running;
      status.state = "stopped";
      status.retryInMs = null;
    },
    status: () => ({ ...status, lastError: status.lastError === null ? null : { ...status.lastError } }),
  };
}

const holder = globalThis as typeof globalThis & { __pedigreeIndexer?: Promise<IndexerHandle | null> };

/**
 * Starts the web server's own indexer once per process (kept on globalThis so dev reloads do not
 * start a second one). Never throws: a context that cannot be built is logged, and the server
 * keeps answering from what is indexed.
 */
export function startWebIndexer(): Promise<IndexerHandle | null> {
  holder.__pedigreeIndexer ??= appContext().then(
    (ctx) => {
      console.log(
        `Indexer: following the ledger ${ctx.ledger.address} on chain ${ctx.ledger.chainId} (${describeRpcUrls(ctx.ledger)}),` +
          ` read model in ${ctx.database.kind} (${ctx.database.location}).`,
      );
      return startIndexer(ctx);
    },
    (error: unknown) => {
      console.error(`Indexer: not started: ${describe(error)}`);
      holder.__pedigreeIndexer = undefined;
      return null;
    },
  );
  return holder.__pedigreeIndexer;
}

/** The web server's indexer status, or null when it runs elsewhere (PEDIGREE_INDEXER=off) or could not start. */
export async function webIndexerStatus(): Promise<IndexerStatus | null> {
  const handle = await holder.__pedigreeIndexer;
  return handle?.status() ?? null;
}
