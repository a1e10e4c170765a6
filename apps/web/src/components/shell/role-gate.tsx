"use client";
import type { ReactNode } from "react";
import { useParty, type Party, type PartyRole } from "@/lib/wallet/use-party.ts";
import { Notice } from "../ui/notice.tsx";
import { roleLabel } from "../ui/format.ts";

/** Renders its page only for the roles it serves; says plainly what to do otherwise. */
export function RoleGate({
  roles,
  children,
}: {
  roles: readonly PartyRole[];
  children: (party: Party & { address: NonNullable<Party["address"]>; role: PartyRole }) => ReactNode;
}) {
  const party = useParty();
  if (party.status === "disconnected") {
    return (
      <Notice tone="info" title="Sign in to continue" testId="connect-first">
        This page is for the staff of {roles.map((r) => roleLabel(r).toLowerCase()).join(" or ")} organisations. Use the
        Sign in button at the top.
      </Notice>
    );
  }
  if (party.status === "loading") {
    return (
      <p className="text-sm text-slate-600" role="status">
        Reading your account on the ledger…
      </p>
    );
  }
  if (party.status === "error" || !party.address) return null; // the network banner explains
  if (!party.role || !roles.includes(party.role)) {
    return (
      <Notice tone="warning" title="Not for this account" testId="wrong-role">
        You are signed in as {roleLabel(party.role).toLowerCase()}; this page is for{" "}
        {roles.map((r) => roleLabel(r).toLowerCase()).join(" or ")} accounts.
      </Notice>
    );
  }
  return <>{children({ ...party, address: party.address, role: party.role })}</>;
}
