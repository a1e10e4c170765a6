/**
 * One neutral model of an EPCIS ObjectEvent or AggregationEvent, read from either binding: the 2.0 JSON-LD object and
 * the 1.2 XML text (parsed with fast-xml-parser). The readers are the tests' own: identifiers are
 * decoded here from EPC URNs (TDS rules, check digits recomputed) and from Digital Link URIs
 * (@pedigree/gs1's parser), not with the converter's code, so a wrong split or escape shows up as a
 * difference.
 */
import assert from "node:assert/strict";
import { gs1CheckDigit, parseGs1 } from "@pedigree/gs1";
import { XMLParser } from "fast-xml-parser";
import type { EpcisDocument, EpcisEvent } from "../src/epcis.ts";

/** `pack <gtin> <serial>`, `batch <gtin> <lot>`, `sscc <sscc>`, `gln <gln>`, or `uri <anything else>`. */
export type NeutralId = string;

export interface NeutralEvent {
  type: "ObjectEvent" | "AggregationEvent";
  eventID: string;
  eventTime: number;
  eventTimeZoneOffset: string;
  action: string;
  bizStep: string;
  disposition: string;
  /** An AggregationEvent's parent. */
  parentID?: NeutralId;
  /** epcList, or an AggregationEvent's childEPCs. */
  epcs: NeutralId[];
  /** quantityList, or an AggregationEvent's childQuantityList. */
  quantities: { epcClass: NeutralId; quantity?: number }[];
  readPoint?: NeutralId;
  bizLocation?: NeutralId;
  bizTransactions: { type: string; id: string }[];
  sources: { type: string; id: NeutralId }[];
  destinations: { type: string; id: NeutralId }[];
  ilmd: Record<string, string>;
  persistentDisposition: { set: string[]; unset: string[] };
  /** The pedigree: extension fields, as text. */
  extensions: Record<string, string>;
}

/** Free text as an XML 1.0 reader sees it: its end-of-line handling turns CR LF and lone CR into LF. */
export function xmlLineEnds(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

function digitalLinkId(uri: string): NeutralId {
  const parsed = parseGs1(uri);
  if (!parsed.ok) return `uri ${uri}`;
  const { gtin, serial, lot, gln, partyGln, sscc } = parsed.value;
  if (sscc !== undefined) return `sscc ${sscc}`;
  if (gtin !== undefined && serial !== undefined) return `pack ${gtin} ${serial}`;
  if (gtin !== undefined && lot !== undefined) return `batch ${gtin} ${lot}`;
  if (gln !== undefined || partyGln !== undefined) return `gln ${gln ?? partyGln}`;
  return `uri ${uri}`;
}

function withCheckDigit(body: string): string {
  const check = gs1CheckDigit(body);
  assert.ok(check !== undefined, `${body} is not a digit string`);
  return `${body}${check}`;
}

/** An identifier of the 1.2 document, decoded by TDS rules (company prefix and reference total 13 or 12 digits). */
export function epcUrnId(uri: string): NeutralId {
  const gtinBased = /^urn:epc:(id:sgtin|class:lgtin):(\d{6,12})\.(\d{1,7})\.(.+)$/.exec(uri);
  if (gtinBased !== null) {
    const [, scheme, prefix, reference, rest] = gtinBased as unknown as [string, string, string, string, string];
    assert.equal(prefix.length + reference.length, 13, `${uri}: company prefix and item reference make 13 digits`);
    assert.match(rest, /^(%[0-9A-F]{2}|[!'()*+,\-.0-9:;=A-Z_a-z])+$/, `${uri}: escaped as TDS says`);
    const gtin = withCheckDigit(`${reference[0]}${prefix}${reference.slice(1)}`);
    return `${scheme === "id:sgtin" ? "pack" : "batch"} ${gtin} ${decodeURIComponent(rest)}`;
  }
  const sscc = /^urn:epc:id:sscc:(\d{6,12})\.(\d{5,11})$/.exec(uri);
  if (sscc !== null) {
    const [, prefix, reference] = sscc as unknown as [string, string, string];
    assert.equal(prefix.length + reference.length, 17, `${uri}: company prefix and serial reference make 17 digits`);
    return `sscc ${withCheckDigit(`${reference[0]}${prefix}${reference.slice(1)}`)}`;
  }
  const sgln = /^urn:epc:id:sgln:(\d{6,12})\.(\d{0,6})\.(.*)$/.exec(uri);
  if (sgln !== null) {
    const [, prefix, reference, extension] = sgln as unknown as [string, string, string, string];
    assert.equal(prefix.length + reference.length, 12, `${uri}: company prefix and location reference make 12 digits`);
    assert.equal(extension, "0", `${uri}: a GLN without extension`);
    return `gln ${withCheckDigit(prefix + reference)}`;
  }
  if (uri.startsWith("https://id.gs1.org/")) return digitalLinkId(uri);
  return `uri ${uri}`;
}

function jsonId(uri: string): NeutralId {
  return uri.startsWith("https://id.gs1.org/") ? digitalLinkId(uri) : `uri ${uri}`;
}

/** The neutral events of a 2.0 document. */
export function fromEpcis20(document: EpcisDocument): NeutralEvent[] {
  return document.epcisBody.eventList.map((event: EpcisEvent) => {
    const extensions: Record<string, string> = {};
    for (const [key, value] of Object.entries(event)) {
      if (key.startsWith("pedigree:")) extensions[key] = String(value);
    }
    const aggregation = event.type === "AggregationEvent";
    const epcs = aggregation ? event.childEPCs : event.epcList;
    const quantities = aggregation ? event.childQuantityList : event.quantityList;
    return {
      type: event.type,
      eventID: event.eventID,
      eventTime: Date.parse(event.eventTime),
      eventTimeZoneOffset: event.eventTimeZoneOffset,
      action: event.action,
      bizStep: event.bizStep,
      disposition: event.disposition,
      ...(aggregation ? { parentID: jsonId(event.parentID) } : {}),
      epcs: (epcs ?? []).map(jsonId),
      quantities: (quantities ?? []).map(({ epcClass, quantity }) =>
        quantity === undefined ? { epcClass: jsonId(epcClass) } : { epcClass: jsonId(epcClass), quantity },
      ),
      ...(event.readPoint === undefined ? {} : { readPoint: jsonId(event.readPoint.id) }),
      ...(event.bizLocation === undefined ? {} : { bizLocation: jsonId(event.bizLocation.id) }),
      bizTransactions: (event.bizTransactionList ?? []).map(({ type, bizTransaction }) => ({
        type,
        id: bizTransaction,
      })),
      sources: (event.sourceList ?? []).map(({ type, source }) => ({ type, id: jsonId(source) })),
      destinations: (event.destinationList ?? []).map(({ type, destination }) => ({ type, id: jsonId(destination) })),
      ilmd: Object.fromEntries(
        Object.entries((aggregation ? undefined : event.ilmd) ?? {}).map(([key, value]) => [
          key.replace(/^cbvmda:/, ""),
          value,
        ]),
      ),
      persistentDisposition: {
        set: (aggregation ? undefined : event.persistentDisposition?.set) ?? [],
        unset: (aggregation ? undefined : event.persistentDisposition?.unset) ?? [],
      },
      extensions,
    };
  });
}

const LISTS = new Set([
  "ObjectEvent",
  "AggregationEvent",
  "epc",
  "quantityElement",
  "bizTransaction",
  "source",
  "destination",
  "pedigree:set",
  "pedigree:unset",
  "Vocabulary",
  "VocabularyElement",
  "attribute",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  isArray: (name) => LISTS.has(name),
});

type Node = Record<string, unknown>;

/** Drops the indentation between child elements (whitespace text beside other elements); text elements keep theirs. */
function withoutIndentation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIndentation);
  if (value === null || typeof value !== "object") return value;
  const node = value as Node;
  const children = Object.keys(node).filter((key) => key !== "#text" && !key.startsWith("@"));
  const out: Node = {};
  for (const [key, child] of Object.entries(node)) {
    if (key === "#text" && children.length > 0 && typeof child === "string" && child.trim() === "") continue;
    out[key] = withoutIndentation(child);
  }
  return out;
}

/** The document as fast-xml-parser reads it: attributes as `@name`, text as strings, lists as arrays. */
export function parseXml(xml: string): Node {
  return withoutIndentation(parser.parse(xml)) as Node;
}

const text = (value: unknown): string => {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && "#text" in value) return String((value as Node)["#text"]);
  if (value === undefined) return "";
  assert.fail(`expected text, found ${JSON.stringify(value)}`);
};
const strip = (value: string, prefix: string): string => {
  assert.ok(value.startsWith(prefix), `${value} is a CBV 1.2 URN starting ${prefix}`);
  return value.slice(prefix.length);
};

/** The parsed document's root element, after checking the namespaces the prefixes below stand for. */
export function epcis12Root(xml: string, pedigreeNamespace: string): Node {
  const parsed = parseXml(xml);
  const root = parsed["epcis:EPCISDocument"] as Node | undefined;
  assert.ok(root, "the root element is epcis:EPCISDocument");
  assert.equal(root["@xmlns:epcis"], "urn:epcglobal:epcis:xsd:1");
  assert.equal(root["@xmlns:cbvmda"], "urn:epcglobal:cbv:mda");
  assert.equal(root["@xmlns:pedigree"], pedigreeNamespace);
  assert.equal(root["@schemaVersion"], "1.2");
  return root;
}

/**
 * The neutral events of a 1.2 document, in document order (the parser groups elements by name, so
 * the order is read back from where each event's id stands in the text).
 */
export function fromEpcis12(xml: string, pedigreeNamespace: string): NeutralEvent[] {
  const root = epcis12Root(xml, pedigreeNamespace);
  const list = ((root.EPCISBody as Node).EventList ?? {}) as Node;
  const ofType = (type: NeutralEvent["type"]) =>
    (typeof list === "string" ? [] : ((list[type] as Node[] | undefined) ?? [])).map((event) => ({ type, event }));
  const events = [...ofType("ObjectEvent"), ...ofType("AggregationEvent")];
  const at = (event: Node) => xml.indexOf(`<eventID>${text((event.baseExtension as Node).eventID)}</eventID>`);
  events.sort((a, b) => at(a.event) - at(b.event));
  return events.map(({ type, event }) => {
    const extension = (event.extension ?? {}) as Node;
    const base = event.baseExtension as Node;
    const extensions: Record<string, string> = {};
    for (const [key, value] of Object.entries(event)) {
      if (key.startsWith("pedigree:") && key !== "pedigree:persistentDisposition") extensions[key] = text(value);
    }
    const persistent = (event["pedigree:persistentDisposition"] ?? {}) as Node;
    const dispositions = (kind: "set" | "unset") =>
      ((persistent[`pedigree:${kind}`] as unknown[] | undefined) ?? []).map((value) =>
        strip(text(value), "urn:epcglobal:cbv:disp:"),
      );
    const aggregation = type === "AggregationEvent";
    const epcList = (aggregation ? event.childEPCs : event.epcList) as Node | string;
    const quantityList = (aggregation ? extension.childQuantityList : extension.quantityList) as Node | undefined;
    const ilmd = (extension.ilmd ?? {}) as Node;
    return {
      type,
      eventID: text(base.eventID),
      eventTime: Date.parse(text(event.eventTime)),
      eventTimeZoneOffset: text(event.eventTimeZoneOffset),
      action: text(event.action),
      bizStep: strip(text(event.bizStep), "urn:epcglobal:cbv:bizstep:"),
      disposition: strip(text(event.disposition), "urn:epcglobal:cbv:disp:"),
      ...(aggregation ? { parentID: epcUrnId(text(event.parentID)) } : {}),
      epcs: (typeof epcList === "string" ? [] : ((epcList.epc as unknown[] | undefined) ?? [])).map((epc) =>
        epcUrnId(text(epc)),
      ),
      quantities: ((quantityList?.quantityElement as Node[] | undefined) ?? []).map((element) =>
        element.quantity === undefined
          ? { epcClass: epcUrnId(text(element.epcClass)) }
          : { epcClass: epcUrnId(text(element.epcClass)), quantity: Number(text(element.quantity)) },
      ),
      ...(event.readPoint === undefined ? {} : { readPoint: epcUrnId(text((event.readPoint as Node).id)) }),
      ...(event.bizLocation === undefined ? {} : { bizLocation: epcUrnId(text((event.bizLocation as Node).id)) }),
      bizTransactions: (
        ((event.bizTransactionList as Node | undefined)?.bizTransaction as Node[] | undefined) ?? []
      ).map((entry) => ({ type: strip(String(entry["@type"]), "urn:epcglobal:cbv:btt:"), id: text(entry) })),
      sources: (((extension.sourceList as Node | undefined)?.source as Node[] | undefined) ?? []).map((entry) => ({
        type: strip(String(entry["@type"]), "urn:epcglobal:cbv:sdt:"),
        id: epcUrnId(text(entry)),
      })),
      destinations: (((extension.destinationList as Node | undefined)?.destination as Node[] | undefined) ?? []).map(
        (entry) => ({ type: strip(String(entry["@type"]), "urn:epcglobal:cbv:sdt:"), id: epcUrnId(text(entry)) }),
      ),
      ilmd: Object.fromEntries(
        Object.entries(ilmd).map(([key, value]) => {
          assert.match(key, /^cbvmda:/, `ILMD field ${key} is in the cbvmda namespace`);
          return [key.replace(/^cbvmda:/, ""), text(value)];
        }),
      ),
      persistentDisposition: { set: dispositions("set"), unset: dispositions("unset") },
      extensions,
    };
  });
}
