/**
 * Sign-In with Ethereum for the API, whose reads and writes answer signed-in parties: reuses a
 * live session of the same address, otherwise asks the wallet to sign the server's EIP-4361 message.
 */
import type { Address } from "viem";
import { createSiweMessage } from "viem/siwe";
import type { Config } from "wagmi";
import { getWalletClient } from "wagmi/actions";
import { api } from "../client-api.ts";

/**
 * One sign-in at a time: the nonce is bound to this browser by a cookie that each nonce request
 * replaces, so two sign-ins racing would leave the first one's nonce unusable.
 */
let pending: { address: string; done: Promise<void> } | undefined;

export function ensureSignedIn(config: Config, address: Address): Promise<void> {
  if (pending !== undefined && pending.address === address.toLowerCase()) return pending.done;
  const done = signIn(config, address).finally(() => {
    if (pending?.done === done) pending = undefined;
  });
  pending = { address: address.toLowerCase(), done };
  return done;
}

async function signIn(config: Config, address: Address): Promise<void> {
  const session = await api.session().catch(() => ({ signedIn: false as const }));
  if (session.signedIn && session.address.toLowerCase() === address.toLowerCase()) return;
  const nonce = await api.nonce();
  const message = createSiweMessage({
    address,
    chainId: nonce.chainId,
    domain: nonce.domain,
    uri: nonce.uri,
    nonce: nonce.nonce,
    statement: nonce.statement,
    version: "1",
    issuedAt: new Date(),
    expirationTime: new Date(nonce.expiresAt),
  });
  const wallet = await getWalletClient(config);
  const signature = await wallet.signMessage({ account: wallet.account, message });
  await api.signIn(message, signature);
}
