"use client";
import { Counter } from "@/components/counter/counter.tsx";
import { RoleGate } from "@/components/shell/role-gate.tsx";
import { PageHeader } from "@/components/ui/card.tsx";

export default function Page() {
  return (
    <RoleGate roles={["PHARMACY"]}>
      {(party) => (
        <>
          <PageHeader
            title="Counter"
            description="Verify each pack before you hand it out; dispensing records it on the ledger."
          />
          <Counter self={party.address} />
        </>
      )}
    </RoleGate>
  );
}
