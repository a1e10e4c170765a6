import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { createWriteResponse, writesResponse } from "../../../server/signer/http.ts";

export const dynamic = "force-dynamic";

/** The organisation's writes through its server's key, newest first (?status=&perPage=&before=). */
export const GET = handle(async (request: Request) => writesResponse(await appContext(), request));

/** Asks the server to sign a ledger write: {operation, arguments} and an Idempotency-Key header; 202 with its status URL. */
export const POST = handle(async (request: Request) => createWriteResponse(await appContext(), request));
