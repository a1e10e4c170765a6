"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { useConfig } from "wagmi";
import { getPublicClient, getWalletClient } from "wagmi/actions";
import { useLedgerSettings } from "../wallet/ledger-context.tsx";
import type { LedgerErrorLookup } from "@pedigree/ledger";
import { readModelBlockReader, waitForReadModel } from "./read-model.ts";
import { runLedgerWrite, type LedgerCall, type LedgerWriteName, type LedgerWriteResult, type TxPhase } from "./run.ts";

/**
 * A ledger write for a component: `run(call)` goes through `runLedgerWrite` and exposes its
 * phase for <TxStatus>: pending until the transaction's block, then confirmed. After the
 * confirmation every cached read is refreshed at once (reads of the chain itself see the block
 * already), and again once the read model has indexed the block (read-model.ts), however many
 * blocks behind the head the indexer runs on this chain.
 */
export function useLedgerWrite(lookup?: LedgerErrorLookup) {
  const config = useConfig();
  const { ledgerAddress } = useLedgerSettings();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<TxPhase>({ phase: "idle" });
  const lookupRef = useRef(lookup);
  lookupRef.current = lookup;

  const run = useCallback(
    async <N extends LedgerWriteName>(call: LedgerCall<N>): Promise<LedgerWriteResult> => {
      let walletClient;
      try {
        walletClient = await getWalletClient(config);
      } catch (error) {
        const message =
          error instanceof Error && error.name === "ConnectorChainMismatchError"
            ? "Your wallet is on another network: use the Switch network button at the top, then try again."
            : "Sign in first (the Sign in button at the top).";
        setPhase({ phase: "failed", message });
        return { ok: false, message };
      }
      const publicClient = getPublicClient(config);
      if (!publicClient) {
        const message = "The ledger's chain is not configured in this page.";
        setPhase({ phase: "failed", message });
        return { ok: false, message };
      }
      const result = await runLedgerWrite(
        { publicClient, walletClient, ledgerAddress, lookup: lookupRef.current },
        call,
        setPhase,
      );
      if (result.ok) {
        void queryClient.invalidateQueries();
        // Not cancelled when the component goes away: the refresh is for the whole page (a
        // dialog that closes on success, a card that leaves its list...). Also after a timeout:
        // the page then shows what the read model has.
        void waitForReadModel(result.receipt.blockNumber, { read: readModelBlockReader() }).then(
          () => void queryClient.invalidateQueries(),
        );
      }
      return result;
    },
    [config, ledgerAddress, queryClient],
  );

  const reset = useCallback(() => setPhase({ phase: "idle" }), []);
  const busy = phase.phase === "checking" || phase.phase === "signing" || phase.phase === "pending";
  return { phase, run, reset, busy };
}
