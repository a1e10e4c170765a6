/**
 * The answer to "is this pack genuine?", for a patient (plain words, what to do next) or a
 * pharmacist (the same, plus the record's details). A server component: it renders without
 * JavaScript, so a phone that opens a printed QR link sees the answer at once.
 */
import type { ReactNode } from "react";
import type { PartyView, VerifyResponse } from "@/lib/api-types";
import { packCodeProblem, type PackCodeEntry } from "@/lib/pack-code";
import { TONE_CLASSES, typedCodeOverride, VERDICT_PRESENTATION, type VerdictOverride } from "./presentation";
import { VerdictIcon } from "./VerdictIcon";

export type VerdictAudience = "patient" | "pharmacist";

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  timeZoneName: "short",
});

function formatDate(iso: string | undefined, withTime = false): string | undefined {
  if (iso === undefined || iso === "") return undefined;
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (withTime ? DATE_TIME : DATE).format(date);
}

function partyName(party: PartyView | null | undefined): string | undefined {
  if (party == null) return undefined;
  return party.name ?? party.address;
}

const STATE_WORDS: Record<string, string> = {
  DISPENSED: "Dispensed",
  DESTROYED: "Destroyed",
  STOLEN: "Reported stolen",
  SAMPLE: "Taken as a sample",
  EXPORTED: "Exported",
  LOCKED: "Locked",
};

const BATCH_STATUS_WORDS: Record<string, string> = { RECALLED: "Batch recalled", SUSPENDED: "Batch on hold" };

function Detail({ term, children, testId }: { term: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="flex flex-col gap-0.5 py-2 sm:flex-row sm:gap-4" data-testid={testId}>
      <dt className="text-sm font-medium text-slate-600 sm:w-40 sm:shrink-0">{term}</dt>
      <dd className="break-words text-slate-900">{children}</dd>
    </div>
  );
}

export function VerdictCard({
  verification,
  audience,
  headingLevel = 2,
  entry = "scanned",
  override,
  uppercaseCheck,
}: {
  verification: VerifyResponse;
  audience: VerdictAudience;
  /** The heading level of the verdict's headline in the page's outline. */
  headingLevel?: 1 | 2 | 3;
  /** How the code came in: a typed code that matches nothing is first a possible typing slip. */
  entry?: PackCodeEntry;
  /** What the page knows better than the server (the counter: a pack its pharmacy does not hold). */
  override?: VerdictOverride;
  /** For a typed serial in small letters: a way to check it in capitals, shown when it matched nothing. */
  uppercaseCheck?: ReactNode;
}) {
  const v = verification;
  const typedCheck = entry === "typed" ? typedCodeOverride(v, audience) : undefined;
  const shown = override ?? typedCheck;
  const look = shown ?? VERDICT_PRESENTATION[v.verdict] ?? VERDICT_PRESENTATION.UNAVAILABLE;
  const tone = TONE_CLASSES[look.tone];
  const Heading = `h${headingLevel}` as "h1" | "h2" | "h3";
  const product = v.product;
  const expiry = formatDate(v.batch?.expiry ?? v.pack?.expiry);
  const decommission = v.decommissioned ?? null;
  const pharmacist = audience === "pharmacist";

  return (
    <section
      aria-labelledby="verdict-headline"
      data-testid="verdict"
      data-verdict={v.verdict}
      data-presentation={shown?.id}
      className={`overflow-hidden rounded-2xl border-2 bg-white shadow-sm ${tone.ring}`}
    >
      <div className={`flex items-start gap-4 p-5 ${tone.banner}`}>
        <VerdictIcon name={look.icon} className="h-12 w-12 shrink-0" />
        <div className="min-w-0">
          <p className="text-sm font-semibold uppercase tracking-wide" data-testid="verdict-label">
            {look.label}
          </p>
          <Heading id="verdict-headline" className="mt-1 text-xl font-semibold leading-snug sm:text-2xl">
            {shown?.headline ?? v.headline}
          </Heading>
        </div>
      </div>

      <div className={`p-5 ${tone.panel}`}>
        <p className="text-sm font-semibold uppercase tracking-wide">What to do</p>
        <p className="mt-1 text-lg leading-relaxed" data-testid="verdict-advice">
          {shown?.advice ?? v.advice}
        </p>
        {typedCheck && uppercaseCheck && v.pack?.serial && (
          <div className="mt-3 rounded-lg border border-current/30 bg-white/70 p-3" data-testid="verdict-uppercase">
            <p>
              Serial numbers are printed in capital letters, and the case matters:{" "}
              <span className="font-mono">{v.pack.serial}</span> and{" "}
              <span className="font-mono">{v.pack.serial.toUpperCase()}</span> are different serials.
            </p>
            <div className="mt-2">{uppercaseCheck}</div>
          </div>
        )}
        {/* A typed code's alert is in the advice, after the request to check what was typed. */}
        {v.alert && !typedCheck && (
          <p className="mt-3 rounded-lg border border-current/30 bg-white/70 p-3 text-sm" data-testid="verdict-alert">
            {pharmacist
              ? "Alert raised: a potential falsification to investigate. Do not dispense this pack; set it aside and report it."
              : "This check has been recorded so the pack can be investigated. You have done the right thing by checking."}
          </p>
        )}
        {v.verdict === "INVALID_CODE" && v.codeError && (
          <p className="mt-3 text-sm" data-testid="verdict-code-error">
            {packCodeProblem(v.codeError)}
          </p>
        )}
      </div>

      {(product || v.pack || v.batch) && (
        <dl className="divide-y divide-slate-200 px-5 py-2">
          {product && (
            <Detail term="Medicine" testId="detail-product">
              {product.name}
              {product.strength ? `, ${product.strength}` : ""}
              {product.dosageForm ? ` (${product.dosageForm})` : ""}
            </Detail>
          )}
          {v.manufacturer && <Detail term="Made by">{partyName(v.manufacturer)}</Detail>}
          {(v.batch?.lot ?? v.pack?.lot) && (
            <Detail term="Batch (lot)">
              {/* Monospaced like the serial: the sans font's ligatures would draw "<=>" or "->" as arrows. */}
              <span className="font-mono">{v.batch?.lot ?? v.pack?.lot}</span>
            </Detail>
          )}
          {expiry && <Detail term="Use before">{expiry}</Detail>}
          {v.pack?.serial && (
            <Detail term="Pack serial number">
              <span className="font-mono">{v.pack.serial}</span>
            </Detail>
          )}
          {decommission && (
            <Detail term={STATE_WORDS[decommission.state] ?? decommission.state} testId="detail-decommissioned">
              {formatDate(decommission.at, pharmacist) ?? decommission.at}
              {partyName(decommission.by) ? ` by ${partyName(decommission.by)}` : ""}
            </Detail>
          )}
          {v.batch && v.batch.status !== "ACTIVE" && (
            <Detail term={BATCH_STATUS_WORDS[v.batch.status] ?? v.batch.status} testId="detail-batch-status">
              {[formatDate(v.batch.statusAt), v.batch.statusReason].filter(Boolean).join(": ") || "Yes"}
            </Detail>
          )}
          {pharmacist && v.pack?.gtin && (
            <Detail term="GTIN">
              <span className="font-mono">{v.pack.gtin}</span>
            </Detail>
          )}
          {pharmacist && v.holder && (
            <Detail term="Held by">
              {partyName(v.holder)}
              {v.holder.gln ? ` (GLN ${v.holder.gln})` : ""}
            </Detail>
          )}
        </dl>
      )}

      <p className="border-t border-slate-200 px-5 py-3 text-sm text-slate-600" data-testid="verdict-checked">
        Checked {formatDate(v.checkedAt, true) ?? v.checkedAt}
        {v.blockNumber !== null ? " against the custody record" : ""}.
      </p>
    </section>
  );
}
