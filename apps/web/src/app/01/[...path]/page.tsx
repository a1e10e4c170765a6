/**
 * The GS1 Digital Link resolver for this host: /01/<gtin>/10/<lot>/21/<serial>?17=<YYMMDD>, and
 * its variants (without the lot, with other query attributes). A phone camera that reads the QR
 * code on a label opens this URL; the verdict is rendered on the server, so the answer shows at
 * once, even without JavaScript. The URL is handed to the same parser as every other code form.
 */
import type { Metadata } from "next";
import { checkPackCode } from "../../verify/check";
import { PatientCheck } from "../../verify/PatientCheck";
import { publicOrigin } from "@/server/auth/origin";
import { pageSegment } from "../../../server/request-path";

export const metadata: Metadata = {
  title: "Check your medicine",
  robots: { index: false, follow: false },
};

export const dynamic = "force-dynamic";

/**
 * The Digital Link this page was opened with, rebuilt for the parser from the values Next read:
 * each path segment decoded once (pageSegment), then every value percent-encoded once again, so
 * the parser, decoding each value once, reads what /api/verify reads for the same link. Next
 * hands over the query decoded the way forms are, a "+" as a space, and keeps no raw copy: a "+"
 * in a query value must come as %2B (as GS1 writes it, and as toDigitalLink does), or it is read
 * as a space and refused.
 */
function digitalLinkOf(origin: string, path: string[], query: Record<string, string | string[] | undefined>): string {
  const segments = path.map((segment) => encodeURIComponent(pageSegment(segment)));
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
    }
  }
  return `${origin}/01/${segments.join("/")}${pairs.length > 0 ? `?${pairs.join("&")}` : ""}`;
}

export default async function DigitalLinkPage({
  params,
  searchParams,
}: {
  params: Promise<{ path: string[] }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ path }, query] = await Promise.all([params, searchParams]);
  const origin = publicOrigin().origin;
  const result = await checkPackCode(digitalLinkOf(origin, path, query));
  return <PatientCheck result={result} />;
}
