import type { Metadata } from "next";
import { ProductView } from "@/components/audit/product-view.tsx";
import { ReadFailure } from "@/components/audit/read-failure.tsx";
import type { ProductResponse } from "@/lib/api/read.ts";
import { appContext } from "@/server/context.ts";
import { pageSegment } from "@/server/request-path.ts";
import { getProduct } from "@/server/read/audit.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ gtin: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Product ${pageSegment((await params).gtin)}` };
}

export default async function Page({ params }: { params: Params }) {
  const gtin = pageSegment((await params).gtin);
  let data: ProductResponse;
  try {
    data = await getProduct(await appContext(), gtin);
  } catch (error) {
    return <ReadFailure title={`Product ${gtin}`} error={error} />;
  }
  return <ProductView data={data} />;
}
