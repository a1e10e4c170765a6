"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "../ui/link.tsx";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent, type MouseEvent } from "react";
import { ALERT_STATE_LABELS, ALERT_STATES, ILLEGITIMATE_VERDICT, ROOT_CAUSE_LABELS } from "@/lib/alert-workflow.ts";
import type { AlertView } from "@/lib/api/read.ts";
import { exportLinks } from "@/lib/client-api.ts";
import { browserReads } from "@/lib/read-queries.ts";
import { BatchLink, PartyLink } from "../audit/links.tsx";
import { useParticipants } from "../data/hooks.ts";
import { StatusBadge } from "../ui/badge.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Section } from "../ui/card.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { formatDateTime, formatNumber } from "../ui/format.ts";
import { QueryState } from "../ui/query-state.tsx";
import { AlertDialog, verdictLabel } from "./alert-dialog.tsx";

/** The filters the form sets; a link may carry the API's others too (verdict, lot), which are kept. */
const FILTERS = ["status", "gtin", "reporter", "from", "to"] as const;

/** The alerts list: filters in the address, the matching alerts newest first, CSV export, and each alert's workflow. */
export function AlertsDesk({ query }: { query: string }) {
  const router = useRouter();
  const params = new URLSearchParams(query);
  const alerts = useInfiniteQuery(browserReads.alertPages(query));
  const [openId, setOpenId] = useState<number | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const results = useRef<HTMLHeadingElement>(null);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams(query);
    next.delete("nextPageToken");
    for (const name of FILTERS) {
      const value = String(form.get(name) ?? "").trim();
      if (value) next.set(name, value);
      else next.delete(name);
    }
    router.push(next.size > 0 ? `/alerts?${next}` : "/alerts");
  };
  const openDetails = (event: MouseEvent<HTMLButtonElement>, id: number) => {
    opener.current = event.currentTarget;
    setOpenId(id);
  };
  const active = FILTERS.some((name) => params.has(name));

  return (
    <div className="grid gap-6">
      <Section title="Filters" description="Applied filters are part of the page's address: a link to it keeps them.">
        {/* Remounted on each new address, so the fields show the filters in force. */}
        <AlertFilters key={query} params={params} onSubmit={apply} active={active} />
      </Section>
      <section
        aria-labelledby="alerts-results"
        className="min-w-0 rounded-lg border border-slate-200 bg-white shadow-xs"
      >
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 px-4 py-3 sm:px-5">
          <h2 id="alerts-results" ref={results} tabIndex={-1} className="text-base font-semibold text-slate-900">
            {active ? "Alerts matching the filters" : "All alerts"}
          </h2>
          <a href={exportLinks.alertsCsv(query)} download className={buttonClass("secondary", "sm")}>
            Download CSV
          </a>
        </div>
        <div className="px-4 py-4 sm:px-5">
          <QueryState
            query={alerts}
            what="alerts"
            isEmpty={(d) => d.pages[0]?.alerts.length === 0}
            empty={active ? "No alert matches these filters." : "No alert has been raised."}
          >
            {(d) => (
              <div className="space-y-3">
                <AlertsTable alerts={d.pages.flatMap((page) => page.alerts)} onOpen={openDetails} />
                {alerts.hasNextPage ? (
                  <Button
                    variant="secondary"
                    onClick={() => alerts.fetchNextPage()}
                    disabled={alerts.isFetchingNextPage}
                  >
                    {alerts.isFetchingNextPage ? "Loading older alerts…" : "Show older alerts"}
                  </Button>
                ) : null}
              </div>
            )}
          </QueryState>
        </div>
      </section>
      <AlertDialog
        id={openId}
        onClose={() => setOpenId(null)}
        // Back to the Details button that opened it; if the alert left the list (another state now), to the list.
        returnFocus={() => (opener.current?.isConnected ? opener.current : results.current)?.focus()}
      />
    </div>
  );
}

function AlertFilters({
  params,
  onSubmit,
  active,
}: {
  params: URLSearchParams;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  active: boolean;
}) {
  const participants = useParticipants();
  const inAddress = (params.get("reporter") ?? "").toLowerCase();
  // Controlled: its options arrive after the first render, and the filter in force must stay selected.
  const [reporter, setReporter] = useState(inAddress);
  const known = participants.data?.participants ?? [];
  return (
    <form
      aria-label="Filter alerts"
      onSubmit={onSubmit}
      className="grid gap-4 sm:grid-cols-2 lg:grid-cols-[10rem_1fr_1fr_10rem_10rem]"
    >
      <SelectField label="State" name="status" defaultValue={params.get("status")?.toUpperCase() ?? ""}>
        <option value="">Any state</option>
        {ALERT_STATES.map((state) => (
          <option key={state} value={state}>
            {ALERT_STATE_LABELS[state]}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Product (GTIN)"
        name="gtin"
        inputMode="numeric"
        defaultValue={params.get("gtin") ?? ""}
        placeholder="e.g. 09520123456788"
      />
      <SelectField
        label="Reported by"
        name="reporter"
        value={reporter}
        onChange={(event) => setReporter(event.target.value)}
      >
        <option value="">Any party</option>
        {/* A party in the address before the directory has loaded (or not in it) stays selectable. */}
        {inAddress && !known.some((p) => p.address === inAddress) ? (
          <option value={inAddress}>{inAddress}</option>
        ) : null}
        {known.map((p) => (
          <option key={p.address} value={p.address}>
            {p.name}
          </option>
        ))}
      </SelectField>
      <TextField label="Raised from" name="from" type="date" defaultValue={params.get("from") ?? ""} />
      <TextField label="Raised to (inclusive)" name="to" type="date" defaultValue={params.get("to") ?? ""} />
      <div className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-5">
        <Button type="submit">Apply filters</Button>
        {active ? (
          <Link href="/alerts" className={buttonClass("ghost")}>
            Clear the filters
          </Link>
        ) : null}
      </div>
    </form>
  );
}

function AlertsTable({
  alerts,
  onOpen,
}: {
  alerts: AlertView[];
  onOpen: (event: MouseEvent<HTMLButtonElement>, id: number) => void;
}) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full min-w-[52rem] text-left text-sm" data-testid="alerts-table">
        <caption className="sr-only">Alerts, newest first</caption>
        <thead className="border-b border-slate-200 text-xs text-slate-600 uppercase">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">
              Alert
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              Pack
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              Reported by
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              Scans
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              State
            </th>
            <th scope="col" className="py-2 font-medium">
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {alerts.map((a) => (
            <tr key={a.id} data-alert-id={a.id} data-status={a.status} className="align-top">
              <td className="py-2 pr-3">
                <p className="font-medium text-slate-900">
                  #{a.id} · {verdictLabel(a.verdict)}
                </p>
                <p className="max-w-xs text-xs text-slate-600">{a.message}</p>
              </td>
              <td className="py-2 pr-3 text-xs">
                {a.gtin ? <p>GTIN {a.gtin}</p> : <p className="text-slate-600">No product read</p>}
                {a.gtin && a.lot ? <BatchLink gtin={a.gtin} lot={a.lot} /> : null}
                {a.serial ? <p className="break-all text-slate-700">Serial {a.serial}</p> : null}
              </td>
              <td className="py-2 pr-3">{a.reportedBy ? <PartyLink party={a.reportedBy} /> : "—"}</td>
              <td className="py-2 pr-3 text-xs" data-testid="alert-scans">
                <p className="font-medium text-slate-900">
                  {a.verdict === ILLEGITIMATE_VERDICT
                    ? "On the ledger"
                    : a.occurrences === 1
                      ? "1 scan"
                      : `${formatNumber(a.occurrences)} scans`}
                </p>
                <p className="text-slate-600">First {formatDateTime(a.raisedAt)}</p>
                {a.occurrences > 1 ? <p className="text-slate-600">Last {formatDateTime(a.lastSeenAt)}</p> : null}
              </td>
              <td className="py-2 pr-3">
                <StatusBadge status={a.status} />
                {a.rootCause ? <p className="mt-1 text-xs text-slate-700">{ROOT_CAUSE_LABELS[a.rootCause]}</p> : null}
              </td>
              <td className="py-2 text-right">
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={(event) => onOpen(event, a.id)}
                  aria-label={`Details of alert ${a.id}`}
                >
                  Details
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
