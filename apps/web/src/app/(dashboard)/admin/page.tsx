import { AdminPage } from "@/components/admin/admin.tsx";
import { PageData } from "@/server/page-data.tsx";

/** Read with the page: every participant. */
export default function Page() {
  return (
    <PageData
      plan={async (reads, client, party) => {
        if (party.role === "ADMIN") await client.prefetchQuery(reads.participants());
      }}
    >
      <AdminPage />
    </PageData>
  );
}
