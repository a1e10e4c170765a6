import { handle } from "../../../../../../server/api/handle.ts";
import { registrationOptionsResponse } from "../../../../../../server/auth/staff-http.ts";
import { appContext } from "../../../../../../server/context.ts";

/** Options for creating the passkey of an invitation {invitation}. */
export const POST = handle(async (request: Request) => registrationOptionsResponse(await appContext(), request));
