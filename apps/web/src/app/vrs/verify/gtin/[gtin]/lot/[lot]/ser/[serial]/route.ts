import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { vrsVerifyResponse } from "@/server/vrs/http";

export const dynamic = "force-dynamic";

/**
 * The VRS responder's verification request (GS1 Lightweight Messaging) at the base URL partners use,
 * <origin>/vrs; the same handler answers /api/vrs/... (where the API's tests reach it). See docs/INTEROP.md.
 */
export const GET = handle(
  async (request: Request, { params }: { params: Promise<{ gtin: string; lot: string; serial: string }> }) =>
    vrsVerifyResponse(appContext, request, await params),
);
