"use client";
import type { TxPhase } from "@/lib/tx/run.ts";
import { Notice } from "../ui/notice.tsx";
import { shortHash } from "../ui/format.ts";

/**
 * Where a ledger write stands: checking, waiting for the signature (wallet) or in the
 * organisation's queue (server), pending (with its hash), confirmed, or why it failed. The one
 * progress display every write uses, whichever path it took (lib/tx/write-path.ts).
 */
export function TxStatus({
  phase,
  successText,
  testId = "tx-status",
}: {
  phase: TxPhase;
  successText?: string;
  testId?: string;
}) {
  switch (phase.phase) {
    case "idle":
      return null;
    case "checking":
      return (
        <Notice tone="info" testId={testId}>
          <span data-phase="checking">Checking the transaction with the ledger…</span>
        </Notice>
      );
    case "signing":
      return (
        <Notice tone="info" testId={testId}>
          <span data-phase="signing">Waiting for your signature in the wallet…</span>
        </Notice>
      );
    case "queued":
      return (
        <Notice tone="info" testId={testId}>
          <span data-phase="queued" data-write={phase.writeId}>
            Accepted by your organisation&apos;s server, which signs it in turn (write {phase.writeId})
            {phase.waitingFor ? `: ${phase.waitingFor}` : ""}…
          </span>
        </Notice>
      );
    case "pending":
      return (
        <Notice tone="info" testId={testId}>
          <span data-phase="pending">
            Sent; waiting for the chain to confirm transaction <code title={phase.hash}>{shortHash(phase.hash)}</code>…
          </span>
        </Notice>
      );
    case "confirmed":
      return (
        <Notice tone="success" testId={testId} title={successText ?? "Recorded on the ledger."}>
          {/* The block is for programs (tests wait for the indexer to reach it); people get the hash. */}
          <span data-phase="confirmed" data-block={phase.blockNumber.toString()}>
            Transaction <code title={phase.hash}>{shortHash(phase.hash)}</code> confirmed.
          </span>
        </Notice>
      );
    case "failed":
      return (
        <Notice tone="error" testId={testId} title="Not recorded">
          <span data-phase="failed" data-error-name={phase.errorName}>
            {phase.message}
          </span>
        </Notice>
      );
  }
}
