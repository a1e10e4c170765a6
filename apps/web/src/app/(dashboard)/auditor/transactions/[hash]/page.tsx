import type { Metadata } from "next";
import { headers } from "next/headers";
import { ReadFailure } from "@/components/audit/read-failure.tsx";
import { TransactionView } from "@/components/audit/transaction-view.tsx";
import type { TransactionResponse } from "@/lib/api/read.ts";
import { appContext } from "@/server/context.ts";
import { pageSegment } from "@/server/request-path.ts";
import { requirePartyOnPage } from "@/server/auth/session.ts";
import { PARTICIPANT_ROLES, requireRegulator } from "@/server/read/access.ts";
import { getTransaction } from "@/server/read/audit.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ hash: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Transaction ${pageSegment((await params).hash)}` };
}

export default async function Page({ params }: { params: Params }) {
  const hash = pageSegment((await params).hash);
  let data: TransactionResponse;
  try {
    const ctx = await appContext();
    // A transaction's events may span any party's batches: the regulator's view.
    const viewer = await requirePartyOnPage(ctx, await headers(), PARTICIPANT_ROLES);
    requireRegulator(viewer, "A transaction's page");
    data = await getTransaction(ctx, hash, viewer);
  } catch (error) {
    return <ReadFailure title="Transaction" error={error} />;
  }
  return <TransactionView data={data} />;
}
