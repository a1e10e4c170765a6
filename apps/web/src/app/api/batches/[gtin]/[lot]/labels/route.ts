import { handle } from "@/server/api/handle";
import { publicOrigin } from "@/server/auth/origin";
import { requireParty } from "@/server/auth/session";
import { appContext } from "@/server/context";
import { paperOf } from "@/app/labels/label-layout";
import { firstPack, labelPdfResponse } from "@/app/labels/label-sheet";

/**
 * The batch's pack labels as one PDF (?paper=a4|letter|roll&from=<pack index>): for the batch's
 * manufacturer only, signed in, as the label sheet (/labels/<gtin>/<lot>) is.
 */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ gtin: string; lot: string }> }) => {
  const ctx = await appContext();
  const manufacturer = await requireParty(ctx, request, ["MANUFACTURER"]);
  const { gtin, lot } = await params;
  const query = new URL(request.url).searchParams;
  const wanted = { paper: paperOf(query.get("paper") ?? undefined), from: firstPack(query.get("from") ?? undefined) };
  return labelPdfResponse(ctx.db, gtin, lot, wanted, publicOrigin().origin, manufacturer.session.address);
});
