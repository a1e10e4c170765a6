import { Link } from "../ui/link.tsx";
import type { ReactNode } from "react";

/**
 * The frame of the app's own answers when there is no page to show (not found, failed): the
 * name, what happened in plain words, and the ways on. Plain markup, so both the server's
 * not-found page and the browser's error boundary can draw it.
 */
export function StatusPage({ heading, children, testId }: { heading: string; children: ReactNode; testId?: string }) {
  return (
    <div className="min-h-screen bg-slate-50">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-xl items-center gap-2 px-4 py-3 font-semibold text-slate-900">
          <svg viewBox="0 0 24 24" className="h-7 w-7 text-sky-800" aria-hidden="true" fill="currentColor">
            <path d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z" />
          </svg>
          Pedigree
        </div>
      </header>
      <main className="mx-auto flex max-w-xl flex-col gap-4 px-4 py-8" data-testid={testId}>
        <h1 className="text-2xl font-semibold text-slate-900">{heading}</h1>
        <div className="space-y-3 text-lg text-slate-700">{children}</div>
        <nav aria-label="Where to go" className="mt-2 flex flex-wrap gap-3">
          <Link
            href="/verify"
            className="rounded-lg bg-sky-800 px-4 py-2 font-medium text-white hover:bg-sky-900 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
          >
            Check a medicine pack
          </Link>
          <Link
            href="/"
            className="rounded-lg border border-slate-400 bg-white px-4 py-2 font-medium text-slate-900 hover:bg-slate-100 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
          >
            Pedigree home
          </Link>
        </nav>
      </main>
    </div>
  );
}
