/**
 * Next.js calls `register()` once when the server starts. The web server runs the indexer itself
 * unless `PEDIGREE_INDEXER=off` (as when the separate indexer process follows the chain into
 * PostgreSQL). The import is dynamic and behind the runtime check so the edge bundle never
 * includes the indexer, its database drivers or viem's node transport.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.PEDIGREE_INDEXER === "off") return;
  const { startWebIndexer } = await import("./server/indexer/service.ts");
  await startWebIndexer();
}
