"use client";
import { createContext, useContext, type ReactNode } from "react";
import type { LedgerClientSettings } from "./config.ts";

const LedgerSettingsContext = createContext<LedgerClientSettings | null>(null);

export function LedgerSettingsProvider({
  settings,
  children,
}: {
  settings: LedgerClientSettings;
  children: ReactNode;
}) {
  return <LedgerSettingsContext value={settings}>{children}</LedgerSettingsContext>;
}

export function useLedgerSettings(): LedgerClientSettings {
  const settings = useContext(LedgerSettingsContext);
  if (!settings) throw new Error("useLedgerSettings needs <LedgerSettingsProvider> (the dashboard layout).");
  return settings;
}
