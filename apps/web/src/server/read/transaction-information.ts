/**
 * The DSCSA transaction information of one shipment of the package-level ledger (issue 13; FD&C
 * Act section 581(26)): for each product and lot, the product's name, strength and dosage form,
 * its GTIN, the lot, the expiry, the quantity, and each package's identifier (GTIN, serial, lot,
 * expiry); the sender and the recipient with their GLNs; the date of the transaction and of the
 * shipment; the shipment's reference. `GET /api/shipments/<id>/transaction-information` answers
 * it as JSON, and with `?format=csv` one row per package.
 *
 * Units are listed with the packs they held when shipped (./custody.ts `packsInUnitAt`), so a case
 * opened since still lists what it carried. Only the sender, the recipient and regulators read it.
 */
import { eq, inArray } from "drizzle-orm";
import { isoDateFromYyyymmdd, shipmentRefText } from "@pedigree/ledger";
import type { Hex } from "viem";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { batches, participants, products } from "../db/schema.ts";
import { serialsOfPacks } from "../manifests/store.ts";
import { seesEverything, type Viewer } from "./access.ts";
import { csvResponse, toCsv } from "./csv.ts";
import { shipmentContents, type ShipmentContents } from "./custody.ts";

export interface TradingParty {
  address: string;
  legalName: string | null;
  gln: string | null;
}

export interface TransactionPackage {
  serial: string | null;
  /** The pack's index in its batch's serial list. */
  index: number;
  /** The logistic unit it travelled in (the one shipped), or null when shipped loose. */
  sscc: string | null;
  /** RECEIVED, REJECTED, CANCELLED, PENDING: what became of the unit or pack it was shipped as. */
  status: string;
}

export interface TransactionLine {
  gtin: string;
  productName: string | null;
  strength: string | null;
  dosageForm: string | null;
  lot: string;
  /** YYYY-MM-DD. */
  expiry: string;
  quantity: number;
  packages: TransactionPackage[];
}

export interface TransactionInformation {
  shipmentId: string;
  shipmentRef: string;
  /** ISO instant of the block that recorded the shipment: the transaction and shipment date. */
  shippedAt: string;
  transactionHash: string;
  sender: TradingParty;
  recipient: TradingParty;
  units: { sscc: string; packCount: number; status: string; reason: string | null }[];
  lines: TransactionLine[];
}

const SHIPMENT_ID = /^0x[0-9a-f]{64}$/;

/**
 * The shipment at `rawShipmentId` with what it carried, for its sender, its recipient and
 * regulators: 400 for a malformed id, and the same 404 for a shipment that does not exist and one
 * that is not the viewer's. Every per-shipment document (this one, ./shipment-epcis.ts) reads it so.
 */
export async function visibleShipment(ctx: AppContext, viewer: Viewer, rawShipmentId: string) {
  const shipmentId = rawShipmentId.toLowerCase();
  if (!SHIPMENT_ID.test(shipmentId)) {
    throw new ApiError(
      400,
      "INVALID_SHIPMENT_ID",
      "A shipment id is 0x and 64 hexadecimal digits, as the ledger gives it.",
    );
  }
  const contents = await shipmentContents(ctx.db, shipmentId);
  const me = viewer.address.toLowerCase();
  // Whether it exists is itself trading data: anyone but its parties hears the same 404.
  if (contents === undefined || (!seesEverything(viewer) && contents.sender !== me && contents.recipient !== me)) {
    throw new ApiError(404, "UNKNOWN_SHIPMENT", `No shipment ${shipmentId} of yours is on the ledger.`);
  }
  return contents;
}

export async function transactionInformation(
  ctx: AppContext,
  viewer: Viewer,
  rawShipmentId: string,
): Promise<TransactionInformation> {
  return transactionInformationOf(ctx, await visibleShipment(ctx, viewer, rawShipmentId));
}

/** The transaction information of a shipment the caller has already found visible (`visibleShipment`). */
export async function transactionInformationOf(
  ctx: AppContext,
  contents: ShipmentContents,
): Promise<TransactionInformation> {
  const shipmentId = contents.shipmentId;
  const wanted = new Map<string, Set<number>>();
  for (const item of contents.items) {
    for (const pack of item.packs) wanted.set(pack.batchId, (wanted.get(pack.batchId) ?? new Set()).add(pack.index));
  }
  const batchIds = [...wanted.keys()];
  const batchRows =
    batchIds.length === 0 ? [] : await ctx.db.select().from(batches).where(inArray(batches.batchId, batchIds));
  const gtins = [...new Set(batchRows.map((row) => row.gtin))];
  const productRows =
    gtins.length === 0 ? [] : await ctx.db.select().from(products).where(inArray(products.gtin, gtins));
  const serials = await serialsOfPacks(ctx.db, wanted);
  const party = async (address: string): Promise<TradingParty> => {
    const [row] = await ctx.db.select().from(participants).where(eq(participants.address, address));
    return { address, legalName: row?.legalName ?? null, gln: row?.gln ?? null };
  };

  const lines = new Map<string, TransactionLine>();
  for (const item of contents.items) {
    for (const pack of item.packs) {
      let line = lines.get(pack.batchId);
      if (line === undefined) {
        const batch = batchRows.find((row) => row.batchId === pack.batchId);
        if (batch === undefined) throw new Error(`Shipment ${shipmentId} carries batch ${pack.batchId}, not indexed`);
        const product = productRows.find((row) => row.gtin === batch.gtin);
        line = {
          gtin: batch.gtin,
          productName: product?.name ?? null,
          strength: product?.strength ?? null,
          dosageForm: product?.dosageForm ?? null,
          lot: batch.lot,
          expiry: isoDateFromYyyymmdd(batch.expiry),
          quantity: 0,
          packages: [],
        };
        lines.set(pack.batchId, line);
      }
      line.quantity++;
      line.packages.push({
        serial: serials.get(`${pack.batchId}:${pack.index}`) ?? null,
        index: pack.index,
        sscc: item.sscc,
        status: item.status,
      });
    }
  }
  return {
    shipmentId,
    shipmentRef: shipmentRefText(contents.shipmentRef as Hex),
    shippedAt: new Date(contents.shippedAt * 1000).toISOString(),
    transactionHash: contents.shippedTx,
    sender: await party(contents.sender),
    recipient: await party(contents.recipient),
    units: contents.items
      .filter((item) => item.sscc !== null)
      .map((item) => ({ sscc: item.sscc!, packCount: item.packs.length, status: item.status, reason: item.reason })),
    lines: [...lines.values()].sort((a, b) => a.gtin.localeCompare(b.gtin) || a.lot.localeCompare(b.lot)),
  };
}

const CSV_HEADER = [
  "shipment_ref",
  "shipped_at",
  "sender_gln",
  "sender_name",
  "recipient_gln",
  "recipient_name",
  "gtin",
  "product_name",
  "strength",
  "dosage_form",
  "lot",
  "expiry",
  "serial",
  "sscc",
  "status",
  "transaction_hash",
];

/** The same, one CSV row per package. */
export function transactionInformationCsv(info: TransactionInformation): Response {
  const rows = info.lines.flatMap((line) =>
    line.packages.map((pack) => [
      info.shipmentRef,
      info.shippedAt,
      info.sender.gln,
      info.sender.legalName,
      info.recipient.gln,
      info.recipient.legalName,
      line.gtin,
      line.productName,
      line.strength,
      line.dosageForm,
      line.lot,
      line.expiry,
      pack.serial,
      pack.sscc,
      pack.status,
      info.transactionHash,
    ]),
  );
  return csvResponse(toCsv(CSV_HEADER, rows), `transaction-information-${info.shipmentRef}.csv`);
}
