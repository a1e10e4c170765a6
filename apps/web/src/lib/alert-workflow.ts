/**
 * How an alert is worked, as the EU system's alert management does it: an alert is open when a
 * scan raises it, investigating once someone looks into it, and closed with the root cause that
 * the investigation found. Closed is final: a new scan of the pack raises a new alert. The server
 * enforces these rules (src/server/read/alerts.ts); the dashboard offers only what they allow.
 *
 * Who may move an alert: a regulator, any alert; the party whose scan raised it, its own alert,
 * to investigating and closed as its own scanner or data error (a misread label, a wrong entry).
 * Whether a pack is genuine or falsified is a regulator's conclusion.
 *
 * An illegitimate finding (a quarantine ended ILLEGITIMATE on the package-level ledger, which
 * destroyed the packs) raises an alert too, so that the packs are named and the partners who
 * handled them are told. The investigation is over: a regulator closes it as falsified once that
 * is done, and the party that ended the quarantine may only take it to investigating.
 */

export const ALERT_STATES = ["OPEN", "INVESTIGATING", "CLOSED"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const ROOT_CAUSES = ["SCANNER_OR_DATA_ERROR", "GENUINE", "FALSIFIED"] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];

export const ALERT_STATE_LABELS: Record<AlertState, string> = {
  OPEN: "Open",
  INVESTIGATING: "Investigating",
  CLOSED: "Closed",
};

export const ROOT_CAUSE_LABELS: Record<RootCause, string> = {
  SCANNER_OR_DATA_ERROR: "Scanner or data error",
  GENUINE: "Genuine (false alarm)",
  FALSIFIED: "Falsified",
};

/** The one move out of each state; null for a closed alert. */
export const NEXT_STATE: Record<AlertState, AlertState | null> = {
  OPEN: "INVESTIGATING",
  INVESTIGATING: "CLOSED",
  CLOSED: null,
};

/** A note's length limit (the EU hub's free-text reason takes 500 characters too). */
export const NOTE_MAX_LENGTH = 500;

/** Who is acting on an alert, as far as the rules care. */
export type AlertActor = "REGULATOR" | "REPORTER" | "OTHER";

export function alertActor(viewer: { role: string | null; address: string }, reportedBy: string | null): AlertActor {
  if (viewer.role === "REGULATOR") return "REGULATOR";
  return reportedBy !== null && reportedBy.toLowerCase() === viewer.address.toLowerCase() ? "REPORTER" : "OTHER";
}

/** The verdict of the alerts an illegitimate finding raises (../server/indexer/illegitimate.ts). */
export const ILLEGITIMATE_VERDICT = "ILLEGITIMATE";

/** The root causes an actor may close an alert raised by `verdict` with. */
export function rootCausesFor(actor: AlertActor, verdict: string): readonly RootCause[] {
  if (verdict === ILLEGITIMATE_VERDICT) return actor === "REGULATOR" ? ["FALSIFIED"] : [];
  if (actor === "REGULATOR") return ROOT_CAUSES;
  return actor === "REPORTER" ? ["SCANNER_OR_DATA_ERROR"] : [];
}
