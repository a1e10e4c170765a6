/**
 * The server half of the dashboard's one write path (write-path.ts chooses): the write goes to the
 * organisation's own Pedigree server (POST /api/writes, the operation and its plain arguments),
 * which checks it against the ledger, signs it with the organisation's key and sends it in its
 * key's queue; the page follows the write (GET /api/writes/<id>) and reports the same phases as
 * the wallet path: checking, queued, pending with the hash, confirmed in its block, or failed with
 * the server's explanation. Framework-free, so tests drive it against a real chain and server.
 *
 * A refusal or a revert is the outcome, never sent again. Only a request that may not have
 * arrived (the network, a 503) is sent again, with the same Idempotency-Key: the server answers
 * the write it already has, so nothing is recorded twice.
 */
import type { Hash } from "viem";
import type { LedgerWriteResult, TxPhase } from "./run.ts";
import type { CountWrite, PackageWrite } from "./writes.ts";

/** The fields of GET /api/writes/<id> (server/signer/queue.ts, WriteView) the page follows. */
interface WriteAnswer {
  id: number;
  status: "queued" | "sent" | "confirmed" | "reverted" | "refused";
  transaction: { hash: string; blockNumber: number | null } | null;
  outcome: { code: string; message: string } | null;
  waitingFor: string | null;
  statusUrl: string;
}

interface ErrorAnswer {
  error?: { code?: string; message?: string };
}

export interface ServerWriteOptions {
  /** The server's origin (default: this page's). */
  origin?: string;
  /** Tests pass one that carries their session; the page's own sends its cookie. */
  fetch?: typeof fetch;
  /** Between two looks at the write (default 750 ms). */
  intervalMs?: number;
  /** Stop following after this long (default 10 minutes: a stuck transaction is replaced after 3). */
  timeoutMs?: number;
  /** Default a new UUID: one per write. */
  idempotencyKey?: string;
}

/** How many times a request that may not have arrived is sent again (with the same key). */
const SEND_ATTEMPTS = 3;

/** A ledger refusal carries the contract's error name (PedigreeNotHolder...); the server's own codes are upper case. */
const ledgerErrorName = (code: string | undefined) =>
  code !== undefined && /^[A-Z][a-z]/.test(code) ? code : undefined;

export async function runServerWrite(
  write: CountWrite | PackageWrite,
  onPhase: (phase: TxPhase) => void = () => {},
  options: ServerWriteOptions = {},
): Promise<LedgerWriteResult> {
  const fetcher = options.fetch ?? ((input, init) => fetch(input, { credentials: "same-origin", ...init }));
  const origin = options.origin ?? "";
  const interval = options.intervalMs ?? 750;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID();
  const fail = (message: string, errorName?: string, hash?: Hash): LedgerWriteResult => {
    const explanation = { message, ...(errorName ? { errorName } : {}), ...(hash ? { hash } : {}) };
    onPhase({ phase: "failed", ...explanation });
    return { ok: false, ...explanation };
  };

  onPhase({ phase: "checking" });
  let answer: WriteAnswer | undefined;
  for (let attempt = 1; answer === undefined; attempt++) {
    let response: Response;
    try {
      response = await fetcher(`${origin}/api/writes`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
        body: JSON.stringify({ operation: write.operation, arguments: write.arguments }),
      });
    } catch {
      if (attempt < SEND_ATTEMPTS) {
        await sleep(interval * attempt);
        continue;
      }
      return fail(
        "Your organisation's server cannot be reached, so the write may not have been asked for. Check your connection and try again.",
      );
    }
    const body = (await response.json().catch(() => ({}))) as WriteAnswer & ErrorAnswer;
    if (response.ok) {
      answer = body;
      break;
    }
    if (response.status === 503 && attempt < SEND_ATTEMPTS) {
      await sleep(interval * attempt);
      continue;
    }
    // 422 with the ledger's reason, 403 for a missing scope or a key this server does not hold,
    // 401 when the session has ended: the server's words say what is wrong and what to do.
    return fail(
      body.error?.message ?? `Your organisation's server refused the write (HTTP ${response.status}).`,
      ledgerErrorName(body.error?.code),
    );
  }

  let shown = "";
  for (;;) {
    const phase = phaseOf(answer);
    const key = JSON.stringify(phase, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
    if (key !== shown) {
      shown = key;
      if (phase.phase !== "failed") onPhase(phase);
    }
    if (phase.phase === "confirmed") return { ok: true, hash: phase.hash, blockNumber: phase.blockNumber };
    if (phase.phase === "failed") return fail(phase.message, phase.errorName, phase.hash);
    if (Date.now() >= deadline) {
      return fail(
        `Your organisation's server has not confirmed write ${answer.id} yet` +
          (answer.waitingFor ? ` (${answer.waitingFor})` : "") +
          ". It stays in its queue and is never sent twice: look at the page again in a while before asking again.",
        undefined,
        phase.phase === "pending" ? phase.hash : undefined,
      );
    }
    await sleep(interval);
    try {
      const response = await fetcher(`${origin}${answer.statusUrl}`, { cache: "no-store" });
      // A failed look (the server restarting, the network) is looked at again, until the deadline.
      if (response.ok) answer = (await response.json()) as WriteAnswer;
    } catch {
      // as above
    }
  }
}

function phaseOf(write: WriteAnswer): TxPhase {
  const hash = write.transaction?.hash as Hash | undefined;
  switch (write.status) {
    case "queued":
      return { phase: "queued", writeId: write.id, ...(write.waitingFor ? { waitingFor: write.waitingFor } : {}) };
    case "sent":
      return hash === undefined ? { phase: "queued", writeId: write.id } : { phase: "pending", hash };
    case "confirmed":
      // A confirmed write always has its transaction and block; anything less is still on its way.
      return hash !== undefined && write.transaction?.blockNumber != null
        ? { phase: "confirmed", hash, blockNumber: BigInt(write.transaction.blockNumber) }
        : { phase: "queued", writeId: write.id };
    case "reverted":
    case "refused":
      return {
        phase: "failed",
        message: write.outcome?.message ?? "The ledger refused the write; nothing changed on it.",
        ...(ledgerErrorName(write.outcome?.code) ? { errorName: write.outcome!.code } : {}),
        ...(hash ? { hash } : {}),
      };
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
