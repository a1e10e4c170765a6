"use client";
import { Admin } from "@/components/admin/admin.tsx";
import { RoleGate } from "@/components/shell/role-gate.tsx";
import { PageHeader } from "@/components/ui/card.tsx";

export default function Page() {
  return (
    <RoleGate roles={["ADMIN"]}>
      {(party) => (
        <>
          <PageHeader
            title="Participants"
            description="Onboard, suspend and reinstate the parties of the ledger; pause it in an emergency."
          />
          <Admin paused={party.paused} />
        </>
      )}
    </RoleGate>
  );
}
