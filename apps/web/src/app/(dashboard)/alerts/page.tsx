import { AlertsDesk } from "@/components/alerts/alerts-desk.tsx";
import { PageHeader } from "@/components/ui/card.tsx";
import { PageData } from "@/server/page-data.tsx";

export const metadata = { title: "Alerts" };

/** The filters live in the address (status, gtin, reporter, from, to), so a link keeps them. */
export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) {
    // A repeated parameter is passed on as it is: the API says which one, rather than the page picking one.
    for (const one of [value].flat()) query.append(key, one);
  }
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Potential falsifications raised by participants' scans. Investigate each one, then close it with its root cause: a scanner or data error, a genuine pack (false alarm), or a falsified one."
      />
      <PageData
        plan={(reads, client) =>
          Promise.all([
            client.prefetchInfiniteQuery(reads.alertPages(query.toString())),
            client.prefetchQuery(reads.participants()),
          ])
        }
      >
        <AlertsDesk query={query.toString()} />
      </PageData>
    </>
  );
}
