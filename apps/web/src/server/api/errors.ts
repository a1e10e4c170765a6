/**
 * Errors the API answers with. Handlers throw `ApiError`; `toErrorResponse` (which `handle` in
 * ./handle.ts applies to every route) turns anything thrown into a JSON answer, so no user input
 * can produce a bare 500 (an unexpected error is logged and answered as INTERNAL_ERROR without its
 * details).
 */
import { BaseError } from "viem";
import type { ApiErrorBody } from "../../lib/api-types.ts";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json; charset=utf-8");
  headers.set("cache-control", headers.get("cache-control") ?? "no-store");
  return new Response(JSON.stringify(body), { ...init, headers });
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  details?: unknown,
  headers?: Record<string, string>,
): Response {
  const body: ApiErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return jsonResponse(body, { status, headers });
}

/** Connection failures of postgres-js and Node's sockets (PGlite's thread gone is CONNECTION_CLOSED). */
const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * Whether the database could not be reached or went away mid-query (as opposed to a query it
 * refused): the server cannot answer now, but nothing is wrong with the request, so the answer is
 * 503 with Retry-After, never a 500 nor an answer built from missing rows. Chain failures are
 * told apart by their viem error (they carry the same socket codes) and handled where the chain is read.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof BaseError) return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (CONNECTION_ERROR_CODES.has(code)) return true;
      // SQLSTATE class 08 (connection exception), 57P01-57P03 (shut down, crashed, starting), 53300 (too many connections).
      if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === "53300") return true;
    }
    current = current.cause;
  }
  return false;
}

export function toErrorResponse(error: unknown): Response {
  if (error instanceof ApiError)
    return errorResponse(error.status, error.code, error.message, error.details, error.headers);
  if (isDatabaseUnavailable(error)) {
    console.error(`The database cannot be reached: ${firstMessage(error)}`);
    return errorResponse(
      503,
      "DATABASE_UNAVAILABLE",
      "The server cannot reach its database right now. Nothing was read or changed; try again in a few seconds.",
      undefined,
      { "retry-after": "5" },
    );
  }
  console.error("Unexpected error in an API handler:", error);
  return errorResponse(
    500,
    "INTERNAL_ERROR",
    "Something went wrong on our side. Try again; if it keeps happening, tell the operator.",
  );
}

function firstMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
