/**
 * Which client a request comes from, for per-client limits.
 *
 * Next.js hands route handlers and the proxy no socket: its server writes the socket's address
 * into `X-Forwarded-For` only when the request arrived without one, so a client could name
 * itself anything by sending the header. `stampPeerAddresses` (installed from instrumentation.ts)
 * closes that: unless a proxy is trusted, it overwrites `X-Forwarded-For` with the socket's
 * address as each request arrives, before Next reads it.
 *
 * PEDIGREE_TRUST_PROXY=1 (or the number of proxies in front, N) says the server is reached only
 * through proxies that append the address they saw; the client is then the N-th entry from the
 * right, the one our own proxy wrote, and entries further left (which the client may have sent)
 * are ignored.
 */
import http from "node:http";

export function trustedProxyHops(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.PEDIGREE_TRUST_PROXY?.trim();
  if (value === undefined || value === "" || value === "0" || value.toLowerCase() === "false") return 0;
  if (value.toLowerCase() === "true") return 1;
  const hops = Number(value);
  if (!Number.isSafeInteger(hops) || hops < 0) {
    throw new Error(
      `PEDIGREE_TRUST_PROXY must be 0, 1 or the number of proxies in front of the server (got '${value}').`,
    );
  }
  return hops;
}

/** The client's address as these headers tell it, or "unknown" when they carry none. */
export function clientAddress(headers: Headers, env: NodeJS.ProcessEnv = process.env): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return "unknown";
  const hops = Math.max(1, trustedProxyHops(env));
  const address = entries[Math.max(0, entries.length - hops)] as string;
  return normaliseAddress(address);
}

/** One IPv6 client counts as its /64 (a host gets a whole /64); IPv4-mapped forms become IPv4. */
function normaliseAddress(address: string): string {
  const lower = address.toLowerCase().replace(/^\[|\](:\d+)?$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return mapped[1] as string;
  if (!lower.includes(":")) return lower;
  const [head = "", tail = ""] = lower.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const groups = lower.includes("::")
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill("0"), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

const STAMPED = Symbol.for("pedigree.peerAddressStamp");

/**
 * Makes every HTTP server of this process overwrite `X-Forwarded-For` with the socket's address
 * (unless PEDIGREE_TRUST_PROXY is set), so what the app reads there is the real peer. Idempotent.
 */
export function stampPeerAddresses(env: NodeJS.ProcessEnv = process.env): void {
  if (trustedProxyHops(env) > 0) return;
  const prototype = http.Server.prototype as http.Server & { [STAMPED]?: true };
  if (prototype[STAMPED]) return;
  const emit = prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      const peer = request.socket?.remoteAddress;
      if (peer !== undefined) request.headers["x-forwarded-for"] = peer;
      else delete request.headers["x-forwarded-for"];
    }
    return emit.call(this, event, ...args);
  } as typeof prototype.emit;
  prototype[STAMPED] = true;
}
