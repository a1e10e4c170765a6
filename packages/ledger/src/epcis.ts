/**
 * The ledger's events as GS1 EPCIS 2.0 events (JSON-LD), in CBV 2.0 vocabulary, for auditors' and
 * trading partners' exports. The count ledger's events (./events.ts) become one ObjectEvent each;
 * the package-level ledger's custody events (PackageLedgerEvent below) become AggregationEvents
 * (packing, unpacking) and ObjectEvents naming logistic units and packs one by one. The table in
 * README.md lists the mapping.
 *
 * Identifiers are GS1 Digital Link URIs: a batch as a class `https://id.gs1.org/01/<gtin>/10/<lot>`,
 * a pack `https://id.gs1.org/01/<gtin>/21/<serial>`, a logistic unit `https://id.gs1.org/00/<sscc>`,
 * a party (source/destination) by its GLN as a party GLN (AI 417), and where the event happened
 * (readPoint, bizLocation) by the same GLN as a location (AI 414). What EPCIS has no field for
 * (transaction hash, reasons, shipment id) goes in extension fields under the `pedigree:` prefix,
 * declared in the document's @context.
 *
 * Serial lists are secrets (DESIGN.md, "Who may see what"): the package-level events take each
 * pack's serial from the caller, who gives it only where the reader may see it. A pack without one
 * counts as one unit of its batch class (quantityList, childQuantityList).
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { toDigitalLink } from "@pedigree/gs1";
import { isoDateFromYyyymmdd, isoTimestamp } from "./dates.ts";
import {
  shipmentRefText,
  type BatchRef,
  type LedgerEvent,
  type LedgerEventBase,
  type PackDecommissionedEvent,
  type ShipmentCancelledEvent,
} from "./events.ts";
import type { PackStateName, QuarantineOutcomeName } from "./enums.ts";
import type { Hex, Party } from "./types.ts";

export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
/** Default IRI of the `pedigree:` extension prefix; a deployment may set its own (an HTTP namespace it controls). */
export const PEDIGREE_EPCIS_NAMESPACE = "urn:pedigree:epcis:";
/** Namespace of the name-based (v5) UUIDs of event ids: uuidV5(URL namespace, "urn:pedigree:epcis-event"). */
export const EPCIS_EVENT_ID_NAMESPACE = "b038df83-02f0-599c-b33f-c1bb3e546a98";

type Action = "ADD" | "OBSERVE" | "DELETE";
type Extension = `pedigree:${string}`;
type QuantityElement = { epcClass: string; quantity?: number };
type PartyEntryType = "owning_party" | "possessing_party" | "location";

/** What every EPCIS event of this mapping carries, whatever its type. */
interface EpcisEventCommon {
  eventID: string;
  eventTime: string;
  eventTimeZoneOffset: string;
  action: Action;
  bizStep: string;
  disposition: string;
  readPoint?: { id: string };
  bizLocation?: { id: string };
  bizTransactionList?: { type: string; bizTransaction: string }[];
  sourceList?: { type: PartyEntryType; source: string }[];
  destinationList?: { type: PartyEntryType; destination: string }[];
  [extension: Extension]: string | number;
}

export interface EpcisObjectEvent extends EpcisEventCommon {
  type: "ObjectEvent";
  epcList?: string[];
  quantityList?: QuantityElement[];
  persistentDisposition?: { set?: string[]; unset?: string[] };
  ilmd?: Record<string, string>;
}

/** Children put into (ADD) or taken out of (DELETE) a logistic unit: packs and inner units. */
export interface EpcisAggregationEvent extends EpcisEventCommon {
  type: "AggregationEvent";
  parentID: string;
  /** Inner units' SSCCs and the packs named by serial. */
  childEPCs?: string[];
  /** Packs not named, counted per batch class. */
  childQuantityList?: QuantityElement[];
}

export type EpcisEvent = EpcisObjectEvent | EpcisAggregationEvent;

export interface EpcisDocument {
  "@context": [typeof EPCIS_CONTEXT, { pedigree: string }];
  type: "EPCISDocument";
  schemaVersion: "2.0";
  creationDate: string;
  epcisBody: { eventList: EpcisEvent[] };
}

export interface EpcisDocumentOptions {
  /** When the document is made; default now. */
  creationDate?: Date | string;
  /** IRI of the `pedigree:` extension prefix; default PEDIGREE_EPCIS_NAMESPACE. */
  namespace?: string;
}

// ---------------------------------------------------------------- the package-level ledger's events

/** Where an event sits on the chain, without a batch: the package ledger's unit and shipment events name none. */
export type ChainPosition = Omit<LedgerEventBase, "batch">;

/** A pack the package-level ledger names: its batch and its index in the batch's serial list. */
export interface CustodyPack {
  batch: BatchRef;
  index: number;
  /** Its serial, when the reader of the export may see it; without it the pack counts as one unit of its batch. */
  serial?: string;
  /** The unit that directly contained the pack when the event took it (PackRef.unit), when it was inside one. */
  within?: string;
}

/** What a step lists: logistic units by SSCC (18 digits), and packs. */
export interface CustodyItems {
  units: readonly string[];
  packs: readonly CustodyPack[];
}

/** packRange: a new unit holding packs of a batch's range [firstIndex, firstIndex + count). */
export interface UnitPackedEvent extends ChainPosition {
  eventName: "UnitPacked";
  sscc: string;
  by: Party;
  batch: BatchRef;
  firstIndex: number;
  count: number;
  /**
   * The packs the range put in the unit: its indexes but those that had moved or been
   * decommissioned before (they stay where they are), as the read model resolves them.
   */
  packs: readonly CustodyPack[];
}

/** aggregate (ADD) or disaggregate (DELETE). */
export interface UnitAggregatedEvent extends ChainPosition {
  eventName: "UnitAggregated";
  sscc: string;
  action: "ADD" | "DELETE";
  by: Party;
  items: CustodyItems;
}

export interface ShipmentShippedEvent extends ChainPosition {
  eventName: "ShipmentShipped";
  shipmentId: Hex;
  from: Party;
  to: Party;
  shipmentRef: Hex;
  /** The top-level units shipped (each with all inside it) and the loose packs. */
  items: CustodyItems;
}

/** One settlement by the recipient: what joined its custody, and what it refused (back to the sender). */
export interface ShipmentReceivedEvent extends ChainPosition {
  eventName: "ShipmentReceived";
  shipmentId: Hex;
  /** The recipient. */
  by: Party;
  /** The shipment's sender (ShipmentShipped's `by`; the settlement itself does not name it). */
  from: Party;
  received: CustodyItems;
  rejected: CustodyItems;
  /** Why the rejected items were refused (empty when none were). */
  reason: string;
}

/** The sender withdrew items it had shipped (the package ledger's ShipmentCancelled). */
export interface ItemsShipmentCancelledEvent extends ChainPosition {
  eventName: "ShipmentCancelled";
  shipmentId: Hex;
  by: Party;
  /** The shipment's recipient. */
  to: Party;
  items: CustodyItems;
}

export interface ItemsQuarantinedEvent extends ChainPosition {
  eventName: "ItemsQuarantined";
  by: Party;
  items: CustodyItems;
  reason: string;
}

export interface ItemsQuarantineEndedEvent extends ChainPosition {
  eventName: "ItemsQuarantineEnded";
  by: Party;
  outcome: QuarantineOutcomeName;
  items: CustodyItems;
  reason: string;
}

export interface BatchQuarantinedEvent extends LedgerEventBase {
  eventName: "BatchQuarantined";
  by: Party;
  reason: string;
}

export interface BatchQuarantineEndedEvent extends LedgerEventBase {
  eventName: "BatchQuarantineEnded";
  by: Party;
  outcome: QuarantineOutcomeName;
  reason: string;
}

/** A pack decommissioned by its holder; on the package ledger it may be taken out of the unit it was in. */
export interface PackDecommissionedInUnitEvent extends PackDecommissionedEvent {
  /** The unit that directly contained the pack (the read model knows it; the chain event does not say). */
  within?: string;
}

/**
 * The package-level ledger's events that the count ledger does not have (or has in another
 * shape). Its registrations, recalls, suspensions, reactivations are the LedgerEvents of the same
 * names.
 */
export type PackageLedgerEvent =
  | UnitPackedEvent
  | UnitAggregatedEvent
  | ShipmentShippedEvent
  | ShipmentReceivedEvent
  | ItemsShipmentCancelledEvent
  | ItemsQuarantinedEvent
  | ItemsQuarantineEndedEvent
  | BatchQuarantinedEvent
  | BatchQuarantineEndedEvent
  | PackDecommissionedInUnitEvent;

/** Any event either ledger emits, as the EPCIS mapping takes it. */
export type CustodyEvent = LedgerEvent | PackageLedgerEvent;

/**
 * The CBV business steps each package-ledger event can map to (some map to several: a settlement
 * to its receiving and its refusal, a step taking packs out of units to an unpacking first). A
 * query by bizStep selects its candidate events with this; test/epcis.test.ts keeps it true.
 */
export const PACKAGE_EVENT_BIZ_STEPS: Readonly<Record<string, readonly string[]>> = {
  UnitPacked: ["packing"],
  UnitAggregated: ["packing", "unpacking"],
  ShipmentShipped: ["shipping"],
  ShipmentReceived: ["receiving"],
  ShipmentCancelled: ["void_shipping"],
  ItemsQuarantined: ["holding"],
  ItemsQuarantineEnded: ["inspecting", "destroying"],
  BatchQuarantined: ["holding"],
  BatchQuarantineEnded: ["inspecting", "holding"],
  PackDecommissioned: ["unpacking"],
};

// ---------------------------------------------------------------- CBV choices

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

/**
 * Quarantine of suspect product (DSCSA) and its end. CBV 2.0 defines `holding` as "an object is
 * segregated for further review" (its example: a distributor moves pharmaceutical product it cannot
 * trust to a quarantine area), and `non_sellable_other` as "Object cannot be sold to a customer"
 * (example: "A product is not sellable pending further evaluation"). `no_pedigree_match` is narrower
 * (no pedigree match was found in validating it), and a quarantine here needs no such finding. The
 * disposition is persistent: it holds until the quarantine ends.
 *
 * Cleared: `inspecting` ("reviewing objects to address potential physical or documentation
 * defects"; inspected objects "remain viable"), disposition `conformant` ("Outcome of a
 * successful/passed inspection in an inspecting ... step"), the hold lifted. Illegitimate: the
 * ledger destroys the items (and a batch is recalled for good).
 */
const QUARANTINE = { bizStep: "holding", disposition: "non_sellable_other" } as const;
const CLEARED = { bizStep: "inspecting", disposition: "conformant" } as const;

// ---------------------------------------------------------------- documents

/** The EPCIS document of `events`, in the order given (chain order is the natural one). */
export function toEpcisDocument(events: readonly CustodyEvent[], options: EpcisDocumentOptions = {}): EpcisDocument {
  return epcisDocumentOf(events.flatMap(toEpcisEvents), options);
}

/** An EPCIS document of events already mapped (for documents that pick among an event's EPCIS events). */
export function epcisDocumentOf(eventList: EpcisEvent[], options: EpcisDocumentOptions = {}): EpcisDocument {
  const creationDate = options.creationDate ?? new Date();
  const created = creationDate instanceof Date ? creationDate : new Date(creationDate);
  if (Number.isNaN(created.getTime())) throw new RangeError(`creationDate ${String(creationDate)} is not a date`);
  return {
    "@context": [EPCIS_CONTEXT, { pedigree: options.namespace ?? PEDIGREE_EPCIS_NAMESPACE }],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: created.toISOString(),
    epcisBody: { eventList },
  };
}

// ---------------------------------------------------------------- the count ledger's events

/** One count-ledger event as an EPCIS ObjectEvent (for a document's eventList). */
export function toEpcisEvent(event: LedgerEvent): EpcisObjectEvent {
  const batchClass = batchClassOf(event.batch);
  const classOf = (quantity?: number) => ({
    quantityList: [quantity === undefined ? { epcClass: batchClass } : { epcClass: batchClass, quantity }],
  });
  const head = headOf(event);
  const chain = { ...chainFields(event), "pedigree:batchId": event.batch.batchId };
  const parties = (from: Party, to: Party) => transfer(from, to, event.chainId);

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
    case "UnitsShipped":
      return {
        ...head,
        ...classOf(event.quantity),
        action: "OBSERVE",
        bizStep: "shipping",
        disposition: "in_transit",
        ...at(event.from, false),
        ...despatchAdvice(event.from, event.shipmentRef),
        ...parties(event.from, event.to),
        ...chain,
        "pedigree:shipmentId": event.shipmentId,
      };
    case "UnitsReceived":
      return {
        ...head,
        ...classOf(event.quantity),
        ...RECEIVED,
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
        ...REFUSED,
        ...at(event.by, false),
        ...parties(event.from, event.by),
        ...chain,
        "pedigree:shipmentId": event.shipmentId,
        "pedigree:reason": event.reason,
      };
    case "ShipmentCancelled":
      return {
        ...head,
        ...classOf(event.quantity),
        ...VOIDED,
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
        ...packOrClass(event.batch, event.serial),
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
        ...packOrClass(event.batch, event.serial),
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

/** Goods received into the recipient's stock. */
const RECEIVED = { action: "OBSERVE", bizStep: "receiving", disposition: "in_progress" } as const;
/**
 * Goods the recipient refused. CBV 2.0 has no step of its own for a refused delivery: `receiving`
 * is the step the recipient was carrying out (it "indicates that an object is being received at a
 * location"), and `returned` is the disposition CBV gives an object that "has been sent or brought
 * back for various reasons" (its business steps include `receiving`). `void_shipping` does not fit:
 * it is the sender "declaring that one or more objects in a prior outbound process ... were not
 * shipped", and these were. The refused goods do not stay at the recipient: no bizLocation.
 */
const REFUSED = { action: "OBSERVE", bizStep: "receiving", disposition: "returned" } as const;
/** The sender withdraws a shipment (CBV void_shipping); the goods are back in its stock. */
const VOIDED = { action: "OBSERVE", bizStep: "void_shipping", disposition: "in_progress" } as const;

// ---------------------------------------------------------------- both ledgers' events

/**
 * The EPCIS events of one event of either ledger, in the order they happened: usually one; a
 * settlement that both received and refused items gives two (receiving, then the refusal); a step
 * that took packs out of the units they were in gives the unpacking of each unit first.
 */
export function toEpcisEvents(event: CustodyEvent): EpcisEvent[] {
  switch (event.eventName) {
    case "UnitPacked":
      return [
        aggregation(event, {
          parent: event.sscc,
          children: { units: [], packs: event.packs },
          action: "ADD",
          bizStep: "packing",
          by: event.by,
          extensions: {
            "pedigree:batchId": event.batch.batchId,
            "pedigree:firstIndex": event.firstIndex,
            "pedigree:count": event.count,
          },
        }),
      ];
    case "UnitAggregated":
      if (event.action === "DELETE") {
        return [
          aggregation(event, {
            parent: event.sscc,
            children: event.items,
            action: "DELETE",
            bizStep: "unpacking",
            by: event.by,
          }),
        ];
      }
      return [
        ...takenOut(event, event.by, event.items.packs, event.sscc),
        aggregation(event, {
          parent: event.sscc,
          children: event.items,
          action: "ADD",
          bizStep: "packing",
          by: event.by,
        }),
      ];
    case "ShipmentShipped":
      return [
        {
          ...headOf(event),
          ...itemList(event.items),
          action: "OBSERVE",
          bizStep: "shipping",
          disposition: "in_transit",
          ...at(event.from, false),
          ...despatchAdvice(event.from, event.shipmentRef),
          ...transfer(event.from, event.to, event.chainId),
          ...chainFields(event),
          "pedigree:shipmentId": event.shipmentId,
        },
      ];
    case "ShipmentReceived": {
      const parties = transfer(event.from, event.by, event.chainId);
      const out: EpcisObjectEvent[] = [];
      if (listsAnything(event.received)) {
        out.push({
          ...headOf(event),
          ...itemList(event.received),
          ...RECEIVED,
          ...at(event.by, true),
          ...parties,
          ...chainFields(event),
          "pedigree:shipmentId": event.shipmentId,
        });
      }
      if (listsAnything(event.rejected)) {
        out.push({
          ...headOf(event, "rejected"),
          ...itemList(event.rejected),
          ...REFUSED,
          ...at(event.by, false),
          ...parties,
          ...chainFields(event),
          "pedigree:shipmentId": event.shipmentId,
          "pedigree:reason": event.reason,
        });
      }
      return out;
    }
    case "ShipmentCancelled":
      if (!isItemsCancellation(event)) return [toEpcisEvent(event)];
      return [
        {
          ...headOf(event),
          ...itemList(event.items),
          ...VOIDED,
          ...at(event.by, true),
          ...transfer(event.by, event.to, event.chainId),
          ...chainFields(event),
          "pedigree:shipmentId": event.shipmentId,
        },
      ];
    case "ItemsQuarantined":
      return [
        {
          ...headOf(event),
          ...itemList(event.items),
          action: "OBSERVE",
          ...QUARANTINE,
          persistentDisposition: { set: [QUARANTINE.disposition] },
          ...at(event.by, false),
          ...chainFields(event),
          "pedigree:reason": event.reason,
        },
      ];
    case "ItemsQuarantineEnded":
      return [
        {
          ...headOf(event),
          ...itemList(event.items),
          ...(event.outcome === "CLEARED"
            ? { action: "OBSERVE", ...CLEARED, persistentDisposition: { unset: [QUARANTINE.disposition] } }
            : PACK_STATE_EPCIS.DESTROYED),
          ...at(event.by, false),
          ...chainFields(event),
          "pedigree:outcome": event.outcome,
          "pedigree:reason": event.reason,
        },
      ];
    case "BatchQuarantined":
      return [
        {
          ...headOf(event),
          quantityList: [{ epcClass: batchClassOf(event.batch) }],
          action: "OBSERVE",
          ...QUARANTINE,
          persistentDisposition: { set: [QUARANTINE.disposition] },
          ...at(event.by, false),
          ...chainFields(event),
          "pedigree:batchId": event.batch.batchId,
          "pedigree:reason": event.reason,
        },
      ];
    case "BatchQuarantineEnded":
      return [
        {
          ...headOf(event),
          quantityList: [{ epcClass: batchClassOf(event.batch) }],
          action: "OBSERVE",
          // Illegitimate: the ledger recalls the batch for good (as BatchRecalled maps).
          ...(event.outcome === "CLEARED"
            ? { ...CLEARED, persistentDisposition: { unset: [QUARANTINE.disposition] } }
            : {
                bizStep: "holding",
                disposition: "recalled",
                persistentDisposition: { set: ["recalled"], unset: [QUARANTINE.disposition] },
              }),
          ...at(event.by, false),
          ...chainFields(event),
          "pedigree:batchId": event.batch.batchId,
          "pedigree:outcome": event.outcome,
          "pedigree:reason": event.reason,
        },
      ];
    case "PackDecommissioned": {
      const within = "within" in event ? event.within : undefined;
      const decommissioned = toEpcisEvent(event);
      if (within === undefined) return [decommissioned];
      const pack = {
        batch: event.batch,
        index: event.index,
        within,
        ...(event.serial === undefined ? {} : { serial: event.serial }),
      };
      return [...takenOut(event, event.by, [pack]), decommissioned];
    }
    default:
      return [toEpcisEvent(event)];
  }
}

function isItemsCancellation(
  event: ShipmentCancelledEvent | ItemsShipmentCancelledEvent,
): event is ItemsShipmentCancelledEvent {
  return "items" in event;
}

/**
 * The unpacking implied by a step that took packs out of the units they were in without a
 * disaggregation of its own (aggregating a pack held inside a case into another unit,
 * decommissioning a pack inside a case): one AggregationEvent DELETE per unit, before the step's
 * own event, so a reader that follows the aggregation events knows the pack left the unit. Its id
 * is the step's, qualified by the unit.
 */
function takenOut(
  event: ChainPosition,
  by: Party,
  packs: readonly CustodyPack[],
  into?: string,
): EpcisAggregationEvent[] {
  const byUnit = new Map<string, CustodyPack[]>();
  for (const pack of packs) {
    if (pack.within === undefined || pack.within === into) continue;
    byUnit.set(pack.within, [...(byUnit.get(pack.within) ?? []), pack]);
  }
  return [...byUnit].map(([unit, children]) =>
    aggregation(event, {
      parent: unit,
      children: { units: [], packs: children },
      action: "DELETE",
      bizStep: "unpacking",
      by,
      part: `unpacking:${unit}`,
    }),
  );
}

/**
 * A packing (ADD) or unpacking (DELETE) AggregationEvent. CBV 2.0's `packing` is "putting objects
 * into a larger container - usually for shipping. Aggregation of one unit to another typically
 * occurs at this point"; `unpacking` "removing products ... from a larger container ...
 * Disaggregation of one unit from another typically occurs at this point". The goods stay at the
 * acting party's. No `completeness_verified`: a disaggregation here may take out only some children.
 */
function aggregation(
  event: ChainPosition,
  step: {
    parent: string;
    children: CustodyItems;
    action: "ADD" | "DELETE";
    bizStep: "packing" | "unpacking";
    by: Party;
    part?: string;
    extensions?: Record<Extension, string | number>;
  },
): EpcisAggregationEvent {
  const { epcs, classes } = identifiersOf(step.children);
  return {
    type: "AggregationEvent",
    eventID: epcisEventId(event.chainId, event.transactionHash, event.logIndex, step.part),
    eventTime: isoTimestamp(event.timestamp),
    eventTimeZoneOffset: "+00:00",
    parentID: ssccUri(step.parent),
    ...(epcs.length === 0 ? {} : { childEPCs: epcs }),
    ...(classes.length === 0 ? {} : { childQuantityList: classes }),
    action: step.action,
    bizStep: step.bizStep,
    disposition: "in_progress",
    ...at(step.by, true),
    ...chainFields(event),
    ...step.extensions,
  };
}

// ---------------------------------------------------------------- shared pieces

function headOf(event: ChainPosition, part?: string) {
  return {
    type: "ObjectEvent" as const,
    eventID: epcisEventId(event.chainId, event.transactionHash, event.logIndex, part),
    eventTime: isoTimestamp(event.timestamp),
    eventTimeZoneOffset: "+00:00",
  };
}

function chainFields(event: ChainPosition) {
  return {
    "pedigree:chainId": event.chainId,
    "pedigree:blockNumber": event.blockNumber,
    "pedigree:transactionHash": event.transactionHash,
    "pedigree:logIndex": event.logIndex,
  };
}

/** Source and destination of a transfer: the parties owning and possessing the goods at either end. */
function transfer(from: Party, to: Party, chainId: number) {
  return {
    sourceList: [
      { type: "owning_party" as const, source: partyUri(from, chainId) },
      { type: "possessing_party" as const, source: partyUri(from, chainId) },
    ],
    destinationList: [
      { type: "owning_party" as const, destination: partyUri(to, chainId) },
      { type: "possessing_party" as const, destination: partyUri(to, chainId) },
    ],
  };
}

/** The shipment's reference as a despatch advice (CBV bizTransaction type desadv), when the sender has a GLN. */
function despatchAdvice(
  sender: Party,
  shipmentRef: Hex,
): { bizTransactionList?: { type: string; bizTransaction: string }[] } {
  const reference = bizTransaction(sender, shipmentRef);
  return reference === undefined ? {} : { bizTransactionList: [{ type: "desadv", bizTransaction: reference }] };
}

function batchClassOf(batch: BatchRef): string {
  return toDigitalLink({ gtin: batch.gtin, lot: batch.lot });
}

function ssccUri(sscc: string): string {
  return toDigitalLink({ sscc });
}

function listsAnything(items: CustodyItems): boolean {
  return items.units.length + items.packs.length > 0;
}

/** Units by SSCC and packs by SGTIN where named; the other packs counted per batch class. */
function identifiersOf(items: CustodyItems): { epcs: string[]; classes: QuantityElement[] } {
  const epcs = items.units.map(ssccUri);
  const counts = new Map<string, number>();
  for (const pack of items.packs) {
    if (pack.serial !== undefined) epcs.push(toDigitalLink({ gtin: pack.batch.gtin, serial: pack.serial }));
    else {
      const epcClass = batchClassOf(pack.batch);
      counts.set(epcClass, (counts.get(epcClass) ?? 0) + 1);
    }
  }
  return { epcs, classes: [...counts].map(([epcClass, quantity]) => ({ epcClass, quantity })) };
}

/** An ObjectEvent's what: epcList and quantityList, each only when it lists something. */
function itemList(items: CustodyItems): { epcList?: string[]; quantityList?: QuantityElement[] } {
  const { epcs, classes } = identifiersOf(items);
  if (epcs.length + classes.length === 0) throw new RangeError("An EPCIS ObjectEvent must list a unit or a pack");
  return {
    ...(epcs.length === 0 ? {} : { epcList: epcs }),
    ...(classes.length === 0 ? {} : { quantityList: classes }),
  };
}

/**
 * The event's id: `urn:uuid:` + a name-based UUID (version 5, SHA-1, RFC 9562) of
 * `eip155:<chainId>:<transaction hash in lower case>:<log index>` in EPCIS_EVENT_ID_NAMESPACE, so
 * the same chain event always gets the same id, whoever exports it. A chain event that maps to
 * several EPCIS events names the others by a `part` (`...:<log index>#<part>`).
 */
export function epcisEventId(chainId: number, transactionHash: Hex, logIndex: number, part?: string): string {
  const name = `eip155:${chainId}:${transactionHash.toLowerCase()}:${logIndex}${part === undefined ? "" : `#${part}`}`;
  return `urn:uuid:${uuidV5(EPCIS_EVENT_ID_NAMESPACE, name)}`;
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

/** The parties an event names (source, destination, acting party), for master data and headers. */
export function partiesOfEvent(event: CustodyEvent): Party[] {
  switch (event.eventName) {
    case "BatchRegistered":
      return [event.manufacturer];
    case "UnitsShipped":
    case "ShipmentShipped":
      return [event.from, event.to];
    case "UnitsReceived":
    case "UnitsRejected":
    case "ShipmentReceived":
      return [event.from, event.by];
    case "ShipmentCancelled":
      return [event.by, event.to];
    default:
      return [event.by];
  }
}

/** The GTINs an event is about (its batch's, or those of the packs it lists), for product master data. */
export function gtinsOfEvent(event: CustodyEvent): string[] {
  const packs: readonly CustodyPack[] =
    event.eventName === "ShipmentReceived"
      ? [...event.received.packs, ...event.rejected.packs]
      : "items" in event
        ? event.items.packs
        : event.eventName === "UnitPacked"
          ? event.packs
          : [];
  const gtins = new Set(packs.map((pack) => pack.batch.gtin));
  if ("batch" in event) gtins.add(event.batch.gtin);
  return [...gtins];
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
  batch: BatchRef,
  serial: string | undefined,
): { epcList: string[] } | { quantityList: QuantityElement[] } {
  return serial === undefined
    ? { quantityList: [{ epcClass: batchClassOf(batch), quantity: 1 }] }
    : { epcList: [toDigitalLink({ gtin: batch.gtin, serial })] };
}

/** CBV business transaction id of a shipment: urn:epcglobal:cbv:bt:<sender GLN>:<reference>. */
function bizTransaction(sender: Party, shipmentRef: Hex): string | undefined {
  if (sender.gln === undefined) return undefined;
  return `urn:epcglobal:cbv:bt:${sender.gln}:${encodeURIComponent(shipmentRefText(shipmentRef))}`;
}
