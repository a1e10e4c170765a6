import { handle } from "../../../../../server/api/handle.ts";
import { authenticationVerifyResponse } from "../../../../../server/auth/staff-http.ts";
import { appContext } from "../../../../../server/context.ts";

/** Signs a staff member in with their passkey's answer {response}: a session, as the cookie and in the body. */
export const POST = handle(async (request: Request) => authenticationVerifyResponse(await appContext(), request));
