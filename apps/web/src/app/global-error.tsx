"use client";
/** The last resort when even the root layout failed: it replaces the layout, so it brings its own html. */
import "./globals.css";
import { StatusPage } from "@/components/shell/status-page.tsx";

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <StatusPage heading="Pedigree could not be shown" testId="global-error">
          <p>Something went wrong on our side. Nothing you did caused this; try again in a minute.</p>
          {error.digest ? (
            <p className="text-sm text-slate-600">If it keeps happening, tell the operator: error {error.digest}.</p>
          ) : null}
        </StatusPage>
      </body>
    </html>
  );
}
