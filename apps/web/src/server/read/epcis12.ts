/**
 * The EPCIS 1.2 XML documents of the read API, with the GS1 US healthcare header, assembled one way
 * for every export: a batch's (./batch.ts) and a shipment's (./shipment-epcis.ts). The caller says
 * which events, who sends the document to whom and, for one transaction, its lots and whether the
 * seller's statement goes with it; this module reads the rest from the read model: the parties'
 * legal names and GLNs, the products' master data (name, strength, dosage form, manufacturer) and
 * the GS1 company prefixes the identifiers are split at.
 */
import { inArray } from "drizzle-orm";
import {
  toEpcis12Document,
  type CustodyEvent,
  type Epcis12Lot,
  type Epcis12Product,
  type EpcisEvent,
  type Party,
} from "@pedigree/ledger";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { companyPrefixes, products } from "../db/schema.ts";
import { ssccsOf } from "./custody-events.ts";
import { ledgerPartyOf, loadParties } from "./parties.ts";

export interface Epcis12Export {
  /** The ledger events the document is about (their parties name the Location master data). */
  events: readonly CustodyEvent[];
  /** The events to write, when chosen from the 2.0 mapping of `events`; default all of them. */
  eventList?: readonly EpcisEvent[];
  /** The SBDH sender's and receiver's accounts. */
  sender: string;
  receiver: string;
  /** The products the document names, for their EPCClass master data. */
  gtins: readonly string[];
  /** One transaction's lots (lot, expiry, quantity), as LGTIN master data. */
  lots?: readonly Epcis12Lot[];
  /** Write the seller's DSCSA transaction statement (only a document of one sale by its seller). */
  transactionStatement?: boolean;
}

export async function epcis12DocumentOf(ctx: AppContext, request: Epcis12Export): Promise<string> {
  const gtins = [...new Set(request.gtins)];
  const productRows =
    gtins.length === 0 ? [] : await ctx.db.select().from(products).where(inArray(products.gtin, gtins));
  const party = await loadParties(ctx.db, [
    request.sender,
    request.receiver,
    ...productRows.map((row) => row.manufacturer),
  ]);
  const sender = ledgerPartyOf(party(request.sender));
  const receiver = ledgerPartyOf(party(request.receiver));
  const productData = productRows.map((row): Epcis12Product => ({
    gtin: row.gtin,
    name: row.name,
    strength: row.strength,
    dosageForm: row.dosageForm,
    manufacturer: ledgerPartyOf(party(row.manufacturer)),
  }));
  return toEpcis12Document(request.events, {
    creationDate: ctx.now(),
    companyPrefixes: await companyPrefixesOf(ctx.db, [
      ...gtins.map((gtin) => gtin.slice(1, 13)),
      ...glnsOf(request.events, [sender, receiver]),
      // An SSCC's company prefix follows its extension digit.
      ...ssccsOf(request.events).map((sscc) => sscc.slice(1, 17)),
    ]),
    ...(request.eventList === undefined ? {} : { eventList: request.eventList }),
    header: {
      sender,
      receiver,
      products: productData,
      ...(request.lots === undefined ? {} : { lots: request.lots }),
      ...(request.transactionStatement === true ? { transactionStatement: {} } : {}),
    },
  });
}

/** The assigned GS1 company prefixes any of these keys (GTIN digits after the indicator, GLNs) may start with. */
async function companyPrefixesOf(db: Executor, keys: Iterable<string>): Promise<string[]> {
  const candidates = new Set<string>();
  for (const key of keys)
    for (let length = 6; length <= Math.min(12, key.length); length++) candidates.add(key.slice(0, length));
  if (candidates.size === 0) return [];
  const rows = await db
    .select({ prefix: companyPrefixes.prefix })
    .from(companyPrefixes)
    .where(inArray(companyPrefixes.prefix, [...candidates]));
  return rows.map((r) => r.prefix);
}

/** The GLNs of the header's parties and of every party the events name. */
function glnsOf(events: readonly CustodyEvent[], parties: readonly Party[]): string[] {
  const glns = new Set<string>(parties.flatMap((party) => (party.gln === undefined ? [] : [party.gln])));
  for (const event of events) {
    for (const value of Object.values(event)) {
      const gln = (value as Partial<Party> | null)?.gln;
      if (typeof gln === "string") glns.add(gln);
    }
  }
  return [...glns];
}
