/**
 * How each verdict looks: a tone (colour), an icon and a short label, so the answer never rests
 * on colour alone. Headline and advice come from the server (VerifyResponse); these are the
 * words around them.
 */
import type { VerdictName, VerifyResponse } from "@/lib/api-types";

export type Tone = "good" | "info" | "warning" | "danger" | "neutral";
export type IconName = "check" | "bag" | "stop" | "alert" | "clock" | "question" | "cloud-off" | "barcode-off";

export interface VerdictPresentation {
  tone: Tone;
  icon: IconName;
  /** Two to four words, shown large next to the icon. */
  label: string;
}

export const VERDICT_PRESENTATION: Record<VerdictName, VerdictPresentation> = {
  GENUINE: { tone: "good", icon: "check", label: "Genuine pack" },
  DISPENSED: { tone: "info", icon: "bag", label: "Already dispensed" },
  DECOMMISSIONED: { tone: "danger", icon: "stop", label: "Withdrawn from use" },
  RECALLED: { tone: "danger", icon: "stop", label: "Recalled" },
  SUSPENDED: { tone: "warning", icon: "alert", label: "On hold" },
  QUARANTINED: { tone: "warning", icon: "alert", label: "Quarantined" },
  EXPIRED: { tone: "danger", icon: "clock", label: "Expired" },
  MISMATCH: { tone: "danger", icon: "alert", label: "Label does not match" },
  UNKNOWN_SERIAL: { tone: "danger", icon: "question", label: "Pack not on record" },
  UNKNOWN_PRODUCT: { tone: "danger", icon: "question", label: "Product not on record" },
  UNAVAILABLE: { tone: "neutral", icon: "cloud-off", label: "Cannot check right now" },
  INVALID_CODE: { tone: "neutral", icon: "barcode-off", label: "Not a pack code" },
};

/** What a card says instead of the server's words, when the page knows more than the server did. */
export interface VerdictOverride extends VerdictPresentation {
  /** Names the override on the card (data-presentation), e.g. "typed-check". */
  id: string;
  headline: string;
  advice: string;
}

/** Verdicts a typing slip produces: the code names no pack on record, or another lot or expiry. */
const TYPING_SLIP_VERDICTS: ReadonlySet<VerdictName> = new Set(["UNKNOWN_SERIAL", "UNKNOWN_PRODUCT", "MISMATCH"]);

/**
 * A typed code that matches nothing is most often mistyped (most verification alerts are scanner
 * or typing faults): the card asks to check what was typed first, and gives the server's advice
 * for the case that it matches the pack exactly.
 */
export function typedCodeOverride(
  v: Pick<VerifyResponse, "verdict" | "advice">,
  audience: "patient" | "pharmacist",
): VerdictOverride | undefined {
  if (!TYPING_SLIP_VERDICTS.has(v.verdict)) return undefined;
  const what = v.verdict === "MISMATCH" ? "does not match the record of this pack" : "matches no pack on record";
  const again = audience === "pharmacist" ? "type it again or scan the pack's square code" : "type it again";
  return {
    id: "typed-check",
    tone: "warning",
    icon: "question",
    label: "Check what you typed",
    headline: `The code you typed ${what}.`,
    advice: `Compare each character with the text printed on the pack, then ${again}. If it matches the pack exactly: ${v.advice}`,
  };
}

/** Tailwind classes per tone; text/background pairs meet WCAG AA contrast. */
export const TONE_CLASSES: Record<Tone, { banner: string; panel: string; ring: string }> = {
  good: { banner: "bg-emerald-700 text-white", panel: "bg-emerald-50 text-emerald-950", ring: "border-emerald-700" },
  info: { banner: "bg-sky-800 text-white", panel: "bg-sky-50 text-sky-950", ring: "border-sky-800" },
  warning: { banner: "bg-amber-300 text-amber-950", panel: "bg-amber-50 text-amber-950", ring: "border-amber-500" },
  danger: { banner: "bg-red-700 text-white", panel: "bg-red-50 text-red-950", ring: "border-red-700" },
  neutral: { banner: "bg-slate-700 text-white", panel: "bg-slate-100 text-slate-900", ring: "border-slate-700" },
};
