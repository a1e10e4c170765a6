import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import { credentialsResponse, issueCredentialResponse } from "../../../server/vrs/manage.ts";

export const dynamic = "force-dynamic";

/** The VRS API credentials the signed-in manufacturer issued to its trading partners (never their tokens). */
export const GET = handle(async (request: Request) => credentialsResponse(await appContext(), request));

/** Issues a credential for a partner's GLN: {partnerGln, label}; the answer holds the token, once. */
export const POST = handle(async (request: Request) => issueCredentialResponse(await appContext(), request));
