import { headers } from "next/headers";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell.tsx";
import { Providers } from "@/components/providers.tsx";
import { demoAccountsOffered } from "@/lib/demo-accounts.ts";
import type { LedgerClientSettings } from "@/lib/wallet/config.ts";
import { pageSession } from "@/server/auth/page-session.ts";
import { ledgerTargetFromEnv } from "@/server/context.ts";

/**
 * The parties' dashboard: wallet, chain and the shell. The browser talks to the chain itself
 * (reads and signed writes), at PEDIGREE_PUBLIC_RPC_URL when the server's own RPC URL is not one
 * the browser can reach. The signed-in session's party is read here, so that the first HTML
 * already shows the party's page (not a page waiting for the wallet to reconnect).
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const target = ledgerTargetFromEnv();
  const settings: LedgerClientSettings = {
    chainId: target.chainId,
    rpcUrl: process.env.PEDIGREE_PUBLIC_RPC_URL ?? target.rpcUrl,
    ledgerAddress: target.address,
    // Only on a local development chain (PEDIGREE_DEMO_ACCOUNTS; see lib/demo-accounts.ts).
    demoAccounts: demoAccountsOffered(target.chainId, process.env.PEDIGREE_DEMO_ACCOUNTS),
    ledgerKind: target.kind ?? "count",
  };
  const [cookie, session] = await Promise.all([headers().then((h) => h.get("cookie")), pageSession()]);
  return (
    <Providers settings={settings} cookie={cookie} session={session}>
      <AppShell>{children}</AppShell>
    </Providers>
  );
}
