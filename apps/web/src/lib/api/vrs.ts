/**
 * Response shapes of the VRS responder's management API (/api/vrs-credentials, /api/vrs-requests),
 * shared by the route handlers (src/server/vrs/store.ts) and the manufacturer's page; and of the
 * requester's (/api/vrs-directory, /api/vrs-requester-credentials, /api/shipments/<id>/verifications:
 * src/server/vrs/directory.ts, requester-credentials.ts, returns.ts), shared with the distributor's.
 */

/** An API credential a manufacturer issued to a trading partner, as its manufacturer sees it (never its token). */
export interface CredentialView {
  id: number;
  partnerGln: string;
  label: string;
  issuedAt: string;
  revokedAt: string | null;
}

/** One request to the VRS responder and what it was answered. */
export interface VrsRequestView {
  id: number;
  at: string;
  endpoint: string;
  requesterGln: string | null;
  authMethod: string;
  credentialId: number | null;
  holder: string | null;
  gtin: string | null;
  lot: string | null;
  serial: string | null;
  expiry: string | null;
  context: string | null;
  corrUUID: string | null;
  ctrlPossessAtt: boolean | null;
  email: string | null;
  telephone: string | null;
  status: number;
  verified: boolean | null;
  failureReason: string | null;
  additionalInfo: string | null;
  errorCode: string | null;
  verdict: string | null;
  answer: unknown;
  durationMs: number;
}

// ---------------------------------------------------------------- the requester

/** An entry of the VRS lookup directory. */
export interface DirectoryEntry {
  prefix: string;
  /** "gtin" (14 digits) or "companyPrefix". */
  kind: "gtin" | "companyPrefix";
  manufacturer: string;
  responderUrl: string;
  updatedAt: string;
}

/** A credential a distributor keeps for a responder (never its token). */
export interface RequesterCredentialView {
  id: number;
  responderUrl: string;
  label: string;
  /** The token's last four characters, after an ellipsis. */
  tokenHint: string;
  storedAt: string;
}

export type ReturnOutcome = "PASSED" | "FAILED" | "ERROR";

export interface ReturnVerificationView {
  gtin: string;
  lot: string;
  serial: string;
  /** YYMMDD as sent. */
  expiry: string;
  outcome: ReturnOutcome;
  responderUrl: string;
  corrUUID: string;
  httpStatus: number | null;
  verified: boolean | null;
  verificationFailureReason: string | null;
  additionalInfo: string | null;
  responderGLN: string | null;
  verificationTimestamp: string | null;
  error: { code: string; message: string } | null;
  checkedAt: string;
}

export interface ReturnLineStatus {
  batchId: string;
  gtin: string;
  lot: string;
  productName: string | null;
  quantity: number;
  passed: number;
  failed: number;
  /** Units with no passing answer yet: quantity - passed, at least 0. */
  unverified: number;
}

export interface ReturnStatus {
  shipmentId: string;
  from: { address: string; name: string | null; role: string | null };
  status: string;
  /** A pharmacy's shipment to a distributor: each pack is verified before it is received as saleable. */
  isReturn: boolean;
  receivable: boolean;
  /** Why it cannot be received yet, in plain words (empty when it can). */
  blocking: string[];
  lines: ReturnLineStatus[];
  verifications: ReturnVerificationView[];
  /** Package-level ledger: each pack the return still carries, and its latest answer (null: none yet). */
  packs?: ReturnPackStatus[];
}

export interface ReturnPackStatus {
  gtin: string;
  lot: string;
  /** Null when the batch's serial list is not stored here (its line is then counted). */
  serial: string | null;
  /** The unit it came in, or null for a loose pack. */
  unit: string | null;
  outcome: ReturnOutcome | null;
}
