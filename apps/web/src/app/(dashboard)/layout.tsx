import { headers } from "next/headers";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell.tsx";
import { Providers } from "@/components/providers.tsx";
import type { LedgerClientSettings } from "@/lib/wallet/config.ts";
import { ledgerTargetFromEnv } from "@/server/context.ts";

/**
 * The parties' dashboard: wallet, chain and the shell. The browser talks to the chain itself
 * (reads and signed writes), at PEDIGREE_PUBLIC_RPC_URL when the server's own RPC URL is not one
 * the browser can reach.
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const target = ledgerTargetFromEnv();
  const settings: LedgerClientSettings = {
    chainId: target.chainId,
    rpcUrl: process.env.PEDIGREE_PUBLIC_RPC_URL ?? target.rpcUrl,
    ledgerAddress: target.address,
  };
  const cookie = (await headers()).get("cookie");
  return (
    <Providers settings={settings} cookie={cookie}>
      <AppShell>{children}</AppShell>
    </Providers>
  );
}
