import { BatchView } from "@/components/audit/batch-view.tsx";

export default async function Page({ params }: { params: Promise<{ gtin: string; lot: string }> }) {
  const { gtin, lot } = await params;
  return <BatchView gtin={gtin} lot={decodeURIComponent(lot)} />;
}
