/**
 * What a verdict says to people: one headline and what to do next, for a patient checking a pack
 * at home ("verify") or a pharmacist at the counter ("dispense"). Plain words, no jargon; a
 * potential falsification is worded as the EU verification system words it, something to
 * investigate, never "fake"; UNAVAILABLE says plainly that it says nothing about the medicine.
 */
import type { VerdictResult } from "@pedigree/ledger";
import type { VerifyResponse } from "../../lib/api-types.ts";

export interface VerdictWords {
  headline: string;
  advice: string;
}

const STATE_WORDS: Record<string, string> = {
  DISPENSED: "dispensed",
  DESTROYED: "destroyed",
  STOLEN: "reported stolen",
  SAMPLE: "taken as a sample",
  EXPORTED: "exported",
  LOCKED: "locked",
};

const DAY_MONTH_YEAR = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/**
 * A date as people write it ("31 October 2026") from an ISO date or timestamp. The ledger's days
 * are UTC days (expiry dates have no time zone), so the date is the UTC one; a value that is not
 * a date is returned as it came rather than hidden.
 */
export function humanDate(iso: string): string {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(time) ? iso : DAY_MONTH_YEAR.format(time);
}

/**
 * What an alert adds to the verdict's headline for the investigator: what the label says against
 * the record, or when and by whom the pack was already taken out of circulation.
 */
export function alertDetail(body: Pick<VerifyResponse, "mismatch" | "decommissioned">): string {
  if (body.mismatch !== undefined) {
    const { field, label, record } = body.mismatch;
    const show = field === "expiry" ? humanDate : (value: string) => value;
    const recorded = Array.isArray(record) ? record.map(show).join(", ") : show(record);
    return field === "expiry"
      ? `The label's expiry date is ${show(label)}; the record says ${recorded}.`
      : `The label's lot is ${label}; the record says lot ${recorded}.`;
  }
  if (body.decommissioned) {
    const state = STATE_WORDS[body.decommissioned.state] ?? body.decommissioned.state.toLowerCase();
    const by = body.decommissioned.by?.name;
    return `It was ${state} on ${humanDate(body.decommissioned.at)}${by ? ` by ${by}` : ""}.`;
  }
  return "";
}

/** `manifestMissing`: UNAVAILABLE because the batch's serial list is not on this server (not an outage). */
export function wordsFor(
  decision: VerdictResult,
  purpose: "verify" | "dispense",
  manifestMissing = false,
): VerdictWords {
  const { facts } = decision;
  const pharmacist = purpose === "dispense";
  const reason = (text: string | undefined) => (text ? ` (${text})` : "");
  switch (decision.verdict) {
    case "GENUINE":
      return pharmacist
        ? {
            headline: "Genuine and active: this pack may be supplied.",
            advice: "Dispense it on the ledger as you hand it over, so it cannot be supplied again.",
          }
        : {
            headline: "This pack is genuine.",
            advice:
              "It is registered by its manufacturer and has not been handed out to a patient yet. " +
              "Use it as your doctor or pharmacist told you.",
          };
    case "DISPENSED":
      return pharmacist
        ? {
            headline: "This pack has already been dispensed.",
            advice:
              "Do not supply it. A pack already dispensed is a potential falsification to investigate: set it aside " +
              "and report it. If your pharmacy dispensed it by mistake, undo the dispense (possible within 10 days).",
          }
        : {
            headline: "This pack is genuine and was handed out by a pharmacy.",
            advice:
              "That is what a medicine you received from a pharmacy should show. If you did not get it from a " +
              "pharmacy, do not take it and show it to a pharmacist.",
          };
    case "DECOMMISSIONED": {
      const state = STATE_WORDS[facts.decommissioned?.state ?? ""] ?? "taken out of circulation";
      return pharmacist
        ? {
            headline: `This pack was ${state} and must not be supplied.`,
            advice:
              "Set it aside and report it: a pack taken out of circulation is a potential falsification to investigate.",
          }
        : {
            headline: `This pack is no longer in circulation: it was ${state}.`,
            advice: "Do not take this medicine. Take it back to a pharmacy and ask for a replacement.",
          };
    }
    case "RECALLED":
      return pharmacist
        ? {
            headline: `This batch has been recalled${reason(facts.recall?.reason)}.`,
            advice: "Do not supply it. Keep the stock apart and return it to the manufacturer.",
          }
        : {
            headline: "This medicine has been recalled.",
            advice: "Do not take this medicine; return it to your pharmacy. They will give you a replacement.",
          };
    case "SUSPENDED":
      return pharmacist
        ? {
            headline: `This batch is suspended${reason(facts.suspension?.reason)}.`,
            advice: "Do not supply it until it is reinstated. Keep the stock apart.",
          }
        : {
            headline: "This batch is on hold while it is being checked.",
            advice: "Do not start this pack for now. Ask your pharmacist whether to wait or to get a replacement.",
          };
    case "QUARANTINED": {
      // The batch's quarantine has a reason on record; a pack's or unit's own is the holder's or a regulator's step.
      const batch = facts.quarantine?.pack !== true;
      return pharmacist
        ? {
            headline: batch
              ? `This batch is quarantined${reason(facts.quarantine?.reason)}.`
              : "This pack is quarantined, or the case or pallet it is in.",
            advice:
              "Do not supply it while the quarantine lasts: keep it apart, unmoved, until it is cleared or found " +
              "illegitimate.",
          }
        : {
            headline: "This medicine is held back while it is being checked.",
            advice: "Do not start this pack for now. Ask your pharmacist whether to wait or to get a replacement.",
          };
    }
    case "EXPIRED":
      return pharmacist
        ? {
            headline: expiredHeadline(facts.expiredOn ?? facts.batch?.expiry),
            advice: "Do not supply it. Return it or destroy it as expired stock.",
          }
        : {
            headline: "This medicine is past its expiry date.",
            advice: "Do not take it. Take it back to a pharmacy so it can be disposed of safely.",
          };
    case "MISMATCH": {
      const field = facts.mismatch?.field === "expiry" ? "expiry date" : "batch (lot) number";
      return pharmacist
        ? {
            headline: `The ${field} on the label does not match the manufacturer's record.`,
            advice:
              "Do not supply it. This is a potential falsification to investigate: set the pack aside and report it.",
          }
        : {
            headline: `The ${field} printed on this pack does not match the manufacturer's record.`,
            advice: "Do not take this medicine. Take it to a pharmacy so it can be looked into.",
          };
    }
    case "UNKNOWN_SERIAL":
      return pharmacist
        ? {
            headline: "This serial number is not in the batch's serial list.",
            advice:
              "Do not supply it. This is a potential falsification to investigate: set the pack aside and report it.",
          }
        : {
            headline: "We could not find this pack's serial number in the manufacturer's record.",
            advice: "Do not take this medicine. Take it to a pharmacy so it can be looked into.",
          };
    case "UNKNOWN_PRODUCT": {
      const what = facts.unknown === "batch" ? "batch" : "product";
      return pharmacist
        ? {
            headline: `This ${what} is not registered on the ledger.`,
            advice:
              "Do not supply it until it is cleared: it is a potential falsification to investigate. Check the code " +
              "was read correctly, then set the pack aside and report it.",
          }
        : {
            headline: `This ${what} is not in the custody record.`,
            advice:
              "This service may not cover it, or the pack may need checking. Ask your pharmacist to check it before " +
              "you take it.",
          };
    }
    case "UNAVAILABLE": {
      if (manifestMissing) {
        return {
          headline: "This pack's serial number cannot be checked here yet.",
          advice: pharmacist
            ? "The batch is on the ledger but its serial list has not been uploaded to this server. Do not dispense " +
              "until it can be verified; ask the manufacturer to upload the list."
            : "This says nothing about the medicine itself. Ask your pharmacist to check the pack.",
        };
      }
      return {
        headline: "We cannot check this pack right now.",
        advice: pharmacist
          ? "The custody record cannot be read at the moment; this is not a sign of falsification. Try again " +
            "shortly and do not dispense until the pack is verified."
          : "This says nothing about the medicine itself. Try again in a few minutes, or ask your pharmacist to " +
            "check the pack.",
      };
    }
    case "INVALID_CODE":
      return pharmacist
        ? {
            headline: "This is not a pack code we can read.",
            advice: "Scan the pack's 2D code again, or type the GTIN, lot, expiry and serial printed beside it.",
          }
        : {
            headline: "We could not read this code.",
            advice:
              "Scan the square code on the box again, holding the phone steady, or type the code printed beside it.",
          };
  }
}

function expiredHeadline(expiry: string | undefined): string {
  return expiry === undefined ? "This pack has expired." : `This pack expired on ${humanDate(expiry)}.`;
}
