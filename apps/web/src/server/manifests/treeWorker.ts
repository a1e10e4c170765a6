/**
 * The worker thread of treeBuilder.ts: hashes a part of a serial list's leaves, sorts all the leaf
 * hashes into place in the shared tree, or hashes one subtree of it; buffers go back without
 * being copied.
 */
import { parentPort, type TransferListItem } from "node:worker_threads";
import { hashInnerNodes, placeLeaves, serialLeafHashes } from "@pedigree/ledger";
import type { TreeWorkerReply, TreeWorkerRequest } from "./treeBuilder.ts";

if (parentPort === null) throw new Error("treeWorker.ts runs as a worker thread (see treeBuilder.ts)");
const port = parentPort;

port.on("message", (request: TreeWorkerRequest) => {
  try {
    if (request.kind === "leaves") {
      const leaves = serialLeafHashes(request.serials, request.firstIndex);
      reply({ kind: "leaves", leaves }, [leaves.buffer as ArrayBuffer]);
    } else if (request.kind === "place") {
      const positions = placeLeaves(request.leaves, new Uint8Array(request.nodes));
      reply({ kind: "place", positions }, [positions.buffer as ArrayBuffer]);
    } else {
      hashInnerNodes(new Uint8Array(request.nodes), request.top);
      reply({ kind: "inner" });
    }
  } catch (error) {
    reply({ kind: "error", message: (error as Error).message });
  }
});

function reply(message: TreeWorkerReply, transfer: TransferListItem[] = []): void {
  port.postMessage(message, transfer);
}
