/**
 * Next.js calls `register()` once when the server starts. The web server runs the indexer itself
 * unless `PEDIGREE_INDEXER=off` (as when the separate indexer process follows the chain into
 * PostgreSQL). The import is dynamic and behind the runtime check so the edge bundle never
 * includes the indexer, its database drivers or viem's node transport.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Per-client rate limits need the socket's address, which Next only passes on in X-Forwarded-For.
  const { stampPeerAddresses } = await import("./server/security/client-address.ts");
  stampPeerAddresses();
  if (process.env.PEDIGREE_INDEXER === "off") return;
  const { startWebIndexer } = await import("./server/indexer/service.ts");
  await startWebIndexer();
}
