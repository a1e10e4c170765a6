/**
 * Builds a batch's serial list off the page's thread: generated (HMAC serials from a fresh seed)
 * or read from an uploaded CSV, then its Merkle tree. A million serials take seconds; the page
 * stays responsive and shows the phase.
 */
import { buildManifest, generateSerials, parseSerialList } from "@pedigree/ledger";

export type SerialsRequest = { kind: "generate"; count: number; seed: Uint8Array } | { kind: "parse"; text: string };
export type SerialsReply =
  | { type: "progress"; phase: "generating" | "reading" | "tree" }
  | { type: "done"; serials: string[]; root: `0x${string}`; count: number }
  | { type: "error"; message: string; lines?: string[] };

const post = (reply: SerialsReply) => (self as unknown as Worker).postMessage(reply);

self.onmessage = (event: MessageEvent<SerialsRequest>) => {
  try {
    const request = event.data;
    let serials: string[];
    if (request.kind === "generate") {
      post({ type: "progress", phase: "generating" });
      serials = [...generateSerials({ count: request.count, seed: request.seed })];
    } else {
      post({ type: "progress", phase: "reading" });
      const list = parseSerialList(request.text);
      if (!list.ok) {
        post({ type: "error", message: list.message, lines: list.errors.slice(0, 20).map((e) => e.message) });
        return;
      }
      serials = [...list.serials];
    }
    post({ type: "progress", phase: "tree" });
    const manifest = buildManifest(serials);
    post({ type: "done", serials, root: manifest.root, count: manifest.count });
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};
