"use client";
/**
 * Who the connected account is on the ledger: its participant record (role, name, suspended) and
 * whether it holds the admin role. Read from the chain itself, so it is right even before the
 * indexer has caught up.
 *
 * Until the browser's own reads answer, the party the server read for the signed-in session is
 * used when it is the connected account (the first page is rendered with it, so no page waits for
 * the wallet to reconnect, nor says anything about the account while it does), also while the
 * wallet is still reconnecting without an account yet. Once it has reconnected, the wallet's
 * account is the party (signed out when it did not reconnect). Staff signed in with a passkey have
 * no wallet: their organisation's party, as the server read it for the page, is theirs.
 */
import { roleName, pedigreeLedgerAbi } from "@pedigree/ledger";
import { zeroAddress } from "viem";
import { useConnection, useReadContracts } from "wagmi";
import { useLedgerSettings } from "./ledger-context.tsx";
import { usePageSession } from "./page-session.tsx";
import { partyRecord, type Party } from "./party.ts";

export { homeOf, type Party, type PartyRole } from "./party.ts";

export function useParty(): Party {
  const { ledgerAddress } = useLedgerSettings();
  const session = usePageSession();
  const { address, isConnected, status } = useConnection();
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
  if (!isConnected || !address) {
    // A staff member signed in with a passkey: the organisation's party, with no wallet at all.
    if (session?.staff !== undefined && session.party) return { ...session.party, status: "ready" };
    // Signed in to this server, the wallet still reconnecting: the session's party, not "signed out".
    // (wagmi's stored state may have lost the account when the last page was left mid-reconnect.)
    const settling = session !== null && (status === "reconnecting" || status === "connecting");
    if (settling && session.party) return { ...session.party, status: "ready" };
    return { address: undefined, status: settling ? "loading" : "disconnected", ...empty };
  }
  if (reads.isError) return { address, status: "error", ...empty };
  if (!reads.data) {
    const known = session?.party;
    if (known && known.address.toLowerCase() === address.toLowerCase()) return { ...known, address, status: "ready" };
    return { address, status: "loading", ...empty };
  }
  const [participant, admin, paused] = reads.data;
  return {
    ...partyRecord(
      address,
      {
        role: roleName(participant.role),
        legalName: participant.legalName,
        gln: participant.gln ? participant.gln.toString().padStart(13, "0") : null,
        suspended: participant.suspended,
      },
      admin,
      paused,
    ),
    status: "ready",
  };
}
