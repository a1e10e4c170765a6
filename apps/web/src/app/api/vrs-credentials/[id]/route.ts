import { handle } from "../../../../server/api/handle.ts";
import { appContext } from "../../../../server/context.ts";
import { revokeCredentialResponse } from "../../../../server/vrs/manage.ts";

export const dynamic = "force-dynamic";

/** Revokes one of the signed-in manufacturer's VRS credentials: the partner's next request is refused (403). */
export const DELETE = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  revokeCredentialResponse(await appContext(), request, (await params).id),
);
