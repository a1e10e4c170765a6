import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { signingResponse } from "../../../server/signer/http.ts";

export const dynamic = "force-dynamic";

/** Whether this server signs the signed-in organisation's writes (its key is held here), and which operations it may ask for. */
export const GET = handle(async (request: Request) => signingResponse(await appContext(), request));
