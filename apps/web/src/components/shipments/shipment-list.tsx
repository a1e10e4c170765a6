"use client";
import { useState } from "react";
import type { Address, Hex } from "viem";
import type { ShipmentItemView, ShipmentView, StockLine } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import type { DashboardWrite, Items } from "@/lib/tx/writes.ts";
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

/** Package-level ledger: a shipment's items as a write lists them (units by SSCC, loose packs by index). */
function itemsArg(items: readonly ShipmentItemView[]): Required<Items> {
  return {
    units: items.flatMap((item) => (item.sscc !== null ? [item.sscc] : [])),
    packs: items.flatMap((item) =>
      item.pack !== null ? [{ gtin: item.pack.gtin, lot: item.pack.lot, index: item.pack.index }] : [],
    ),
  };
}

/** An item of a shipment in words: "Unit 009520120000000018 · 50 packs" or "Pack SN ABC123, lot L1". */
export function itemLabel(item: ShipmentItemView): string {
  if (item.sscc !== null) return `Unit ${item.sscc} · ${item.packs} ${item.packs === 1 ? "pack" : "packs"}`;
  const pack = item.pack!;
  return `Pack ${pack.serial !== null ? `SN ${pack.serial}` : `no. ${pack.index + 1}`}, lot ${pack.lot}`;
}

/**
 * The write for each action on a shipment card, on the ledger this deployment runs: the count
 * ledger settles lines of quantities, the package ledger the items still in transit (`items`).
 */
function shipmentWrites(group: ShipmentGroup, items: readonly ShipmentItemView[] | undefined) {
  const shipmentId = group.shipmentId as Hex;
  const from = group.from.address as Address;
  const to = group.to.address as Address;
  if (items === undefined) {
    return {
      receive: (): DashboardWrite => ({
        operation: "receive",
        arguments: { shipmentId, from, lines: linesArg(group) },
      }),
      reject: (reason: string): DashboardWrite => ({
        operation: "reject",
        arguments: { shipmentId, from, lines: linesArg(group), reason },
      }),
      cancel: (): DashboardWrite => ({
        operation: "cancel-shipment",
        arguments: { shipmentId, to, lines: linesArg(group) },
      }),
    };
  }
  return {
    receive: (): DashboardWrite => ({
      ledger: "package",
      operation: "receive",
      arguments: { shipmentId, ...itemsArg(items) },
    }),
    reject: (reason: string): DashboardWrite => ({
      ledger: "package",
      operation: "reject",
      arguments: { shipmentId, ...itemsArg(items), reason },
    }),
    cancel: (): DashboardWrite => ({
      ledger: "package",
      operation: "cancel-shipment",
      arguments: { shipmentId, ...itemsArg(items) },
    }),
  };
}

/**
 * Package-level ledger: receive part of a shipment. Every item starts ticked; the unticked ones
 * are refused in the same step, with the reason (the sender sees them come back, and why).
 */
function PartialReceipt({
  group,
  items,
  busy,
  onReceive,
}: {
  group: ShipmentGroup;
  items: readonly ShipmentItemView[];
  busy: boolean;
  onReceive: (write: DashboardWrite) => void;
}) {
  const [open, setOpen] = useState(false);
  const [refused, setRefused] = useState<ReadonlySet<number>>(new Set());
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const received = items.filter((item) => !refused.has(item.position));
  const rejected = items.filter((item) => refused.has(item.position));
  return (
    <>
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)} data-testid="receive-part">
        Receive part…
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Receive part of the shipment"
        description={`From ${group.from.name ?? group.from.address}, reference ${group.reference}. Untick what did not arrive in a saleable state: it is refused and goes back to the sender.`}
      >
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault();
            if (received.length === 0) return setError("Tick at least one item, or refuse the whole shipment instead.");
            if (rejected.length > 0 && !reason.trim())
              return setError(
                "Say why the unticked items are refused (for example: damaged, temperature, not ordered).",
              );
            setError(null);
            setOpen(false);
            onReceive({
              ledger: "package",
              operation: "receive",
              arguments: {
                shipmentId: group.shipmentId as Hex,
                ...itemsArg(received),
                ...(rejected.length > 0 ? { rejected: itemsArg(rejected), reason: reason.trim() } : {}),
              },
            });
          }}
        >
          <fieldset className="max-h-72 space-y-1 overflow-y-auto">
            <legend className="text-sm font-medium text-slate-800">Arrived in good order</legend>
            {items.map((item) => (
              <label key={item.position} className="flex items-center gap-2 text-sm text-slate-800">
                <input
                  type="checkbox"
                  checked={!refused.has(item.position)}
                  onChange={(e) => {
                    const next = new Set(refused);
                    if (e.target.checked) next.delete(item.position);
                    else next.add(item.position);
                    setRefused(next);
                  }}
                />
                <span className="font-mono text-xs">{itemLabel(item)}</span>
              </label>
            ))}
          </fieldset>
          <TextField
            label="Why the unticked items are refused"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={error}
          />
          <Button type="submit" disabled={busy}>
            {rejected.length > 0
              ? `Receive ${received.length}, refuse ${rejected.length}`
              : `Receive all ${received.length}`}
          </Button>
        </form>
      </Dialog>
    </>
  );
}

function ShipmentActions({
  group,
  direction,
  stock,
  viewerRole,
  items,
}: {
  group: ShipmentGroup;
  direction: "incoming" | "outgoing";
  stock: readonly StockLine[];
  viewerRole?: string;
  /** Package-level ledger: the shipment's items still in transit. */
  items?: readonly ShipmentItemView[];
}) {
  const tx = useLedgerWrite(useErrorLookup(stock));
  const writes = shipmentWrites(group, items);
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
              onClick={() => void tx.run(writes.receive())}
            >
              {items === undefined ? "Receive" : "Receive all"}
            </Button>
            {/* A return's partial receipt needs passing answers for what it takes only (the server checks). */}
            {items !== undefined && items.length > 1 && (receiveBlocked === null || isReturn) ? (
              <PartialReceipt group={group} items={items} busy={tx.busy} onReceive={(write) => void tx.run(write)} />
            ) : null}
            {/* Not disabled while a write runs: the dialog gives the focus back to it (the dialog's button is). */}
            <Button size="sm" variant="secondary" onClick={() => setRejecting(true)}>
              Reject…
            </Button>
          </>
        ) : (
          <Button size="sm" variant="secondary" disabled={tx.busy} onClick={() => void tx.run(writes.cancel())}>
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
            await tx.run(writes.reject(reason.trim()));
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
  items,
}: {
  lines: readonly ShipmentView[];
  direction: "incoming" | "outgoing";
  stock?: readonly StockLine[];
  /** The signed-in party's role: a distributor verifies a pharmacy's return before receiving it. */
  viewerRole?: string;
  /** Package-level ledger: each pending shipment's items still in transit (PartyResponse.pendingItems). */
  items?: Record<string, ShipmentItemView[]>;
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
              <li key={`${line.batchId}:${line.status}`}>
                {formatUnits(line.quantity)} of {line.productName ?? `GTIN ${line.gtin}`}, lot {line.lot}
              </li>
            ))}
          </ul>
          {items !== undefined ? (
            <details className="mb-3 text-sm text-slate-700" data-testid="shipment-items">
              <summary className="cursor-pointer">
                {(items[group.shipmentId] ?? []).length}{" "}
                {(items[group.shipmentId] ?? []).length === 1 ? "item" : "items"} in transit
              </summary>
              <ul className="mt-1 space-y-0.5 font-mono text-xs">
                {(items[group.shipmentId] ?? []).map((item) => (
                  <li key={item.position}>{itemLabel(item)}</li>
                ))}
              </ul>
            </details>
          ) : null}
          <ShipmentActions
            group={group}
            direction={direction}
            stock={stock}
            viewerRole={viewerRole}
            items={items === undefined ? undefined : (items[group.shipmentId] ?? [])}
          />
        </li>
      ))}
    </ul>
  );
}
