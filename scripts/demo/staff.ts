/**
 * The demo's staff invitations, written into the read model before the dashboard starts: one
 * person per demo organisation, invited as its administrator, so a newcomer can open the link
 * `npm start` prints, create a passkey in the browser and work for that organisation with no
 * wallet (README, "Sign in with a passkey"). As for any invitation, only the link's hash is kept,
 * it works once, and it expires in a week (apps/web/src/server/auth/staff.ts).
 */
import type { Address } from "viem";
import type { Database } from "../../apps/web/src/server/db/database.ts";
import { passkeyOrigin } from "../../apps/web/src/server/auth/origin.ts";
import { createInvitation } from "../../apps/web/src/server/auth/staff.ts";
import { PARTIES, type PartyKey } from "./world.ts";

/** Who is invited for each demo organisation (the network operator has no staff: it is no participant). */
export const DEMO_STAFF: Record<Exclude<PartyKey, "admin">, string> = {
  acme: "Maria Keller",
  borealis: "Tom Lindqvist",
  northwind: "Priya Shah",
  central: "Jonas Weber",
  harbour: "Elena Rossi",
  agency: "Samuel Okafor",
};

export interface DemoInvitation {
  organisation: string;
  person: string;
  link: string;
}

export async function storeDemoStaff(
  db: Database,
  options: { origin: string; addresses: Record<Exclude<PartyKey, "admin">, Address> },
): Promise<DemoInvitation[]> {
  const base = passkeyOrigin(new URL(options.origin));
  const invitations: DemoInvitation[] = [];
  for (const key of Object.keys(DEMO_STAFF) as (keyof typeof DEMO_STAFF)[]) {
    const { token } = await createInvitation(
      db,
      options.addresses[key],
      { name: DEMO_STAFF[key], role: "admin" },
      "demo:npm start",
      new Date(),
    );
    invitations.push({
      organisation: PARTIES[key].name,
      person: DEMO_STAFF[key],
      link: new URL(`/invite/${token}`, base).toString(),
    });
  }
  return invitations;
}

/** The invitations as lines for the terminal. */
export function formatDemoInvitations(invitations: readonly DemoInvitation[]): string {
  const width = Math.max(...invitations.map((invitation) => invitation.organisation.length));
  return [
    "Staff invitations (open one in the browser to create a passkey and work with no wallet; each works once):",
    ...invitations.map(
      (invitation) =>
        `  ${invitation.organisation.padEnd(width)}  ${invitation.person}, administrator: ${invitation.link}`,
    ),
  ].join("\n");
}
