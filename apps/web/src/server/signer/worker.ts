/**
 * One transaction queue per key: the worker that signs, sends and settles an organisation's
 * writes, in the order they were asked for.
 *
 * - **One sender per key.** A worker sends only while it holds the key's lease
 *   (`signer_leases`, renewed at every pass, times from the database). Every state change it makes
 *   (a nonce assigned, a replacement recorded, an outcome) is written in a transaction that locks
 *   the lease row and checks it is still the holder, so once another process has taken an
 *   expired lease over, the old holder can no longer assign a nonce or record anything.
 * - **Nonces in order.** The next nonce is the chain's pending count for the key, or one past
 *   the highest nonce in flight, whichever is larger; the database refuses two writes in flight
 *   with one nonce (`write_requests_nonce_idx`).
 * - **Nothing sent twice, nothing lost.** A signed transaction is recorded before it is
 *   broadcast; a restarted worker broadcasts the recorded bytes again (the same hash), never a
 *   new transaction. A write whose nonce was used by a transaction this server never signed for
 *   it (the key used elsewhere) did not run, and is queued again for a new nonce.
 * - **Simulated before signing.** Each write is estimated against the chain's pending state just
 *   before it is signed: a refusal there is the write's outcome (`refused`, with the plain-words
 *   reason) and uses no nonce. When writes of the key are still in flight, a refusal may only mean
 *   it depends on them (a batch of a product being registered, on a node whose pending state does
 *   not hold them), so the write waits for them to be settled and is tried again.
 * - **Stuck transactions** (not mined `stuckAfterMs` after they were sent) are replaced with the
 *   same nonce and higher fees (at least `feeBumpPercent` more, which nodes require, or the
 *   current estimate); whichever of the transactions is mined settles the write.
 * - **Reverts are outcomes.** A mined revert is recorded with the ledger's reason (the call
 *   simulated again at the block it was mined in) and never retried: the asker decides.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { and, asc, count, desc, eq, max, sql } from "drizzle-orm";
import { keccak256, parseEventLogs, type Hex, type TransactionReceipt } from "viem";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { signerLeases, writeRequests, writeTransactions } from "../db/schema.ts";
import { abiOf, decodeCall, jsonSafe, type ContractCall } from "./calls.ts";
import { explainWithNames, isRefusal } from "./explain.ts";
import type { WriteRow } from "./queue.ts";
import type { OrgSigner } from "./signer.ts";

export interface QueueOptions {
  /** How often the worker looks at its queue and its transactions in flight (a write asked in this process wakes it at once). */
  pollIntervalMs: number;
  /** A transaction not mined this long after it was sent is replaced with higher fees. */
  stuckAfterMs: number;
  /** How long a lease lasts unrenewed: after a crash, another process takes the key over this long after the last pass. */
  leaseMs: number;
  /** At most this many transactions of the key in flight at once. */
  maxInFlight: number;
  /** A replacement pays at least this much more (geth and most nodes require 10 %). */
  feeBumpPercent: number;
  /** A write is confirmed once its block has this many blocks on it, itself included. */
  confirmations: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  pollIntervalMs: 1_000,
  stuckAfterMs: 180_000,
  leaseMs: 30_000,
  maxInFlight: 8,
  feeBumpPercent: 13,
  confirmations: 1,
};

/** PEDIGREE_QUEUE_STUCK_AFTER_SECONDS, _MAX_IN_FLIGHT, _CONFIRMATIONS, _FEE_BUMP_PERCENT, _LEASE_SECONDS. */
export function queueOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): QueueOptions {
  const number = (name: string, fallback: number, min: number, scale = 1): number => {
    const text = env[name];
    if (text === undefined || text.trim() === "") return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) {
      throw new Error(`${name} must be a number of at least ${min} (got '${text}').`);
    }
    return value * scale;
  };
  return {
    pollIntervalMs: DEFAULT_QUEUE_OPTIONS.pollIntervalMs,
    stuckAfterMs: number("PEDIGREE_QUEUE_STUCK_AFTER_SECONDS", DEFAULT_QUEUE_OPTIONS.stuckAfterMs, 1, 1000),
    leaseMs: number("PEDIGREE_QUEUE_LEASE_SECONDS", DEFAULT_QUEUE_OPTIONS.leaseMs, 5, 1000),
    maxInFlight: Math.floor(number("PEDIGREE_QUEUE_MAX_IN_FLIGHT", DEFAULT_QUEUE_OPTIONS.maxInFlight, 1)),
    feeBumpPercent: number("PEDIGREE_QUEUE_FEE_BUMP_PERCENT", DEFAULT_QUEUE_OPTIONS.feeBumpPercent, 10),
    confirmations: Math.floor(number("PEDIGREE_QUEUE_CONFIRMATIONS", DEFAULT_QUEUE_OPTIONS.confirmations, 1)),
  };
}

/** The lease was taken over (it had expired): this worker must stop acting for the key. */
class LeaseLost extends Error {
  override readonly name = "LeaseLost";
}

/** Node answers to a transaction sent again that mean it is already there (or already mined). */
const ALREADY_SENT =
  /already known|known transaction|already imported|already exists|nonce too low|nonce has already been used|already in (the )?mempool/i;

export class KeyWorker {
  readonly signer: OrgSigner;
  /** Who holds the lease while this worker runs: host, process and a random part. */
  readonly holder: string;
  private readonly ctx: AppContext;
  private readonly options: QueueOptions;
  private readonly signerKey: string;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private recovered = false;
  private lastReport: string | undefined;
  /** Whether the last pass held the lease (for tests and the health of the queue). */
  holdsLease = false;

  constructor(ctx: AppContext, signer: OrgSigner, options: Partial<QueueOptions> = {}) {
    this.ctx = ctx;
    this.signer = signer;
    this.signerKey = signer.address.toLowerCase();
    this.options = { ...DEFAULT_QUEUE_OPTIONS, ...options };
    this.holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /**
   * Stops after the pass under way. The lease is given up, so another process may take the key
   * over at once; `releaseLease: false` leaves it to expire, as a crash would.
   */
  async stop(options: { releaseLease?: boolean } = {}): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    if (options.releaseLease !== false && this.holdsLease) {
      await this.ctx.db
        .delete(signerLeases)
        .where(and(this.leaseKey(), eq(signerLeases.holder, this.holder)))
        .catch(() => {});
    }
    this.holdsLease = false;
  }

  /** Looks at the queue now rather than at the next poll (a write was just asked for). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.runOnce();
        this.report(undefined);
      } catch (error) {
        this.report(error);
      }
      if (!this.running) break;
      await this.pause(this.options.pollIntervalMs);
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** A failing pass is logged once per distinct reason, not at every poll. */
  private report(error: unknown): void {
    const text = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    if (text !== undefined && text !== this.lastReport) {
      console.error(`The write queue of ${this.signer.address} waits: ${text}`);
    }
    this.lastReport = text;
  }

  /** One pass: take or renew the lease, then settle what is in flight and send what is queued. */
  async runOnce(): Promise<void> {
    try {
      if (!(await this.takeLease())) {
        this.holdsLease = false;
        this.recovered = false;
        return;
      }
      this.holdsLease = true;
      if (!this.recovered) {
        await this.recover();
        this.recovered = true;
      }
      await this.settle();
      await this.sendQueued();
    } catch (error) {
      if (error instanceof LeaseLost) {
        this.holdsLease = false;
        this.recovered = false;
        return;
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------ the lease

  private leaseKey() {
    return and(eq(signerLeases.chainId, this.ctx.ledger.chainId), eq(signerLeases.signer, this.signerKey));
  }

  private async takeLease(): Promise<boolean> {
    const until = sql`now() + make_interval(secs => ${this.options.leaseMs / 1000})`;
    const rows = await this.ctx.db
      .insert(signerLeases)
      .values({ chainId: this.ctx.ledger.chainId, signer: this.signerKey, holder: this.holder, expiresAt: until })
      .onConflictDoUpdate({
        target: [signerLeases.chainId, signerLeases.signer],
        set: { holder: this.holder, expiresAt: until },
        setWhere: sql`${signerLeases.holder} = ${this.holder} or ${signerLeases.expiresAt} < now()`,
      })
      .returning({ holder: signerLeases.holder });
    return rows.length > 0;
  }

  /** Runs `write` in a transaction that first checks, with the lease row locked, that this worker still holds it. */
  private fenced<T>(write: (tx: Executor) => Promise<T>): Promise<T> {
    return this.ctx.db.transaction(async (tx) => {
      const [lease] = await tx
        .select({ holder: signerLeases.holder, live: sql<boolean>`${signerLeases.expiresAt} > now()` })
        .from(signerLeases)
        .where(this.leaseKey())
        .for("update");
      if (lease === undefined || lease.holder !== this.holder || lease.live !== true) throw new LeaseLost();
      return write(tx);
    });
  }

  // ------------------------------------------------------------------ reading the queue

  private queueOf(status: "queued" | "sent") {
    return and(
      eq(writeRequests.chainId, this.ctx.ledger.chainId),
      eq(writeRequests.signer, this.signerKey),
      eq(writeRequests.status, status),
    );
  }

  private inFlight(): Promise<WriteRow[]> {
    return this.ctx.db.select().from(writeRequests).where(this.queueOf("sent")).orderBy(asc(writeRequests.nonce));
  }

  private transactionsOf(id: number) {
    return this.ctx.db
      .select()
      .from(writeTransactions)
      .where(eq(writeTransactions.requestId, id))
      .orderBy(desc(writeTransactions.sentAt), desc(writeTransactions.hash));
  }

  /** Notes why a write waits (shown as `waitingFor`); informational, so not fenced. */
  private async waiting(id: number, reason: string): Promise<void> {
    await this.ctx.db
      .update(writeRequests)
      .set({ lastError: reason, updatedAt: this.ctx.now() })
      .where(eq(writeRequests.id, id));
  }

  // ------------------------------------------------------------------ the chain

  /** Broadcasts signed bytes; true when the node has them (or already had them). */
  private async broadcast(id: number, raw: Hex): Promise<boolean> {
    try {
      await this.ctx.chain.request({ method: "eth_sendRawTransaction", params: [raw] });
      return true;
    } catch (error) {
      const text = errorText(error);
      if (ALREADY_SENT.test(text)) return true;
      const explained = await explainWithNames(this.ctx, error);
      await this.waiting(id, `The node did not take the transaction: ${explained.message}`);
      return false;
    }
  }

  private async receipt(hash: string): Promise<TransactionReceipt | undefined> {
    try {
      return await this.ctx.chain.getTransactionReceipt({ hash: hash as Hex });
    } catch (error) {
      if ((error as { name?: string }).name === "TransactionReceiptNotFoundError") return undefined;
      throw error;
    }
  }

  private async fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const fees = await this.ctx.chain.estimateFeesPerGas();
    return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
  }

  // ------------------------------------------------------------------ the steps

  /** After a start or a takeover: the recorded transactions in flight go out again, as they are. */
  private async recover(): Promise<void> {
    for (const write of await this.inFlight()) {
      const [latest] = await this.transactionsOf(write.id).limit(1);
      if (latest !== undefined) await this.broadcast(write.id, latest.raw as Hex);
    }
  }

  /** Settles the writes in flight: mined (confirmed or reverted), nonce taken, or stuck. */
  private async settle(): Promise<void> {
    const writes = await this.inFlight();
    if (writes.length === 0) return;
    // Read before the receipts: a transaction of ours mined at a nonce below this count has a
    // receipt by the time we look, so "no receipt and nonce used" can only mean another transaction.
    const minedCount = await this.ctx.chain.getTransactionCount({ address: this.signer.address, blockTag: "latest" });
    const head = this.options.confirmations > 1 ? await this.ctx.chain.getBlockNumber() : undefined;
    for (const write of writes) {
      const transactions = await this.transactionsOf(write.id);
      let receipt: TransactionReceipt | undefined;
      for (const transaction of transactions) {
        receipt = await this.receipt(transaction.hash);
        if (receipt !== undefined) break;
      }
      if (receipt !== undefined) {
        if (head !== undefined && head - receipt.blockNumber + 1n < BigInt(this.options.confirmations)) continue;
        await this.complete(write, receipt);
        continue;
      }
      if (write.nonce !== null && write.nonce < minedCount) {
        await this.requeue(write);
        continue;
      }
      const latest = transactions[0];
      if (latest !== undefined && this.ctx.now().getTime() - latest.sentAt.getTime() >= this.options.stuckAfterMs) {
        await this.bump(write, latest);
      }
    }
  }

  private async complete(write: WriteRow, receipt: TransactionReceipt): Promise<void> {
    const call = decodeCall(write);
    const now = this.ctx.now();
    const mined = {
      transactionHash: receipt.transactionHash,
      blockNumber: Number(receipt.blockNumber),
      gasUsed: Number(receipt.gasUsed),
      lastError: null,
      updatedAt: now,
      completedAt: now,
    };
    if (receipt.status === "success") {
      const logs = receipt.logs.filter((log) => log.address.toLowerCase() === write.contract);
      const events = parseEventLogs({ abi: abiOf(write.abi), logs }).map((event) => ({
        event: event.eventName,
        logIndex: event.logIndex,
        args: jsonSafe(event.args),
      }));
      await this.fenced((tx) =>
        tx
          .update(writeRequests)
          .set({ ...mined, status: "confirmed", events })
          .where(and(eq(writeRequests.id, write.id), eq(writeRequests.status, "sent"))),
      );
      return;
    }
    const outcome = await this.explainRevert(call, receipt);
    await this.fenced((tx) =>
      tx
        .update(writeRequests)
        .set({ ...mined, status: "reverted", outcomeCode: outcome.code, outcomeMessage: outcome.message })
        .where(and(eq(writeRequests.id, write.id), eq(writeRequests.status, "sent"))),
    );
  }

  /**
   * Why a mined transaction reverted: the call simulated again after its block (what the ledger
   * says now, e.g. the units already shipped by the write before it), then before it.
   */
  private async explainRevert(
    call: ContractCall,
    receipt: TransactionReceipt,
  ): Promise<{ code: string; message: string }> {
    for (const blockNumber of [receipt.blockNumber, receipt.blockNumber - 1n]) {
      try {
        await this.ctx.chain.simulateContract({
          abi: abiOf(call.abi),
          address: call.address,
          functionName: call.functionName,
          args: call.args,
          account: this.signer.address,
          blockNumber,
        } as never);
      } catch (error) {
        const explained = await explainWithNames(this.ctx, error);
        if (isRefusal(explained.code)) return explained;
      }
    }
    return {
      code: "TRANSACTION_REVERTED",
      message:
        `The ledger refused the transaction once it was mined (block ${receipt.blockNumber}), although its simulation passed: ` +
        "the ledger's state changed in between. Nothing was recorded; check the current state and ask again if the write still applies.",
    };
  }

  /** The write's nonce was used by another transaction of the key: it did not run, so it waits for a new nonce. */
  private async requeue(write: WriteRow): Promise<void> {
    await this.fenced((tx) =>
      tx
        .update(writeRequests)
        .set({
          status: "queued",
          nonce: null,
          transactionHash: null,
          lastError:
            `Nonce ${write.nonce} of ${this.signer.address} was used by a transaction this server did not sign for this write ` +
            "(is the key used elsewhere?). The write did not run; it is sent again with a new nonce.",
          updatedAt: this.ctx.now(),
        })
        .where(and(eq(writeRequests.id, write.id), eq(writeRequests.status, "sent"))),
    );
  }

  /** Replaces a stuck transaction: the same nonce, gas and call, higher fees. */
  private async bump(write: WriteRow, latest: typeof writeTransactions.$inferSelect): Promise<void> {
    const current = await this.fees();
    const percent = BigInt(Math.ceil(this.options.feeBumpPercent));
    const raise = (value: bigint) => value + (value * percent + 99n) / 100n;
    const maxPriorityFeePerGas = bigMax(raise(BigInt(latest.maxPriorityFeePerGas)), current.maxPriorityFeePerGas);
    const maxFeePerGas = bigMax(raise(BigInt(latest.maxFeePerGas)), current.maxFeePerGas, maxPriorityFeePerGas);
    const raw = await this.sign(write, {
      nonce: latest.nonce,
      gas: BigInt(latest.gas),
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    if (raw === undefined) return;
    const hash = keccak256(raw);
    await this.fenced(async (tx) => {
      await tx.insert(writeTransactions).values({
        hash,
        requestId: write.id,
        nonce: latest.nonce,
        maxFeePerGas: maxFeePerGas.toString(),
        maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
        gas: latest.gas,
        raw,
        sentAt: this.ctx.now(),
      });
      await tx
        .update(writeRequests)
        .set({ transactionHash: hash, lastError: null, updatedAt: this.ctx.now() })
        .where(eq(writeRequests.id, write.id));
    });
    await this.broadcast(write.id, raw);
  }

  /** The signed transaction, or undefined (the reason noted on the write) when the signer cannot sign now. */
  private async sign(
    write: WriteRow,
    fields: { nonce: number; gas: bigint; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<Hex | undefined> {
    try {
      return await this.signer.signTransaction({
        chainId: this.ctx.ledger.chainId,
        to: write.contract as Hex,
        data: write.calldata as Hex,
        ...fields,
      });
    } catch (error) {
      await this.waiting(write.id, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  /** Signs and sends the queued writes, oldest first, while fewer than maxInFlight are in flight. */
  private async sendQueued(): Promise<void> {
    const [flying] = await this.ctx.db.select({ n: count() }).from(writeRequests).where(this.queueOf("sent"));
    let inFlight = Number(flying?.n ?? 0);
    for (;;) {
      if (inFlight >= this.options.maxInFlight) return;
      const [write] = await this.ctx.db
        .select()
        .from(writeRequests)
        .where(this.queueOf("queued"))
        .orderBy(asc(writeRequests.id))
        .limit(1);
      if (write === undefined) return;
      const call = decodeCall(write);
      let gas: bigint;
      try {
        gas = await this.ctx.chain.estimateContractGas({
          abi: abiOf(call.abi),
          address: call.address,
          functionName: call.functionName,
          args: call.args,
          account: this.signer.address,
          // Against the pending state where the node keeps one (it then counts this key's writes in
          // flight); a node that answers for the latest block instead is why a refusal waits below.
          blockTag: "pending",
        } as never);
      } catch (error) {
        const explained = await explainWithNames(this.ctx, error);
        if (!isRefusal(explained.code)) {
          await this.waiting(write.id, explained.message);
          return;
        }
        // It may depend on a write still in flight: its turn comes again once they are settled.
        if (inFlight > 0) return;
        await this.fenced((tx) =>
          tx
            .update(writeRequests)
            .set({
              status: "refused",
              outcomeCode: explained.code,
              outcomeMessage: explained.message,
              lastError: null,
              updatedAt: this.ctx.now(),
              completedAt: this.ctx.now(),
            })
            .where(and(eq(writeRequests.id, write.id), eq(writeRequests.status, "queued"))),
        );
        continue;
      }
      const fees = await this.fees();
      const pending = await this.ctx.chain.getTransactionCount({ address: this.signer.address, blockTag: "pending" });
      const [highest] = await this.ctx.db
        .select({ nonce: max(writeRequests.nonce) })
        .from(writeRequests)
        .where(this.queueOf("sent"));
      const nonce = Math.max(pending, highest?.nonce === null || highest?.nonce === undefined ? 0 : highest.nonce + 1);
      // The estimate is for the ledger as it is now; writes ahead of this one in the same block may warm or
      // change what it touches, so it gets a quarter more (unused gas is not paid for).
      const gasLimit = gas + gas / 4n;
      const raw = await this.sign(write, { nonce, gas: gasLimit, ...fees });
      if (raw === undefined) return;
      const hash = keccak256(raw);
      const recorded = await this.fenced(async (tx) => {
        const updated = await tx
          .update(writeRequests)
          .set({ status: "sent", nonce, transactionHash: hash, lastError: null, updatedAt: this.ctx.now() })
          .where(and(eq(writeRequests.id, write.id), eq(writeRequests.status, "queued")))
          .returning({ id: writeRequests.id });
        if (updated.length === 0) return false;
        await tx.insert(writeTransactions).values({
          hash,
          requestId: write.id,
          nonce,
          maxFeePerGas: fees.maxFeePerGas.toString(),
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
          gas: gasLimit.toString(),
          raw,
          sentAt: this.ctx.now(),
        });
        return true;
      });
      if (!recorded) continue;
      await this.broadcast(write.id, raw);
      inFlight += 1;
    }
  }
}

function bigMax(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b));
}

/** Every message in an error's cause chain (viem nests the node's words a few levels down). */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === "object"; depth++) {
    const e = current as { message?: string; details?: string; shortMessage?: string; cause?: unknown };
    parts.push(e.message ?? "", e.details ?? "", e.shortMessage ?? "");
    current = e.cause;
  }
  return parts.join(" ");
}
