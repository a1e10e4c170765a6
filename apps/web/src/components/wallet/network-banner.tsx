"use client";
import { useConnection, useSwitchChain } from "wagmi";
import { useLedgerSettings } from "@/lib/wallet/ledger-context.tsx";
import { useParty } from "@/lib/wallet/use-party.ts";
import { useLedgerStatus } from "../data/hooks.ts";
import { Button } from "../ui/button.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";

/** Why the ledger is paused, as its administrator recorded it (once the read model has the pause). */
function PauseReason() {
  const status = useLedgerStatus();
  const change = status.data?.lastChange;
  if (!change?.paused) return null;
  return (
    <p className="mt-1" data-testid="pause-reason">
      Paused on {formatDateTime(change.at)}: “{change.reason}”
    </p>
  );
}

/** Wrong network, paused ledger, suspended or unknown account: said once, at the top of every page. */
export function NetworkBanner() {
  const settings = useLedgerSettings();
  const { isConnected, chainId } = useConnection();
  const switchChain = useSwitchChain();
  const party = useParty();

  if (isConnected && chainId !== undefined && chainId !== settings.chainId) {
    return (
      <Notice tone="warning" title="Your wallet is on another network" testId="wrong-network">
        <p>
          The ledger lives on chain {settings.chainId}; your wallet is on chain {chainId}. Nothing can be signed until
          you switch.
        </p>
        <Button
          size="sm"
          className="mt-2"
          onClick={() => switchChain.mutate({ chainId: settings.chainId })}
          disabled={switchChain.isPending}
        >
          {switchChain.isPending ? "Switching…" : `Switch to chain ${settings.chainId}`}
        </Button>
        {switchChain.error ? (
          <p className="mt-1">The wallet did not switch: {switchChain.error.message.split("\n")[0]}</p>
        ) : null}
      </Notice>
    );
  }
  if (party.status === "error") {
    return (
      <Notice tone="error" title="The ledger cannot be read">
        The chain at {settings.rpcUrl} does not answer, or no ledger is deployed at {settings.ledgerAddress}. Start the
        node (npm start) and reload.
      </Notice>
    );
  }
  if (party.status !== "ready") return null;
  if (party.paused) {
    return (
      <Notice tone="warning" title="The ledger is paused" testId="ledger-paused">
        <p>
          The administrator has paused every custody write. You can read and verify; shipping, receiving and dispensing
          resume when it is unpaused.
        </p>
        <PauseReason />
      </Notice>
    );
  }
  if (party.suspended) {
    return (
      <Notice tone="error" title="This account is suspended">
        The administrator suspended it: it can record nothing until reinstated.
      </Notice>
    );
  }
  if (!party.role) {
    return (
      <Notice tone="info" title="This account is not a participant">
        The ledger does not know this address. Ask the administrator to onboard it, or switch to another account.
      </Notice>
    );
  }
  return null;
}
