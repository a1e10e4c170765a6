/**
 * Sign-In with Ethereum for the API calls that need a party (uploading a serial list): reuses a
 * live session of the same address, otherwise asks the wallet to sign the server's EIP-4361 message.
 */
import type { Address } from "viem";
import { createSiweMessage } from "viem/siwe";
import type { Config } from "wagmi";
import { getWalletClient } from "wagmi/actions";
import { api } from "../client-api.ts";

export async function ensureSignedIn(config: Config, address: Address): Promise<void> {
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
