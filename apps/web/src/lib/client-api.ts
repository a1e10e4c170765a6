/**
 * The browser's calls to the HTTP API: typed answers, and one error type that carries the
 * server's plain-words message (every error answer is `{ error: { code, message } }`).
 */
import type {
  ApiErrorBody,
  ManifestUploadResponse,
  NonceResponse,
  SessionResponse,
  SignInResponse,
  VerifyResponse,
} from "./api-types.ts";
import type { AlertState, RootCause } from "./alert-workflow.ts";
import type { SigningAnswer } from "./tx/write-path.ts";
import type {
  AlertDetailView,
  AlertsResponse,
  BatchResponse,
  ParticipantsResponse,
  PackTraceResponse,
  PartyResponse,
  ProductsResponse,
  RecallsResponse,
  SearchResponse,
  ShipmentsResponse,
} from "./api/read.ts";
import type {
  CredentialView,
  DirectoryEntry,
  RequesterCredentialView,
  ReturnStatus,
  ReturnVerificationView,
  VrsRequestView,
} from "./api/vrs.ts";

export type {
  CredentialView,
  DirectoryEntry,
  RequesterCredentialView,
  ReturnStatus,
  ReturnVerificationView,
  VrsRequestView,
};

/** GET /api/packs/proof: what `decommission` takes for one pack. */
export interface PackProofResponse {
  gtin: string;
  lot: string;
  serial: string;
  batchId: `0x${string}`;
  index: number;
  proof: `0x${string}`[];
}

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiRequestError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...init });
  } catch {
    throw new ApiRequestError(0, "NETWORK", "The server cannot be reached. Check your connection and try again.");
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // A non-JSON answer (an HTML 404 page of a route not built yet) is reported below.
  }
  if (!response.ok) {
    const error = (body as ApiErrorBody | undefined)?.error;
    if (error?.message) throw new ApiRequestError(response.status, error.code, error.message, error.details);
    throw new ApiRequestError(
      response.status,
      response.status === 404 ? "NOT_FOUND" : "HTTP_ERROR",
      response.status === 404
        ? `This server does not answer ${path.split("?")[0]} (404).`
        : `The server answered ${response.status} for ${path.split("?")[0]}.`,
    );
  }
  if (body === undefined)
    throw new ApiRequestError(response.status, "BAD_RESPONSE", `The server sent no JSON for ${path}.`);
  return body as T;
}

const enc = encodeURIComponent;

/** The paths of the reads that pages make (the server makes the same ones for the first page: server/page-data.ts). */
export const readPaths = {
  participants: () => "/api/participants",
  ledger: () => "/api/ledger",
  products: (manufacturer?: string) =>
    `/api/products${manufacturer ? `?manufacturer=${manufacturer.toLowerCase()}` : ""}`,
  party: (address: string) => `/api/parties/${address.toLowerCase()}`,
  /** `query`: the alerts page's filters as a query string (status, gtin, reporter, from, to...). */
  alerts: (query = "") => `/api/alerts${query ? `?${query}` : ""}`,
  recalls: () => "/api/recalls",
  search: (q: string) => `/api/search?q=${enc(q)}`,
};

/** GET `path` from the API as JSON, or an ApiRequestError with the server's words. */
export function getJson<T>(path: string): Promise<T> {
  return request<T>(path);
}

/** `method` `path` with a JSON body (or none), answered as JSON, or an ApiRequestError with the server's words. */
export function sendJson<T>(method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  return request<T>(path, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
}

export const api = {
  participants: () => request<ParticipantsResponse>(readPaths.participants()),
  products: (manufacturer?: string) => request<ProductsResponse>(readPaths.products(manufacturer)),
  party: (address: string) => request<PartyResponse>(readPaths.party(address)),
  shipments: (query: { to?: string; from?: string; status?: string; batch?: string } = {}) =>
    request<ShipmentsResponse>(`/api/shipments?${new URLSearchParams(query as Record<string, string>)}`),
  batch: (gtin: string, lot: string) => request<BatchResponse>(`/api/batches/${enc(gtin)}/${enc(lot)}`),
  alerts: (query = "") => request<AlertsResponse>(readPaths.alerts(query)),
  alert: (id: number) => request<AlertDetailView>(`/api/alerts/${id}`),
  changeAlert: (id: number, change: { status: AlertState; rootCause?: RootCause; note?: string }) =>
    request<AlertDetailView>(`/api/alerts/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(change),
    }),
  recalls: () => request<RecallsResponse>(readPaths.recalls()),
  search: (q: string) => request<SearchResponse>(readPaths.search(q)),
  verify: (code: string, purpose: "dispense" | "verify" = "dispense", entry: "scanned" | "typed" = "scanned") =>
    request<VerifyResponse>(`/api/verify?code=${enc(code)}&purpose=${purpose}&entry=${entry}`),
  packProof: (code: string) => request<PackProofResponse>(`/api/packs/proof?code=${enc(code)}`),
  packTrace: (gtin: string, serial: string, lot: string) =>
    request<PackTraceResponse>(`/api/packs/${enc(gtin)}/${enc(serial)}/trace?lot=${enc(lot)}`),
  nonce: () => request<NonceResponse>("/api/auth/nonce"),
  signIn: (message: string, signature: string) =>
    request<SignInResponse>("/api/auth/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message, signature }),
    }),
  session: () => request<SessionResponse>("/api/auth/session"),
  /** Whether this server signs the session's organisation's writes (lib/tx/write-path.ts). */
  signing: () => request<SigningAnswer>("/api/signing", { cache: "no-store" }),
  vrsCredentials: () => request<{ credentials: CredentialView[] }>("/api/vrs-credentials"),
  issueVrsCredential: (partnerGln: string, label: string) =>
    request<CredentialView & { token: string }>("/api/vrs-credentials", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ partnerGln, label }),
    }),
  revokeVrsCredential: (id: number) => request<CredentialView>(`/api/vrs-credentials/${id}`, { method: "DELETE" }),
  vrsDirectory: () => request<{ entries: DirectoryEntry[] }>("/api/vrs-directory"),
  /** Adds or changes the signed-in manufacturer's entry for `prefix` (a company prefix or GTIN). */
  putVrsDirectoryEntry: (prefix: string, responderUrl: string) =>
    request<DirectoryEntry>("/api/vrs-directory", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prefix, responderUrl }),
    }),
  deleteVrsDirectoryEntry: (prefix: string) =>
    request<{ deleted: DirectoryEntry }>(`/api/vrs-directory/${enc(prefix)}`, { method: "DELETE" }),
  vrsRequesterCredentials: () => request<{ credentials: RequesterCredentialView[] }>("/api/vrs-requester-credentials"),
  /** Stores (or replaces) the signed-in distributor's credential for a responder; the answer never holds the token. */
  putVrsRequesterCredential: (credential: { responderUrl: string; token: string; label?: string }) =>
    request<RequesterCredentialView>("/api/vrs-requester-credentials", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(credential),
    }),
  deleteVrsRequesterCredential: (id: number) =>
    request<{ deleted: RequesterCredentialView }>(`/api/vrs-requester-credentials/${id}`, { method: "DELETE" }),
  returnStatus: (shipmentId: string) => request<ReturnStatus>(`/api/shipments/${enc(shipmentId)}/verifications`),
  verifyReturnedPack: (shipmentId: string, code: string) =>
    request<{ verification: ReturnVerificationView; return: ReturnStatus }>(
      `/api/shipments/${enc(shipmentId)}/verifications`,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }) },
    ),
  vrsRequests: (perPage = 50) =>
    request<{ requests: VrsRequestView[]; before: number | null }>(`/api/vrs-requests?perPage=${perPage}`),
  uploadManifest: (gtin: string, lot: string, serials: readonly string[]) =>
    request<ManifestUploadResponse>(`/api/manifests?gtin=${enc(gtin)}&lot=${enc(lot)}`, {
      method: "POST",
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: serials.join("\n"),
    }),
};

export const exportLinks = {
  epcis: (gtin: string, lot: string) => `/api/batches/${enc(gtin)}/${enc(lot)}/epcis`,
  /** The same events as EPCIS 1.2 XML with the GS1 US healthcare extensions (DSCSA partners' systems). */
  epcis12: (gtin: string, lot: string) => `/api/batches/${enc(gtin)}/${enc(lot)}/epcis12`,
  csv: (gtin: string, lot: string) => `/api/batches/${enc(gtin)}/${enc(lot)}/csv`,
  labels: (gtin: string, lot: string) => `/labels/${enc(gtin)}/${enc(lot)}`,
  /** Every alert the filters in `query` match, as CSV. */
  alertsCsv: (query: string) => {
    const params = new URLSearchParams(query);
    params.set("format", "csv");
    return `/api/alerts?${params}`;
  },
};
