import type { Metadata } from "next";
import { headers } from "next/headers";
import { PartyView } from "@/components/audit/party-view.tsx";
import { ReadFailure } from "@/components/audit/read-failure.tsx";
import { appContext } from "@/server/context.ts";
import { pageSegment } from "@/server/request-path.ts";
import { requirePartyOnPage } from "@/server/auth/session.ts";
import { PARTICIPANT_ROLES, requirePartyAccess } from "@/server/read/access.ts";
import { partyActivity } from "@/server/read/audit.ts";
import { getParty, listProducts } from "@/server/read/directory.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ address: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Party ${pageSegment((await params).address)}` };
}

export default async function Page({ params }: { params: Params }) {
  const address = pageSegment((await params).address);
  let loaded;
  try {
    const ctx = await appContext();
    const viewer = await requirePartyOnPage(ctx, await headers(), PARTICIPANT_ROLES);
    requirePartyAccess(viewer, address);
    const [data, activity] = await Promise.all([
      getParty(ctx, address, new URLSearchParams()),
      partyActivity(ctx, address, viewer),
    ]);
    const products =
      "role" in data.party && data.party.role === "MANUFACTURER"
        ? (await listProducts(ctx, new URLSearchParams({ manufacturer: data.party.address }))).products
        : [];
    loaded = { data, activity, products };
  } catch (error) {
    return <ReadFailure title="Party" error={error} />;
  }
  return <PartyView {...loaded} />;
}
