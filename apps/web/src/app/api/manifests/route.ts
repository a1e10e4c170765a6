/**
 * Serial list upload. Keep this path outside any middleware (proxy.ts) matcher: middleware buffers
 * request bodies (10 MB by default), which would break uploads of large lists.
 */
import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { uploadManifestResponse } from "../../../server/manifests/upload.ts";

export const POST = handle(async (request: Request) => uploadManifestResponse(await appContext(), request));
