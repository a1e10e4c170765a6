/**
 * The JSON shapes the HTTP API answers with: shared by the route handlers (server) and the
 * pages that call them (browser). Plain data only: no imports of server code.
 */

/** Every error answer: `{ error: { code, message } }` with a 4xx or 5xx status. */
export interface ApiErrorBody {
  error: {
    /** Stable, upper-case code a program can branch on (e.g. INVALID_QUERY, LEDGER_UNAVAILABLE). */
    code: string;
    /** What is wrong and what to do, in plain words. */
    message: string;
    /** Optional structured detail (the parser's error, the bad lines of a serial list...). */
    details?: unknown;
  };
}

export type VerdictName =
  | "GENUINE"
  | "DISPENSED"
  | "DECOMMISSIONED"
  | "RECALLED"
  | "SUSPENDED"
  /** The package-level ledger's: the batch, the pack or the unit around it is quarantined. */
  | "QUARANTINED"
  | "EXPIRED"
  | "MISMATCH"
  | "UNKNOWN_SERIAL"
  | "UNKNOWN_PRODUCT"
  | "UNAVAILABLE"
  | "INVALID_CODE";

export interface PartyView {
  address: string;
  name?: string;
  gln?: string;
  role?: string;
}

export interface VerifyResponse {
  verdict: VerdictName;
  /** One plain sentence for the verdict, and what to do next. */
  headline: string;
  advice: string;
  /** True when the scan should be investigated as a potential falsification (an alert was raised). */
  alert: boolean;
  pack: {
    gtin?: string;
    lot?: string;
    serial?: string;
    expiry?: string;
    /** The pack's place in its batch's serial list: for signed-in participants only. */
    index?: number;
    state?: string;
    digitalLink?: string;
  } | null;
  batch: {
    batchId: string;
    lot: string;
    /** ISO date (YYYY-MM-DD) of the last day of validity. */
    expiry: string;
    status: string;
    /** How many packs the batch has: for signed-in participants only (a quantity). */
    packCount?: number;
    statusReason?: string;
    statusAt?: string;
  } | null;
  product: { gtin: string; name: string; strength: string; dosageForm: string } | null;
  manufacturer: PartyView | null;
  /** Who holds the pack, when known: for signed-in participants only (null for the public). */
  holder: PartyView | null;
  /** For a dispensed or decommissioned pack: when, and (for signed-in participants) by whom. */
  decommissioned?: { state: string; by?: PartyView; at: string } | null;
  /**
   * Where the pack is, on the package-level ledger (signed-in participants only): its custody
   * (that of the unit at the top of its nesting when it is inside units), who has it, and the units
   * around it, innermost first. Absent on the count ledger and when the serial was not proved.
   */
  location?: PackLocationView;
  /**
   * A pharmacy's check before dispensing: whether the pack is in its stock. On the package-level
   * ledger exactly (it holds the pack, loose or inside a unit it holds; not in transit to it); on
   * the count ledger, whether it holds units of the pack's batch.
   */
  inStock?: boolean;
  /** The pack's custody history (shipments of its batch that reached its holder), when asked with `history=1`. */
  history?: TimelineEntry[];
  /** The parser's error for INVALID_CODE. */
  codeError?: { code: string; message: string };
  /** MISMATCH: the label field that disagrees with the record; `record` lists the lots holding the serial when it belongs to another lot. */
  mismatch?: { field: "lot" | "expiry"; label: string; record: string | string[] };
  /** UNAVAILABLE: which sources could not be read, and why. */
  unavailable?: { source: "chain" | "manifest"; reason: string }[];
  /** EXPIRED: the batch's expiry date (YYYY-MM-DD) that has passed. */
  expiredOn?: string;
  checkedAt: string;
  /** The block whose ledger state the answer gives (null when the ledger could not be read). */
  blockNumber: number | null;
  /** ISO time of that block: how current the answer is (null when unknown). */
  blockTime: string | null;
  /**
   * Where the ledger's state was read: "read-model" (this server's index of the chain, at its
   * indexed block: public checks while the index is current) or "chain" (the node, at its head:
   * checks before dispensing, and any check while the index lags). Null when neither could be read.
   */
  source: "read-model" | "chain" | null;
}

/** Where a pack is on the package-level ledger (VerifyResponse.location). */
export interface PackLocationView {
  /** HELD, IN_TRANSIT, QUARANTINED, DECOMMISSIONED or DESTROYED: the custody of the pack or of its top-most unit. */
  place: string;
  /** HELD, QUARANTINED: the holder; IN_TRANSIT: the sender; DECOMMISSIONED, DESTROYED: who did it. */
  party: PartyView | null;
  /** IN_TRANSIT: the recipient. */
  recipient?: PartyView;
  /** The SSCC of the unit directly containing the pack, when it is inside one. */
  unit?: string;
  /** The SSCC of the unit at the top of its nesting (the pallet around the case), when inside one. */
  top?: string;
}

export interface TimelineEntry {
  eventName: string;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  /** ISO timestamp of the block. */
  time: string;
  batchId: string | null;
  /** The parties the event names, resolved to names and GLNs. */
  parties: Record<string, PartyView>;
  /** Quantity, reason, pack index and state... as the event carries them. */
  details: Record<string, string | number | boolean | null>;
  /** One line for people: "Acme Pharma shipped 100 units to Northwind Wholesale". */
  summary: string;
}

// ---------------------------------------------------------------- sign-in and manifest upload

/** GET /api/auth/nonce: the nonce and what the EIP-4361 message must carry to be accepted. */
export interface NonceResponse {
  nonce: string;
  /** ISO timestamp after which the nonce is refused. */
  expiresAt: string;
  /** The message's `domain` (host[:port]) and `uri` (this origin), and the ledger's chain id. */
  domain: string;
  uri: string;
  chainId: number;
  statement: string;
}

/** POST /api/auth/verify: the session (also set as the HttpOnly `pedigree_session` cookie). */
export interface SignInResponse {
  /** For programs: send as `Authorization: Bearer <token>`. */
  token: string;
  address: string;
  chainId: number;
  expiresAt: string;
}

/** GET /api/auth/session: who is signed in, with role and name read on chain now. */
export type SessionResponse =
  | { signedIn: false; expired?: true }
  | {
      signedIn: true;
      address: string;
      chainId: number;
      expiresAt: string;
      /** NONE when the address is not a participant. */
      role: "NONE" | "REGULATOR" | "MANUFACTURER" | "DISTRIBUTOR" | "PHARMACY";
      suspended: boolean;
      name?: string;
      gln?: string;
      /** Set when a staff member signed in with a passkey: the person, acting for the organisation above. */
      staff?: StaffIdentityView;
    };

// ---------------------------------------------------------------- staff (passkeys)

/** A staff member's role within their organisation (server/auth/staff.ts's STAFF_ROLES). */
export type StaffRole = "clerk" | "pharmacist" | "quality" | "admin";

export interface StaffIdentityView {
  id: string;
  name: string;
  role: StaffRole;
}

export interface StaffMemberView extends StaffIdentityView {
  createdAt: string;
  /** "person:<address>" (the organisation's wallet) or "staff:<id>". */
  invitedBy: string;
  /** How many passkeys they have. */
  passkeys: number;
}

export interface StaffInvitationView {
  id: number;
  name: string;
  role: StaffRole;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
}

/** GET /api/staff */
export interface StaffListResponse {
  members: StaffMemberView[];
  invitations: StaffInvitationView[];
  /** Each role's name, and what it may do in plain words. */
  roles: Record<StaffRole, { label: string; scopes: string[]; allows: string[]; manages: boolean }>;
}

/** POST /api/staff/invitations: the link is shown once (only its hash is kept). */
export interface StaffInvitationIssued {
  invitation: StaffInvitationView;
  link: string;
}

/** POST /api/auth/passkey/verify and /api/auth/passkey/register/verify */
export interface PasskeySignInResponse {
  token: string;
  address: string;
  chainId: number;
  expiresAt: string;
  staff: StaffIdentityView;
}

/** POST /api/manifests: 201 when stored now, 200 when the same manifest was already there. */
export interface ManifestUploadResponse {
  stored: boolean;
  batchId: string;
  gtin: string;
  lot: string;
  root: string;
  serialCount: number;
}
