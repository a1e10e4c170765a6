import { handle } from "../../../../../server/api/handle.ts";
import { cancelInvitationResponse } from "../../../../../server/auth/staff-http.ts";
import { appContext } from "../../../../../server/context.ts";

/** Cancels a pending invitation: its link stops working. */
export const DELETE = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  cancelInvitationResponse(await appContext(), request, (await params).id),
);
