/**
 * What the VRS responder keeps: the API credentials manufacturers issue to trading partners (only
 * each token's SHA-256, as sessions are kept), and the log of every request with its answer.
 */
import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import { selectRows } from "../db/database.ts";
import { vrsCredentials, vrsRequests } from "../db/schema.ts";
import { hashToken } from "../auth/siwe.ts";
import type { CredentialView, VrsRequestView } from "../../lib/api/vrs.ts";
import type { RawVrsRequest } from "./request.ts";

export type { CredentialView, VrsRequestView };

/** Tokens start with this, so a leaked one is recognisable (and told apart from a JWT presentation). */
export const CREDENTIAL_PREFIX = "pvrs_";

export interface IssuedCredential extends CredentialView {
  /** Shown once: only its hash is stored. */
  token: string;
}

function view(row: typeof vrsCredentials.$inferSelect): CredentialView {
  return {
    id: row.id,
    partnerGln: row.partnerGln,
    label: row.label,
    issuedAt: row.issuedAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export async function issueCredential(
  ctx: AppContext,
  manufacturer: string,
  partnerGln: string,
  label: string,
): Promise<IssuedCredential> {
  const token = CREDENTIAL_PREFIX + randomBytes(32).toString("base64url");
  const [row] = await ctx.db
    .insert(vrsCredentials)
    .values({ manufacturer: manufacturer.toLowerCase(), partnerGln, label, tokenHash: hashToken(token) })
    .returning();
  return { ...view(row!), token };
}

export async function listCredentials(ctx: AppContext, manufacturer: string): Promise<CredentialView[]> {
  const rows = await ctx.db
    .select()
    .from(vrsCredentials)
    .where(eq(vrsCredentials.manufacturer, manufacturer.toLowerCase()))
    .orderBy(desc(vrsCredentials.id));
  return rows.map(view);
}

/** Revokes the manufacturer's credential `id`; undefined when it has none such. Revoking twice keeps the first time. */
export async function revokeCredential(
  ctx: AppContext,
  manufacturer: string,
  id: number,
): Promise<CredentialView | undefined> {
  const owned = and(eq(vrsCredentials.id, id), eq(vrsCredentials.manufacturer, manufacturer.toLowerCase()));
  await ctx.db
    .update(vrsCredentials)
    .set({ revokedAt: ctx.now() })
    .where(and(owned, isNull(vrsCredentials.revokedAt)));
  const [row] = await ctx.db.select().from(vrsCredentials).where(owned);
  return row === undefined ? undefined : view(row);
}

/** What one query tells the responder before it checks anything on the pack. */
export interface RequestFacts {
  credential: { id: number; manufacturer: string; partnerGln: string; revoked: boolean } | null;
  /** The GTIN's product in the read model: its manufacturer and that manufacturer's GLN. */
  product: { manufacturer: string; gln: string | null } | null;
  /**
   * An investigation closed an alert on this GTIN and serial as FALSIFIED, or ended a quarantine of
   * the pack as illegitimate on the ledger (the finding's alert names it).
   */
  falsified: boolean;
}

/**
 * The credential a token names, the GTIN's manufacturer and whether the pack was found falsified: one
 * prepared statement, one round trip.
 */
export async function requestFacts(
  ctx: AppContext,
  token: string | undefined,
  gtin: string | undefined,
  serial: string | undefined,
): Promise<RequestFacts> {
  const tokenHash = token === undefined ? "" : hashToken(token);
  const [row] = await selectRows<{
    credential: { id: number; manufacturer: string; partnerGln: string; revokedAt: string | null } | null;
    product: { manufacturer: string; gln: string | null } | null;
    falsified: boolean;
  }>(
    ctx.db,
    sql`select
      (select json_build_object('id', c.id, 'manufacturer', c.manufacturer, 'partnerGln', c.partner_gln,
              'revokedAt', c.revoked_at)
         from vrs_credentials c where c.token_hash = ${tokenHash}) as credential,
      (select json_build_object('manufacturer', p.manufacturer, 'gln', pa.gln)
         from products p left join participants pa on pa.address = p.manufacturer
        where p.gtin = ${gtin ?? ""}) as product,
      (exists (select 1 from alerts a where a.gtin = ${gtin ?? ""} and a.serial = ${serial ?? ""}
                  and a.root_cause = 'FALSIFIED')
        or exists (select 1 from alert_packs p join alerts a on a.id = p.alert_id
                    where p.serial = ${serial ?? ""} and a.gtin = ${gtin ?? ""})) as falsified`,
  );
  const credential = row?.credential ?? null;
  return {
    credential:
      credential === null
        ? null
        : {
            id: credential.id,
            manufacturer: credential.manufacturer,
            partnerGln: credential.partnerGln,
            revoked: credential.revokedAt !== null,
          },
    product: row?.product ?? null,
    falsified: row?.falsified === true,
  };
}

export interface LogEntry {
  endpoint: "verify" | "checkConnectivity";
  manufacturer: string | null;
  authMethod: "none" | "api-credential" | "atp-presentation";
  credentialId: number | null;
  holder: string | null;
  request: RawVrsRequest;
  status: number;
  verified: boolean | null;
  failureReason: string | null;
  additionalInfo: string | null;
  errorCode: string | null;
  verdict: string | null;
  answer: unknown;
  durationMs: number;
}

/**
 * Writes one request and its answer, resolving once it is stored. Entries are written by group
 * commit: while one insert runs, the entries that arrive wait and go together in the next (one
 * multi-row insert, one transaction), since an insert a request cost about as much as the check
 * itself on PGlite under load (9.5 ms against 8.4, 16 requests in flight). A log that cannot be
 * written is reported, never the partner's problem.
 */
export function logRequest(ctx: AppContext, entry: LogEntry): Promise<void> {
  let writer = logWriters.get(ctx.db);
  if (writer === undefined) {
    writer = new LogWriter(ctx);
    logWriters.set(ctx.db, writer);
  }
  return writer.add(rowOf(ctx, entry));
}

type LogRow = typeof vrsRequests.$inferInsert;

function rowOf(ctx: AppContext, entry: LogEntry): LogRow {
  const r = entry.request;
  return {
    at: ctx.now(),
    endpoint: entry.endpoint,
    manufacturer: entry.manufacturer,
    requesterGln: r.reqGLN ?? null,
    authMethod: entry.authMethod,
    credentialId: entry.credentialId,
    holder: entry.holder,
    gtin: r.gtin ?? null,
    lot: r.lot ?? null,
    serial: r.serial ?? null,
    expiry: r.exp ?? null,
    context: r.context ?? null,
    corrUuid: r.corrUUID ?? null,
    ctrlPossessAtt: r.ctrlPossessAtt ?? null,
    email: r.email ?? null,
    telephone: r.telephone ?? null,
    status: entry.status,
    verified: entry.verified,
    failureReason: entry.failureReason,
    additionalInfo: entry.additionalInfo,
    errorCode: entry.errorCode,
    verdict: entry.verdict,
    answer: entry.answer,
    durationMs: Math.round(entry.durationMs),
  };
}

/** The most rows one insert takes (PostgreSQL's 65,535 parameters, at 24 a row). */
const MAX_ROWS_PER_INSERT = 1_000;

class LogWriter {
  private queue: { row: LogRow; done: () => void }[] = [];
  private writing = false;
  private readonly ctx: AppContext;
  constructor(ctx: AppContext) {
    this.ctx = ctx;
  }

  add(row: LogRow): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ row, done });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_ROWS_PER_INSERT);
      try {
        await this.ctx.db.insert(vrsRequests).values(batch.map((entry) => entry.row));
      } catch (error) {
        console.error(
          `${batch.length} VRS request(s) could not be logged:`,
          error instanceof Error ? error.message : error,
        );
      }
      for (const entry of batch) entry.done();
    }
    this.writing = false;
  }
}

const logWriters = new WeakMap<object, LogWriter>();

/** The newest requests about `manufacturer`'s GTINs (every request for a regulator: `undefined`), older than `before`. */
export async function listRequests(
  ctx: AppContext,
  manufacturer: string | undefined,
  options: { perPage: number; before?: number },
): Promise<VrsRequestView[]> {
  const conditions = [
    ...(manufacturer === undefined ? [] : [eq(vrsRequests.manufacturer, manufacturer.toLowerCase())]),
    ...(options.before === undefined ? [] : [lt(vrsRequests.id, options.before)]),
  ];
  const rows = await ctx.db
    .select()
    .from(vrsRequests)
    .where(conditions.length === 0 ? undefined : and(...conditions))
    .orderBy(desc(vrsRequests.id))
    .limit(options.perPage);
  return rows.map(({ corrUuid, at, manufacturer: _manufacturer, ...row }) => ({
    ...row,
    corrUUID: corrUuid,
    at: at.toISOString(),
  }));
}
