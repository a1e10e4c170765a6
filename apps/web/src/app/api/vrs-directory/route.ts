import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { directoryResponse, putDirectoryEntryResponse } from "../../../server/vrs/directory.ts";

export const dynamic = "force-dynamic";

/** The VRS lookup directory: every entry, or with ?gtin= the responder that answers for that GTIN (longest prefix). */
export const GET = handle(async (request: Request) => directoryResponse(await appContext(), request));

/** Adds or changes the signed-in manufacturer's entry {prefix, responderUrl} for a company prefix or GTIN it owns. */
export const PUT = handle(async (request: Request) => putDirectoryEntryResponse(await appContext(), request));
