"use client";
import { pedigreeLedgerAbi, roleName } from "@pedigree/ledger";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useConnect, useConnectors, useReadContract, useReadContracts } from "wagmi";
import { demoAccounts } from "@/lib/demo-accounts.ts";
import { DEMO_CONNECTOR_ID, type DemoConnectorProperties } from "@/lib/wallet/demo-connector.ts";
import { passkeyElsewhere, signInWithPasskey } from "@/lib/wallet/passkey.ts";
import { useLedgerSettings } from "@/lib/wallet/ledger-context.tsx";
import { homeOf, type PartyRole } from "@/lib/wallet/use-party.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { roleLabel, shortAddress } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";

/** Roles and names of the ten demo accounts, read from the chain. */
function useDemoParties(enabled: boolean) {
  const { ledgerAddress } = useLedgerSettings();
  const accounts = useMemo(() => (enabled ? demoAccounts() : []), [enabled]);
  const adminRead = useReadContract({
    address: ledgerAddress,
    abi: pedigreeLedgerAbi,
    functionName: "defaultAdmin",
    query: { enabled },
  });
  const reads = useReadContracts({
    contracts: accounts.map((account) => ({
      address: ledgerAddress,
      abi: pedigreeLedgerAbi,
      functionName: "participant" as const,
      args: [account.address] as const,
    })),
    query: { enabled },
  });
  return {
    error: reads.isError || adminRead.isError,
    loading: reads.isPending,
    parties: accounts.map((account, index) => {
      const admin = adminRead.data;
      const participant = reads.data?.[index]?.result;
      const role = participant ? roleName(participant.role) : "NONE";
      const isAdmin = admin?.toLowerCase() === account.address.toLowerCase();
      const partyRole: PartyRole | null = role !== "NONE" ? role : isAdmin ? "ADMIN" : null;
      return {
        index,
        address: account.address,
        role: partyRole,
        name: participant?.legalName || (isAdmin ? "Administrator" : ""),
        suspended: participant?.suspended ?? false,
        isAdmin,
      };
    }),
  };
}

/** The header's account button, which stands where "Sign in" was once signed in: focus goes there after signing in. */
export const ACCOUNT_BUTTON_ID = "account-button";

/**
 * Staff invited by their organisation sign in with a passkey (the device's fingerprint, face or
 * screen lock), in plain words: no wallet, no keys to speak of. On a page at 127.0.0.1 the
 * passkey lives at localhost (lib/wallet/passkey.ts), so the button goes there first.
 */
function PasskeySignIn() {
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  async function signIn() {
    const elsewhere = passkeyElsewhere(window.location);
    if (elsewhere !== null) {
      window.location.assign(`${elsewhere}${elsewhere.includes("?") ? "&" : "?"}signin=passkey`);
      return;
    }
    setState({ busy: true, error: null });
    try {
      // A full load: the next page is rendered on the server for the new session.
      window.location.assign(await signInWithPasskey());
    } catch (error) {
      setState({ busy: false, error: (error as Error).message });
    }
  }
  return (
    <section aria-labelledby="passkey-heading">
      <h3 id="passkey-heading" className="mb-2 text-sm font-semibold text-slate-800">
        With a passkey
      </h3>
      <Button
        className="w-full justify-start"
        onClick={() => void signIn()}
        disabled={state.busy}
        data-testid="passkey-sign-in"
      >
        {state.busy ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </Button>
      <p className="mt-2 text-xs text-slate-600">
        For staff your organisation invited: confirm with this device&apos;s fingerprint, face or screen lock, as you
        did when you created your passkey.
      </p>
      {state.error ? (
        <Notice tone="error" title="Not signed in">
          {state.error}
        </Notice>
      ) : null}
    </section>
  );
}

/**
 * Sign-in for the staff of participant organisations: with a passkey (staff invited by their
 * organisation), with a browser wallet holding the organisation's account, or on the local chain
 * as one of the demo world's organisations.
 */
export function ConnectDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { chainId, demoAccounts: demoAccountsOffered } = useLedgerSettings();
  const connectors = useConnectors();
  const connect = useConnect();
  const router = useRouter();
  const [choice, setChoice] = useState<string | null>(null);
  const demo = connectors.find((c) => c.id === DEMO_CONNECTOR_ID) as (typeof connectors)[number] &
    Partial<DemoConnectorProperties>;
  const wallets = connectors.filter((c) => c.id !== DEMO_CONNECTOR_ID);
  const demoParties = useDemoParties(open && demoAccountsOffered && Boolean(demo));

  async function connectWallet(connector: (typeof connectors)[number]) {
    setChoice(connector.uid);
    try {
      await connect.mutateAsync({ connector, chainId });
      onOpenChange(false);
    } catch {
      // The error is shown from connect.error below.
    }
  }

  async function connectDemo(index: number, role: PartyRole | null) {
    if (!demo?.selectAccount) return;
    setChoice(`demo-${index}`);
    try {
      await demo.selectAccount(index);
      await connect.mutateAsync({ connector: demo, chainId });
      onOpenChange(false);
      router.push(homeOf(role));
    } catch {
      // Shown from connect.error.
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Sign in"
      description="For the staff of the organisations taking part: manufacturers, wholesalers, pharmacies and regulators. Patients need no account to check a pack."
      wide
      returnFocusTo={() => document.getElementById(ACCOUNT_BUTTON_ID)}
    >
      <div className="space-y-5">
        <PasskeySignIn />
        <section aria-labelledby="wallets-heading">
          <h3 id="wallets-heading" className="mb-2 text-sm font-semibold text-slate-800">
            With a browser wallet
          </h3>
          <ul className="space-y-2">
            {wallets.map((connector) => (
              <li key={connector.uid}>
                <Button
                  variant="secondary"
                  className="w-full justify-start"
                  onClick={() => void connectWallet(connector)}
                  disabled={connect.isPending}
                >
                  {connector.icon ? (
                    <img src={connector.icon} alt="" className="h-5 w-5" />
                  ) : (
                    <span aria-hidden="true">🦊</span>
                  )}
                  {connector.name === "Injected" ? "Browser wallet (installed extension)" : connector.name}
                  {connect.isPending && choice === connector.uid ? " — waiting for the wallet…" : ""}
                </Button>
              </li>
            ))}
          </ul>
          <p className="mt-2 text-xs text-slate-600">
            For staff whose organisation signs with a wallet extension: its account must be one the ledger&apos;s
            administrator registered for your organisation.
          </p>
        </section>

        {demo ? (
          <section aria-labelledby="demo-heading">
            <h3 id="demo-heading" className="mb-1 text-sm font-semibold text-slate-800">
              Demo organisations <span className="font-normal text-slate-600">(local chain only)</span>
            </h3>
            <p className="mb-2 text-xs text-slate-600">
              Sign in as staff of any organisation of the demo world. Their keys are public test keys: they exist only
              on this local chain.
            </p>
            {demoParties.error ? (
              <Notice tone="error">The local chain cannot be read: is the node running?</Notice>
            ) : (
              <ul className="grid gap-2 sm:grid-cols-2" data-testid="demo-accounts">
                {demoParties.parties.map((party) => (
                  <li key={party.address}>
                    <button
                      type="button"
                      data-testid={`demo-account-${party.index}`}
                      data-role={party.role ?? "NONE"}
                      onClick={() => void connectDemo(party.index, party.role)}
                      disabled={connect.isPending}
                      className="flex w-full flex-col items-start rounded-md border border-slate-300 px-3 py-2 text-left hover:border-teal-600 hover:bg-teal-50 focus-visible:outline-2 focus-visible:outline-teal-600 disabled:opacity-60"
                    >
                      <span className="text-sm font-medium text-slate-900">
                        {party.name || `Account ${party.index}`}
                        {party.suspended ? " (suspended)" : ""}
                      </span>
                      <span className="text-xs text-slate-600">
                        {demoParties.loading ? "…" : roleLabel(party.role)} · <code>{shortAddress(party.address)}</code>
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        ) : null}

        {connect.error ? (
          <Notice tone="error" title="Not signed in">
            {(connect.error as Error).name === "ProviderNotFoundError"
              ? "No browser wallet was found in this browser. Install one (for example MetaMask), or sign in as a demo organisation on the local chain."
              : connect.error.name === "UserRejectedRequestError"
                ? "You declined the sign-in in your wallet."
                : "shortMessage" in connect.error
                  ? String(connect.error.shortMessage)
                  : connect.error.message}
          </Notice>
        ) : null}
      </div>
    </Dialog>
  );
}
