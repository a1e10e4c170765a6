/**
 * Staff of an organisation: people who sign in with a passkey (./passkeys.ts) and act for their
 * organisation within the scopes of their role, without a wallet (../../../../docs/ARCHITECTURE.md,
 * "Staff and passkeys").
 *
 * - A staff member belongs to one organisation (its participant address) and has one role.
 *   STAFF_ROLES says which write scopes (TOKEN_SCOPES) each role allows; an admin also manages the
 *   staff and the organisation's API tokens.
 * - The organisation's administrator (the organisation signed in with its wallet, or a staff
 *   admin) invites people with a one-time link: 256 random bits, only its SHA-256 stored, valid
 *   for INVITATION_LIFETIME_MS, used once (when its passkey is registered). There is no email:
 *   the link is shown to the administrator, who hands it over.
 * - Removing a member deletes their passkeys and sessions in one transaction, and a session is
 *   checked against its member at each request (../auth/session.ts), so it stops at once; a role
 *   change applies at the member's next request.
 */
import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, gt, isNull } from "drizzle-orm";
import type { Address } from "viem";
import type { StaffInvitationView, StaffMemberView, StaffRole } from "../../lib/api-types.ts";
import { ApiError } from "../api/errors.ts";
import type { AppContext } from "../context.ts";
import type { Database } from "../db/database.ts";
import { sessions, staffInvitations, staffMembers, staffPasskeys } from "../db/schema.ts";
import { hashToken } from "./siwe.ts";

export { isStaffRole, roleAllows, STAFF_ROLES, type StaffRole } from "./scopes.ts";

/** How long an invitation link stays usable: a working week, time to hand it over in person. */
export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** Invitation tokens carry a prefix, as API tokens do, so secret scanners recognise a leaked one. */
export const INVITATION_PREFIX = "pdgi_";

/** The person signed in with a passkey, as their session carries them. */
export interface StaffIdentity {
  id: string;
  name: string;
  role: StaffRole;
}

function memberView(row: typeof staffMembers.$inferSelect, passkeys: number): StaffMemberView {
  return {
    id: row.id,
    name: row.displayName,
    role: row.role as StaffRole,
    createdAt: row.createdAt.toISOString(),
    invitedBy: row.invitedBy,
    passkeys,
  };
}

function invitationView(row: typeof staffInvitations.$inferSelect): StaffInvitationView {
  return {
    id: row.id,
    name: row.displayName,
    role: row.role as StaffRole,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    expiresAt: row.expiresAt.toISOString(),
  };
}

/** A new invitation; the answer holds the token, once (only its hash is kept). */
export function inviteStaff(
  ctx: AppContext,
  organisation: Address,
  input: { name: string; role: StaffRole },
  createdBy: string,
): Promise<{ invitation: StaffInvitationView; token: string }> {
  return createInvitation(ctx.db, organisation, input, createdBy, ctx.now());
}

/** inviteStaff on a database alone (`npm start` invites the demo's staff before the server runs). */
export async function createInvitation(
  db: Database,
  organisation: Address,
  input: { name: string; role: StaffRole },
  createdBy: string,
  now: Date,
): Promise<{ invitation: StaffInvitationView; token: string }> {
  const token = INVITATION_PREFIX + randomBytes(32).toString("base64url");
  const [row] = await db
    .insert(staffInvitations)
    .values({
      organisation: organisation.toLowerCase(),
      displayName: input.name,
      role: input.role,
      tokenHash: hashToken(token),
      createdAt: now,
      createdBy,
      expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
    })
    .returning();
  return { invitation: invitationView(row!), token };
}

/** The organisation's current staff (oldest first) and its invitations still pending (newest first). */
export async function listStaff(
  ctx: AppContext,
  organisation: Address,
): Promise<{ members: StaffMemberView[]; invitations: StaffInvitationView[] }> {
  const org = organisation.toLowerCase();
  const [members, keys, invitations] = await Promise.all([
    ctx.db
      .select()
      .from(staffMembers)
      .where(and(eq(staffMembers.organisation, org), isNull(staffMembers.removedAt)))
      .orderBy(asc(staffMembers.createdAt), asc(staffMembers.id)),
    ctx.db
      .select({ staffId: staffPasskeys.staffId })
      .from(staffPasskeys)
      .innerJoin(staffMembers, eq(staffMembers.id, staffPasskeys.staffId))
      .where(eq(staffMembers.organisation, org)),
    ctx.db
      .select()
      .from(staffInvitations)
      .where(
        and(
          eq(staffInvitations.organisation, org),
          isNull(staffInvitations.usedAt),
          isNull(staffInvitations.cancelledAt),
          gt(staffInvitations.expiresAt, ctx.now()),
        ),
      )
      .orderBy(desc(staffInvitations.id)),
  ]);
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key.staffId, (counts.get(key.staffId) ?? 0) + 1);
  return {
    members: members.map((row) => memberView(row, counts.get(row.id) ?? 0)),
    invitations: invitations.map(invitationView),
  };
}

/** The organisation's member `id` still on its staff, or 404 STAFF_NOT_FOUND (another organisation's is not found either). */
async function currentMember(ctx: AppContext, organisation: Address, id: string) {
  const [row] = await ctx.db
    .select()
    .from(staffMembers)
    .where(
      and(
        eq(staffMembers.id, id),
        eq(staffMembers.organisation, organisation.toLowerCase()),
        isNull(staffMembers.removedAt),
      ),
    );
  if (row === undefined) {
    throw new ApiError(404, "STAFF_NOT_FOUND", `Your organisation has no staff member '${id.slice(0, 40)}'.`);
  }
  return row;
}

export async function changeStaffRole(
  ctx: AppContext,
  organisation: Address,
  id: string,
  role: StaffRole,
): Promise<StaffMemberView> {
  await currentMember(ctx, organisation, id);
  const [row] = await ctx.db.update(staffMembers).set({ role }).where(eq(staffMembers.id, id)).returning();
  const keys = await ctx.db.select().from(staffPasskeys).where(eq(staffPasskeys.staffId, id));
  return memberView(row!, keys.length);
}

/** Removes a member: their passkeys and sessions are deleted with it, so nothing of theirs works after this. */
export async function removeStaff(
  ctx: AppContext,
  organisation: Address,
  id: string,
  removedBy: string,
): Promise<void> {
  await currentMember(ctx, organisation, id);
  await ctx.db.transaction(async (tx) => {
    await tx.update(staffMembers).set({ removedAt: ctx.now(), removedBy }).where(eq(staffMembers.id, id));
    await tx.delete(staffPasskeys).where(eq(staffPasskeys.staffId, id));
    await tx.delete(sessions).where(eq(sessions.staffId, id));
  });
}

/** Cancels a pending invitation of the organisation (its link stops working); 404 when it has none such. */
export async function cancelInvitation(ctx: AppContext, organisation: Address, id: number): Promise<void> {
  const cancelled = await ctx.db
    .update(staffInvitations)
    .set({ cancelledAt: ctx.now() })
    .where(
      and(
        eq(staffInvitations.id, id),
        eq(staffInvitations.organisation, organisation.toLowerCase()),
        isNull(staffInvitations.usedAt),
        isNull(staffInvitations.cancelledAt),
      ),
    )
    .returning({ id: staffInvitations.id });
  if (cancelled.length === 0) {
    throw new ApiError(404, "INVITATION_NOT_FOUND", `Your organisation has no pending invitation number ${id}.`);
  }
}

export type InvitationState = "pending" | "used" | "expired" | "cancelled";

/** The invitation a link's token names, and whether it can still be used; undefined when none. */
export async function findInvitation(
  ctx: AppContext,
  token: string,
): Promise<{ row: typeof staffInvitations.$inferSelect; state: InvitationState } | undefined> {
  if (!token.startsWith(INVITATION_PREFIX) || token.length > 200) return undefined;
  const [row] = await ctx.db
    .select()
    .from(staffInvitations)
    .where(eq(staffInvitations.tokenHash, hashToken(token)));
  if (row === undefined) return undefined;
  const state: InvitationState =
    row.usedAt !== null
      ? "used"
      : row.cancelledAt !== null
        ? "cancelled"
        : row.expiresAt <= ctx.now()
          ? "expired"
          : "pending";
  return { row, state };
}

/** The refusal for an invitation that cannot be used, in words for the person holding the link. */
export function invitationRefusal(state: InvitationState | undefined): ApiError {
  switch (state) {
    case "used":
      return new ApiError(
        410,
        "INVITATION_USED",
        "This invitation was already used to create a passkey; an invitation works once. Sign in with your passkey, or ask your organisation's administrator for a new invitation.",
      );
    case "expired":
      return new ApiError(
        410,
        "INVITATION_EXPIRED",
        "This invitation has expired. Ask your organisation's administrator for a new one.",
      );
    case "cancelled":
      return new ApiError(
        410,
        "INVITATION_CANCELLED",
        "This invitation was cancelled by your organisation's administrator. Ask them for a new one if you need it.",
      );
    default:
      return new ApiError(
        404,
        "INVITATION_UNKNOWN",
        "This invitation link is not known here: check that it was copied whole, or ask your organisation's administrator for a new one.",
      );
  }
}

/** A new staff member's id: random (it is also the passkey's user handle, which must name no one). */
export function newStaffId(): string {
  return `stf_${randomBytes(16).toString("base64url")}`;
}
