/**
 * The demo world `npm start` shows, on a throwaway chain and database, for looking at the
 * dashboard by hand or through the smoke script without taking `npm start`'s ports: a local
 * chain whose clock starts 400 days back, the ledger, the demo world seeded onto it (parties,
 * products, a year of custody history, the serial manifests), and the read model kept in sync
 * every second. Point a dev server at what it prints.
 *
 *   DATABASE_URL=postgres://.../empty_database node test/ui/demo-world.ts
 *
 * It prints the environment for the dev server (PEDIGREE_RPC_URL, PEDIGREE_LEDGER_ADDRESS, ...)
 * and the demo's pack codes, then runs until stopped (Ctrl-C stops the chain too).
 */
import type { Address } from "viem";
import { demoGenesisTime, formatDemoSummary, seedDemoWorld } from "../../../../scripts/demo/seed.ts";
import { createAppContext } from "../../src/server/context.ts";
import { syncOnce } from "../../src/server/indexer/sync.ts";
import { storeManifest } from "../../src/server/manifests/store.ts";
import { startTestChain } from "../support/chain.ts";

if (!process.env.DATABASE_URL) {
  console.error("Set DATABASE_URL to an empty PostgreSQL database: the dev server must share it.");
  process.exit(1);
}

const chain = await startTestChain({
  port: process.env.PORT ? Number(process.env.PORT) : undefined,
  initialDate: demoGenesisTime().toISOString(),
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void chain.stop().finally(() => process.exit(0)));
}
process.on("uncaughtException", (error) => {
  console.error(error instanceof Error ? error.message : error);
  void chain.stop().finally(() => process.exit(1));
});

const ctx = await createAppContext({
  target: chain.target,
});
const summary = await seedDemoWorld({
  rpcUrl: chain.rpcUrl,
  ledger: { address: chain.address, deploymentBlock: chain.deploymentBlock },
  storeManifests: async (manifests) => {
    for (const manifest of manifests) {
      await storeManifest(ctx.db, {
        batchId: manifest.batchId,
        gtin: manifest.gtin,
        lot: manifest.lot,
        serials: manifest.serials,
        expectedRoot: manifest.root,
        uploadedBy: manifest.manufacturer as Address,
      });
    }
  },
  log: (line) => console.log(`  ${line}`),
});
await syncOnce(ctx, { confirmations: 0 });

console.log(`
PEDIGREE_RPC_URL=${chain.rpcUrl}
PEDIGREE_CHAIN_ID=${chain.chainId}
PEDIGREE_LEDGER_ADDRESS=${chain.address}
PEDIGREE_DEPLOYMENT_BLOCK=${chain.deploymentBlock}
DATABASE_URL=${process.env.DATABASE_URL}
PEDIGREE_INDEXER=off
ALERT_CODE=${summary.alertCode}

${formatDemoSummary(summary)}`);

for (;;) {
  try {
    await syncOnce(ctx, { confirmations: 0 });
  } catch (error) {
    console.error("sync:", (error as Error).message);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
