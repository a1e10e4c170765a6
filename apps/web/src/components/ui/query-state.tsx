"use client";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Notice } from "./notice.tsx";

/**
 * Loading, error and empty states of one API read, so every list says what is happening
 * instead of staying blank.
 */
export function QueryState<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  /** "shipments", "stock"...: used in the messages. */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      // No pulse on the words themselves: text faded by an animation drops below the contrast a
      // reader needs (WCAG 1.4.3) for half of each beat.
      <p className="text-sm text-slate-600" role="status">
        Loading {what}…
      </p>
    );
  }
  if (query.isError) {
    return (
      <Notice tone="error" title={`Could not load ${what}`}>
        {query.error instanceof Error ? query.error.message : String(query.error)}
      </Notice>
    );
  }
  if (isEmpty?.(query.data)) {
    return (
      <div
        className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-600"
        data-state="empty"
      >
        {empty ?? `No ${what} yet.`}
      </div>
    );
  }
  return <>{children(query.data)}</>;
}
