import type { ProductResponse, UnitBalance } from "@/lib/api/read.ts";
import { Badge, StatusBadge } from "../ui/badge.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { formatDate, formatNumber } from "../ui/format.ts";
import { BatchLink, PartyLink } from "./links.tsx";

/** How many holders a batch row names before "and N more" (the batch page lists them all). */
const HOLDERS_SHOWN = 3;

export function UnitBalanceLine({ units, testId }: { units: UnitBalance; testId?: string }) {
  return (
    <p className="text-sm text-slate-700" data-testid={testId}>
      {formatNumber(units.registered)} registered = {formatNumber(units.held)} held + {formatNumber(units.inTransit)} in
      transit + {formatNumber(units.decommissioned)} decommissioned
    </p>
  );
}

/** The auditor's product page: what the product is, who makes it, and every batch of it. */
export function ProductView({ data }: { data: ProductResponse }) {
  const { product } = data;
  return (
    <>
      <PageHeader
        title={`${product.name} ${product.strength}`}
        description={
          <>
            {product.dosageForm} · GTIN {product.gtin} · made by <PartyLink party={product.manufacturer} />
          </>
        }
      />
      <div className="grid gap-6">
        <Section
          title="All its units"
          description={`${data.batches.length} ${data.batches.length === 1 ? "batch" : "batches"} registered on the ledger.`}
        >
          <UnitBalanceLine units={data.units} testId="product-unit-balance" />
        </Section>
        <Section title="Batches" description="Newest first. Open a batch for its full custody timeline and exports.">
          {data.batches.length === 0 ? (
            <p className="text-sm text-slate-600">No batch of this product has been registered yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100" data-testid="product-batches">
              {data.batches.map(({ batch, expired, units, holders }) => (
                <li key={batch.batchId} data-lot={batch.lot} className="space-y-1.5 py-3 first:pt-0 last:pb-0">
                  <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                    <h3 className="font-semibold">
                      <BatchLink gtin={batch.gtin} lot={batch.lot} />
                    </h3>
                    <StatusBadge status={batch.status} />
                    {expired ? <Badge tone="bad">Expired</Badge> : null}
                    <span className="text-sm text-slate-700">
                      {expired ? "Expired" : "Expires"} {formatDate(batch.expiry)}
                    </span>
                  </div>
                  {batch.statusReason && batch.status !== "ACTIVE" ? (
                    <p className="text-sm text-slate-700">
                      {batch.status === "RECALLED" ? "Recalled" : "Suspended"}: {batch.statusReason}
                    </p>
                  ) : null}
                  <UnitBalanceLine units={units} />
                  <p className="text-sm text-slate-700">
                    {holders.length === 0 ? (
                      "No one holds units of it now."
                    ) : (
                      <>
                        Held by{" "}
                        {holders.slice(0, HOLDERS_SHOWN).map((h, i) => (
                          <span key={h.party.address}>
                            {i > 0 ? ", " : ""}
                            <PartyLink party={h.party} /> ({formatNumber(h.units)})
                          </span>
                        ))}
                        {holders.length > HOLDERS_SHOWN ? ` and ${holders.length - HOLDERS_SHOWN} more` : ""}.
                      </>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </>
  );
}
