import { handle } from "../../../../../server/api/handle.ts";
import { authenticationOptionsResponse } from "../../../../../server/auth/staff-http.ts";
import { appContext } from "../../../../../server/context.ts";

export const dynamic = "force-dynamic";

/** Options for signing in with a passkey (a challenge bound to this browser by a cookie). */
export const POST = handle(async () => authenticationOptionsResponse(await appContext()));
