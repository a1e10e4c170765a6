/**
 * The first page's data, read on the server: a dashboard page names the reads it shows
 * (lib/read-queries.ts), they run here while the page renders, and the page arrives with its
 * tables filled; the browser's react-query cache starts from them (HydrationBoundary) and keeps
 * them fresh as before. Without this, a page showed its data after three waits in a row: the
 * scripts, the wallet reconnecting and the browser's chain reads, then the API.
 *
 * Each read is answered by the API route the browser would have called, with this page request's
 * own headers (its session cookie, its host, its client address): the same checks of the session,
 * the role, what the viewer may see and the per-client limits. A refused or failed read is simply
 * not passed on; the browser then makes it and shows what the API says.
 */
import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { GET as alerts } from "@/app/api/alerts/route.ts";
import { GET as participants } from "@/app/api/participants/route.ts";
import { GET as party } from "@/app/api/parties/[address]/route.ts";
import { GET as products } from "@/app/api/products/route.ts";
import { GET as recalls } from "@/app/api/recalls/route.ts";
import { GET as search } from "@/app/api/search/route.ts";
import { ApiRequestError } from "@/lib/client-api.ts";
import { readQueries, type ReadQueries } from "@/lib/read-queries.ts";
import type { PageSession } from "@/lib/wallet/page-session.tsx";
import type { PartyRecord } from "@/lib/wallet/party.ts";
import { pageSession } from "./auth/page-session.ts";
import { publicOrigin } from "./auth/origin.ts";

/** The API routes a page's reads go to (lib/client-api.ts's readPaths). */
const ROUTES: [RegExp, (request: Request, match: RegExpExecArray) => Promise<Response>][] = [
  [/^\/api\/participants$/, (request) => participants(request)],
  [/^\/api\/products$/, (request) => products(request)],
  [
    /^\/api\/parties\/([^/]+)$/,
    (request, match) => party(request, { params: Promise.resolve({ address: decodeURIComponent(match[1]!) }) }),
  ],
  [/^\/api\/alerts$/, (request) => alerts(request)],
  [/^\/api\/recalls$/, (request) => recalls(request)],
  [/^\/api\/search$/, (request) => search(request)],
];

function serverRead(pageHeaders: Headers) {
  return async <T,>(path: string): Promise<T> => {
    const url = new URL(path, publicOrigin());
    const route = ROUTES.map(([pattern, answer]) => ({ match: pattern.exec(url.pathname), answer })).find(
      (r) => r.match !== null,
    );
    if (route === undefined) throw new Error(`No route answers ${url.pathname} on the server.`);
    const response = await route.answer(new Request(url, { headers: pageHeaders }), route.match!);
    const body = (await response.json()) as T & { error?: { code: string; message: string } };
    if (!response.ok)
      throw new ApiRequestError(response.status, body.error?.code ?? "HTTP_ERROR", body.error?.message ?? "");
    return body;
  };
}

/** What a page reads for the signed-in party: `client.prefetchQuery(reads.x(...))`, in parallel where it can. */
export type PagePlan = (
  reads: ReadQueries,
  client: QueryClient,
  party: PartyRecord,
  session: PageSession,
) => Promise<unknown>;

/** Renders `children` with the reads of `plan` made for the page's signed-in party (none without one). */
export async function PageData({ plan, children }: { plan: PagePlan; children: ReactNode }) {
  const session = await pageSession();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  if (session?.party) {
    const reads = readQueries(serverRead(new Headers(await headers())));
    // A read that fails is left to the browser, which shows the API's answer.
    await plan(reads, client, session.party, session).catch(() => undefined);
  }
  return <HydrationBoundary state={dehydrate(client)}>{children}</HydrationBoundary>;
}
