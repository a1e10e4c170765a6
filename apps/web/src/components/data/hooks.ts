"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Address, Hex } from "viem";
import type { LedgerErrorLookup } from "@pedigree/ledger";
import { api } from "@/lib/client-api.ts";
import type { ParticipantView, StockLine } from "@/lib/api/read.ts";

/** Reads refresh on their own: the indexer follows the chain a block or two behind. */
const LIVE = { refetchInterval: 5_000 } as const;

export function useParticipants() {
  return useQuery({ queryKey: ["participants"], queryFn: api.participants, staleTime: 30_000 });
}

export function usePartyData(address: string | undefined) {
  return useQuery({
    queryKey: ["party", address?.toLowerCase()],
    queryFn: () => api.party(address!),
    enabled: Boolean(address),
    ...LIVE,
  });
}

export function useProducts(manufacturer?: string) {
  return useQuery({
    queryKey: ["products", manufacturer?.toLowerCase() ?? "all"],
    queryFn: () => api.products(manufacturer),
  });
}

export function participantMap(participants: readonly ParticipantView[] | undefined): Map<string, ParticipantView> {
  return new Map((participants ?? []).map((p) => [p.address.toLowerCase(), p]));
}

/** What the error explainer needs to name parties and batches (from what the page has loaded). */
export function useErrorLookup(stock: readonly StockLine[] = []): LedgerErrorLookup {
  const participants = useParticipants();
  return useMemo(() => {
    const byAddress = participantMap(participants.data?.participants);
    const byBatch = new Map(stock.map((line) => [line.batchId.toLowerCase(), line]));
    return {
      party: (address: Address) => {
        const p = byAddress.get(address.toLowerCase());
        return p ? { name: p.name, gln: p.gln } : undefined;
      },
      batch: (batchId: Hex) => {
        const line = byBatch.get(batchId.toLowerCase());
        return line ? { gtin: line.gtin, lot: line.lot, productName: line.productName ?? undefined } : undefined;
      },
    };
  }, [participants.data, stock]);
}
