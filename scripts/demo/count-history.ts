/**
 * The demo world's history on the count ledger (PedigreeLedger): batches move as quantities. It
 * goes with the count ledger once the application runs on the package-level one
 * (./package-history.ts tells the same story in pallets, cases and totes).
 */
import { createLedgerWriter, type LedgerWriter, type ShipReceipt } from "@pedigree/ledger";
import type { Hex } from "viem";
import { RECALL_REASON, REJECTION_REASON, SUSPENSION_REASON, type BatchKeyName, type PartyKey } from "./world.ts";
import { SALEABLE_RETURN_REFERENCE, type DemoHistory, type HistoryContext } from "./history.ts";

export function countHistory(world: HistoryContext): DemoHistory<LedgerWriter> {
  const { at, addresses, batchIds, manifestOf } = world;
  const writers = world.writersFor(createLedgerWriter);
  /** Serials at list positions [from, to) of a batch: consecutive packs share status words, the cheap case. */
  const serialsOf = (key: BatchKeyName, from: number, to: number) => manifestOf(key).serials.slice(from, to);
  const line = (key: BatchKeyName, quantity: number) => ({ batch: batchIds[key], quantity });
  const shipments = new Map<string, ShipReceipt>();
  const ship =
    (from: PartyKey, to: PartyKey, reference: string, lines: { batch: Hex; quantity: number }[]) => async () =>
      shipments.set(reference, await writers[from].ship({ to: addresses[to], reference, lines }));
  const shipped = (reference: string) => (shipments.get(reference) as ShipReceipt).shipment;
  const dispense = (by: PartyKey, key: BatchKeyName, from: number, to: number) => () =>
    writers[by].decommissionMany({
      batch: batchIds[key],
      manifest: manifestOf(key),
      serials: serialsOf(key, from, to),
    });

  // Amoxicillin: distributed and partly dispensed before it expired six weeks ago.
  at(375, "ship amoxicillin", ship("acme", "northwind", "ACME-ASN-240117", [line("amoxicillin", 1000)]));
  at(374, "receive", () => writers.northwind.receiveShipment(shipped("ACME-ASN-240117")));
  at(370, "ship amoxicillin", ship("northwind", "central", "NW-ASN-240301", [line("amoxicillin", 300)]));
  at(369, "receive", () => writers.central.receiveShipment(shipped("NW-ASN-240301")));
  at(300, "dispense amoxicillin", dispense("central", "amoxicillin", 0, 40));

  // Metformin: the everyday batch.
  at(195, "ship metformin", ship("acme", "northwind", "ACME-ASN-250310", [line("metformin", 1500)]));
  at(194, "receive", () => writers.northwind.receiveShipment(shipped("ACME-ASN-250310")));
  at(190, "ship metformin", ship("northwind", "central", "NW-ASN-250318", [line("metformin", 400)]));
  at(189, "receive", () => writers.central.receiveShipment(shipped("NW-ASN-250318")));
  at(185, "ship metformin", ship("northwind", "harbour", "NW-ASN-250322", [line("metformin", 300)]));
  at(184, "receive", () => writers.harbour.receiveShipment(shipped("NW-ASN-250322")));
  at(60, "destroy damaged metformin", () =>
    writers.northwind.decommissionMany({
      batch: batchIds.metformin,
      manifest: manifestOf("metformin"),
      serials: serialsOf("metformin", 1900, 1902),
      state: "DESTROYED",
    }),
  );
  at(21, "dispense metformin", dispense("central", "metformin", 0, 60));
  at(20, "dispense metformin", dispense("harbour", "metformin", 400, 425));
  // Two hours ago: still inside the 10-day window in which the pharmacy may undo the dispense.
  at(2 / 24, "dispense metformin", dispense("central", "metformin", 60, 63));

  // Atorvastatin: recalled by Acme while Harbour Pharmacy still holds stock.
  at(145, "ship atorvastatin", ship("acme", "northwind", "ACME-ASN-250620", [line("atorvastatin", 800)]));
  at(144, "receive", () => writers.northwind.receiveShipment(shipped("ACME-ASN-250620")));
  at(140, "ship atorvastatin", ship("northwind", "harbour", "NW-ASN-250626", [line("atorvastatin", 200)]));
  at(139, "receive", () => writers.harbour.receiveShipment(shipped("NW-ASN-250626")));
  at(100, "dispense atorvastatin", dispense("harbour", "atorvastatin", 0, 10));
  at(10, "recall atorvastatin", () =>
    writers.acme.recallBatch({ batch: batchIds.atorvastatin, reason: RECALL_REASON }),
  );

  // Salbutamol: suspended by the agency; it reached Central Pharmacy in a two-line shipment.
  at(115, "ship salbutamol", ship("borealis", "northwind", "BOR-ASN-250801", [line("salbutamol", 1000)]));
  at(114, "receive", () => writers.northwind.receiveShipment(shipped("BOR-ASN-250801")));
  at(
    110,
    "ship salbutamol and metformin",
    ship("northwind", "central", "NW-ASN-250807", [line("salbutamol", 200), line("metformin", 100)]),
  );
  at(109, "receive", () => writers.central.receiveShipment(shipped("NW-ASN-250807")));
  at(30, "dispense salbutamol", dispense("central", "salbutamol", 0, 15));
  at(5, "suspend salbutamol", () =>
    writers.agency.suspendBatch({ batch: batchIds.salbutamol, reason: SUSPENSION_REASON }),
  );

  // Ibuprofen: one shipment in each state.
  at(55, "ship ibuprofen", ship("borealis", "northwind", "BOR-ASN-251001", [line("ibuprofen", 600)]));
  at(54, "receive", () => writers.northwind.receiveShipment(shipped("BOR-ASN-251001")));
  at(50, "ship ibuprofen", ship("borealis", "central", "BOR-ASN-251006", [line("ibuprofen", 100)]));
  at(49, "reject", () => writers.central.rejectShipment({ ...shipped("BOR-ASN-251006"), reason: REJECTION_REASON }));
  at(45, "ship ibuprofen", ship("borealis", "harbour", "BOR-ASN-251011", [line("ibuprofen", 50)]));
  at(44.9, "cancel", () => writers.borealis.cancelShipment(shipped("BOR-ASN-251011")));
  at(
    3,
    "ship ibuprofen and metformin",
    ship("northwind", "central", "NW-ASN-251118", [line("ibuprofen", 150), line("metformin", 100)]),
  );
  at(2, "ship ibuprofen", ship("borealis", "harbour", "BOR-ASN-251119", [line("ibuprofen", 100)]));
  // A saleable return waiting at Northwind: it verifies both packs with Acme's responder, then receives it.
  at(1, "return metformin", ship("central", "northwind", SALEABLE_RETURN_REFERENCE, [line("metformin", 2)]));

  return { writers, units: [], destroyedMetformin: 1900, examples: [] };
}
