/**
 * Errors the API answers with. Handlers throw `ApiError`; `toErrorResponse` turns anything thrown
 * into a JSON answer, so no user input can produce a bare 500 (an unexpected error is logged and
 * answered as INTERNAL_ERROR without its details).
 */
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

export function toErrorResponse(error: unknown): Response {
  if (error instanceof ApiError)
    return errorResponse(error.status, error.code, error.message, error.details, error.headers);
  console.error("Unexpected error in an API handler:", error);
  return errorResponse(
    500,
    "INTERNAL_ERROR",
    "Something went wrong on our side. Try again; if it keeps happening, tell the operator.",
  );
}

/** Wraps a handler so every throw becomes a JSON error answer. */
export function handle<A extends unknown[]>(
  handler: (...args: A) => Promise<Response>,
): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
