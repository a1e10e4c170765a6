import type { Metadata } from "next";
import { getAddress } from "viem";
import { StatusPage } from "@/components/shell/status-page.tsx";
import { readParticipant } from "@/server/auth/ledgerReads.ts";
import { findInvitation, STAFF_ROLES, type StaffRole } from "@/server/auth/staff.ts";
import { appContext } from "@/server/context.ts";
import { CreatePasskey } from "./create-passkey.tsx";

export const metadata: Metadata = {
  title: "Your invitation",
  // The address is a secret of one person: no search engine, no referrer to other sites.
  robots: { index: false, follow: false },
  referrer: "no-referrer",
};

export const dynamic = "force-dynamic";

/**
 * An invitation link (server/auth/staff.ts): who it is for and for which organisation, then
 * "Create your passkey". Reading the page uses nothing; the invitation is used when the passkey is
 * made.
 */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const ctx = await appContext();
  const found = await findInvitation(ctx, token);
  if (found === undefined) {
    return (
      <StatusPage heading="This invitation is not known" testId="invitation-unknown">
        <p>Check that the link was copied whole, or ask your organisation&apos;s administrator for a new invitation.</p>
      </StatusPage>
    );
  }
  if (found.state !== "pending") {
    const words = {
      used: "This invitation was already used to create a passkey. Sign in with your passkey from the dashboard's Sign in button.",
      expired: "This invitation has expired. Ask your organisation's administrator for a new one.",
      cancelled: "This invitation was cancelled. Ask your organisation's administrator for a new one if you need it.",
    }[found.state];
    return (
      <StatusPage heading="This invitation cannot be used" testId={`invitation-${found.state}`}>
        <p>{words}</p>
      </StatusPage>
    );
  }
  const organisation = await readParticipant(ctx, getAddress(found.row.organisation)).catch(() => undefined);
  const role = STAFF_ROLES[found.row.role as StaffRole];
  return (
    <StatusPage heading={`Welcome, ${found.row.displayName}`} testId="invitation">
      <p>
        {organisation && organisation.role !== "NONE" ? organisation.legalName : "Your organisation"} invites you to
        Pedigree as <strong>{role.label.toLowerCase()}</strong>.
      </p>
      <p className="text-base">
        You will sign in with a passkey: this device checks it is you (your fingerprint, face or screen lock), and no
        password is needed. Use the device you will work on.
      </p>
      <CreatePasskey invitation={token} expiresAt={found.row.expiresAt.toISOString()} />
    </StatusPage>
  );
}
