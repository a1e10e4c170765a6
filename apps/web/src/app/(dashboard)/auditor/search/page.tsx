import { SearchBox, SearchResults } from "@/components/audit/search.tsx";
import { PageHeader, Section } from "@/components/ui/card.tsx";
import { Notice } from "@/components/ui/notice.tsx";

export const metadata = { title: "Search" };

export default async function Page({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const { q } = await searchParams;
  // A hand-edited or doubled link can name q more than once: say so rather than pick one.
  const repeated = Array.isArray(q);
  const term = repeated ? "" : (q ?? "").trim();
  return (
    <>
      <PageHeader title="Search" />
      <Section title="Search the custody record">
        <div className="space-y-4">
          <SearchBox initial={term} />
          {repeated ? (
            <Notice tone="warning" title="One search at a time" testId="search-repeated">
              The address asks for {q.length} searches at once ({q.map((one) => `“${one}”`).join(", ")}). Type the one
              you want in the box above.
            </Notice>
          ) : (
            <SearchResults q={term} />
          )}
        </div>
      </Section>
    </>
  );
}
