import { StockPage } from "@/components/shipments/stock-page.tsx";
import { PageData } from "@/server/page-data.tsx";

/** Read with the page: the party's stock and shipments, and the directory (the ship forms). */
export default function Page() {
  return (
    <PageData
      plan={async (reads, client, party) => {
        if (party.role !== "MANUFACTURER" && party.role !== "DISTRIBUTOR" && party.role !== "PHARMACY") return;
        await Promise.all([
          client.prefetchQuery(reads.party(party.address)),
          client.prefetchQuery(reads.participants()),
        ]);
      }}
    >
      <StockPage />
    </PageData>
  );
}
