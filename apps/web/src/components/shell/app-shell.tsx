"use client";
import { Link } from "../ui/link.tsx";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { usePageSession } from "@/lib/wallet/page-session.tsx";
import { useParty, type PartyRole } from "@/lib/wallet/use-party.ts";
import { NetworkBanner } from "../wallet/network-banner.tsx";
import { WalletButton } from "../wallet/wallet-button.tsx";

/** Every participant works the alerts it may see: those it raised, those on its batches, all for a regulator. */
const ALERTS = { href: "/alerts", label: "Alerts" };

const NAV: Record<PartyRole, { href: string; label: string }[]> = {
  MANUFACTURER: [{ href: "/manufacturer", label: "Batches" }, { href: "/stock", label: "Stock & shipments" }, ALERTS],
  DISTRIBUTOR: [{ href: "/stock", label: "Stock & inbox" }, ALERTS],
  PHARMACY: [{ href: "/counter", label: "Counter" }, { href: "/stock", label: "Stock & inbox" }, ALERTS],
  REGULATOR: [ALERTS],
  ADMIN: [{ href: "/admin", label: "Participants" }],
};

const STAFF = { href: "/staff", label: "Staff" };

const ALWAYS = [
  { href: "/auditor", label: "Audit" },
  { href: "/verify", label: "Check a pack" },
];

export function AppShell({ children }: { children: ReactNode }) {
  const party = useParty();
  const pathname = usePathname();
  const staff = usePageSession()?.staff;
  // The organisation's administrator (its wallet, or a staff admin) manages its staff.
  const managesStaff = party.role !== null && party.role !== "ADMIN" && (staff === undefined || staff.role === "admin");
  const links = [...(party.role ? NAV[party.role] : []), ...(managesStaff ? [STAFF] : []), ...ALWAYS];
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/" className="flex items-center gap-2 text-lg font-semibold text-slate-900">
            <span
              aria-hidden="true"
              className="grid h-7 w-7 place-items-center rounded-md bg-teal-700 text-sm text-white"
            >
              P
            </span>
            Pedigree
          </Link>
          <nav aria-label="Main" className="order-3 w-full sm:order-2 sm:w-auto">
            <ul className="flex flex-wrap gap-1">
              {links.map((link) => {
                const current = pathname === link.href || pathname.startsWith(`${link.href}/`);
                return (
                  <li key={link.href}>
                    <Link
                      href={link.href}
                      aria-current={current ? "page" : undefined}
                      className={`block rounded-md px-3 py-1.5 text-sm font-medium ${current ? "bg-teal-50 text-teal-900 underline decoration-2 underline-offset-4" : "text-slate-700 hover:bg-slate-100"}`}
                    >
                      {link.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className="order-2 sm:order-3">
            <WalletButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 space-y-6 px-4 py-6">
        <NetworkBanner />
        {children}
      </main>
      <footer className="border-t border-slate-200 bg-white py-4 text-center text-xs text-slate-600">
        Pedigree · the custody record of every medicine pack
      </footer>
    </div>
  );
}
