import { Fragment } from "react";
import type { PartyView, TimelineEntry } from "@/lib/api/read.ts";
import { formatDateTime } from "../ui/format.ts";
import { BatchLink, PartyLink, TransactionLink } from "./links.tsx";

const EVENT_LOOK: Record<string, { icon: string; label: string; ring: string }> = {
  BatchRegistered: { icon: "+", label: "Registered", ring: "bg-teal-700" },
  UnitsShipped: { icon: "→", label: "Shipped", ring: "bg-sky-700" },
  UnitsReceived: { icon: "✓", label: "Received", ring: "bg-emerald-700" },
  UnitsRejected: { icon: "↩", label: "Rejected", ring: "bg-amber-700" },
  ShipmentCancelled: { icon: "⊘", label: "Cancelled", ring: "bg-slate-600" },
  PackDecommissioned: { icon: "■", label: "Pack decommissioned", ring: "bg-violet-700" },
  PackReactivated: { icon: "↺", label: "Pack reactivated", ring: "bg-violet-500" },
  BatchRecalled: { icon: "!", label: "Recalled", ring: "bg-red-700" },
  BatchSuspended: { icon: "‖", label: "Suspended", ring: "bg-amber-700" },
  BatchReinstated: { icon: "▶", label: "Reinstated", ring: "bg-emerald-700" },
  ParticipantOnboarded: { icon: "+", label: "Onboarded", ring: "bg-teal-700" },
  ParticipantSuspended: { icon: "‖", label: "Participant suspended", ring: "bg-amber-700" },
  ParticipantReinstated: { icon: "▶", label: "Participant reinstated", ring: "bg-emerald-700" },
  CompanyPrefixAssigned: { icon: "#", label: "Company prefix assigned", ring: "bg-slate-600" },
  ProductRegistered: { icon: "+", label: "Product registered", ring: "bg-teal-700" },
};

/** Each party an entry names, once (a party named as both sender and actor is listed once). */
function partiesOf(entry: TimelineEntry): PartyView[] {
  const seen = new Map<string, PartyView>();
  for (const party of Object.values(entry.parties)) seen.set(party.address, party);
  return [...seen.values()];
}

/**
 * The custody timeline: every event, its parties, time and transaction, each linked to its page.
 * With `showBatch`, entries that carry their batch's GTIN and lot link to it too (for lists that
 * mix batches: a party's activity, a transaction). Oldest first unless the caller orders it.
 */
export function Timeline({
  entries,
  showBatch = false,
}: {
  entries: readonly (TimelineEntry & { gtin?: string | null; lot?: string | null })[];
  showBatch?: boolean;
}) {
  return (
    <ol className="relative space-y-4 border-l-2 border-slate-200 pl-6" data-testid="custody-timeline">
      {entries.map((entry) => {
        const look = EVENT_LOOK[entry.eventName] ?? {
          icon: "•",
          label: entry.eventName.replace(/([a-z])([A-Z])/g, "$1 $2"),
          ring: "bg-slate-600",
        };
        const parties = partiesOf(entry);
        return (
          <li key={`${entry.blockNumber}-${entry.logIndex}`} className="relative" data-event={entry.eventName}>
            <span
              aria-hidden="true"
              className={`absolute top-0.5 -left-[2.15rem] grid h-6 w-6 place-items-center rounded-full text-xs font-bold text-white ${look.ring}`}
            >
              {look.icon}
            </span>
            <p className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
              {look.label} · <time dateTime={entry.time}>{formatDateTime(entry.time)}</time>
            </p>
            <p className="text-sm break-words text-slate-900">{entry.summary}</p>
            <p className="text-xs break-words text-slate-600">
              {showBatch && entry.gtin && entry.lot ? (
                <>
                  <BatchLink gtin={entry.gtin} lot={entry.lot} /> ·{" "}
                </>
              ) : null}
              Block {entry.blockNumber} · tx <TransactionLink hash={entry.transactionHash} />
              {parties.map((party) => (
                <Fragment key={party.address}>
                  {" · "}
                  <PartyLink party={party} />
                  {party.gln ? ` (GLN ${party.gln})` : ""}
                </Fragment>
              ))}
            </p>
          </li>
        );
      })}
    </ol>
  );
}
