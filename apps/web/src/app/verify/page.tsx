import type { Metadata } from "next";
import { checkPackCode } from "./check";
import { PatientCheck } from "./PatientCheck";

export const metadata: Metadata = {
  title: "Check your medicine",
  // A verification page names one pack's serial: keep it out of search engines.
  robots: { index: false, follow: false },
};

export const dynamic = "force-dynamic";

export default async function VerifyPage({
  searchParams,
}: {
  searchParams: Promise<{ code?: string | string[]; entry?: string | string[] }>;
}) {
  const { code, entry } = await searchParams;
  const text = Array.isArray(code) ? code[0] : code;
  if (text === undefined || text.trim() === "") return <PatientCheck result={null} />;
  // The scanner marks what a person typed; a code that comes without the mark was scanned.
  const typed = (Array.isArray(entry) ? entry[0] : entry) === "typed";
  return <PatientCheck result={await checkPackCode(text)} code={text} entry={typed ? "typed" : "scanned"} />;
}
