"use client";
import { useLedgerSettings } from "@/lib/wallet/ledger-context.tsx";
import type { PartyRole } from "@/lib/wallet/use-party.ts";
import { usePartyData } from "../data/hooks.ts";
import { RoleGate } from "../shell/role-gate.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { QueryState } from "../ui/query-state.tsx";
import { ResponderCredentials } from "../vrs/responder-credentials.tsx";
import { DecommissionForm } from "./decommission-form.tsx";
import { PackForm, QuarantineForm, ReceiveByScan, ScanShipForm, UnitsTable } from "./package-custody.tsx";
import { ShipForm } from "./ship-form.tsx";
import { ShipmentList } from "./shipment-list.tsx";
import { StockTable } from "./stock-table.tsx";

function Stock({ address, role }: { address: `0x${string}`; role: PartyRole }) {
  const party = usePartyData(address);
  const stockLines = party.data?.stock.flatMap((p) => p.batches) ?? [];
  // On the package-level ledger custody is by unit and pack: shipments list their items, and
  // receiving and shipping go by scanning labels.
  const byIdentity = useLedgerSettings().ledgerKind === "package";
  return (
    <>
      <PageHeader
        title={role === "MANUFACTURER" ? "Stock & shipments" : "Stock & inbox"}
        description="Deliveries waiting for you, what you hold, and shipments on their way."
      />
      <div className="grid gap-6">
        <Section
          id="inbox"
          title="Inbox"
          description="Incoming shipments: receive them when the goods arrive, or reject them with a reason."
        >
          <QueryState
            query={party}
            what="incoming shipments"
            isEmpty={(d) => d.incoming.PENDING.length === 0}
            empty="No shipment is on its way to you."
          >
            {(d) => (
              <ShipmentList
                lines={d.incoming.PENDING}
                direction="incoming"
                stock={stockLines}
                viewerRole={role}
                items={d.pendingItems}
              />
            )}
          </QueryState>
        </Section>
        {byIdentity ? (
          <Section
            id="receive-scan"
            title="Receive by scanning"
            description="Scan the SSCC label of a pallet or case that arrived: it is received with everything inside it. Loose packs are received by their own code."
          >
            <QueryState query={party} what="incoming shipments">
              {(d) => <ReceiveByScan party={d} stock={stockLines} />}
            </QueryState>
          </Section>
        ) : null}
        <Section
          id="stock"
          title="Stock"
          description="By product and batch, earliest expiry first. Batches expiring within 90 days are flagged."
        >
          <QueryState query={party} what="stock" isEmpty={(d) => d.stock.length === 0} empty="You hold no stock.">
            {(d) => <StockTable stock={d.stock} />}
          </QueryState>
        </Section>
        {byIdentity ? (
          <Section
            id="units"
            title="Pallets, cases and totes"
            description="The logistic units you hold, by SSCC, with what is inside them; and your loose packs."
          >
            <QueryState query={party} what="stock">
              {(d) => <UnitsTable units={d.units ?? []} stock={d.stock} />}
            </QueryState>
          </Section>
        ) : null}
        {byIdentity ? (
          <Section
            id="pack"
            title="Pack and unpack"
            description="Put units and packs you hold into a new pallet, case or tote, or take them out of one. Everything inside a unit moves with it."
          >
            <QueryState query={party} what="stock">
              {(d) => <PackForm role={role} self={address} party={d} stock={stockLines} />}
            </QueryState>
          </Section>
        ) : null}
        {byIdentity ? (
          <Section
            id="quarantine"
            title="Quarantine"
            description="Set suspect product aside on the ledger: it can neither move nor be dispensed until the investigation ends, cleared or illegitimate."
          >
            <QueryState query={party} what="stock">
              {(d) => <QuarantineForm units={d.units ?? []} stock={stockLines} />}
            </QueryState>
          </Section>
        ) : null}
        <div className="grid gap-6 lg:grid-cols-2">
          <Section
            id="ship"
            title="Ship"
            description="Send units on to the next party. They stay in transit until received."
          >
            <QueryState query={party} what="stock">
              {(d) =>
                byIdentity ? (
                  <ScanShipForm role={role} self={address} party={d} stock={stockLines} />
                ) : (
                  <ShipForm role={role} self={address} stock={stockLines} />
                )
              }
            </QueryState>
          </Section>
          {role !== "MANUFACTURER" ? (
            <Section
              id="returns"
              title="Returns"
              description="Send units back up the chain to their manufacturer (recalled or expired stock too)."
            >
              <QueryState query={party} what="stock">
                {(d) =>
                  byIdentity ? (
                    <ScanShipForm role={role} self={address} party={d} stock={stockLines} mode="return" />
                  ) : (
                    <ShipForm role={role} self={address} stock={stockLines} mode="return" />
                  )
                }
              </QueryState>
            </Section>
          ) : null}
        </div>
        {role === "DISTRIBUTOR" ? (
          <Section
            id="responder-credentials"
            title="Credentials for manufacturers' responders"
            description="Each returned pack is verified with its manufacturer's responder before it goes back on sale. Keep here the credential each manufacturer issued you."
          >
            <ResponderCredentials />
          </Section>
        ) : null}
        <Section
          id="losses"
          title="Destroyed or stolen packs"
          description="Scan or type the code of a pack you hold that was destroyed or stolen: the ledger records it, and every later check of the pack says so."
        >
          <QueryState query={party} what="stock">
            {() => <DecommissionForm self={address} stock={stockLines} />}
          </QueryState>
        </Section>
        <Section
          id="outgoing"
          title="Sent, not yet received"
          description="You can cancel a shipment until the recipient receives or rejects it."
        >
          <QueryState
            query={party}
            what="outgoing shipments"
            isEmpty={(d) => d.outgoing.PENDING.length === 0}
            empty="Nothing in transit."
          >
            {(d) => (
              <ShipmentList lines={d.outgoing.PENDING} direction="outgoing" stock={stockLines} items={d.pendingItems} />
            )}
          </QueryState>
        </Section>
      </div>
    </>
  );
}

/** A trading party's stock and shipments (/stock). */
export function StockPage() {
  return (
    <RoleGate roles={["MANUFACTURER", "DISTRIBUTOR", "PHARMACY"]}>
      {(party) => <Stock address={party.address} role={party.role} />}
    </RoleGate>
  );
}
