/**
 * The alert an illegitimate finding raises on the package-level ledger. When a quarantine ends
 * ILLEGITIMATE, the chain destroys what it lists: loose packs, and units with everything inside
 * them. The indexer (./custody.ts) raises, in the same transaction as the custody rows, one alert
 * per transaction, batch and holder, and names every destroyed pack of it in `alert_packs` (with
 * its serial where the batch's serial list is stored here), so that the manufacturer, the holder
 * and the regulators see which packs were found illegitimate, and the VRS responder answers them
 * Illegitimate (../vrs/store.ts).
 *
 * Alerts are application data, not derived tables: a rebuild of the read model replays the event
 * and finds its alert there (the unique index alerts_source_idx), and a reorganisation that drops
 * the transaction withdraws the alerts nobody has worked yet (`withdrawOrphanedFindings`).
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { ILLEGITIMATE_VERDICT } from "../../lib/alert-workflow.ts";
import { alertPacks, alerts, batches, products } from "../db/schema.ts";
import { serialsOfPacks } from "../manifests/store.ts";
import { packsInUnitAt, type Position } from "../read/custody.ts";
import { loadParties, partyLabel } from "../read/parties.ts";
import { chunks } from "./event-args.ts";
import type { EventRow } from "./events.ts";

/** What one ILLEGITIMATE end of a quarantine destroyed, as the fold saw it just before. */
export interface IllegitimateFinding {
  event: EventRow;
  /** The party that ended the quarantine. */
  by: string;
  units: { sscc: string; holder: string | null }[];
  packs: { batchId: string; index: number; holder: string | null }[];
}

interface DestroyedPack {
  index: number;
  /** The listed unit it was inside, or null for a loose pack. */
  unit: string | null;
}

/** The purpose an illegitimate finding's alert carries (a scan's is "verify" or "dispense"). */
export const ILLEGITIMATE_PURPOSE = "quarantine";

/**
 * Raises the alerts of `findings`, once each: run after the step's custody rows are written, so
 * that what a unit held just before its event is there to read.
 */
export async function raiseIllegitimateAlerts(tx: Executor, findings: readonly IllegitimateFinding[]): Promise<void> {
  for (const finding of findings) {
    const at: Position = [finding.event.blockNumber, finding.event.logIndex];
    /** Per `${batchId}|${holder}`, the packs destroyed. */
    const groups = new Map<string, { batchId: string; holder: string | null; packs: DestroyedPack[] }>();
    const add = (batchId: string, holder: string | null, pack: DestroyedPack) => {
      const key = `${batchId}|${holder ?? ""}`;
      const group = groups.get(key) ?? { batchId, holder, packs: [] };
      group.packs.push(pack);
      groups.set(key, group);
    };
    for (const unit of finding.units) {
      for (const pack of await packsInUnitAt(tx, unit.sscc, at)) {
        add(pack.batchId, unit.holder, { index: pack.index, unit: unit.sscc });
      }
    }
    for (const pack of finding.packs) add(pack.batchId, pack.holder, { index: pack.index, unit: null });
    if (groups.size === 0) continue;

    const batchIds = [...new Set([...groups.values()].map((g) => g.batchId))];
    const facts = await tx
      .select({ batchId: batches.batchId, gtin: batches.gtin, lot: batches.lot, productName: products.name })
      .from(batches)
      .leftJoin(products, eq(products.gtin, batches.gtin))
      .where(inArray(batches.batchId, batchIds));
    const batchFacts = new Map(facts.map((row) => [row.batchId, row]));
    const party = await loadParties(tx, [finding.by, ...[...groups.values()].map((g) => g.holder)]);
    const indexes = new Map<string, Set<number>>();
    for (const group of groups.values()) {
      const set = indexes.get(group.batchId) ?? new Set<number>();
      for (const pack of group.packs) set.add(pack.index);
      indexes.set(group.batchId, set);
    }
    const serials = await serialsOfPacks(tx, indexes);

    for (const group of groups.values()) {
      const batch = batchFacts.get(group.batchId);
      const serialOf = (index: number) => serials.get(`${group.batchId}:${index}`) ?? null;
      const only = group.packs.length === 1 ? group.packs[0]! : undefined;
      const message = findingMessage({
        by: partyLabel(party(finding.by)),
        holder: group.holder === null ? null : partyLabel(party(group.holder)),
        product: batch?.productName ?? null,
        lot: batch?.lot ?? null,
        packs: group.packs,
        serial: only === undefined ? null : serialOf(only.index),
      });
      const [raised] = await tx
        .insert(alerts)
        .values({
          verdict: ILLEGITIMATE_VERDICT,
          purpose: ILLEGITIMATE_PURPOSE,
          gtin: batch?.gtin ?? null,
          lot: batch?.lot ?? null,
          serial: only === undefined ? null : serialOf(only.index),
          batchId: group.batchId,
          reportedBy: finding.by,
          holder: group.holder,
          message,
          blockNumber: finding.event.blockNumber,
          sourceTx: finding.event.transactionHash,
          raisedAt: new Date(finding.event.timestamp * 1000),
          lastSeenAt: new Date(finding.event.timestamp * 1000),
        })
        .onConflictDoNothing({
          target: [alerts.sourceTx, alerts.batchId, alerts.holder],
          where: sql`${alerts.sourceTx} is not null`,
        })
        .returning({ id: alerts.id });
      // Raised before: a replay of the same event (a rebuild, or the step after a reorganisation).
      if (raised === undefined) continue;
      const rows = group.packs.map((pack) => ({
        alertId: raised.id,
        index: pack.index,
        serial: serialOf(pack.index),
        unit: pack.unit,
      }));
      for (const chunk of chunks(rows)) await tx.insert(alertPacks).values(chunk).onConflictDoNothing();
    }
  }
}

/** The alert's one line: who found what illegitimate, whose stock it was, and where it was. */
export function findingMessage(facts: {
  by: string;
  holder: string | null;
  product: string | null;
  lot: string | null;
  packs: readonly DestroyedPack[];
  serial: string | null;
}): string {
  const { packs } = facts;
  const what =
    packs.length === 1
      ? `1 pack${facts.serial === null ? "" : ` (serial ${facts.serial})`}`
      : `${packs.length.toLocaleString("en-US")} packs`;
  const of = [facts.product, facts.lot === null ? null : `lot ${facts.lot}`].filter((s) => s !== null).join(", ");
  const unitCount = new Map<string, number>();
  let loose = 0;
  for (const pack of packs) {
    if (pack.unit === null) loose++;
    else unitCount.set(pack.unit, (unitCount.get(pack.unit) ?? 0) + 1);
  }
  const where = [
    ...[...unitCount].map(([sscc, n]) => `${n.toLocaleString("en-US")} in unit SSCC ${sscc}`),
    ...(loose === 0 ? [] : [`${loose.toLocaleString("en-US")} loose`]),
  ];
  return (
    `Found illegitimate by ${facts.by} and destroyed: ${what}${of === "" ? "" : ` of ${of}`}` +
    `${facts.holder === null ? "" : `, held by ${facts.holder}`}` +
    `${packs.length > 1 || unitCount.size > 0 ? ` (${where.join("; ")})` : ""}. ` +
    "Tell the trading partners who handled them; the packs are listed in the alert."
  );
}

/**
 * After a reorganisation rolled the events back: the illegitimate findings whose transaction is no
 * longer among the indexed events and that nobody has worked yet are withdrawn. If the transaction
 * is mined again, indexing it raises the alert again.
 */
export async function withdrawOrphanedFindings(tx: Executor): Promise<void> {
  await tx.execute(sql`delete from alerts a
    where a.source_tx is not null and a.status = 'OPEN'
      and not exists (select 1 from alert_history h where h.alert_id = a.id)
      and not exists (select 1 from events e where e.transaction_hash = a.source_tx)`);
}
