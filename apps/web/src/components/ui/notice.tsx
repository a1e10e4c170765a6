import type { ReactNode } from "react";

const TONES = {
  info: { box: "border-sky-300 bg-sky-50 text-sky-950", icon: "ℹ", label: "Note" },
  success: { box: "border-emerald-300 bg-emerald-50 text-emerald-950", icon: "✓", label: "Done" },
  warning: { box: "border-amber-300 bg-amber-50 text-amber-950", icon: "⚠", label: "Warning" },
  error: { box: "border-red-300 bg-red-50 text-red-950", icon: "✕", label: "Error" },
} as const;

export type Tone = keyof typeof TONES;

/** A message box whose meaning is carried by its icon and a hidden label as well as its colour. */
export function Notice({
  tone = "info",
  title,
  children,
  className = "",
  testId,
}: {
  tone?: Tone;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
  testId?: string;
}) {
  const style = TONES[tone];
  return (
    <div
      role={tone === "error" || tone === "warning" ? "alert" : "status"}
      data-testid={testId}
      className={`flex gap-3 rounded-md border px-3 py-2.5 text-sm ${style.box} ${className}`}
    >
      <span aria-hidden="true" className="mt-px font-bold">
        {style.icon}
      </span>
      <div className="min-w-0 flex-1 space-y-1 break-words">
        <span className="sr-only">{style.label}: </span>
        {title ? <p className="font-semibold">{title}</p> : null}
        {children ? <div>{children}</div> : null}
      </div>
    </div>
  );
}
