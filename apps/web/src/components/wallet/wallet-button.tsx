"use client";
import { useState } from "react";
import { useDisconnect, useConnection } from "wagmi";
import { useParty } from "@/lib/wallet/use-party.ts";
import { Button } from "../ui/button.tsx";
import { roleLabel, shortAddress } from "../ui/format.ts";
import { ACCOUNT_BUTTON_ID, ConnectDialog } from "./connect-dialog.tsx";

export function WalletButton() {
  const [open, setOpen] = useState(false);
  const { isConnected, connector } = useConnection();
  const party = useParty();
  const disconnect = useDisconnect();

  return (
    <>
      {!isConnected || !party.address ? (
        <Button onClick={() => setOpen(true)} data-testid="connect-button">
          Sign in
        </Button>
      ) : (
        <div
          className="flex items-center gap-2"
          data-testid="wallet-status"
          data-role={party.role ?? "NONE"}
          data-address={party.address}
        >
          <div className="hidden text-right leading-tight sm:block">
            <p className="text-sm font-medium text-slate-900">{party.name ?? shortAddress(party.address)}</p>
            <p className="text-xs text-slate-600">
              {roleLabel(party.role)}
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
