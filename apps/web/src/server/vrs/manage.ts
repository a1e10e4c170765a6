/**
 * The manufacturer's side of the VRS responder, for its dashboard:
 *
 * - GET /api/vrs-credentials: the API credentials it issued (never the tokens);
 * - POST /api/vrs-credentials {partnerGln, label}: issues one; the answer holds the token, once;
 * - DELETE /api/vrs-credentials/{id}: revokes one (its next request is refused 403);
 * - GET /api/vrs-requests?perPage=&before=: the requests partners made about its GTINs, newest first,
 *   with the answers (a regulator reads every request).
 *
 * Each reads the signed-in party's role on chain per call (requireParty), as every privileged route does.
 */
import { isValidGln } from "@pedigree/gs1";
import { z } from "zod";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { requireContentType } from "../auth/origin.ts";
import { readBodyAs } from "../auth/requestBody.ts";
import { requireParty } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import { parseQuery } from "../read/input.ts";
import { issueCredential, listCredentials, listRequests, revokeCredential } from "./store.ts";

const MAX_BODY_BYTES = 4 * 1024;

const issueBody = z
  .object({
    partnerGln: z
      .string()
      .regex(/^\d{13}$/, "a GLN has 13 digits")
      .refine(isValidGln, "the GLN's check digit is wrong"),
    label: z
      .string()
      .trim()
      .min(1, "say who the credential is for")
      .max(120, "at most 120 characters")
      .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), "no control characters"),
  })
  .strict();

export async function credentialsResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireParty(ctx, request, ["MANUFACTURER"]);
  parseQuery(z.object({}).strict(), new URL(request.url).searchParams);
  return jsonResponse({ credentials: await listCredentials(ctx, party.address) });
}

export async function issueCredentialResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireParty(ctx, request, ["MANUFACTURER"]);
  requireContentType(request, ["application/json"], "A credential request");
  const body = await readBodyAs(request, issueBody, {
    maxBytes: MAX_BODY_BYTES,
    what: "A credential request",
    expected: "Send JSON {partnerGln, label}: the partner's GLN (13 digits) and who it is for.",
  });
  const issued = await issueCredential(ctx, party.address, body.partnerGln, body.label);
  return jsonResponse(issued, { status: 201 });
}

export async function revokeCredentialResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const party = await requireParty(ctx, request, ["MANUFACTURER"]);
  const id = /^[1-9]\d{0,8}$/.test(rawId) ? Number(rawId) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new ApiError(400, "INVALID_ID", `A credential is named by its number (got '${rawId.slice(0, 40)}').`);
  }
  const revoked = await revokeCredential(ctx, party.address, id);
  if (revoked === undefined) {
    throw new ApiError(404, "CREDENTIAL_NOT_FOUND", `You issued no credential number ${id}.`);
  }
  return jsonResponse(revoked);
}

const requestsQuery = z
  .object({
    perPage: z.coerce.number().int().min(1).max(200).default(50),
    before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

export async function requestsResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireParty(ctx, request, ["MANUFACTURER", "REGULATOR"]);
  const query = parseQuery(requestsQuery, new URL(request.url).searchParams);
  const requests = await listRequests(ctx, party.role === "REGULATOR" ? undefined : party.address, {
    perPage: query.perPage,
    ...(query.before === undefined ? {} : { before: query.before }),
  });
  const last = requests.at(-1);
  return jsonResponse({
    requests,
    before: requests.length === query.perPage && last !== undefined ? last.id : null,
  });
}
