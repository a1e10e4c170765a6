import { handle } from "../../../server/api/handle.ts";
import { staffResponse } from "../../../server/auth/staff-http.ts";
import { appContext } from "../../../server/context.ts";

export const dynamic = "force-dynamic";

/** The organisation's staff, its pending invitations and what each role may do (its administrator only). */
export const GET = handle(async (request: Request) => staffResponse(await appContext(), request));
