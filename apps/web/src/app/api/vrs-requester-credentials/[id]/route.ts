import { handle } from "../../../../server/api/handle.ts";
import { appContext } from "../../../../server/context.ts";
import { deleteRequesterCredentialResponse } from "../../../../server/vrs/requester-credentials.ts";

export const dynamic = "force-dynamic";

/** Forgets one of the signed-in distributor's responder credentials. */
export const DELETE = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  deleteRequesterCredentialResponse(await appContext(), request, (await params).id),
);
