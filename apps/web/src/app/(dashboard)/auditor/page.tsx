import { AuditorHome } from "@/components/audit/auditor-home.tsx";
import { PageHeader } from "@/components/ui/card.tsx";
import { PageData } from "@/server/page-data.tsx";

export const metadata = { title: "Audit" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Audit"
        description="Search the custody record, follow any batch from manufacturer to patient, and export it."
      />
      <PageData
        plan={(reads, client) =>
          Promise.all([client.prefetchQuery(reads.latestAlerts()), client.prefetchQuery(reads.recalls())])
        }
      >
        <AuditorHome />
      </PageData>
    </>
  );
}
