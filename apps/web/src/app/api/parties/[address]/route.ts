import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** A party's stock by product and batch, and its incoming and outgoing shipments by status. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ address: string }> }) =>
  readApi.party(await appContext(), request, (await params).address),
);
