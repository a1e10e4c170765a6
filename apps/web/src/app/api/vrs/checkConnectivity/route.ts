import { handle } from "../../../../server/api/handle.ts";
import { appContext } from "../../../../server/context.ts";
import { vrsConnectivityResponse } from "../../../../server/vrs/http.ts";

export const dynamic = "force-dynamic";

/** The VRS responder's connectivity check, also served at /vrs/checkConnectivity (src/app/vrs/...). */
export const GET = handle(async (request: Request) => vrsConnectivityResponse(appContext, request));
