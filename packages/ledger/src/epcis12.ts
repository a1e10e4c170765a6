/**
 * The ledger's events as a GS1 EPCIS 1.2 XML document (CBV 1.2 vocabulary, EPC URNs), with the
 * GS1 US healthcare (DSCSA) extensions in its header: the transaction information as master data
 * and, when the seller affirms it, the transaction statement. US trading partners exchange this
 * binding; the 2.0 JSON-LD of ./epcis.ts is the newer one.
 *
 * The events are the 2.0 mapping's, translated: `toEpcisEvent` decides every event (ids, times,
 * steps, dispositions, what, where, who), and this module only writes each field the 1.2 way. So
 * the two exports of the same ledger events always say the same thing. The package-level ledger's
 * AggregationEvents (packing, unpacking) exist in 1.2 too and are written the same way.
 *
 * Identifiers: 1.2 wants EPC URNs, which split a GS1 key at the end of its GS1 company prefix
 * (`urn:epc:id:sgtin:<prefix>.<indicator><item reference>.<serial>`, `urn:epc:id:sscc:<prefix>.<extension
 * digit><serial reference>`). A key does not say how long
 * its prefix is; the ledger does: every GTIN a manufacturer registers is under a prefix assigned to
 * it on chain (CompanyPrefixAssigned; the read model's company_prefixes), the longest assigned one
 * deciding, as the contract decides. A GTIN under none of the prefixes given is refused (the
 * caller's prefixes are incomplete). A GLN or an SSCC under none of them (distributors and pharmacies
 * hold no prefix on chain, and may name their cases with any valid SSCC) keeps its GS1 Digital Link
 * URI, which CBV 1.2 admits as an HTTP URL identifier, rather than a guessed split.
 */
import { parseGs1 } from "@pedigree/gs1";
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import {
  EPCIS_EVENT_ID_NAMESPACE,
  PEDIGREE_EPCIS_NAMESPACE,
  gtinsOfEvent,
  partiesOfEvent,
  partyUri,
  toEpcisEvents,
  uuidV5,
  type CustodyEvent,
  type EpcisAggregationEvent,
  type EpcisEvent,
  type EpcisObjectEvent,
} from "./epcis.ts";
import type { Party } from "./types.ts";

export const EPCIS_1_2_NAMESPACE = "urn:epcglobal:epcis:xsd:1";
export const SBDH_NAMESPACE = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";
/** The GS1 US healthcare extension namespace (prefix `gs1ushc`). */
export const GS1US_HEALTHCARE_NAMESPACE = "http://epcis.gs1us.org/hc/ns";
/** CBV master data attributes (prefix `cbvmda`): ILMD elements, and `#name` style attribute ids. */
export const CBV_MDA_NAMESPACE = "urn:epcglobal:cbv:mda";
/** The transaction statement's legal notice as the GS1 US guideline words it (DSCSA, FD&C Act 581(27)). */
export const DSCSA_LEGAL_NOTICE = "Seller has complied with each applicable subsection of FDCA Sec. 581(27)(A)-(G).";

const XMLNS = "http://www.w3.org/2000/xmlns/";
const CBV = {
  bizStep: "urn:epcglobal:cbv:bizstep:",
  disposition: "urn:epcglobal:cbv:disp:",
  sourceDestinationType: "urn:epcglobal:cbv:sdt:",
  bizTransactionType: "urn:epcglobal:cbv:btt:",
} as const;
const VOCABULARY_TYPE = {
  epcClass: "urn:epcglobal:epcis:vtype:EPCClass",
  location: "urn:epcglobal:epcis:vtype:Location",
} as const;

/** A product's master data, as the transaction information names it (the read model's products). */
export interface Epcis12Product {
  gtin: string;
  /** Product name as registered on the ledger. */
  name: string;
  strength?: string;
  dosageForm?: string;
  manufacturer?: Party;
}

/**
 * One lot of the transaction, as EPCClass master data of its LGTIN: the lot, its expiry and, when
 * the document is one transaction's (a shipment's), how many packs of it the transaction holds.
 * A shipment's events name packs by SGTIN, which carries no lot: this is where the buyer reads the
 * lot and expiry the transaction information must give (the commissioning event's ILMD, which
 * says the same, is not the shipment's).
 */
export interface Epcis12Lot {
  gtin: string;
  lot: string;
  /** YYYY-MM-DD. */
  expiry: string;
  /** Packs of the lot in the transaction; written as `<namespace>quantity` (no CBV attribute says it). */
  quantity?: number;
}

/** The header: who sends the document to whom, and the DSCSA extensions it carries. */
export interface Epcis12Header {
  sender: Party;
  receiver: Party;
  /** SBDH InstanceIdentifier; default a name-based UUID of the creation date and the event ids. */
  instanceIdentifier?: string;
  /** Master data of the events' products (transaction information: name, strength, dosage form, manufacturer). */
  products?: readonly Epcis12Product[];
  /** Lot master data (lot, expiry, quantity) of a transaction's lots. */
  lots?: readonly Epcis12Lot[];
  /**
   * The seller's DSCSA transaction statement. Present only when the seller itself affirms it: the
   * ledger records custody, it cannot make the seller's legal assertion.
   */
  transactionStatement?: { legalNotice?: string };
}

export interface Epcis12DocumentOptions {
  /** When the document is made; default now. */
  creationDate?: Date | string;
  /** IRI of the `pedigree:` extension namespace; default PEDIGREE_EPCIS_NAMESPACE. */
  namespace?: string;
  /** Every GS1 company prefix known (assigned on chain; the read model's company_prefixes), 6 to 12 digits. */
  companyPrefixes: Iterable<string>;
  /** Without a header the document carries events only (no SBDH, master data or statement). */
  header?: Epcis12Header;
  /**
   * The events to write, when the caller chose them from the 2.0 mapping of `events` (a shipment's
   * document keeps, of the steps before the shipment, only what they did to its units), so the 1.2
   * and 2.0 documents hold the same selection. Default: every event of `events`, mapped.
   */
  eventList?: readonly EpcisEvent[];
}

export type Epcis12ErrorCode = "UNKNOWN_COMPANY_PREFIX" | "INVALID_COMPANY_PREFIX" | "UNSUPPORTED_IDENTIFIER";

/** A ledger event the 1.2 binding cannot write: says which identifier and what to do. */
export class Epcis12Error extends Error {
  readonly code: Epcis12ErrorCode;
  readonly identifier: string;
  constructor(code: Epcis12ErrorCode, identifier: string, message: string) {
    super(message);
    this.name = "Epcis12Error";
    this.code = code;
    this.identifier = identifier;
  }
}

/** GS1 company prefixes, looked up as the contract does: the longest one a key starts with decides. */
export class CompanyPrefixes {
  readonly #prefixes = new Set<string>();

  constructor(prefixes: Iterable<string>) {
    for (const prefix of prefixes) {
      if (!/^\d{6,12}$/.test(prefix)) {
        throw new Epcis12Error(
          "INVALID_COMPANY_PREFIX",
          prefix,
          `'${prefix}' is not a GS1 company prefix: a prefix has 6 to 12 digits.`,
        );
      }
      this.#prefixes.add(prefix);
    }
  }

  /** The company prefix of a key's digits from where the prefix starts (a GTIN-14 after its indicator, a GLN from its start). */
  of(digits: string): string | undefined {
    for (let length = Math.min(12, digits.length); length >= 6; length--) {
      const candidate = digits.slice(0, length);
      if (this.#prefixes.has(candidate)) return candidate;
    }
    return undefined;
  }
}

/**
 * EPC URI escaping (Tag Data Standard): of GS1's 82 characters, `"` `%` `&` `/` `<` `>` `?` are
 * written %22 %25 %26 %2F %3C %3E %3F; the others stand as they are.
 */
export function epcEscape(value: string): string {
  return value.replace(/["%&/<>?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Company prefix and item reference (with the indicator digit first) of a GTIN-14, or undefined without a known prefix. */
function gtinParts(gtin: string, prefixes: CompanyPrefixes): { prefix: string; itemReference: string } | undefined {
  const prefix = prefixes.of(gtin.slice(1, 13));
  if (prefix === undefined) return undefined;
  return { prefix, itemReference: gtin[0] + gtin.slice(1 + prefix.length, 13) };
}

function requireGtinParts(gtin: string, prefixes: CompanyPrefixes, identifier: string) {
  const parts = gtinParts(gtin, prefixes);
  if (parts === undefined) {
    throw new Epcis12Error(
      "UNKNOWN_COMPANY_PREFIX",
      identifier,
      `GTIN ${gtin} is under none of the GS1 company prefixes given, so its EPC URN cannot be written: ` +
        "pass every prefix assigned on the ledger (CompanyPrefixAssigned events; the read model's company_prefixes).",
    );
  }
  return parts;
}

/** `urn:epc:id:sgtin:` of a pack. Throws Epcis12Error when the GTIN's prefix is not known. */
export function sgtinUrn(gtin: string, serial: string, prefixes: CompanyPrefixes): string {
  const { prefix, itemReference } = requireGtinParts(gtin, prefixes, `(01)${gtin}(21)${serial}`);
  return `urn:epc:id:sgtin:${prefix}.${itemReference}.${epcEscape(serial)}`;
}

/** `urn:epc:class:lgtin:` of a batch. Throws Epcis12Error when the GTIN's prefix is not known. */
export function lgtinUrn(gtin: string, lot: string, prefixes: CompanyPrefixes): string {
  const { prefix, itemReference } = requireGtinParts(gtin, prefixes, `(01)${gtin}(10)${lot}`);
  return `urn:epc:class:lgtin:${prefix}.${itemReference}.${epcEscape(lot)}`;
}

/** `urn:epc:idpat:sgtin:<prefix>.<item reference>.*`: every pack of a product, as EPCClass master data names it. */
export function productPatternUrn(gtin: string, prefixes: CompanyPrefixes): string {
  const { prefix, itemReference } = requireGtinParts(gtin, prefixes, `(01)${gtin}`);
  return `urn:epc:idpat:sgtin:${prefix}.${itemReference}.*`;
}

/**
 * `urn:epc:id:sscc:<prefix>.<extension digit><serial reference>` of an 18-digit SSCC (the check
 * digit dropped), or undefined when its company prefix (after the extension digit) is not known.
 */
export function ssccUrn(sscc: string, prefixes: CompanyPrefixes): string | undefined {
  const prefix = prefixes.of(sscc.slice(1, 17));
  return prefix === undefined ? undefined : `urn:epc:id:sscc:${prefix}.${sscc[0]}${sscc.slice(1 + prefix.length, 17)}`;
}

/** `urn:epc:id:sgln:<prefix>.<location reference>.0` of a GLN (no extension), or undefined without a known prefix. */
export function sglnUrn(gln: string, prefixes: CompanyPrefixes): string | undefined {
  const prefix = prefixes.of(gln.slice(0, 12));
  return prefix === undefined ? undefined : `urn:epc:id:sgln:${prefix}.${gln.slice(prefix.length, 12)}.0`;
}

/**
 * The 1.2 form of an identifier the 2.0 mapping wrote: a GS1 Digital Link of a pack, a batch, a
 * logistic unit (00), a location (414) or a party (417) becomes its EPC URN (parties and locations
 * both as SGLN, as the GS1 US guideline writes them); a GLN or SSCC without a known prefix, and any
 * other URI (did:pkh), stay.
 */
export function epcUriOf(identifier: string, prefixes: CompanyPrefixes): string {
  if (!identifier.startsWith("https://id.gs1.org/")) return identifier;
  const parsed = parseGs1(identifier);
  if (!parsed.ok || parsed.form !== "digital-link") {
    throw new Epcis12Error("UNSUPPORTED_IDENTIFIER", identifier, `${identifier} is not a GS1 Digital Link URI.`);
  }
  const { gtin, serial, lot, gln, partyGln, sscc } = parsed.value;
  if (sscc !== undefined && gtin === undefined) return ssccUrn(sscc, prefixes) ?? identifier;
  if (gtin !== undefined && serial !== undefined && lot === undefined) return sgtinUrn(gtin, serial, prefixes);
  if (gtin !== undefined && lot !== undefined && serial === undefined) return lgtinUrn(gtin, lot, prefixes);
  const anyGln = gln ?? partyGln;
  if (gtin === undefined && anyGln !== undefined) return sglnUrn(anyGln, prefixes) ?? identifier;
  throw new Epcis12Error(
    "UNSUPPORTED_IDENTIFIER",
    identifier,
    `${identifier} names no pack, batch, logistic unit, location or party the EPCIS 1.2 export writes.`,
  );
}

/**
 * Text as XML 1.0 can carry it: a character XML cannot hold at all (controls other than tab, line
 * feed and carriage return; lone surrogates; U+FFFE, U+FFFF) becomes U+FFFD. Names and reasons on
 * the chain are any UTF-8 a party wrote; the export must not break on one.
 */
export function xmlSafeText(value: string): string {
  return value.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
}

/** The EPCIS 1.2 XML document of `events`, in the order given (chain order is the natural one). */
export function toEpcis12Document(events: readonly CustodyEvent[], options: Epcis12DocumentOptions): string {
  const creationDate = options.creationDate ?? new Date();
  const created = creationDate instanceof Date ? creationDate : new Date(creationDate);
  if (Number.isNaN(created.getTime())) throw new RangeError(`creationDate ${String(creationDate)} is not a date`);
  const prefixes = new CompanyPrefixes(options.companyPrefixes);
  const mapped = options.eventList ?? events.flatMap(toEpcisEvents);

  const document = create({ version: "1.0", encoding: "UTF-8" });
  const root = document
    .ele(EPCIS_1_2_NAMESPACE, "epcis:EPCISDocument")
    .att(XMLNS, "xmlns:sbdh", SBDH_NAMESPACE)
    .att(XMLNS, "xmlns:gs1ushc", GS1US_HEALTHCARE_NAMESPACE)
    .att(XMLNS, "xmlns:cbvmda", CBV_MDA_NAMESPACE)
    .att(XMLNS, "xmlns:pedigree", options.namespace ?? PEDIGREE_EPCIS_NAMESPACE)
    .att("schemaVersion", "1.2")
    .att("creationDate", created.toISOString());
  const writer = new Writer(prefixes, options.namespace ?? PEDIGREE_EPCIS_NAMESPACE);
  if (options.header !== undefined) writer.header(root, options.header, created, events, mapped);
  const list = root.ele("EPCISBody").ele("EventList");
  for (const event of mapped) writer.event(list, event);
  return document.end({ prettyPrint: true, wellFormed: true });
}

class Writer {
  readonly #prefixes: CompanyPrefixes;
  readonly #namespace: string;
  constructor(prefixes: CompanyPrefixes, namespace: string) {
    this.#prefixes = prefixes;
    this.#namespace = namespace;
  }

  /** A child element with text (made XML-safe). */
  #text(parent: XMLBuilder, name: string, value: string | number, namespace?: string): XMLBuilder {
    const element = namespace === undefined ? parent.ele(name) : parent.ele(namespace, name);
    return element.txt(xmlSafeText(String(value)));
  }

  #uri(identifier: string): string {
    return epcUriOf(identifier, this.#prefixes);
  }

  header(
    root: XMLBuilder,
    header: Epcis12Header,
    created: Date,
    events: readonly CustodyEvent[],
    mapped: readonly EpcisEvent[],
  ): void {
    const chainId = events[0]?.chainId ?? 0;
    const element = root.ele("EPCISHeader");
    const sbdh = element.ele(SBDH_NAMESPACE, "sbdh:StandardBusinessDocumentHeader");
    this.#text(sbdh, "sbdh:HeaderVersion", "1.0", SBDH_NAMESPACE);
    this.#partner(sbdh.ele(SBDH_NAMESPACE, "sbdh:Sender"), header.sender, chainId);
    this.#partner(sbdh.ele(SBDH_NAMESPACE, "sbdh:Receiver"), header.receiver, chainId);
    const identification = sbdh.ele(SBDH_NAMESPACE, "sbdh:DocumentIdentification");
    const instance =
      header.instanceIdentifier ??
      uuidV5(EPCIS_EVENT_ID_NAMESPACE, `epcis-1.2:${created.toISOString()}:${mapped.map((e) => e.eventID).join(",")}`);
    this.#text(identification, "sbdh:Standard", "EPCglobal", SBDH_NAMESPACE);
    this.#text(identification, "sbdh:TypeVersion", "1.0", SBDH_NAMESPACE);
    this.#text(identification, "sbdh:InstanceIdentifier", instance, SBDH_NAMESPACE);
    this.#text(identification, "sbdh:Type", "Events", SBDH_NAMESPACE);
    this.#text(identification, "sbdh:CreationDateAndTime", created.toISOString(), SBDH_NAMESPACE);

    const products = [
      ...this.#productVocabulary(header.products ?? [], events),
      ...this.#lotVocabulary(header.lots ?? []),
    ];
    const locations = this.#locationVocabulary(events, mapped);
    if (products.length + locations.length > 0) {
      const vocabularies = element.ele("extension").ele("EPCISMasterData").ele("VocabularyList");
      for (const [type, elements] of [
        [VOCABULARY_TYPE.epcClass, products],
        [VOCABULARY_TYPE.location, locations],
      ] as const) {
        if (elements.length === 0) continue;
        const list = vocabularies.ele("Vocabulary", { type }).ele("VocabularyElementList");
        for (const { id, attributes } of elements) {
          const vocabularyElement = list.ele("VocabularyElement", { id });
          for (const [attribute, value] of attributes) {
            // A CBV attribute by its local name; another vocabulary's (pedigree:) by its full URI.
            const id = attribute.includes(":") ? attribute : `${CBV_MDA_NAMESPACE}#${attribute}`;
            this.#text(vocabularyElement, "attribute", value).att("id", id);
          }
        }
      }
    }

    if (header.transactionStatement !== undefined) {
      const statement = element.ele(GS1US_HEALTHCARE_NAMESPACE, "gs1ushc:dscsaTransactionStatement");
      this.#text(statement, "gs1ushc:affirmTransactionStatement", "true", GS1US_HEALTHCARE_NAMESPACE);
      this.#text(
        statement,
        "gs1ushc:legalNotice",
        header.transactionStatement.legalNotice ?? DSCSA_LEGAL_NOTICE,
        GS1US_HEALTHCARE_NAMESPACE,
      );
    }
  }

  /** SBDH partner: its SGLN when the GLN's prefix is known, else the GLN, else its account. */
  #partner(element: XMLBuilder, party: Party, chainId: number): void {
    const sgln = party.gln === undefined ? undefined : sglnUrn(party.gln, this.#prefixes);
    const [authority, value] =
      sgln !== undefined
        ? ["SGLN", sgln]
        : party.gln !== undefined
          ? ["GLN", party.gln]
          : ["DID", partyUri(party, chainId)];
    this.#text(element, "sbdh:Identifier", value, SBDH_NAMESPACE).att("Authority", authority);
  }

  /** EPCClass master data of the products the events name (transaction information: name, strength, dosage form, manufacturer). */
  #productVocabulary(products: readonly Epcis12Product[], events: readonly CustodyEvent[]) {
    const named = new Set(events.flatMap(gtinsOfEvent));
    const seen = new Set<string>();
    const elements: { id: string; attributes: [string, string][] }[] = [];
    for (const product of products) {
      if (!named.has(product.gtin) || seen.has(product.gtin)) continue;
      seen.add(product.gtin);
      const attributes: [string, string][] = [["regulatedProductName", product.name]];
      if (product.strength) attributes.push(["strengthDescription", product.strength]);
      if (product.dosageForm) attributes.push(["dosageFormType", product.dosageForm]);
      if (product.manufacturer?.name) attributes.push(["manufacturerOfTradeItemPartyName", product.manufacturer.name]);
      elements.push({ id: productPatternUrn(product.gtin, this.#prefixes), attributes });
    }
    return elements;
  }

  /** EPCClass master data of lots (LGTIN): CBV's lotNumber and itemExpirationDate, and the transaction's quantity. */
  #lotVocabulary(lots: readonly Epcis12Lot[]) {
    return lots.map(({ gtin, lot, expiry, quantity }) => {
      const attributes: [string, string][] = [
        ["lotNumber", lot],
        ["itemExpirationDate", expiry],
      ];
      if (quantity !== undefined) attributes.push([`${this.#namespace}quantity`, String(quantity)]);
      return { id: lgtinUrn(gtin, lot, this.#prefixes), attributes };
    });
  }

  /**
   * Location master data: the legal name of every party and place the events name, under the id
   * the events name it by (source, destination, readPoint, bizLocation).
   */
  #locationVocabulary(events: readonly CustodyEvent[], mapped: readonly EpcisEvent[]) {
    const names = new Map<string, string>();
    for (const event of events) {
      for (const party of partiesOfEvent(event)) {
        if (party.name === undefined || party.name === "") continue;
        names.set(partyUri(party, event.chainId), party.name);
        if (party.gln !== undefined) names.set(`https://id.gs1.org/414/${party.gln}`, party.name);
      }
    }
    const elements = new Map<string, { id: string; attributes: [string, string][] }>();
    for (const event of mapped) {
      const used = [
        event.readPoint?.id,
        event.bizLocation?.id,
        ...(event.sourceList ?? []).map((entry) => entry.source),
        ...(event.destinationList ?? []).map((entry) => entry.destination),
      ];
      for (const uri of used) {
        const name = uri === undefined ? undefined : names.get(uri);
        if (uri === undefined || name === undefined) continue;
        const id = this.#uri(uri);
        if (!elements.has(id)) elements.set(id, { id, attributes: [["name", name]] });
      }
    }
    return [...elements.values()];
  }

  event(list: XMLBuilder, event: EpcisEvent): void {
    if (event.type === "AggregationEvent") this.#aggregationEvent(list, event);
    else this.#objectEvent(list, event);
  }

  /** The fields both event types open with: when, the id, and the EPC list (epcList or childEPCs, maybe empty). */
  #opening(element: XMLBuilder, event: EpcisEvent, listName: "epcList" | "childEPCs", epcList: readonly string[]) {
    this.#text(element, "eventTime", event.eventTime);
    this.#text(element, "eventTimeZoneOffset", event.eventTimeZoneOffset);
    this.#text(element.ele("baseExtension"), "eventID", event.eventID);
    if (event.type === "AggregationEvent") this.#text(element, "parentID", this.#uri(event.parentID));
    const epcs = element.ele(listName);
    for (const epc of epcList) this.#text(epcs, "epc", this.#uri(epc));
  }

  /** action to bizTransactionList, in the order both event types share. */
  #what(element: XMLBuilder, event: EpcisEvent): void {
    this.#text(element, "action", event.action);
    this.#text(element, "bizStep", CBV.bizStep + event.bizStep);
    this.#text(element, "disposition", CBV.disposition + event.disposition);
    if (event.readPoint !== undefined) this.#text(element.ele("readPoint"), "id", this.#uri(event.readPoint.id));
    if (event.bizLocation !== undefined) this.#text(element.ele("bizLocation"), "id", this.#uri(event.bizLocation.id));
    if (event.bizTransactionList !== undefined) {
      const transactions = element.ele("bizTransactionList");
      for (const { type, bizTransaction } of event.bizTransactionList) {
        this.#text(transactions, "bizTransaction", bizTransaction).att("type", CBV.bizTransactionType + type);
      }
    }
  }

  #quantities(parent: XMLBuilder, name: "quantityList" | "childQuantityList", list: EpcisObjectEvent["quantityList"]) {
    if (list === undefined) return;
    const quantities = parent.ele(name);
    for (const { epcClass, quantity } of list) {
      const quantityElement = quantities.ele("quantityElement");
      this.#text(quantityElement, "epcClass", this.#uri(epcClass));
      if (quantity !== undefined) this.#text(quantityElement, "quantity", quantity);
    }
  }

  #sourcesAndDestinations(extension: XMLBuilder, event: EpcisEvent): void {
    if (event.sourceList !== undefined) {
      const sources = extension.ele("sourceList");
      for (const { type, source } of event.sourceList) {
        this.#text(sources, "source", this.#uri(source)).att("type", CBV.sourceDestinationType + type);
      }
    }
    if (event.destinationList !== undefined) {
      const destinations = extension.ele("destinationList");
      for (const { type, destination } of event.destinationList) {
        this.#text(destinations, "destination", this.#uri(destination)).att("type", CBV.sourceDestinationType + type);
      }
    }
  }

  /** The pedigree extension fields, where the schema admits elements of other namespaces (after `extension`). */
  #pedigreeFields(element: XMLBuilder, event: EpcisEvent): void {
    for (const [key, value] of Object.entries(event)) {
      if (key.startsWith("pedigree:")) this.#text(element, key, value as string | number, this.#namespace);
    }
  }

  #aggregationEvent(list: XMLBuilder, event: EpcisAggregationEvent): void {
    const element = list.ele("AggregationEvent");
    this.#opening(element, event, "childEPCs", event.childEPCs ?? []);
    this.#what(element, event);
    const extension = element.ele("extension");
    this.#quantities(extension, "childQuantityList", event.childQuantityList);
    this.#sourcesAndDestinations(extension, event);
    if (extension.node.childNodes.length === 0) extension.remove();
    this.#pedigreeFields(element, event);
  }

  #objectEvent(list: XMLBuilder, event: EpcisObjectEvent): void {
    const element = list.ele("ObjectEvent");
    this.#opening(element, event, "epcList", event.epcList ?? []);
    this.#what(element, event);

    const extension = element.ele("extension");
    this.#quantities(extension, "quantityList", event.quantityList);
    this.#sourcesAndDestinations(extension, event);
    if (event.ilmd !== undefined) {
      const ilmd = extension.ele("ilmd");
      for (const [name, value] of Object.entries(event.ilmd)) {
        const [prefix, local] = name.split(":");
        if (prefix !== "cbvmda" || local === undefined) throw new RangeError(`ILMD field ${name} has no 1.2 namespace`);
        this.#text(ilmd, `cbvmda:${local}`, value, CBV_MDA_NAMESPACE);
      }
    }
    if (extension.node.childNodes.length === 0) extension.remove();

    // EPCIS 1.2 has no persistentDisposition (2.0 added it): it travels as a pedigree extension.
    if (event.persistentDisposition !== undefined) {
      const persistent = element.ele(this.#namespace, "pedigree:persistentDisposition");
      for (const kind of ["set", "unset"] as const) {
        for (const disposition of event.persistentDisposition[kind] ?? []) {
          this.#text(persistent, `pedigree:${kind}`, CBV.disposition + disposition, this.#namespace);
        }
      }
    }
    this.#pedigreeFields(element, event);
  }
}
