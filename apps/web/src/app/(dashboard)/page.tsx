"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ConnectDialog } from "@/components/wallet/connect-dialog.tsx";
import { Button, buttonClass } from "@/components/ui/button.tsx";
import { homeOf, useParty } from "@/lib/wallet/use-party.ts";

/** The front door: patients go to the check; parties connect and land on their role's home. */
export default function Home() {
  const party = useParty();
  const router = useRouter();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (party.status === "ready" && party.role) router.replace(homeOf(party.role));
  }, [party.status, party.role, router]);

  return (
    <div className="grid gap-6 py-4 md:grid-cols-2">
      <section className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs" aria-labelledby="patients">
        <h1 id="patients" className="text-2xl font-semibold text-slate-900">
          Is my medicine genuine?
        </h1>
        <p className="mt-2 text-slate-600">
          Scan the code on the box with your phone camera, or type it in. No account needed; your check changes nothing.
        </p>
        <Link href="/verify" className={`${buttonClass()} mt-4`}>
          Check a pack
        </Link>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs" aria-labelledby="parties">
        <h2 id="parties" className="text-2xl font-semibold text-slate-900">
          Manufacturers, wholesalers, pharmacies, regulators
        </h2>
        <p className="mt-2 text-slate-600">
          Connect your wallet to record batches, shipments and dispensing, or to audit the custody of any batch.
        </p>
        {party.status === "disconnected" ? (
          <Button className="mt-4" onClick={() => setOpen(true)}>
            Connect
          </Button>
        ) : party.status === "ready" && party.role ? (
          <p className="mt-4 text-sm text-slate-600" role="status">
            Opening your home…
          </p>
        ) : null}
        <p className="mt-4 text-sm">
          <Link href="/auditor" className="font-medium text-teal-800 underline">
            Search the custody record
          </Link>
        </p>
        <ConnectDialog open={open} onOpenChange={setOpen} />
      </section>
    </div>
  );
}
