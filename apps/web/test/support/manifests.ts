/**
 * A world batch's serial list stored in the read model, as its manufacturer's upload would store
 * it (the list and root the batch was registered with).
 */
import type { Database } from "../../src/server/db/database.ts";
import { storeManifest, type StoreManifestResult } from "../../src/server/manifests/store.ts";
import type { WorldBatch } from "./world.ts";

export function storeWorldManifest(db: Database, batch: WorldBatch): Promise<StoreManifestResult> {
  return storeManifest(db, {
    batchId: batch.batchId,
    gtin: batch.gtin,
    lot: batch.lot,
    serials: batch.manifest.serials,
    expectedRoot: batch.manifest.root,
    uploadedBy: batch.manufacturer.address,
  });
}
