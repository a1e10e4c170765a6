import type { Metadata } from "next";
import { checkPackCode } from "./check";
import { PatientCheck } from "./PatientCheck";

export const metadata: Metadata = {
  title: "Check your medicine",
  // A verification page names one pack's serial: keep it out of search engines.
  robots: { index: false, follow: false },
};

export const dynamic = "force-dynamic";

export default async function VerifyPage({ searchParams }: { searchParams: Promise<{ code?: string | string[] }> }) {
  const { code } = await searchParams;
  const text = Array.isArray(code) ? code[0] : code;
  const result = text !== undefined && text.trim() !== "" ? await checkPackCode(text) : null;
  return <PatientCheck result={result} />;
}
