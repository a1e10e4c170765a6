/**
 * The organisation's management of its systems' API tokens:
 *
 * - GET /api/tokens: the tokens it created (never the tokens themselves);
 * - POST /api/tokens {label, scopes}: creates one; the answer holds the token, once;
 * - DELETE /api/tokens/<id>: revokes one, effective at its next request.
 *
 * Only the organisation's administrator manages tokens (the organisation signed in with its wallet,
 * or a staff member with the admin role: ./staff-http.ts), and only for an organisation this server
 * holds the key of: a token asks this server to sign. A token cannot create or revoke tokens.
 */
import { z } from "zod";
import { ApiError, jsonResponse } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { parseQuery } from "../read/input.ts";
import { requireOrganisationKey } from "../signer/http.ts";
import { requireContentType } from "./origin.ts";
import { readBodyAs } from "./requestBody.ts";
import type { Party } from "./session.ts";
import { actorOf, requireOrganisationAdministrator } from "./staff-http.ts";
import { isTokenScope, issueToken, listTokens, revokeToken, TOKEN_SCOPES } from "./tokens.ts";

const MAX_BODY_BYTES = 4 * 1024;

const issueBody = z
  .object({
    label: z
      .string()
      .trim()
      .min(1, "say which system the token is for")
      .max(120, "at most 120 characters")
      .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), "no control characters"),
    scopes: z
      .array(z.string().refine(isTokenScope, `one of ${Object.keys(TOKEN_SCOPES).join(", ")}`))
      .min(1, "give the token at least one scope")
      .max(Object.keys(TOKEN_SCOPES).length),
  })
  .strict();

/** The organisation's administrator (its wallet, or a staff admin), for an organisation whose key this server holds. */
async function requireOrganisationAdmin(ctx: AppContext, request: Request): Promise<Party> {
  const party = await requireOrganisationAdministrator(ctx, request, "create or revoke tokens");
  requireOrganisationKey(ctx, party.address, party.legalName);
  return party;
}

export async function tokensResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireOrganisationAdmin(ctx, request);
  parseQuery(z.object({}).strict(), new URL(request.url).searchParams);
  return jsonResponse({ tokens: await listTokens(ctx, party.address), scopes: TOKEN_SCOPES });
}

export async function issueTokenResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireOrganisationAdmin(ctx, request);
  requireContentType(request, ["application/json"], "A token request");
  const body = await readBodyAs(request, issueBody, {
    maxBytes: MAX_BODY_BYTES,
    what: "A token request",
    expected: `Send JSON {label, scopes}: who the token is for, and what it may do (${Object.keys(TOKEN_SCOPES).join(", ")}).`,
  });
  const issued = await issueToken(
    ctx,
    party.address,
    { label: body.label, scopes: body.scopes.filter(isTokenScope) },
    actorOf(party),
  );
  return jsonResponse(issued, { status: 201 });
}

export async function revokeTokenResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const party = await requireOrganisationAdmin(ctx, request);
  const id = /^[1-9]\d{0,8}$/.test(rawId) ? Number(rawId) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new ApiError(400, "INVALID_ID", `A token is named by its number (got '${rawId.slice(0, 40)}').`);
  }
  const revoked = await revokeToken(ctx, party.address, id, actorOf(party));
  if (revoked === undefined) throw new ApiError(404, "TOKEN_NOT_FOUND", `Your organisation has no token number ${id}.`);
  return jsonResponse(revoked);
}
