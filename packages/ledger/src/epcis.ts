/**
 * The ledger's events as GS1 EPCIS 2.0 events (JSON-LD), in CBV 2.0 vocabulary, for auditors'
 * exports. Every ledger event becomes one ObjectEvent; the table in README.md lists the mapping.
 *
 * Identifiers are GS1 Digital Link URIs: a batch as a class `https://id.gs1.org/01/<gtin>/10/<lot>`,
 * a pack `https://id.gs1.org/01/<gtin>/21/<serial>`, a party (source/destination) by its GLN as a
 * party GLN (AI 417), and where the event happened (readPoint, bizLocation) by the same GLN as a
 * location (AI 414). What EPCIS has no field for (transaction hash, reasons, shipment id) goes in
 * extension fields under the `pedigree:` prefix, declared in the document's @context.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { toDigitalLink } from "@pedigree/gs1";
import { isoDateFromYyyymmdd, isoTimestamp } from "./dates.ts";
import { shipmentRefText, type LedgerEvent } from "./events.ts";
import type { PackStateName } from "./enums.ts";
import type { Hex, Party } from "./types.ts";

export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
/** Default IRI of the `pedigree:` extension prefix; a deployment may set its own (an HTTP namespace it controls). */
export const PEDIGREE_EPCIS_NAMESPACE = "urn:pedigree:epcis:";
/** Namespace of the name-based (v5) UUIDs of event ids: uuidV5(URL namespace, "urn:pedigree:epcis-event"). */
export const EPCIS_EVENT_ID_NAMESPACE = "b038df83-02f0-599c-b33f-c1bb3e546a98";

type Action = "ADD" | "OBSERVE" | "DELETE";
type Extension = `pedigree:${string}`;

export interface EpcisObjectEvent {
  type: "ObjectEvent";
  eventID: string;
  eventTime: string;
  eventTimeZoneOffset: string;
  epcList?: string[];
  quantityList?: { epcClass: string; quantity?: number }[];
  action: Action;
  bizStep: string;
  disposition: string;
  persistentDisposition?: { set?: string[]; unset?: string[] };
  readPoint?: { id: string };
  bizLocation?: { id: string };
  bizTransactionList?: { type: string; bizTransaction: string }[];
  sourceList?: { type: "owning_party" | "possessing_party" | "location"; source: string }[];
  destinationList?: { type: "owning_party" | "possessing_party" | "location"; destination: string }[];
  ilmd?: Record<string, string>;
  [extension: Extension]: string | number;
}

export interface EpcisDocument {
  "@context": [typeof EPCIS_CONTEXT, { pedigree: string }];
  type: "EPCISDocument";
  schemaVersion: "2.0";
  creationDate: string;
  epcisBody: { eventList: EpcisObjectEvent[] };
}

export interface EpcisDocumentOptions {
  /** When the document is made; default now. */
  creationDate?: Date | string;
  /** IRI of the `pedigree:` extension prefix; default PEDIGREE_EPCIS_NAMESPACE. */
  namespace?: string;
}

/** What each pack state becomes in EPCIS: bizStep, disposition and action. */
export const PACK_STATE_EPCIS: Readonly<
  Record<Exclude<PackStateName, "ACTIVE">, { bizStep: string; disposition: string; action: Action }>
> = {
  DISPENSED: { bizStep: "dispensing", disposition: "dispensed", action: "OBSERVE" },
  // The pack ceases to exist: DELETE, as CBV's destroying allows.
  DESTROYED: { bizStep: "destroying", disposition: "destroyed", action: "DELETE" },
  STOLEN: { bizStep: "decommissioning", disposition: "stolen", action: "OBSERVE" },
  SAMPLE: { bizStep: "sampling", disposition: "non_sellable_other", action: "OBSERVE" },
  EXPORTED: { bizStep: "decommissioning", disposition: "inactive", action: "OBSERVE" },
  LOCKED: { bizStep: "holding", disposition: "non_sellable_other", action: "OBSERVE" },
};

/** The EPCIS document of `events`, in the order given (chain order is the natural one). */
export function toEpcisDocument(events: readonly LedgerEvent[], options: EpcisDocumentOptions = {}): EpcisDocument {
  const creationDate = options.creationDate ?? new Date();
  const created = creationDate instanceof Date ? creationDate : new Date(creationDate);
  if (Number.isNaN(created.getTime())) throw new RangeError(`creationDate ${String(creationDate)} is not a date`);
  return {
    "@context": [EPCIS_CONTEXT, { pedigree: options.namespace ?? PEDIGREE_EPCIS_NAMESPACE }],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: created.toISOString(),
    epcisBody: { eventList: events.map(toEpcisEvent) },
  };
}

/** One ledger event as an EPCIS ObjectEvent (for a document's eventList). */
export function toEpcisEvent(event: LedgerEvent): EpcisObjectEvent {
  const batchClass = toDigitalLink({ gtin: event.batch.gtin, lot: event.batch.lot });
  const classOf = (quantity?: number) => ({
    quantityList: [quantity === undefined ? { epcClass: batchClass } : { epcClass: batchClass, quantity }],
  });
  const head = {
    type: "ObjectEvent" as const,
    eventID: epcisEventId(event.chainId, event.transactionHash, event.logIndex),
    eventTime: isoTimestamp(event.timestamp),
    eventTimeZoneOffset: "+00:00",
  };
  const chain = {
    "pedigree:chainId": event.chainId,
    "pedigree:blockNumber": event.blockNumber,
    "pedigree:transactionHash": event.transactionHash,
    "pedigree:logIndex": event.logIndex,
    "pedigree:batchId": event.batch.batchId,
  };
  const party = (p: Party) => partyUri(p, event.chainId);
  const parties = (from: Party, to: Party) => ({
    sourceList: [
      { type: "owning_party" as const, source: party(from) },
      { type: "possessing_party" as const, source: party(from) },
    ],
    destinationList: [
      { type: "owning_party" as const, destination: party(to) },
      { type: "possessing_party" as const, destination: party(to) },
    ],
  });

  switch (event.eventName) {
    case "BatchRegistered":
      return {
        ...head,
        ...classOf(event.packCount),
        action: "ADD",
        bizStep: "commissioning",
        disposition: "active",
        ...at(event.manufacturer, true),
        ilmd: {
          "cbvmda:lotNumber": event.batch.lot,
          "cbvmda:itemExpirationDate": isoDateFromYyyymmdd(event.expiry),
        },
        ...chain,
        "pedigree:serialsRoot": event.serialsRoot,
        ...(/^0x0*$/.test(event.documentHash) ? {} : { "pedigree:documentHash": event.documentHash }),
      };
    case "UnitsShipped": {
      const reference = bizTransaction(event.from, event.shipmentRef);
      return {
        ...head,
        ...classOf(event.quantity),
        action: "OBSERVE",
        bizStep: "shipping",
        disposition: "in_transit",
        ...at(event.from, false),
        ...(reference === undefined ? {} : { bizTransactionList: [{ type: "desadv", bizTransaction: reference }] }),
        ...parties(event.from, event.to),
        ...chain,
        "pedigree:shipmentId": event.shipmentId,
      };
    }
    case "UnitsReceived":
      return {
        ...head,
        ...classOf(event.quantity),
        action: "OBSERVE",
        bizStep: "receiving",
        disposition: "in_progress",
        ...at(event.by, true),
        ...parties(event.from, event.by),
        ...chain,
        "pedigree:shipmentId": event.shipmentId,
      };
    case "UnitsRejected":
      // The recipient refuses the goods; they go back to the sender (source and destination are the shipment's).
      return {
        ...head,
        ...classOf(event.quantity),
        action: "OBSERVE",
        bizStep: "receiving",
        disposition: "returned",
        ...at(event.by, false),
        ...parties(event.from, event.by),
        ...chain,
        "pedigree:shipmentId": event.shipmentId,
        "pedigree:reason": event.reason,
      };
    case "ShipmentCancelled":
      // The sender withdraws the shipment; the units are back in its stock.
      return {
        ...head,
        ...classOf(event.quantity),
        action: "OBSERVE",
        bizStep: "void_shipping",
        disposition: "in_progress",
        ...at(event.by, true),
        ...parties(event.by, event.to),
        ...chain,
        "pedigree:shipmentId": event.shipmentId,
      };
    case "PackDecommissioned": {
      const mapped = event.state === "ACTIVE" ? undefined : PACK_STATE_EPCIS[event.state];
      if (mapped === undefined) throw new RangeError("A PackDecommissioned event cannot carry the state ACTIVE");
      return {
        ...head,
        ...packOrClass(event.batch.gtin, event.serial, classOf),
        action: mapped.action,
        bizStep: mapped.bizStep,
        disposition: mapped.disposition,
        ...at(event.by, false),
        ...chain,
        "pedigree:packIndex": event.index,
        "pedigree:packState": event.state,
      };
    }
    case "PackReactivated":
      // An undone dispense or a lifted lock: the pack is back in the party's sellable stock.
      return {
        ...head,
        ...packOrClass(event.batch.gtin, event.serial, classOf),
        action: "OBSERVE",
        bizStep: "stocking",
        disposition: "active",
        ...at(event.by, true),
        ...chain,
        "pedigree:packIndex": event.index,
        "pedigree:previousState": event.previousState,
      };
    case "BatchRecalled":
      // CBV has no recalling step: a recall is the disposition recalled, here persistent.
      return {
        ...head,
        ...classOf(),
        action: "OBSERVE",
        bizStep: "holding",
        disposition: "recalled",
        persistentDisposition: { set: ["recalled"] },
        ...at(event.by, false),
        ...chain,
        "pedigree:reason": event.reason,
      };
    case "BatchSuspended":
      return {
        ...head,
        ...classOf(),
        action: "OBSERVE",
        bizStep: "holding",
        disposition: "non_sellable_other",
        persistentDisposition: { set: ["non_sellable_other"] },
        ...at(event.by, false),
        ...chain,
        "pedigree:reason": event.reason,
      };
    case "BatchReinstated":
      return {
        ...head,
        ...classOf(),
        action: "OBSERVE",
        bizStep: "inspecting",
        disposition: "active",
        persistentDisposition: { unset: ["non_sellable_other"] },
        ...at(event.by, false),
        ...chain,
      };
  }
}

/**
 * The event's id: `urn:uuid:` + a name-based UUID (version 5, SHA-1, RFC 9562) of
 * `eip155:<chainId>:<transaction hash in lower case>:<log index>` in EPCIS_EVENT_ID_NAMESPACE, so
 * the same chain event always gets the same id, whoever exports it.
 */
export function epcisEventId(chainId: number, transactionHash: Hex, logIndex: number): string {
  return `urn:uuid:${uuidV5(EPCIS_EVENT_ID_NAMESPACE, `eip155:${chainId}:${transactionHash.toLowerCase()}:${logIndex}`)}`;
}

/** RFC 9562 name-based UUID, version 5 (SHA-1). */
export function uuidV5(namespace: string, name: string): string {
  const namespaceHex = namespace.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(namespaceHex)) throw new RangeError(`${namespace} is not a UUID`);
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(16 + nameBytes.length);
  for (let i = 0; i < 16; i++) input[i] = Number.parseInt(namespaceHex.slice(2 * i, 2 * i + 2), 16);
  input.set(nameBytes, 16);
  const bytes = sha1(input).subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A party in source and destination lists: its GLN as a party GLN (AI 417), or its account (did:pkh) without one. */
export function partyUri(party: Party, chainId: number): string {
  return party.gln === undefined
    ? `did:pkh:eip155:${chainId}:${party.address}`
    : toDigitalLink({ partyGln: party.gln });
}

/** readPoint (and bizLocation where the goods stay) at the acting party's GLN as a location (AI 414). */
function at(party: Party, goodsStayThere: boolean): { readPoint?: { id: string }; bizLocation?: { id: string } } {
  if (party.gln === undefined) return {};
  const location = { id: toDigitalLink({ gln: party.gln }) };
  return goodsStayThere ? { readPoint: location, bizLocation: { ...location } } : { readPoint: location };
}

/**
 * The pack itself when its serial is known; otherwise one unit of its batch class (the chain
 * knows a pack by index; the serial comes from the manifest, which an export may not have).
 */
function packOrClass(
  gtin: string,
  serial: string | undefined,
  classOf: (quantity?: number) => { quantityList: { epcClass: string; quantity?: number }[] },
): { epcList: string[] } | { quantityList: { epcClass: string; quantity?: number }[] } {
  return serial === undefined ? classOf(1) : { epcList: [toDigitalLink({ gtin, serial })] };
}

/** CBV business transaction id of a shipment: urn:epcglobal:cbv:bt:<sender GLN>:<reference>. */
function bizTransaction(sender: Party, shipmentRef: Hex): string | undefined {
  if (sender.gln === undefined) return undefined;
  return `urn:epcglobal:cbv:bt:${sender.gln}:${encodeURIComponent(shipmentRefText(shipmentRef))}`;
}
