import { handle } from "../../../../../../server/api/handle.ts";
import { registrationVerifyResponse } from "../../../../../../server/auth/staff-http.ts";
import { appContext } from "../../../../../../server/context.ts";

/** Registers the invited person's new passkey {invitation, response}, uses the invitation and signs them in. */
export const POST = handle(async (request: Request) => registrationVerifyResponse(await appContext(), request));
