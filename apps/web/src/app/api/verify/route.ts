import { handle } from "@/server/api/errors";
import { appContext } from "@/server/context";
import { verifyResponse } from "@/server/verify/http";

export const dynamic = "force-dynamic";

/** Verify a pack code (any GS1 form): ?code=...&purpose=verify|dispense&history=1. */
export const GET = handle(async (request: Request) => verifyResponse(appContext, request));
