/**
 * Parties as the read API shows them: an account resolved to its legal name, GLN and role from
 * the participants table, in one query for all the accounts an answer names.
 */
import { inArray } from "drizzle-orm";
import type { Address, Party } from "@pedigree/ledger";
import type { PartyView } from "../../lib/api-types.ts";
import type { Executor } from "../db/database.ts";
import { participants } from "../db/schema.ts";

export type PartyLookup = (address: string | null | undefined) => PartyView;

/** Loads the named accounts (one query) and returns a lookup; unknown accounts come back as `{ address }`. */
export async function loadParties(db: Executor, addresses: Iterable<string | null | undefined>): Promise<PartyLookup> {
  const wanted = new Set<string>();
  for (const address of addresses) if (address) wanted.add(address.toLowerCase());
  const rows =
    wanted.size === 0
      ? []
      : await db
          .select({
            address: participants.address,
            name: participants.legalName,
            gln: participants.gln,
            role: participants.role,
          })
          .from(participants)
          .where(inArray(participants.address, [...wanted]));
  const byAddress = new Map(rows.map((row) => [row.address, row]));
  return (address) => {
    const key = (address ?? "").toLowerCase();
    const row = byAddress.get(key);
    return row === undefined ? { address: key } : { address: key, name: row.name, gln: row.gln, role: row.role };
  };
}

/** A party's name for a sentence: the legal name, or a shortened account when the ledger has none. */
export function partyLabel(party: PartyView): string {
  if (party.name) return party.name;
  return party.address.length > 12 ? `${party.address.slice(0, 6)}…${party.address.slice(-4)}` : party.address;
}

/** A party as the EPCIS mapping (@pedigree/ledger) takes it: its account, and its name and GLN when known. */
export function ledgerPartyOf(view: PartyView): Party {
  return {
    address: view.address as Address,
    ...(view.name ? { name: view.name } : {}),
    ...(view.gln ? { gln: view.gln } : {}),
  };
}
