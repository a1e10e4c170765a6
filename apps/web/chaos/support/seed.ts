/**
 * Many custody events on a test chain, fast: batches of 1,000 packs move manufacturer →
 * distributor → pharmacy as ten-line shipments, then the pharmacy decommissions their packs with
 * multiproofs (one PackDecommissioned event per pack, `packsPerTransaction` per transaction).
 * bench/indexer.bench.ts seeds with it too; the chaos runs ask for smaller transactions, which
 * give more blocks, so an indexer stepping a block at a time has more steps to be interrupted in.
 */
import type { TestChain } from "../../test/support/chain.ts";
import { createWorld, type WorldBatch } from "../../test/support/world.ts";

const PACKS_PER_BATCH = 1_000;
const BATCHES_PER_SHIPMENT = 10;

/** Seeds at least `target` ledger events; returns how many the chain's ledger holds. */
export async function seedCustodyEvents(
  chain: TestChain,
  target: number,
  options: { packsPerTransaction?: number } = {},
): Promise<number> {
  const perTransaction = options.packsPerTransaction ?? 200;
  const world = await createWorld(chain);
  const { acme, northwind, central } = world.parties;
  const product = await world.registerProduct(acme);
  const countEvents = async () =>
    (await chain.publicClient.getLogs({ address: chain.address, fromBlock: 0n, toBlock: "latest" })).length;
  let events = await countEvents();
  while (events < target) {
    const batches: WorldBatch[] = [];
    for (let i = 0; i < BATCHES_PER_SHIPMENT; i++) {
      batches.push(await world.registerBatch(acme, product, { packs: PACKS_PER_BATCH }));
    }
    const lines = batches.map((batch) => ({ batch, quantity: PACKS_PER_BATCH }));
    await world.receive(await world.ship(acme, northwind, lines));
    await world.receive(await world.ship(northwind, central, lines));
    events = await countEvents();
    for (const batch of batches) {
      for (let start = 0; start < PACKS_PER_BATCH && events < target; start += perTransaction) {
        const indexes = Array.from({ length: perTransaction }, (_, i) => start + i);
        await world.decommissionMany(central, batch, indexes, "DISPENSED");
        events += perTransaction;
      }
    }
    events = await countEvents();
  }
  return events;
}
