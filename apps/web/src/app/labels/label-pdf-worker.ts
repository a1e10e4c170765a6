/**
 * The worker thread of the labels PDF (label-sheet.ts starts it with the job): each message asks
 * for the next page, which goes back without being copied.
 */
import { parentPort, workerData } from "node:worker_threads";
import { labelPdf, type LabelPdfJob, type LabelPdfReply } from "./label-pdf.ts";

if (parentPort === null) throw new Error("label-pdf-worker.ts runs as a worker thread (see label-sheet.ts)");
const port = parentPort;
const pages = labelPdf(workerData as LabelPdfJob);

port.on("message", () => {
  let reply: LabelPdfReply;
  try {
    const next = pages.next();
    reply = next.done ? { kind: "done" } : { kind: "page", bytes: next.value };
  } catch (error) {
    reply = { kind: "error", message: (error as Error).message };
  }
  port.postMessage(reply, reply.kind === "page" ? [reply.bytes.buffer as ArrayBuffer] : []);
});
