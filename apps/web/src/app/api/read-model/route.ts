import { handle } from "@/server/api/handle";
import { jsonResponse } from "@/server/api/errors";
import { appContext } from "@/server/context";
import { indexedBlock } from "@/server/indexer/sync";

export const dynamic = "force-dynamic";

/**
 * GET /api/read-model: the block the read model has indexed, `{ "indexedBlock": n | null }`. A
 * page that has just seen its write confirmed waits for this to reach the write's block before it
 * reads again (lib/tx/read-model.ts): on a chain with real block times and confirmations the read
 * model follows some blocks behind. Block numbers are public, so anyone may ask. Read from the
 * database, so it is right whether this server or a separate indexer process does the indexing.
 */
export const GET = handle(async () => {
  const cursor = await indexedBlock(await appContext());
  return jsonResponse({ indexedBlock: cursor?.number ?? null });
});
