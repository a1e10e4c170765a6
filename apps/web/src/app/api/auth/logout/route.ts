import { handle } from "../../../../server/api/handle.ts";
import { logoutResponse } from "../../../../server/auth/http.ts";
import { appContext } from "../../../../server/context.ts";

export const POST = handle(async (request: Request) => logoutResponse(await appContext(), request));
