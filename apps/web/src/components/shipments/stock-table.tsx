import { Link } from "../ui/link.tsx";
import { readLinks, type PartyResponse, type StockLine } from "@/lib/api/read.ts";
import { Badge } from "../ui/badge.tsx";
import { formatDate, formatNumber } from "../ui/format.ts";

/** Within this many days of expiry a batch is flagged, so it is shipped or dispensed first. */
export const EXPIRY_WARNING_DAYS = 90;

function ExpiryBadge({ expired, days }: { expired: boolean; days: number }) {
  if (expired) return <Badge tone="bad">Expired</Badge>;
  if (days <= EXPIRY_WARNING_DAYS)
    return <Badge tone="warn">{`Expires in ${days} ${days === 1 ? "day" : "days"}`}</Badge>;
  return <Badge tone="good">In date</Badge>;
}

function StatusBadge({ line }: { line: StockLine }) {
  return (
    <>
      {line.status === "ACTIVE" ? (
        <Badge tone="good">Active</Badge>
      ) : (
        <Badge tone={line.status === "RECALLED" ? "bad" : "warn"}>
          {line.status === "RECALLED" ? "Recalled" : line.status === "QUARANTINED" ? "Quarantined" : "Suspended"}
        </Badge>
      )}
      {line.statusReason ? <span className="ml-2 text-xs text-slate-600">{line.statusReason}</span> : null}
    </>
  );
}

/**
 * Stock by product and batch. On a phone the expiry and status move under the lot, in its cell,
 * so that the table fits the screen and Units, what a stock count is for, stays in view (as a
 * fourth column it was scrolled off to the right).
 */
export function StockTable({ stock }: { stock: PartyResponse["stock"] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm sm:min-w-[36rem]" data-testid="stock-table">
        <caption className="sr-only">Stock by product and batch</caption>
        <thead className="border-b border-slate-200 text-xs text-slate-600 uppercase">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">
              Product / lot
            </th>
            <th scope="col" className="hidden py-2 pr-3 font-medium sm:table-cell">
              Expiry
            </th>
            <th scope="col" className="hidden py-2 pr-3 font-medium sm:table-cell">
              Status
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              Units
            </th>
          </tr>
        </thead>
        {stock.map((product) => (
          <tbody key={product.gtin} className="border-b border-slate-100">
            <tr className="bg-slate-50">
              {/* One heading cell in both layouts: a colspan over the columns a phone hides would shift Units. */}
              <th scope="rowgroup" className="py-2 pr-3 font-semibold text-slate-900">
                <Link href={readLinks.product(product.gtin)} className="text-teal-800 underline">
                  {product.productName ?? "Unnamed product"}
                </Link>{" "}
                <span className="font-normal text-slate-600">GTIN {product.gtin}</span>
              </th>
              <td className="hidden sm:table-cell" colSpan={2} />
              <td className="py-2 text-right font-semibold">{formatNumber(product.units)}</td>
            </tr>
            {product.batches.map((line) => (
              <tr key={line.batchId} data-lot={line.lot}>
                <td className="py-2 pr-3 pl-4">
                  <Link href={readLinks.batch(line.gtin, line.lot)} className="text-teal-800 underline">
                    Lot {line.lot}
                  </Link>
                  <div className="mt-1 space-y-1 sm:hidden" data-testid="stock-line-details">
                    <p>
                      <span className="mr-2">Exp. {formatDate(line.expiry)}</span>
                      <ExpiryBadge expired={line.expired} days={line.daysToExpiry} />
                    </p>
                    <p>
                      <StatusBadge line={line} />
                    </p>
                  </div>
                </td>
                <td className="hidden py-2 pr-3 sm:table-cell">
                  <span className="mr-2">{formatDate(line.expiry)}</span>
                  <ExpiryBadge expired={line.expired} days={line.daysToExpiry} />
                </td>
                <td className="hidden py-2 pr-3 sm:table-cell">
                  <StatusBadge line={line} />
                </td>
                <td className="py-2 text-right tabular-nums" data-testid="stock-units">
                  {formatNumber(line.units)}
                  {/* Still on the shelf, but not to be sold or moved until the quarantine ends. */}
                  {line.quarantined > 0 ? (
                    <div className="text-xs text-amber-900" data-testid="stock-quarantined">
                      {formatNumber(line.quarantined)} quarantined
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
