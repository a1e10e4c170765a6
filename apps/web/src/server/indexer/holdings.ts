/**
 * Changes to `holdings` (how many packs of a batch each party holds) collected over a step and
 * written as deltas: deltas add up in any order, so neither projection has to read a holding
 * before changing it, and the main projection (a registration's packs) and the custody one (the
 * package-level ledger's moves) can both change the same row in one step.
 */
import { sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { holdings } from "../db/schema.ts";
import { chunks } from "./event-args.ts";

interface HoldingDelta {
  batchId: string;
  holder: string;
  units: number;
  quarantined: number;
}

export class HoldingDeltas {
  readonly #deltas = new Map<string, HoldingDelta>();

  /** `units` more packs of `batchId` for `holder` (negative: fewer), `quarantined` of them quarantined. */
  add(batchId: string, holder: string, units: number, quarantined = 0): void {
    const key = `${batchId}|${holder}`;
    const delta = this.#deltas.get(key);
    if (delta === undefined) this.#deltas.set(key, { batchId, holder, units, quarantined });
    else {
      delta.units += units;
      delta.quarantined += quarantined;
    }
  }

  async write(tx: Executor): Promise<void> {
    const deltas = [...this.#deltas.values()].filter((delta) => delta.units !== 0 || delta.quarantined !== 0);
    for (const rows of chunks(deltas)) {
      await tx
        .insert(holdings)
        .values(rows)
        .onConflictDoUpdate({
          target: [holdings.batchId, holdings.holder],
          set: {
            units: sql`${holdings.units} + excluded.units`,
            quarantined: sql`${holdings.quarantined} + excluded.quarantined`,
          },
        });
    }
    // Only a holding that went down can have reached zero; holdings keep no empty rows.
    const decreased = deltas.filter((delta) => delta.units < 0);
    for (const rows of chunks(decreased)) {
      const keys = sql.join(
        rows.map((row) => sql`(${row.batchId}::text, ${row.holder}::text)`),
        sql`, `,
      );
      await tx.execute(sql`delete from holdings where units = 0 and (batch_id, holder) in (${keys})`);
    }
  }
}
