/**
 * Pack events that one transaction emitted for one batch, in one state, merged into one timeline
 * entry. Pure, so the server (a party's activity) and the browser (a batch's timeline) share it.
 */
import type { TimelineEntry } from "./api-types.ts";

const PACK_EVENTS = new Set(["PackDecommissioned", "PackReactivated"]);
/** How many pack numbers a merged entry spells out. */
const PACK_NUMBERS_SHOWN = 8;

/**
 * Pack events that one transaction emitted for one batch, in one state (a pharmacy dispensing
 * several packs at once), as one entry: "Central Pharmacy marked 12 packs as dispensed: #3, #4…".
 * A timeline would otherwise be filled by one busy afternoon at the counter.
 */
export function mergePackEvents<E extends TimelineEntry>(entries: readonly E[]): E[] {
  const merged: E[] = [];
  const indexes = new Map<E, number[]>();
  for (const entry of entries) {
    const last = merged.at(-1);
    const state = entry.details.state ?? entry.details.previousState;
    if (
      last !== undefined &&
      PACK_EVENTS.has(entry.eventName) &&
      last.eventName === entry.eventName &&
      last.transactionHash === entry.transactionHash &&
      last.batchId === entry.batchId &&
      (last.details.state ?? last.details.previousState) === state
    ) {
      indexes.get(last)!.push(Number(entry.details.index));
      continue;
    }
    const copy = { ...entry, details: { ...entry.details } };
    merged.push(copy);
    if (PACK_EVENTS.has(entry.eventName)) indexes.set(copy, [Number(entry.details.index)]);
  }
  for (const [entry, packs] of indexes) {
    if (packs.length < 2) continue;
    packs.sort((a, b) => a - b);
    const by = entry.parties.by?.name ?? entry.parties.by?.address ?? "An unknown account";
    const state = String(entry.details.state ?? entry.details.previousState ?? "").toLowerCase();
    const numbers = packs
      .slice(0, PACK_NUMBERS_SHOWN)
      .map((i) => `#${i}`)
      .join(", ");
    const rest = packs.length > PACK_NUMBERS_SHOWN ? ` and ${packs.length - PACK_NUMBERS_SHOWN} more` : "";
    entry.summary =
      entry.eventName === "PackReactivated"
        ? `${by} undid the ${state} status of ${packs.length} packs (${numbers}${rest}); they are active again`
        : `${by} marked ${packs.length} packs as ${state}: ${numbers}${rest}`;
    delete entry.details.index;
    entry.details.packs = packs.length;
  }
  return merged;
}
