import { handle } from "../../../server/api/errors.ts";
import { appContext } from "../../../server/context.ts";
import { verifyResponse } from "../../../server/verify/http.ts";

export const dynamic = "force-dynamic";

/** Verify a pack code (any GS1 form): ?code=...&purpose=verify|dispense&history=1. */
export const GET = handle(async (request: Request) => verifyResponse(appContext, request));
