import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { requestsResponse } from "../../../server/vrs/manage.ts";

export const dynamic = "force-dynamic";

/** The VRS requests partners made about the signed-in manufacturer's GTINs, with the answers (?perPage=&before=). */
export const GET = handle(async (request: Request) => requestsResponse(await appContext(), request));
