"use client";
import { useState } from "react";
import type { Address, Hex } from "viem";
import type { ShipmentView, StockLine } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { useErrorLookup } from "../data/hooks.ts";
import { TxStatus } from "../tx/tx-status.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/field.tsx";
import { formatDateTime, formatUnits, shortHash } from "../ui/format.ts";
import { ReturnVerification, useReturnStatus } from "./return-verification.tsx";
import { groupShipments, type ShipmentGroup } from "./shipment-groups.ts";

const linesArg = (group: ShipmentGroup) =>
  group.lines.map((line) => ({ gtin: line.gtin, lot: line.lot, quantity: Number(line.quantity) }));

function ShipmentActions({
  group,
  direction,
  stock,
  viewerRole,
}: {
  group: ShipmentGroup;
  direction: "incoming" | "outgoing";
  stock: readonly StockLine[];
  viewerRole?: string;
}) {
  const tx = useLedgerWrite(useErrorLookup(stock));
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  // A pharmacy's return to a distributor is received as saleable only once each pack passed
  // verification with its manufacturer (the server's rule; the button only says it first).
  const isReturn = direction === "incoming" && viewerRole === "DISTRIBUTOR" && group.from.role === "PHARMACY";
  const returnStatus = useReturnStatus(group.shipmentId, isReturn);
  const receiveBlocked = isReturn
    ? returnStatus.data?.receivable === true
      ? null
      : returnBlockReason(returnStatus)
    : null;

  return (
    <div className="space-y-2">
      {isReturn && returnStatus.data ? (
        <ReturnVerification shipmentId={group.shipmentId} status={returnStatus.data} />
      ) : null}
      <div className="flex flex-wrap gap-2">
        {direction === "incoming" ? (
          <>
            <Button
              size="sm"
              disabled={tx.busy || receiveBlocked !== null}
              aria-describedby={receiveBlocked !== null ? `receive-blocked-${group.shipmentId}` : undefined}
              data-testid="receive-shipment"
              onClick={() =>
                void tx.run({
                  operation: "receive",
                  arguments: {
                    shipmentId: group.shipmentId as Hex,
                    from: group.from.address as Address,
                    lines: linesArg(group),
                  },
                })
              }
            >
              Receive
            </Button>
            {/* Not disabled while a write runs: the dialog gives the focus back to it (the dialog's button is). */}
            <Button size="sm" variant="secondary" onClick={() => setRejecting(true)}>
              Reject…
            </Button>
          </>
        ) : (
          <Button
            size="sm"
            variant="secondary"
            disabled={tx.busy}
            onClick={() =>
              void tx.run({
                operation: "cancel-shipment",
                arguments: {
                  shipmentId: group.shipmentId as Hex,
                  to: group.to.address as Address,
                  lines: linesArg(group),
                },
              })
            }
          >
            Cancel shipment
          </Button>
        )}
      </div>
      {receiveBlocked !== null ? (
        <p id={`receive-blocked-${group.shipmentId}`} className="text-sm text-amber-900" data-testid="receive-blocked">
          Cannot be received as saleable yet: {receiveBlocked}.
        </p>
      ) : null}
      <TxStatus
        phase={tx.phase}
        successText={
          direction === "incoming"
            ? "Recorded. The list refreshes in a moment."
            : "Shipment cancelled; the units are back in your stock."
        }
      />
      <Dialog
        open={rejecting}
        onOpenChange={setRejecting}
        title="Reject the shipment"
        description={`From ${group.from.name ?? group.from.address}, reference ${group.reference}. The units go back to the sender.`}
      >
        <form
          className="space-y-3"
          onSubmit={async (event) => {
            event.preventDefault();
            if (!reason.trim()) return setReasonError("Say why (for example: damaged, wrong product, not ordered).");
            setReasonError(null);
            setRejecting(false);
            await tx.run({
              operation: "reject",
              arguments: {
                shipmentId: group.shipmentId as Hex,
                from: group.from.address as Address,
                lines: linesArg(group),
                reason: reason.trim(),
              },
            });
          }}
        >
          <TextField
            label="Reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={reasonError}
            autoFocus
          />
          <Button type="submit" variant="danger" disabled={tx.busy}>
            Reject shipment
          </Button>
        </form>
      </Dialog>
    </div>
  );
}

/** Why a return's Receive button is disabled, from its verification status (or its loading). */
function returnBlockReason(status: ReturnType<typeof useReturnStatus>): string {
  if (status.isError) return `its verifications could not be read (${status.error.message})`;
  if (status.data === undefined) return "checking its verifications";
  if (status.data.status !== "PENDING") return `it is ${status.data.status.toLowerCase()}`;
  return status.data.blocking.join("; ");
}

/** Pending shipments, one card per shipment with its lines, and what the viewer may do with them. */
export function ShipmentList({
  lines,
  direction,
  stock = [],
  viewerRole,
}: {
  lines: readonly ShipmentView[];
  direction: "incoming" | "outgoing";
  stock?: readonly StockLine[];
  /** The signed-in party's role: a distributor verifies a pharmacy's return before receiving it. */
  viewerRole?: string;
}) {
  const groups = groupShipments(lines);
  return (
    <ul className="space-y-3" data-testid={`${direction}-shipments`}>
      {groups.map((group) => (
        <li
          key={group.shipmentId}
          className="rounded-md border border-slate-200 p-3"
          data-shipment-id={group.shipmentId}
        >
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <p className="font-medium text-slate-900">
              {direction === "incoming"
                ? `From ${group.from.name ?? group.from.address}`
                : `To ${group.to.name ?? group.to.address}`}
              <span className="ml-2 text-sm font-normal text-slate-600">ref. {group.reference}</span>
            </p>
            <p className="text-xs text-slate-600">
              Shipped {formatDateTime(group.shippedAt)} · tx{" "}
              <code title={group.shippedTx}>{shortHash(group.shippedTx)}</code>
            </p>
          </div>
          <ul className="mt-2 mb-3 space-y-0.5 text-sm text-slate-700">
            {group.lines.map((line) => (
              <li key={line.batchId}>
                {formatUnits(line.quantity)} of {line.productName ?? `GTIN ${line.gtin}`}, lot {line.lot}
              </li>
            ))}
          </ul>
          <ShipmentActions group={group} direction={direction} stock={stock} viewerRole={viewerRole} />
        </li>
      ))}
    </ul>
  );
}
