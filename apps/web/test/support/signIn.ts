/**
 * Signing in to a test server as a given account, the way a wallet or the CLI does: ask for a
 * nonce, build the EIP-4361 message from the answer, sign it, post it. Overrides let a test
 * forge one field at a time.
 */
import type { PrivateKeyAccount } from "viem/accounts";
import { createSiweMessage, type SiweMessage } from "viem/siwe";
import type { NonceResponse, SignInResponse } from "../../src/lib/api-types.ts";

export interface SignInAttempt {
  status: number;
  body: SignInResponse & { error?: { code: string; message: string; details?: unknown } };
  setCookie: string | null;
  message: string;
  signature: string;
  /** The sign-in cookie sent with it (the nonce's binding), for a replay from the same client. */
  cookie?: string;
}

/** The nonce and the sign-in cookie that binds it to this client (send it back with postSignIn). */
export type IssuedNonce = NonceResponse & { cookie: string };

export async function fetchNonce(baseUrl: string): Promise<IssuedNonce> {
  const response = await fetch(`${baseUrl}/api/auth/nonce`);
  if (response.status !== 200) throw new Error(`GET /api/auth/nonce answered ${response.status}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { ...((await response.json()) as NonceResponse), cookie };
}

export function siweMessageFor(
  account: PrivateKeyAccount,
  nonce: NonceResponse,
  overrides: Partial<SiweMessage> = {},
): string {
  return createSiweMessage({
    domain: nonce.domain,
    address: account.address,
    statement: nonce.statement,
    uri: nonce.uri,
    version: "1",
    chainId: nonce.chainId,
    nonce: nonce.nonce,
    issuedAt: new Date(),
    ...overrides,
  });
}

export async function postSignIn(
  baseUrl: string,
  message: string,
  signature: string,
  cookie?: string,
): Promise<SignInAttempt> {
  const response = await fetch(`${baseUrl}/api/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie === undefined ? {} : { cookie }) },
    body: JSON.stringify({ message, signature }),
  });
  return {
    status: response.status,
    body: (await response.json()) as SignInAttempt["body"],
    setCookie: response.headers.getSetCookie().find((line) => line.startsWith("pedigree_session=")) ?? null,
    message,
    signature,
    ...(cookie === undefined ? {} : { cookie }),
  };
}

/** Signs in as `account` (with `overrides` in the message, signed by `signer` if given). */
export async function signInAs(
  baseUrl: string,
  account: PrivateKeyAccount,
  options: { overrides?: Partial<SiweMessage>; signer?: PrivateKeyAccount } = {},
): Promise<SignInAttempt> {
  const nonce = await fetchNonce(baseUrl);
  const message = siweMessageFor(account, nonce, options.overrides);
  const signature = await (options.signer ?? account).signMessage({ message });
  return postSignIn(baseUrl, message, signature, nonce.cookie);
}
