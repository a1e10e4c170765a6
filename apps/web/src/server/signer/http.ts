/**
 * The write API, through the organisation's key (docs/API.md):
 *
 * - POST /api/writes {operation, arguments} with an `Idempotency-Key` header: checked against the
 *   requester's scopes (403 MISSING_SCOPE) and the ledger's rules by simulation (422 with the
 *   ledger's reason in plain words), then queued: 202 with the write and its status URL. The same
 *   key again answers the same write (200, `Idempotent-Replayed: true`), whatever became of it;
 *   the same key with another request is refused (422 IDEMPOTENCY_KEY_REUSED). Receiving a
 *   pharmacy's return whose packs did not all pass verification is refused (409 RETURN_NOT_VERIFIED).
 * - GET /api/writes/<id>: the write, its transaction and its outcome.
 * - GET /api/writes?status=&perPage=&before=: the organisation's writes, newest first.
 *
 * A token reads the writes it asked for; with the `read` scope, every write of its organisation.
 * A person signed in for the organisation reads them all.
 */
import { isAddressEqual, type Address } from "viem";
import { z } from "zod";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { requireContentType } from "../auth/origin.ts";
import { readBodyAs } from "../auth/requestBody.ts";
import { authenticateRequester, requireScope, type Requester } from "../auth/tokens.ts";
import type { AppContext, LedgerKind } from "../context.ts";
import { csvResponse, csvStream, type CsvValue } from "../read/csv.ts";
import { parseQuery } from "../read/input.ts";
import { requireReturnVerified, type Receiving } from "../vrs/returns.ts";
import { abiOf, ledgerAbiName, type CallAbiName } from "./calls.ts";
import { explainWithNames, isRefusal } from "./explain.ts";
import { operationsFor } from "./operations.ts";
import {
  enqueueWrite,
  findByIdempotencyKey,
  getWrite,
  listWrites,
  requestHashOf,
  transactionCounts,
  WRITE_STATUSES,
  writeView,
  type RequesterRef,
  type WriteRow,
  type WriteStatus,
} from "./queue.ts";
import { writeServiceOf } from "./service.ts";
import type { OrgSigner } from "./signer.ts";

/** A write's arguments are small (a shipment of 500 units and 500 packs is under 100 KiB). */
const MAX_BODY_BYTES = 256 * 1024;

const writeBody = z
  .object({
    operation: z.string().min(1).max(64),
    arguments: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

function requesterRef(requester: Requester): RequesterRef {
  return { kind: requester.kind, id: requester.id, label: requester.label };
}

/**
 * The key this server signs with for `organisation`; 403 NO_ORGANISATION_KEY when it holds none
 * (the organisation writes with its wallet, or through its own Pedigree server).
 */
export function requireOrganisationKey(ctx: AppContext, organisation: Address, name: string): OrgSigner {
  const service = writeServiceOf(ctx);
  const signer = service?.signerFor(organisation);
  if (signer !== undefined) return signer;
  const held = service?.addresses ?? [];
  throw new ApiError(
    403,
    "NO_ORGANISATION_KEY",
    `This server does not hold the key of ${name} (${organisation}), so it cannot sign for it: ` +
      (held.length === 0
        ? "it holds no organisation's key (its operator sets PEDIGREE_KEYSTORE or PEDIGREE_SIGNER_URL). "
        : `it signs for ${held.join(", ")}. `) +
      "Write with your wallet, or through your organisation's own Pedigree server.",
  );
}

/** GET /api/signing: whether this server signs for the requester's organisation, and what it may ask for. */
export interface SigningView {
  organisation: Address;
  /** True when this server holds the organisation's key: its writes go through POST /api/writes. */
  signsHere: boolean;
  /** The ledger the deployment runs: the operations' arguments differ between the two. */
  ledger: LedgerKind;
  /** The operations the requester may ask for here (all of them for a person; a token's scopes otherwise); empty when the server holds no key. */
  operations: string[];
  requestedBy: RequesterRef;
}

/**
 * Whether a write of the requester would be signed here: what the dashboard asks before each
 * write, to send it to POST /api/writes or to the person's wallet.
 */
export async function signingResponse(ctx: AppContext, request: Request): Promise<Response> {
  const requester = await authenticateRequester(ctx, request);
  parseQuery(z.object({}).strict(), new URL(request.url).searchParams);
  const signsHere = writeServiceOf(ctx)?.signerFor(requester.organisation) !== undefined;
  const operations = operationsFor(ctx.ledger.kind);
  const view: SigningView = {
    organisation: requester.organisation,
    signsHere,
    ledger: ctx.ledger.kind ?? "count",
    operations: signsHere
      ? Object.keys(operations).filter(
          (name) => requester.scopes === undefined || requester.scopes.has(operations[name]!.scope),
        )
      : [],
    requestedBy: requesterRef(requester),
  };
  return jsonResponse(view);
}

/** The Idempotency-Key header: 1 to 255 visible ASCII characters (a UUID is a good one). */
function idempotencyKeyOf(request: Request): string {
  const key = request.headers.get("idempotency-key");
  if (key === null || key === "") {
    throw new ApiError(
      400,
      "IDEMPOTENCY_KEY_REQUIRED",
      "Send an Idempotency-Key header with each write (a new UUID per write): a request sent again with the same key is answered with the same write, never recorded twice.",
    );
  }
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ApiError(
      400,
      "INVALID_IDEMPOTENCY_KEY",
      "The Idempotency-Key must be 1 to 255 visible ASCII characters (letters, digits, punctuation; a UUID is a good one).",
    );
  }
  return key;
}

async function answer(ctx: AppContext, row: WriteRow, status: number, replayed: boolean): Promise<Response> {
  const counts = await transactionCounts(ctx.db, [row.id]);
  const body = writeView(row, counts.get(row.id) ?? 0);
  return jsonResponse(body, {
    status,
    headers: { location: body.statusUrl, ...(replayed ? { "idempotent-replayed": "true" } : {}) },
  });
}

export async function createWriteResponse(ctx: AppContext, request: Request): Promise<Response> {
  const requester = await authenticateRequester(ctx, request);
  requireContentType(request, ["application/json"], "A write request");
  const idempotencyKey = idempotencyKeyOf(request);
  const body = await readBodyAs(request, writeBody, {
    maxBytes: MAX_BODY_BYTES,
    what: "A write request",
    expected: "Send JSON {operation, arguments}: the operation's name and its arguments.",
  });
  const operations = operationsFor(ctx.ledger.kind);
  const operation = Object.hasOwn(operations, body.operation) ? operations[body.operation] : undefined;
  if (operation === undefined) {
    throw new ApiError(
      400,
      "UNKNOWN_OPERATION",
      `'${body.operation.slice(0, 64)}' is not an operation of this ledger; it has ${Object.keys(operations).join(", ")}.`,
      { details: { operations: Object.keys(operations) } },
    );
  }
  requireScope(requester, operation.scope, operation.what);
  const signer = requireOrganisationKey(ctx, requester.organisation, requester.label);
  const args = operation.arguments.safeParse(body.arguments);
  if (!args.success) {
    throw new ApiError(
      400,
      "INVALID_ARGUMENTS",
      `The arguments of '${body.operation}' are not right: ${args.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join(".") || "arguments"}: ${issue.message}`)
        .join("; ")}.`,
      { details: args.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })) },
    );
  }
  const ref = requesterRef(requester);
  const requestHash = requestHashOf(body.operation, args.data);

  // A request sent again is answered from the record, before anything is checked against the
  // ledger: what was true when it was first asked may no longer be (its units are shipped now).
  const existing = await findByIdempotencyKey(ctx.db, requester.organisation, ref, idempotencyKey);
  if (existing !== undefined) return replay(ctx, existing, requestHash);

  if (body.operation === "receive") {
    // A pharmacy's return goes back on sale only once each of its packs passed verification with
    // its manufacturer (../vrs/returns.ts); rejecting it needs none.
    // On the package-level ledger a partial receipt needs passing answers for what it takes only.
    const receipt = args.data as { shipmentId: string } & Receiving;
    await requireReturnVerified(
      ctx,
      requester.organisation,
      receipt.shipmentId,
      ctx.ledger.kind === "package" ? receipt : undefined,
    );
  }
  const call = await operation.call(ctx, args.data as never);
  const contractCall = {
    abi: ledgerAbiName(ctx.ledger.kind),
    address: ctx.ledger.address,
    functionName: call.functionName,
    args: call.args,
  };
  await simulate(ctx, signer, contractCall);
  const { row, created } = await enqueueWrite(ctx.db, {
    chainId: ctx.ledger.chainId,
    signer: signer.address,
    organisation: requester.organisation,
    requester: ref,
    idempotencyKey,
    requestHash,
    operation: body.operation,
    arguments: args.data,
    call: contractCall,
  });
  if (!created) return replay(ctx, row, requestHash);
  writeServiceOf(ctx)?.wake(signer.address);
  return answer(ctx, row, 202, false);
}

async function replay(ctx: AppContext, row: WriteRow, requestHash: string): Promise<Response> {
  if (row.requestHash !== requestHash) {
    throw new ApiError(
      422,
      "IDEMPOTENCY_KEY_REUSED",
      `This Idempotency-Key was used for another request (write ${row.id}, '${row.operation}'). Use a new key for each write.`,
      { details: { write: row.id, statusUrl: `/api/writes/${row.id}` } },
    );
  }
  return answer(ctx, row, 200, true);
}

/** The ledger's rules, by simulation from the organisation's account: 422 with the reason before anything is queued. */
async function simulate(
  ctx: AppContext,
  signer: OrgSigner,
  call: { abi: CallAbiName; address: Address; functionName: string; args: readonly unknown[] },
): Promise<void> {
  try {
    await ctx.chain.simulateContract({
      abi: abiOf(call.abi),
      address: call.address,
      functionName: call.functionName,
      args: call.args,
      account: signer.address,
      // The ledger as mined, whatever the node keeps pending: the same answer from any node.
      blockTag: "latest",
    } as never);
  } catch (error) {
    const explained = await explainWithNames(ctx, error);
    if (isRefusal(explained.code)) {
      throw new ApiError(422, explained.code, explained.message, { details: { refusedBy: "ledger" } });
    }
    if (explained.code === "CHAIN_UNREACHABLE") {
      throw new ApiError(
        503,
        "LEDGER_UNAVAILABLE",
        "The ledger cannot be reached right now, so the write could not be checked; nothing was queued. Try again in a moment (with the same Idempotency-Key).",
        { headers: { "retry-after": "5" } },
      );
    }
    throw new ApiError(422, explained.code, explained.message);
  }
}

/** Whether the requester may read the write: its organisation's, and for a token without `read`, its own. */
function mayRead(requester: Requester, row: WriteRow): boolean {
  if (!isAddressEqual(row.organisation as Address, requester.organisation)) return false;
  if (requester.scopes === undefined || requester.scopes.has("read")) return true;
  return row.requesterKind === requester.kind && row.requesterId === requester.id;
}

export async function writeResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const requester = await authenticateRequester(ctx, request);
  parseQuery(z.object({}).strict(), new URL(request.url).searchParams);
  const id = /^[1-9]\d{0,14}$/.test(rawId) ? Number(rawId) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new ApiError(400, "INVALID_ID", `A write is named by its number (got '${rawId.slice(0, 40)}').`);
  }
  const row = await getWrite(ctx.db, id);
  // Another organisation's write is "not found", as one that does not exist: ids tell nothing.
  if (row === undefined || !mayRead(requester, row)) {
    throw new ApiError(404, "WRITE_NOT_FOUND", `There is no write number ${id} that you may read.`);
  }
  return answer(ctx, row, 200, false);
}

const listQuery = z
  .object({
    status: z.enum(WRITE_STATUSES as [string, ...string[]]).optional(),
    perPage: z.coerce.number().int().min(1).max(200).default(50),
    before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    format: z.enum(["json", "csv"]).default("json"),
  })
  .strict();

export async function writesResponse(ctx: AppContext, request: Request): Promise<Response> {
  const requester = await authenticateRequester(ctx, request);
  const query = parseQuery(listQuery, new URL(request.url).searchParams);
  const ownOnly = requester.scopes !== undefined && !requester.scopes.has("read");
  const filter = {
    ...(query.status === undefined ? {} : { status: query.status as WriteStatus }),
    ...(ownOnly ? { requester: requesterRef(requester) } : {}),
  };
  if (query.format === "csv") {
    const rows = allWrites(ctx, requester.organisation, {
      ...filter,
      ...(query.before === undefined ? {} : { before: query.before }),
    });
    return csvResponse(
      csvStream(WRITE_AUDIT_COLUMNS, auditRows(ctx, rows)),
      `pedigree-writes-${requester.organisation.toLowerCase()}.csv`,
    );
  }
  const rows = await listWrites(ctx.db, requester.organisation, {
    perPage: query.perPage,
    ...(query.before === undefined ? {} : { before: query.before }),
    ...filter,
  });
  const counts = await transactionCounts(
    ctx.db,
    rows.map((row) => row.id),
  );
  const last = rows.at(-1);
  return jsonResponse({
    writes: rows.map((row) => writeView(row, counts.get(row.id) ?? 0)),
    before: rows.length === query.perPage && last !== undefined ? last.id : null,
  });
}

/** The audit export's columns (docs/API.md, "The audit of writes"): who asked for what, and what became of it. */
const WRITE_AUDIT_COLUMNS = [
  "id",
  "created_at",
  "completed_at",
  "status",
  "operation",
  "requested_by_kind",
  "requested_by_id",
  "requested_by",
  "idempotency_key",
  "contract",
  "function",
  "transaction_hash",
  "nonce",
  "block_number",
  "gas_used",
  "transactions",
  "outcome_code",
  "outcome",
  "arguments",
] as const;

/** Every write of the filter, newest first, read a page at a time so a long history never sits in memory. */
async function* allWrites(
  ctx: AppContext,
  organisation: Address,
  filter: { before?: number; status?: WriteStatus; requester?: RequesterRef },
): AsyncGenerator<WriteRow[]> {
  let before = filter.before;
  for (;;) {
    const page = await listWrites(ctx.db, organisation, {
      ...filter,
      perPage: AUDIT_PAGE,
      ...(before === undefined ? {} : { before }),
    });
    if (page.length > 0) yield page;
    if (page.length < AUDIT_PAGE) return;
    before = page.at(-1)!.id;
  }
}

const AUDIT_PAGE = 500;

async function* auditRows(ctx: AppContext, pages: AsyncIterable<WriteRow[]>): AsyncGenerator<CsvValue[][]> {
  for await (const page of pages) {
    const counts = await transactionCounts(
      ctx.db,
      page.map((row) => row.id),
    );
    yield page.map((row) => {
      const view = writeView(row, counts.get(row.id) ?? 0);
      return [
        view.id,
        view.createdAt,
        view.completedAt,
        view.status,
        view.operation,
        view.requestedBy.kind,
        view.requestedBy.id,
        view.requestedBy.label,
        view.idempotencyKey,
        view.call.contract,
        view.call.functionName,
        view.transaction?.hash,
        view.transaction?.nonce,
        view.transaction?.blockNumber,
        view.transaction?.gasUsed,
        view.transaction?.transactions,
        view.outcome?.code,
        view.outcome?.message,
        JSON.stringify(view.arguments),
      ];
    });
  }
}
