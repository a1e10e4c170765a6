"use client";
import { useQuery } from "@tanstack/react-query";
import { Link } from "../ui/link.tsx";
import { useState } from "react";
import { api, exportLinks } from "@/lib/client-api.ts";
import { mergePackEvents } from "@/lib/merge-pack-events.ts";
import type { BatchResponse } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { useLedgerSettings } from "@/lib/wallet/ledger-context.tsx";
import { useParty } from "@/lib/wallet/use-party.ts";
import { useErrorLookup } from "../data/hooks.ts";
import { TxStatus } from "../tx/tx-status.tsx";
import { StatusBadge } from "../ui/badge.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { DecisionDialog, type DecisionWords } from "../ui/decision-dialog.tsx";
import { formatDate, formatDateTime, formatNumber } from "../ui/format.ts";
import { QueryState } from "../ui/query-state.tsx";
import { PartyLink, ProductLink } from "./links.tsx";
import { Timeline } from "./timeline.tsx";

/** Recall, for the batch's manufacturer or a regulator: a reason is required and the recall is final. */
export function RecallButton({ batch }: { batch: BatchResponse["batch"] & { productName?: string | null } }) {
  const tx = useLedgerWrite(useErrorLookup());
  return (
    <div className="space-y-2">
      {/* Not disabled while the recall is sent: the dialog gives the focus back to it (the dialog's button is). */}
      <DecisionDialog
        trigger={
          <Button variant="danger" size="sm" data-testid="recall-button">
            Recall…
          </Button>
        }
        words={{
          title: `Recall lot ${batch.lot}`,
          consequence: "A recall is final. Every holder sees it; the units can then only be returned or destroyed.",
          confirm: "Recall the batch",
          variant: "danger",
          reason: { missing: "Give the reason the holders and patients will read." },
        }}
        busy={tx.busy}
        onOpen={tx.reset}
        onDecide={(reason) => tx.run({ operation: "recall", arguments: { gtin: batch.gtin, lot: batch.lot, reason } })}
      />
      <TxStatus phase={tx.phase} successText="Batch recalled: its units can only go back to the manufacturer." />
    </div>
  );
}

const SUSPENSION = {
  suspend: {
    button: "Suspend…",
    words: (lot: string): DecisionWords => ({
      title: `Suspend lot ${lot}`,
      consequence:
        "While the batch is suspended, none of its packs can be shipped (except back to the manufacturer) or dispensed, " +
        "and every check of one of its packs says that the batch is suspended. A regulator can reinstate it.",
      confirm: "Suspend the batch",
      variant: "danger",
      reason: { missing: "Give the reason that holders will read while the batch is suspended." },
    }),
    done: "Batch suspended: its packs cannot be shipped or dispensed until a regulator reinstates it.",
  },
  reinstate: {
    button: "Reinstate…",
    words: (lot: string): DecisionWords => ({
      title: `Reinstate lot ${lot}`,
      consequence:
        "Its packs can be shipped and dispensed again, and checks of them no longer say the batch is suspended. " +
        "The suspension stays in the batch's timeline.",
      confirm: "Reinstate the batch",
      variant: "primary",
      reason: null,
    }),
    done: "Batch reinstated: its packs can be shipped and dispensed again.",
  },
} as const;

/**
 * Suspend or reinstate a batch, for regulators: a dialog that says what happens to its packs,
 * with a required reason for a suspension. One button whatever the status opens it, so that the
 * dialog gives focus back to it when it closes, and focus stays there when the status changes.
 */
export function SuspensionButton({ batch }: { batch: BatchResponse["batch"] }) {
  const tx = useLedgerWrite(useErrorLookup());
  const [last, setLast] = useState<keyof typeof SUSPENSION>("suspend");
  const action = batch.status === "SUSPENDED" ? "reinstate" : "suspend";
  return (
    <div className="space-y-2" data-testid="batch-suspension">
      <DecisionDialog
        trigger={
          <Button variant="secondary" size="sm" data-testid="suspension-button">
            {SUSPENSION[action].button}
          </Button>
        }
        words={SUSPENSION[action].words(batch.lot)}
        busy={tx.busy}
        onOpen={tx.reset}
        onDecide={(reason) => {
          setLast(action);
          return action === "suspend"
            ? tx.run({ operation: "suspend-batch", arguments: { gtin: batch.gtin, lot: batch.lot, reason } })
            : tx.run({ operation: "reinstate-batch", arguments: { gtin: batch.gtin, lot: batch.lot } });
        }}
      />
      <TxStatus phase={tx.phase} successText={SUSPENSION[last].done} />
    </div>
  );
}

/**
 * Package-level ledger: quarantine a whole batch as suspect product (a regulator, or its
 * manufacturer), and end it: cleared (active again) or illegitimate (recalled for good).
 */
export function BatchQuarantineButtons({ batch }: { batch: BatchResponse["batch"] }) {
  const tx = useLedgerWrite(useErrorLookup());
  const [done, setDone] = useState<string | undefined>(undefined);
  const key = { gtin: batch.gtin, lot: batch.lot };
  if (batch.status !== "QUARANTINED") {
    return (
      <div className="space-y-2" data-testid="batch-quarantine">
        <DecisionDialog
          trigger={
            <Button variant="secondary" size="sm" data-testid="quarantine-batch-button">
              Quarantine…
            </Button>
          }
          words={{
            title: `Quarantine lot ${batch.lot}`,
            consequence:
              "Suspect product: none of its packs can be shipped or dispensed, wherever they are, and every check of one says it is under investigation. The investigation ends cleared (the batch is active again) or illegitimate (it is recalled for good).",
            confirm: "Quarantine the batch",
            variant: "danger",
            reason: { missing: "Say why the batch is suspect: the holders read it." },
          }}
          busy={tx.busy}
          onOpen={tx.reset}
          onDecide={(reason) => {
            setDone("Batch quarantined: none of its packs can move or be dispensed until the investigation ends.");
            return tx.run({ ledger: "package", operation: "quarantine-batch", arguments: { ...key, reason } });
          }}
        />
        <TxStatus phase={tx.phase} successText={done} />
      </div>
    );
  }
  const end = (outcome: "CLEARED" | "ILLEGITIMATE") => (
    <DecisionDialog
      trigger={
        <Button
          variant={outcome === "CLEARED" ? "secondary" : "danger"}
          size="sm"
          data-testid={`end-batch-quarantine-${outcome.toLowerCase()}`}
        >
          {outcome === "CLEARED" ? "Clear…" : "Found illegitimate…"}
        </Button>
      }
      words={{
        title: outcome === "CLEARED" ? `Clear lot ${batch.lot}` : `Lot ${batch.lot} is illegitimate`,
        consequence:
          outcome === "CLEARED"
            ? "The investigation found the batch genuine: its packs can be shipped and dispensed again. The quarantine stays in its timeline."
            : "The batch is recalled for good: its packs can only go back to the manufacturer or be destroyed, and every check of one says so.",
        confirm: outcome === "CLEARED" ? "Clear the batch" : "Recall it as illegitimate",
        variant: outcome === "CLEARED" ? "primary" : "danger",
        reason: { missing: "Say what the investigation found." },
      }}
      busy={tx.busy}
      onOpen={tx.reset}
      onDecide={(reason) => {
        setDone(outcome === "CLEARED" ? "Batch cleared: active again." : "Batch recalled as illegitimate.");
        return tx.run({ ledger: "package", operation: "end-batch-quarantine", arguments: { ...key, outcome, reason } });
      }}
    />
  );
  return (
    <div className="space-y-2" data-testid="batch-quarantine">
      <div className="flex flex-wrap gap-2">
        {end("CLEARED")}
        {end("ILLEGITIMATE")}
      </div>
      <TxStatus phase={tx.phase} successText={done} />
    </div>
  );
}

export function BatchView({ gtin, lot }: { gtin: string; lot: string }) {
  const query = useQuery({
    queryKey: ["batch", gtin, lot],
    queryFn: () => api.batch(gtin, lot),
    refetchInterval: 5_000,
  });
  const party = useParty();
  const byIdentity = useLedgerSettings().ledgerKind === "package";
  return (
    <QueryState query={query} what="the batch">
      {(d) => {
        const mayRecall =
          d.batch.status !== "RECALLED" &&
          (party.role === "REGULATOR" ||
            (party.role === "MANUFACTURER" && party.address?.toLowerCase() === d.manufacturer.address.toLowerCase()));
        const maySuspend = d.batch.status !== "RECALLED" && party.role === "REGULATOR" && !byIdentity;
        // The package ledger quarantines a batch where the count ledger suspends it.
        const mayQuarantine =
          byIdentity &&
          d.batch.status !== "RECALLED" &&
          (party.role === "REGULATOR" ||
            (party.role === "MANUFACTURER" && party.address?.toLowerCase() === d.manufacturer.address.toLowerCase()));
        return (
          <>
            <PageHeader
              title={`${d.product?.name ?? `GTIN ${gtin}`}, lot ${lot}`}
              description={
                <>
                  {d.product ? `${d.product.strength} ${d.product.dosageForm} · ` : ""}
                  <ProductLink gtin={d.batch.gtin} /> · made by <PartyLink party={d.manufacturer} />
                </>
              }
              actions={
                <>
                  <a className={buttonClass("secondary", "sm")} href={exportLinks.epcis(gtin, lot)} download>
                    Export EPCIS 2.0
                  </a>
                  <a className={buttonClass("secondary", "sm")} href={exportLinks.epcis12(gtin, lot)} download>
                    Export EPCIS 1.2 XML
                  </a>
                  <a className={buttonClass("secondary", "sm")} href={exportLinks.csv(gtin, lot)} download>
                    Export CSV
                  </a>
                  <Link className={buttonClass("secondary", "sm")} href={exportLinks.labels(gtin, lot)}>
                    Print labels
                  </Link>
                </>
              }
            />
            <div className="grid gap-6 lg:grid-cols-[1fr_1.4fr]">
              <div className="space-y-6">
                <Section title="Batch">
                  <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
                    <dt className="text-slate-600">Status</dt>
                    <dd>
                      <StatusBadge status={d.batch.status} />
                      {d.batch.statusReason ? (
                        <p className="mt-1 text-xs text-slate-700">{d.batch.statusReason}</p>
                      ) : null}
                      {d.batch.statusAt ? (
                        <p className="text-xs text-slate-600">{formatDateTime(d.batch.statusAt)}</p>
                      ) : null}
                    </dd>
                    <dt className="text-slate-600">Expiry</dt>
                    <dd>{formatDate(d.batch.expiry)}</dd>
                    <dt className="text-slate-600">Packs</dt>
                    <dd>{formatNumber(d.batch.packCount)}</dd>
                    <dt className="text-slate-600">Serial list</dt>
                    <dd>
                      {d.batch.manifestStored ? "Stored on this server" : "Not uploaded: its packs cannot be verified"}
                    </dd>
                    <dt className="text-slate-600">Registered</dt>
                    <dd>{formatDateTime(d.batch.registeredAt)}</dd>
                  </dl>
                  {mayRecall || maySuspend || mayQuarantine ? (
                    <div className="mt-4 flex flex-wrap items-start gap-3">
                      {maySuspend ? <SuspensionButton batch={d.batch} /> : null}
                      {mayQuarantine ? <BatchQuarantineButtons batch={d.batch} /> : null}
                      {mayRecall ? <RecallButton batch={d.batch} /> : null}
                    </div>
                  ) : null}
                </Section>
                <Section title="Where every unit is" description="Registered = held + in transit + decommissioned.">
                  <p className="mb-3 text-sm text-slate-700" data-testid="unit-balance">
                    {formatNumber(d.units.registered)} registered = {formatNumber(d.units.held)} held +{" "}
                    {formatNumber(d.units.inTransit)} in transit + {formatNumber(d.units.decommissioned)} decommissioned
                  </p>
                  <ul className="divide-y divide-slate-100 text-sm" data-testid="holdings">
                    {d.holdings.map((h) => (
                      <li key={h.party.address} className="flex justify-between gap-3 py-1.5">
                        <span>
                          <PartyLink party={h.party} />
                          {h.party.role ? (
                            <span className="text-slate-600"> · {h.party.role.toLowerCase()}</span>
                          ) : null}
                        </span>
                        <span className="tabular-nums">
                          {formatNumber(h.units)}
                          {h.quarantined > 0 ? (
                            <span className="text-amber-900" data-testid="holding-quarantined">
                              {" "}
                              ({formatNumber(h.quarantined)} quarantined)
                            </span>
                          ) : null}
                        </span>
                      </li>
                    ))}
                    {d.inTransit.map((s) => (
                      <li key={s.shipmentId} className="flex justify-between gap-3 py-1.5 text-slate-700">
                        <span>
                          In transit <PartyLink party={s.from} /> → <PartyLink party={s.to} />
                        </span>
                        <span className="tabular-nums">{formatNumber(s.quantity)}</span>
                      </li>
                    ))}
                  </ul>
                </Section>
              </div>
              <Section title="Custody timeline" description="Every event of the batch on the ledger, oldest first.">
                <Timeline entries={mergePackEvents(d.timeline)} />
              </Section>
            </div>
          </>
        );
      }}
    </QueryState>
  );
}
