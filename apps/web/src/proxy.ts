/**
 * Runs before every page (not the API: see the matcher). Five jobs:
 *
 * 0. A request addressed to another host than the configured origin (PEDIGREE_PUBLIC_ORIGIN), or
 *    a cross-site write, is refused (checkRequestOrigin, as `handle` does for the API).
 * 1. A Content-Security-Policy with a fresh nonce. Next reads the nonce from the request's
 *    Content-Security-Policy header and puts it on its own scripts, so the pages need nothing else;
 *    every page is rendered per request (they read headers or the session), as nonces require.
 * 2. The patient pages that verify on the server (/verify?code=... and the Digital Link pages
 *    /01/...) share the per-client allowance of GET /api/verify: past it, a 429 with Retry-After.
 * 3. A path that cannot be percent-decoded gets a 400 that says so, pages and API alike (Next
 *    itself would answer a bare 500): the matcher sends API paths holding a '%' here for this.
 * 4. A page's query parameter named like a property every object inherits (valueOf, toString,
 *    constructor, __proto__...) gets a 400: Next 16 hands a client page its search parameters as
 *    an object, and fails with a 500 on such a key. No page takes one.
 * 5. Two machine interfaces live outside /api, where partners expect them: the VRS responder
 *    (/vrs/verify/..., /vrs/checkConnectivity: route handlers of their own, outside this proxy like
 *    the API, for the same reasons, and with the API's headers from next.config.ts), and the Digital
 *    Link resolver's linksets and linkType redirects (/01/... asked with `Accept:
 *    application/linkset+json` or a `linkType` other than the page's own, rewritten to
 *    /api/resolver/01/...). A browser opening /01/... still gets the patient page, with a `Link`
 *    header naming the linkset.
 */
import { NextResponse, type NextRequest } from "next/server.js";
import { ApiError, toErrorResponse } from "./server/api/errors.ts";
import { checkRequestOrigin, publicOrigin } from "./server/auth/origin.ts";
import { isApiPath, undecodablePathError } from "./server/request-path.ts";
import { acceptsLinkset, isPageLinkType, LINKSET_TYPE } from "./server/resolver/link-types.ts";
import { clientAddress } from "./server/security/client-address.ts";
import {
  API_CONTENT_SECURITY_POLICY,
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

/** A browser gets a page it can read; programs get the API's JSON error. */
function refusal(
  request: NextRequest,
  status: number,
  error: { code: string; message: string; details?: unknown },
  page: { title: string; heading: string; footnote?: string },
  extraHeaders: Record<string, string> = {},
): Response {
  const headers = new Headers({ ...extraHeaders, "cache-control": "no-store" });
  if ((request.headers.get("accept") ?? "").includes("text/html")) {
    headers.set("content-type", "text/html; charset=utf-8");
    const html =
      '<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
      `<title>${page.title} · Pedigree</title>` +
      '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">' +
      `<h1>${page.heading}</h1><p>${escapeHtml(error.message)}</p>` +
      (page.footnote === undefined ? "" : `<p>${page.footnote}</p>`) +
      "</body></html>";
    return new Response(html, { status, headers });
  }
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify({ error }), { status, headers });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function tooManyRequests(request: NextRequest, retryAfterSeconds: number, message: string): Response {
  return refusal(
    request,
    429,
    { code: RATE_LIMITED_CODE, message, details: { retryAfterSeconds } },
    {
      title: "Too many checks",
      heading: "Too many checks from your connection",
      footnote: "This says nothing about the medicine itself.",
    },
    { "retry-after": String(retryAfterSeconds) },
  );
}

/** The origin gate's refusal (421 another host, 403 a cross-site write), or undefined when the request may go on. */
function misdirected(request: NextRequest): Response | undefined {
  try {
    checkRequestOrigin(request);
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return refusal(
      request,
      error.status,
      { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) },
      { title: "Wrong address", heading: "This page is not served at this address" },
    );
  }
}

/** The patient pages share GET /api/verify's per-client allowance: past it, a 429. */
async function rateLimited(request: NextRequest): Promise<Response | undefined> {
  if (!verifiesOnServer(request)) return undefined;
  const limited = await takeVerification(clientAddress(request.headers));
  return limited === undefined
    ? undefined
    : tooManyRequests(request, limited.retryAfterSeconds, rateLimitMessage(limited));
}

/** A path that cannot be percent-decoded: a 400 that says so, where Next would answer a bare 500 (see request-path.ts). */
function undecodable(request: NextRequest): Response | undefined {
  const error = undecodablePathError(request.nextUrl.pathname);
  if (error === undefined) return undefined;
  if (isApiPath(request.nextUrl.pathname) || isVrsPath(request.nextUrl.pathname)) return toErrorResponse(error);
  return refusal(
    request,
    error.status,
    { code: error.code, message: error.message, details: error.details },
    {
      title: "Broken link",
      heading: "This link is broken",
      footnote:
        'To check a medicine pack, scan the code on the box again, or type it on the <a href="/verify">check page</a>.',
    },
  );
}

/** See 4. above. */
function inheritedNameParameter(request: NextRequest): Response | undefined {
  const name = [...request.nextUrl.searchParams.keys()].find((key) => key in Object.prototype);
  if (name === undefined) return undefined;
  return refusal(
    request,
    400,
    {
      code: "UNKNOWN_PARAMETER",
      message: `The address has a parameter named "${name}", which no page takes: remove it from the address.`,
      details: { parameter: name },
    },
    { title: "Broken link", heading: "This link is broken" },
  );
}

/** The VRS responder's paths: route handlers with the API's headers (next.config.ts), outside this proxy but for the check of 3. */
function isVrsPath(pathname: string): boolean {
  return pathname === "/vrs" || pathname.startsWith("/vrs/");
}

/** The resolver's machine answers (see 5.). */
function machineInterface(request: NextRequest): Response | undefined {
  const { pathname, search, searchParams } = request.nextUrl;
  if (!pathname.startsWith("/01/")) return undefined;
  const linkType = searchParams.get("linkType");
  if (!acceptsLinkset(request.headers.get("accept")) && isPageLinkType(linkType)) return undefined;
  return NextResponse.rewrite(new URL(`/api/resolver${pathname}${search}`, request.url));
}

/** On to the page, with the policy in the request's headers for Next to read its nonce from. */
function next(request: NextRequest, policy: string): Response {
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  return NextResponse.next({ request: { headers: requestHeaders } });
}

export async function proxy(request: NextRequest): Promise<Response> {
  // API and VRS paths come here only when they hold a '%' (see the matcher), for this check alone;
  // their headers are next.config.ts's.
  if (isApiPath(request.nextUrl.pathname) || isVrsPath(request.nextUrl.pathname)) {
    return undecodable(request) ?? NextResponse.next();
  }
  const https = isHttps(request);
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy({
    nonce,
    rpcUrl: browserRpcOrigin(),
    development: process.env.NODE_ENV === "development",
    https,
  });

  const early = misdirected(request) ?? undecodable(request);
  const machine = early === undefined ? machineInterface(request) : undefined;
  if (machine !== undefined) {
    // Rate limited like the patient page of the same link.
    const answer = (await rateLimited(request)) ?? machine;
    answer.headers.set("content-security-policy", API_CONTENT_SECURITY_POLICY);
    for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) answer.headers.set(name, value);
    if (https) answer.headers.set("strict-transport-security", STRICT_TRANSPORT_SECURITY);
    return answer;
  }
  const response = early ?? inheritedNameParameter(request) ?? (await rateLimited(request)) ?? next(request, policy);
  if (request.nextUrl.pathname.startsWith("/01/") && response.status === 200) {
    // The resolver standard: the page names the identifier's linkset.
    const linkset = `${publicOrigin().origin}${request.nextUrl.pathname}?linkType=linkset`;
    response.headers.set("link", `<${linkset}>; rel="linkset"; type="${LINKSET_TYPE}"`);
  }
  response.headers.set("content-security-policy", policy);
  for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) response.headers.set(name, value);
  if (https) response.headers.set("strict-transport-security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  matcher: [
    // Everything but the API (its bodies must stream: a proxy buffers them), the VRS responder
    // (partners' machines, at volume: a pass here cost a third of its throughput) and build assets.
    "/((?!api/|api$|vrs/|vrs$|_next/static/|_next/image).*)",
    // API and VRS paths holding a '%', for the percent-encoding check only (no upload path holds one).
    "/api/(.*%.*)",
    "/vrs/(.*%.*)",
  ],
};
