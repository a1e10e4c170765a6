"use client";
/**
 * Who the connected account is on the ledger: its participant record (role, name, suspended) and
 * whether it holds the admin role. Read from the chain itself, so it is right even before the
 * indexer has caught up.
 */
import { roleName, pedigreeLedgerAbi, type RoleName } from "@pedigree/ledger";
import { zeroAddress, type Address } from "viem";
import { useConnection, useReadContracts } from "wagmi";
import { useLedgerSettings } from "./ledger-context.tsx";

export type PartyRole = Exclude<RoleName, "NONE"> | "ADMIN";

export interface Party {
  address: Address | undefined;
  status: "disconnected" | "loading" | "ready" | "error";
  /** The participant role, or ADMIN for the administrator, or null for an unknown account. */
  role: PartyRole | null;
  name: string | null;
  gln: string | null;
  suspended: boolean;
  isAdmin: boolean;
  paused: boolean;
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

export function useParty(): Party {
  const { ledgerAddress } = useLedgerSettings();
  const { address, isConnected } = useConnection();
  const contract = { address: ledgerAddress, abi: pedigreeLedgerAbi } as const;
  const reads = useReadContracts({
    contracts: [
      { ...contract, functionName: "participant", args: [address ?? zeroAddress] },
      { ...contract, functionName: "defaultAdmin" },
      { ...contract, functionName: "paused" },
    ],
    allowFailure: false,
    query: { enabled: Boolean(address), refetchInterval: 10_000 },
  });
  const empty = { role: null, name: null, gln: null, suspended: false, isAdmin: false, paused: false };
  if (!isConnected || !address) return { address: undefined, status: "disconnected", ...empty };
  if (reads.isError) return { address, status: "error", ...empty };
  if (!reads.data) return { address, status: "loading", ...empty };
  const [participant, admin, paused] = reads.data;
  const participantRole = roleName(participant.role);
  const isAdmin = admin.toLowerCase() === address.toLowerCase();
  const role: PartyRole | null = participantRole !== "NONE" ? participantRole : isAdmin ? "ADMIN" : null;
  return {
    address,
    status: "ready",
    role,
    name: participant.legalName || (isAdmin ? "Administrator" : null),
    gln: participant.gln ? participant.gln.toString().padStart(13, "0") : null,
    suspended: participant.suspended,
    isAdmin,
    paused,
  };
}
