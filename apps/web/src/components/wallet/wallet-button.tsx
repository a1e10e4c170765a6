"use client";
import { useEffect, useState } from "react";
import { useDisconnect, useConnection } from "wagmi";
import { usePageSession } from "@/lib/wallet/page-session.tsx";
import { signOutOfSession } from "@/lib/wallet/passkey.ts";
import { useParty } from "@/lib/wallet/use-party.ts";
import { Button } from "../ui/button.tsx";
import { roleLabel, shortAddress } from "../ui/format.ts";
import { ACCOUNT_BUTTON_ID, ConnectDialog } from "./connect-dialog.tsx";

export function WalletButton() {
  const [open, setOpen] = useState(false);
  const { connector } = useConnection();
  const party = useParty();
  const disconnect = useDisconnect();
  const staff = usePageSession()?.staff;
  const isStaff = staff !== undefined && connector === undefined;

  // Sent here from 127.0.0.1 to sign in with a passkey (passkeys live at localhost): carry on.
  useEffect(() => {
    if (new URLSearchParams(window.location.search).get("signin") === "passkey") setOpen(true);
  }, []);

  async function signOut() {
    await signOutOfSession().catch(() => {
      // Signed out anyway once the page reloads without a session it can use.
    });
    window.location.assign("/");
  }

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
            {isStaff ? (
              <p className="text-sm font-medium text-slate-900" data-testid="staff-name">
                {staff.name}
              </p>
            ) : null}
            <p className={isStaff ? "text-xs text-slate-600" : "text-sm font-medium text-slate-900"}>
              {isStaff ? "for " : ""}
              {party.name ?? shortAddress(party.address)}
            </p>
            <p className="text-xs text-slate-600">
              {party.status === "ready"
                ? roleLabel(party.role)
                : party.status === "error"
                  ? "Role unknown"
                  : "Loading…"}
              {isStaff ? ` · ${staff.role}` : ""}
              {party.suspended ? " · suspended" : ""}
              {isStaff ? null : (
                <>
                  {" "}
                  · <code title={party.address}>{shortAddress(party.address)}</code>
                </>
              )}
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
          {isStaff ? (
            <Button variant="ghost" size="sm" onClick={() => void signOut()} data-testid="sign-out">
              Sign out
            </Button>
          ) : (
            <Button variant="ghost" size="sm" onClick={() => disconnect.mutate({ connector })}>
              Disconnect
            </Button>
          )}
        </div>
      )}
      {/* One dialog for both states: signing in swaps the buttons while it is open. */}
      <ConnectDialog open={open} onOpenChange={setOpen} />
    </>
  );
}
