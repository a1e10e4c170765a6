import { handle } from "../../../../server/api/handle.ts";
import { appContext } from "../../../../server/context.ts";
import { revokeTokenResponse } from "../../../../server/auth/tokens-http.ts";

export const dynamic = "force-dynamic";

/** Revokes one of the organisation's API tokens: its next request is refused (403 TOKEN_REVOKED). */
export const DELETE = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  revokeTokenResponse(await appContext(), request, (await params).id),
);
