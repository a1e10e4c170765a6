/**
 * The HTTP surface of staff and their passkeys (docs/API.md, "Staff and passkeys"):
 *
 * - GET /api/staff: the organisation's staff, pending invitations and what each role may do;
 * - POST /api/staff/invitations {name, role}: an invitation; the answer holds its link, once;
 * - DELETE /api/staff/invitations/<id>: cancels a pending invitation;
 * - PATCH /api/staff/<id> {role}: changes a member's role (effective at their next request);
 * - DELETE /api/staff/<id>: removes a member (their passkeys and sessions stop at once);
 * - POST /api/auth/passkey/register/options {invitation}, then /register/verify {invitation,
 *   response}: the invited person creates their passkey and is signed in;
 * - POST /api/auth/passkey/options, then /verify {response}: sign-in with a passkey.
 *
 * Managing staff needs the organisation's administrator: the organisation signed in with its
 * wallet, or a staff member with the admin role; never an API token.
 */
import { z } from "zod";
import type {
  PasskeySignInResponse,
  StaffInvitationIssued,
  StaffListResponse,
  StaffRole,
} from "../../lib/api-types.ts";
import { ApiError, jsonResponse } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import { parseQuery } from "../read/input.ts";
import { passkeyOrigin, publicOrigin, requireContentType } from "./origin.ts";
import {
  authenticationOptions,
  PASSKEY_COOKIE,
  passkeyCookie,
  registerPasskey,
  registrationOptions,
  signInWithPasskey,
  type PasskeySession,
} from "./passkeys.ts";
import { readBodyAs } from "./requestBody.ts";
import { readCookie, requireParty, sessionCookie, type Party } from "./session.ts";
import {
  cancelInvitation,
  changeStaffRole,
  inviteStaff,
  isStaffRole,
  listStaff,
  removeStaff,
  roleAllows,
  STAFF_ROLES,
} from "./staff.ts";
import { TOKEN_SCOPES } from "./scopes.ts";
import { carriesApiToken } from "./tokens.ts";

const MAX_BODY_BYTES = 4 * 1024;
/** A passkey's answer carries an attestation object and client data: a few KiB, far less than this. */
const MAX_PASSKEY_BODY_BYTES = 64 * 1024;

const ROLE_NAMES = Object.keys(STAFF_ROLES).join(", ");

const personName = z
  .string()
  .trim()
  .min(1, "give the person's name")
  .max(120, "at most 120 characters")
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), "no control characters");
const role = z.string().refine(isStaffRole, `one of ${ROLE_NAMES}`);

const inviteBody = z.object({ name: personName, role }).strict();
const roleBody = z.object({ role }).strict();

/** Who made a change, for the record: "person:<address>" (the organisation's wallet) or "staff:<id>" (a staff admin). */
export function actorOf(party: Party): string {
  const staff = party.session.staff;
  return staff === undefined ? `person:${party.address.toLowerCase()}` : `staff:${staff.id}`;
}

/**
 * The organisation's administrator: signed in for a participant organisation with its wallet, or
 * as a staff member whose role is admin. 403 STAFF_ADMIN_ONLY for other staff, 403
 * TOKENS_NEED_A_PERSON for an API token.
 */
export async function requireOrganisationAdministrator(
  ctx: AppContext,
  request: Request,
  what: string,
): Promise<Party> {
  if (carriesApiToken(request)) {
    throw new ApiError(
      403,
      "TOKENS_NEED_A_PERSON",
      `An API token cannot ${what}: sign in for the organisation on the dashboard to do that.`,
    );
  }
  const party = await requireParty(ctx, request, ["REGULATOR", "MANUFACTURER", "DISTRIBUTOR", "PHARMACY"]);
  const staff = party.session.staff;
  if (staff !== undefined && !STAFF_ROLES[staff.role].manages) {
    throw new ApiError(
      403,
      "STAFF_ADMIN_ONLY",
      `Only your organisation's administrators may ${what}; ${staff.name} is ${STAFF_ROLES[staff.role].label.toLowerCase()}, who may: ${roleAllows(staff.role)}.`,
      { details: { role: staff.role } },
    );
  }
  return party;
}

function rolesTable(): StaffListResponse["roles"] {
  return Object.fromEntries(
    Object.entries(STAFF_ROLES).map(([name, definition]) => [
      name,
      {
        label: definition.label,
        scopes: [...definition.scopes],
        allows: definition.scopes.map((scope) => TOKEN_SCOPES[scope]),
        manages: definition.manages,
      },
    ]),
  ) as StaffListResponse["roles"];
}

export async function staffResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireOrganisationAdministrator(ctx, request, "see the staff list");
  parseQuery(z.object({}).strict(), new URL(request.url).searchParams);
  const answer: StaffListResponse = { ...(await listStaff(ctx, party.address)), roles: rolesTable() };
  return jsonResponse(answer);
}

export async function inviteResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireOrganisationAdministrator(ctx, request, "invite staff");
  requireContentType(request, ["application/json"], "An invitation");
  const body = await readBodyAs(request, inviteBody, {
    maxBytes: MAX_BODY_BYTES,
    what: "An invitation",
    expected: `Send JSON {name, role}: the person's name and their role (${ROLE_NAMES}).`,
  });
  const { invitation, token } = await inviteStaff(
    ctx,
    party.address,
    { name: body.name, role: body.role as StaffRole },
    actorOf(party),
  );
  const answer: StaffInvitationIssued = { invitation, link: invitationLink(token) };
  return jsonResponse(answer, { status: 201 });
}

/** The link an invited person opens: on the passkey origin, where their passkey will belong. */
export function invitationLink(token: string): string {
  return new URL(`/invite/${token}`, passkeyOrigin()).toString();
}

function staffIdOf(raw: string): string {
  if (!/^stf_[A-Za-z0-9_-]{10,40}$/.test(raw)) {
    throw new ApiError(400, "INVALID_ID", `A staff member is named by their id, stf_... (got '${raw.slice(0, 40)}').`);
  }
  return raw;
}

export async function changeRoleResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const party = await requireOrganisationAdministrator(ctx, request, "change a role");
  const id = staffIdOf(rawId);
  requireContentType(request, ["application/json"], "A role change");
  const body = await readBodyAs(request, roleBody, {
    maxBytes: MAX_BODY_BYTES,
    what: "A role change",
    expected: `Send JSON {role}: one of ${ROLE_NAMES}.`,
  });
  return jsonResponse(await changeStaffRole(ctx, party.address, id, body.role as StaffRole));
}

export async function removeStaffResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const party = await requireOrganisationAdministrator(ctx, request, "remove staff");
  const id = staffIdOf(rawId);
  await removeStaff(ctx, party.address, id, actorOf(party));
  return jsonResponse({ removed: id });
}

export async function cancelInvitationResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const party = await requireOrganisationAdministrator(ctx, request, "cancel an invitation");
  const id = /^[1-9]\d{0,8}$/.test(rawId) ? Number(rawId) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new ApiError(400, "INVALID_ID", `An invitation is named by its number (got '${rawId.slice(0, 40)}').`);
  }
  await cancelInvitation(ctx, party.address, id);
  return jsonResponse({ cancelled: id });
}

// ------------------------------------------------------------------ passkey ceremonies

const invitationToken = z.string().min(1).max(200);
/** The browser's answer as @simplewebauthn/browser gives it; SimpleWebAuthn checks its contents. */
const credentialJson = z
  .object({
    id: z.string().min(1).max(1024),
    rawId: z.string().min(1).max(1024),
    type: z.literal("public-key"),
    response: z.record(z.string(), z.unknown()),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .passthrough();

const EXPECTED_CREDENTIAL = "the passkey's answer as the browser gave it (@simplewebauthn/browser's result)";

/** The options with the cookie that binds their challenge to this browser. */
function withChallengeCookie(body: unknown, clientSecret: string): Response {
  return jsonResponse(body, { headers: { "set-cookie": passkeyCookie(clientSecret, publicOrigin()) } });
}

function signedIn(ctx: AppContext, result: PasskeySession): Response {
  const answer: PasskeySignInResponse = {
    token: result.token,
    address: result.address,
    chainId: result.chainId,
    expiresAt: result.expiresAt.toISOString(),
    staff: result.staff,
  };
  const headers = new Headers();
  headers.append("set-cookie", sessionCookie(result.token, result.expiresAt, publicOrigin(), ctx.now()));
  headers.append("set-cookie", `${PASSKEY_COOKIE}=; Path=/api/auth; Max-Age=0; HttpOnly; SameSite=Strict`);
  return jsonResponse(answer, { headers });
}

export async function registrationOptionsResponse(ctx: AppContext, request: Request): Promise<Response> {
  requireContentType(request, ["application/json"], "A passkey request");
  const body = await readBodyAs(request, z.object({ invitation: invitationToken }).strict(), {
    maxBytes: MAX_BODY_BYTES,
    what: "A passkey request",
    expected: "Send JSON {invitation}: the token of your invitation link (after /invite/).",
  });
  const { options, clientSecret } = await registrationOptions(ctx, body.invitation);
  return withChallengeCookie(options, clientSecret);
}

export async function registrationVerifyResponse(ctx: AppContext, request: Request): Promise<Response> {
  requireContentType(request, ["application/json"], "A new passkey");
  const body = await readBodyAs(request, z.object({ invitation: invitationToken, response: credentialJson }).strict(), {
    maxBytes: MAX_PASSKEY_BODY_BYTES,
    what: "A new passkey",
    expected: `Send JSON {invitation, response}: your invitation's token and ${EXPECTED_CREDENTIAL}.`,
  });
  const result = await registerPasskey(
    ctx,
    body.invitation,
    body.response as never,
    readCookie(request, PASSKEY_COOKIE),
  );
  return signedIn(ctx, result);
}

export async function authenticationOptionsResponse(ctx: AppContext): Promise<Response> {
  const { options, clientSecret } = await authenticationOptions(ctx);
  return withChallengeCookie(options, clientSecret);
}

export async function authenticationVerifyResponse(ctx: AppContext, request: Request): Promise<Response> {
  requireContentType(request, ["application/json"], "A passkey sign-in");
  const body = await readBodyAs(request, z.object({ response: credentialJson }).strict(), {
    maxBytes: MAX_PASSKEY_BODY_BYTES,
    what: "A passkey sign-in",
    expected: `Send JSON {response}: ${EXPECTED_CREDENTIAL}.`,
  });
  const result = await signInWithPasskey(ctx, body.response as never, readCookie(request, PASSKEY_COOKIE));
  return signedIn(ctx, result);
}
