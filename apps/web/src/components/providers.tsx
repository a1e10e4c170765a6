"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { cookieToInitialState, WagmiProvider } from "wagmi";
import { makeWagmiConfig, type LedgerClientSettings } from "@/lib/wallet/config.ts";
import { LedgerSettingsProvider } from "@/lib/wallet/ledger-context.tsx";
import { PageSessionProvider, type PageSession } from "@/lib/wallet/page-session.tsx";
import { SessionKeeper } from "./wallet/session-keeper.tsx";

/**
 * wagmi and react-query for the dashboard, built once per page load from the server's settings,
 * and the signed-in session the server found (its party, until the browser's own reads answer).
 */
export function Providers({
  settings,
  cookie,
  session,
  children,
}: {
  settings: LedgerClientSettings;
  cookie: string | null;
  session: PageSession | null;
  children: ReactNode;
}) {
  const [config] = useState(() => makeWagmiConfig(settings));
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: true } },
      }),
  );
  return (
    <LedgerSettingsProvider settings={settings}>
      <PageSessionProvider session={session}>
        <WagmiProvider config={config} initialState={cookieToInitialState(config, cookie)}>
          <QueryClientProvider client={queryClient}>
            <SessionKeeper />
            {children}
          </QueryClientProvider>
        </WagmiProvider>
      </PageSessionProvider>
    </LedgerSettingsProvider>
  );
}
