/**
 * The CLI's side of Pedigree's HTTP API: Sign-In with Ethereum, then the streamed upload of a
 * serial list. Failures become CliErrors: exit 1 when the server refused (4xx, the user must
 * change something), exit 2 when it could not be reached or failed (network, 5xx).
 */
import type { Hex } from "viem";
import type { PrivateKeyAccount, HDAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { CliError } from "./errors.ts";
import { progress } from "./progress.ts";

interface NonceAnswer {
  nonce: string;
  chainId: number;
}

interface ApiErrorAnswer {
  error?: { code?: string; message?: string; details?: unknown };
}

export interface UploadAnswer {
  status: number;
  stored: boolean;
  root: Hex;
  serialCount: number;
}

export async function call(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new CliError(
      2,
      `Could not reach the Pedigree server at ${new URL(url).origin} to ${what} (${reason}). Is it running? Use --api to point at it.`,
    );
  }
}

export async function refusal(response: Response, what: string): Promise<CliError> {
  let body: ApiErrorAnswer = {};
  try {
    body = (await response.json()) as ApiErrorAnswer;
  } catch {
    // Not our JSON: a proxy's page, say. The status is all there is to tell.
  }
  const code = body.error?.code ?? `HTTP ${response.status}`;
  const message = body.error?.message ?? response.statusText;
  const lines = [`The server refused to ${what}: ${message} (${code})`];
  const details = body.error?.details as { errors?: { message: string }[] } | undefined;
  for (const error of details?.errors?.slice(0, 20) ?? []) lines.push(`  ${error.message}`);
  return new CliError(response.status >= 500 ? 2 : 1, lines.join("\n"));
}

/**
 * Signs in as `account` and returns the session token. The message names the host we were told
 * to talk to (never one the server suggests), so a server cannot obtain a signature valid elsewhere.
 */
export async function signIn(api: string, account: PrivateKeyAccount | HDAccount, chainId: number): Promise<string> {
  const origin = new URL(api);
  const nonceResponse = await call(new URL("/api/auth/nonce", origin).toString(), {}, "start signing in");
  if (!nonceResponse.ok) throw await refusal(nonceResponse, "start signing in");
  const nonce = (await nonceResponse.json()) as NonceAnswer;
  // The nonce is bound to this client by its sign-in cookie, which goes back with the signed message.
  const signInCookie = (nonceResponse.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (nonce.chainId !== chainId) {
    throw new CliError(
      1,
      `The server at ${origin.origin} follows chain ${nonce.chainId}, but --rpc is chain ${chainId}. Point both at the same chain.`,
    );
  }
  const now = new Date();
  const message = createSiweMessage({
    domain: origin.host,
    address: account.address,
    statement: "Sign in to Pedigree to upload a batch's serial list.",
    uri: origin.origin,
    version: "1",
    chainId,
    nonce: nonce.nonce,
    issuedAt: now,
    expirationTime: new Date(now.getTime() + 10 * 60 * 1000),
  });
  const signature = await account.signMessage({ message });
  const verify = await call(
    new URL("/api/auth/verify", origin).toString(),
    {
      method: "POST",
      headers: { "content-type": "application/json", cookie: signInCookie },
      body: JSON.stringify({ message, signature }),
    },
    "sign in",
  );
  if (!verify.ok) throw await refusal(verify, "sign you in");
  return ((await verify.json()) as { token: string }).token;
}

/** Streams the list (one serial per line) as text/plain, showing how much was sent. */
export async function uploadSerials(
  api: string,
  token: string,
  batch: { gtin: string; lot: string },
  serials: readonly string[],
): Promise<UploadAnswer> {
  const url = new URL("/api/manifests", api);
  url.searchParams.set("gtin", batch.gtin);
  url.searchParams.set("lot", batch.lot);
  const encoder = new TextEncoder();
  const perChunk = 10_000;
  const shown = progress("Uploading the serial list");
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next >= serials.length) {
        controller.close();
        return;
      }
      const end = Math.min(next + perChunk, serials.length);
      controller.enqueue(encoder.encode(serials.slice(next, end).join("\n") + "\n"));
      next = end;
      shown.update(next, serials.length);
    },
  });
  const response = await call(
    url.toString(),
    {
      method: "POST",
      headers: { "content-type": "text/plain; charset=utf-8", authorization: `Bearer ${token}` },
      body,
      duplex: "half",
    } as RequestInit,
    "upload the serial list",
  );
  shown.done(response.ok ? "sent" : "refused");
  if (!response.ok) throw await refusal(response, "store the serial list");
  const answer = (await response.json()) as Omit<UploadAnswer, "status">;
  return { status: response.status, ...answer };
}
