import { handle } from "../../../../server/api/handle.ts";
import { inviteResponse } from "../../../../server/auth/staff-http.ts";
import { appContext } from "../../../../server/context.ts";

/** Invites a person {name, role}; the answer holds the one-time link, once. */
export const POST = handle(async (request: Request) => inviteResponse(await appContext(), request));
