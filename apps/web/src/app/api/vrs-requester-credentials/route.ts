import { handle } from "../../../server/api/handle.ts";
import { appContext } from "../../../server/context.ts";
import {
  putRequesterCredentialResponse,
  requesterCredentialsResponse,
} from "../../../server/vrs/requester-credentials.ts";

export const dynamic = "force-dynamic";

/** The credentials the signed-in distributor keeps for VRS responders (never the tokens). */
export const GET = handle(async (request: Request) => requesterCredentialsResponse(await appContext(), request));

/** Stores (encrypted) the credential a manufacturer issued for its responder: {responderUrl, token, label?}. */
export const PUT = handle(async (request: Request) => putRequesterCredentialResponse(await appContext(), request));
