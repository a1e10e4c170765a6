/**
 * A pack's trace (issue 13, DSCSA: which packages a trading partner received from whom and
 * shipped to whom): `GET /api/packs/<gtin>/<serial>/trace[?lot=]`, every event of the pack and of
 * the units it was inside while it was inside them (./custody.ts), and where it is now.
 *
 * Who sees it (DESIGN.md, "Who may see what"): a regulator and the batch's manufacturer see the
 * whole trace; another participant sees it only when it took part in the pack's custody, and then
 * the batch's own events and the steps it took part in (sent, received, held), not its partners'
 * dealings with others. Anyone else gets the 404 of a serial that does not exist, so the answer
 * cannot tell a participant whether a guessed serial is real.
 */
import { and, eq, or } from "drizzle-orm";
import { isCset82 } from "@pedigree/gs1";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { batches, events, indexerCursor, manifestSerials, type StoredEventArg } from "../db/schema.ts";
import { findSerialLots } from "../manifests/store.ts";
import { seesEverything, type Viewer } from "./access.ts";
import { packTracePositions, packWhereabouts, type Whereabouts } from "./custody.ts";
import { checkLot, normaliseGtin } from "./input.ts";

export interface PackTraceEvent {
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  /** Unix seconds of the block. */
  timestamp: number;
  name: string;
  args: Record<string, StoredEventArg>;
}

export interface PackTrace {
  gtin: string;
  lot: string;
  serial: string;
  batchId: string;
  /** The pack's position in its batch's serial list: what the ledger names it by. */
  index: number;
  /** Where the pack is, at the block the read model has reached (null: not the viewer's to know). */
  whereabouts: Whereabouts | null;
  /** The newest block the read model has applied. */
  indexedBlock: number | null;
  /** Every event of the pack's history the viewer may see, in chain order. */
  events: PackTraceEvent[];
  /** True when events of others were left out (the viewer sees its own part only). */
  partial: boolean;
}

/** Address-valued arguments of the custody events: who acted and with whom. */
const PARTY_ARGS = ["by", "to", "manufacturer", "counterparty"] as const;

function partiesOf(event: PackTraceEvent): string[] {
  return PARTY_ARGS.map((key) => event.args[key]).filter((value): value is string => typeof value === "string");
}

export async function packTrace(
  ctx: AppContext,
  viewer: Viewer,
  path: { gtin: string; serial: string },
  lotParameter: string | null,
): Promise<PackTrace> {
  const gtin = normaliseGtin(path.gtin);
  const serial = path.serial;
  if (serial.length === 0 || serial.length > 20 || !isCset82(serial)) {
    throw new ApiError(
      400,
      "INVALID_SERIAL",
      "The serial (AI 21) must be 1 to 20 characters of GS1's character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_).",
    );
  }
  const lot = lotParameter === null ? null : checkLot(lotParameter);
  let lots = await findSerialLots(ctx.db, { gtin, serial });
  if (lot !== null) lots = lots.filter((found) => found.lot === lot);
  // Told to anyone who may not see the trace too: a different answer for a real serial would let a
  // signed-in participant test guessed serials against the secret lists.
  const unknownPack = new ApiError(
    404,
    "UNKNOWN_PACK",
    `No serial list on this server holds serial ${serial} of GTIN ${gtin}${lot === null ? "" : ` lot ${lot}`}` +
      ` that you may trace: only the parties that had a pack in custody, its manufacturer and regulators see its trace.`,
  );
  // Only the lots this viewer may trace count: naming the others (in a 409 that lists lots) would
  // tell it that the serial is real in them.
  const traces: PackTrace[] = [];
  for (const found of lots) {
    const trace = await traceIfAllowed(ctx, viewer, { gtin, serial, ...found });
    if (trace !== null) traces.push(trace);
  }
  if (traces.length === 0) throw unknownPack;
  if (traces.length > 1) {
    throw new ApiError(
      409,
      "AMBIGUOUS_SERIAL",
      `Serial ${serial} of GTIN ${gtin} is in the lists of lots ${traces.map((trace) => trace.lot).join(", ")}: add ?lot=.`,
    );
  }
  return traces[0]!;
}

/** The pack's trace as `viewer` may see it, or null when it may not see it at all. */
async function traceIfAllowed(
  ctx: AppContext,
  viewer: Viewer,
  pack: { gtin: string; serial: string; lot: string; batchId: string },
): Promise<PackTrace | null> {
  const { gtin, serial, lot, batchId } = pack;
  const [batch] = await ctx.db
    .select({ manufacturer: batches.manufacturer })
    .from(batches)
    .where(eq(batches.batchId, batchId));
  const index = await packIndex(ctx, batchId, serial);
  if (batch === undefined || index === undefined) {
    // A list uploaded before the indexer saw its batch: nobody took part yet, only regulators may know.
    if (!seesEverything(viewer)) return null;
    throw new ApiError(404, "UNKNOWN_PACK", `The ledger has no batch ${gtin} lot ${lot} indexed yet.`);
  }

  const positions = await packTracePositions(ctx.db, batchId, index);
  const rows =
    positions.length === 0
      ? []
      : await ctx.db
          .select({
            blockNumber: events.blockNumber,
            logIndex: events.logIndex,
            transactionHash: events.transactionHash,
            timestamp: events.timestamp,
            name: events.name,
            args: events.args,
          })
          .from(events)
          .where(or(...positions.map(([block, log]) => and(eq(events.blockNumber, block), eq(events.logIndex, log)))))
          .orderBy(events.blockNumber, events.logIndex);
  const whereabouts = (await packWhereabouts(ctx.db, batchId, index)) ?? null;
  const me = viewer.address.toLowerCase();
  const whole = seesEverything(viewer) || batch.manufacturer === me;
  const tookPart = rows.some((event) => partiesOf(event).includes(me));
  const holdsIt = whereabouts !== null && (whereabouts.party === me || whereabouts.recipient === me);
  if (!whole && !tookPart && !holdsIt) return null;
  const shown = whole ? rows : rows.filter((event) => event.name.startsWith("Batch") || partiesOf(event).includes(me));
  const [cursor] = await ctx.db
    .select({ blockNumber: indexerCursor.blockNumber })
    .from(indexerCursor)
    .where(eq(indexerCursor.contract, ctx.ledger.address.toLowerCase()));
  return {
    gtin,
    lot,
    serial,
    batchId,
    index,
    whereabouts: whole || holdsIt ? whereabouts : null,
    indexedBlock: cursor?.blockNumber ?? null,
    events: shown,
    partial: shown.length < rows.length,
  };
}

async function packIndex(ctx: AppContext, batchId: string, serial: string): Promise<number | undefined> {
  const [row] = await ctx.db
    .select({ index: manifestSerials.index })
    .from(manifestSerials)
    .where(and(eq(manifestSerials.batchId, batchId), eq(manifestSerials.serial, serial)));
  return row?.index;
}
