/**
 * A small custody world for looking at the dashboard by hand or from the smoke script: a local
 * chain on port 8545 (so the app's default deployment record applies), the test parties, a few
 * products and batches with stored manifests, shipments in every state, a recall and a dispense,
 * and the indexer kept in sync every second. Needs DATABASE_URL (the dev server must share it).
 *
 *   DATABASE_URL=$(../../.ci/postgres-start) node test/ui/dev-world.ts
 */
import { createAppContext } from "../../src/server/context.ts";
import { syncOnce } from "../../src/server/indexer/sync.ts";
import { startTestChain } from "../support/chain.ts";
import { createWorld } from "../support/world.ts";
import { storeWorldManifest } from "../support/manifests.ts";

if (!process.env.DATABASE_URL) {
  console.error(
    "Set DATABASE_URL (for example the URL .ci/postgres-start prints): the dev server must share the database.",
  );
  process.exit(1);
}

const chain = await startTestChain({ port: Number(process.env.PORT ?? 8545) });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void chain.stop().finally(() => process.exit(0)));
}
process.on("uncaughtException", (error) => {
  console.error(error instanceof Error ? error.message : error);
  void chain.stop().finally(() => process.exit(1));
});
const world = await createWorld(chain);
const { acme, borealis, northwind, central, harbour, regulator } = world.parties;
const ctx = await createAppContext({
  target: chain.target,
});
const amox = await world.registerProduct(acme, { name: "Amoxicillin", strength: "500 mg", dosageForm: "capsule" });
const ibu = await world.registerProduct(acme, { name: "Ibuprofen", strength: "400 mg", dosageForm: "tablet" });
const insulin = await world.registerProduct(borealis, {
  name: "Insulin glargine",
  strength: "100 U/ml",
  dosageForm: "solution for injection",
});
const a1 = await world.registerBatch(acme, amox, { lot: "AMX2401", packs: 200 });
// Expires in about 60 days, so the stock page warns about it.
const soon = new Date(Date.now() + 60 * 86_400_000);
const soonExpiry = soon.getUTCFullYear() * 10_000 + (soon.getUTCMonth() + 1) * 100 + soon.getUTCDate();
const a2 = await world.registerBatch(acme, amox, { lot: "AMX2402", packs: 100, expiry: soonExpiry });
const i1 = await world.registerBatch(acme, ibu, { lot: "IBU-77", packs: 120 });
const b1 = await world.registerBatch(borealis, insulin, { lot: "GLA0099", packs: 80 });
for (const batch of [a1, a2, i1, b1]) await storeWorldManifest(ctx.db, batch);

const s1 = await world.ship(acme, northwind, [
  { batch: a1, quantity: 120 },
  { batch: i1, quantity: 60 },
]);
await world.receive(s1);
const s2 = await world.ship(northwind, central, [
  { batch: a1, quantity: 40 },
  { batch: i1, quantity: 20 },
]);
await world.receive(s2);
await world.ship(northwind, central, [{ batch: a1, quantity: 10 }], "ASN-PENDING-1");
const s4 = await world.ship(acme, harbour, [{ batch: a2, quantity: 30 }]);
await world.reject(s4, "Damaged in transit");
const s5 = await world.ship(borealis, northwind, [{ batch: b1, quantity: 50 }]);
await world.receive(s5);
const s6 = await world.ship(northwind, central, [{ batch: b1, quantity: 10 }]);
await world.receive(s6);
await world.recall(borealis, b1, "Cold chain breach at the plant");
await world.decommission(central, a1, 0);
await world.decommission(central, a1, 1);
await world.ship(acme, northwind, [{ batch: a2, quantity: 20 }], "ASN-PENDING-2");

console.log(`chain ${chain.rpcUrl} ledger ${chain.address}`);
console.log(
  "parties:",
  Object.entries(world.parties)
    .map(([k, p]) => `${k}=${p.address}`)
    .join(" "),
);
console.log(`genuine pack: (01)${a1.gtin}(10)${a1.lot}(21)${a1.manifest.serials[5]}`);
console.log(`dispensed pack: (01)${a1.gtin}(10)${a1.lot}(21)${a1.manifest.serials[0]}`);
console.log(`recalled pack: (01)${b1.gtin}(10)${b1.lot}(21)${b1.manifest.serials[3]}`);
void regulator;

for (;;) {
  try {
    await syncOnce(ctx, { confirmations: 0 });
  } catch (error) {
    console.error("sync:", (error as Error).message);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
