"use client";
import { Link } from "@/components/ui/link.tsx";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ConnectDialog } from "@/components/wallet/connect-dialog.tsx";
import { Button, buttonClass } from "@/components/ui/button.tsx";
import { homeOf, useParty } from "@/lib/wallet/use-party.ts";

const WHO_DOES_WHAT = [
  ["Pharmacists", "Check each pack at the counter before handing it out, and record it as dispensed."],
  ["Manufacturers", "Register batches, print their pack labels, and record the shipments that leave."],
  ["Wholesalers", "Record the shipments they receive and the ones they send on."],
  ["Regulators", "Follow the alerts of suspect packs, audit the custody of any batch, and recall or suspend one."],
] as const;

/** The front door: patients go to the check; the staff of participants sign in and land on their role's home. */
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
          Scan the code on the box with your phone camera, or type it in. No account and no sign-in: your check changes
          nothing.
        </p>
        <Link href="/verify" className={`${buttonClass()} mt-4`}>
          Check a pack
        </Link>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs" aria-labelledby="staff">
        <h2 id="staff" className="text-2xl font-semibold text-slate-900">
          For the organisations that handle medicines
        </h2>
        <dl className="mt-3 space-y-2 text-slate-600" data-testid="who-does-what">
          {WHO_DOES_WHAT.map(([who, what]) => (
            <div key={who}>
              <dt className="font-medium text-slate-900">{who}</dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-4 text-slate-600">
          Staff of a participant organisation sign in with their organisation&apos;s account.
        </p>
        {party.status === "disconnected" ? (
          <Button className="mt-4" onClick={() => setOpen(true)} data-testid="home-sign-in">
            Sign in
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
