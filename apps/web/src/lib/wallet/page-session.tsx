"use client";
/**
 * The signed-in session the server found for this page, and its party as read on chain then
 * (server/auth/page-session.ts). A display hint only: every API read still checks the session and
 * the role itself.
 */
import { createContext, useContext, type ReactNode } from "react";
import type { Address } from "viem";
import type { StaffIdentityView } from "../api-types.ts";
import type { PartyRecord } from "./party.ts";

export interface PageSession {
  /** The session's account. */
  address: Address;
  /** Its party on the ledger; null when the chain could not be read. */
  party: PartyRecord | null;
  /** The staff member signed in with a passkey, acting for the party (no wallet involved). */
  staff?: StaffIdentityView;
}

const PageSessionContext = createContext<PageSession | null>(null);

export function PageSessionProvider({ session, children }: { session: PageSession | null; children: ReactNode }) {
  return <PageSessionContext value={session}>{children}</PageSessionContext>;
}

export function usePageSession(): PageSession | null {
  return useContext(PageSessionContext);
}
