import type { TimelineEntry } from "@/lib/api/read.ts";
import { formatDateTime, shortHash } from "../ui/format.ts";

const EVENT_LOOK: Record<string, { icon: string; label: string; ring: string }> = {
  BatchRegistered: { icon: "＋", label: "Registered", ring: "bg-teal-700" },
  UnitsShipped: { icon: "→", label: "Shipped", ring: "bg-sky-700" },
  UnitsReceived: { icon: "✓", label: "Received", ring: "bg-emerald-700" },
  UnitsRejected: { icon: "↩", label: "Rejected", ring: "bg-amber-700" },
  ShipmentCancelled: { icon: "⊘", label: "Cancelled", ring: "bg-slate-600" },
  PackDecommissioned: { icon: "■", label: "Pack decommissioned", ring: "bg-violet-700" },
  PackReactivated: { icon: "↺", label: "Pack reactivated", ring: "bg-violet-500" },
  BatchRecalled: { icon: "!", label: "Recalled", ring: "bg-red-700" },
  BatchSuspended: { icon: "‖", label: "Suspended", ring: "bg-amber-700" },
  BatchReinstated: { icon: "▶", label: "Reinstated", ring: "bg-emerald-700" },
};

/** The custody timeline: every event, its parties, time and transaction, oldest first. */
export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  return (
    <ol className="relative space-y-4 border-l-2 border-slate-200 pl-6" data-testid="custody-timeline">
      {entries.map((entry) => {
        const look = EVENT_LOOK[entry.eventName] ?? { icon: "•", label: entry.eventName, ring: "bg-slate-600" };
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
            <p className="text-sm text-slate-900">{entry.summary}</p>
            <p className="text-xs text-slate-600">
              Block {entry.blockNumber} · tx{" "}
              <code title={entry.transactionHash}>{shortHash(entry.transactionHash)}</code>
              {Object.values(entry.parties).length
                ? ` · ${Object.values(entry.parties)
                    .map((p) => `${p.name ?? p.address}${p.gln ? ` (GLN ${p.gln})` : ""}`)
                    .filter((v, i, all) => all.indexOf(v) === i)
                    .join(", ")}`
                : ""}
            </p>
          </li>
        );
      })}
    </ol>
  );
}
