/**
 * After a confirmed write: wait until the read model has indexed the write's block, so that the
 * pages, which read the read model, show what the write did. The indexer follows the chain from a
 * few hundred milliseconds behind (Hardhat's node, a block per transaction) to several blocks
 * behind (a chain with real block times, where it waits for confirmations), so the wait asks the
 * server (GET /api/read-model) instead of assuming a lag. Framework-free, for tests.
 */

/** Answers the block the read model has indexed (null before its first step). */
export type IndexedBlockReader = () => Promise<number | null>;

/** GET /api/read-model on this page's server (or `origin`). */
export function readModelBlockReader(origin = ""): IndexedBlockReader {
  return async () => {
    const response = await fetch(`${origin}/api/read-model`, { cache: "no-store" });
    if (!response.ok) throw new Error(`GET /api/read-model answered ${response.status}`);
    const body = (await response.json()) as { indexedBlock?: unknown };
    return typeof body.indexedBlock === "number" ? body.indexedBlock : null;
  };
}

export interface WaitForReadModelOptions {
  read: IndexedBlockReader;
  /** Give up after this long (default 2 minutes: a slow chain's confirmations, a busy indexer). */
  timeoutMs?: number;
  /** Between two questions (default 500 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Resolves true once the read model has indexed `block`, false when `timeoutMs` passed first or
 * `signal` aborted. A failed question (server restarting, network) is asked again, not fatal.
 */
export async function waitForReadModel(block: bigint | number, options: WaitForReadModelOptions): Promise<boolean> {
  const target = Number(block);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const interval = options.intervalMs ?? 500;
  for (;;) {
    if (options.signal?.aborted) return false;
    const indexed = await options.read().catch(() => null);
    if (indexed !== null && indexed >= target) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(interval, left));
      options.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
