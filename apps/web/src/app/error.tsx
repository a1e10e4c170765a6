"use client";
/**
 * What a page shows when rendering it failed on our side (the server logged the error; the
 * browser gets only its digest). Never a verdict about a pack: the patient pages answer
 * "unavailable" themselves when the record cannot be read.
 */
import { StatusPage } from "@/components/shell/status-page.tsx";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage heading="This page could not be shown" testId="page-error">
      <p>Something went wrong on our side while preparing it. Nothing you did caused this.</p>
      <p>
        <button
          type="button"
          onClick={reset}
          className="rounded-lg border border-slate-400 bg-white px-4 py-2 font-medium text-slate-900 hover:bg-slate-100"
        >
          Try again
        </button>
      </p>
      {error.digest ? (
        <p className="text-sm text-slate-600">If it keeps happening, tell the operator: error {error.digest}.</p>
      ) : null}
    </StatusPage>
  );
}
