import { SearchBox, SearchResults } from "@/components/audit/search.tsx";
import { PageHeader, Section } from "@/components/ui/card.tsx";

export const metadata = { title: "Search" };

export default async function Page({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  const q = ((await searchParams).q ?? "").trim();
  return (
    <>
      <PageHeader title="Search" />
      <Section title="Search the custody record">
        <div className="space-y-4">
          <SearchBox initial={q} />
          <SearchResults q={q} />
        </div>
      </Section>
    </>
  );
}
