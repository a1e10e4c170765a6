import { BatchView } from "@/components/audit/batch-view.tsx";
import { pageSegment } from "@/server/request-path.ts";

export default async function Page({ params }: { params: Promise<{ gtin: string; lot: string }> }) {
  const { gtin, lot } = await params;
  return <BatchView gtin={pageSegment(gtin)} lot={pageSegment(lot)} />;
}
