/**
 * Reading a stored event's arguments (./events.ts) with the type each projection expects, and
 * writing rows in statements PostgreSQL accepts: shared by the main projection and the custody one.
 * A wrong type is a decoder or ABI mismatch, so it throws and the step is not committed.
 */
import type { EventArg } from "./events.ts";

type Args = Readonly<Record<string, EventArg>>;

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters per statement. */
export const ROWS_PER_STATEMENT = 2_000;

export function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function field(args: Args, key: string, event: string): EventArg {
  const value = args[key];
  if (value === undefined) throw new TypeError(`${event}.${key} is missing`);
  return value;
}

export function text(args: Args, key: string, event: string): string {
  const value = field(args, key, event);
  if (typeof value !== "string") throw new TypeError(`${event}.${key} should be text, got ${String(value)}`);
  return value;
}

export function integer(args: Args, key: string, event: string): number {
  const value = field(args, key, event);
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number)) {
    throw new TypeError(`${event}.${key} should be a whole number, got ${String(value)}`);
  }
  return number;
}
