import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { issueTokenResponse, tokensResponse } from "../../../server/auth/tokens-http.ts";

export const dynamic = "force-dynamic";

/** The API tokens the signed-in organisation created for its systems (never the tokens themselves). */
export const GET = handle(async (request: Request) => tokensResponse(await appContext(), request));

/** Creates a token for a system: {label, scopes}; the answer holds the token, once. */
export const POST = handle(async (request: Request) => issueTokenResponse(await appContext(), request));
