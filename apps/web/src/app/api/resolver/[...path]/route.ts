import { handle } from "../../../../server/api/handle.ts";
import { appContext } from "../../../../server/context.ts";
import { resolverResponse } from "../../../../server/resolver/resolver.ts";

export const dynamic = "force-dynamic";

/**
 * The GS1 Digital Link resolver's machine answers (linksets, linkType redirects) for /01/...:
 * src/proxy.ts rewrites such requests here, and sends browsers to the patient page.
 */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ path: string[] }> }) =>
  resolverResponse(await appContext(), request, (await params).path),
);
