import type { Metadata } from "next";
import { headers } from "next/headers";
import { ProductView } from "@/components/audit/product-view.tsx";
import { ReadFailure } from "@/components/audit/read-failure.tsx";
import type { ProductResponse } from "@/lib/api/read.ts";
import { appContext } from "@/server/context.ts";
import { pageSegment } from "@/server/request-path.ts";
import { requirePartyOnPage } from "@/server/auth/session.ts";
import { PARTICIPANT_ROLES, requireRegulator, seesEverything } from "@/server/read/access.ts";
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
    const ctx = await appContext();
    const viewer = await requirePartyOnPage(ctx, await headers(), PARTICIPANT_ROLES);
    data = await getProduct(ctx, gtin);
    // A product's batches and where their units are: its manufacturer's and the regulator's to read.
    if (!seesEverything(viewer) && data.product.manufacturer.address !== viewer.session.address.toLowerCase()) {
      requireRegulator(viewer, "A product's page, with where all its batches are,");
    }
  } catch (error) {
    return <ReadFailure title={`Product ${gtin}`} error={error} />;
  }
  return <ProductView data={data} />;
}
