/**
 * GET /api/ledger: the ledger's own state as the read model has indexed it: whether it is paused,
 * and the latest pause or resumption with who decided it, when, and the reason recorded on chain
 * (LedgerPaused / LedgerUnpaused). The banner of every page says why writes stop; the
 * administrator's page says what it decided last.
 */
import { and, desc, inArray, isNull } from "drizzle-orm";
import type { LedgerStatusResponse } from "../../lib/api/read.ts";
import type { AppContext } from "../context.ts";
import { events } from "../db/schema.ts";
import { loadParties } from "./parties.ts";

export async function ledgerStatus(ctx: AppContext): Promise<LedgerStatusResponse> {
  // These events name no batch: events_batch_name_idx finds the latest without reading the others.
  const [latest] = await ctx.db
    .select({
      name: events.name,
      args: events.args,
      timestamp: events.timestamp,
      transactionHash: events.transactionHash,
    })
    .from(events)
    .where(and(isNull(events.batchId), inArray(events.name, ["LedgerPaused", "LedgerUnpaused"])))
    .orderBy(desc(events.blockNumber), desc(events.logIndex))
    .limit(1);
  if (latest === undefined) return { paused: false, lastChange: null };
  const by = String(latest.args.by);
  const party = await loadParties(ctx.db, [by]);
  const paused = latest.name === "LedgerPaused";
  return {
    paused,
    lastChange: {
      paused,
      reason: String(latest.args.reason),
      by: party(by),
      at: new Date(latest.timestamp * 1000).toISOString(),
      transactionHash: latest.transactionHash,
    },
  };
}
