/**
 * A read model written directly as the indexer writes it (events with their decoded arguments,
 * and the derived tables), for the read API tests that need exact control over the rows. The
 * end-to-end test (read-e2e.test.ts) fills the same tables from a real chain instead.
 */
import { gs1CheckDigit } from "@pedigree/gs1";
import { batchIdOf, packStateNumber, type PackStateName } from "@pedigree/ledger";
import { keccak256, toHex } from "viem";
import type { Database } from "../src/server/db/database.ts";
import * as t from "../src/server/db/schema.ts";
import { serialChunkParts } from "../src/server/manifests/store.ts";

export const glnOf = (body12: string) => `${body12}${gs1CheckDigit(body12)}`;
export const gtinOf = (body13: string) => `${body13}${gs1CheckDigit(body13)}`;
const hex32 = (n: number | string) => `0x${BigInt(n).toString(16).padStart(64, "0")}`;
const address = (digit: string) => `0x${digit.repeat(40)}`;

export const PARTIES = {
  acme: {
    address: address("a"),
    role: "MANUFACTURER",
    number: 1,
    gln: glnOf("952012000001"),
    legalName: "Acme Pharma",
  },
  northwind: {
    address: address("b"),
    role: "DISTRIBUTOR",
    number: 2,
    gln: glnOf("952012000002"),
    legalName: "Northwind Wholesale",
  },
  central: {
    address: address("c"),
    role: "PHARMACY",
    number: 3,
    gln: glnOf("952012000003"),
    legalName: "Central Pharmacy",
  },
  agency: {
    address: address("d"),
    role: "REGULATOR",
    number: 4,
    gln: glnOf("952012000004"),
    legalName: "Medicines Agency",
  },
} as const;
export type PartyKey = keyof typeof PARTIES;

export const GTIN = "09520123456788";
export const GTIN_OTHER = gtinOf("0952012345679");
/** A lot with characters that need percent-encoding in a URL, and a spreadsheet formula start. */
export const ODD_LOT = "=L/1%+x";

/** Unix seconds of the first event; each later event is one block and 60 s later. */
export const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

export interface FixtureBatch {
  gtin: string;
  lot: string;
  batchId: string;
}

/**
 * Writes rows as the indexer would for a sequence of custody writes. Keeps holdings, shipment
 * lines and pack states consistent with the events so the read API's sums can be checked.
 */
export class ReadModelWriter {
  readonly db: Database;
  block = 10;
  private readonly pending: (typeof t.events.$inferInsert)[] = [];
  private shipmentCount = 0;
  private readonly held = new Map<string, number>();
  private readonly lines: (typeof t.shipmentLines.$inferInsert)[] = [];
  private readonly packs = new Map<string, typeof t.packStates.$inferInsert>();
  private readonly batchRows = new Map<string, typeof t.batches.$inferInsert>();

  constructor(db: Database) {
    this.db = db;
  }

  private event(name: string, batchId: string | null, args: Record<string, string | number | boolean>, logIndex = 0) {
    const block = logIndex === 0 ? ++this.block : this.block;
    const row = {
      blockNumber: block,
      logIndex,
      blockHash: hex32(block * 7919),
      // Spread over the hash space like real ones, so that a hash's first digits name one transaction.
      transactionHash: keccak256(toHex(block)),
      timestamp: T0 + (block - 11) * 60,
      name,
      batchId,
      args,
    };
    this.pending.push(row);
    return row;
  }

  private addHeld(batchId: string, holder: string, delta: number) {
    const key = `${batchId}|${holder}`;
    this.held.set(key, (this.held.get(key) ?? 0) + delta);
  }

  onboard(...keys: PartyKey[]) {
    for (const key of keys) {
      const p = PARTIES[key];
      this.event("ParticipantOnboarded", null, {
        account: p.address,
        role: ["NONE", "REGULATOR", "MANUFACTURER", "DISTRIBUTOR", "PHARMACY"].indexOf(p.role),
        number: p.number,
        gln: String(BigInt(p.gln)),
        legalName: p.legalName,
      });
    }
  }

  registerBatch(
    gtin: string,
    lot: string,
    packCount: number,
    expiry = 20301231,
    manufacturer: PartyKey = "acme",
  ): FixtureBatch {
    const batchId = batchIdOf(gtin, lot);
    const m = PARTIES[manufacturer].address;
    const e = this.event("BatchRegistered", batchId, {
      batchId,
      gtin: String(BigInt(gtin)),
      manufacturer: m,
      lot,
      expiry,
      packCount,
      serialsRoot: hex32(packCount + 99),
      documentHash: hex32(0),
    });
    this.batchRows.set(batchId, {
      batchId,
      gtin,
      lot,
      expiry,
      packCount,
      manufacturer: m,
      serialsRoot: hex32(packCount + 99),
      documentHash: hex32(0),
      status: "ACTIVE",
      registeredBlock: e.blockNumber,
      registeredAt: e.timestamp,
    });
    this.addHeld(batchId, m, packCount);
    return { gtin, lot, batchId };
  }

  ship(batch: FixtureBatch, from: PartyKey, to: PartyKey, quantity: number, reference = "DESADV-1") {
    const shipmentId = hex32(0xabc000 + ++this.shipmentCount);
    const ref = `0x${Buffer.from(reference).toString("hex").padEnd(64, "0")}`;
    const e = this.event("UnitsShipped", batch.batchId, {
      batchId: batch.batchId,
      shipmentId,
      from: PARTIES[from].address,
      to: PARTIES[to].address,
      quantity: String(quantity),
      shipmentRef: ref,
    });
    this.addHeld(batch.batchId, PARTIES[from].address, -quantity);
    const line = {
      shipmentId,
      batchId: batch.batchId,
      sender: PARTIES[from].address,
      recipient: PARTIES[to].address,
      quantity,
      shipmentRef: ref,
      status: "PENDING",
      shippedBlock: e.blockNumber,
      shippedAt: e.timestamp,
      shippedTx: e.transactionHash,
    };
    this.lines.push(line);
    return line;
  }

  settle(line: ReturnType<ReadModelWriter["ship"]>, how: "receive" | "reject" | "cancel", reason = "") {
    const names = { receive: "UnitsReceived", reject: "UnitsRejected", cancel: "ShipmentCancelled" } as const;
    const actor = how === "cancel" ? line.sender : line.recipient;
    const e = this.event(names[how], line.batchId, {
      batchId: line.batchId,
      shipmentId: line.shipmentId,
      by: actor,
      ...(how === "cancel" ? { to: line.recipient } : { from: line.sender }),
      quantity: String(line.quantity),
      ...(how === "reject" ? { reason } : {}),
    });
    this.addHeld(line.batchId, how === "receive" ? line.recipient : line.sender, line.quantity);
    Object.assign(line, {
      status: { receive: "RECEIVED", reject: "REJECTED", cancel: "CANCELLED" }[how],
      reason: how === "reject" ? reason : null,
      settledBlock: e.blockNumber,
      settledAt: e.timestamp,
    });
  }

  decommission(batch: FixtureBatch, by: PartyKey, index: number, state: PackStateName = "DISPENSED") {
    const e = this.event("PackDecommissioned", batch.batchId, {
      batchId: batch.batchId,
      index: String(index),
      by: PARTIES[by].address,
      state: packStateNumber(state),
    });
    this.addHeld(batch.batchId, PARTIES[by].address, -1);
    this.packs.set(`${batch.batchId}|${index}`, {
      batchId: batch.batchId,
      index,
      state,
      by: PARTIES[by].address,
      at: e.timestamp,
      transactionHash: e.transactionHash,
    });
  }

  reactivate(batch: FixtureBatch, by: PartyKey, index: number) {
    const previous = this.packs.get(`${batch.batchId}|${index}`);
    if (previous === undefined) throw new Error(`pack ${index} was never decommissioned`);
    this.event("PackReactivated", batch.batchId, {
      batchId: batch.batchId,
      index: String(index),
      by: PARTIES[by].address,
      previousState: packStateNumber(previous.state as PackStateName),
    });
    this.addHeld(batch.batchId, PARTIES[by].address, 1);
    this.packs.delete(`${batch.batchId}|${index}`);
  }

  suspend(batch: FixtureBatch, reason: string, by: PartyKey = "agency") {
    this.event("BatchSuspended", batch.batchId, { batchId: batch.batchId, by: PARTIES[by].address, reason });
  }

  reinstate(batch: FixtureBatch, by: PartyKey = "agency") {
    this.event("BatchReinstated", batch.batchId, { batchId: batch.batchId, by: PARTIES[by].address });
  }

  recall(batch: FixtureBatch, reason: string, by: PartyKey = "agency") {
    const e = this.event("BatchRecalled", batch.batchId, { batchId: batch.batchId, by: PARTIES[by].address, reason });
    Object.assign(this.batchRows.get(batch.batchId) as object, {
      status: "RECALLED",
      statusReason: reason,
      statusBy: PARTIES[by].address,
      statusAt: e.timestamp,
    });
  }

  /** Writes everything (events, participants, products, batches, holdings, shipments, pack states). */
  async flush(): Promise<void> {
    const db = this.db;
    await db.transaction(async (tx) => {
      for (const table of [
        t.events,
        t.participants,
        t.products,
        t.batches,
        t.holdings,
        t.shipmentLines,
        t.packStates,
      ]) {
        await tx.delete(table);
      }
      for (let i = 0; i < this.pending.length; i += 500)
        await tx.insert(t.events).values(this.pending.slice(i, i + 500));
      await tx
        .insert(t.participants)
        .values(Object.values(PARTIES).map((p) => ({ ...p, suspended: false, onboardedBlock: 1 })));
      await tx
        .insert(t.companyPrefixes)
        .values({ prefix: "952012", manufacturer: PARTIES.acme.address })
        .onConflictDoNothing();
      await tx.insert(t.products).values([
        {
          gtin: GTIN,
          manufacturer: PARTIES.acme.address,
          name: "Amoxicillin",
          strength: "500 mg",
          dosageForm: "capsule",
          registeredBlock: 2,
        },
        {
          gtin: GTIN_OTHER,
          manufacturer: PARTIES.acme.address,
          name: "Paracetamol",
          strength: "1 g",
          dosageForm: "tablet",
          registeredBlock: 3,
        },
      ]);
      if (this.batchRows.size > 0) await tx.insert(t.batches).values([...this.batchRows.values()]);
      const held = [...this.held].filter(([, units]) => units > 0);
      if (held.length > 0) {
        await tx.insert(t.holdings).values(
          held.map(([key, units]) => {
            const [batchId, holder] = key.split("|") as [string, string];
            return { batchId, holder, units };
          }),
        );
      }
      if (this.lines.length > 0) await tx.insert(t.shipmentLines).values(this.lines);
      if (this.packs.size > 0) await tx.insert(t.packStates).values([...this.packs.values()]);
    });
  }
}

/**
 * A stored serial list for `batch`: `count` serials named `${prefix}${index}` (the root is a
 * placeholder: these tests read the list, they do not prove against it). Uploaded by Acme.
 */
export async function storeFixtureManifest(
  db: Database,
  batch: { batchId: string; gtin: string; lot: string },
  count: number,
  serialOf: (index: number) => string,
): Promise<void> {
  await db.insert(t.manifests).values({
    batchId: batch.batchId,
    gtin: batch.gtin,
    lot: batch.lot,
    root: "0x01",
    serialCount: count,
    uploadedBy: PARTIES.acme.address,
  });
  const serials = Array.from({ length: count }, (_, i) => serialOf(i));
  await db.insert(t.manifestSerials).values(
    serials.map((serial, i) => ({
      batchId: batch.batchId,
      gtin: batch.gtin,
      serial,
      index: i,
      treeIndex: count + i,
    })),
  );
  for (const part of serialChunkParts(serials)) {
    await db
      .insert(t.manifestSerialChunks)
      .values(part.chunks.map((chunk, i) => ({ batchId: batch.batchId, chunk, serials: part.serials[i]! })));
  }
}
