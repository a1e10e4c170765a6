/**
 * The dashboard's reads as react-query options: one key, path and refresh rule per read. The
 * browser runs them through fetch (`browserReads`); the server runs the same ones for the first
 * page it renders (server/page-data.ts), so the page arrives with its data and the browser's
 * cache starts where the server left it.
 */
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type {
  AlertsResponse,
  LedgerStatusResponse,
  ParticipantsResponse,
  PartyResponse,
  ProductsResponse,
  RecallsResponse,
  SearchResponse,
} from "./api/read.ts";
import { getJson, readPaths } from "./client-api.ts";

/** Reads refresh on their own: the indexer follows the chain a block or two behind. */
const LIVE = { refetchInterval: 5_000 } as const;

/** GET an API path as JSON: `fetch` in the browser, the route's own handler on the server. */
export type ReadJson = <T>(path: string) => Promise<T>;

export function readQueries(read: ReadJson) {
  return {
    participants: () =>
      queryOptions({
        queryKey: ["participants"],
        queryFn: () => read<ParticipantsResponse>(readPaths.participants()),
        staleTime: 30_000,
      }),
    /** Whether the ledger is paused, and why: the banner asks while the chain says it is. */
    ledger: () =>
      queryOptions({
        queryKey: ["ledger"],
        queryFn: () => read<LedgerStatusResponse>(readPaths.ledger()),
        ...LIVE,
      }),
    products: (manufacturer?: string) =>
      queryOptions({
        queryKey: ["products", manufacturer?.toLowerCase() ?? "all"],
        queryFn: () => read<ProductsResponse>(readPaths.products(manufacturer)),
      }),
    party: (address: string) =>
      queryOptions({
        queryKey: ["party", address.toLowerCase()],
        queryFn: () => read<PartyResponse>(readPaths.party(address)),
        ...LIVE,
      }),
    /** The auditor's search. */
    search: (q: string) =>
      queryOptions({
        queryKey: ["search", q],
        queryFn: () => read<SearchResponse>(readPaths.search(q)),
      }),
    /** The latest alerts, as the audit page shows them. */
    latestAlerts: () =>
      queryOptions({
        queryKey: ["alerts"],
        queryFn: () => read<AlertsResponse>(readPaths.alerts()),
        refetchInterval: 10_000,
      }),
    /** The alerts the filters in `query` match, a page at a time (the alerts page). */
    alertPages: (query: string) =>
      infiniteQueryOptions({
        queryKey: ["alerts", query],
        queryFn: ({ pageParam }) => {
          const page = new URLSearchParams(query);
          if (pageParam !== null) page.set("nextPageToken", pageParam);
          return read<AlertsResponse>(readPaths.alerts(page.toString()));
        },
        initialPageParam: null as string | null,
        getNextPageParam: (last) => last.nextPageToken,
        refetchInterval: 30_000,
      }),
    recalls: () =>
      queryOptions({
        queryKey: ["recalls"],
        queryFn: () => read<RecallsResponse>(readPaths.recalls()),
        refetchInterval: 10_000,
      }),
  };
}

export type ReadQueries = ReturnType<typeof readQueries>;

export const browserReads: ReadQueries = readQueries(getJson);
