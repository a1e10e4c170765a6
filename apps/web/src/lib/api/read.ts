/**
 * Response shapes of the read API (batches, timelines, alerts, search, stock), shared by the
 * route handlers (server) and the pages that call them (browser). Plain data only: every time is
 * an ISO 8601 string, every party a PartyView with its name, GLN and role when the ledger knows
 * them. The EPCIS and CSV exports are documents of their own standards and have no type here.
 */
import type { PartyView, TimelineEntry } from "../api-types.ts";
import type { AlertState, RootCause } from "../alert-workflow.ts";

export type { PartyView, TimelineEntry };

/** QUARANTINED: the package-level ledger's, while a batch is under investigation as suspect product. */
export type BatchStatus = "ACTIVE" | "SUSPENDED" | "RECALLED" | "QUARANTINED";
export type ShipmentStatus = "PENDING" | "RECEIVED" | "REJECTED" | "CANCELLED";
export type ParticipantRole = "REGULATOR" | "MANUFACTURER" | "DISTRIBUTOR" | "PHARMACY";

export interface ProductView {
  gtin: string;
  name: string;
  strength: string;
  dosageForm: string;
  manufacturer: PartyView;
  registeredBlock: number;
}

export interface BatchView {
  batchId: string;
  gtin: string;
  lot: string;
  /** ISO date (YYYY-MM-DD), the last day of validity. */
  expiry: string;
  status: BatchStatus;
  /** Reason, party and time of the latest recall or suspension (null while it never had one). */
  statusReason: string | null;
  statusBy: PartyView | null;
  statusAt: string | null;
  packCount: number;
  serialsRoot: string;
  /** Hash of the certificate of analysis, null when none was attached. */
  documentHash: string | null;
  registeredBlock: number;
  registeredAt: string;
  /** Whether this server holds the batch's serial list (needed to verify its packs). */
  manifestStored: boolean;
  /** GS1 Digital Link of the batch (class level: GTIN + lot). */
  digitalLink: string;
}

export interface HoldingView {
  party: PartyView;
  units: number;
  /**
   * Of `units`, those quarantined as items (package-level ledger: a quarantined pack or unit the
   * party holds); always 0 on the count ledger, which quarantines whole batches (the batch's status).
   */
  quarantined: number;
}

export interface ShipmentView {
  shipmentId: string;
  batchId: string;
  gtin: string;
  lot: string;
  productName: string | null;
  from: PartyView;
  to: PartyView;
  quantity: number;
  /** The sender's business reference (text when it was written as text, else the bytes32 hex). */
  reference: string;
  status: ShipmentStatus;
  /** Rejection reason. */
  reason: string | null;
  shippedAt: string;
  shippedBlock: number;
  shippedTx: string;
  settledAt: string | null;
  settledBlock: number | null;
}

/** GET /api/batches/<gtin>/<lot> */
export interface BatchResponse {
  batch: BatchView;
  product: ProductView | null;
  manufacturer: PartyView;
  /** Who holds units now, most units first. */
  holdings: HoldingView[];
  /** Shipments of this batch not yet received, rejected or cancelled. */
  inTransit: ShipmentView[];
  /** registered = held + inTransit + decommissioned (the ledger conserves units). */
  units: { registered: number; held: number; inTransit: number; decommissioned: number };
  /** Every event of the batch, in chain order (block, log index). */
  timeline: TimelineEntry[];
}

export interface ParticipantView extends PartyView {
  name: string;
  gln: string;
  role: ParticipantRole;
  number: number;
  suspended: boolean;
  /**
   * Reason, party (the administrator) and time of the latest suspension or reinstatement, as
   * recorded on chain; null while the participant never had one.
   */
  statusReason: string | null;
  statusBy: PartyView | null;
  statusAt: string | null;
  /** GS1 company prefixes assigned to a manufacturer. */
  companyPrefixes: string[];
  onboardedBlock: number;
}

/** GET /api/participants */
export interface ParticipantsResponse {
  participants: ParticipantView[];
}

/** GET /api/ledger */
export interface LedgerStatusResponse {
  /** As the read model has indexed it (the chain's own flag may be a block or two ahead). */
  paused: boolean;
  /** The latest pause or resumption, with the reason recorded on chain; null if never paused. */
  lastChange: {
    paused: boolean;
    reason: string;
    by: PartyView;
    at: string;
    transactionHash: string;
  } | null;
}

/** GET /api/products */
export interface ProductsResponse {
  /** `batches` only when the request names the manufacturer: its batches of the product, newest first. */
  products: (ProductView & { batchCount: number; batches?: BatchView[] })[];
}

export interface StockLine {
  batchId: string;
  gtin: string;
  lot: string;
  /** The batch's manufacturer (address): the one party a return of it may go to. */
  manufacturer: string;
  productName: string | null;
  strength: string | null;
  dosageForm: string | null;
  expiry: string;
  /** True when the expiry date is before today (UTC). */
  expired: boolean;
  /** Days from today to the expiry date (negative once expired). */
  daysToExpiry: number;
  status: BatchStatus;
  statusReason: string | null;
  units: number;
  /** Of `units`, those quarantined as items (as HoldingView.quarantined). */
  quarantined: number;
}

/** GET /api/parties/<address> */
export interface PartyResponse {
  party: ParticipantView | PartyView;
  /** False for an address the ledger never onboarded (it may still appear in old events). */
  registered: boolean;
  /** Stock by product, then batch (earliest expiry first). */
  stock: { gtin: string; productName: string | null; units: number; batches: StockLine[] }[];
  incoming: ShipmentsByStatus;
  outgoing: ShipmentsByStatus;
  /** Package-level ledger: the logistic units the party holds at the top of their nesting, by SSCC. */
  units?: HeldUnitView[];
  /** Package-level ledger: per pending shipment listed (incoming or outgoing), its items still in transit. */
  pendingItems?: Record<string, ShipmentItemView[]>;
}

/** A logistic unit (pallet, case, tote) a party holds, not inside another unit. */
export interface HeldUnitView {
  /** 18 digits (AI 00). */
  sscc: string;
  quarantined: boolean;
  /** Units directly inside it (the cases on a pallet). */
  childUnits: number;
  /** The packs inside it at any depth, by batch. */
  contents: { batchId: string; gtin: string; lot: string; productName: string | null; packs: number }[];
}

/** What a shipment of the package-level ledger carries that is still in transit: a unit, or a loose pack. */
export interface ShipmentItemView {
  /** The item's position in the shipment. */
  position: number;
  /** A unit: its SSCC. */
  sscc: string | null;
  /** A loose pack: its batch, index and serial (null when the batch's serial list is not stored). */
  pack: { gtin: string; lot: string; index: number; serial: string | null } | null;
  /** The packs it carries, at any depth (1 for a loose pack). */
  packs: number;
}

export type ShipmentsByStatus = Record<ShipmentStatus, ShipmentView[]>;

/** GET /api/shipments */
export interface ShipmentsResponse {
  shipments: ShipmentView[];
  /** Present when more shipments match: pass it back as `nextPageToken`. */
  nextPageToken: string | null;
}

export interface AlertView {
  id: number;
  raisedAt: string;
  verdict: string;
  purpose: string;
  gtin: string | null;
  lot: string | null;
  serial: string | null;
  batchId: string | null;
  reportedBy: PartyView | null;
  message: string;
  status: AlertState;
  /** Set once closed (null for alerts closed before root causes were recorded). */
  rootCause: RootCause | null;
  /** Scans merged into this alert (the same party scanning the same pack again), the first at raisedAt. */
  occurrences: number;
  lastSeenAt: string;
  blockNumber: number | null;
  /** An illegitimate finding (verdict ILLEGITIMATE): the party whose stock the destroyed packs were. */
  holder: PartyView | null;
  /** An illegitimate finding: the transaction that ended the quarantine. */
  transactionHash: string | null;
}

/** A pack an illegitimate finding names. */
export interface AlertPackView {
  /** Its index in the batch's serial list. */
  index: number;
  /** Null when the batch's serial list is not stored here. */
  serial: string | null;
  /** The quarantined unit it was destroyed inside (at any depth), or null for a loose pack. */
  unit: string | null;
}

/** One change of an alert's state: who made it (the party as the ledger named it then), when, and why. */
export interface AlertChangeView {
  at: string;
  by: PartyView;
  from: AlertState;
  to: AlertState;
  rootCause: RootCause | null;
  note: string | null;
}

/** GET and PATCH /api/alerts/<id>: the alert and its history, oldest change first. */
export interface AlertDetailView extends AlertView {
  history: AlertChangeView[];
  /** An illegitimate finding: the packs it names, by index (the first ALERT_PACKS_LISTED); empty for a scan's alert. */
  packs: AlertPackView[];
  /** How many packs it names in all. */
  packCount: number;
}

export interface RecalledStockView {
  batch: Pick<BatchView, "batchId" | "gtin" | "lot" | "expiry" | "statusReason" | "statusBy" | "statusAt">;
  productName: string | null;
  manufacturer: PartyView;
  /** Units still held, and by whom (most first). */
  unitsHeld: number;
  holders: HoldingView[];
  /** Units on their way somewhere (they are still out in the field). */
  unitsInTransit: number;
}

/** GET /api/alerts */
export interface AlertsResponse {
  alerts: AlertView[];
  nextPageToken: string | null;
  /** Recalled batches of which some units are still held or in transit. */
  recalledStock: RecalledStockView[];
}

/** GET /api/recalls */
export interface RecallsResponse {
  recalledStock: RecalledStockView[];
}

export type SearchResultKind = "batch" | "product" | "party" | "pack" | "transaction" | "shipment" | "sscc";

export interface SearchResult {
  kind: SearchResultKind;
  /** One line for people, e.g. "Amoxicillin 500 mg, lot A1 (expires 2027-12-31)". */
  title: string;
  subtitle: string;
  /** Where the UI takes the user for this result (see readLinks). */
  href: string;
  /** Identifiers of the result, so a program need not parse the title. */
  gtin?: string;
  lot?: string;
  serial?: string;
  address?: string;
  transactionHash?: string;
  /** For a transaction: its events as timeline entries. */
  events?: TimelineEntry[];
}

/** GET /api/search?q= */
export interface SearchResponse {
  query: string;
  /** What the query was read as: "gtin", "gs1-code", "sscc", "gln", "address", "hash", "text"... */
  interpretedAs: string[];
  results: SearchResult[];
  /** Plain-language notes: a bad check digit, an SSCC the ledger does not record, too many matches. */
  notes: string[];
}

/** Units of a batch by where they are: registered = held + inTransit + decommissioned. */
export interface UnitBalance {
  registered: number;
  held: number;
  inTransit: number;
  decommissioned: number;
}

export interface ProductBatchLine {
  batch: BatchView;
  /** True when the expiry date is before today (UTC). */
  expired: boolean;
  units: UnitBalance;
  /** Who holds its units now, most units first. */
  holders: HoldingView[];
}

/** The auditor's product page: the product and every batch of it, newest first. */
export interface ProductResponse {
  product: ProductView;
  batches: ProductBatchLine[];
  /** The batches' units added up. */
  units: UnitBalance;
}

/** A timeline entry with its batch's GTIN and lot (null for events that name no batch), for links. */
export type LocatedEvent = TimelineEntry & { gtin: string | null; lot: string | null };

/** The auditor's transaction page: what one ledger transaction did. */
export interface TransactionResponse {
  transactionHash: string;
  blockNumber: number;
  /** ISO timestamp of the block. */
  time: string;
  /** Its ledger events, in log order. */
  events: LocatedEvent[];
  /** The batches its events name. */
  batches: { batchId: string; gtin: string; lot: string; productName: string | null; status: BatchStatus }[];
  /** The parties its events name, each once. */
  parties: PartyView[];
}

/** A party's most recent ledger events, newest first. */
export interface PartyActivity {
  events: LocatedEvent[];
  /** True when older events exist beyond those listed. */
  more: boolean;
}

/** The UI pages results and answers link to; one place so the pages and the API agree. */
export const readLinks = {
  batch: (gtin: string, lot: string) => `/auditor/batches/${gtin}/${encodeURIComponent(lot)}`,
  product: (gtin: string) => `/auditor/products/${gtin}`,
  party: (address: string) => `/auditor/parties/${address.toLowerCase()}`,
  transaction: (hash: string) => `/auditor/transactions/${hash.toLowerCase()}`,
  search: (q: string) => `/auditor/search?q=${encodeURIComponent(q)}`,
} as const;

/**
 * GET /api/packs/<gtin>/<serial>/trace (package-level ledger; server/read/trace.ts): the pack, where
 * it is at the block the read model reached, and the events of its history the viewer may see.
 */
export interface PackTraceResponse {
  gtin: string;
  lot: string;
  serial: string;
  batchId: string;
  index: number;
  /** Null when where it is now is not the viewer's to know. */
  whereabouts: {
    /** HELD, IN_TRANSIT, QUARANTINED, DECOMMISSIONED or DESTROYED: its own, or its top-most unit's. */
    place: string;
    /** HELD, QUARANTINED: the holder; IN_TRANSIT: the sender; DECOMMISSIONED: who did it (lower case). */
    party: string;
    recipient: string | null;
    /** The units around it, innermost first. */
    path: string[];
    /** DECOMMISSIONED: the pack state and when (unix seconds). */
    state: string | null;
    at: number | null;
  } | null;
  indexedBlock: number | null;
  partial: boolean;
}
