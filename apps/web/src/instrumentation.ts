/**
 * Next.js calls `register()` once when the server starts. The web server runs the indexer itself
 * unless `PEDIGREE_INDEXER=off` (as when the separate indexer process follows the chain into
 * PostgreSQL); it also starts the server's signer when keys are configured (PEDIGREE_KEYSTORE or
 * PEDIGREE_SIGNER_URL). The imports are dynamic and behind the runtime check so the edge bundle never
 * includes the indexer, its database drivers or viem's node transport.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Per-client rate limits need the socket's address, which Next only passes on in X-Forwarded-For.
  const { stampPeerAddresses } = await import("./server/security/client-address.ts");
  stampPeerAddresses();
  // A PEDIGREE_MAX_LAG that is no number of seconds stops the start, saying so, rather than
  // failing every verification request later (verify.ts reads it per check).
  const { maxLagSeconds } = await import("./server/verify/read-model.ts");
  maxLagSeconds();
  // The organisations' keys are unlocked before the server takes requests: a wrong passphrase or an
  // unreachable signer stops the start with a message saying what to do (server/signer/service.ts).
  const { startServerSigning } = await import("./server/signer/service.ts");
  await startServerSigning();
  if (process.env.PEDIGREE_INDEXER === "off") return;
  const { startWebIndexer } = await import("./server/indexer/service.ts");
  await startWebIndexer();
}
