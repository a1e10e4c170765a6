/**
 * The one origin this server answers as, and the gate that refuses requests meant for another.
 *
 * The origin comes from configuration, never from the request: PEDIGREE_PUBLIC_ORIGIN (e.g.
 * https://pedigree.example.org), else DEFAULT_PUBLIC_ORIGIN, where `next dev`/`next start` listen
 * in this repository (`npm start` sets the variable to the URL it prints). It is what a Sign-In
 * with Ethereum message must name, what labels print into their QR codes, and whether cookies need
 * `Secure`. Taking it from the Host header would let a phishing site that forwards to us obtain
 * signatures its victims' wallets show as ours (DNS rebinding does the same to a local server).
 *
 * `checkRequestOrigin` runs before every API handler (`handle`) and every page (proxy.ts):
 * - a Host other than the origin's is refused (421): the request was not addressed to us;
 * - a state-changing request (anything but GET, HEAD, OPTIONS) whose `Origin` is another origin,
 *   or that a browser marks as cross-site (`Sec-Fetch-Site`), is refused (403): login CSRF and
 *   every other cross-site write. Programs (the CLI, a partner's system) send no Origin and
 *   authenticate with a bearer token, which no other site can attach.
 */
import { ApiError } from "../api/errors.ts";

/** Where the dashboard listens when nothing is configured (apps/web's `dev` and `start` scripts). */
export const DEFAULT_PUBLIC_ORIGIN = "http://127.0.0.1:3000";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The configured public origin, as a URL with nothing but scheme, host and port. */
export function publicOrigin(env: NodeJS.ProcessEnv = process.env): URL {
  const configured = env.PEDIGREE_PUBLIC_ORIGIN;
  const text = configured === undefined || configured === "" ? DEFAULT_PUBLIC_ORIGIN : configured;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(
      `PEDIGREE_PUBLIC_ORIGIN must be an absolute URL such as https://pedigree.example.org (got '${text}').`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`PEDIGREE_PUBLIC_ORIGIN must be an http or https URL (got '${text}').`);
  }
  return new URL(url.origin);
}

/**
 * `localhost:<port>` for an origin on the loopback address 127.0.0.1 (or [::1]) and that port. Next
 * names 127.0.0.1 "localhost" in a proxy's rewrite and then forwards the request with that Host (the
 * resolver's linksets, src/proxy.ts), and passkeys are used from pages on `localhost` (passkeyOrigin).
 * Both names reach only this machine, and no other site can answer as either, so this opens nothing
 * to DNS rebinding; the Origin check below accepts the two names and nothing else.
 */
function isLoopbackAlias(host: string, origin: URL): boolean {
  if (origin.hostname !== "127.0.0.1" && origin.hostname !== "[::1]") return false;
  return host === (origin.port === "" ? "localhost" : `localhost:${origin.port}`);
}

/**
 * The origin passkeys are made and used on: the configured origin, or for one on a loopback
 * address `http://localhost:<port>`. WebAuthn binds a passkey to a domain name (its RP ID), and
 * browsers refuse an IP address as one; `localhost` is the same machine under its name (a secure
 * context even over http), and the only other name isLoopbackAlias lets in.
 */
export function passkeyOrigin(origin: URL = publicOrigin()): URL {
  if (origin.hostname !== "127.0.0.1" && origin.hostname !== "[::1]") return origin;
  return new URL(`${origin.protocol}//localhost${origin.port === "" ? "" : `:${origin.port}`}`);
}

/**
 * Whether a request's `Origin` is ours: the configured origin exactly, or, on a loopback origin,
 * the same port under `localhost` (passkeyOrigin: the pages passkeys are used from). No other
 * site can be served under either name.
 */
function isOwnOrigin(from: string, origin: URL): boolean {
  return from === origin.origin || (passkeyOrigin(origin) !== origin && from === passkeyOrigin(origin).origin);
}

/**
 * Refuses a request that was addressed to another host, or that writes on behalf of another
 * origin. Throws ApiError (421 WRONG_HOST, 403 FOREIGN_ORIGIN); returns the public origin.
 */
export function checkRequestOrigin(request: Request, env: NodeJS.ProcessEnv = process.env): URL {
  const origin = publicOrigin(env);
  const host = request.headers.get("host") ?? new URL(request.url).host;
  if (host.toLowerCase() !== origin.host && !isLoopbackAlias(host.toLowerCase(), origin)) {
    throw new ApiError(
      421,
      "WRONG_HOST",
      `This server answers as ${origin.origin} only; the request was addressed to '${host}'. Open ${origin.origin} instead.`,
      { details: { expected: origin.host, got: host } },
    );
  }
  if (SAFE_METHODS.has(request.method.toUpperCase())) return origin;
  const from = request.headers.get("origin");
  if (from !== null && !isOwnOrigin(from, origin)) {
    throw new ApiError(
      403,
      "FOREIGN_ORIGIN",
      `Changes are accepted only from pages of ${origin.origin}; this request came from '${from}'.`,
      { details: { expected: origin.origin, got: from } },
    );
  }
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    throw new ApiError(
      403,
      "FOREIGN_ORIGIN",
      `Changes are accepted only from pages of ${origin.origin}; the browser says this request came from another site.`,
    );
  }
  return origin;
}

/**
 * Refuses a body whose Content-Type is not the one the route documents (415), before reading it:
 * a cross-site form can send text/plain or form encodings without a preflight, never JSON.
 */
export function requireContentType(request: Request, expected: readonly string[], what: string): void {
  const declared = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!expected.includes(declared)) {
    throw new ApiError(
      415,
      "UNSUPPORTED_CONTENT_TYPE",
      `${what} must be sent as ${expected.join(" or ")} (got ${declared === "" ? "no Content-Type" : `'${declared}'`}).`,
      { details: { expected, got: declared } },
    );
  }
}
