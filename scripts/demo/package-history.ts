/**
 * The demo world's history on the package-level ledger (PedigreePackageLedger): the same story as
 * ./count-history.ts, told as the warehouse lives it. Packaging lines pack cases of 50 as they
 * come off the line (one `packRange` per case, whatever its size) and stack them on pallets; a
 * distributor receives a pallet with one scan, breaks it, sends cases on, picks loose packs into a
 * tote for a pharmacy's order; a pharmacy dispenses from the cases it holds. Beside the count
 * world's events it has a partial receipt (two cases of four refused for a temperature excursion)
 * and a quarantine (a case with a broken seal).
 *
 * Pack indexes are the serial list's positions; case k (from 1) of a batch holds packs
 * [50·(k−1), 50·k), because each batch's cases are packed in order from its first pack.
 */
import { gs1CheckDigit } from "@pedigree/gs1";
import { createPackageLedgerWriter, type PackageLedgerWriter, type PackInput } from "@pedigree/ledger";
import type { Hex } from "viem";
import {
  PARTIES,
  RECALL_REASON,
  REJECTION_REASON,
  SUSPENSION_REASON,
  type BatchKeyName,
  type PartyKey,
} from "./world.ts";
import { SALEABLE_RETURN_REFERENCE, type DemoHistory, type DemoUnit, type HistoryContext } from "./history.ts";

/** Packs per case, as every demo packaging line packs them. */
export const CASE_SIZE = 50;
export const QUARANTINE_REASON = "Tamper-evident seal of the case found broken on receipt; held for investigation";

/** The company prefix each party's SSCCs are under (a distributor's own, from its GLN). */
const SSCC_PREFIXES: Partial<Record<PartyKey, string>> = {
  acme: "952012",
  borealis: "9520345",
  northwind: "952056",
};

/** The SSCC (AI 00) of `party`'s `reference`-th logistic unit: extension digit 0, prefix, reference, check digit. */
export function demoSscc(party: PartyKey, reference: number): string {
  const prefix = SSCC_PREFIXES[party];
  if (prefix === undefined) throw new Error(`${PARTIES[party].name} packs no units in the demo world`);
  const body = `0${prefix}${String(reference).padStart(16 - prefix.length, "0")}`;
  return body + String(gs1CheckDigit(body));
}

export function packageHistory(world: HistoryContext): DemoHistory<PackageLedgerWriter> {
  const { at, addresses, batchIds } = world;
  const writers = world.writersFor(createPackageLedgerWriter);
  const units: DemoUnit[] = [];
  const nextReference: Partial<Record<PartyKey, number>> = {};
  const newSscc = (party: PartyKey) => {
    const reference = (nextReference[party] ?? 0) + 1;
    nextReference[party] = reference;
    return demoSscc(party, reference);
  };
  const prefixLength = (party: PartyKey) => (SSCC_PREFIXES[party] as string).length;

  /** The cases of each batch, in packing order: cases[key][k - 1] is case k. */
  const cases = {} as Record<BatchKeyName, string[]>;
  const caseOf = (key: BatchKeyName, k: number) => cases[key][k - 1] as string;
  const casesOf = (key: BatchKeyName, from: number, to: number) => cases[key].slice(from - 1, to);
  /** The case a fresh pack is in: the unit a step names with it. */
  const pack = (key: BatchKeyName, index: number): PackInput => ({
    batch: batchIds[key],
    index,
    unit: caseOf(key, Math.floor(index / CASE_SIZE) + 1),
  });
  const packs = (key: BatchKeyName, from: number, to: number): PackInput[] =>
    Array.from({ length: to - from }, (_, i) => pack(key, from + i));

  /** `count` cases of 50 packed off the line by the batch's manufacturer, one transaction each. */
  const packCases = (daysAgo: number, by: PartyKey, key: BatchKeyName, count: number) => {
    cases[key] = [];
    for (let k = 1; k <= count; k++) {
      const sscc = newSscc(by);
      cases[key].push(sscc);
      units.push({
        sscc,
        kind: "case",
        packer: by,
        packs: { batch: key, from: (k - 1) * CASE_SIZE, to: k * CASE_SIZE },
      });
      at(daysAgo, `pack case ${k} of ${key}`, () =>
        writers[by].packRange({ sscc, prefixLength: prefixLength(by), batch: batchIds[key], count: CASE_SIZE }),
      );
    }
  };
  const palletise = (daysAgo: number, by: PartyKey, children: string[]) => {
    const sscc = newSscc(by);
    units.push({ sscc, kind: "pallet", packer: by, children });
    at(daysAgo, `stack ${children.length} cases on a pallet`, () =>
      writers[by].aggregate({ sscc, prefixLength: prefixLength(by), units: children, packs: [] }),
    );
    return sscc;
  };

  const shipments = new Map<string, Hex>();
  const ship =
    (from: PartyKey, to: PartyKey, reference: string, items: { units?: string[]; packs?: PackInput[] }) => async () => {
      const { shipmentId } = await writers[from].ship({
        to: addresses[to],
        reference,
        units: items.units ?? [],
        packs: items.packs ?? [],
      });
      shipments.set(reference, shipmentId);
    };
  const shipmentId = (reference: string) => shipments.get(reference) as Hex;
  const receiveAll =
    (by: PartyKey, reference: string, units: string[], loose: PackInput[] = []) =>
    () =>
      writers[by].receiveShipment({ shipmentId: shipmentId(reference), received: { units, packs: loose } });
  const dispense = (by: PartyKey, key: BatchKeyName, from: number, to: number) => () =>
    writers[by].decommissionMany({ packs: packs(key, from, to), state: "DISPENSED" });

  // Amoxicillin: distributed and partly dispensed before it expired six weeks ago.
  packCases(378, "acme", "amoxicillin", 20);
  const amxPallets = [
    palletise(377, "acme", casesOf("amoxicillin", 1, 10)),
    palletise(377, "acme", casesOf("amoxicillin", 11, 20)),
  ];
  at(375, "ship amoxicillin", ship("acme", "northwind", "ACME-ASN-240117", { units: amxPallets }));
  at(374, "receive both pallets", receiveAll("northwind", "ACME-ASN-240117", amxPallets));
  at(371, "break a pallet", () =>
    writers.northwind.disaggregate({ sscc: amxPallets[0] as string, units: casesOf("amoxicillin", 1, 6), packs: [] }),
  );
  at(370, "ship amoxicillin", ship("northwind", "central", "NW-ASN-240301", { units: casesOf("amoxicillin", 1, 6) }));
  at(369, "receive", receiveAll("central", "NW-ASN-240301", casesOf("amoxicillin", 1, 6)));
  at(300, "dispense amoxicillin", dispense("central", "amoxicillin", 0, 40));

  // Metformin: the everyday batch.
  packCases(198, "acme", "metformin", 30);
  const metPallets = [1, 11, 21].map((first) => palletise(197, "acme", casesOf("metformin", first, first + 9)));
  at(195, "ship metformin", ship("acme", "northwind", "ACME-ASN-250310", { units: metPallets }));
  at(194, "receive three pallets", receiveAll("northwind", "ACME-ASN-250310", metPallets));
  at(191, "break a pallet", () =>
    writers.northwind.disaggregate({ sscc: metPallets[0] as string, units: casesOf("metformin", 1, 10), packs: [] }),
  );
  at(191, "take cases off a pallet", () =>
    writers.northwind.disaggregate({ sscc: metPallets[1] as string, units: casesOf("metformin", 11, 16), packs: [] }),
  );
  at(190, "ship metformin", ship("northwind", "central", "NW-ASN-250318", { units: casesOf("metformin", 1, 8) }));
  at(189, "receive", receiveAll("central", "NW-ASN-250318", casesOf("metformin", 1, 8)));
  at(185, "ship metformin", ship("northwind", "harbour", "NW-ASN-250322", { units: casesOf("metformin", 9, 14) }));
  at(184, "receive", receiveAll("harbour", "NW-ASN-250322", casesOf("metformin", 9, 14)));
  at(60, "destroy damaged metformin", () =>
    writers.northwind.decommissionMany({ packs: packs("metformin", 1400, 1402), state: "DESTROYED" }),
  );
  at(21, "dispense metformin", dispense("central", "metformin", 0, 60));
  at(20, "dispense metformin", dispense("harbour", "metformin", 400, 425));
  // Two hours ago: still inside the 10-day window in which the pharmacy may undo the dispense.
  at(2 / 24, "dispense metformin", dispense("central", "metformin", 60, 63));
  // Harbour finds a case's seal broken and holds it while it is investigated.
  at(4, "quarantine a metformin case", () =>
    writers.harbour.quarantine({ units: [caseOf("metformin", 14)], packs: [], reason: QUARANTINE_REASON }),
  );

  // Atorvastatin: recalled by Acme while Harbour Pharmacy still holds stock.
  packCases(148, "acme", "atorvastatin", 16);
  const atvPallets = [
    palletise(147, "acme", casesOf("atorvastatin", 1, 8)),
    palletise(147, "acme", casesOf("atorvastatin", 9, 16)),
  ];
  at(145, "ship atorvastatin", ship("acme", "northwind", "ACME-ASN-250620", { units: atvPallets }));
  at(144, "receive", receiveAll("northwind", "ACME-ASN-250620", atvPallets));
  at(141, "take cases off a pallet", () =>
    writers.northwind.disaggregate({ sscc: atvPallets[0] as string, units: casesOf("atorvastatin", 1, 4), packs: [] }),
  );
  at(140, "ship atorvastatin", ship("northwind", "harbour", "NW-ASN-250626", { units: casesOf("atorvastatin", 1, 4) }));
  at(139, "receive", receiveAll("harbour", "NW-ASN-250626", casesOf("atorvastatin", 1, 4)));
  at(100, "dispense atorvastatin", dispense("harbour", "atorvastatin", 0, 10));
  at(10, "recall atorvastatin", () =>
    writers.acme.recallBatch({ batch: batchIds.atorvastatin, reason: RECALL_REASON }),
  );

  // Salbutamol: suspended by the agency; it reached Central Pharmacy with two metformin cases.
  packCases(118, "borealis", "salbutamol", 20);
  const salPallets = [
    palletise(117, "borealis", casesOf("salbutamol", 1, 10)),
    palletise(117, "borealis", casesOf("salbutamol", 11, 20)),
  ];
  at(115, "ship salbutamol", ship("borealis", "northwind", "BOR-ASN-250801", { units: salPallets }));
  at(114, "receive", receiveAll("northwind", "BOR-ASN-250801", salPallets));
  at(111, "take cases off a pallet", () =>
    writers.northwind.disaggregate({ sscc: salPallets[0] as string, units: casesOf("salbutamol", 1, 4), packs: [] }),
  );
  const salAndMet = [...casesOf("salbutamol", 1, 4), ...casesOf("metformin", 15, 16)];
  at(110, "ship salbutamol and metformin", ship("northwind", "central", "NW-ASN-250807", { units: salAndMet }));
  at(109, "receive", receiveAll("central", "NW-ASN-250807", salAndMet));
  at(30, "dispense salbutamol", dispense("central", "salbutamol", 0, 15));
  at(5, "suspend salbutamol", () =>
    writers.agency.suspendBatch({ batch: batchIds.salbutamol, reason: SUSPENSION_REASON }),
  );

  // Ibuprofen: one shipment in each state.
  packCases(58, "borealis", "ibuprofen", 20);
  const ibuPallet = palletise(57, "borealis", casesOf("ibuprofen", 1, 12));
  at(55, "ship ibuprofen", ship("borealis", "northwind", "BOR-ASN-251001", { units: [ibuPallet] }));
  at(54, "receive the pallet with one scan", receiveAll("northwind", "BOR-ASN-251001", [ibuPallet]));
  at(50, "ship ibuprofen", ship("borealis", "central", "BOR-ASN-251006", { units: casesOf("ibuprofen", 13, 16) }));
  at(49, "receive two cases, refuse two", () =>
    writers.central.receiveShipment({
      shipmentId: shipmentId("BOR-ASN-251006"),
      received: { units: casesOf("ibuprofen", 13, 14), packs: [] },
      rejected: { units: casesOf("ibuprofen", 15, 16), packs: [] },
      reason: REJECTION_REASON,
    }),
  );
  at(45, "ship ibuprofen", ship("borealis", "harbour", "BOR-ASN-251011", { units: [caseOf("ibuprofen", 17)] }));
  at(44.9, "cancel", () =>
    writers.borealis.cancelShipment({
      shipmentId: shipmentId("BOR-ASN-251011"),
      units: [caseOf("ibuprofen", 17)],
      packs: [],
    }),
  );
  // A pharmacy's order: three cases off the pallet and 20 loose metformin packs picked into a tote.
  const tote = newSscc("northwind");
  units.push({ sscc: tote, kind: "tote", packer: "northwind", packs: { batch: "metformin", from: 1450, to: 1470 } });
  at(4, "take cases off a pallet", () =>
    writers.northwind.disaggregate({ sscc: ibuPallet, units: casesOf("ibuprofen", 1, 3), packs: [] }),
  );
  at(4, "take a metformin case off a pallet", () =>
    writers.northwind.disaggregate({ sscc: metPallets[2] as string, units: [caseOf("metformin", 30)], packs: [] }),
  );
  at(3, "pick 20 metformin packs into a tote", () =>
    writers.northwind.aggregate({ sscc: tote, units: [], packs: packs("metformin", 1450, 1470) }),
  );
  at(
    3,
    "ship ibuprofen and metformin",
    ship("northwind", "central", "NW-ASN-251118", { units: [...casesOf("ibuprofen", 1, 3), tote] }),
  );
  at(2, "ship ibuprofen", ship("borealis", "harbour", "BOR-ASN-251119", { units: casesOf("ibuprofen", 17, 18) }));
  // A saleable return waiting at Northwind: two packs taken out of a case, verified with Acme's responder, then received.
  const returned = packs("metformin", 200, 202);
  at(1, "take two packs out of a case", () =>
    writers.central.disaggregate({ sscc: caseOf("metformin", 5), units: [], packs: returned }),
  );
  at(
    1,
    "return metformin",
    ship("central", "northwind", SALEABLE_RETURN_REFERENCE, {
      packs: returned.map(({ unit: _taken, ...loose }) => loose),
    }),
  );

  return {
    writers,
    units,
    destroyedMetformin: 1400,
    examples: [
      {
        verdict: "QUARANTINED",
        description: "Metformin in a case Harbour Pharmacy quarantined 4 days ago (broken seal)",
        batch: "metformin",
        index: 660,
      },
    ],
  };
}
