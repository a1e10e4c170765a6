/**
 * The derived tables as a function of the events: a projection takes events in chain order,
 * folds them in memory, and writes the result in a few multi-row statements (`flush`), so a step
 * of thousands of events costs a handful of round trips.
 *
 * What each event does follows contracts/PedigreeLedger.sol. Units are conserved: a batch's
 * registration puts its pack count at the manufacturer; a shipment takes units from the sender
 * (in transit: the shipment line is PENDING); receiving credits the recipient, rejecting or
 * cancelling credits the sender back; decommissioning a pack takes one unit from the party that
 * decommissioned it, reactivating gives it back to that party.
 *
 * Holdings move by deltas, which add up in any order; every other change is "last event wins"
 * within the step, applied after the rows it changes were inserted.
 */
import { sql, type SQL } from "drizzle-orm";
import {
  glnFromUint64,
  gtinFromUint64,
  packStateName,
  quarantineOutcomeName,
  roleName,
  type BatchStatusName,
} from "@pedigree/ledger";
import type { Executor } from "../db/database.ts";
import { batches, companyPrefixes, events, packStates, participants, products, shipmentLines } from "../db/schema.ts";
import type { LedgerKind } from "../context.ts";
import { CustodyProjection } from "./custody.ts";
import { chunks, integer, text } from "./event-args.ts";
import type { EventRow } from "./events.ts";
import { HoldingDeltas } from "./holdings.ts";

type ParticipantRow = typeof participants.$inferInsert;
type BatchRow = typeof batches.$inferInsert;
type ShipmentLineRow = typeof shipmentLines.$inferInsert;
type PackStateRow = typeof packStates.$inferInsert;

interface BatchStatusChange {
  status: BatchStatusName;
  statusReason: string | null;
  statusBy: string;
  statusAt: number;
}

interface Settlement {
  status: "RECEIVED" | "REJECTED" | "CANCELLED";
  reason: string | null;
  settledBlock: number;
  settledAt: number;
}

const key = (a: string, b: string | number) => `${a}|${b}`;

/** A batch's status after one of its status events (a quarantine found illegitimate recalls it for good). */
function batchStatusAfter(event: EventRow): BatchStatusName {
  switch (event.name) {
    case "BatchRecalled":
      return "RECALLED";
    case "BatchSuspended":
      return "SUSPENDED";
    case "BatchQuarantined":
      return "QUARANTINED";
    case "BatchQuarantineEnded":
      return quarantineOutcomeName(integer(event.args, "outcome", event.name)) === "CLEARED" ? "ACTIVE" : "RECALLED";
    default:
      return "ACTIVE";
  }
}

export class Projection {
  readonly #participantInserts = new Map<string, ParticipantRow>();
  readonly #participantSuspensions = new Map<string, boolean>();
  readonly #prefixInserts: (typeof companyPrefixes.$inferInsert)[] = [];
  readonly #productInserts: (typeof products.$inferInsert)[] = [];
  readonly #batchInserts = new Map<string, BatchRow>();
  readonly #batchStatusChanges = new Map<string, BatchStatusChange>();
  readonly #holdings = new HoldingDeltas();
  readonly #lineInserts = new Map<string, ShipmentLineRow>();
  readonly #settlements = new Map<string, { shipmentId: string; batchId: string } & Settlement>();
  readonly #packStates = new Map<string, PackStateRow>();
  #count = 0;

  /** Events applied since the projection was created. */
  get count(): number {
    return this.#count;
  }

  apply(event: EventRow): void {
    const a = event.args;
    const name = event.name;
    switch (name) {
      case "ParticipantOnboarded": {
        const address = text(a, "account", name);
        this.#participantInserts.set(address, {
          address,
          role: roleName(integer(a, "role", name)),
          number: integer(a, "number", name),
          gln: glnFromUint64(BigInt(text(a, "gln", name))),
          legalName: text(a, "legalName", name),
          suspended: false,
          onboardedBlock: event.blockNumber,
        });
        break;
      }
      case "ParticipantSuspended":
      case "ParticipantReinstated": {
        const address = text(a, "account", name);
        const suspended = name === "ParticipantSuspended";
        const inserted = this.#participantInserts.get(address);
        if (inserted !== undefined) inserted.suspended = suspended;
        else this.#participantSuspensions.set(address, suspended);
        break;
      }
      case "CompanyPrefixAssigned":
        this.#prefixInserts.push({ prefix: text(a, "prefix", name), manufacturer: text(a, "manufacturer", name) });
        break;
      case "ProductRegistered":
        this.#productInserts.push({
          gtin: gtinFromUint64(BigInt(text(a, "gtin", name))),
          manufacturer: text(a, "manufacturer", name),
          name: text(a, "name", name),
          strength: text(a, "strength", name),
          dosageForm: text(a, "dosageForm", name),
          registeredBlock: event.blockNumber,
        });
        break;
      case "BatchRegistered": {
        const batchId = text(a, "batchId", name);
        const manufacturer = text(a, "manufacturer", name);
        const packCount = integer(a, "packCount", name);
        this.#batchInserts.set(batchId, {
          batchId,
          gtin: gtinFromUint64(BigInt(text(a, "gtin", name))),
          lot: text(a, "lot", name),
          expiry: integer(a, "expiry", name),
          packCount,
          manufacturer,
          serialsRoot: text(a, "serialsRoot", name),
          documentHash: text(a, "documentHash", name),
          status: "ACTIVE",
          registeredBlock: event.blockNumber,
          registeredAt: event.timestamp,
        });
        this.#holdings.add(batchId, manufacturer, packCount);
        break;
      }
      case "BatchRecalled":
      case "BatchSuspended":
      case "BatchReinstated":
      case "BatchQuarantined":
      case "BatchQuarantineEnded": {
        const change: BatchStatusChange = {
          status: batchStatusAfter(event),
          statusReason: name === "BatchReinstated" ? null : text(a, "reason", name),
          statusBy: text(a, "by", name),
          statusAt: event.timestamp,
        };
        const batchId = text(a, "batchId", name);
        const inserted = this.#batchInserts.get(batchId);
        if (inserted !== undefined) Object.assign(inserted, change);
        else this.#batchStatusChanges.set(batchId, change);
        break;
      }
      case "UnitsShipped": {
        const batchId = text(a, "batchId", name);
        const shipmentId = text(a, "shipmentId", name);
        const sender = text(a, "from", name);
        const quantity = integer(a, "quantity", name);
        const lineKey = key(shipmentId, batchId);
        // ship() accepts the same batch on two lines; the read model keeps one line per batch.
        const existing = this.#lineInserts.get(lineKey);
        if (existing !== undefined) existing.quantity += quantity;
        else
          this.#lineInserts.set(lineKey, {
            shipmentId,
            batchId,
            sender,
            recipient: text(a, "to", name),
            quantity,
            shipmentRef: text(a, "shipmentRef", name),
            status: "PENDING",
            reason: null,
            shippedBlock: event.blockNumber,
            shippedAt: event.timestamp,
            shippedTx: event.transactionHash,
          });
        this.#holdings.add(batchId, sender, -quantity);
        break;
      }
      case "UnitsReceived":
      case "UnitsRejected":
      case "ShipmentCancelled": {
        const batchId = text(a, "batchId", name);
        const shipmentId = text(a, "shipmentId", name);
        const quantity = integer(a, "quantity", name);
        // Received units join the recipient (`by`); rejected ones return to the sender (`from`);
        // cancelled ones to the sender, who is `by` there.
        const creditTo = name === "UnitsRejected" ? text(a, "from", name) : text(a, "by", name);
        this.#holdings.add(batchId, creditTo, quantity);
        const settlement: Settlement = {
          status: name === "UnitsReceived" ? "RECEIVED" : name === "UnitsRejected" ? "REJECTED" : "CANCELLED",
          reason: name === "UnitsRejected" ? text(a, "reason", name) : null,
          settledBlock: event.blockNumber,
          settledAt: event.timestamp,
        };
        const lineKey = key(shipmentId, batchId);
        const inserted = this.#lineInserts.get(lineKey);
        if (inserted !== undefined) Object.assign(inserted, settlement);
        else this.#settlements.set(lineKey, { shipmentId, batchId, ...settlement });
        break;
      }
      case "PackDecommissioned":
      case "PackReactivated": {
        const batchId = text(a, "batchId", name);
        const index = integer(a, "index", name);
        const by = text(a, "by", name);
        const decommissioned = name === "PackDecommissioned";
        this.#packStates.set(key(batchId, index), {
          batchId,
          index,
          state: decommissioned ? packStateName(integer(a, "state", name)) : "ACTIVE",
          by,
          at: event.timestamp,
          transactionHash: event.transactionHash,
        });
        this.#holdings.add(batchId, by, decommissioned ? -1 : 1);
        break;
      }
      default:
        // Roles, pause and admin-transfer events change nothing the read model derives.
        break;
    }
    this.#count++;
  }

  /** Writes everything applied so far. Call once, inside the step's transaction. */
  async flush(tx: Executor): Promise<void> {
    for (const rows of chunks([...this.#participantInserts.values()])) await tx.insert(participants).values(rows);
    for (const [address, suspended] of this.#participantSuspensions) {
      await tx
        .update(participants)
        .set({ suspended })
        .where(sql`${participants.address} = ${address}`);
    }
    for (const rows of chunks(this.#prefixInserts)) await tx.insert(companyPrefixes).values(rows);
    for (const rows of chunks(this.#productInserts)) await tx.insert(products).values(rows);
    for (const rows of chunks([...this.#batchInserts.values()])) await tx.insert(batches).values(rows);
    for (const [batchId, change] of this.#batchStatusChanges) {
      await tx
        .update(batches)
        .set(change)
        .where(sql`${batches.batchId} = ${batchId}`);
    }
    for (const rows of chunks([...this.#lineInserts.values()])) await tx.insert(shipmentLines).values(rows);
    for (const rows of chunks([...this.#settlements.values()])) await tx.execute(settleLines(rows));
    for (const rows of chunks([...this.#packStates.values()])) {
      await tx
        .insert(packStates)
        .values(rows)
        .onConflictDoUpdate({
          target: [packStates.batchId, packStates.index],
          set: {
            state: sql`excluded.state`,
            by: sql`excluded.by`,
            at: sql`excluded.at`,
            transactionHash: sql`excluded.transaction_hash`,
          },
        });
    }
    await this.#holdings.write(tx);
  }
}

function settleLines(rows: readonly ({ shipmentId: string; batchId: string } & Settlement)[]): SQL {
  const values = sql.join(
    rows.map(
      (row) =>
        sql`(${row.shipmentId}::text, ${row.batchId}::text, ${row.status}::text, ${row.reason}::text, ${row.settledBlock}::bigint, ${row.settledAt}::bigint)`,
    ),
    sql`, `,
  );
  return sql`update shipment_lines as line
    set status = v.status, reason = v.reason, settled_block = v.settled_block, settled_at = v.settled_at
    from (values ${values}) as v(shipment_id, batch_id, status, reason, settled_block, settled_at)
    where line.shipment_id = v.shipment_id and line.batch_id = v.batch_id`;
}

/**
 * The projections of a step: the main one, and for the package-level ledger the custody one,
 * which takes its custody events (their names overlap the count ledger's, with other meanings).
 */
export class StepProjection {
  readonly #main = new Projection();
  readonly #custody: CustodyProjection | null;

  constructor(kind: LedgerKind = "count") {
    this.#custody = kind === "package" ? new CustodyProjection() : null;
  }

  apply(event: EventRow): void {
    if (this.#custody?.apply(event)) return;
    this.#main.apply(event);
  }

  /** The main tables first: custody reads the batches and participants the step registered. */
  async flush(tx: Executor): Promise<void> {
    await this.#main.flush(tx);
    await this.#custody?.flush(tx);
  }
}

/** Inserts `events` rows in multi-row statements. */
export async function insertEvents(tx: Executor, rows: readonly EventRow[]): Promise<void> {
  for (const chunk of chunks(rows)) await tx.insert(events).values(chunk);
}
