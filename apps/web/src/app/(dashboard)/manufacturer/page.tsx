import { ManufacturerPage } from "@/components/batches/manufacturer.tsx";
import { PageData } from "@/server/page-data.tsx";

/** Read with the page: the manufacturer's products with their batches (one read), and the directory (forms). */
export default function Page() {
  return (
    <PageData
      plan={async (reads, client, party) => {
        if (party.role !== "MANUFACTURER") return;
        await Promise.all([
          client.prefetchQuery(reads.participants()),
          client.prefetchQuery(reads.products(party.address)),
        ]);
      }}
    >
      <ManufacturerPage />
    </PageData>
  );
}
