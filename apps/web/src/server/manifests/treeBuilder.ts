/**
 * Builds a serial list's tree off the server's main thread. A million serials are three million
 * keccak256 hashes, about 9 s on one core: on the main thread, every verification would wait for
 * the whole build. Here two worker threads (treeWorker.ts) share it: each hashes half the leaves;
 * one sorts them into place in a shared buffer; then each hashes one of the root's two subtrees
 * in that buffer, and the root is hashed here. The tree is the one `SerialTree.build` gives
 * (tested).
 */
import path from "node:path";
import { Worker, type TransferListItem } from "node:worker_threads";
import { hashInnerNodes, nodeBytesFor, SerialTree } from "@pedigree/ledger";
import { repositoryRoot } from "../db/database.ts";

export type TreeWorkerRequest =
  | { kind: "leaves"; serials: string[]; firstIndex: number }
  | { kind: "place"; leaves: Uint8Array; nodes: SharedArrayBuffer }
  | { kind: "inner"; nodes: SharedArrayBuffer; top: number };

export type TreeWorkerReply =
  | { kind: "leaves"; leaves: Uint8Array }
  | { kind: "place"; positions: Uint32Array }
  | { kind: "inner" }
  | { kind: "error"; message: string };

/** Below this many serials the build takes less than a worker takes to start (about 0.1 s). */
export const OFF_THREAD_FROM = 20_000;
/** Two: the root has two subtrees. */
const THREADS = 2;

/** `workerScript`: the worker's file (tests give a broken one). */
export async function buildSerialTree(
  serials: readonly string[],
  { workerScript = defaultWorkerScript() }: { workerScript?: string } = {},
): Promise<SerialTree> {
  if (serials.length < OFF_THREAD_FROM) return SerialTree.build(serials);
  try {
    return await buildOnWorkers(serials, workerScript);
  } catch (error) {
    // A worker that cannot start or dies (out of memory, a runtime without worker threads) must
    // not lose the upload: build in place, slower for everyone meanwhile, and say so.
    console.warn(
      `Building the serial tree on worker threads failed (${(error as Error).message}); building it in place.`,
    );
    return SerialTree.build(serials);
  }
}

async function buildOnWorkers(serials: readonly string[], workerScript: string): Promise<SerialTree> {
  const workers = Array.from({ length: THREADS }, () => new Worker(workerScript));
  try {
    const share = Math.ceil(serials.length / THREADS);
    const parts = await Promise.all(
      workers.map((worker, i) =>
        ask(worker, { kind: "leaves", serials: serials.slice(i * share, (i + 1) * share), firstIndex: i * share }),
      ),
    );
    const leaves = new Uint8Array(serials.length * 32);
    let offset = 0;
    for (const part of parts) {
      if (part.kind !== "leaves") throw new Error(`A tree worker answered '${part.kind}' to a request for leaves`);
      leaves.set(part.leaves, offset);
      offset += part.leaves.length;
    }
    const nodes = new SharedArrayBuffer(nodeBytesFor(leaves));
    const placed = await ask(workers[0] as Worker, { kind: "place", leaves, nodes }, [leaves.buffer]);
    if (placed.kind !== "place") throw new Error(`A tree worker answered '${placed.kind}' to a request for places`);
    // The root's two subtrees (under positions 1 and 2) side by side, then the root.
    await Promise.all(workers.map((worker, i) => ask(worker, { kind: "inner", nodes, top: i + 1 })));
    const tree = new Uint8Array(nodes);
    hashInnerNodes(tree, 0, 0);
    return SerialTree.fromParts({ nodes: tree, positions: placed.positions });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function defaultWorkerScript(): string {
  // turbopackIgnore: the worker is loaded by Node at run time, not bundled with the server.
  return path.join(/*turbopackIgnore: true*/ repositoryRoot(), "apps/web/src/server/manifests/treeWorker.ts");
}

/** One request, one reply; a worker that fails or exits first rejects it with the reason. */
function ask(worker: Worker, request: TreeWorkerRequest, transfer: TransferListItem[] = []): Promise<TreeWorkerReply> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      outcome();
    };
    const onMessage = (reply: TreeWorkerReply) =>
      settle(() =>
        reply.kind === "error"
          ? reject(new Error(`Building the serial tree failed: ${reply.message}`))
          : resolve(reply),
      );
    const onError = (error: Error) => settle(() => reject(new Error(`A serial tree worker failed: ${error.message}`)));
    const onExit = (code: number) =>
      settle(() => reject(new Error(`A serial tree worker stopped (exit code ${code}) before answering`)));
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    worker.postMessage(request, transfer);
  });
}
