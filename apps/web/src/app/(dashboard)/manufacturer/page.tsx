"use client";
import { Manufacturer } from "@/components/batches/manufacturer.tsx";
import { RoleGate } from "@/components/shell/role-gate.tsx";
import { PageHeader } from "@/components/ui/card.tsx";

export default function Page() {
  return (
    <RoleGate roles={["MANUFACTURER"]}>
      {(party) => (
        <>
          <PageHeader
            title="Batches"
            description="Register products and batches, print their labels, follow and recall them."
          />
          <Manufacturer self={party.address} />
        </>
      )}
    </RoleGate>
  );
}
