import type { ParticipantView, PartyActivity, PartyResponse, ProductsResponse, ShipmentView } from "@/lib/api/read.ts";
import { groupShipments } from "../shipments/shipment-groups.ts";
import { StockTable } from "../shipments/stock-table.tsx";
import { Badge, StatusBadge } from "../ui/badge.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { formatDateTime, formatNumber, roleLabel, shortAddress } from "../ui/format.ts";
import { BatchLink, PartyLink, ProductLink, TransactionLink } from "./links.tsx";
import { Timeline } from "./timeline.tsx";

/** How many shipments each direction lists, newest first. */
const SHIPMENTS_SHOWN = 25;

function isParticipant(party: PartyResponse["party"]): party is ParticipantView {
  return "number" in party;
}

function Shipments({ lines, direction }: { lines: readonly ShipmentView[]; direction: "incoming" | "outgoing" }) {
  const groups = groupShipments(lines).sort((a, b) => b.shippedAt.localeCompare(a.shippedAt));
  if (groups.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        {direction === "incoming" ? "No shipment has been sent to this party." : "This party has shipped nothing."}
      </p>
    );
  }
  return (
    <>
      <ul className="divide-y divide-slate-100 text-sm" data-testid={`shipments-${direction}`}>
        {groups.slice(0, SHIPMENTS_SHOWN).map((group) => {
          const status = group.lines[0]!.status;
          const reason = group.lines.find((line) => line.reason)?.reason;
          const other = direction === "incoming" ? group.from : group.to;
          return (
            <li key={group.shipmentId} className="space-y-1 py-2.5 first:pt-0 last:pb-0">
              <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
                <StatusBadge status={status} />
                <span>
                  {direction === "incoming" ? "From" : "To"} <PartyLink party={other} />
                </span>
                <span className="text-xs text-slate-600">{formatDateTime(group.shippedAt)}</span>
              </p>
              <ul className="pl-1">
                {group.lines.map((line) => (
                  <li key={line.batchId}>
                    {line.gtin && line.lot ? (
                      <BatchLink gtin={line.gtin} lot={line.lot}>
                        {`${line.productName ?? `GTIN ${line.gtin}`}, lot ${line.lot}`}
                      </BatchLink>
                    ) : (
                      <span>Batch {shortAddress(line.batchId)}</span>
                    )}
                    : <span className="tabular-nums">{formatNumber(line.quantity)}</span>{" "}
                    {line.quantity === 1 ? "unit" : "units"}
                  </li>
                ))}
              </ul>
              <p className="text-xs break-words text-slate-600">
                {group.reference && !group.reference.startsWith("0x") ? `Reference ${group.reference} · ` : ""}
                tx <TransactionLink hash={group.shippedTx} />
                {reason ? ` · rejected: ${reason}` : ""}
              </p>
            </li>
          );
        })}
      </ul>
      {groups.length > SHIPMENTS_SHOWN ? (
        <p className="mt-3 text-xs text-slate-600">
          Showing the newest {SHIPMENTS_SHOWN} of {groups.length} shipments; each batch's timeline has them all.
        </p>
      ) : null}
    </>
  );
}

const allOf = (byStatus: PartyResponse["incoming"]) => Object.values(byStatus).flat();

/** The auditor's party page: who the party is, what it holds, what it shipped and received, what it did last. */
export function PartyView({
  data,
  activity,
  products,
}: {
  data: PartyResponse;
  activity: PartyActivity;
  products: ProductsResponse["products"];
}) {
  const { party } = data;
  const participant = isParticipant(party) ? party : null;
  const title = party.name ?? shortAddress(party.address);
  const pendingIn = data.incoming.PENDING.length;
  const pendingOut = data.outgoing.PENDING.length;
  return (
    <>
      <PageHeader
        title={title}
        description={
          participant
            ? `${roleLabel(participant.role)} · GLN ${participant.gln}`
            : "This account is not a participant of the ledger."
        }
      />
      <div className="grid gap-6">
        <div className="grid gap-6 lg:grid-cols-[1fr_1.6fr]">
          <div className="min-w-0 space-y-6">
            <Section title="Participant">
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm" data-testid="party-record">
                <dt className="text-slate-600">Status</dt>
                <dd>
                  {participant === null ? (
                    <Badge tone="neutral">Not registered</Badge>
                  ) : participant.suspended ? (
                    <>
                      <Badge tone="warn">Suspended</Badge>
                      <p className="mt-1 text-xs text-slate-700">
                        It can make no ledger transaction until reinstated.
                        {participant.statusAt ? ` Suspended on ${formatDateTime(participant.statusAt)}` : ""}
                        {participant.statusReason ? `: “${participant.statusReason}”` : ""}
                      </p>
                    </>
                  ) : (
                    <Badge tone="good">Active</Badge>
                  )}
                </dd>
                {participant ? (
                  <>
                    <dt className="text-slate-600">Role</dt>
                    <dd>{roleLabel(participant.role)}</dd>
                    <dt className="text-slate-600">GLN</dt>
                    <dd className="tabular-nums">{participant.gln}</dd>
                    {participant.role === "MANUFACTURER" ? (
                      <>
                        <dt className="text-slate-600">Company prefixes</dt>
                        <dd>
                          {participant.companyPrefixes.length > 0
                            ? participant.companyPrefixes.join(", ")
                            : "None assigned yet: it cannot register products."}
                        </dd>
                      </>
                    ) : null}
                    <dt className="text-slate-600">Onboarded</dt>
                    <dd>
                      Block {formatNumber(participant.onboardedBlock)} (participant no. {participant.number})
                    </dd>
                  </>
                ) : null}
                <dt className="text-slate-600">Account</dt>
                <dd className="font-mono text-xs break-all">{party.address}</dd>
              </dl>
            </Section>
            {participant?.role === "MANUFACTURER" ? (
              <Section title="Products">
                {products.length === 0 ? (
                  <p className="text-sm text-slate-600">No product registered yet.</p>
                ) : (
                  <ul className="space-y-1 text-sm" data-testid="party-products">
                    {products.map((product) => (
                      <li key={product.gtin}>
                        <ProductLink gtin={product.gtin}>{`${product.name} ${product.strength}`}</ProductLink>{" "}
                        <span className="text-slate-600">
                          · GTIN {product.gtin} · {product.batchCount} {product.batchCount === 1 ? "batch" : "batches"}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </Section>
            ) : null}
          </div>
          <Section title="Stock" description="Units it holds now, by product and batch.">
            {data.stock.length === 0 ? (
              <p className="text-sm text-slate-600">It holds no units.</p>
            ) : (
              <StockTable stock={data.stock} />
            )}
          </Section>
        </div>
        <div className="grid gap-6 lg:grid-cols-2">
          <Section
            title="Shipments received"
            description={pendingIn > 0 ? `${pendingIn} waiting to be received or rejected.` : undefined}
          >
            <Shipments lines={allOf(data.incoming)} direction="incoming" />
          </Section>
          <Section title="Shipments sent" description={pendingOut > 0 ? `${pendingOut} still in transit.` : undefined}>
            <Shipments lines={allOf(data.outgoing)} direction="outgoing" />
          </Section>
        </div>
        <Section
          title="Recent activity"
          description={
            activity.more
              ? `Its latest ${activity.events.length} ledger events, newest first.`
              : "Its ledger events, newest first."
          }
        >
          {activity.events.length === 0 ? (
            <p className="text-sm text-slate-600">No ledger event names this account.</p>
          ) : (
            <Timeline entries={activity.events} showBatch />
          )}
        </Section>
      </div>
    </>
  );
}
