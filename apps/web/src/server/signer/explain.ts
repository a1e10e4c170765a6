/**
 * A ledger refusal in plain words, naming the parties and batches it is about as the read model
 * knows them (explainLedgerError with a lookup filled from the addresses and ids in the error).
 */
import { eq, inArray } from "drizzle-orm";
import {
  decodeLedgerError,
  explainLedgerError,
  type LedgerErrorExplanation,
  type LedgerErrorLookup,
} from "@pedigree/ledger";
import type { AppContext } from "../context.ts";
import { batches, participants, products } from "../db/schema.ts";

export async function explainWithNames(ctx: AppContext, error: unknown): Promise<LedgerErrorExplanation> {
  const decoded = decodeLedgerError(error);
  const addresses = new Set<string>();
  const ids = new Set<string>();
  for (const arg of decoded?.args ?? []) {
    if (typeof arg !== "string") continue;
    if (/^0x[0-9a-fA-F]{40}$/.test(arg)) addresses.add(arg.toLowerCase());
    if (/^0x[0-9a-fA-F]{64}$/.test(arg)) ids.add(arg.toLowerCase());
  }
  const lookup: LedgerErrorLookup = {};
  try {
    if (addresses.size > 0) {
      const rows = await ctx.db
        .select({ address: participants.address, name: participants.legalName, gln: participants.gln })
        .from(participants)
        .where(inArray(participants.address, [...addresses]));
      const names = new Map(rows.map((row) => [row.address, { name: row.name, gln: row.gln }]));
      lookup.party = (address) => names.get(address.toLowerCase());
    }
    if (ids.size > 0) {
      const rows = await ctx.db
        .select({ batchId: batches.batchId, gtin: batches.gtin, lot: batches.lot, productName: products.name })
        .from(batches)
        .leftJoin(products, eq(products.gtin, batches.gtin))
        .where(inArray(batches.batchId, [...ids]));
      const found = new Map(
        rows.map((row) => [
          row.batchId.toLowerCase(),
          { gtin: row.gtin, lot: row.lot, ...(row.productName === null ? {} : { productName: row.productName }) },
        ]),
      );
      lookup.batch = (batchId) => found.get(batchId.toLowerCase());
    }
  } catch {
    // Names are a courtesy: without the read model the message names accounts and ids instead.
  }
  return explainLedgerError(error, lookup);
}

/**
 * Whether an explanation is the ledger's refusal (its rules said no) rather than a failure to
 * reach it or pay for it: refusals are final for that state of the ledger, the others are waited out.
 */
export function isRefusal(code: string): boolean {
  if (["REVERTED_WITH_REASON", "PANIC", "REVERTED_WITHOUT_REASON", "UNKNOWN_REVERT"].includes(code)) return true;
  // The contract's own error names (PedigreeInsufficientUnits, EnforcedPause, AccessControl...).
  return /^[A-Z][a-z]/.test(code);
}
