/**
 * Runs before every page (not the API: see the matcher). Two jobs:
 *
 * 1. A Content-Security-Policy with a fresh nonce. Next reads the nonce from the request's
 *    Content-Security-Policy header and puts it on its own scripts, so the pages need nothing else;
 *    every page is rendered per request (they read headers or the session), as nonces require.
 * 2. The patient pages that verify on the server (/verify?code=... and the Digital Link pages
 *    /01/...) share the per-client allowance of GET /api/verify: past it, a 429 with Retry-After.
 */
import { NextResponse, type NextRequest } from "next/server.js";
import { clientAddress } from "./server/security/client-address.ts";
import {
  browserRpcOrigin,
  COMMON_SECURITY_HEADERS,
  newNonce,
  pageContentSecurityPolicy,
  STRICT_TRANSPORT_SECURITY,
} from "./server/security/headers.ts";
import { RATE_LIMITED_CODE, rateLimitMessage, takeVerification } from "./server/security/rate-limit.ts";

function verifiesOnServer(request: NextRequest): boolean {
  const { pathname, searchParams } = request.nextUrl;
  if (pathname === "/01" || pathname.startsWith("/01/")) return true;
  return pathname === "/verify" && (searchParams.get("code") ?? "").trim() !== "";
}

function isHttps(request: NextRequest): boolean {
  return request.nextUrl.protocol === "https:" || (process.env.PEDIGREE_PUBLIC_ORIGIN ?? "").startsWith("https:");
}

/** A patient's browser gets a page it can read; programs get the API's JSON error. */
function tooManyRequests(request: NextRequest, retryAfterSeconds: number, message: string): Response {
  const headers = new Headers({ "retry-after": String(retryAfterSeconds), "cache-control": "no-store" });
  if ((request.headers.get("accept") ?? "").includes("text/html")) {
    headers.set("content-type", "text/html; charset=utf-8");
    const html =
      '<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
      "<title>Too many checks · Pedigree</title>" +
      '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">' +
      "<h1>Too many checks from your connection</h1>" +
      `<p>${message}</p><p>This says nothing about the medicine itself.</p></body></html>`;
    return new Response(html, { status: 429, headers });
  }
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify({ error: { code: RATE_LIMITED_CODE, message, details: { retryAfterSeconds } } }), {
    status: 429,
    headers,
  });
}

export function proxy(request: NextRequest): Response {
  const https = isHttps(request);
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy({
    nonce,
    rpcUrl: browserRpcOrigin(),
    development: process.env.NODE_ENV === "development",
    https,
  });

  let response: Response;
  const refusal = verifiesOnServer(request) ? takeVerification(clientAddress(request.headers)) : undefined;
  if (refusal !== undefined) {
    response = tooManyRequests(request, refusal.retryAfterSeconds, rateLimitMessage(refusal));
  } else {
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("content-security-policy", policy);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  response.headers.set("content-security-policy", policy);
  for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) response.headers.set(name, value);
  if (https) response.headers.set("strict-transport-security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  matcher: [
    // Everything but the API (its bodies must stream: a proxy buffers them) and build assets.
    "/((?!api/|api$|_next/static/|_next/image|favicon.ico).*)",
  ],
};
