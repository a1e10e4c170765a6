"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Address, Hex } from "viem";
import type { LedgerErrorLookup } from "@pedigree/ledger";
import type { ParticipantView, StockLine } from "@/lib/api/read.ts";
import { browserReads } from "@/lib/read-queries.ts";

export function useParticipants() {
  return useQuery(browserReads.participants());
}

/** The latest pause or resumption of the ledger and its reason (`enabled`: only when it matters). */
export function useLedgerStatus(enabled = true) {
  return useQuery({ ...browserReads.ledger(), enabled });
}

export function usePartyData(address: string) {
  return useQuery(browserReads.party(address));
}

export function useProducts(manufacturer?: string) {
  return useQuery(browserReads.products(manufacturer));
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
