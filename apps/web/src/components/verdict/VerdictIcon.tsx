import type { IconName } from "./presentation";

const PATHS: Record<IconName, string> = {
  check: "M20 6 9 17l-5-5",
  bag: "M6 7h12l1 13H5L6 7Zm3 0V6a3 3 0 0 1 6 0v1M9 13l2 2 4-4",
  stop: "M7.9 2h8.2L22 7.9v8.2L16.1 22H7.9L2 16.1V7.9L7.9 2ZM8 12h8",
  alert: "M12 3 2 20h20L12 3Zm0 6v5m0 3h.01",
  clock: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm0 4v5l3 2",
  question: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm-2.5 6.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.5V14m0 3h.01",
  "cloud-off": "M3 3l18 18M8 7a5 5 0 0 1 8.6 2.5A4 4 0 0 1 20 16M17 18H7a4 4 0 0 1-1.5-7.7",
  "barcode-off": "M4 5v14M8 5v14M12 5v6m0 4v4M16 5v14M20 5v14M3 3l18 18",
};

/** A decorative icon: the text next to it carries the meaning for screen readers. */
export function VerdictIcon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2.2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      className={className}
      data-icon={name}
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
