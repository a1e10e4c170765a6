import type { TransactionResponse } from "@/lib/api/read.ts";
import { StatusBadge } from "../ui/badge.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { formatDateTime, formatNumber, roleLabel, shortHash } from "../ui/format.ts";
import { BatchLink, PartyLink, ProductLink } from "./links.tsx";
import { Timeline } from "./timeline.tsx";

/** The auditor's transaction page: when it was mined, what it did, to which batches and parties. */
export function TransactionView({ data }: { data: TransactionResponse }) {
  const count = data.events.length;
  return (
    <>
      <PageHeader
        title={`Transaction ${shortHash(data.transactionHash)}`}
        description={`${formatDateTime(data.time)} · block ${formatNumber(data.blockNumber)} · ${count} ledger ${count === 1 ? "event" : "events"}`}
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_1.4fr]">
        <div className="min-w-0 space-y-6">
          <Section title="Transaction">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm" data-testid="transaction-record">
              <dt className="text-slate-600">Hash</dt>
              <dd className="font-mono text-xs break-all">{data.transactionHash}</dd>
              <dt className="text-slate-600">Block</dt>
              <dd>{formatNumber(data.blockNumber)}</dd>
              <dt className="text-slate-600">Time</dt>
              <dd>
                <time dateTime={data.time}>{formatDateTime(data.time)}</time>
              </dd>
            </dl>
          </Section>
          <Section title="Batches">
            {data.batches.length === 0 ? (
              <p className="text-sm text-slate-600">It names no batch (a participant or product record).</p>
            ) : (
              <ul className="space-y-2 text-sm" data-testid="transaction-batches">
                {data.batches.map((batch) => (
                  <li key={batch.batchId} className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <BatchLink gtin={batch.gtin} lot={batch.lot}>
                      {`${batch.productName ?? `GTIN ${batch.gtin}`}, lot ${batch.lot}`}
                    </BatchLink>
                    <StatusBadge status={batch.status} />
                    <span className="text-xs text-slate-600">
                      <ProductLink gtin={batch.gtin} />
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="Parties">
            <ul className="space-y-1 text-sm" data-testid="transaction-parties">
              {data.parties.map((party) => (
                <li key={party.address}>
                  <PartyLink party={party} />
                  <span className="text-slate-600">
                    {party.role ? ` · ${roleLabel(party.role)}` : " · not a participant"}
                    {party.gln ? ` · GLN ${party.gln}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          </Section>
        </div>
        <Section title="Events" description="What the transaction recorded on the ledger, in order.">
          <Timeline entries={data.events} showBatch />
        </Section>
      </div>
    </>
  );
}
