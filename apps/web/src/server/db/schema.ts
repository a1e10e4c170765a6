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

/** An event argument as stored: bigints as decimal strings, lists as arrays, structs as objects. */
export type StoredEventArg =
  string | number | boolean | readonly StoredEventArg[] | { readonly [field: string]: StoredEventArg };

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
  /**
   * When the indexer last found nothing left to index up to the chain's safe head (database time).
   * Verification answers from the read model only while this is recent (PEDIGREE_MAX_LAG).
   */
  caughtUpAt: timestamp("caught_up_at", { withTimezone: true }),
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
    args: jsonb("args").$type<Record<string, StoredEventArg>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.blockNumber, t.logIndex] }),
    index("events_batch_idx").on(t.batchId, t.blockNumber, t.logIndex),
    // A batch's own lifecycle among its custody events (a pack's trace reads these by name).
    index("events_batch_name_idx").on(t.batchId, t.name, t.blockNumber, t.logIndex),
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
    /** ACTIVE, SUSPENDED, RECALLED, QUARANTINED (package-level ledger) */
    status: text("status").notNull(),
    /** Reason of the latest recall or suspension. */
    statusReason: text("status_reason"),
    statusBy: text("status_by"),
    statusAt: bigint("status_at", { mode: "number" }),
    registeredBlock: bigint("registered_block", { mode: "number" }).notNull(),
    registeredAt: bigint("registered_at", { mode: "number" }).notNull(),
    /** Package-level ledger: packs [0, packed_up_to) were packed into cases by range (packRange). */
    packedUpTo: integer("packed_up_to").notNull().default(0),
  },
  (t) => [
    index("batches_gtin_lot_idx").on(t.gtin, t.lot),
    index("batches_manufacturer_idx").on(t.manufacturer),
    // Search finds a lot in any letter case.
    index("batches_lot_lower_idx").on(sql`lower(${t.lot})`),
  ],
);

/**
 * Units of a batch each party holds now (rows with zero units are deleted). On the package-level
 * ledger: the packs of the batch the party holds loose or inside units whose top-most unit it
 * holds, quarantined ones included (they are still in its stock, and nowhere else); never packs
 * in transit, decommissioned or destroyed.
 */
export const holdings = pgTable(
  "holdings",
  {
    batchId: text("batch_id").notNull(),
    holder: text("holder").notNull(),
    units: integer("units").notNull(),
    /**
     * Of `units`, those quarantined as items (a quarantined loose pack, or inside a quarantined
     * top-most unit); always 0 on the count ledger, which quarantines whole batches only (see
     * batches.status).
     */
    quarantined: integer("quarantined").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.holder] }), index("holdings_holder_idx").on(t.holder)],
);

/**
 * What a shipment carried, by batch and outcome: the packs of each batch it moved (loose, or
 * inside its units at any depth) that are pending, received, rejected or cancelled. On the count
 * ledger a line is settled whole, so a shipment has one row per batch; on the package ledger its
 * units and packs are settled one by one (receive part, refuse the rest), so a batch of it may have
 * a row per outcome.
 */
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
    primaryKey({ columns: [t.shipmentId, t.batchId, t.status] }),
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

// ---------------------------------------------------------------- package-level custody (PedigreePackageLedger)
//
// The places of logistic units and packs as the package-level ledger keeps them (see
// docs/ARCHITECTURE.md, "Package-level custody"): a unit or pack inside a unit names only its
// parent, so moving a pallet changes one row, and its holder is that of the top-most unit. A pack
// nobody has moved has no row: it is loose with its manufacturer or, below its batch's
// `packed_up_to`, inside the range-packed unit whose range holds it. Place kinds are
// IPedigreePackageLedger.PlaceKind's names (HELD, IN_UNIT, IN_TRANSIT, QUARANTINED,
// DECOMMISSIONED, DESTROYED). SSCCs are 18-digit strings.

/** A logistic unit (case, pallet, tote): where it is now. */
export const units = pgTable(
  "units",
  {
    sscc: text("sscc").primaryKey(),
    /** Who created it (packRange or aggregate). */
    packer: text("packer").notNull(),
    place: text("place").notNull(),
    /** HELD, QUARANTINED: the holder; IN_TRANSIT: the sender; DESTROYED: who destroyed it. Null IN_UNIT. */
    party: text("party"),
    /** IN_TRANSIT: the recipient. */
    recipient: text("recipient"),
    /** IN_UNIT: the unit directly containing it. */
    parent: text("parent"),
    /** IN_TRANSIT: the shipment that put it in transit. */
    shipmentId: text("shipment_id"),
    /** QUARANTINED: by a regulator (only a regulator ends it). */
    byRegulator: boolean("by_regulator").notNull().default(false),
    /** A child was taken out (or a pack of its range moved) since it was packed. */
    opened: boolean("opened").notNull().default(false),
    /** For a unit packed from a range (packRange): the batch and the pack indexes [range_start, range_end). */
    rangeBatchId: text("range_batch_id"),
    rangeStart: integer("range_start"),
    rangeEnd: integer("range_end"),
    createdBlock: bigint("created_block", { mode: "number" }).notNull(),
    createdLogIndex: integer("created_log_index").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedBlock: bigint("updated_block", { mode: "number" }).notNull(),
  },
  (t) => [
    index("units_parent_idx").on(t.parent),
    index("units_party_idx").on(t.party, t.place),
    index("units_range_idx").on(t.rangeBatchId, t.rangeStart),
  ],
);

/** A pack that has a place of its own (it moved at least once). */
export const packPlaces = pgTable(
  "pack_places",
  {
    batchId: text("batch_id").notNull(),
    index: integer("pack_index").notNull(),
    place: text("place").notNull(),
    /** As units.party; DECOMMISSIONED: who decommissioned it. */
    party: text("party"),
    recipient: text("recipient"),
    parent: text("parent"),
    shipmentId: text("shipment_id"),
    byRegulator: boolean("by_regulator").notNull().default(false),
    /** DECOMMISSIONED: the pack state (DISPENSED, DESTROYED, STOLEN, ...). */
    state: text("state"),
    /** DECOMMISSIONED: when, unix seconds. */
    at: bigint("at", { mode: "number" }),
    updatedBlock: bigint("updated_block", { mode: "number" }).notNull(),
    updatedTx: text("updated_tx").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.index] }),
    index("pack_places_parent_idx").on(t.parent),
    index("pack_places_party_idx").on(t.party, t.place),
  ],
);

/**
 * What a unit holds, by batch: the packs of the batch inside it at any depth (inside it, or inside
 * a unit inside it, ...), so that moving a pallet moves its stock between holdings in one step per
 * batch on it rather than per pack. Kept for every unit, nested or not; a unit destroyed with its
 * contents keeps them (they are inside it, and nobody's stock). Rows with zero packs are deleted.
 */
export const unitContents = pgTable(
  "unit_contents",
  {
    sscc: text("sscc").notNull(),
    batchId: text("batch_id").notNull(),
    packs: integer("packs").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sscc, t.batchId] }), index("unit_contents_batch_idx").on(t.batchId)],
);

/**
 * Every pack and unit an event lists, in the event's order: how a pack's trace finds the events
 * of the units it was in, and a shipment its contents. `role` says which list of the event.
 */
export const custodyItems = pgTable(
  "custody_items",
  {
    blockNumber: bigint("block_number", { mode: "number" }).notNull(),
    logIndex: integer("log_index").notNull(),
    position: integer("position").notNull(),
    /** The unit the event is about (UnitAggregated's parent, UnitPacked's case), or null. */
    unit: text("unit"),
    /** A listed child unit, or null for a pack. */
    sscc: text("sscc"),
    batchId: text("batch_id"),
    index: integer("pack_index"),
    /** For a listed pack: the unit the event says contained it (PackRef.unit), or null when loose. */
    within: text("within"),
  },
  (t) => [
    primaryKey({ columns: [t.blockNumber, t.logIndex, t.position] }),
    index("custody_items_unit_idx").on(t.unit, t.blockNumber, t.logIndex),
    index("custody_items_sscc_idx").on(t.sscc, t.blockNumber, t.logIndex),
    index("custody_items_pack_idx").on(t.batchId, t.index, t.blockNumber, t.logIndex),
  ],
);

/** A shipment of the package-level ledger: who sent what to whom; each item's fate is in shipment_items. */
export const shipments = pgTable(
  "shipments",
  {
    shipmentId: text("shipment_id").primaryKey(),
    sender: text("sender").notNull(),
    recipient: text("recipient").notNull(),
    shipmentRef: text("shipment_ref").notNull(),
    shippedBlock: bigint("shipped_block", { mode: "number" }).notNull(),
    shippedLogIndex: integer("shipped_log_index").notNull(),
    shippedAt: bigint("shipped_at", { mode: "number" }).notNull(),
    shippedTx: text("shipped_tx").notNull(),
  },
  (t) => [
    index("shipments_recipient_idx").on(t.recipient),
    index("shipments_sender_idx").on(t.sender),
    index("shipments_ref_idx").on(t.shipmentRef),
  ],
);

/** One row per unit or loose pack of a shipment, with what became of it. */
export const shipmentItems = pgTable(
  "shipment_items",
  {
    shipmentId: text("shipment_id").notNull(),
    position: integer("position").notNull(),
    sscc: text("sscc"),
    batchId: text("batch_id"),
    index: integer("pack_index"),
    /** PENDING, RECEIVED, REJECTED, CANCELLED */
    status: text("status").notNull(),
    reason: text("reason"),
    settledBlock: bigint("settled_block", { mode: "number" }),
    settledAt: bigint("settled_at", { mode: "number" }),
  },
  (t) => [
    primaryKey({ columns: [t.shipmentId, t.position] }),
    index("shipment_items_status_idx").on(t.status, t.shipmentId),
  ],
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
 * What needs a person's attention: scans (inactive packs scanned for dispensing, unknown serials,
 * mismatches), and packs an investigation found illegitimate on the package-level ledger, raised
 * by the indexer from the quarantine's end (../indexer/illegitimate.ts), one per transaction,
 * batch and holder, naming its packs in `alert_packs`. Worked as in the EU system: open, then
 * investigating, then closed with a root cause (../read/alerts.ts, ../../lib/alert-workflow.ts);
 * every change is kept in `alert_history`.
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
    /**
     * The signed-in party whose scan raised it, when there was one (patients' scans carry none); for
     * an illegitimate finding, the party that ended the quarantine so.
     */
    reportedBy: text("reported_by"),
    /** An illegitimate finding: the transaction that ended the quarantine (null for a scan's alert). */
    sourceTx: text("source_tx"),
    /** An illegitimate finding: the party whose stock the destroyed packs were. */
    holder: text("holder"),
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
    // Packs an investigation found falsified: the VRS responder answers them Illegitimate (../vrs).
    index("alerts_falsified_pack_idx")
      .on(t.gtin, t.serial)
      .where(sql`${t.rootCause} = 'FALSIFIED'`),
    // One scan's alert not yet closed per pack and reporter (see raiseAlert in ../verify): rescans merge into it.
    uniqueIndex("alerts_open_pack_reporter_idx")
      .on(sql`coalesce(${t.gtin}, '')`, sql`coalesce(${t.lot}, '')`, sql`coalesce(${t.serial}, '')`, t.reportedBy)
      .where(sql`${t.status} in ('OPEN', 'INVESTIGATING') and ${t.reportedBy} is not null and ${t.sourceTx} is null`),
    // One illegitimate finding per transaction, batch and holder: indexing the chain again raises none twice.
    uniqueIndex("alerts_source_idx")
      .on(t.sourceTx, t.batchId, t.holder)
      .where(sql`${t.sourceTx} is not null`),
    check("alerts_status_check", sql`${t.status} in ('OPEN', 'INVESTIGATING', 'CLOSED')`),
    check(
      "alerts_root_cause_check",
      sql`${t.rootCause} is null or (${t.status} = 'CLOSED' and ${t.rootCause} in ('SCANNER_OR_DATA_ERROR', 'GENUINE', 'FALSIFIED'))`,
    ),
  ],
);

/**
 * The packs an illegitimate finding names (see `alerts`): each destroyed pack of the alert's batch,
 * with its serial when the batch's serial list is stored here, and the unit it was destroyed in.
 */
export const alertPacks = pgTable(
  "alert_packs",
  {
    alertId: integer("alert_id")
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
    /** The pack's index in its batch's serial list. */
    index: integer("index").notNull(),
    serial: text("serial"),
    /** The quarantined unit it was destroyed inside (at any depth), or null for a loose pack. */
    unit: text("unit"),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.index] }),
    // The VRS responder answers these packs Illegitimate (../vrs/store.ts).
    index("alert_packs_serial_idx").on(t.serial),
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

export const sessions = pgTable(
  "sessions",
  {
    /** Random token, kept in an HttpOnly cookie. */
    id: text("id").primaryKey(),
    /** The organisation signed in: the wallet's address, or the staff member's organisation. */
    address: text("address").notNull(),
    chainId: integer("chain_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Set for a staff member signed in with a passkey (../auth/staff.ts); null for a wallet's session. */
    staffId: text("staff_id"),
  },
  (t) => [index("sessions_staff_idx").on(t.staffId)],
);

export const DERIVED_TABLES = [
  "participants",
  "company_prefixes",
  "products",
  "batches",
  "holdings",
  "shipment_lines",
  "pack_states",
  "units",
  "pack_places",
  "unit_contents",
  "custody_items",
  "shipments",
  "shipment_items",
] as const;

// ---------------------------------------------------------------- verification of product identifiers (VRS)

/**
 * API credentials a manufacturer issued to a trading partner (by GLN) for its verification requests
 * (GS1 Lightweight Messaging, ../vrs). Only the token's SHA-256 is kept; the token is shown once.
 */
export const vrsCredentials = pgTable(
  "vrs_credentials",
  {
    id: serial("id").primaryKey(),
    /** The issuing manufacturer's address: the credential answers for its GTINs only. */
    manufacturer: text("manufacturer").notNull(),
    /** The partner's GLN, which its requests must name as reqGLN. */
    partnerGln: text("partner_gln").notNull(),
    /** The manufacturer's own note of who it is for (the partner's name, its VRS provider). */
    label: text("label").notNull(),
    tokenHash: text("token_hash").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("vrs_credentials_token_idx").on(t.tokenHash),
    index("vrs_credentials_manufacturer_idx").on(t.manufacturer, t.id),
  ],
);

/**
 * Every request the VRS responder answered, and the answer: what the manufacturer of the GTIN asked
 * about sees on its dashboard. Requests for a GTIN no manufacturer here makes have no manufacturer.
 */
export const vrsRequests = pgTable(
  "vrs_requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** verify or checkConnectivity */
    endpoint: text("endpoint").notNull(),
    manufacturer: text("manufacturer"),
    /** reqGLN as sent (cut to 64 characters). */
    requesterGln: text("requester_gln"),
    /** none, api-credential or atp-presentation */
    authMethod: text("auth_method").notNull(),
    credentialId: integer("credential_id"),
    /** The DID that presented ATP credentials. */
    holder: text("holder"),
    gtin: text("gtin"),
    lot: text("lot"),
    serial: text("serial"),
    expiry: text("expiry"),
    context: text("context"),
    corrUuid: text("corr_uuid"),
    ctrlPossessAtt: boolean("ctrl_possess_att"),
    email: text("email"),
    telephone: text("telephone"),
    status: integer("status").notNull(),
    verified: boolean("verified"),
    failureReason: text("failure_reason"),
    additionalInfo: text("additional_info"),
    /** The error code of a refusal (400, 401, 403, 404, 429, 503). */
    errorCode: text("error_code"),
    /** Pedigree's verdict underneath the answer, when a check ran. */
    verdict: text("verdict"),
    /** The body as sent. */
    answer: jsonb("answer").notNull(),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("vrs_requests_manufacturer_idx").on(t.manufacturer, t.id)],
);

/**
 * The VRS lookup directory (../vrs/directory.ts): which responder answers for a GTIN, by the GTIN
 * itself (14 digits) or a GS1 company prefix (6 to 12 digits, matched on the GTIN's digits after
 * its indicator). The longest match wins. Each entry belongs to the manufacturer that owns the
 * prefix or the GTIN's product, and only it may change or remove it.
 */
export const vrsDirectory = pgTable("vrs_directory", {
  prefix: text("prefix").primaryKey(),
  /** The owning manufacturer's address (lower-case). */
  manufacturer: text("manufacturer").notNull(),
  /** The responder's base URL (https; the verify path is appended), normalised without a trailing slash. */
  responderUrl: text("responder_url").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The API credentials a requester (a distributor) holds for responders, as their manufacturers
 * issued them. The token is encrypted (AES-256-GCM, ../security/secret-box.ts) with the server's
 * secret key, bound to the distributor and the responder URL; the API never gives it back.
 */
export const vrsRequesterCredentials = pgTable(
  "vrs_requester_credentials",
  {
    id: serial("id").primaryKey(),
    /** The distributor's address (lower-case). */
    holder: text("holder").notNull(),
    responderUrl: text("responder_url").notNull(),
    label: text("label").notNull(),
    /** The sealed token: version, nonce, ciphertext and tag (secret-box's format). */
    sealedToken: text("sealed_token").notNull(),
    /** The token's last four characters, so people can tell credentials apart. */
    tokenHint: text("token_hint").notNull(),
    storedAt: timestamp("stored_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("vrs_requester_credentials_holder_url_idx").on(t.holder, t.responderUrl)],
);

/**
 * The answers of the responders about returned packs (../vrs/returns.ts): the latest per incoming
 * shipment and pack. A shipment from a pharmacy is received as saleable only when each of its
 * packs has a passing answer here.
 */
export const returnVerifications = pgTable(
  "return_verifications",
  {
    id: serial("id").primaryKey(),
    shipmentId: text("shipment_id").notNull(),
    /** The recipient (a distributor) that asked. */
    requester: text("requester").notNull(),
    gtin: text("gtin").notNull(),
    lot: text("lot").notNull(),
    serial: text("serial").notNull(),
    /** YYMMDD as sent (the standard's exp). */
    expiry: text("expiry").notNull(),
    responderUrl: text("responder_url").notNull(),
    corrUuid: text("corr_uuid").notNull(),
    /** PASSED (verified, nothing the requester must act on), FAILED (the responder's answer says no) or ERROR (no valid answer). */
    outcome: text("outcome").notNull(),
    /** The HTTP status of the responder's answer (null when none came). */
    httpStatus: integer("http_status"),
    verified: boolean("verified"),
    failureReason: text("failure_reason"),
    additionalInfo: text("additional_info"),
    responderGln: text("responder_gln"),
    verificationTimestamp: text("verification_timestamp"),
    /** ERROR: why there is no answer (RESPONDER_TIMEOUT, RESPONDER_REDIRECT, ...) and what it said. */
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("return_verifications_pack_idx").on(t.shipmentId, t.gtin, t.serial),
    check("return_verifications_outcome_check", sql`${t.outcome} in ('PASSED', 'FAILED', 'ERROR')`),
  ],
);

// ---------------------------------------------------------------- the organisation's server signer (../signer)

/**
 * API tokens the organisation issued to its systems (ERP, warehouse, packaging line): each says
 * which write operations it may ask for (`scopes`, ../auth/tokens.ts). Only the token's SHA-256 is
 * kept, as for sessions and VRS credentials; the token is shown once.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: serial("id").primaryKey(),
    /** The organisation (its participant address, lower-case) whose key signs what the token asks for. */
    organisation: text("organisation").notNull(),
    /** Who the token is for, in the organisation's words ("ERP production", "Line 3"). */
    label: text("label").notNull(),
    scopes: text("scopes").array().notNull(),
    tokenHash: text("token_hash").notNull(),
    /** Who created it: "person:<address>" (the organisation's wallet) or "staff:<id>" (a staff administrator). */
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
    /** The last request it authenticated (updated at most once a minute). */
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_tokens_token_idx").on(t.tokenHash),
    index("api_tokens_organisation_idx").on(t.organisation, t.id),
  ],
);

// ---------------------------------------------------------------- staff who sign in with passkeys (../auth/staff.ts)

/**
 * A person working for an organisation, who signs in with a passkey and acts for it within the
 * scopes of their role (STAFF_ROLES). Removed members are kept (writes name them) with `removed_at`;
 * their passkeys and sessions are deleted when they are removed.
 */
export const staffMembers = pgTable(
  "staff_members",
  {
    /** Random, also the WebAuthn user handle of their passkeys (it names no one). */
    id: text("id").primaryKey(),
    /** The organisation's participant address, lower-case. */
    organisation: text("organisation").notNull(),
    displayName: text("display_name").notNull(),
    /** clerk, pharmacist, quality or admin */
    role: text("role").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Who invited them: "person:<address>" (the organisation's wallet) or "staff:<id>". */
    invitedBy: text("invited_by").notNull(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
    removedBy: text("removed_by"),
  },
  (t) => [
    index("staff_members_organisation_idx").on(t.organisation, t.createdAt),
    check("staff_members_role_check", sql`${t.role} in ('clerk', 'pharmacist', 'quality', 'admin')`),
  ],
);

/**
 * Invitations to become staff: a one-time link whose token only the SHA-256 of is kept. Used
 * (`used_at`, `staff_id`) when its passkey is registered; cancelled by an administrator; refused
 * after `expires_at`.
 */
export const staffInvitations = pgTable(
  "staff_invitations",
  {
    id: serial("id").primaryKey(),
    organisation: text("organisation").notNull(),
    displayName: text("display_name").notNull(),
    role: text("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: text("created_by").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    staffId: text("staff_id"),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("staff_invitations_token_idx").on(t.tokenHash),
    index("staff_invitations_organisation_idx").on(t.organisation, t.id),
    check("staff_invitations_role_check", sql`${t.role} in ('clerk', 'pharmacist', 'quality', 'admin')`),
  ],
);

/** A staff member's passkey: the credential's id and public key (COSE), and its signature counter. */
export const staffPasskeys = pgTable(
  "staff_passkeys",
  {
    /** The credential id, base64url. */
    credentialId: text("credential_id").primaryKey(),
    staffId: text("staff_id")
      .notNull()
      .references(() => staffMembers.id, { onDelete: "cascade" }),
    publicKey: bytea("public_key").notNull(),
    /** The authenticator's signature counter at its last use (0 for authenticators that keep none). */
    counter: bigint("counter", { mode: "number" }).notNull(),
    transports: text("transports").array().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [index("staff_passkeys_staff_idx").on(t.staffId)],
);

/**
 * WebAuthn challenges handed out (each usable once, for a few minutes), bound to the client that
 * asked as SIWE nonces are: only the SHA-256 of the secret in its cookie is kept. A registration
 * challenge names the invitation it is for.
 */
export const webauthnChallenges = pgTable(
  "webauthn_challenges",
  {
    challenge: text("challenge").primaryKey(),
    /** register or authenticate */
    purpose: text("purpose").notNull(),
    clientBinding: text("client_binding").notNull(),
    invitationId: integer("invitation_id"),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [
    index("webauthn_challenges_client_idx").on(t.clientBinding, t.purpose),
    check("webauthn_challenges_purpose_check", sql`${t.purpose} in ('register', 'authenticate')`),
  ],
);

/**
 * Every ledger write the server was asked to sign, with who asked, what, and what became of it:
 * the transaction queue of each key (../signer/worker.ts) and the organisation's audit record.
 * `status`: queued (waiting for its turn) → sent (signed with a nonce, broadcast) → confirmed or
 * reverted; refused when the ledger's rules refused it in simulation before it was signed.
 */
export const writeRequests = pgTable(
  "write_requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    chainId: integer("chain_id").notNull(),
    /** The key that signs it (lower-case address): the queue it is in. */
    signer: text("signer").notNull(),
    /** The organisation it is written for (today always the signer's participant). */
    organisation: text("organisation").notNull(),
    /** person (the organisation's wallet), system (an API token) or staff (signed in with a passkey). */
    requesterKind: text("requester_kind").notNull(),
    /** The person's address, the token's id, the staff member's id. */
    requesterId: text("requester_id").notNull(),
    /** A name for people reading the record: the token's label, the person's or staff member's name. */
    requesterLabel: text("requester_label").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    /** SHA-256 of the request (operation and arguments): a key reused for another request is refused. */
    requestHash: text("request_hash").notNull(),
    /** The API's operation (ship, receive...) and its plain arguments, as asked. */
    operation: text("operation").notNull(),
    arguments: jsonb("arguments").notNull(),
    /** Which ABI the call is encoded with (../signer/calls.ts), the contract, the function and its calldata. */
    abi: text("abi").notNull(),
    contract: text("contract").notNull(),
    functionName: text("function_name").notNull(),
    calldata: text("calldata").notNull(),
    status: text("status").notNull().default("queued"),
    nonce: bigint("nonce", { mode: "number" }),
    /** The transaction that was mined, or the latest one sent. */
    transactionHash: text("transaction_hash"),
    blockNumber: bigint("block_number", { mode: "number" }),
    gasUsed: bigint("gas_used", { mode: "number" }),
    /** The ledger's events of a confirmed write (decoded; bigints as decimal strings). */
    events: jsonb("events"),
    /** For reverted and refused writes: explainLedgerError's code and plain-words message. */
    outcomeCode: text("outcome_code"),
    outcomeMessage: text("outcome_message"),
    /** Why the queue is waiting on this write (the node or the signer unreachable...), while it waits. */
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("write_requests_idempotency_idx").on(t.organisation, t.requesterKind, t.requesterId, t.idempotencyKey),
    // One write in flight per nonce of a key: the database itself refuses a second assignment.
    // (Settled writes keep their nonce; a local chain started afresh reuses the numbers.)
    uniqueIndex("write_requests_nonce_idx")
      .on(t.chainId, t.signer, t.nonce)
      .where(sql`${t.status} = 'sent'`),
    index("write_requests_queue_idx").on(t.chainId, t.signer, t.status, t.id),
    index("write_requests_organisation_idx").on(t.organisation, t.id),
    check("write_requests_status_check", sql`${t.status} in ('queued', 'sent', 'confirmed', 'reverted', 'refused')`),
  ],
);

/**
 * Every signed transaction of a write: the first, and each replacement with a higher fee (same
 * nonce). Recorded before it is broadcast, so after a crash the same bytes are sent again, never
 * a second transaction; whichever of them is mined settles the write.
 */
export const writeTransactions = pgTable(
  "write_transactions",
  {
    hash: text("hash").primaryKey(),
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => writeRequests.id, { onDelete: "cascade" }),
    nonce: bigint("nonce", { mode: "number" }).notNull(),
    /** Wei, as decimal strings. */
    maxFeePerGas: text("max_fee_per_gas").notNull(),
    maxPriorityFeePerGas: text("max_priority_fee_per_gas").notNull(),
    gas: text("gas").notNull(),
    /** The signed transaction (0x-hex). */
    raw: text("raw").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("write_transactions_request_idx").on(t.requestId, t.sentAt)],
);

/**
 * Which server process sends for a key: the holder renews its lease while it runs, and every
 * nonce it assigns is recorded in a transaction that checks the lease, so two processes on one
 * PostgreSQL never both sign for one key. Times are the database's.
 */
export const signerLeases = pgTable(
  "signer_leases",
  {
    chainId: integer("chain_id").notNull(),
    signer: text("signer").notNull(),
    holder: text("holder").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.signer] })],
);
