import { handle } from "../../../../server/api/handle.ts";
import { nonceResponse } from "../../../../server/auth/http.ts";
import { appContext } from "../../../../server/context.ts";

export const GET = handle(async (request: Request) => nonceResponse(await appContext()));
