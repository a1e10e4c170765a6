/**
 * The VRS requester's outbound call: one verification request of the GS1 Lightweight Messaging
 * Standard to a manufacturer's responder, as a wholesaler makes it for a saleable return
 * (docs/INTEROP.md, "The requester").
 *
 * The responder's URL comes from the lookup directory, which manufacturers fill in, so this server
 * is made to call URLs others chose: the call is SSRF-aware (docs/SECURITY.md).
 * - https only; http and loopback or private addresses are refused, except loopback in development
 *   (NODE_ENV not production) or with PEDIGREE_VRS_ALLOW_LOOPBACK=on (tests, the local demo);
 * - a host name is refused when it resolves to such an address, checked in the very lookup the
 *   connection uses (`guardedLookup`), so a name that answers a public address to a first query and
 *   a private one to the next (DNS rebinding) cannot slip between a check and the connection;
 * - no redirect is followed (a 3xx is an error), the call has a deadline (PEDIGREE_VRS_TIMEOUT_MS,
 *   default 5 s) and the answer a size cap (64 KiB), both enforced while the body streams in;
 * - the answer must have the standard's shape, with the request's corrUUID echoed.
 *
 * Nothing here throws for what a responder does: every failure is a `ResponderFailure` with a code,
 * recorded with the return like an answer.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { Agent, fetch, type Response } from "undici";
import { z } from "zod";
import { ApiError } from "../api/errors.ts";
import { ADDITIONAL_INFO, FAILURE_REASONS, type VerificationData } from "./answer.ts";

/** The largest answer read: the standard's answer is a few hundred bytes. */
export const MAX_ANSWER_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 5_000;

export class ResponderUrlRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResponderUrlRefused";
  }
}

/** Whether loopback responders may be called: development, or PEDIGREE_VRS_ALLOW_LOOPBACK=on. */
export function loopbackAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PEDIGREE_VRS_ALLOW_LOOPBACK === "on" || env.NODE_ENV !== "production";
}

function timeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.PEDIGREE_VRS_TIMEOUT_MS;
  if (value === undefined || value === "") return DEFAULT_TIMEOUT_MS;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 100 || number > 60_000) {
    throw new Error(`PEDIGREE_VRS_TIMEOUT_MS must be 100 to 60000 milliseconds (got '${value}').`);
  }
  return number;
}

type AddressKind = "public" | "loopback" | "private";

/** What an IP address reaches: loopback, a private or reserved network (never called), or the public internet. */
export function addressKind(address: string): AddressKind {
  const ip = address.replace(/^\[|\]$/g, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) return addressKind(mapped[1]!);
  if (isIP(ip) === 4) {
    const [a, b] = ip.split(".").map(Number) as [number, number];
    if (a === 127) return "loopback";
    if (a === 0 || a === 10 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254)) return "private";
    if ((a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19))) {
      return "private";
    }
    if (a >= 224) return "private";
    return "public";
  }
  if (ip === "::1") return "loopback";
  if (ip === "::" || /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip) || ip.startsWith("ff")) return "private";
  return "public";
}

/**
 * `raw` as a responder base URL: https (or http to loopback where allowed), no credentials, query or
 * fragment, without a trailing slash. Throws ResponderUrlRefused saying what is wrong. Host names
 * are checked again, resolved, when called (guardedLookup).
 */
export function responderBaseUrl(raw: string, env: NodeJS.ProcessEnv = process.env): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ResponderUrlRefused(`'${raw.slice(0, 80)}' is not a URL: give the responder's base URL (https://...).`);
  }
  if (raw.length > 500) throw new ResponderUrlRefused("A responder URL has at most 500 characters.");
  if (url.username !== "" || url.password !== "") {
    throw new ResponderUrlRefused("A responder URL carries no user name or password: the credential goes in a header.");
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ResponderUrlRefused("A responder URL is a base URL, without a query or a fragment.");
  }
  const host = url.hostname.toLowerCase();
  const kind =
    host === "localhost" || host.endsWith(".localhost")
      ? "loopback"
      : isIP(host.replace(/^\[|\]$/g, ""))
        ? addressKind(host)
        : "public";
  if (kind === "private") {
    throw new ResponderUrlRefused(`${host} is a private or reserved address: a responder is reached on the internet.`);
  }
  if (kind === "loopback" && !loopbackAllowed(env)) {
    throw new ResponderUrlRefused(`${host} is this machine: a responder is reached on the internet (https).`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && kind === "loopback")) {
    throw new ResponderUrlRefused(
      `A responder is called over https only (got ${url.protocol.replace(":", "")}://${host}); http is for this machine in development.`,
    );
  }
  return url.toString().replace(/\/+$/, "");
}

/** `raw` as a responder base URL (responderBaseUrl), or a 400 INVALID_RESPONDER_URL saying what is wrong with it. */
export function requireResponderUrl(raw: string): string {
  try {
    return responderBaseUrl(raw);
  } catch (error) {
    if (!(error instanceof ResponderUrlRefused)) throw error;
    throw new ApiError(400, "INVALID_RESPONDER_URL", error.message);
  }
}

/** How host names are resolved: node:dns's lookup with `all: true` (tests give their own). */
export type Resolver = (
  hostname: string,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

/**
 * The `lookup` of the responder's connection (net.connect's option): resolves the host once and
 * refuses it, with a ResponderUrlRefused, when any of its addresses is loopback (unless allowed),
 * private or reserved. Connecting to what this very lookup returned leaves no second resolution
 * for a rebinding name to answer differently.
 */
export function guardedLookup(env: NodeJS.ProcessEnv = process.env, resolve: Resolver = systemResolver) {
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolve(hostname, (error, addresses) => {
      if (error !== null) return callback(error, []);
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), []);
      for (const { address } of addresses) {
        const kind = addressKind(address);
        if (kind === "private" || (kind === "loopback" && !loopbackAllowed(env))) {
          return callback(
            new ResponderUrlRefused(
              `${hostname} resolves to ${address}, a ${kind} address: this server does not call it.`,
            ),
            [],
          );
        }
      }
      if (options.all === true) return callback(null, addresses);
      const [first] = addresses as [LookupAddress];
      return callback(null, first.address, first.family);
    });
  };
}

export interface VerificationRequest {
  gtin: string;
  lot: string;
  serial: string;
  /** YYMMDD */
  exp: string;
  reqGLN: string;
  corrUUID: string;
  context: "dscsaSaleableReturn";
}

/** The path and query of the standard's verification request, under a responder's base URL. */
export function verificationUrl(base: string, request: VerificationRequest): string {
  const query = new URLSearchParams({
    exp: request.exp,
    linkType: "verificationService",
    context: request.context,
    reqGLN: request.reqGLN,
    corrUUID: request.corrUUID,
  });
  return (
    `${base}/verify/gtin/${encodeURIComponent(request.gtin)}/lot/${encodeURIComponent(request.lot)}` +
    `/ser/${encodeURIComponent(request.serial)}?${query}`
  );
}

const answerSchema = z.object({
  verificationTimestamp: z.string().refine((text) => !Number.isNaN(Date.parse(text)), "an ISO 8601 date and time"),
  responderGLN: z.string().regex(/^\d{13}$/, "13 digits"),
  data: z
    .object({
      verified: z.boolean(),
      verificationFailureReason: z.enum(FAILURE_REASONS).optional(),
      additionalInfo: z.enum(ADDITIONAL_INFO).optional(),
    })
    .refine((data) => !(data.verified && data.verificationFailureReason !== undefined), {
      message: "a verified identifier has no verificationFailureReason",
    }),
  corrUUID: z.string().min(1),
});

export interface ResponderAnswer {
  ok: true;
  httpStatus: 200;
  verificationTimestamp: string;
  responderGLN: string;
  data: VerificationData;
}

export type ResponderFailureCode =
  | "RESPONDER_URL_REFUSED"
  | "RESPONDER_UNREACHABLE"
  | "RESPONDER_TIMEOUT"
  | "RESPONDER_REDIRECT"
  | "RESPONDER_ANSWER_TOO_LARGE"
  | "RESPONDER_REFUSED"
  | "RESPONDER_ERROR"
  | "RESPONDER_INVALID_ANSWER"
  | "RESPONDER_CORRUUID_MISMATCH";

export interface ResponderFailure {
  ok: false;
  httpStatus: number | null;
  code: ResponderFailureCode;
  message: string;
}

const failure = (code: ResponderFailureCode, message: string, httpStatus: number | null = null): ResponderFailure => ({
  ok: false,
  httpStatus,
  code,
  message,
});

/** Printable text of a responder's, for a message: control characters out, at most 300 characters. */
const quoted = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 300);

class TooLarge extends Error {}

/** The body, read while it streams in, refused past `max` bytes. */
async function readCapped(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) throw new TooLarge();
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Asks the responder at `base` about one pack with `token` (the API credential its manufacturer
 * issued the requester). Never throws for what the responder does.
 */
export async function requestVerification(
  base: string,
  token: string,
  request: VerificationRequest,
  env: NodeJS.ProcessEnv = process.env,
  resolve: Resolver = systemResolver,
): Promise<ResponderAnswer | ResponderFailure> {
  let target: URL;
  try {
    target = new URL(verificationUrl(responderBaseUrl(base, env), request));
  } catch (error) {
    if (error instanceof ResponderUrlRefused) return failure("RESPONDER_URL_REFUSED", error.message);
    throw error;
  }
  const deadline = timeoutMs(env);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deadline);
  // One connection, made through the checked lookup, closed with the call (no pool to reuse).
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(env, resolve) }, pipelining: 0 });
  try {
    let response: Response;
    try {
      response = await fetch(target, {
        redirect: "manual",
        signal: controller.signal,
        dispatcher,
        headers: { accept: "application/json", authorization: `Bearer ${token}` },
      });
    } catch (error) {
      if (controller.signal.aborted) {
        return failure("RESPONDER_TIMEOUT", `The responder did not answer within ${deadline} ms.`);
      }
      const cause = (error as Error & { cause?: Error }).cause;
      if (cause instanceof ResponderUrlRefused) return failure("RESPONDER_URL_REFUSED", cause.message);
      const reason = cause?.message ?? (error as Error).message;
      return failure("RESPONDER_UNREACHABLE", `The responder could not be reached (${quoted(reason)}).`);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      return failure(
        "RESPONDER_REDIRECT",
        `The responder answered ${response.status}, a redirect${response.headers.get("location") ? ` to ${quoted(response.headers.get("location")!)}` : ""}: redirects are not followed. Its manufacturer should register the URL that answers.`,
        response.status,
      );
    }
    let text: string;
    try {
      text = await readCapped(response, MAX_ANSWER_BYTES);
    } catch (error) {
      if (error instanceof TooLarge) {
        return failure(
          "RESPONDER_ANSWER_TOO_LARGE",
          `The responder's answer is over ${MAX_ANSWER_BYTES / 1024} KiB: not a verification answer.`,
          response.status,
        );
      }
      if (controller.signal.aborted) {
        return failure(
          "RESPONDER_TIMEOUT",
          `The responder did not finish its answer within ${deadline} ms.`,
          response.status,
        );
      }
      return failure(
        "RESPONDER_UNREACHABLE",
        `The responder's answer broke off (${quoted((error as Error).message)}).`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status !== 200) {
      const said = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const detail =
        typeof said?.message === "string"
          ? `: ${quoted(said.message)}${typeof said.code === "string" ? ` (${quoted(said.code)})` : ""}`
          : "";
      return failure(
        response.status >= 500 ? "RESPONDER_ERROR" : "RESPONDER_REFUSED",
        `The responder answered ${response.status}${detail}.`,
        response.status,
      );
    }
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "the answer"}: ${issue.message}`)
        .join("; ");
      return failure(
        "RESPONDER_INVALID_ANSWER",
        `The responder's answer is not the standard's (${problems || "not JSON"}).`,
        200,
      );
    }
    if (parsed.data.corrUUID !== request.corrUUID) {
      return failure(
        "RESPONDER_CORRUUID_MISMATCH",
        `The responder's answer is for corrUUID ${quoted(parsed.data.corrUUID)}, not this request's ${request.corrUUID}: it is not the answer to this request.`,
        200,
      );
    }
    const data = parsed.data.data;
    return {
      ok: true,
      httpStatus: 200,
      verificationTimestamp: parsed.data.verificationTimestamp,
      responderGLN: parsed.data.responderGLN,
      data: {
        verified: data.verified,
        ...(data.verificationFailureReason === undefined
          ? {}
          : { verificationFailureReason: data.verificationFailureReason }),
        ...(data.additionalInfo === undefined ? {} : { additionalInfo: data.additionalInfo }),
      },
    };
  } finally {
    clearTimeout(timer);
    void dispatcher.destroy().catch(() => undefined);
  }
}

/**
 * Additional information that keeps a verified pack from going back on sale: the requester must act
 * on it (recalled, expired, suspect, illegitimate). ExpirationExtended does not.
 */
const BLOCKING_INFO = new Set(["Expired", "Recalled", "Suspect", "Illegitimate"]);

/** Whether an answer lets the pack be received as saleable. */
export function answerPasses(data: VerificationData): boolean {
  return data.verified && (data.additionalInfo === undefined || !BLOCKING_INFO.has(data.additionalInfo));
}
