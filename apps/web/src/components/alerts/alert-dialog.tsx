"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import {
  ALERT_STATE_LABELS,
  alertActor,
  ILLEGITIMATE_VERDICT,
  NEXT_STATE,
  NOTE_MAX_LENGTH,
  ROOT_CAUSE_LABELS,
  rootCausesFor,
  type AlertState,
  type RootCause,
} from "@/lib/alert-workflow.ts";
import type { VerdictName } from "@/lib/api-types.ts";
import type { AlertChangeView, AlertDetailView } from "@/lib/api/read.ts";
import { api } from "@/lib/client-api.ts";
import { useParty } from "@/lib/wallet/use-party.ts";
import { BatchLink, PartyLink } from "../audit/links.tsx";
import { StatusBadge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextAreaField } from "../ui/field.tsx";
import { formatDateTime, formatNumber, roleLabel, shortAddress } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import { QueryState } from "../ui/query-state.tsx";
import { VERDICT_PRESENTATION } from "../verdict/presentation.ts";

/** The verdict that raised an alert, in the words the verdict card uses. */
export function verdictLabel(verdict: string): string {
  if (verdict === ILLEGITIMATE_VERDICT) return "Found illegitimate";
  return VERDICT_PRESENTATION[verdict as VerdictName]?.label ?? verdict;
}

/** One alert's details, history and next step, over the list; `returnFocus` says where focus goes on closing. */
export function AlertDialog({
  id,
  onClose,
  returnFocus,
}: {
  id: number | null;
  onClose: () => void;
  returnFocus: () => void;
}) {
  return (
    <Dialog
      open={id !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={id === null ? "Alert" : `Alert #${id}`}
      wide
      onCloseAutoFocus={(event) => {
        event.preventDefault();
        returnFocus();
      }}
    >
      {id === null ? null : <AlertDetails id={id} />}
    </Dialog>
  );
}

const stateWord = (state: AlertState) => ALERT_STATE_LABELS[state].toLowerCase();

function AlertDetails({ id }: { id: number }) {
  const detail = useQuery({ queryKey: ["alert", id], queryFn: () => api.alert(id) });
  const [moved, setMoved] = useState<AlertState | null>(null);
  const movedNotice = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (moved !== null) movedNotice.current?.focus();
  }, [moved]);
  return (
    <QueryState query={detail} what="the alert">
      {(alert) => (
        <div className="space-y-5 text-sm" data-testid="alert-details" data-status={alert.status}>
          <AlertFacts alert={alert} />
          <AlertHistory alert={alert} />
          {moved !== null ? (
            <div ref={movedNotice} tabIndex={-1} className="focus:outline-none">
              <Notice tone="success" title={`Alert #${alert.id} is now ${stateWord(moved)}.`} testId="alert-moved" />
            </div>
          ) : null}
          {/* A fresh form for each step: the note of one step is not the next one's. */}
          <AlertNextStep key={alert.status} alert={alert} onMoved={setMoved} />
        </div>
      )}
    </QueryState>
  );
}

function AlertFacts({ alert }: { alert: AlertDetailView }) {
  if (alert.verdict === ILLEGITIMATE_VERDICT) return <FindingFacts alert={alert} />;
  const facts: [string, ReactNode][] = [
    [
      "State",
      <>
        <StatusBadge status={alert.status} />
        {alert.rootCause ? <span className="ml-2">{ROOT_CAUSE_LABELS[alert.rootCause]}</span> : null}
      </>,
    ],
    ["Raised by the verdict", verdictLabel(alert.verdict)],
    ["What the scan said", alert.message],
    [
      "Pack",
      <>
        {alert.gtin ? `GTIN ${alert.gtin}` : "No product read"}
        {alert.serial ? `, serial ${alert.serial}` : ""}
        {alert.gtin && alert.lot ? (
          <>
            {" · "}
            <BatchLink gtin={alert.gtin} lot={alert.lot} />
          </>
        ) : null}
      </>,
    ],
    ["Reported by", alert.reportedBy ? <PartyLink party={alert.reportedBy} /> : "No signed-in party"],
    [
      "Scans",
      `${formatNumber(alert.occurrences)} (first ${formatDateTime(alert.raisedAt)}${alert.occurrences > 1 ? `, last ${formatDateTime(alert.lastSeenAt)}` : ""})`,
    ],
  ];
  return <FactList facts={facts} />;
}

function FactList({ facts }: { facts: [string, ReactNode][] }) {
  return (
    <dl className="grid gap-x-4 gap-y-2 sm:grid-cols-[11rem_minmax(0,1fr)]">
      {facts.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="font-medium text-slate-600">{term}</dt>
          <dd className="break-words text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An illegitimate finding: what the ledger recorded, whose stock it was, and every pack it destroyed. */
function FindingFacts({ alert }: { alert: AlertDetailView }) {
  const facts: [string, ReactNode][] = [
    [
      "State",
      <>
        <StatusBadge status={alert.status} />
        {alert.rootCause ? <span className="ml-2">{ROOT_CAUSE_LABELS[alert.rootCause]}</span> : null}
      </>,
    ],
    ["What the ledger recorded", alert.message],
    [
      "Batch",
      alert.gtin && alert.lot ? (
        <>
          GTIN {alert.gtin} · <BatchLink gtin={alert.gtin} lot={alert.lot} />
        </>
      ) : (
        "Not in the read model"
      ),
    ],
    ["Found illegitimate by", alert.reportedBy ? <PartyLink party={alert.reportedBy} /> : "Unknown"],
    ["Whose stock it was", alert.holder ? <PartyLink party={alert.holder} /> : "Nobody's"],
    [
      "When",
      <>
        {formatDateTime(alert.raisedAt)}
        {alert.blockNumber !== null ? `, block ${formatNumber(alert.blockNumber)}` : ""}
        {alert.transactionHash ? (
          <span
            className="block font-mono text-xs break-all text-slate-600"
            title="The transaction that ended the quarantine"
          >
            {alert.transactionHash}
          </span>
        ) : null}
      </>,
    ],
  ];
  return (
    <>
      <FactList facts={facts} />
      <section aria-labelledby="alert-packs-heading" className="space-y-2">
        <h3 id="alert-packs-heading" className="font-semibold text-slate-900">
          Packs destroyed ({formatNumber(alert.packCount)})
        </h3>
        <div className="max-h-64 overflow-y-auto rounded-md border border-slate-200">
          <table className="w-full text-left text-sm" data-testid="alert-packs">
            <thead className="sticky top-0 bg-slate-50 text-xs text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-1.5 font-medium">
                  Serial
                </th>
                <th scope="col" className="px-3 py-1.5 font-medium">
                  Destroyed inside
                </th>
              </tr>
            </thead>
            <tbody>
              {alert.packs.map((pack) => (
                <tr key={pack.index} className="border-t border-slate-100">
                  <td className="px-3 py-1 font-mono">
                    {pack.serial ?? (
                      <span className="font-sans text-slate-600">Pack #{pack.index} (serial list not stored)</span>
                    )}
                  </td>
                  <td className="px-3 py-1">{pack.unit ? `SSCC ${pack.unit}` : "Loose"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {alert.packCount > alert.packs.length ? (
          <p className="text-xs text-slate-600">
            The first {formatNumber(alert.packs.length)} are listed; the alert names {formatNumber(alert.packCount)}.
          </p>
        ) : null}
      </section>
    </>
  );
}

function changeSentence(change: AlertChangeView): string {
  const cause = change.rootCause ? `: ${ROOT_CAUSE_LABELS[change.rootCause].toLowerCase()}` : "";
  return `moved it from ${stateWord(change.from)} to ${stateWord(change.to)}${cause}`;
}

function AlertHistory({ alert }: { alert: AlertDetailView }) {
  return (
    <section aria-labelledby="alert-history-heading" className="space-y-2">
      <h3 id="alert-history-heading" className="font-semibold text-slate-900">
        Who did what
      </h3>
      {alert.history.length === 0 ? (
        <p className="text-slate-600">
          {alert.status === "CLOSED"
            ? "Closed before changes were recorded: who closed it, and why, is not known."
            : `No change yet: the alert is as the ${alert.verdict === ILLEGITIMATE_VERDICT ? "ledger" : "scan"} raised it.`}
        </p>
      ) : (
        <ol className="space-y-2 border-l-2 border-slate-200 pl-4" data-testid="alert-history">
          {alert.history.map((change, i) => (
            <li key={i} data-to={change.to}>
              <p>
                <span className="font-medium">{change.by.name}</span> ({roleLabel(change.by.role)},{" "}
                <span title={change.by.address}>{shortAddress(change.by.address)}</span>) {changeSentence(change)}
              </p>
              <p className="text-xs text-slate-600">{formatDateTime(change.at)}</p>
              {change.note ? <p className="mt-1 whitespace-pre-wrap text-slate-800">“{change.note}”</p> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The one step the alert can take next, for those who may take it, with a confirmation saying what will happen. */
function AlertNextStep({ alert, onMoved }: { alert: AlertDetailView; onMoved: (state: AlertState) => void }) {
  const party = useParty();
  const queryClient = useQueryClient();
  const next = NEXT_STATE[alert.status];
  const actor = party.address
    ? alertActor({ role: party.role, address: party.address }, alert.reportedBy?.address ?? null)
    : "OTHER";
  const causes = rootCausesFor(actor, alert.verdict);
  const [rootCause, setRootCause] = useState<RootCause | null>(causes.length === 1 ? causes[0]! : null);
  const [note, setNote] = useState("");
  const [problems, setProblems] = useState<{ rootCause?: string; note?: string }>({});
  const [confirming, setConfirming] = useState(false);
  const confirmation = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (confirming) confirmation.current?.focus();
  }, [confirming]);
  const move = useMutation({
    mutationFn: (change: Parameters<typeof api.changeAlert>[1]) => api.changeAlert(alert.id, change),
    onSuccess: (updated) => {
      queryClient.setQueryData(["alert", alert.id], updated);
      void queryClient.invalidateQueries({ queryKey: ["alerts"] });
      onMoved(updated.status);
    },
    onError: () => setConfirming(false),
  });

  if (next === null) {
    return (
      <p className="text-slate-600">
        A closed alert is final: if the pack is scanned again, the scan raises a new alert.
      </p>
    );
  }
  if (actor === "OTHER") {
    return (
      <p className="text-slate-600" data-testid="alert-not-yours">
        {party.address
          ? "A regulator, or the party whose scan raised this alert, works it."
          : "Connect as a regulator, or as the party whose scan raised this alert, to work it."}
      </p>
    );
  }
  const closing = next === "CLOSED";
  if (closing && causes.length === 0) {
    return (
      <p className="text-slate-600" data-testid="alert-not-yours">
        A regulator closes an illegitimate finding, as falsified, once the partners who handled its packs are told.
      </p>
    );
  }
  const review = (event: FormEvent) => {
    event.preventDefault();
    const found = {
      ...(closing && rootCause === null ? { rootCause: "Choose what the investigation found." } : {}),
      ...(closing && !note.trim()
        ? { note: "Say what the investigation found, so whoever reads the alert later knows why." }
        : {}),
    };
    setProblems(found);
    if (Object.keys(found).length === 0) setConfirming(true);
  };
  const outcome = closing && rootCause ? ROOT_CAUSE_LABELS[rootCause] : ALERT_STATE_LABELS[next];
  return (
    <section aria-labelledby="alert-next-heading" className="space-y-3 rounded-md border border-slate-200 p-4">
      <h3 id="alert-next-heading" className="font-semibold text-slate-900">
        {closing
          ? "Close the alert"
          : alert.verdict === ILLEGITIMATE_VERDICT
            ? "Take it up"
            : "Start the investigation"}
      </h3>
      {move.isError ? (
        <Notice tone="error" title="The alert was not changed">
          {move.error.message}
        </Notice>
      ) : null}
      {confirming ? (
        <div className="space-y-3">
          <div ref={confirmation} tabIndex={-1} className="focus:outline-none" data-testid="alert-confirmation">
            <Notice tone="warning" title="Please confirm">
              {closing
                ? `Alert #${alert.id} will be closed as “${outcome}”. Closing is final${alert.verdict === ILLEGITIMATE_VERDICT ? "." : ": a new scan of this pack raises a new alert."}\``
                : `Alert #${alert.id} will move from open to investigating.`}{" "}
              {`${party.name ?? "Your account"}, the time${note.trim() ? " and your note" : ""} will be recorded in its history.`}
            </Notice>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button
              variant={closing ? "danger" : "primary"}
              onClick={() =>
                move.mutate(
                  closing && rootCause !== null
                    ? { status: next, rootCause, note }
                    : { status: next, ...(note.trim() ? { note } : {}) },
                )
              }
              disabled={move.isPending}
            >
              {move.isPending
                ? "Saving…"
                : closing
                  ? `Confirm: close as ${outcome.toLowerCase()}`
                  : "Confirm: move to investigating"}
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)} disabled={move.isPending}>
              Back
            </Button>
          </div>
        </div>
      ) : (
        <form onSubmit={review} className="space-y-3" aria-labelledby="alert-next-heading" noValidate>
          {closing ? (
            <fieldset
              className="space-y-1"
              aria-describedby={problems.rootCause ? "alert-root-cause-error" : undefined}
            >
              <legend className="text-sm font-medium text-slate-800">Root cause</legend>
              {causes.map((cause) => (
                <label key={cause} className="flex items-center gap-2">
                  <input
                    type="radio"
                    name="rootCause"
                    value={cause}
                    checked={rootCause === cause}
                    onChange={() => setRootCause(cause)}
                  />
                  {ROOT_CAUSE_LABELS[cause]}
                </label>
              ))}
              {actor === "REPORTER" ? (
                <p className="text-xs text-slate-600">
                  Only a regulator concludes that a pack is genuine or falsified; you may close your own alert as a
                  scanner or data error.
                </p>
              ) : null}
              {problems.rootCause ? (
                <p id="alert-root-cause-error" className="text-xs font-medium text-red-700">
                  <span aria-hidden="true">⚠ </span>
                  {problems.rootCause}
                </p>
              ) : null}
            </fieldset>
          ) : null}
          <TextAreaField
            label={closing ? "What the investigation found" : "Note (optional)"}
            hint={`Up to ${NOTE_MAX_LENGTH} characters, kept in the alert's history.`}
            error={problems.note}
            value={note}
            onChange={(event) => setNote(event.target.value)}
            maxLength={NOTE_MAX_LENGTH}
            rows={3}
          />
          <Button type="submit">{closing ? "Close the alert…" : "Move to investigating…"}</Button>
        </form>
      )}
    </section>
  );
}
