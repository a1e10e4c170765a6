"use client";
import { useQuery } from "@tanstack/react-query";
import { Link } from "../ui/link.tsx";
import { readLinks } from "@/lib/api/read.ts";
import { browserReads } from "@/lib/read-queries.ts";
import { StatusBadge } from "../ui/badge.tsx";
import { Section } from "../ui/card.tsx";
import { formatDateTime, formatNumber } from "../ui/format.ts";
import { QueryState } from "../ui/query-state.tsx";
import { PartyLink } from "./links.tsx";
import { useLedgerSettings } from "@/lib/wallet/ledger-context.tsx";
import { useParty } from "@/lib/wallet/use-party.ts";
import { QuarantineForm } from "../shipments/package-custody.tsx";
import { SearchBox } from "./search.tsx";

export function AuditorHome() {
  const byIdentity = useLedgerSettings().ledgerKind === "package";
  const party = useParty();
  const alerts = useQuery(browserReads.latestAlerts());
  const recalls = useQuery(browserReads.recalls());
  return (
    <div className="grid gap-6">
      <Section title="Search">
        <SearchBox />
      </Section>
      <div className="grid gap-6 lg:grid-cols-2">
        <Section
          title="Alerts"
          description="Scans that need investigating: potential falsifications, not proof of one."
          actions={
            <Link href="/alerts" className="text-sm font-medium text-teal-800 underline">
              Work the alerts
            </Link>
          }
        >
          <QueryState
            query={alerts}
            what="alerts"
            isEmpty={(d) => d.alerts.length === 0}
            empty="No alert has been raised."
          >
            {(d) => (
              <ul className="divide-y divide-slate-100 text-sm" data-testid="alerts">
                {d.alerts.map((a) => (
                  <li key={a.id} className="py-2">
                    <p className="flex flex-wrap items-center gap-2">
                      <StatusBadge status={a.status} />
                      <span className="font-medium">{a.verdict.replaceAll("_", " ").toLowerCase()}</span>
                      <span className="text-xs text-slate-600">{formatDateTime(a.raisedAt)}</span>
                    </p>
                    <p className="text-slate-800">{a.message}</p>
                    <p className="text-xs text-slate-600">
                      {a.gtin ? `GTIN ${a.gtin}` : ""}
                      {a.lot ? ` · lot ${a.lot}` : ""}
                      {a.serial ? ` · serial ${a.serial}` : ""}
                      {a.reportedBy ? (
                        <>
                          {" · reported by "}
                          <PartyLink party={a.reportedBy} />
                        </>
                      ) : null}
                      {a.gtin && a.lot ? (
                        <>
                          {" · "}
                          <Link href={readLinks.batch(a.gtin, a.lot)} className="text-teal-800 underline">
                            batch timeline
                          </Link>
                        </>
                      ) : null}
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </Section>
        <Section
          title="Recalled stock still in the field"
          description="Units of recalled batches still held or in transit."
        >
          <QueryState
            query={recalls}
            what="recalled stock"
            isEmpty={(d) => d.recalledStock.length === 0}
            empty="No recalled unit is left in the field."
          >
            {(d) => (
              <ul className="space-y-3 text-sm" data-testid="recalled-stock">
                {d.recalledStock.map((r) => (
                  <li key={r.batch.batchId} className="rounded-md border border-red-200 bg-red-50/40 p-3">
                    <Link
                      href={readLinks.batch(r.batch.gtin, r.batch.lot)}
                      className="font-medium text-teal-800 underline"
                    >
                      {r.productName ?? `GTIN ${r.batch.gtin}`}, lot {r.batch.lot}
                    </Link>
                    <p className="text-xs text-slate-700">
                      Recalled {formatDateTime(r.batch.statusAt)} by {r.batch.statusBy?.name ?? "—"}:{" "}
                      {r.batch.statusReason}
                    </p>
                    <ul className="mt-1">
                      {r.holders.map((h) => (
                        <li key={h.party.address} className="flex justify-between">
                          <PartyLink party={h.party} />
                          <span className="tabular-nums">{formatNumber(h.units)}</span>
                        </li>
                      ))}
                      {r.unitsInTransit ? (
                        <li className="flex justify-between text-slate-700">
                          <span>In transit</span>
                          <span className="tabular-nums">{formatNumber(r.unitsInTransit)}</span>
                        </li>
                      ) : null}
                    </ul>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </Section>
      </div>
      {byIdentity && party.role === "REGULATOR" ? (
        <Section
          title="Quarantine"
          description="Set suspect product aside wherever it is, by the labels of its units or the codes of its packs: it can neither move nor be dispensed until you end the investigation. A whole batch is quarantined from its page."
        >
          <QuarantineForm units={null} />
        </Section>
      ) : null}
    </div>
  );
}
