"use client";
import { useState } from "react";
import { useDisconnect, useConnection } from "wagmi";
import { useParty } from "@/lib/wallet/use-party.ts";
import { Button } from "../ui/button.tsx";
import { roleLabel, shortAddress } from "../ui/format.ts";
import { ACCOUNT_BUTTON_ID, ConnectDialog } from "./connect-dialog.tsx";

export function WalletButton() {
  const [open, setOpen] = useState(false);
  const { connector } = useConnection();
  const party = useParty();
  const disconnect = useDisconnect();

  return (
    <>
      {party.status === "loading" && !party.address ? (
        <p className="text-sm text-slate-600" role="status">
          Loading…
        </p>
      ) : !party.address ? (
        <Button onClick={() => setOpen(true)} data-testid="connect-button">
          Sign in
        </Button>
      ) : (
        <div
          className="flex items-center gap-2"
          data-testid="wallet-status"
          // No role until the ledger has answered: "not a participant" would be a claim, not a wait.
          data-role={party.status === "ready" ? (party.role ?? "NONE") : undefined}
          data-address={party.address}
        >
          <div className="hidden text-right leading-tight sm:block">
            <p className="text-sm font-medium text-slate-900">{party.name ?? shortAddress(party.address)}</p>
            <p className="text-xs text-slate-600">
              {party.status === "ready"
                ? roleLabel(party.role)
                : party.status === "error"
                  ? "Role unknown"
                  : "Loading…"}
              {party.suspended ? " · suspended" : ""} · <code title={party.address}>{shortAddress(party.address)}</code>
            </p>
          </div>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => setOpen(true)}
            aria-label="Switch account"
            id={ACCOUNT_BUTTON_ID}
          >
            Switch
          </Button>
          <Button variant="ghost" size="sm" onClick={() => disconnect.mutate({ connector })}>
            Disconnect
          </Button>
        </div>
      )}
      {/* One dialog for both states: signing in swaps the buttons while it is open. */}
      <ConnectDialog open={open} onOpenChange={setOpen} />
    </>
  );
}
