/**
 * The read model: what the indexer derives from the ledger's events, plus what only the
 * application holds (serial manifests, sign-in sessions, alerts raised by scans).
 *
 * One database serves one ledger deployment (chain id + contract address, recorded in
 * `indexer_cursor`). Addresses are stored lower-case hex; batch and shipment ids as 0x-hex;
 * GTINs as 14-digit strings and GLNs as 13-digit strings, as GS1 writes them. Block numbers and
 * unit counts fit JavaScript numbers (bigint columns in "number" mode).
 *
 * Everything below `events` is derived: it can be rebuilt from `events` alone, which is how a
 * reorganisation is rolled back (see ../indexer).
 */

import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

// ---------------------------------------------------------------- indexer bookkeeping

/** Where the indexer stands: the last block it fully applied, and that block's hash. One row per chain and contract. */
export const indexerCursor = pgTable("indexer_cursor", {
  /** `${chainId}:${contract}` */
  id: text("id").primaryKey(),
  chainId: integer("chain_id").notNull(),
  contract: text("contract").notNull(),
  deploymentBlock: bigint("deployment_block", { mode: "number" }).notNull(),
  blockNumber: bigint("block_number", { mode: "number" }).notNull(),
  blockHash: text("block_hash").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Hashes of the blocks the indexer applied (every block with an event, and each cursor block): how a reorganisation is found. */
export const indexedBlocks = pgTable("indexed_blocks", {
  number: bigint("number", { mode: "number" }).primaryKey(),
  hash: text("hash").notNull(),
  /** Unix seconds. */
  timestamp: bigint("timestamp", { mode: "number" }).notNull(),
});

/** Every ledger event, as emitted. `args` holds the decoded arguments, bigints as decimal strings. */
export const events = pgTable(
  "events",
  {
    blockNumber: bigint("block_number", { mode: "number" }).notNull(),
    logIndex: integer("log_index").notNull(),
    blockHash: text("block_hash").notNull(),
    transactionHash: text("transaction_hash").notNull(),
    /** Unix seconds of the block. */
    timestamp: bigint("timestamp", { mode: "number" }).notNull(),
    name: text("name").notNull(),
    /** Set for every event that names a batch. */
    batchId: text("batch_id"),
    args: jsonb("args").$type<Record<string, string | number | boolean>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.blockNumber, t.logIndex] }),
    index("events_batch_idx").on(t.batchId, t.blockNumber, t.logIndex),
    index("events_time_idx").on(t.timestamp),
    index("events_tx_idx").on(t.transactionHash),
  ],
);

// ---------------------------------------------------------------- derived from events

export const participants = pgTable("participants", {
  address: text("address").primaryKey(),
  /** REGULATOR, MANUFACTURER, DISTRIBUTOR, PHARMACY */
  role: text("role").notNull(),
  number: integer("number").notNull(),
  gln: text("gln").notNull(),
  legalName: text("legal_name").notNull(),
  suspended: boolean("suspended").notNull().default(false),
  onboardedBlock: bigint("onboarded_block", { mode: "number" }).notNull(),
});

export const companyPrefixes = pgTable("company_prefixes", {
  prefix: text("prefix").primaryKey(),
  manufacturer: text("manufacturer").notNull(),
});

export const products = pgTable("products", {
  gtin: text("gtin").primaryKey(),
  manufacturer: text("manufacturer").notNull(),
  name: text("name").notNull(),
  strength: text("strength").notNull(),
  dosageForm: text("dosage_form").notNull(),
  registeredBlock: bigint("registered_block", { mode: "number" }).notNull(),
});

export const batches = pgTable(
  "batches",
  {
    batchId: text("batch_id").primaryKey(),
    gtin: text("gtin").notNull(),
    lot: text("lot").notNull(),
    /** YYYYMMDD; DD = 00 is the last day of the month. */
    expiry: integer("expiry").notNull(),
    packCount: integer("pack_count").notNull(),
    manufacturer: text("manufacturer").notNull(),
    serialsRoot: text("serials_root").notNull(),
    documentHash: text("document_hash").notNull(),
    /** ACTIVE, SUSPENDED, RECALLED */
    status: text("status").notNull(),
    /** Reason of the latest recall or suspension. */
    statusReason: text("status_reason"),
    statusBy: text("status_by"),
    statusAt: bigint("status_at", { mode: "number" }),
    registeredBlock: bigint("registered_block", { mode: "number" }).notNull(),
    registeredAt: bigint("registered_at", { mode: "number" }).notNull(),
  },
  (t) => [
    index("batches_gtin_lot_idx").on(t.gtin, t.lot),
    index("batches_manufacturer_idx").on(t.manufacturer),
    // Search finds a lot in any letter case.
    index("batches_lot_lower_idx").on(sql`lower(${t.lot})`),
  ],
);

/** Units of a batch each party holds now (rows with zero units are deleted). */
export const holdings = pgTable(
  "holdings",
  {
    batchId: text("batch_id").notNull(),
    holder: text("holder").notNull(),
    units: integer("units").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.holder] }), index("holdings_holder_idx").on(t.holder)],
);

/** One row per shipment line (a shipment moves one or more batches). */
export const shipmentLines = pgTable(
  "shipment_lines",
  {
    shipmentId: text("shipment_id").notNull(),
    batchId: text("batch_id").notNull(),
    sender: text("sender").notNull(),
    recipient: text("recipient").notNull(),
    quantity: integer("quantity").notNull(),
    shipmentRef: text("shipment_ref").notNull(),
    /** PENDING, RECEIVED, REJECTED, CANCELLED */
    status: text("status").notNull(),
    reason: text("reason"),
    shippedBlock: bigint("shipped_block", { mode: "number" }).notNull(),
    shippedAt: bigint("shipped_at", { mode: "number" }).notNull(),
    shippedTx: text("shipped_tx").notNull(),
    settledBlock: bigint("settled_block", { mode: "number" }),
    settledAt: bigint("settled_at", { mode: "number" }),
  },
  (t) => [
    primaryKey({ columns: [t.shipmentId, t.batchId] }),
    index("shipment_lines_recipient_idx").on(t.recipient, t.status),
    index("shipment_lines_sender_idx").on(t.sender, t.status),
    // Search finds a shipment by its reference.
    index("shipment_lines_ref_idx").on(t.shipmentRef),
  ],
);

/** Packs that are, or were, decommissioned. A pack without a row is active. */
export const packStates = pgTable(
  "pack_states",
  {
    batchId: text("batch_id").notNull(),
    index: integer("pack_index").notNull(),
    /** DISPENSED, DESTROYED, STOLEN, SAMPLE, EXPORTED, LOCKED, or ACTIVE after an undo */
    state: text("state").notNull(),
    by: text("by").notNull(),
    /** Unix seconds. */
    at: bigint("at", { mode: "number" }).notNull(),
    transactionHash: text("transaction_hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.index] })],
);

// ---------------------------------------------------------------- held by the application only

/** A batch's serial manifest, accepted only when its Merkle root equals the batch's root on chain. */
export const manifests = pgTable("manifests", {
  batchId: text("batch_id").primaryKey(),
  gtin: text("gtin").notNull(),
  lot: text("lot").notNull(),
  root: text("root").notNull(),
  serialCount: integer("serial_count").notNull(),
  uploadedBy: text("uploaded_by").notNull(),
  uploadedAt: timestamp("uploaded_at", { withTimezone: true }).notNull().defaultNow(),
});

/** serial → index in the batch's list and position of its leaf in the tree. */
export const manifestSerials = pgTable(
  "manifest_serials",
  {
    batchId: text("batch_id").notNull(),
    gtin: text("gtin").notNull(),
    serial: text("serial").notNull(),
    index: integer("pack_index").notNull(),
    /** Position of the leaf among the tree's nodes (OpenZeppelin layout), for the proof. */
    treeIndex: integer("tree_index").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.serial] }),
    index("manifest_serials_gtin_serial_idx").on(t.gtin, t.serial),
  ],
);

/**
 * The serials again, in pack order, SERIALS_PER_CHUNK to a row (separated by spaces, which CSET 82
 * lacks): what names the packs of pack events (timelines, EPCIS) without reading the batch's whole
 * list: `manifest_serials` is written in serial order, and an index on it in pack order made writing
 * its rows 2.5 times as slow (its entries land at random places).
 */
export const manifestSerialChunks = pgTable(
  "manifest_serial_chunks",
  {
    batchId: text("batch_id").notNull(),
    chunk: integer("chunk").notNull(),
    serials: text("serials").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.chunk] })],
);

/** The tree's nodes, 32 bytes each, in fixed-size chunks: a proof reads one chunk per level near the leaves. */
export const manifestNodes = pgTable(
  "manifest_nodes",
  {
    batchId: text("batch_id").notNull(),
    chunk: integer("chunk").notNull(),
    nodes: bytea("nodes").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.chunk] })],
);

/**
 * Scans that need a person's attention: inactive packs scanned for dispensing, unknown serials,
 * mismatches. Worked as in the EU system: open, then investigating, then closed with a root cause
 * (../read/alerts.ts, ../../lib/alert-workflow.ts); every change is kept in `alert_history`.
 */
export const alerts = pgTable(
  "alerts",
  {
    id: serial("id").primaryKey(),
    raisedAt: timestamp("raised_at", { withTimezone: true }).notNull().defaultNow(),
    /** The verdict that raised it. */
    verdict: text("verdict").notNull(),
    /** "verify" (public check) or "dispense" (pharmacy counter). */
    purpose: text("purpose").notNull(),
    gtin: text("gtin"),
    lot: text("lot"),
    serial: text("serial"),
    batchId: text("batch_id"),
    /** The signed-in party whose scan raised it, when there was one. Patients' scans carry none. */
    reportedBy: text("reported_by"),
    message: text("message").notNull(),
    /** OPEN, INVESTIGATING or CLOSED */
    status: text("status").notNull().default("OPEN"),
    /**
     * Why it was closed: SCANNER_OR_DATA_ERROR, GENUINE or FALSIFIED. Null while not closed, and
     * for alerts closed before root causes were recorded (migration 0002).
     */
    rootCause: text("root_cause"),
    blockNumber: bigint("block_number", { mode: "number" }),
    /** How many scans raised it: the same party scanning the same pack again adds to its alert not yet closed. */
    occurrences: integer("occurrences").notNull().default(1),
    /** The latest of those scans. */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("alerts_raised_idx").on(t.raisedAt),
    index("alerts_batch_idx").on(t.batchId),
    // One alert not yet closed per pack and reporter (see raiseAlert in ../verify): rescans merge into it.
    uniqueIndex("alerts_open_pack_reporter_idx")
      .on(sql`coalesce(${t.gtin}, '')`, sql`coalesce(${t.lot}, '')`, sql`coalesce(${t.serial}, '')`, t.reportedBy)
      .where(sql`${t.status} in ('OPEN', 'INVESTIGATING') and ${t.reportedBy} is not null`),
    check("alerts_status_check", sql`${t.status} in ('OPEN', 'INVESTIGATING', 'CLOSED')`),
    check(
      "alerts_root_cause_check",
      sql`${t.rootCause} is null or (${t.status} = 'CLOSED' and ${t.rootCause} in ('SCANNER_OR_DATA_ERROR', 'GENUINE', 'FALSIFIED'))`,
    ),
  ],
);

/** Every change of an alert's state: who (the signed-in party, as the ledger named it then), when, from, to, why. */
export const alertHistory = pgTable(
  "alert_history",
  {
    id: serial("id").primaryKey(),
    alertId: integer("alert_id")
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    byAddress: text("by_address").notNull(),
    byName: text("by_name").notNull(),
    /** REGULATOR, or the reporting party's role. */
    byRole: text("by_role").notNull(),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    /** Set when the change closed the alert. */
    rootCause: text("root_cause"),
    note: text("note"),
  },
  (t) => [index("alert_history_alert_idx").on(t.alertId, t.id)],
);

/** Sign-In with Ethereum: nonces handed out (each usable once) and sessions created from them. */
export const siweNonces = pgTable("siwe_nonces", {
  nonce: text("nonce").primaryKey(),
  /** SHA-256 of the secret in the client's sign-in cookie: only the client that asked may use the nonce. */
  clientBinding: text("client_binding").notNull(),
  issuedAt: timestamp("issued_at", { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
});

export const sessions = pgTable("sessions", {
  /** Random token, kept in an HttpOnly cookie. */
  id: text("id").primaryKey(),
  address: text("address").notNull(),
  chainId: integer("chain_id").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
});

export const DERIVED_TABLES = [
  "participants",
  "company_prefixes",
  "products",
  "batches",
  "holdings",
  "shipment_lines",
  "pack_states",
] as const;
