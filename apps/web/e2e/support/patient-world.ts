/**
 * The packs the patient's tests check, one per verdict, on a chain whose history starts 90 days
 * ago (so a batch can expire in between) and whose clock is then brought to now, so the chain
 * and the server's wall clock agree.
 */
import { toDigitalLink, type Gs1Value } from "@pedigree/gs1";
import type { WorldBatch, WorldProduct } from "../../test/support/world.ts";
import type { SeedContext } from "./stack.ts";

const DAY = 24 * 60 * 60 * 1000;
export const PATIENT_WORLD_START = new Date(Date.now() - 90 * DAY);

function yyyymmdd(date: Date): number {
  return date.getUTCFullYear() * 10_000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
}

export interface PatientWorld {
  product: WorldProduct;
  main: WorldBatch;
  recalled: WorldBatch;
  expired: WorldBatch;
  recallReason: string;
}

export async function seedPatientWorld({ world, chain }: SeedContext): Promise<PatientWorld> {
  const { acme, central } = world.parties;
  const product = await world.registerProduct(acme, {
    name: "Amoxicillin",
    strength: "500 mg",
    dosageForm: "capsules",
  });
  const main = await world.registerBatch(acme, product, { lot: "AMX-24117", packs: 20 });
  const recalled = await world.registerBatch(acme, product, { lot: "AMX-24090", packs: 10 });
  const expired = await world.registerBatch(acme, product, {
    lot: "AMX-23001",
    packs: 10,
    expiry: yyyymmdd(new Date(PATIENT_WORLD_START.getTime() + 20 * DAY)),
  });
  const shipment = await world.ship(acme, central, [
    { batch: main, quantity: 10 },
    { batch: recalled, quantity: 5 },
  ]);
  await world.receive(shipment);
  await world.decommission(central, main, 1, "DISPENSED");
  const recallReason = "Particles found in capsules during stability testing";
  await world.recall(acme, recalled, recallReason);

  // History done: bring the chain's clock to the present.
  await chain.testClient.setNextBlockTimestamp({ timestamp: BigInt(Math.floor(Date.now() / 1000)) });
  await chain.testClient.mine({ blocks: 1 });
  return { product, main, recalled, expired, recallReason };
}

/** The pack's GS1 Digital Link path on this app: /01/<gtin>/10/<lot>/21/<serial>?17=<YYMMDD>. */
export function packPath(batch: WorldBatch, index: number, overrides: Partial<Gs1Value> = {}): string {
  const serial = batch.manifest.serials[index];
  if (serial === undefined) throw new RangeError(`Batch ${batch.lot} has no pack ${index}`);
  const value: Gs1Value = {
    gtin: batch.gtin,
    lot: batch.lot,
    serial,
    expiry: { raw: String(batch.expiry).slice(2), date: "" },
    ...overrides,
  };
  return toDigitalLink(value, "http://app.invalid").slice("http://app.invalid".length);
}
