import { handle } from "../../../../server/api/handle.ts";
import { verifyResponse } from "../../../../server/auth/http.ts";
import { appContext } from "../../../../server/context.ts";

export const POST = handle(async (request: Request) => verifyResponse(await appContext(), request));
