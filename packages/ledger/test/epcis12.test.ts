import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { gs1CheckDigit, isValidGln, isValidGtin, toDigitalLink } from "@pedigree/gs1";
import { toEpcisDocument, type CustodyEvent } from "../src/epcis.ts";
import {
  CompanyPrefixes,
  DSCSA_LEGAL_NOTICE,
  Epcis12Error,
  epcEscape,
  epcUriOf,
  lgtinUrn,
  productPatternUrn,
  sglnUrn,
  sgtinUrn,
  ssccUrn,
  toEpcis12Document,
  xmlSafeText,
  type Epcis12DocumentOptions,
} from "../src/epcis12.ts";
import { PACK_STATES, type PackStateName } from "../src/enums.ts";
import type { LedgerEvent, LedgerEventBase } from "../src/events.ts";
import type { Hex, Party } from "../src/types.ts";
import { assertValidEpcis12, epcis12SchemaErrors } from "./epcis12Schema.ts";
import { epcis12Root, epcUrnId, fromEpcis12, fromEpcis20, xmlLineEnds, parseXml } from "./epcisNeutral.ts";
import { EVENTS, GTIN, LOT, acme, central, northwind, regulator } from "./fixtures.ts";
import { CASE_A, PACKAGE_EVENTS, PALLET, TOTE } from "./epcisPackageFixtures.ts";

const CREATED = new Date("2026-02-01T10:00:00Z");
const NAMESPACE = "urn:pedigree:epcis:";
/** The fixtures' product (09520123456788) is under 952012; their parties' GLNs (95200000000x) under 9520000. */
const PREFIXES = ["952012", "9520000"];
const known = new CompanyPrefixes(PREFIXES);
const ALL_EVENTS: LedgerEvent[] = Object.values(EVENTS);
const PRODUCT = {
  gtin: GTIN,
  name: "Amoxicillin 500 mg capsules",
  strength: "500 mg",
  dosageForm: "capsule",
  manufacturer: acme,
};

function document(events: readonly CustodyEvent[], options: Partial<Epcis12DocumentOptions> = {}): string {
  return toEpcis12Document(events, { creationDate: CREATED, companyPrefixes: PREFIXES, ...options });
}

type Node = Record<string, unknown>;
function objectEvents(xml: string): Node[] {
  const root = epcis12Root(xml, NAMESPACE);
  const list = (root.EPCISBody as Node).EventList as Node | string;
  return typeof list === "string" ? [] : ((list.ObjectEvent as Node[] | undefined) ?? []);
}

/** Free text as the 1.2 document carries it: XML-safe, with XML's end-of-line handling. */
const asXmlText = (value: string) => xmlLineEnds(xmlSafeText(value));

describe("EPC URNs of GS1 keys", () => {
  const tds = new CompanyPrefixes(["0614141"]);

  it("writes the Tag Data Standard's examples: SGTIN, LGTIN and SGLN split at the company prefix", () => {
    assert.ok(isValidGtin("80614141123458") && isValidGln("0614141123452"));
    assert.equal(sgtinUrn("80614141123458", "6789", tds), "urn:epc:id:sgtin:0614141.812345.6789");
    assert.equal(lgtinUrn("80614141123458", "6789AB", tds), "urn:epc:class:lgtin:0614141.812345.6789AB");
    assert.equal(sglnUrn("0614141123452", tds), "urn:epc:id:sgln:0614141.12345.0");
    assert.equal(productPatternUrn("80614141123458", tds), "urn:epc:idpat:sgtin:0614141.812345.*");
    // A 12-digit prefix leaves the GLN's location reference empty; a GTIN-12 in 14 digits keeps its zeros.
    const gln = `629600000142${gs1CheckDigit("629600000142")}`;
    assert.equal(sglnUrn(gln, new CompanyPrefixes(["629600000142"])), "urn:epc:id:sgln:629600000142..0");
    assert.ok(isValidGtin("00312345678906"));
    assert.equal(
      sgtinUrn("00312345678906", "X1", new CompanyPrefixes(["0312345"])),
      "urn:epc:id:sgtin:0312345.067890.X1",
    );
  });

  it("escapes exactly the seven characters TDS reserves, whichever of GS1's 82 a serial or lot holds", () => {
    const cset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    assert.equal(
      epcEscape(cset82),
      "!%22%25%26'()*+,-.%2F0123456789:;%3C=%3E%3FABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
    );
    assert.equal(epcEscape('A/B%&<>?"x'), "A%2FB%25%26%3C%3E%3F%22x");
    assert.equal(epcEscape("!'()*+,-.:;=_"), "!'()*+,-.:;=_");
    for (const c of cset82) {
      const escaped = epcEscape(c);
      assert.equal(decodeURIComponent(escaped), c);
      assert.equal(escaped !== c, '"%&/<>?'.includes(c), `${c} escaped as ${escaped}`);
    }
  });

  it("writes an SSCC as TDS does (extension digit before the serial reference, no check digit), or keeps its Digital Link", () => {
    const tds = new CompanyPrefixes(["0614141"]);
    assert.equal(ssccUrn("106141412345678908", tds), "urn:epc:id:sscc:0614141.1234567890");
    assert.equal(epcUriOf("https://id.gs1.org/00/106141412345678908", tds), "urn:epc:id:sscc:0614141.1234567890");
    assert.equal(epcUrnId("urn:epc:id:sscc:0614141.1234567890"), "sscc 106141412345678908");
    assert.equal(ssccUrn(CASE_A, known), `urn:epc:id:sscc:952012.3${CASE_A.slice(7, 17)}`);
    // A distributor's tote under no prefix on chain: a guessed split would be wrong as often as right.
    assert.equal(ssccUrn(TOTE, known), undefined);
    assert.equal(epcUriOf(`https://id.gs1.org/00/${TOTE}`, known), `https://id.gs1.org/00/${TOTE}`);
  });

  it("takes the longest prefix given that the key starts with, as the contract decides ownership", () => {
    const both = new CompanyPrefixes(["061414", "0614141", "06141411"]);
    assert.equal(both.of("061414112345"), "06141411");
    assert.equal(sgtinUrn("80614141123458", "1", both), "urn:epc:id:sgtin:06141411.82345.1");
    assert.equal(new CompanyPrefixes(["061414"]).of("0614141"), "061414");
    assert.equal(new CompanyPrefixes(["061414"]).of("061413999999"), undefined);
  });

  it("refuses a GTIN under no prefix given, and says where the prefixes come from", () => {
    const none = new CompanyPrefixes([]);
    assert.throws(
      () => sgtinUrn(GTIN, "PK1", none),
      (error: unknown) =>
        error instanceof Epcis12Error &&
        error.code === "UNKNOWN_COMPANY_PREFIX" &&
        error.identifier === `(01)${GTIN}(21)PK1` &&
        /company_prefixes/.test(error.message),
    );
    assert.throws(() => lgtinUrn(GTIN, LOT, none), { code: "UNKNOWN_COMPANY_PREFIX" });
    assert.throws(() => document([EVENTS.registered], { companyPrefixes: ["9520000"] }), {
      code: "UNKNOWN_COMPANY_PREFIX",
    });
    for (const bad of ["95201", "9520123456789", "95201a"]) {
      assert.throws(() => new CompanyPrefixes([bad]), { code: "INVALID_COMPANY_PREFIX" });
    }
  });

  it("converts the 2.0 mapping's Digital Links, keeping a GLN under no known prefix and other URIs as they are", () => {
    assert.equal(
      epcUriOf(toDigitalLink({ gtin: GTIN, serial: "A/B+C" }), known),
      "urn:epc:id:sgtin:952012.0345678.A%2FB+C",
    );
    assert.equal(epcUriOf(toDigitalLink({ gtin: GTIN, lot: "L+1" }), known), "urn:epc:class:lgtin:952012.0345678.L+1");
    assert.equal(epcUriOf(`https://id.gs1.org/414/${acme.gln}`, known), "urn:epc:id:sgln:9520000.00001.0");
    assert.equal(epcUriOf(`https://id.gs1.org/417/${acme.gln}`, known), "urn:epc:id:sgln:9520000.00001.0");
    const unknownGln = `https://id.gs1.org/417/${acme.gln}`;
    assert.equal(epcUriOf(unknownGln, new CompanyPrefixes(["952012"])), unknownGln);
    const did = `did:pkh:eip155:1:${acme.address}`;
    assert.equal(epcUriOf(did, known), did);
    assert.throws(() => epcUriOf("https://id.gs1.org/00/095201234567890127", known), {
      code: "UNSUPPORTED_IDENTIFIER",
    });
    assert.throws(() => epcUriOf("https://id.gs1.org/01/09520123456789", known), { code: "UNSUPPORTED_IDENTIFIER" });
  });

  it("decodes back to the same GTIN, serial and lot for any prefix length and any of GS1's characters", () => {
    const cset82 = fc.constantFrom(
      ..."!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
    );
    fc.assert(
      fc.property(
        prefixArbitrary,
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }),
        fc.array(cset82, { minLength: 1, maxLength: 20 }).map((chars) => chars.join("")),
        (prefix, indicator, item, value) => {
          const body = `${indicator}${prefix}${item.join("")}`.slice(0, 13);
          const gtin = `${body}${gs1CheckDigit(body)}`;
          const prefixes = new CompanyPrefixes([prefix]);
          assert.equal(epcUrnId(sgtinUrn(gtin, value, prefixes)), `pack ${gtin} ${value}`);
          assert.equal(epcUrnId(lgtinUrn(gtin, value, prefixes)), `batch ${gtin} ${value}`);
          assert.equal(epcUriOf(toDigitalLink({ gtin, serial: value }), prefixes), sgtinUrn(gtin, value, prefixes));
          const gln = `${body.slice(1)}${gs1CheckDigit(body.slice(1))}`;
          assert.equal(epcUrnId(sglnUrn(gln, prefixes)!), `gln ${gln}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("EPCIS 1.2 XML documents", () => {
  it("writes every kind of ledger event as an ObjectEvent that GS1's 1.2 schema accepts", async () => {
    const xml = document(ALL_EVENTS, {
      header: { sender: acme, receiver: northwind, products: [PRODUCT], transactionStatement: {} },
    });
    await assertValidEpcis12(xml);
    const events = objectEvents(xml);
    assert.equal(events.length, ALL_EVENTS.length);
    const steps = events.map((event) => [event.bizStep, event.disposition, event.action]);
    assert.deepEqual(steps.slice(0, 6), [
      ["urn:epcglobal:cbv:bizstep:commissioning", "urn:epcglobal:cbv:disp:active", "ADD"],
      ["urn:epcglobal:cbv:bizstep:shipping", "urn:epcglobal:cbv:disp:in_transit", "OBSERVE"],
      ["urn:epcglobal:cbv:bizstep:receiving", "urn:epcglobal:cbv:disp:in_progress", "OBSERVE"],
      ["urn:epcglobal:cbv:bizstep:receiving", "urn:epcglobal:cbv:disp:returned", "OBSERVE"],
      ["urn:epcglobal:cbv:bizstep:void_shipping", "urn:epcglobal:cbv:disp:in_progress", "OBSERVE"],
      ["urn:epcglobal:cbv:bizstep:dispensing", "urn:epcglobal:cbv:disp:dispensed", "OBSERVE"],
    ]);
  });

  it("shipping: the batch as an LGTIN class with its quantity, parties as SGLNs, the ASN as a desadv", async () => {
    const xml = document([EVENTS.shipped]);
    await assertValidEpcis12(xml);
    const [event] = objectEvents(xml);
    assert.ok(event);
    assert.equal(event.epcList, "", "an empty epcList, as 1.2 requires one");
    const extension = event.extension as Node;
    assert.deepEqual(extension.quantityList, {
      quantityElement: [{ epcClass: "urn:epc:class:lgtin:952012.0345678.A1234", quantity: "40" }],
    });
    assert.deepEqual(extension.sourceList, {
      source: [
        { "#text": "urn:epc:id:sgln:9520000.00001.0", "@type": "urn:epcglobal:cbv:sdt:owning_party" },
        { "#text": "urn:epc:id:sgln:9520000.00001.0", "@type": "urn:epcglobal:cbv:sdt:possessing_party" },
      ],
    });
    assert.deepEqual((extension.destinationList as Node).destination, [
      { "#text": "urn:epc:id:sgln:9520000.00002.0", "@type": "urn:epcglobal:cbv:sdt:owning_party" },
      { "#text": "urn:epc:id:sgln:9520000.00002.0", "@type": "urn:epcglobal:cbv:sdt:possessing_party" },
    ]);
    assert.deepEqual(event.bizTransactionList, {
      bizTransaction: [
        { "#text": "urn:epcglobal:cbv:bt:9520000000011:ASN-1", "@type": "urn:epcglobal:cbv:btt:desadv" },
      ],
    });
    assert.deepEqual(event.readPoint, { id: "urn:epc:id:sgln:9520000.00001.0" });
    assert.equal(event.bizLocation, undefined);
    assert.equal(event["pedigree:shipmentId"], EVENTS.shipped.shipmentId);
  });

  it("commissioning carries lot and expiry as cbvmda ILMD; a dispensed pack is its SGTIN; a recall keeps its persistent disposition", async () => {
    const xml = document([EVENTS.registered, EVENTS.dispensed, EVENTS.locked, EVENTS.recalled]);
    await assertValidEpcis12(xml);
    const [registered, dispensed, locked, recalled] = objectEvents(xml) as [Node, Node, Node, Node];
    assert.deepEqual((registered.extension as Node).ilmd, {
      "cbvmda:lotNumber": "A1234",
      "cbvmda:itemExpirationDate": "2030-12-31",
    });
    assert.deepEqual(dispensed.epcList, { epc: ["urn:epc:id:sgtin:952012.0345678.PK2F7Q"] });
    assert.equal(dispensed.extension, undefined, "no empty extension element");
    assert.deepEqual(locked.epcList, { epc: ["urn:epc:id:sgtin:952012.0345678.A%2FB+C"] });
    assert.deepEqual(recalled["pedigree:persistentDisposition"], {
      "pedigree:set": ["urn:epcglobal:cbv:disp:recalled"],
    });
    assert.deepEqual((recalled.extension as Node).quantityList, {
      quantityElement: [{ epcClass: "urn:epc:class:lgtin:952012.0345678.A1234" }],
    });
    assert.equal(recalled["pedigree:reason"], "contaminated excipient");
  });

  it("the header: SBDH sender and receiver, the transaction information as master data, the statement only when affirmed", async () => {
    const xml = document([EVENTS.registered, EVENTS.shipped], {
      header: { sender: acme, receiver: northwind, products: [PRODUCT], instanceIdentifier: "ASN-1-export" },
    });
    await assertValidEpcis12(xml);
    const header = epcis12Root(xml, NAMESPACE).EPCISHeader as Node;
    const sbdh = header["sbdh:StandardBusinessDocumentHeader"] as Node;
    assert.deepEqual(sbdh["sbdh:Sender"], {
      "sbdh:Identifier": { "#text": "urn:epc:id:sgln:9520000.00001.0", "@Authority": "SGLN" },
    });
    assert.deepEqual(sbdh["sbdh:Receiver"], {
      "sbdh:Identifier": { "#text": "urn:epc:id:sgln:9520000.00002.0", "@Authority": "SGLN" },
    });
    assert.deepEqual(sbdh["sbdh:DocumentIdentification"], {
      "sbdh:Standard": "EPCglobal",
      "sbdh:TypeVersion": "1.0",
      "sbdh:InstanceIdentifier": "ASN-1-export",
      "sbdh:Type": "Events",
      "sbdh:CreationDateAndTime": "2026-02-01T10:00:00.000Z",
    });
    const vocabularies = (((header.extension as Node).EPCISMasterData as Node).VocabularyList as Node)
      .Vocabulary as Node[];
    const attributes = (type: string) =>
      Object.fromEntries(
        (
          (vocabularies.find((v) => v["@type"] === type)!.VocabularyElementList as Node).VocabularyElement as Node[]
        ).map((element) => [
          element["@id"],
          Object.fromEntries((element.attribute as Node[]).map((a) => [a["@id"], a["#text"]])),
        ]),
      );
    assert.deepEqual(attributes("urn:epcglobal:epcis:vtype:EPCClass"), {
      "urn:epc:idpat:sgtin:952012.0345678.*": {
        "urn:epcglobal:cbv:mda#regulatedProductName": "Amoxicillin 500 mg capsules",
        "urn:epcglobal:cbv:mda#strengthDescription": "500 mg",
        "urn:epcglobal:cbv:mda#dosageFormType": "capsule",
        "urn:epcglobal:cbv:mda#manufacturerOfTradeItemPartyName": "Acme Pharma AG",
      },
    });
    assert.deepEqual(attributes("urn:epcglobal:epcis:vtype:Location"), {
      "urn:epc:id:sgln:9520000.00001.0": { "urn:epcglobal:cbv:mda#name": "Acme Pharma AG" },
      "urn:epc:id:sgln:9520000.00002.0": { "urn:epcglobal:cbv:mda#name": "Northwind Wholesale" },
    });
    assert.equal(header["gs1ushc:dscsaTransactionStatement"], undefined, "no statement the seller did not make");

    const affirmed = document([EVENTS.shipped], {
      header: { sender: acme, receiver: northwind, transactionStatement: {} },
    });
    await assertValidEpcis12(affirmed);
    assert.match(affirmed, /xmlns:gs1ushc="http:\/\/epcis\.gs1us\.org\/hc\/ns"/);
    assert.deepEqual((epcis12Root(affirmed, NAMESPACE).EPCISHeader as Node)["gs1ushc:dscsaTransactionStatement"], {
      "gs1ushc:affirmTransactionStatement": "true",
      "gs1ushc:legalNotice": DSCSA_LEGAL_NOTICE,
    });
    assert.equal(epcis12Root(document([EVENTS.shipped]), NAMESPACE).EPCISHeader, undefined);
  });

  it("one transaction's lots as LGTIN master data (lot, expiry, quantity), and only the events the caller chose", async () => {
    const shipped = toEpcisDocument([EVENTS.shipped]).epcisBody.eventList;
    const xml = document([EVENTS.registered, EVENTS.shipped], {
      eventList: shipped,
      header: {
        sender: acme,
        receiver: northwind,
        lots: [
          { gtin: GTIN, lot: LOT, expiry: "2027-12-31", quantity: 60 },
          { gtin: GTIN, lot: "B/2", expiry: "2028-01-31" },
        ],
      },
    });
    await assertValidEpcis12(xml);
    assert.deepEqual(
      fromEpcis12(xml, NAMESPACE),
      fromEpcis20({ epcisBody: { eventList: shipped } } as never),
      "the commissioning event is not the caller's choice",
    );
    const header = epcis12Root(xml, NAMESPACE).EPCISHeader as Node;
    const vocabulary = (((header.extension as Node).EPCISMasterData as Node).VocabularyList as Node)
      .Vocabulary as Node[];
    const classes = vocabulary.find((v) => v["@type"] === "urn:epcglobal:epcis:vtype:EPCClass")!;
    assert.deepEqual(
      ((classes.VocabularyElementList as Node).VocabularyElement as Node[]).map((element) => [
        element["@id"],
        Object.fromEntries((element.attribute as Node[]).map((a) => [a["@id"], a["#text"]])),
      ]),
      [
        [
          `urn:epc:class:lgtin:952012.0345678.${LOT}`,
          {
            "urn:epcglobal:cbv:mda#lotNumber": LOT,
            "urn:epcglobal:cbv:mda#itemExpirationDate": "2027-12-31",
            "urn:pedigree:epcis:quantity": "60",
          },
        ],
        [
          "urn:epc:class:lgtin:952012.0345678.B%2F2",
          { "urn:epcglobal:cbv:mda#lotNumber": "B/2", "urn:epcglobal:cbv:mda#itemExpirationDate": "2028-01-31" },
        ],
      ],
    );
    assert.throws(
      () =>
        document([EVENTS.shipped], {
          header: {
            sender: acme,
            receiver: northwind,
            lots: [{ gtin: "00012345600012", lot: "X", expiry: "2027-01-01" }],
          },
        }),
      (error: unknown) => error instanceof Epcis12Error && error.code === "UNKNOWN_COMPANY_PREFIX",
    );
  });

  it("names what it cannot split honestly: a GLN under no known prefix keeps its Digital Link, a party without GLN its account", async () => {
    const anonymous: Party = { address: central.address, name: "Central Pharmacy" };
    const xml = document([{ ...EVENTS.shipped, to: anonymous }, EVENTS.received], {
      companyPrefixes: ["952012"],
      header: { sender: acme, receiver: anonymous },
    });
    await assertValidEpcis12(xml);
    const [shipped, received] = objectEvents(xml) as [Node, Node];
    assert.deepEqual(((shipped.extension as Node).destinationList as Node).destination, [
      { "#text": `did:pkh:eip155:31337:${central.address}`, "@type": "urn:epcglobal:cbv:sdt:owning_party" },
      { "#text": `did:pkh:eip155:31337:${central.address}`, "@type": "urn:epcglobal:cbv:sdt:possessing_party" },
    ]);
    assert.deepEqual(received.readPoint, { id: `https://id.gs1.org/414/${northwind.gln}` });
    const sbdh = (epcis12Root(xml, NAMESPACE).EPCISHeader as Node)["sbdh:StandardBusinessDocumentHeader"] as Node;
    assert.deepEqual(sbdh["sbdh:Sender"], { "sbdh:Identifier": { "#text": acme.gln, "@Authority": "GLN" } });
    assert.deepEqual(sbdh["sbdh:Receiver"], {
      "sbdh:Identifier": { "#text": `did:pkh:eip155:31337:${central.address}`, "@Authority": "DID" },
    });
  });

  it("carries any text a party wrote on chain: markup escaped, characters XML cannot hold as U+FFFD", async () => {
    const reason = 'a <b> & "c" \u0001\uFFFE\uD800 é 😀';
    const xml = document([{ ...EVENTS.recalled, reason, by: { ...acme, name: "Acme <&> \u0007" } }], {
      header: { sender: acme, receiver: regulator },
    });
    await assertValidEpcis12(xml);
    assert.equal(objectEvents(xml)[0]!["pedigree:reason"], 'a <b> & "c" \uFFFD\uFFFD\uFFFD é 😀');
    assert.equal(xmlSafeText("tab\tline\nreturn\r"), "tab\tline\nreturn\r");
    assert.match(xml, /Acme &lt;&amp;&gt; \uFFFD/);
  });

  it("an empty document, a custom namespace and creation date; the schema check catches a broken document", async () => {
    await assertValidEpcis12(toEpcis12Document([], { creationDate: CREATED, companyPrefixes: [] }));
    const custom = document([EVENTS.shipped], { namespace: "https://pedigree.example.org/epcis/" });
    await assertValidEpcis12(custom);
    assert.equal(fromEpcis12(custom, "https://pedigree.example.org/epcis/").length, 1);
    assert.throws(() => document([], { creationDate: "yesterday" }), /not a date/);

    const valid = document([EVENTS.shipped]);
    const broken = [
      valid.replace("<action>OBSERVE</action>", "<action>LOOK</action>"),
      valid.replace(/<eventTime>[^<]*<\/eventTime>/, ""),
      valid.replace("<epcList/>", ""),
      valid.replace(/(<baseExtension>[\s\S]*?<\/baseExtension>)([\s\S]*?<epcList\/>)/, "$2$1"),
      valid.replace('creationDate="2026-02-01T10:00:00.000Z"', 'creationDate="1 February 2026"'),
    ];
    const verdicts = await epcis12SchemaErrors([valid, ...broken]);
    assert.equal(verdicts[0], undefined);
    for (const [i, errors] of verdicts.slice(1).entries()) assert.ok(errors, `broken document ${i} was accepted`);
  });
});

// ------------------------------------------------------------------ arbitrary ledger histories

const digitString = (length: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(""));
const prefixArbitrary = fc.integer({ min: 6, max: 12 }).chain(digitString);
const withCheck = (body: string) => `${body}${gs1CheckDigit(body)}`;
const cset82Text = fc
  .array(fc.constantFrom(..."!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"), {
    minLength: 1,
    maxLength: 20,
  })
  .map((chars) => chars.join(""));
const hex = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((b) => `0x${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}` as Hex);
/** Free text as a party might write it: anything, line ends and characters XML cannot hold included. */
const freeText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom("a", " ", "\r", "\n", "\r\n", "\t", "\u0001", "\uFFFF", "\uD800", "<", "&", "é", "😀"),
  }),
);
const DECOMMISSIONED: PackStateName[] = PACK_STATES.filter((s): s is PackStateName => s !== "ACTIVE");

interface World {
  prefixes: string[];
  events: LedgerEvent[];
}

const worldArbitrary: fc.Arbitrary<World> = fc
  .record({
    productPrefix: prefixArbitrary,
    partyPrefix: prefixArbitrary,
    decoys: fc.array(prefixArbitrary, { maxLength: 2 }),
  })
  .chain(({ productPrefix, partyPrefix, decoys }) => {
    const gtin = fc
      .tuple(fc.integer({ min: 0, max: 8 }), digitString(12 - productPrefix.length))
      .map(([indicator, item]) => withCheck(`${indicator}${productPrefix}${item}`));
    const gln = fc.oneof(
      digitString(12 - partyPrefix.length).map((reference) => withCheck(`${partyPrefix}${reference}`)),
      digitString(12).map(withCheck),
    );
    const party: fc.Arbitrary<Party> = fc.record(
      { address: hex(20), name: freeText, gln },
      { requiredKeys: ["address"] },
    );
    const base = fc.record({
      chainId: fc.integer({ min: 1, max: 2 ** 31 }),
      blockNumber: fc.nat(),
      transactionHash: hex(32),
      logIndex: fc.nat({ max: 10_000 }),
      timestamp: fc.integer({ min: 0, max: 4_000_000_000 }),
      batch: fc.record({ batchId: hex(32), gtin, lot: cset82Text }),
    }) satisfies fc.Arbitrary<LedgerEventBase>;
    const event: fc.Arbitrary<LedgerEvent> = fc.oneof(
      fc
        .record({
          base,
          manufacturer: party,
          expiry: fc
            .tuple(
              fc.integer({ min: 2000, max: 2099 }),
              fc.integer({ min: 1, max: 12 }),
              fc.integer({ min: 0, max: 28 }),
            )
            .map(([y, m, d]) => y * 10_000 + m * 100 + d),
          packCount: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
          serialsRoot: hex(32),
          documentHash: fc.oneof(fc.constant(`0x${"0".repeat(64)}` as Hex), hex(32)),
        })
        .map(({ base, ...rest }) => ({ ...base, eventName: "BatchRegistered" as const, ...rest })),
      fc
        .record({
          base,
          shipmentId: hex(32),
          from: party,
          to: party,
          quantity: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
          shipmentRef: fc.oneof(
            hex(32),
            cset82Text.map((t) => `0x${Buffer.from(t).toString("hex").padEnd(64, "0")}` as Hex),
          ),
        })
        .map(({ base, ...rest }) => ({ ...base, eventName: "UnitsShipped" as const, ...rest })),
      fc
        .record({ base, shipmentId: hex(32), by: party, from: party, quantity: fc.integer({ min: 1, max: 1e9 }) })
        .map(({ base, ...rest }) => ({ ...base, eventName: "UnitsReceived" as const, ...rest })),
      fc
        .record({
          base,
          shipmentId: hex(32),
          by: party,
          from: party,
          quantity: fc.integer({ min: 1, max: 1e9 }),
          reason: freeText,
        })
        .map(({ base, ...rest }) => ({ ...base, eventName: "UnitsRejected" as const, ...rest })),
      fc
        .record({ base, shipmentId: hex(32), by: party, to: party, quantity: fc.integer({ min: 1, max: 1e9 }) })
        .map(({ base, ...rest }) => ({ ...base, eventName: "ShipmentCancelled" as const, ...rest })),
      fc
        .record(
          { base, index: fc.nat(), serial: cset82Text, by: party, state: fc.constantFrom(...DECOMMISSIONED) },
          { requiredKeys: ["base", "index", "by", "state"] },
        )
        .map(({ base, ...rest }) => ({ ...base, eventName: "PackDecommissioned" as const, ...rest })),
      fc
        .record(
          { base, index: fc.nat(), serial: cset82Text, by: party, previousState: fc.constantFrom(...DECOMMISSIONED) },
          { requiredKeys: ["base", "index", "by", "previousState"] },
        )
        .map(({ base, ...rest }) => ({ ...base, eventName: "PackReactivated" as const, ...rest })),
      fc
        .record({
          base,
          by: party,
          reason: freeText,
          kind: fc.constantFrom("BatchRecalled" as const, "BatchSuspended" as const),
        })
        .map(({ base, kind, ...rest }) => ({ ...base, eventName: kind, ...rest })),
      fc
        .record({ base, by: party })
        .map(({ base, ...rest }) => ({ ...base, eventName: "BatchReinstated" as const, ...rest })),
    );
    return fc.record({
      prefixes: fc.constant([productPrefix, partyPrefix, ...decoys]),
      events: fc.array(event, { minLength: 1, maxLength: 6 }),
    });
  });

describe("EPCIS 1.2 XML of the package-level ledger's events", () => {
  const events = Object.values(PACKAGE_EVENTS);

  it("writes packing and unpacking as AggregationEvents and the rest as ObjectEvents, in chain order, valid against the 1.2 schema", async () => {
    const xml = document([EVENTS.registered, ...events], {
      header: { sender: acme, receiver: northwind, products: [PRODUCT] },
    });
    await assertValidEpcis12(xml);
    const json = toEpcisDocument([EVENTS.registered, ...events], { creationDate: CREATED });
    const neutral = fromEpcis12(xml, NAMESPACE);
    assert.deepEqual(neutral, fromEpcis20(json));
    assert.deepEqual(
      neutral.slice(1, 4).map((event) => [event.type, event.action, event.bizStep, event.parentID]),
      [
        ["AggregationEvent", "ADD", "packing", `sscc ${CASE_A}`],
        ["AggregationEvent", "ADD", "packing", `sscc ${PACKAGE_EVENTS.packedUnnamed.sscc}`],
        ["AggregationEvent", "ADD", "packing", `sscc ${PALLET}`],
      ],
    );
    // The master data names the products of the packs the events list.
    assert.match(xml, /<VocabularyElement id="urn:epc:idpat:sgtin:952012\.0345678\.\*">/);
  });

  it("an AggregationEvent: parentID and childEPCs as EPC URNs, the unnamed packs as a childQuantityList", async () => {
    const xml = document([PACKAGE_EVENTS.packedUnnamed, PACKAGE_EVENTS.palletised, PACKAGE_EVENTS.toteFromWithin]);
    await assertValidEpcis12(xml);
    const root = epcis12Root(xml, NAMESPACE);
    const [unnamed, pallet, unpacked, tote] = ((root.EPCISBody as Node).EventList as Node)
      .AggregationEvent as Node[] as [Node, Node, Node, Node];
    assert.equal(unnamed.childEPCs, "", "an empty childEPCs, as 1.2 requires one");
    assert.deepEqual((unnamed.extension as Node).childQuantityList, {
      quantityElement: [{ epcClass: "urn:epc:class:lgtin:952012.0345678.A1234", quantity: "3" }],
    });
    assert.equal(pallet.parentID, ssccUrn(PALLET, known));
    assert.deepEqual(pallet.childEPCs, {
      epc: [ssccUrn(CASE_A, known), ssccUrn(PACKAGE_EVENTS.packedUnnamed.sscc, known)],
    });
    assert.deepEqual(
      [unpacked.action, unpacked.bizStep, unpacked.parentID],
      ["DELETE", "urn:epcglobal:cbv:bizstep:unpacking", ssccUrn(CASE_A, known)],
    );
    assert.equal(tote.parentID, `https://id.gs1.org/00/${TOTE}`);
    assert.deepEqual(tote.childEPCs, {
      epc: ["urn:epc:id:sgtin:952012.0345678.PK6", "urn:epc:id:sgtin:952012.0345678.PK1"],
    });
  });
});

describe("EPCIS 1.2 and 2.0 exports of the same events", () => {
  it("say the same, field by field, for every kind of event of the fixtures", () => {
    const json = toEpcisDocument(ALL_EVENTS, { creationDate: CREATED });
    const xml = document(ALL_EVENTS, { header: { sender: acme, receiver: northwind, products: [PRODUCT] } });
    const fromJson = fromEpcis20(json);
    assert.equal(fromJson.length, ALL_EVENTS.length);
    assert.deepEqual(fromEpcis12(xml, NAMESPACE), fromJson);
  });

  it("say the same for any history the ledger can hold (any prefix length, lot, serial, party, text)", () => {
    fc.assert(
      fc.property(worldArbitrary, ({ prefixes, events }) => {
        const json = toEpcisDocument(events, { creationDate: CREATED });
        const xml = toEpcis12Document(events, { creationDate: CREATED, companyPrefixes: prefixes });
        const expected = fromEpcis20(json).map((event) => ({
          ...event,
          extensions: Object.fromEntries(Object.entries(event.extensions).map(([k, v]) => [k, asXmlText(v)])),
        }));
        assert.deepEqual(fromEpcis12(xml, NAMESPACE), expected);
      }),
      { numRuns: 300 },
    );
  });

  it("every such history gives a document GS1's 1.2 schema accepts, with its header and master data", async () => {
    const worlds = fc.sample(worldArbitrary, { numRuns: 150, seed: 15 });
    const documents = worlds.map(({ prefixes, events }) => {
      const parties = events.flatMap((event) =>
        "by" in event ? [event.by] : "from" in event ? [event.from] : [event.manufacturer],
      );
      return toEpcis12Document(events, {
        creationDate: CREATED,
        companyPrefixes: prefixes,
        header: {
          sender: parties[0]!,
          receiver: parties.at(-1)!,
          products: events.map((event) => ({
            gtin: event.batch.gtin,
            name: `Product ${event.batch.lot}`,
            dosageForm: "tablet",
          })),
          transactionStatement: {},
        },
      });
    });
    const verdicts = await epcis12SchemaErrors(documents);
    for (const [i, errors] of verdicts.entries()) {
      assert.equal(errors, undefined, `${errors?.join("\n")}\n${documents[i]}`);
    }
    // The parser reads back what was written, for the same sample.
    for (const xml of documents) assert.ok(parseXml(xml));
  });
});
