const TONES = {
  neutral: "bg-slate-100 text-slate-800 ring-slate-300",
  good: "bg-emerald-50 text-emerald-900 ring-emerald-300",
  warn: "bg-amber-50 text-amber-900 ring-amber-300",
  bad: "bg-red-50 text-red-900 ring-red-300",
  info: "bg-sky-50 text-sky-900 ring-sky-300",
} as const;

const ICONS = { neutral: "•", good: "✓", warn: "⚠", bad: "✕", info: "→" } as const;

export type BadgeTone = keyof typeof TONES;

/** A status word with an icon: colour is never the only signal. */
export function Badge({ tone = "neutral", children }: { tone?: BadgeTone; children: string }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}
    >
      <span aria-hidden="true">{ICONS[tone]}</span>
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, BadgeTone> = {
  ACTIVE: "good",
  RECEIVED: "good",
  GENUINE: "good",
  PENDING: "info",
  SUSPENDED: "warn",
  QUARANTINED: "warn",
  CANCELLED: "neutral",
  REJECTED: "bad",
  RECALLED: "bad",
  EXPIRED: "bad",
  OPEN: "warn",
  INVESTIGATING: "info",
  CLOSED: "neutral",
};

export function StatusBadge({ status }: { status: string }) {
  const word = status.charAt(0) + status.slice(1).toLowerCase().replaceAll("_", " ");
  return <Badge tone={STATUS_TONES[status] ?? "neutral"}>{word}</Badge>;
}
