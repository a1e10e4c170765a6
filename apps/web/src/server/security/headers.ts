/**
 * The security headers of every answer. Pages get a Content-Security-Policy with a fresh nonce per
 * request (proxy.ts); API answers and other files get the static set from next.config.ts, since
 * the API stays outside the proxy (it would buffer upload bodies).
 *
 * What the pages need, and why each source is allowed:
 * - script-src: Next's own scripts carry the nonce; 'strict-dynamic' lets them load the page's
 *   chunks; 'wasm-unsafe-eval' lets the scanner compile zxing's WebAssembly (served from here).
 * - style-src 'unsafe-inline': the label sheet's print rules and Radix's dialogs (scroll lock)
 *   write <style> elements, and React renders style attributes. Styles cannot run code; the nonce
 *   guards scripts, where injection matters. (With a nonce in style-src, browsers ignore
 *   'unsafe-inline', so styles carry no nonce.)
 * - connect-src: this server's API, and the chain's JSON-RPC URL, which the dashboard's wallet
 *   code calls from the browser (PEDIGREE_PUBLIC_RPC_URL, else PEDIGREE_RPC_URL).
 * - img-src data: blob: labels draw their barcodes as data URLs; worker-src blob: the
 *   manufacturer page builds serial lists in a web worker.
 */

export interface PagePolicyOptions {
  nonce: string;
  /** The JSON-RPC URL the browser uses, when the dashboard talks to the chain. */
  rpcUrl?: string;
  /** `next dev` needs eval for React's debugging; production never does. */
  development?: boolean;
  /** Served over https: upgrade stray http requests too. */
  https?: boolean;
}

/** The origin of the chain's RPC URL as the browser reaches it, or undefined when it is not an http(s) URL. */
export function browserRpcOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.PEDIGREE_PUBLIC_RPC_URL ?? env.PEDIGREE_RPC_URL ?? "http://127.0.0.1:8545";
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}

export function pageContentSecurityPolicy(options: PagePolicyOptions): string {
  const nonce = `'nonce-${options.nonce}'`;
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    [
      "script-src",
      "'self'",
      nonce,
      "'strict-dynamic'",
      "'wasm-unsafe-eval'",
      ...(options.development ? ["'unsafe-eval'"] : []),
    ],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...(options.rpcUrl ? [options.rpcUrl] : [])],
    ["worker-src", "'self'", "blob:"],
    ["media-src", "'self'", "blob:"],
    ["manifest-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
    ...(options.https ? [["upgrade-insecure-requests"] as [string]] : []),
  ];
  return directives.map((directive) => directive.join(" ")).join("; ");
}

/** JSON, CSV and wasm answers run nothing: the strictest policy, which also forbids framing them. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** HSTS for a year, on https answers only (browsers ignore it over http, and it would pin a local http setup). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/** Headers every answer carries, pages and API alike. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // A verification URL names one pack's serial: it is not handed to other sites.
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  // The counter's scanner and the patient's camera check use the camera; nothing else is needed.
  "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** A fresh nonce: 128 random bits, base64 (what CSP's nonce-source allows). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
