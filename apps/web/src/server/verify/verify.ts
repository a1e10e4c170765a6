/**
 * Verification of one pack code: what a patient's phone or a pharmacy's scanner gets back.
 *
 * The code is parsed in any of its forms; the sources are read (./sources.ts); `decideVerdict`
 * (@pedigree/ledger) decides; the answer is shaped for its audience (./answer.ts).
 *
 * Honesty rules: a source that cannot be read gives UNAVAILABLE (HTTP 503), never a counterfeit
 * verdict; a batch whose serial list is not on this server gives UNAVAILABLE too, since the chain
 * alone cannot prove a serial. A scan changes nothing on chain. A potential falsification (unknown
 * product or serial, a mismatch, an inactive pack scanned to dispense) is recorded in the alerts
 * table only when a signed-in participant scanned (anonymous scans raise nothing, so nobody can
 * flood the regulator's list), with only what an investigator needs: the code's identifiers, the
 * verdict, the block and the party; a rescan of the same pack by the same party adds to its alert
 * not yet closed instead of raising another.
 */
import { sql } from "drizzle-orm";
import { parseGs1 } from "@pedigree/gs1";
import { decideVerdict } from "@pedigree/ledger";
import type { Address, Hex } from "viem";
import type { TimelineEntry, VerifyResponse } from "../../lib/api-types.ts";
import type { AppContext } from "../context.ts";
import type { SerialLookup } from "../manifests/store.ts";
import { batchEventRows, timelineOf } from "../read/timeline.ts";
import { answerOf, forAudience, NOT_READ, unavailableAnswer, type VerifyPurpose } from "./answer.ts";
import { maxLagSeconds } from "./read-model.ts";
import {
  findingsOf,
  NOT_READ_CHAIN,
  NOT_READ_MANIFEST,
  readSources,
  type Readings,
  type VerificationSource,
} from "./sources.ts";
import { alertDetail } from "./words.ts";

export interface VerifyOptions {
  /** "dispense" when a pharmacy scans a pack to hand it out: an inactive pack then raises an alert. Default "verify". */
  purpose?: VerifyPurpose;
  /** Add the custody timeline of the pack's batch (and this pack's own events): participants only. */
  history?: boolean;
  /**
   * The signed-in participant that scanned. Without one the answer is the public's (see
   * forAudience) and no alert is raised.
   */
  reportedBy?: Address;
  /** Where this server answers Digital Link URIs (e.g. "https://pedigree.example"); default GS1's resolver. */
  digitalLinkBase?: string;
  /** "typed" when a person typed the code: a code that matches nothing is then a typing error to point out, not an alert. */
  entry?: CodeEntry;
  /** The longest the check may take before it answers UNAVAILABLE (default CHECK_DEADLINE_MS). */
  deadlineMs?: number;
  /**
   * Read the ledger's state from this source whatever the purpose and the read model's lag (the
   * differential test compares both). Default: the chain for a check before dispensing or while
   * the read model lags more than PEDIGREE_MAX_LAG, else the read model.
   */
  source?: VerificationSource;
}

/**
 * The longest a check takes. Each source has its own limits (the chain client's timeout and one
 * retry, the database's connect timeout), but a query lost on a dropped connection can wait
 * forever; past this the person gets UNAVAILABLE, and the check's admission slot is freed.
 */
export const CHECK_DEADLINE_MS = 8_000;

export interface VerifyResult {
  /** 200 for every answer about the pack; 503 when a source could not be read (UNAVAILABLE). */
  status: number;
  body: VerifyResponse;
}

export async function verifyCode(ctx: AppContext, code: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const deadlineMs = options.deadlineMs ?? CHECK_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<VerifyResult>((resolve) => {
    timer = setTimeout(() => {
      const reason = `the check did not finish within ${deadlineMs / 1000} s (the database or the chain is not answering)`;
      resolve({ status: 503, body: unavailableAnswer(ctx.now(), options.purpose ?? "verify", reason) });
    }, deadlineMs);
  });
  try {
    const result = await Promise.race([check(ctx, code, options), late]);
    return { ...result, body: forAudience(result.body, options.reportedBy === undefined ? "public" : "participant") };
  } finally {
    clearTimeout(timer);
  }
}

async function check(ctx: AppContext, code: string, options: VerifyOptions): Promise<VerifyResult> {
  const purpose = options.purpose ?? "verify";
  const now = ctx.now();
  const parsed = parseGs1(code, { now });
  if (!parsed.ok || parsed.value.gtin === undefined || parsed.value.serial === undefined) {
    // decideVerdict refuses such a code before looking at any source.
    const decision = decideVerdict({ code: parsed, chain: NOT_READ_CHAIN, manifest: NOT_READ_MANIFEST, now, purpose });
    return { status: 200, body: answerOf(decision, parsed, purpose, now, NOT_READ, undefined, options) };
  }
  const label = { ...parsed.value, gtin: parsed.value.gtin, serial: parsed.value.serial };
  const readings = await readSources(ctx, label, {
    latest: purpose === "dispense",
    maxLagSeconds: maxLagSeconds(),
    ...(options.source === undefined ? {} : { force: options.source }),
  });
  const decision = decideVerdict({ code: parsed, chain: readings.chain, manifest: readings.manifest, now, purpose });
  const body = answerOf(decision, parsed, purpose, now, readings, findingsOf(readings), options);
  const participant = options.reportedBy !== undefined;
  if (participant && options.history === true && readings.batchId !== undefined && readings.batchRow !== undefined) {
    body.history = await packHistory(ctx, readings.batchId, readings.lookup, label.serial).catch(() => undefined);
  }
  body.alert = decision.alert && participant && !explainedWithoutFalsification(body, options);
  if (body.alert) await raiseAlert(ctx, body, purpose, readings, options.reportedBy!);
  const status = decision.verdict === "UNAVAILABLE" && readings.sourceDown ? 503 : 200;
  return { status, body };
}

/**
 * The batch's custody timeline, with this pack's own events but not the other packs'. They name
 * the pack by the serial the caller holds.
 */
async function packHistory(
  ctx: AppContext,
  batchId: Hex,
  lookup: SerialLookup | undefined,
  serial: string,
): Promise<TimelineEntry[]> {
  const index = lookup?.status === "found" ? String(lookup.index) : undefined;
  const rows = (await batchEventRows(ctx.db, batchId)).filter(
    (row) => !row.name.startsWith("Pack") || (index !== undefined && String(row.args.index) === index),
  );
  return timelineOf(ctx.db, rows, new Map(index === undefined ? [] : [[`${batchId}:${index}`, serial]]));
}

export type CodeEntry = "scanned" | "typed";

/** Verdicts that a typing error explains as well as a falsification does. */
const TYPO_VERDICTS = new Set(["UNKNOWN_SERIAL", "UNKNOWN_PRODUCT", "MISMATCH"]);

/**
 * Whether a potential falsification has a plainer explanation, so no alert is raised (the answer
 * still says what is wrong): a typed code that matches nothing (the person is asked to check what
 * they typed), or a pack the scanning party itself took out of circulation (a pharmacy rescanning
 * a pack it dispensed).
 */
function explainedWithoutFalsification(body: VerifyResponse, options: VerifyOptions): boolean {
  if (options.entry === "typed" && TYPO_VERDICTS.has(body.verdict)) return true;
  const by = body.decommissioned?.by?.address;
  return by !== undefined && by === options.reportedBy?.toLowerCase();
}

/**
 * Records the alert, or adds this scan to the alert of the same pack by the same party that is
 * still open or under investigation (the unique index alerts_open_pack_reporter_idx), so a rescan
 * does not fill the list; once that alert is closed, a scan raises a new one.
 */
async function raiseAlert(
  ctx: AppContext,
  body: VerifyResponse,
  purpose: VerifyPurpose,
  readings: Readings,
  reportedBy: Address,
): Promise<void> {
  const message = `${body.headline} ${alertDetail(body)}`.trim();
  try {
    await ctx.db.execute(sql`
      insert into alerts (verdict, purpose, gtin, lot, serial, batch_id, reported_by, message, block_number)
      values (${body.verdict}, ${purpose}, ${body.pack?.gtin ?? null}, ${body.pack?.lot ?? null},
              ${body.pack?.serial ?? null}, ${readings.batchId ?? null}, ${reportedBy.toLowerCase()}, ${message},
              ${readings.blockNumber})
      on conflict (coalesce(gtin, ''), coalesce(lot, ''), coalesce(serial, ''), reported_by)
        where status in ('OPEN', 'INVESTIGATING') and reported_by is not null and source_tx is null
      do update set occurrences = alerts.occurrences + 1, last_seen_at = now()`);
  } catch (error) {
    // The verdict is still the right answer to give; the lost alert is logged for the operator.
    console.error("An alert could not be recorded:", firstLine(error), body.verdict, body.pack);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error";
}
