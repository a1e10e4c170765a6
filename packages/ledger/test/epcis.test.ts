import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toDigitalLink } from "@pedigree/gs1";
import {
  EPCIS_CONTEXT,
  PACKAGE_EVENT_BIZ_STEPS,
  PEDIGREE_EPCIS_NAMESPACE,
  epcisEventId,
  partyUri,
  toEpcisDocument,
  toEpcisEvent,
  toEpcisEvents,
  uuidV5,
  type CustodyEvent,
  type EpcisAggregationEvent,
  type EpcisEvent,
  type EpcisObjectEvent,
  type PackageLedgerEvent,
} from "../src/epcis.ts";
import type { LedgerEvent } from "../src/events.ts";
import { assertValidEpcis, isValidEpcis } from "./epcisSchema.ts";
import { ASN_1, BATCH_ID, CHAIN_ID, EVENTS, acme, central, northwind, regulator } from "./fixtures.ts";
import {
  BATCH,
  CASE_A,
  CASE_B,
  PACKAGE_EVENTS,
  PALLET,
  SERIALS,
  SHIPMENT,
  TOTE,
  pack,
  ssccOf,
} from "./epcisPackageFixtures.ts";

const CREATED = new Date("2026-02-01T10:00:00Z");
const BATCH_CLASS = "https://id.gs1.org/01/09520123456788/10/A1234";
const loc = (gln: string) => `https://id.gs1.org/414/${gln}`;
const pgln = (gln: string) => `https://id.gs1.org/417/${gln}`;

/** Maps one event, validates it as a one-event document against GS1's schema, and returns it. */
function mapped(event: LedgerEvent): EpcisObjectEvent {
  const document = toEpcisDocument([event], { creationDate: CREATED });
  assertValidEpcis(document, `${event.eventName} (${JSON.stringify(event)})`);
  const [only, ...more] = document.epcisBody.eventList;
  assert.ok(only?.type === "ObjectEvent" && more.length === 0, "a count-ledger event is one ObjectEvent");
  return only;
}

function assertChainFields(epcis: EpcisObjectEvent, event: LedgerEvent): void {
  assert.equal(epcis.type, "ObjectEvent");
  assert.equal(epcis.eventID, epcisEventId(event.chainId, event.transactionHash, event.logIndex));
  assert.match(epcis.eventID, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(epcis.eventTime, new Date(event.timestamp * 1000).toISOString());
  assert.equal(epcis.eventTimeZoneOffset, "+00:00");
  assert.equal(epcis["pedigree:transactionHash"], event.transactionHash);
  assert.equal(epcis["pedigree:blockNumber"], event.blockNumber);
  assert.equal(epcis["pedigree:logIndex"], event.logIndex);
  assert.equal(epcis["pedigree:chainId"], CHAIN_ID);
  assert.equal(epcis["pedigree:batchId"], BATCH_ID);
}

const shipmentParties = (from: string, to: string) => ({
  sourceList: [
    { type: "owning_party", source: pgln(from) },
    { type: "possessing_party", source: pgln(from) },
  ],
  destinationList: [
    { type: "owning_party", destination: pgln(to) },
    { type: "possessing_party", destination: pgln(to) },
  ],
});

describe("EPCIS 2.0 mapping of ledger events", () => {
  it("BatchRegistered: ObjectEvent ADD, commissioning, active, the batch class with its pack count, lot and expiry in ILMD", () => {
    const epcis = mapped(EVENTS.registered);
    assertChainFields(epcis, EVENTS.registered);
    assert.equal(epcis.action, "ADD");
    assert.equal(epcis.bizStep, "commissioning");
    assert.equal(epcis.disposition, "active");
    assert.deepEqual(epcis.quantityList, [{ epcClass: BATCH_CLASS, quantity: 64 }]);
    assert.equal(epcis.epcList, undefined);
    assert.deepEqual(epcis.readPoint, { id: loc(acme.gln!) });
    assert.deepEqual(epcis.bizLocation, { id: loc(acme.gln!) });
    // 20301200: day 00 is the last day of December.
    assert.deepEqual(epcis.ilmd, { "cbvmda:lotNumber": "A1234", "cbvmda:itemExpirationDate": "2030-12-31" });
    assert.equal(epcis["pedigree:serialsRoot"], EVENTS.registered.serialsRoot);
    assert.equal("pedigree:documentHash" in epcis, false, "a zero document hash is left out");
    const withDocument = mapped({ ...EVENTS.registered, documentHash: `0x${"ab".repeat(32)}` });
    assert.equal(withDocument["pedigree:documentHash"], `0x${"ab".repeat(32)}`);
  });

  it("UnitsShipped: OBSERVE shipping in_transit, owning and possessing parties, the ASN as a desadv", () => {
    const epcis = mapped(EVENTS.shipped);
    assertChainFields(epcis, EVENTS.shipped);
    assert.equal(epcis.action, "OBSERVE");
    assert.equal(epcis.bizStep, "shipping");
    assert.equal(epcis.disposition, "in_transit");
    assert.deepEqual(epcis.quantityList, [{ epcClass: BATCH_CLASS, quantity: 40 }]);
    assert.deepEqual(epcis.readPoint, { id: loc(acme.gln!) });
    assert.equal(epcis.bizLocation, undefined, "goods in transit have no business location");
    assert.deepEqual(epcis.bizTransactionList, [
      { type: "desadv", bizTransaction: `urn:epcglobal:cbv:bt:${acme.gln}:ASN-1` },
    ]);
    assert.deepEqual(
      { sourceList: epcis.sourceList, destinationList: epcis.destinationList },
      shipmentParties(acme.gln!, northwind.gln!),
    );
    assert.equal(epcis["pedigree:shipmentId"], EVENTS.shipped.shipmentId);
  });

  it("UnitsShipped: a reference that is not text is kept as hex; parties without a GLN are named by account (did:pkh)", () => {
    const binaryRef = `0x${"ff".repeat(32)}` as const;
    const epcis = mapped({
      ...EVENTS.shipped,
      shipmentRef: binaryRef,
      to: { address: northwind.address },
    });
    assert.deepEqual(epcis.bizTransactionList, [
      { type: "desadv", bizTransaction: `urn:epcglobal:cbv:bt:${acme.gln}:${binaryRef}` },
    ]);
    assert.equal(epcis.destinationList?.[0]?.destination, `did:pkh:eip155:${CHAIN_ID}:${northwind.address}`);
    const noGln = mapped({ ...EVENTS.shipped, from: { address: acme.address } });
    assert.equal(noGln.bizTransactionList, undefined, "a CBV business transaction id needs the sender's GLN");
    assert.equal(noGln.readPoint, undefined, "an account is not a location");
    assert.equal(noGln["pedigree:shipmentId"], EVENTS.shipped.shipmentId);
  });

  it("UnitsReceived: OBSERVE receiving in_progress at the recipient", () => {
    const epcis = mapped(EVENTS.received);
    assertChainFields(epcis, EVENTS.received);
    assert.equal(epcis.action, "OBSERVE");
    assert.equal(epcis.bizStep, "receiving");
    assert.equal(epcis.disposition, "in_progress");
    assert.deepEqual(epcis.quantityList, [{ epcClass: BATCH_CLASS, quantity: 40 }]);
    assert.deepEqual(epcis.readPoint, { id: loc(northwind.gln!) });
    assert.deepEqual(epcis.bizLocation, { id: loc(northwind.gln!) });
    assert.deepEqual(
      { sourceList: epcis.sourceList, destinationList: epcis.destinationList },
      shipmentParties(acme.gln!, northwind.gln!),
    );
  });

  it("UnitsRejected: receiving with disposition returned, and the reason", () => {
    const epcis = mapped(EVENTS.rejected);
    assertChainFields(epcis, EVENTS.rejected);
    assert.equal(epcis.bizStep, "receiving");
    assert.equal(epcis.disposition, "returned");
    assert.deepEqual(epcis.quantityList, [{ epcClass: BATCH_CLASS, quantity: 5 }]);
    assert.deepEqual(epcis.readPoint, { id: loc(central.gln!) });
    assert.equal(epcis.bizLocation, undefined);
    assert.deepEqual(
      { sourceList: epcis.sourceList, destinationList: epcis.destinationList },
      shipmentParties(northwind.gln!, central.gln!),
    );
    assert.equal(epcis["pedigree:reason"], "damaged cases");
  });

  it("ShipmentCancelled: void_shipping, the units back in the sender's stock", () => {
    const epcis = mapped(EVENTS.cancelled);
    assertChainFields(epcis, EVENTS.cancelled);
    assert.equal(epcis.bizStep, "void_shipping");
    assert.equal(epcis.disposition, "in_progress");
    assert.deepEqual(epcis.quantityList, [{ epcClass: BATCH_CLASS, quantity: 3 }]);
    assert.deepEqual(epcis.bizLocation, { id: loc(northwind.gln!) });
    assert.deepEqual(
      { sourceList: epcis.sourceList, destinationList: epcis.destinationList },
      shipmentParties(northwind.gln!, central.gln!),
    );
  });

  it("PackDecommissioned DISPENSED: dispensing / dispensed on the pack's Digital Link", () => {
    const epcis = mapped(EVENTS.dispensed);
    assertChainFields(epcis, EVENTS.dispensed);
    assert.equal(epcis.action, "OBSERVE");
    assert.equal(epcis.bizStep, "dispensing");
    assert.equal(epcis.disposition, "dispensed");
    assert.deepEqual(epcis.epcList, ["https://id.gs1.org/01/09520123456788/21/PK2F7Q"]);
    assert.equal(epcis.quantityList, undefined);
    assert.deepEqual(epcis.readPoint, { id: loc(central.gln!) });
    assert.equal(epcis["pedigree:packIndex"], 7);
    assert.equal(epcis["pedigree:packState"], "DISPENSED");
  });

  it("PackDecommissioned without a known serial: one unit of the batch class", () => {
    const epcis = mapped(EVENTS.dispensedWithoutSerial);
    assert.equal(epcis.epcList, undefined);
    assert.deepEqual(epcis.quantityList, [{ epcClass: BATCH_CLASS, quantity: 1 }]);
    assert.equal(epcis["pedigree:packIndex"], 8);
  });

  it("PackDecommissioned: destroyed, stolen, sample, exported and locked", () => {
    const expected = {
      destroyed: ["destroying", "destroyed", "DELETE"],
      stolen: ["decommissioning", "stolen", "OBSERVE"],
      sample: ["sampling", "non_sellable_other", "OBSERVE"],
      exported: ["decommissioning", "inactive", "OBSERVE"],
      locked: ["holding", "non_sellable_other", "OBSERVE"],
    } as const;
    for (const [key, [bizStep, disposition, action]] of Object.entries(expected)) {
      const event = EVENTS[key as keyof typeof expected];
      const epcis = mapped(event);
      assertChainFields(epcis, event);
      assert.deepEqual([epcis.bizStep, epcis.disposition, epcis.action], [bizStep, disposition, action], key);
      assert.equal(epcis["pedigree:packState"], event.state);
    }
    // Serials are percent-encoded in the Digital Link.
    assert.deepEqual(mapped(EVENTS.locked).epcList, ["https://id.gs1.org/01/09520123456788/21/A%2FB%2BC"]);
  });

  it("PackReactivated: back in stock, active", () => {
    const epcis = mapped(EVENTS.reactivated);
    assertChainFields(epcis, EVENTS.reactivated);
    assert.equal(epcis.bizStep, "stocking");
    assert.equal(epcis.disposition, "active");
    assert.deepEqual(epcis.epcList, ["https://id.gs1.org/01/09520123456788/21/PK2F7Q"]);
    assert.deepEqual(epcis.bizLocation, { id: loc(central.gln!) });
    assert.equal(epcis["pedigree:previousState"], "DISPENSED");
  });

  it("BatchRecalled: disposition recalled (persistent) on the whole batch class, no recalling bizStep", () => {
    const epcis = mapped(EVENTS.recalled);
    assertChainFields(epcis, EVENTS.recalled);
    assert.equal(epcis.bizStep, "holding");
    assert.equal(epcis.disposition, "recalled");
    assert.deepEqual(epcis.persistentDisposition, { set: ["recalled"] });
    assert.deepEqual(epcis.quantityList, [{ epcClass: BATCH_CLASS }]);
    assert.deepEqual(epcis.readPoint, { id: loc(acme.gln!) });
    assert.equal(epcis["pedigree:reason"], "contaminated excipient");
  });

  it("BatchSuspended and BatchReinstated: a persistent non-sellable hold, set then lifted", () => {
    const suspended = mapped(EVENTS.suspended);
    assertChainFields(suspended, EVENTS.suspended);
    assert.equal(suspended.bizStep, "holding");
    assert.equal(suspended.disposition, "non_sellable_other");
    assert.deepEqual(suspended.persistentDisposition, { set: ["non_sellable_other"] });
    assert.deepEqual(suspended.readPoint, { id: loc(regulator.gln!) });
    assert.equal(suspended["pedigree:reason"], "out-of-specification assay");
    const reinstated = mapped(EVENTS.reinstated);
    assertChainFields(reinstated, EVENTS.reinstated);
    assert.equal(reinstated.bizStep, "inspecting");
    assert.equal(reinstated.disposition, "active");
    assert.deepEqual(reinstated.persistentDisposition, { unset: ["non_sellable_other"] });
  });

  it("refuses a PackDecommissioned event that claims the ACTIVE state", () => {
    assert.throws(() => toEpcisEvent({ ...EVENTS.dispensed, state: "ACTIVE" }), /cannot carry the state ACTIVE/);
  });
});

describe("EPCIS 2.0 document", () => {
  const events = Object.values(EVENTS) as LedgerEvent[];

  it("holds every event of a batch's life and validates against GS1's schema", () => {
    const document = toEpcisDocument(events, { creationDate: CREATED });
    assertValidEpcis(document, "multi-event document");
    assert.deepEqual(document["@context"], [EPCIS_CONTEXT, { pedigree: PEDIGREE_EPCIS_NAMESPACE }]);
    assert.equal(document.type, "EPCISDocument");
    assert.equal(document.schemaVersion, "2.0");
    assert.equal(document.creationDate, "2026-02-01T10:00:00.000Z");
    assert.equal(document.epcisBody.eventList.length, events.length);
    assert.deepEqual(
      document.epcisBody.eventList.map((event) => event.bizStep),
      events.map((event) => toEpcisEvent(event).bizStep),
      "events keep the order given",
    );
    const ids = new Set(document.epcisBody.eventList.map((event) => event.eventID));
    assert.equal(ids.size, new Set(events.map((e) => `${e.transactionHash}:${e.logIndex}`)).size);
  });

  it("takes the extension namespace and a creation date as text", () => {
    const document = toEpcisDocument(events.slice(0, 2), {
      creationDate: "2026-02-01T11:00:00+01:00",
      namespace: "https://pedigree.example.org/epcis/",
    });
    assertValidEpcis(document);
    assert.deepEqual(document["@context"][1], { pedigree: "https://pedigree.example.org/epcis/" });
    assert.equal(document.creationDate, "2026-02-01T10:00:00.000Z");
    assert.throws(() => toEpcisDocument([], { creationDate: "yesterday" }), /not a date/);
  });

  it("validates an empty document, and the schema check does catch a broken one", () => {
    assertValidEpcis(toEpcisDocument([], { creationDate: CREATED }));
    const broken = toEpcisDocument([EVENTS.shipped], { creationDate: CREATED });
    const first = broken.epcisBody.eventList[0] as unknown as Record<string, unknown>;
    first.bizStep = "recalling"; // no such CBV step
    assert.equal(isValidEpcis(broken), false);
    const noTime = toEpcisDocument([EVENTS.shipped], { creationDate: CREATED });
    delete (noTime.epcisBody.eventList[0] as unknown as Record<string, unknown>).eventTime;
    assert.equal(isValidEpcis(noTime), false);
  });

  it("stays valid for any lot, serial, quantity and party the ledger can hold", () => {
    const cset82 = fc.constantFrom(
      ..."!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
    );
    const value = fc.array(cset82, { minLength: 1, maxLength: 20 }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(
        value,
        value,
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.boolean(),
        (lot, serial, quantity, withGln) => {
          const by = withGln ? central : { address: central.address };
          const batch = { ...EVENTS.shipped.batch, lot };
          const document = toEpcisDocument(
            [
              { ...EVENTS.registered, batch, packCount: quantity },
              { ...EVENTS.shipped, batch, quantity, from: by },
              { ...EVENTS.dispensed, batch, serial, by },
            ],
            { creationDate: CREATED },
          );
          assertValidEpcis(document);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("event ids", () => {
  it("implements RFC 9562 version 5 UUIDs (the RFC's www.example.com example in the DNS namespace)", () => {
    assert.equal(
      uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
    assert.throws(() => uuidV5("not-a-uuid", "x"), /not a UUID/);
  });

  it("derives the id from chain id, transaction hash (any case) and log index, and nothing else", () => {
    const tx = `0x${"Ab".repeat(32)}` as const;
    const id = epcisEventId(CHAIN_ID, tx, 3);
    assert.equal(id, epcisEventId(CHAIN_ID, tx.toLowerCase() as `0x${string}`, 3));
    assert.equal(
      id,
      `urn:uuid:${uuidV5("b038df83-02f0-599c-b33f-c1bb3e546a98", `eip155:31337:${tx.toLowerCase()}:3`)}`,
    );
    assert.notEqual(id, epcisEventId(CHAIN_ID, tx, 4));
    assert.notEqual(id, epcisEventId(1, tx, 3));
    // The same chain event mapped twice, or with other party names, keeps its id.
    const renamed = { ...EVENTS.shipped, from: { ...acme, name: "Acme Renamed" } };
    assert.equal(toEpcisEvent(renamed).eventID, toEpcisEvent(EVENTS.shipped).eventID);
  });

  it("names parties by party GLN (AI 417), or by account without one", () => {
    assert.equal(partyUri(acme, CHAIN_ID), "https://id.gs1.org/417/9520000000011");
    assert.equal(partyUri({ address: acme.address }, 10), `did:pkh:eip155:10:${acme.address}`);
    assert.ok(ASN_1.startsWith("0x41534e2d31"));
  });
});

// ------------------------------------------------------------------ the package-level ledger

const sscc = (value: string) => `https://id.gs1.org/00/${value}`;
const sgtin = (serial: string) => `https://id.gs1.org/01/${BATCH.gtin}/21/${encodeURIComponent(serial)}`;

/** Maps one package-ledger event, validates its EPCIS events as one document, and returns them. */
function mappedAll(event: CustodyEvent): EpcisEvent[] {
  const document = toEpcisDocument([event], { creationDate: CREATED });
  assertValidEpcis(document, `${event.eventName} (${JSON.stringify(event)})`);
  return document.epcisBody.eventList;
}
function aggregationOf(event: EpcisEvent | undefined): EpcisAggregationEvent {
  assert.equal(event?.type, "AggregationEvent");
  return event as EpcisAggregationEvent;
}
function objectOf(event: EpcisEvent | undefined): EpcisObjectEvent {
  assert.equal(event?.type, "ObjectEvent");
  return event as EpcisObjectEvent;
}
/** The chain fields every package event carries; no batch unless the event has one. */
function assertPosition(epcis: EpcisEvent, event: PackageLedgerEvent, part?: string): void {
  assert.equal(epcis.eventID, epcisEventId(event.chainId, event.transactionHash, event.logIndex, part));
  assert.equal(epcis.eventTime, new Date(event.timestamp * 1000).toISOString());
  assert.equal(epcis.eventTimeZoneOffset, "+00:00");
  assert.equal(epcis["pedigree:transactionHash"], event.transactionHash);
  assert.equal(epcis["pedigree:logIndex"], event.logIndex);
  assert.equal(epcis["pedigree:chainId"], CHAIN_ID);
}

describe("EPCIS 2.0 mapping of the package-level ledger's events", () => {
  it("UnitPacked: AggregationEvent ADD packing, the case's SSCC as parent and its packs' SGTINs as children, at the packer's", () => {
    const [epcis, ...more] = mappedAll(PACKAGE_EVENTS.packedNamed);
    assert.equal(more.length, 0);
    const packed = aggregationOf(epcis);
    assertPosition(packed, PACKAGE_EVENTS.packedNamed);
    assert.deepEqual(
      [packed.action, packed.bizStep, packed.disposition, packed.parentID],
      ["ADD", "packing", "in_progress", sscc(CASE_A)],
    );
    assert.deepEqual(packed.childEPCs, [sgtin("PK0"), sgtin("PK1"), sgtin("PK2")]);
    assert.equal(packed.childQuantityList, undefined);
    assert.deepEqual(packed.readPoint, { id: loc(acme.gln!) });
    assert.deepEqual(packed.bizLocation, { id: loc(acme.gln!) }, "the packed case stays at the packer's");
    assert.deepEqual(
      [packed["pedigree:batchId"], packed["pedigree:firstIndex"], packed["pedigree:count"]],
      [BATCH_ID, 0, 3],
    );
  });

  it("UnitPacked without the serials (a reader who may not see them): the packs counted as units of the batch class", () => {
    const packed = aggregationOf(mappedAll(PACKAGE_EVENTS.packedUnnamed)[0]);
    assert.equal(packed.childEPCs, undefined, "no SGTIN names a pack the reader may not see");
    assert.deepEqual(packed.childQuantityList, [{ epcClass: BATCH_CLASS, quantity: 3 }]);
    assert.ok(!JSON.stringify(packed).includes("PK3"));
  });

  it("UnitAggregated ADD of cases: a pallet whose children are the cases' SSCCs", () => {
    const [epcis, ...more] = mappedAll(PACKAGE_EVENTS.palletised);
    assert.equal(more.length, 0);
    const pallet = aggregationOf(epcis);
    assertPosition(pallet, PACKAGE_EVENTS.palletised);
    assert.deepEqual([pallet.action, pallet.bizStep, pallet.parentID], ["ADD", "packing", sscc(PALLET)]);
    assert.deepEqual(pallet.childEPCs, [sscc(CASE_A), sscc(CASE_B)]);
    assert.equal("pedigree:batchId" in pallet, false, "a unit of units names no batch");
  });

  it("UnitAggregated ADD of a pack taken out of a case: the case's unpacking first, then the packing", () => {
    const event = PACKAGE_EVENTS.toteFromWithin;
    const [unpacked, packed, ...more] = mappedAll(event);
    assert.equal(more.length, 0);
    const out = aggregationOf(unpacked);
    assertPosition(out, event, `unpacking:${CASE_A}`);
    assert.deepEqual(
      [out.action, out.bizStep, out.parentID, out.childEPCs],
      ["DELETE", "unpacking", sscc(CASE_A), [sgtin("PK1")]],
    );
    assert.deepEqual(out.bizLocation, { id: loc(northwind.gln!) });
    const into = aggregationOf(packed);
    assertPosition(into, event);
    assert.deepEqual(
      [into.action, into.parentID, into.childEPCs],
      ["ADD", `https://id.gs1.org/00/${TOTE}`, [sgtin("PK6"), sgtin("PK1")]],
    );
    assert.notEqual(out.eventID, into.eventID);
  });

  it("UnitAggregated DELETE: AggregationEvent DELETE unpacking of the children taken out", () => {
    const out = aggregationOf(mappedAll(PACKAGE_EVENTS.disaggregated)[0]);
    assertPosition(out, PACKAGE_EVENTS.disaggregated);
    assert.deepEqual(
      [out.action, out.bizStep, out.disposition, out.parentID, out.childEPCs],
      ["DELETE", "unpacking", "in_progress", sscc(PALLET), [sscc(CASE_B)]],
    );
  });

  it("ShipmentShipped: OBSERVE shipping in_transit of the shipped SSCCs and loose SGTINs, the parties, the ASN", () => {
    const [epcis, ...more] = mappedAll(PACKAGE_EVENTS.shipped);
    assert.equal(more.length, 0);
    const shipped = objectOf(epcis);
    assertPosition(shipped, PACKAGE_EVENTS.shipped);
    assert.deepEqual([shipped.action, shipped.bizStep, shipped.disposition], ["OBSERVE", "shipping", "in_transit"]);
    assert.deepEqual(shipped.epcList, [sscc(PALLET), sgtin("PK7")], "top-level units, then loose packs");
    assert.deepEqual(shipped.quantityList, [{ epcClass: BATCH_CLASS, quantity: 1 }], "the pack not named");
    assert.deepEqual(shipped.readPoint, { id: loc(acme.gln!) });
    assert.equal(shipped.bizLocation, undefined);
    assert.deepEqual(shipped.bizTransactionList, [
      { type: "desadv", bizTransaction: `urn:epcglobal:cbv:bt:${acme.gln}:ASN-1` },
    ]);
    assert.deepEqual(
      { sourceList: shipped.sourceList, destinationList: shipped.destinationList },
      shipmentParties(acme.gln!, northwind.gln!),
    );
    assert.equal(shipped["pedigree:shipmentId"], SHIPMENT);
  });

  it("ShipmentReceived in part: receiving in_progress of what was received, then receiving returned of what was refused", () => {
    const event = PACKAGE_EVENTS.receivedInPart;
    const [received, refused, ...more] = mappedAll(event).map(objectOf);
    assert.equal(more.length, 0);
    assertPosition(received!, event);
    assertPosition(refused!, event, "rejected");
    assert.deepEqual(
      [received!.bizStep, received!.disposition, received!.epcList, received!.quantityList],
      ["receiving", "in_progress", [sscc(PALLET)], [{ epcClass: BATCH_CLASS, quantity: 1 }]],
    );
    assert.deepEqual(received!.bizLocation, { id: loc(northwind.gln!) }, "received goods stay at the recipient's");
    assert.deepEqual(
      [refused!.bizStep, refused!.disposition, refused!.epcList, refused!["pedigree:reason"]],
      ["receiving", "returned", [sgtin("PK7")], "Damaged in transit"],
    );
    assert.deepEqual(refused!.readPoint, { id: loc(northwind.gln!) });
    assert.equal(refused!.bizLocation, undefined, "refused goods go back to the sender");
    for (const epcis of [received!, refused!]) {
      assert.deepEqual(
        { sourceList: epcis.sourceList, destinationList: epcis.destinationList },
        shipmentParties(acme.gln!, northwind.gln!),
      );
      assert.equal(epcis["pedigree:shipmentId"], SHIPMENT);
    }
    assert.equal("pedigree:reason" in received!, false);
  });

  it("ShipmentReceived in full or refused in full: one event, each with its own stable id", () => {
    const [all] = mappedAll(PACKAGE_EVENTS.receivedInFull);
    assert.equal(mappedAll(PACKAGE_EVENTS.receivedInFull).length, 1);
    assertPosition(all!, PACKAGE_EVENTS.receivedInFull);
    assert.deepEqual(objectOf(all).epcList, [sscc(PALLET), sgtin("PK7")]);
    const refused = mappedAll(PACKAGE_EVENTS.rejectedInFull);
    assert.equal(refused.length, 1);
    assertPosition(refused[0]!, PACKAGE_EVENTS.rejectedInFull, "rejected");
    assert.equal(objectOf(refused[0]).disposition, "returned");
    // The same chain event, mapped again or by another exporter, keeps its ids.
    assert.deepEqual(
      toEpcisEvents(PACKAGE_EVENTS.receivedInPart).map((e) => e.eventID),
      toEpcisEvents({ ...PACKAGE_EVENTS.receivedInPart, from: { ...acme, name: "Renamed" } }).map((e) => e.eventID),
    );
  });

  it("ShipmentCancelled: void_shipping of the units and packs withdrawn, back in the sender's stock", () => {
    const cancelled = objectOf(mappedAll(PACKAGE_EVENTS.cancelled)[0]);
    assertPosition(cancelled, PACKAGE_EVENTS.cancelled);
    assert.deepEqual(
      [cancelled.bizStep, cancelled.disposition, cancelled.epcList],
      ["void_shipping", "in_progress", [sscc(CASE_B)]],
    );
    assert.deepEqual(cancelled.bizLocation, { id: loc(northwind.gln!) });
    assert.deepEqual(
      { sourceList: cancelled.sourceList, destinationList: cancelled.destinationList },
      shipmentParties(northwind.gln!, central.gln!),
    );
  });

  it("PackDecommissioned inside a case: the case's unpacking, then the dispensing, as the count ledger maps it", () => {
    const event = PACKAGE_EVENTS.dispensedInCase;
    const [unpacked, dispensed, ...more] = mappedAll(event);
    assert.equal(more.length, 0);
    const out = aggregationOf(unpacked);
    assertPosition(out, event, `unpacking:${CASE_A}`);
    assert.deepEqual([out.action, out.parentID, out.childEPCs], ["DELETE", sscc(CASE_A), [sgtin("PK2")]]);
    const { within: _within, ...loose } = event;
    assert.deepEqual(dispensed, toEpcisEvent(loose), "the dispensing is the count ledger's mapping");
    assert.deepEqual(toEpcisEvents(loose), [toEpcisEvent(loose)], "a loose pack has no unpacking");
  });

  it("ItemsQuarantined: holding, non_sellable_other (persistent) on the units and packs held back", () => {
    const held = objectOf(mappedAll(PACKAGE_EVENTS.quarantined)[0]);
    assertPosition(held, PACKAGE_EVENTS.quarantined);
    assert.deepEqual(
      [held.action, held.bizStep, held.disposition, held.epcList],
      ["OBSERVE", "holding", "non_sellable_other", [sscc(CASE_B), sgtin("PK6")]],
    );
    assert.deepEqual(held.persistentDisposition, { set: ["non_sellable_other"] });
    assert.deepEqual(held.readPoint, { id: loc(regulator.gln!) });
    assert.equal(held["pedigree:reason"], "Suspect: broken seals");
  });

  it("ItemsQuarantineEnded: cleared is inspecting, conformant, the hold lifted; illegitimate is destroying (DELETE)", () => {
    const cleared = objectOf(mappedAll(PACKAGE_EVENTS.quarantineCleared)[0]);
    assert.deepEqual(
      [cleared.action, cleared.bizStep, cleared.disposition, cleared.persistentDisposition],
      ["OBSERVE", "inspecting", "conformant", { unset: ["non_sellable_other"] }],
    );
    assert.equal(cleared["pedigree:outcome"], "CLEARED");
    const destroyed = objectOf(mappedAll(PACKAGE_EVENTS.quarantineIllegitimate)[0]);
    assert.deepEqual(
      [destroyed.action, destroyed.bizStep, destroyed.disposition, destroyed.epcList],
      ["DELETE", "destroying", "destroyed", [sscc(CASE_B), sgtin("PK6")]],
    );
    assert.deepEqual([destroyed["pedigree:outcome"], destroyed["pedigree:reason"]], ["ILLEGITIMATE", "Falsified"]);
  });

  it("BatchQuarantined and its end: the batch class held back, then released or recalled for good", () => {
    const held = objectOf(mappedAll(PACKAGE_EVENTS.batchQuarantined)[0]);
    assert.deepEqual(
      [held.bizStep, held.disposition, held.quantityList, held.persistentDisposition],
      ["holding", "non_sellable_other", [{ epcClass: BATCH_CLASS }], { set: ["non_sellable_other"] }],
    );
    assert.equal(held["pedigree:batchId"], BATCH_ID);
    const cleared = objectOf(mappedAll(PACKAGE_EVENTS.batchQuarantineCleared)[0]);
    assert.deepEqual(
      [cleared.bizStep, cleared.disposition, cleared.persistentDisposition],
      ["inspecting", "conformant", { unset: ["non_sellable_other"] }],
    );
    const recalled = objectOf(mappedAll(PACKAGE_EVENTS.batchQuarantineIllegitimate)[0]);
    assert.deepEqual(
      [recalled.bizStep, recalled.disposition, recalled.persistentDisposition],
      ["holding", "recalled", { set: ["recalled"], unset: ["non_sellable_other"] }],
    );
  });

  it("refuses to write an ObjectEvent that lists nothing", () => {
    assert.throws(
      () => toEpcisEvents({ ...PACKAGE_EVENTS.shipped, items: { units: [], packs: [] } }),
      /must list a unit or a pack/,
    );
  });

  it("a whole package-level history: one valid document, unique ids, each step one of PACKAGE_EVENT_BIZ_STEPS", () => {
    const events = Object.values(PACKAGE_EVENTS) as PackageLedgerEvent[];
    const document = toEpcisDocument([EVENTS.registered, ...events, EVENTS.recalled], { creationDate: CREATED });
    assertValidEpcis(document, "package-level history");
    const list = document.epcisBody.eventList;
    assert.equal(list.length, 2 + events.reduce((n, event) => n + toEpcisEvents(event).length, 0));
    // The fixtures hold several variants of the same chain event (the settlements, the quarantine ends).
    const distinct = new Set(events.map((e) => `${e.transactionHash}:${e.logIndex}`));
    assert.ok(new Set(list.map((e) => e.eventID)).size >= distinct.size + 2);
    for (const event of events) {
      for (const epcis of toEpcisEvents(event)) {
        const steps = PACKAGE_EVENT_BIZ_STEPS[event.eventName] ?? [];
        const countSteps = event.eventName === "PackDecommissioned" ? ["dispensing"] : [];
        assert.ok(
          [...steps, ...countSteps].includes(epcis.bizStep),
          `${event.eventName} maps to ${epcis.bizStep}, which PACKAGE_EVENT_BIZ_STEPS does not list for it`,
        );
      }
    }
    assert.equal(JSON.stringify(list).includes(SERIALS[3]!), false, "an unnamed pack's serial appears nowhere");
  });

  it("stays valid for any SSCC, serial, nesting and naming the ledger can hold", () => {
    const cset82 = fc.constantFrom(
      ..."!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
    );
    const serial = fc.array(cset82, { minLength: 1, maxLength: 20 }).map((chars) => chars.join(""));
    const unit = fc
      .tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 6, max: 12 }), fc.integer({ min: 0, max: 99_999 }))
      .map(([extension, length, n]) => ssccOf("9".repeat(length), n % 10 ** (16 - length), extension));
    const packRecord = fc.record({ index: fc.nat(), serial: fc.option(serial), within: fc.option(unit) });
    const toPack = (p: { index: number; serial: string | null; within: string | null }) => ({
      ...pack(p.index % 8, false),
      ...(p.serial === null ? {} : { serial: p.serial }),
      ...(p.within === null ? {} : { within: p.within }),
    });
    // A list the ledger can hold names each unit and each pack once (the contract refuses a repeat).
    const items = fc
      .record({
        units: fc.uniqueArray(unit, { maxLength: 3 }),
        packs: fc
          .uniqueArray(packRecord, { maxLength: 4, selector: (p) => p.index % 8 })
          // ...and a serial belongs to one pack of a batch (its serial list has no repeats).
          .filter((list) => {
            const serials = list.flatMap((p) => (p.serial === null ? [] : [p.serial]));
            return new Set(serials).size === serials.length;
          })
          .map((list) => list.map(toPack)),
      })
      .filter((i) => i.units.length + i.packs.length > 0);
    fc.assert(
      fc.property(items, items, unit, (children, rejected, parent) => {
        const document = toEpcisDocument(
          [
            { ...PACKAGE_EVENTS.toteFromWithin, sscc: parent, items: children },
            { ...PACKAGE_EVENTS.disaggregated, sscc: parent, items: children },
            { ...PACKAGE_EVENTS.shipped, items: children },
            { ...PACKAGE_EVENTS.receivedInPart, received: children, rejected },
            { ...PACKAGE_EVENTS.quarantined, items: rejected },
          ],
          { creationDate: CREATED },
        );
        assertValidEpcis(document);
        for (const p of children.packs) {
          if (p.serial === undefined) continue;
          const named = JSON.stringify(toDigitalLink({ gtin: BATCH.gtin, serial: p.serial }));
          assert.ok(JSON.stringify(document).includes(named), `${named} is named`);
        }
      }),
      { numRuns: 120 },
    );
  });
});
