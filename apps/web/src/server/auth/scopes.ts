/**
 * What a requester may ask this server to sign: the scopes of API tokens (./tokens.ts), and the
 * scopes each staff role allows (./staff.ts). A module of its own, with no imports of the
 * database, so both (and the role table in docs/ARCHITECTURE.md) share one source.
 */
import type { StaffRole } from "../../lib/api-types.ts";

export type { StaffRole } from "../../lib/api-types.ts";

/** What a token may be allowed, and what each allows (shown when a token is created). */
export const TOKEN_SCOPES = {
  "register-product": "register products",
  "register-batch": "register batches",
  ship: "ship goods and cancel shipments",
  receive: "receive and reject shipments",
  dispense: "dispense packs, and undo a dispense",
  decommission: "decommission packs otherwise (destroyed, stolen, sample, exported, locked) and undo a lock",
  recall: "recall, suspend and reinstate batches",
  pack: "pack cases and pallets, and unpack them (package-level ledger)",
  quarantine: "quarantine units and packs (package-level ledger)",
  capture: "record EPCIS events sent to the capture interface",
  read: "read every write of the organisation (without it, a token reads the writes it asked for)",
} as const;

export type TokenScope = keyof typeof TOKEN_SCOPES;

export function isTokenScope(value: string): value is TokenScope {
  return Object.hasOwn(TOKEN_SCOPES, value);
}

const ALL_SCOPES = Object.keys(TOKEN_SCOPES) as TokenScope[];

/**
 * What each role may do: the write scopes it allows (as an API token's scopes), in the words the
 * dashboard shows. Every role reads its organisation's writes (`read`): they are colleagues'.
 */
export const STAFF_ROLES: Record<StaffRole, { label: string; scopes: readonly TokenScope[]; manages: boolean }> = {
  clerk: { label: "Clerk", scopes: ["ship", "receive", "pack", "read"], manages: false },
  pharmacist: { label: "Pharmacist", scopes: ["dispense", "receive", "read"], manages: false },
  quality: {
    label: "Quality",
    scopes: ["recall", "quarantine", "decommission", "register-product", "register-batch", "read"],
    manages: false,
  },
  admin: { label: "Administrator", scopes: ALL_SCOPES, manages: true },
};

export function isStaffRole(value: string): value is StaffRole {
  return Object.hasOwn(STAFF_ROLES, value);
}

/** What the role may do, in words for a refusal: "ship goods and cancel shipments; receive and reject shipments; ...". */
export function roleAllows(role: StaffRole): string {
  return STAFF_ROLES[role].scopes.map((scope) => TOKEN_SCOPES[scope]).join("; ");
}
