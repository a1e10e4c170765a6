/**
 * The GS1 Digital Link resolver for this host: /01/<gtin>/10/<lot>/21/<serial>?17=<YYMMDD>, and
 * its variants (without the lot, with other query attributes). A phone camera that reads the QR
 * code on a label opens this URL; the verdict is rendered on the server, so the answer shows at
 * once, even without JavaScript. The URL is handed to the same parser as every other code form.
 */
import type { Metadata } from "next";
import { headers } from "next/headers";
import { checkPackCode } from "../../verify/check";
import { PatientCheck } from "../../verify/PatientCheck";
import { publicOrigin } from "../../labels/public-origin";

export const metadata: Metadata = {
  title: "Check your medicine",
  robots: { index: false, follow: false },
};

export const dynamic = "force-dynamic";

/** Next hands the path segments over percent-decoded (once); the Digital Link parser wants them as written. */
function digitalLinkOf(origin: string, path: string[], query: Record<string, string | string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) search.append(key, v);
  }
  const queryText = search.toString();
  return `${origin}/01/${path.map((segment) => encodeURIComponent(segment)).join("/")}${queryText ? `?${queryText}` : ""}`;
}

export default async function DigitalLinkPage({
  params,
  searchParams,
}: {
  params: Promise<{ path: string[] }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ path }, query] = await Promise.all([params, searchParams]);
  const origin = publicOrigin(await headers());
  const result = await checkPackCode(digitalLinkOf(origin, path, query));
  return <PatientCheck result={result} />;
}
