/**
 * The transaction queue's records (`write_requests`, `write_transactions`): recording a write
 * request with who asked and its idempotency key, finding it again, and its view for the API.
 * The worker of each key (./worker.ts) takes the queued writes in order and settles them.
 */
import { createHash } from "node:crypto";
import { and, count, desc, eq, inArray, lt, type SQL } from "drizzle-orm";
import type { Address } from "viem";
import type { Database } from "../db/database.ts";
import { writeRequests, writeTransactions } from "../db/schema.ts";
import { encodeCall, type ContractCall } from "./calls.ts";

export type WriteStatus = "queued" | "sent" | "confirmed" | "reverted" | "refused";
export const WRITE_STATUSES: readonly WriteStatus[] = ["queued", "sent", "confirmed", "reverted", "refused"];

/**
 * Who asked for a write: a person (today the organisation's own signed-in account; later its
 * staff, signed in with passkeys) or a system (an API token of the organisation).
 */
export interface RequesterRef {
  kind: "person" | "system" | "staff";
  /** The person's address, the token's number, the staff member's id. */
  id: string;
  label: string;
}

export interface NewWrite {
  chainId: number;
  signer: Address;
  organisation: Address;
  requester: RequesterRef;
  idempotencyKey: string;
  requestHash: string;
  operation: string;
  arguments: unknown;
  call: ContractCall;
}

export type WriteRow = typeof writeRequests.$inferSelect;

/** How a write looks through the API (GET /api/writes/<id>). */
export interface WriteView {
  id: number;
  status: WriteStatus;
  operation: string;
  arguments: unknown;
  organisation: string;
  requestedBy: RequesterRef;
  idempotencyKey: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** The contract call it makes. */
  call: { contract: string; functionName: string };
  /** Null until it is signed; `transactions` counts the fee-bumped replacements too. */
  transaction: {
    hash: string;
    nonce: number;
    blockNumber: number | null;
    gasUsed: number | null;
    transactions: number;
  } | null;
  /** A confirmed write's ledger events (bigints as decimal strings): a shipment's id, for one. */
  events: unknown[] | null;
  /** A reverted or refused write: the ledger's reason in plain words. */
  outcome: { code: string; message: string } | null;
  /** What the queue is waiting for, while it waits (the node unreachable, the account without funds...). */
  waitingFor: string | null;
  statusUrl: string;
}

/** SHA-256 of the operation and its arguments in a canonical form (keys sorted): what an idempotency key binds. */
export function requestHashOf(operation: string, args: unknown): string {
  return createHash("sha256")
    .update(canonicalJson({ operation, arguments: args }))
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function idempotencyCondition(organisation: string, requester: RequesterRef, key: string): SQL {
  return and(
    eq(writeRequests.organisation, organisation.toLowerCase()),
    eq(writeRequests.requesterKind, requester.kind),
    eq(writeRequests.requesterId, requester.id),
    eq(writeRequests.idempotencyKey, key),
  ) as SQL;
}

/** The write this requester already asked for under `key`, if any. */
export async function findByIdempotencyKey(
  db: Database,
  organisation: string,
  requester: RequesterRef,
  key: string,
): Promise<WriteRow | undefined> {
  const [row] = await db
    .select()
    .from(writeRequests)
    .where(idempotencyCondition(organisation, requester, key));
  return row;
}

/**
 * Records a write request as queued. Two requests racing with one idempotency key record one
 * write: the loser gets the winner's row (`created: false`) and compares its hash.
 */
export async function enqueueWrite(db: Database, write: NewWrite): Promise<{ row: WriteRow; created: boolean }> {
  const [inserted] = await db
    .insert(writeRequests)
    .values({
      chainId: write.chainId,
      signer: write.signer.toLowerCase(),
      organisation: write.organisation.toLowerCase(),
      requesterKind: write.requester.kind,
      requesterId: write.requester.id,
      requesterLabel: write.requester.label,
      idempotencyKey: write.idempotencyKey,
      requestHash: write.requestHash,
      operation: write.operation,
      arguments: write.arguments,
      abi: write.call.abi,
      contract: write.call.address.toLowerCase(),
      functionName: write.call.functionName,
      calldata: encodeCall(write.call),
    })
    .onConflictDoNothing({
      target: [
        writeRequests.organisation,
        writeRequests.requesterKind,
        writeRequests.requesterId,
        writeRequests.idempotencyKey,
      ],
    })
    .returning();
  if (inserted !== undefined) return { row: inserted, created: true };
  const existing = await findByIdempotencyKey(db, write.organisation, write.requester, write.idempotencyKey);
  if (existing === undefined) throw new Error("A write recorded under this idempotency key vanished; ask again.");
  return { row: existing, created: false };
}

export async function getWrite(db: Database, id: number): Promise<WriteRow | undefined> {
  const [row] = await db.select().from(writeRequests).where(eq(writeRequests.id, id));
  return row;
}

/** An organisation's writes, newest first (a requester's own, when `requester` is given). */
export async function listWrites(
  db: Database,
  organisation: string,
  options: { perPage: number; before?: number; status?: WriteStatus; requester?: RequesterRef },
): Promise<WriteRow[]> {
  const conditions = [
    eq(writeRequests.organisation, organisation.toLowerCase()),
    ...(options.before === undefined ? [] : [lt(writeRequests.id, options.before)]),
    ...(options.status === undefined ? [] : [eq(writeRequests.status, options.status)]),
    ...(options.requester === undefined
      ? []
      : [eq(writeRequests.requesterKind, options.requester.kind), eq(writeRequests.requesterId, options.requester.id)]),
  ];
  return db
    .select()
    .from(writeRequests)
    .where(and(...conditions))
    .orderBy(desc(writeRequests.id))
    .limit(options.perPage);
}

/** How many transactions were signed for each write (the first and its replacements), in one query. */
export async function transactionCounts(db: Database, ids: readonly number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: writeTransactions.requestId, n: count() })
    .from(writeTransactions)
    .where(inArray(writeTransactions.requestId, [...ids]))
    .groupBy(writeTransactions.requestId);
  return new Map(rows.map((row) => [row.id, Number(row.n)]));
}

export function writeView(row: WriteRow, transactions: number): WriteView {
  return {
    id: row.id,
    status: row.status as WriteStatus,
    operation: row.operation,
    arguments: row.arguments,
    organisation: row.organisation,
    requestedBy: { kind: row.requesterKind as RequesterRef["kind"], id: row.requesterId, label: row.requesterLabel },
    idempotencyKey: row.idempotencyKey,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    call: { contract: row.contract, functionName: row.functionName },
    transaction:
      row.transactionHash === null || row.nonce === null
        ? null
        : {
            hash: row.transactionHash,
            nonce: row.nonce,
            blockNumber: row.blockNumber,
            gasUsed: row.gasUsed,
            transactions,
          },
    events: (row.events as unknown[] | null) ?? null,
    outcome:
      row.outcomeCode === null ? null : { code: row.outcomeCode, message: row.outcomeMessage ?? row.outcomeCode },
    waitingFor: row.status === "queued" || row.status === "sent" ? row.lastError : null,
    statusUrl: `/api/writes/${row.id}`,
  };
}
