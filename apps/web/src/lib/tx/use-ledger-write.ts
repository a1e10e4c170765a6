"use client";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { useConfig } from "wagmi";
import { getAccount, getPublicClient, getWalletClient } from "wagmi/actions";
import type { LedgerErrorLookup } from "@pedigree/ledger";
import { api, type PackProofResponse } from "../client-api.ts";
import { useLedgerSettings } from "../wallet/ledger-context.tsx";
import { readModelBlockReader, waitForReadModel } from "./read-model.ts";
import type { LedgerWriteResult, TxPhase } from "./run.ts";
import { runDashboardWrite, type SigningAnswer } from "./write-path.ts";
import type { DashboardWrite, PackInList, PackName } from "./writes.ts";

/** Whether this server signs for the session's organisation: asked again at most every 15 s. */
function signingAnswer(queryClient: QueryClient): Promise<SigningAnswer | null> {
  return queryClient
    .fetchQuery({ queryKey: ["signing"], queryFn: () => api.signing(), staleTime: 15_000 })
    .catch(() => null); // not signed in, or the server did not answer: the wallet path says what is needed
}

/** A pack's place in its serial list: the proof the page already fetched for its scan, or the server's. */
async function locatePack(queryClient: QueryClient, pack: PackName): Promise<PackInList> {
  const known = queryClient
    .getQueriesData<PackProofResponse>({ queryKey: ["proof"] })
    .map(([, data]) => data)
    .find((data) => data?.gtin === pack.gtin && data.lot === pack.lot && data.serial === pack.serial);
  if (known) return known;
  const link = `https://id.gs1.org/01/${pack.gtin}/10/${encodeURIComponent(pack.lot)}/21/${encodeURIComponent(pack.serial)}`;
  return api.packProof(link);
}

/**
 * A ledger write for a component: `run(write)` takes the write as the write API states it
 * (lib/tx/writes.ts) and goes the one write path (write-path.ts): through the organisation's
 * server when it holds the key, else the browser wallet. It exposes the phase for <TxStatus>:
 * queued or pending until the transaction's block, then confirmed. After the confirmation every
 * cached read is refreshed at once (reads of the chain itself see the block already), and again
 * once the read model has indexed the block (read-model.ts), however many blocks behind the head
 * the indexer runs on this chain.
 */
export function useLedgerWrite(lookup?: LedgerErrorLookup) {
  const config = useConfig();
  const { ledgerAddress } = useLedgerSettings();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<TxPhase>({ phase: "idle" });
  const lookupRef = useRef(lookup);
  lookupRef.current = lookup;

  const run = useCallback(
    async (write: DashboardWrite): Promise<LedgerWriteResult> => {
      const result = await runDashboardWrite(
        {
          signing: () => signingAnswer(queryClient),
          walletAccount: getAccount(config).address,
          wallet: async () => {
            let walletClient;
            try {
              walletClient = await getWalletClient(config);
            } catch (error) {
              throw new Error(
                error instanceof Error && error.name === "ConnectorChainMismatchError"
                  ? "Your wallet is on another network: use the Switch network button at the top, then try again."
                  : "Sign in first (the Sign in button at the top).",
              );
            }
            const publicClient = getPublicClient(config);
            if (!publicClient) throw new Error("The ledger's chain is not configured in this page.");
            return { publicClient, walletClient, ledgerAddress, lookup: lookupRef.current };
          },
          locate: (pack) => locatePack(queryClient, pack),
        },
        write,
        setPhase,
      );
      if (result.ok) {
        void queryClient.invalidateQueries();
        // Not cancelled when the component goes away: the refresh is for the whole page (a
        // dialog that closes on success, a card that leaves its list...). Also after a timeout:
        // the page then shows what the read model has.
        void waitForReadModel(result.blockNumber, { read: readModelBlockReader() }).then(
          () => void queryClient.invalidateQueries(),
        );
      }
      return result;
    },
    [config, ledgerAddress, queryClient],
  );

  const reset = useCallback(() => setPhase({ phase: "idle" }), []);
  const busy =
    phase.phase === "checking" || phase.phase === "signing" || phase.phase === "queued" || phase.phase === "pending";
  return { phase, run, reset, busy };
}
