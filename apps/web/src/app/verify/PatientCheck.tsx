/**
 * The patient's page frame, shared by /verify and the GS1 Digital Link route: phone-first,
 * plain words, no wallet and no login. With a result, the verdict comes first and the scanner
 * follows ("check another pack"); without one, the scanner is the page.
 */
import Link from "next/link";
import type { VerifyResponse } from "@/lib/api-types";
import { readPackCode, uppercaseSerialReading, type PackCodeEntry } from "@/lib/pack-code";
import { VerdictCard } from "@/components/verdict/VerdictCard";
import { PatientScanner } from "./PatientScanner";

/** A typed code whose serial has small letters, in capitals: what the pack most likely says. */
function uppercaseOf(code: string | undefined): { serial: string; code: string } | undefined {
  if (code === undefined) return undefined;
  const reading = readPackCode(code);
  return reading.ok ? uppercaseSerialReading(reading.value) : undefined;
}

export function PatientCheck({
  result,
  code,
  entry = "scanned",
}: {
  result: VerifyResponse | null;
  /** The code as it came, for the result's follow-ups. */
  code?: string;
  entry?: PackCodeEntry;
}) {
  const upper = entry === "typed" ? uppercaseOf(code) : undefined;
  return (
    <div className="min-h-screen bg-slate-50">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-xl items-center justify-between gap-3 px-4 py-3">
          <Link
            href="/verify"
            className="flex items-center gap-2 rounded font-semibold text-slate-900 focus-visible:outline-3 focus-visible:outline-sky-700"
          >
            <svg viewBox="0 0 24 24" className="h-7 w-7 text-sky-800" aria-hidden="true" fill="currentColor">
              <path d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z" />
            </svg>
            Pedigree
          </Link>
          <span className="text-sm text-slate-600">Medicine check</span>
        </div>
      </header>

      <main className="mx-auto flex max-w-xl flex-col gap-6 px-4 py-6">
        {result ? (
          <>
            <h1 className="sr-only">Result of your medicine check</h1>
            <VerdictCard
              verification={result}
              audience="patient"
              headingLevel={2}
              entry={entry}
              uppercaseCheck={
                upper && (
                  <Link
                    href={`/verify?code=${encodeURIComponent(upper.code)}&entry=typed`}
                    className="inline-flex min-h-11 items-center rounded-xl bg-slate-900 px-5 font-semibold text-white hover:bg-slate-800 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
                    data-testid="check-uppercase"
                  >
                    Check&nbsp;<span className="font-mono">{upper.serial}</span>
                  </Link>
                )
              }
            />
            <section aria-labelledby="again-heading" className="rounded-2xl border border-slate-200 bg-white p-5">
              <h2 id="again-heading" className="text-lg font-semibold text-slate-900">
                Check another pack
              </h2>
              <div className="mt-4">
                <PatientScanner />
              </div>
            </section>
          </>
        ) : (
          <>
            <div>
              <h1 className="text-2xl font-semibold text-slate-900">Check your medicine</h1>
              <p className="mt-2 text-lg text-slate-700">
                Scan the square code printed on the box to see whether the pack is genuine and safe to use.
              </p>
            </div>
            <section aria-label="Scan or type the code" className="rounded-2xl border border-slate-200 bg-white p-5">
              <PatientScanner />
            </section>
          </>
        )}
        <p className="text-sm text-slate-600">
          Checking a pack records nothing about you. The answer comes from the custody record kept by the maker, the
          wholesalers and the pharmacies that handled this medicine.
        </p>
      </main>
    </div>
  );
}
