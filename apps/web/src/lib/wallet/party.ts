/**
 * Who an account is on the ledger, as the dashboard shows it: one derivation from the ledger's
 * records, used by the browser (its own chain reads, lib/wallet/use-party.ts) and by the server
 * (the signed-in session's party, rendered into the first page: server/auth/page-session.ts).
 */
import type { RoleName } from "@pedigree/ledger";
import type { Address } from "viem";

export type PartyRole = Exclude<RoleName, "NONE"> | "ADMIN";

/** The account's records, everything the dashboard derives its party from. */
export interface PartyRecord {
  address: Address;
  /** The participant role, or null for an address the ledger does not know as a participant. */
  role: PartyRole | null;
  name: string | null;
  gln: string | null;
  suspended: boolean;
  isAdmin: boolean;
  paused: boolean;
}

export interface Party extends Omit<PartyRecord, "address"> {
  address: Address | undefined;
  status: "disconnected" | "loading" | "ready" | "error";
}

const HOMES: Record<PartyRole, string> = {
  MANUFACTURER: "/manufacturer",
  DISTRIBUTOR: "/stock",
  PHARMACY: "/counter",
  REGULATOR: "/auditor",
  ADMIN: "/admin",
};

export function homeOf(role: PartyRole | null): string {
  return role ? HOMES[role] : "/";
}

/**
 * The party from the ledger's answers: its participant record (role name, legal name, GLN of 13
 * digits or none, suspended), the default admin and the paused flag. The administrator holds no
 * participant role and reads as ADMIN.
 */
export function partyRecord(
  address: Address,
  participant: { role: RoleName; legalName: string; gln: string | null; suspended: boolean },
  admin: Address,
  paused: boolean,
): PartyRecord {
  const isAdmin = admin.toLowerCase() === address.toLowerCase();
  const role: PartyRole | null = participant.role !== "NONE" ? participant.role : isAdmin ? "ADMIN" : null;
  return {
    address,
    role,
    name: participant.legalName || (isAdmin ? "Administrator" : null),
    gln: participant.gln,
    suspended: participant.suspended,
    isAdmin,
    paused,
  };
}
