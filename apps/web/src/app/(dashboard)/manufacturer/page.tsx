import { ManufacturerPage } from "@/components/batches/manufacturer.tsx";
import { PageData } from "@/server/page-data.tsx";

/** Read with the page: the manufacturer's products, each one's batches, and the directory (forms). */
export default function Page() {
  return (
    <PageData
      plan={async (reads, client, party) => {
        if (party.role !== "MANUFACTURER") return;
        await Promise.all([
          client.prefetchQuery(reads.participants()),
          client
            .fetchQuery(reads.products(party.address))
            .then((found) =>
              Promise.all(found.products.map((product) => client.prefetchQuery(reads.search(product.gtin)))),
            ),
        ]);
      }}
    >
      <ManufacturerPage />
    </PageData>
  );
}
