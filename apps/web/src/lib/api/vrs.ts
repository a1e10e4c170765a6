/**
 * Response shapes of the VRS responder's management API (/api/vrs-credentials, /api/vrs-requests),
 * shared by the route handlers (src/server/vrs/store.ts) and the manufacturer's page.
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
