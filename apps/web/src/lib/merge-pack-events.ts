/**
 * Pack events that one transaction emitted for one batch, in one state, merged into one timeline
 * entry. Pure, so the server (a party's activity) and the browser (a batch's timeline) share it.
 */
import type { TimelineEntry } from "./api-types.ts";

const PACK_EVENTS = new Set(["PackDecommissioned", "PackReactivated"]);
/** How many serials a merged entry spells out. */
const SERIALS_SHOWN = 8;

/**
 * Pack events that one transaction emitted for one batch, in one state (a pharmacy dispensing
 * several packs at once), as one entry: "Central Pharmacy marked 12 packs as dispensed: ABC1,
 * ABC7…", naming the packs whose serial the entries carry (those the viewer may see), in pack
 * order. A timeline would otherwise be filled by one busy afternoon at the counter.
 */
export function mergePackEvents<E extends TimelineEntry>(entries: readonly E[]): E[] {
  const merged: E[] = [];
  const packsOf = new Map<E, { index: number; serial: string | undefined }[]>();
  for (const entry of entries) {
    const last = merged.at(-1);
    const state = entry.details.state ?? entry.details.previousState;
    const { index, serial } = entry.details;
    const pack = { index: Number(index), serial: typeof serial === "string" ? serial : undefined };
    if (
      last !== undefined &&
      PACK_EVENTS.has(entry.eventName) &&
      last.eventName === entry.eventName &&
      last.transactionHash === entry.transactionHash &&
      last.batchId === entry.batchId &&
      (last.details.state ?? last.details.previousState) === state
    ) {
      packsOf.get(last)!.push(pack);
      continue;
    }
    const copy = { ...entry, details: { ...entry.details } };
    merged.push(copy);
    if (PACK_EVENTS.has(entry.eventName)) packsOf.set(copy, [pack]);
  }
  for (const [entry, packs] of packsOf) {
    if (packs.length < 2) continue;
    const by = entry.parties.by?.name ?? entry.parties.by?.address ?? "An unknown account";
    const state = String(entry.details.state ?? entry.details.previousState ?? "").toLowerCase();
    const named = packs
      .filter((pack) => pack.serial !== undefined)
      .sort((a, b) => a.index - b.index)
      .slice(0, SERIALS_SHOWN)
      .map((pack) => pack.serial);
    const rest = packs.length - named.length;
    const list = named.length === 0 ? "" : `${named.join(", ")}${rest > 0 ? ` and ${rest} more` : ""}`;
    entry.summary =
      entry.eventName === "PackReactivated"
        ? `${by} undid the ${state} status of ${packs.length} packs${list ? ` (${list})` : ""}; they are active again`
        : `${by} marked ${packs.length} packs as ${state}${list ? `: ${list}` : ""}`;
    delete entry.details.index;
    delete entry.details.serial;
    entry.details.packs = packs.length;
  }
  return merged;
}
