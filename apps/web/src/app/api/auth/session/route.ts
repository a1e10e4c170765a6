import { handle } from "../../../../server/api/handle.ts";
import { sessionResponse } from "../../../../server/auth/http.ts";
import { appContext } from "../../../../server/context.ts";

export const GET = handle(async (request: Request) => sessionResponse(await appContext(), request));
