/**
 * EPCIS of the package-level ledger, against the ledger itself: a manufacturer packs two cases
 * from its batch's range, destroys a pack inside one, puts both on a pallet and ships the pallet
 * with a loose pack; the distributor receives the pallet and refuses the pack, takes a case off
 * the pallet and ships it to a pharmacy, which dispenses a pack from inside the case.
 *
 * Each shipment's EPCIS document (GET /api/shipments/<id>/epcis) must validate against GS1's
 * schema, and following its events (aggregations, shipping, receiving) must give exactly the
 * packages, units and outcomes its DSCSA transaction information lists, JSON and CSV; anyone
 * outside the shipment hears 404. Its EPCIS 1.2 XML (/epcis12) holds the same events, seller to
 * buyer with the transaction information and statement, valid against GS1's 1.2 XSD. The batch's EPCIS exports (2.0, 1.2) and the EPCIS query carry
 * the aggregations, and name packs only to those who may see them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { gs1CheckDigit, toDigitalLink } from "@pedigree/gs1";
import {
  DSCSA_LEGAL_NOTICE,
  packageLedgerAbi,
  packStateNumber,
  type EpcisAggregationEvent,
  type EpcisDocument,
  type EpcisEvent,
} from "@pedigree/ledger";
import { stringToHex, type Hex } from "viem";
import { hardhat } from "viem/chains";
import { createAppContext, type AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { shipments } from "../src/server/db/schema.ts";
import { syncToHead } from "../src/server/indexer/sync.ts";
import { batchCustodyEvents } from "../src/server/read/custody-events.ts";
import { readApi } from "../src/server/read/http.ts";
import type { TransactionInformation } from "../src/server/read/transaction-information.ts";
import type { BatchResponse } from "../src/lib/api/read.ts";
import { assertValidEpcis } from "../../../packages/ledger/test/epcisSchema.ts";
import { assertValidEpcis12 } from "../../../packages/ledger/test/epcis12Schema.ts";
import { epcis12Root, fromEpcis12, fromEpcis20 } from "../../../packages/ledger/test/epcisNeutral.ts";
import { startTestChain, type TestChain } from "./support/chain.ts";
import { storeWorldManifest } from "./support/manifests.ts";
import { openSession, requestAs, viewerOf } from "./support/viewers.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { parseCsv } from "./read-csv.ts";
import { COMPANY_PREFIXES, createWorld, type World, type WorldBatch, type WorldParty } from "./support/world.ts";

interface Document {
  type: string;
  epcisBody: { eventList: EpcisEvent[] };
}
interface QueryDocument {
  epcisBody: { queryResults: { resultsBody: { eventList: EpcisEvent[] } } };
}

/** An SSCC under Acme's company prefix: extension digit, prefix, serial reference, check digit. */
function sscc(serial: number): bigint {
  const body = "3" + COMPANY_PREFIXES.acme + String(serial).padStart(16 - COMPANY_PREFIXES.acme.length, "0");
  return BigInt(body + String(gs1CheckDigit(body)));
}
const ssccUri = (unit: bigint) => toDigitalLink({ sscc: String(unit).padStart(18, "0") });

/**
 * What a recipient infers from a shipment's EPCIS document: following its aggregation events in
 * order, the packs (SGTINs) inside each shipped unit, and each shipped item's outcome from the
 * receiving events. Also the packs counted by class only, per unit, after the events (a correct
 * history leaves none inside: those packs left before the shipment).
 */
function inferred(list: readonly EpcisEvent[]) {
  const children = new Map<string, Set<string>>();
  const counted = new Map<string, number>();
  for (const event of list) {
    if (event.type !== "AggregationEvent") continue;
    const inside = children.get(event.parentID) ?? new Set<string>();
    for (const child of event.childEPCs ?? []) {
      if (event.action === "ADD") inside.add(child);
      else inside.delete(child);
    }
    children.set(event.parentID, inside);
    for (const { epcClass, quantity } of event.childQuantityList ?? []) {
      const key = `${event.parentID} ${epcClass}`;
      counted.set(key, (counted.get(key) ?? 0) + (event.action === "ADD" ? 1 : -1) * (quantity ?? 0));
    }
  }
  const leaves = (id: string): string[] =>
    id.includes("/00/") ? [...(children.get(id) ?? [])].flatMap((child) => leaves(child)) : [id];
  const shipping = list.filter((e) => e.type === "ObjectEvent" && e.bizStep === "shipping");
  assert.equal(shipping.length, 1, "one shipping event");
  const status = new Map<string, string>();
  for (const event of list) {
    if (event.type !== "ObjectEvent") continue;
    const outcome =
      event.bizStep === "void_shipping"
        ? "CANCELLED"
        : event.bizStep === "receiving"
          ? event.disposition === "returned"
            ? "REJECTED"
            : "RECEIVED"
          : undefined;
    if (outcome !== undefined) for (const epc of event.epcList ?? []) status.set(epc, outcome);
  }
  const packages: [string, string | null, string][] = [];
  for (const item of (shipping[0] as { epcList?: string[] }).epcList ?? []) {
    const top = item.includes("/00/") ? item : null;
    for (const pack of leaves(item)) packages.push([pack, top, status.get(item) ?? "PENDING"]);
  }
  return { packages: packages.sort(), counted: [...counted].filter(([, n]) => n !== 0), children };
}

/** The same, as the transaction information lists it. */
function listed(info: TransactionInformation): [string, string | null, string][] {
  return info.lines
    .flatMap((line) =>
      line.packages.map((pack): [string, string | null, string] => [
        toDigitalLink({ gtin: line.gtin, serial: pack.serial! }),
        pack.sscc === null ? null : toDigitalLink({ sscc: pack.sscc }),
        pack.status,
      ]),
    )
    .sort();
}

describe(`EPCIS of the package-level ledger (${TEST_DATABASE_KIND})`, () => {
  let chain: TestChain;
  let world: World;
  let database: OpenedDatabase;
  let ctx: AppContext;
  let batch: WorldBatch;
  const [case1, case2, pallet] = [sscc(7001), sscc(7002), sscc(7003)];
  let toNorthwind: Hex;
  let toCentral: Hex;

  const write = async (from: WorldParty, functionName: string, args: readonly unknown[]) => {
    const hash = await chain.wallet(from.account).writeContract({
      address: chain.address,
      abi: packageLedgerAbi,
      functionName,
      args,
      account: from.account,
      chain: hardhat,
    } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    assert.equal(receipt.status, "success", `${functionName} by ${from.legalName} was mined but failed`);
    await syncToHead(ctx, { confirmations: 0 });
  };
  const shipmentByRef = async (ref: string) => {
    const [row] = await ctx.db
      .select({ shipmentId: shipments.shipmentId })
      .from(shipments)
      .where(eq(shipments.shipmentRef, stringToHex(ref, { size: 32 })));
    return row!.shipmentId as Hex;
  };
  const as = async (party: WorldParty) => requestAs(await openSession(ctx, party.address));
  const serial = (index: number) => batch.manifest.serials[index]!;
  const sgtin = (index: number) => toDigitalLink({ gtin: batch.gtin, serial: serial(index) });
  const packRef = (index: number, unit = 0n) => ({ batchId: batch.batchId, index: BigInt(index), unit });
  const nothing = { units: [], packs: [] };

  async function shipmentDocument(party: WorldParty, shipmentId: string, query = ""): Promise<Response> {
    return readApi.shipmentEpcis(ctx, (await as(party))(`/api/shipments/${shipmentId}/epcis${query}`), shipmentId);
  }
  async function shipmentXml(party: WorldParty, shipmentId: string, query = ""): Promise<Response> {
    return readApi.shipmentEpcis12(ctx, (await as(party))(`/api/shipments/${shipmentId}/epcis12${query}`), shipmentId);
  }
  async function information(party: WorldParty, shipmentId: string, query = ""): Promise<Response> {
    const url = `/api/shipments/${shipmentId}/transaction-information${query}`;
    return readApi.transactionInformation(ctx, (await as(party))(url), shipmentId);
  }

  before(async () => {
    [chain, database] = await Promise.all([startTestChain({ contract: "PedigreePackageLedger" }), openTestDatabase()]);
    ctx = await createAppContext({ database, target: chain.target });
    world = await createWorld(chain);
    const { acme, northwind, central } = world.parties;
    const product = await world.registerProduct(acme, { name: "Amoxicillin" });
    batch = await world.registerBatch(acme, product, { packs: 12 });
    await syncToHead(ctx, { confirmations: 0 });
    await storeWorldManifest(ctx.db, batch);

    const prefix = BigInt(COMPANY_PREFIXES.acme.length);
    await write(acme, "packRange", [case1, prefix, batch.batchId, 4n]);
    await write(acme, "packRange", [case2, prefix, batch.batchId, 4n]);
    // A pack found damaged on the line, destroyed inside its case before the case is palletised.
    await write(acme, "decommission", [batch.batchId, 2n, case1, packStateNumber("DESTROYED")]);
    await write(acme, "aggregate", [pallet, prefix, { units: [case1, case2], packs: [] }]);
    await write(acme, "ship", [
      northwind.address,
      stringToHex("ASN-PKG-1", { size: 32 }),
      { units: [pallet], packs: [packRef(8)] },
    ]);
    toNorthwind = await shipmentByRef("ASN-PKG-1");
    await write(northwind, "receiveShipment", [
      toNorthwind,
      { units: [pallet], packs: [] },
      { units: [], packs: [packRef(8)] },
      "Carton crushed",
    ]);
    await write(northwind, "disaggregate", [pallet, { units: [case1], packs: [] }]);
    await write(northwind, "ship", [
      central.address,
      stringToHex("ASN-PKG-2", { size: 32 }),
      { units: [case1], packs: [] },
    ]);
    toCentral = await shipmentByRef("ASN-PKG-2");
    await write(central, "receiveShipment", [toCentral, { units: [case1], packs: [] }, nothing, ""]);
    await write(central, "decommission", [batch.batchId, 0n, case1, packStateNumber("DISPENSED")]);
  });

  after(async () => {
    await database?.close();
    await chain?.stop();
  });

  it("a shipment's document validates against GS1's schema and lists the shipped SSCCs and loose SGTINs", async () => {
    const response = await shipmentDocument(world.parties.northwind, toNorthwind);
    assert.equal(response.status, 200, await response.clone().text());
    assert.match(response.headers.get("content-type") ?? "", /^application\/ld\+json/);
    assert.equal(response.headers.get("GS1-EPCIS-Version"), "2.0");
    const document = (await response.json()) as Document;
    assertValidEpcis(document, "the shipment's document");
    assert.equal(document.type, "EPCISDocument");
    const list = document.epcisBody.eventList;
    assert.deepEqual(
      list.map((e) => [e.type, e.action, e.bizStep, e.disposition]),
      [
        ["AggregationEvent", "ADD", "packing", "in_progress"],
        ["AggregationEvent", "ADD", "packing", "in_progress"],
        ["AggregationEvent", "DELETE", "unpacking", "in_progress"],
        ["AggregationEvent", "ADD", "packing", "in_progress"],
        ["ObjectEvent", "OBSERVE", "shipping", "in_transit"],
        ["ObjectEvent", "OBSERVE", "receiving", "in_progress"],
        ["ObjectEvent", "OBSERVE", "receiving", "returned"],
      ],
    );
    const [packed1, packed2, destroyedOut, palletised, shipped, received, refused] = list as [
      EpcisAggregationEvent,
      EpcisAggregationEvent,
      EpcisAggregationEvent,
      EpcisAggregationEvent,
      EpcisEvent,
      EpcisEvent,
      EpcisEvent,
    ];
    assert.deepEqual([packed1.parentID, packed1.childEPCs], [ssccUri(case1), [0, 1, 3].map(sgtin)]);
    const batchClass = toDigitalLink({ gtin: batch.gtin, lot: batch.lot });
    // The destroyed pack did not travel: counted, never named, and taken out again.
    assert.deepEqual(packed1.childQuantityList, [{ epcClass: batchClass, quantity: 1 }]);
    assert.deepEqual(
      [destroyedOut.parentID, destroyedOut.childQuantityList],
      [ssccUri(case1), [{ epcClass: batchClass, quantity: 1 }]],
    );
    assert.ok(!JSON.stringify(document).includes(serial(2)), "no serial of a pack the recipient never got");
    assert.deepEqual(packed2.childEPCs, [4, 5, 6, 7].map(sgtin));
    assert.deepEqual([palletised.parentID, palletised.childEPCs], [ssccUri(pallet), [ssccUri(case1), ssccUri(case2)]]);
    assert.equal(shipped.type, "ObjectEvent");
    assert.deepEqual(shipped.type === "ObjectEvent" && shipped.epcList, [ssccUri(pallet), sgtin(8)]);
    assert.deepEqual(received.type === "ObjectEvent" && received.epcList, [ssccUri(pallet)]);
    assert.deepEqual(refused.type === "ObjectEvent" && refused.epcList, [sgtin(8)]);
    assert.equal(refused["pedigree:reason"], "Carton crushed");
    assert.equal(shipped["pedigree:shipmentId"], toNorthwind);
    assert.deepEqual(shipped.bizTransactionList, [
      { type: "desadv", bizTransaction: `urn:epcglobal:cbv:bt:${world.parties.acme.gln}:ASN-PKG-1` },
    ]);
  });

  it("agrees with the shipment's transaction information, JSON and CSV, for each shipment", async () => {
    const { acme, northwind, central, regulator } = world.parties;
    for (const [shipmentId, viewers] of [
      [toNorthwind, [acme, northwind, regulator]],
      [toCentral, [northwind, central, regulator]],
    ] as const) {
      for (const viewer of viewers) {
        const document = (await (await shipmentDocument(viewer, shipmentId)).json()) as Document;
        assertValidEpcis(document, `shipment ${shipmentId} for ${viewer.legalName}`);
        const info = (await (await information(viewer, shipmentId)).json()) as TransactionInformation;
        const fromDocument = inferred(document.epcisBody.eventList);
        assert.deepEqual(fromDocument.packages, listed(info), `${viewer.legalName}: packages, units and outcomes`);
        assert.deepEqual(fromDocument.counted, [], "no pack counted inside a unit at shipping is left unnamed");
        for (const unit of info.units) {
          const inside = fromDocument.packages.filter(([, top]) => top === toDigitalLink({ sscc: unit.sscc }));
          assert.equal(inside.length, unit.packCount, `unit ${unit.sscc}`);
        }
        const [header, ...rows] = parseCsv(await (await information(viewer, shipmentId, "?format=csv")).text());
        const column = (name: string) => header!.indexOf(name);
        assert.deepEqual(
          rows
            .map((row): [string, string | null, string] => [
              toDigitalLink({ gtin: row[column("gtin")]!, serial: row[column("serial")]! }),
              row[column("sscc")] === "" ? null : toDigitalLink({ sscc: row[column("sscc")]! }),
              row[column("status")]!,
            ])
            .sort(),
          fromDocument.packages,
          "the CSV rows",
        );
      }
    }
    // The case shipped on after the pallet was broken up: only its own packing, not the pallet's.
    const second = (await (await shipmentDocument(central, toCentral)).json()) as Document;
    assert.deepEqual(
      second.epcisBody.eventList.map((e) => [e.bizStep, e.type === "AggregationEvent" ? e.parentID : null]),
      [
        ["packing", ssccUri(case1)],
        ["unpacking", ssccUri(case1)],
        ["shipping", null],
        ["receiving", null],
      ],
    );
    assert.deepEqual(
      inferred(second.epcisBody.eventList).packages.map(([pack]) => pack),
      [0, 1, 3].map(sgtin).sort(),
      "the case as it was shipped (pack 0 was dispensed only later)",
    );
  });

  it("answers 404 to a party outside the shipment, as for one that does not exist, and 400 to a malformed id", async () => {
    const { harbour, central, regulator } = world.parties;
    const outsider = await shipmentDocument(harbour, toNorthwind);
    assert.equal(outsider.status, 404);
    const refusal = ((await outsider.json()) as { error: { code: string; message: string } }).error;
    assert.equal(refusal.code, "UNKNOWN_SHIPMENT");
    const unknownId = `0x${"ab".repeat(32)}`;
    const unknown = ((await (await shipmentDocument(regulator, unknownId)).json()) as { error: { message: string } })
      .error;
    assert.equal(refusal.message.replace(toNorthwind, "?"), unknown.message.replace(unknownId, "?"));
    assert.equal((await shipmentDocument(central, toNorthwind)).status, 404, "Central got the case, not this shipment");
    assert.equal((await shipmentDocument(regulator, "0x1234")).status, 400);
    assert.equal((await shipmentDocument(regulator, toNorthwind, "?format=xml")).status, 400);
    const anonymous = await readApi.shipmentEpcis(
      ctx,
      new Request(`http://localhost/api/shipments/x/epcis`),
      toNorthwind,
    );
    assert.equal(anonymous.status, 401);
  });

  it("a shipment's EPCIS 1.2 XML: GS1's 1.2 schema accepts it, and it holds the 2.0 document's events, field by field", async () => {
    const { acme, northwind, central, regulator } = world.parties;
    for (const [shipmentId, viewers] of [
      [toNorthwind, [acme, northwind, regulator]],
      [toCentral, [northwind, central, regulator]],
    ] as const) {
      for (const viewer of viewers) {
        const response = await shipmentXml(viewer, shipmentId);
        const xml = await response.text();
        assert.equal(response.status, 200, xml);
        assert.equal(response.headers.get("content-type"), "application/xml; charset=utf-8");
        assert.equal(response.headers.get("GS1-EPCIS-Version"), "1.2");
        assert.equal(response.headers.get("GS1-CBV-Version"), "1.2");
        assert.equal(response.headers.get("cache-control"), "no-store");
        assert.equal(
          response.headers.get("content-disposition"),
          `inline; filename="epcis12-shipment-${shipmentId.replace(/[^a-z0-9]/g, "_")}.xml"`,
        );
        await assertValidEpcis12(xml, `shipment ${shipmentId}'s 1.2 document for ${viewer.legalName}`);
        const json = (await (await shipmentDocument(viewer, shipmentId)).json()) as EpcisDocument;
        const events = fromEpcis12(xml, "urn:pedigree:epcis:");
        assert.ok(events.length >= 4, `${events.length} events`);
        assert.deepEqual(events, fromEpcis20(json), `${viewer.legalName}: the same events as the 2.0 document`);
      }
    }
    const xml = await (await shipmentXml(northwind, toNorthwind)).text();
    assert.match(xml, /<parentID>urn:epc:id:sscc:952012\.3\d{10}<\/parentID>/);
    assert.ok(!xml.includes(serial(2)), "no serial of a pack the recipient never got");
  });

  it("a shipment's EPCIS 1.2 header: seller to buyer whoever asks, the seller's statement, the transaction information", async () => {
    const { acme, northwind, central, regulator } = world.parties;
    type Node = Record<string, unknown>;
    const identifier = (party: WorldParty) => ({ "sbdh:Identifier": { "#text": party.gln, "@Authority": "GLN" } });
    for (const [shipmentId, seller, buyer] of [
      [toNorthwind, acme, northwind],
      [toCentral, northwind, central],
    ] as const) {
      const info = (await (await information(regulator, shipmentId)).json()) as TransactionInformation;
      for (const viewer of [seller, buyer, regulator]) {
        const xml = await (await shipmentXml(viewer, shipmentId)).text();
        const root = epcis12Root(xml, "urn:pedigree:epcis:");
        const header = root.EPCISHeader as Node;
        const sbdh = header["sbdh:StandardBusinessDocumentHeader"] as Node;
        assert.deepEqual(sbdh["sbdh:Sender"], identifier(seller), `sender, asked by ${viewer.legalName}`);
        assert.deepEqual(sbdh["sbdh:Receiver"], identifier(buyer), `receiver, asked by ${viewer.legalName}`);
        assert.deepEqual(header["gs1ushc:dscsaTransactionStatement"], {
          "gs1ushc:affirmTransactionStatement": "true",
          "gs1ushc:legalNotice": DSCSA_LEGAL_NOTICE,
        });
        const vocabularies = (((header.extension as Node).EPCISMasterData as Node).VocabularyList as Node)
          .Vocabulary as Node[];
        const elements = (type: string) =>
          new Map(
            (
              (vocabularies.find((v) => v["@type"] === type)!.VocabularyElementList as Node).VocabularyElement as Node[]
            ).map((element) => [
              element["@id"] as string,
              Object.fromEntries((element.attribute as Node[]).map((a) => [a["@id"], a["#text"]])),
            ]),
          );
        const classes = elements("urn:epcglobal:epcis:vtype:EPCClass");
        const itemReference = `0${batch.gtin.slice(1 + COMPANY_PREFIXES.acme.length, 13)}`;
        assert.deepEqual(classes.get(`urn:epc:idpat:sgtin:${COMPANY_PREFIXES.acme}.${itemReference}.*`), {
          "urn:epcglobal:cbv:mda#regulatedProductName": "Amoxicillin",
          "urn:epcglobal:cbv:mda#strengthDescription": info.lines[0]!.strength,
          "urn:epcglobal:cbv:mda#dosageFormType": info.lines[0]!.dosageForm,
          "urn:epcglobal:cbv:mda#manufacturerOfTradeItemPartyName": acme.legalName,
        });
        // Each lot the transaction information lists, with its expiry and the quantity shipped.
        assert.equal(classes.size, 1 + info.lines.length);
        for (const line of info.lines) {
          assert.deepEqual(classes.get(`urn:epc:class:lgtin:${COMPANY_PREFIXES.acme}.${itemReference}.${line.lot}`), {
            "urn:epcglobal:cbv:mda#lotNumber": line.lot,
            "urn:epcglobal:cbv:mda#itemExpirationDate": line.expiry,
            "urn:pedigree:epcis:quantity": String(line.quantity),
          });
        }
        const locations = elements("urn:epcglobal:epcis:vtype:Location");
        for (const party of [seller, buyer]) {
          // GLNs under no company prefix assigned on chain keep their Digital Link (docs/ARCHITECTURE.md).
          assert.deepEqual(locations.get(`https://id.gs1.org/417/${party.gln}`), {
            "urn:epcglobal:cbv:mda#name": party.legalName,
          });
        }
        // The transaction and shipment date, and the shipment's reference: the shipping event's.
        const shipping = ((root.EPCISBody as Node).EventList as Node).ObjectEvent as Node[];
        const shipped = shipping.find((event) => event.bizStep === "urn:epcglobal:cbv:bizstep:shipping")!;
        assert.equal(Date.parse(shipped.eventTime as string), Date.parse(info.shippedAt));
        assert.deepEqual(((shipped.bizTransactionList as Node).bizTransaction as Node[])[0], {
          "#text": `urn:epcglobal:cbv:bt:${seller.gln}:${info.shipmentRef}`,
          "@type": "urn:epcglobal:cbv:btt:desadv",
        });
      }
    }
  });

  it("a shipment's EPCIS 1.2 XML: signed in first, then 404 to anyone outside it, as for no such shipment; 400 to a malformed id", async () => {
    const { harbour, central, regulator } = world.parties;
    const refused = async (response: Response, status: number, code: string) => {
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(body.error.code, code);
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
      return body.error.message;
    };
    const anonymous = readApi.shipmentEpcis12(
      ctx,
      new Request(`http://localhost/api/shipments/${toNorthwind}/epcis12`),
      toNorthwind,
    );
    await refused(await anonymous, 401, "NOT_SIGNED_IN");
    // Not even a malformed id is answered before the caller is known.
    await refused(
      await readApi.shipmentEpcis12(ctx, new Request("http://localhost/api/shipments/x/epcis12"), "x"),
      401,
      "NOT_SIGNED_IN",
    );
    const outsider = await refused(await shipmentXml(harbour, toNorthwind), 404, "UNKNOWN_SHIPMENT");
    const unknownId = `0x${"ab".repeat(32)}`;
    const unknown = await refused(await shipmentXml(regulator, unknownId), 404, "UNKNOWN_SHIPMENT");
    assert.equal(outsider.replace(toNorthwind, "?"), unknown.replace(unknownId, "?"), "the same answer as no shipment");
    await refused(await shipmentXml(central, toNorthwind), 404, "UNKNOWN_SHIPMENT");
    assert.equal((await shipmentXml(regulator, toNorthwind.toUpperCase().replace("0X", "0x"))).status, 200);
    for (const garbage of ["0x1234", "not-a-shipment", `${toNorthwind}00`, "<script>"]) {
      const message = await refused(await shipmentXml(regulator, garbage), 400, "INVALID_SHIPMENT_ID");
      assert.match(message, /0x and 64 hexadecimal digits/);
    }
    await refused(await shipmentXml(regulator, toNorthwind, "?format=xml"), 400, "INVALID_QUERY");
  });

  it("the batch's EPCIS 2.0 and 1.2 exports carry its units' aggregation and shipments, the same in both", async () => {
    const { acme, regulator } = world.parties;
    const path = { gtin: batch.gtin, lot: batch.lot };
    for (const viewer of [acme, regulator]) {
      const response = await readApi.batchEpcis(ctx, (await as(viewer))("/"), path);
      assert.equal(response.status, 200);
      const document = (await response.json()) as Document;
      assertValidEpcis(document, `the batch export for ${viewer.legalName}`);
      const steps = document.epcisBody.eventList.map((e) => `${e.bizStep}${e.type === "AggregationEvent" ? "*" : ""}`);
      assert.deepEqual(steps, [
        "commissioning",
        "packing*",
        "packing*",
        "unpacking*",
        "destroying",
        "packing*",
        "shipping",
        "receiving",
        "receiving",
        "unpacking*",
        "shipping",
        "receiving",
        "unpacking*",
        "dispensing",
      ]);
      // The manufacturer and regulators see every serial of the batch.
      assert.ok(JSON.stringify(document).includes(JSON.stringify(sgtin(5))));
      const xml = await (await readApi.batchEpcis12(ctx, (await as(viewer))("/"), path)).text();
      await assertValidEpcis12(xml, `the batch's 1.2 export for ${viewer.legalName}`);
      assert.deepEqual(fromEpcis12(xml, "urn:pedigree:epcis:"), fromEpcis20(document as never));
      assert.match(xml, /<parentID>urn:epc:id:sscc:952012\.3\d{10}<\/parentID>/);
    }
  });

  it("names a pack to a party that neither made the batch nor recorded the event only as a unit of its batch", async () => {
    const { northwind } = world.parties;
    const events = await batchCustodyEvents(ctx, batch.batchId, viewerOf({ ...northwind, role: "DISTRIBUTOR" }));
    const packed = events.find((event) => event.eventName === "UnitPacked");
    assert.ok(packed?.eventName === "UnitPacked");
    assert.ok(
      packed.packs.every((pack) => pack.serial === undefined),
      "Acme's packing names no serial to Northwind",
    );
    const settled = events.find((event) => event.eventName === "ShipmentReceived");
    assert.ok(settled?.eventName === "ShipmentReceived");
    assert.equal(settled.rejected.packs[0]?.serial, serial(8), "Northwind recorded the refusal of the pack it held");
    const dispensed = events.find((event) => event.eventName === "PackDecommissioned" && event.index === 0);
    assert.ok(dispensed?.eventName === "PackDecommissioned");
    assert.equal(dispensed.serial, undefined, "Central's dispensing is not Northwind's to name");
  });

  it("the EPCIS query finds the aggregations by step and by SSCC, and pages one event at a time", async () => {
    const ask = await as(world.parties.regulator);
    const query = async (params: string) => {
      const response = await readApi.epcisEvents(ctx, ask(`/api/epcis/events?${params}`));
      assert.equal(response.status, 200, await response.clone().text());
      const document = (await response.json()) as QueryDocument;
      assertValidEpcis(document, `query ${params}`);
      const link = response.headers.get("link");
      return { list: document.epcisBody.queryResults.resultsBody.eventList, link };
    };
    const all = (await query("perPage=1000")).list;
    const export_ = (await (
      await readApi.batchEpcis(ctx, ask("/"), { gtin: batch.gtin, lot: batch.lot })
    ).json()) as Document;
    assert.deepEqual(
      all.map((e) => e.eventID),
      export_.epcisBody.eventList.map((e) => e.eventID),
      "the same events, with the same ids, as the batch's export",
    );
    const packing = (await query("EQ_bizStep=packing")).list;
    assert.deepEqual(
      packing.map((e) => e.type === "AggregationEvent" && e.parentID),
      [ssccUri(case1), ssccUri(case2), ssccUri(pallet)],
    );
    const unpacking = (await query("EQ_bizStep=unpacking")).list;
    assert.deepEqual(
      unpacking.map((e) => e.type === "AggregationEvent" && e.parentID),
      [ssccUri(case1), ssccUri(pallet), ssccUri(case1)],
      "the destroyed pack's, the pallet broken up, the dispensed pack's",
    );
    const ofPallet = (await query(`MATCH_epc=${encodeURIComponent(ssccUri(pallet))}`)).list;
    assert.deepEqual(
      ofPallet.map((e) => e.bizStep),
      ["packing", "shipping", "receiving", "unpacking"],
    );
    const urn = `urn:epc:id:sscc:${COMPANY_PREFIXES.acme}.3${String(pallet).padStart(18, "0").slice(7, 17)}`;
    assert.deepEqual(
      (await query(`MATCH_epc=${urn}`)).list.map((e) => e.eventID),
      ofPallet.map((e) => e.eventID),
    );
    const refusedPack = (await query(`MATCH_epc=${encodeURIComponent(sgtin(8))}&EQ_bizStep=receiving`)).list;
    assert.deepEqual(
      refusedPack.map((e) => e.disposition),
      ["returned"],
      "the settlement's refusal names the pack; its receipt does not",
    );
    // One event a page: a settlement that received and refused is split across two pages.
    const paged: string[] = [];
    let params = "perPage=1";
    for (let pages = 0; pages < 50; pages++) {
      const { list, link } = await query(params);
      paged.push(...list.map((e) => e.eventID));
      if (link === null) break;
      params = new URL(link.slice(1, link.indexOf(">")), "http://localhost").searchParams.toString();
    }
    assert.deepEqual(
      paged,
      all.map((e) => e.eventID),
    );
  });

  it("the batch's timeline reads the package-level steps in words", async () => {
    const response = await readApi.batch(ctx, (await as(world.parties.acme))("/"), {
      gtin: batch.gtin,
      lot: batch.lot,
    });
    const body = (await response.json()) as BatchResponse;
    const summaries = body.timeline.map((entry) => entry.summary);
    const palletSscc = String(pallet).padStart(18, "0");
    assert.ok(summaries.includes(`Acme Pharma AG packed 4 packs into SSCC ${String(case1).padStart(18, "0")}`));
    assert.ok(summaries.includes(`Acme Pharma AG packed 2 logistic units into SSCC ${palletSscc}`));
    assert.ok(
      summaries.includes(
        "Acme Pharma AG shipped 1 logistic unit and 1 pack to Northwind Wholesale (reference ASN-PKG-1)",
      ),
      summaries.join("\n"),
    );
    assert.ok(
      summaries.includes("Northwind Wholesale received 1 logistic unit; rejected 1 pack: Carton crushed"),
      summaries.join("\n"),
    );
    const shipped = body.timeline.find((entry) => entry.eventName === "ShipmentShipped")!;
    assert.deepEqual([shipped.details.units, shipped.details.packs], [palletSscc, 1]);
  });
});
