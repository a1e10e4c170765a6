"use client";
/**
 * The stock page's custody screens on the package-level ledger, where custody is by identity:
 * the logistic units a party holds (pallets, cases, totes with what is inside them), receiving a
 * pallet or case by scanning its SSCC label, and shipping by scanning the labels and packs that go.
 * Shipment cards (receive all, receive part, refuse, cancel) are shipment-list.tsx's.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import type { Address, Hex } from "viem";
import type { Gs1Value } from "@pedigree/gs1";
import type { HeldUnitView, ParticipantView, PartyResponse, ShipmentItemView, StockLine } from "@/lib/api/read.ts";
import { api } from "@/lib/client-api.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import type { PackageRef } from "@/lib/tx/writes.ts";
import type { PartyRole } from "@/lib/wallet/use-party.ts";
import { useErrorLookup, useParticipants } from "../data/hooks.ts";
import { Scanner, type ScannerHandle } from "../scanner/Scanner.tsx";
import { TxStatus } from "../tx/tx-status.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { formatNumber, roleLabel } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import { referenceError, ROUTES } from "./ship-form.tsx";
import { itemLabel } from "./shipment-list.tsx";

const packsText = (n: number) => `${formatNumber(n)} ${n === 1 ? "pack" : "packs"}`;

/** What a unit holds, in words: "2 units inside · 8 packs: Cetirizine lot A (7), lot B (1)". */
function contentsText(unit: HeldUnitView): string {
  const total = unit.contents.reduce((sum, c) => sum + c.packs, 0);
  const batches = unit.contents.map((c) => `${c.productName ?? `GTIN ${c.gtin}`} lot ${c.lot} (${c.packs})`);
  const children =
    unit.childUnits > 0 ? `${unit.childUnits} ${unit.childUnits === 1 ? "unit" : "units"} inside · ` : "";
  return `${children}${packsText(total)}${batches.length > 0 ? `: ${batches.join(", ")}` : ""}`;
}

/** The units a party holds at the top of their nesting, and its loose packs by batch. */
export function UnitsTable({ units, stock }: { units: readonly HeldUnitView[]; stock: PartyResponse["stock"] }) {
  const inUnits = new Map<string, number>();
  for (const unit of units)
    for (const c of unit.contents) inUnits.set(c.batchId, (inUnits.get(c.batchId) ?? 0) + c.packs);
  const loose = stock
    .flatMap((product) => product.batches)
    .map((line) => ({ line, packs: line.units - (inUnits.get(line.batchId) ?? 0) }))
    .filter((entry) => entry.packs > 0);
  return (
    <div className="space-y-3">
      {units.length === 0 ? (
        <p className="text-sm text-slate-600">You hold no pallets, cases or totes.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="held-units">
          {units.map((unit) => (
            <li key={unit.sscc} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-2" data-sscc={unit.sscc}>
              <span className="font-mono text-slate-900">{unit.sscc}</span>
              {unit.quarantined ? <Badge tone="warn">Quarantined</Badge> : null}
              <span className="text-slate-700">{contentsText(unit)}</span>
            </li>
          ))}
        </ul>
      )}
      {loose.length > 0 ? (
        <p className="text-sm text-slate-700" data-testid="loose-packs">
          Loose packs:{" "}
          {loose
            .map(({ line, packs }) => `${line.productName ?? `GTIN ${line.gtin}`} lot ${line.lot} (${packs})`)
            .join(", ")}
        </p>
      ) : null}
    </div>
  );
}

/** Where a scanned label or pack is among the shipments on their way to the party. */
function findInTransit(
  value: Gs1Value,
  incoming: readonly { shipmentId: string; from: string }[],
  items: Record<string, ShipmentItemView[]>,
): { shipmentId: string; from: string; item: ShipmentItemView } | undefined {
  for (const shipment of incoming) {
    const item = (items[shipment.shipmentId] ?? []).find((candidate) =>
      value.sscc !== undefined
        ? candidate.sscc === value.sscc
        : candidate.pack !== null &&
          candidate.pack.gtin === value.gtin &&
          candidate.pack.serial === value.serial &&
          (value.lot === undefined || candidate.pack.lot === value.lot),
    );
    if (item !== undefined) return { ...shipment, item };
  }
  return undefined;
}

/**
 * The receiving clerk's scan: one SSCC label scanned receives the whole pallet or case it names
 * (and everything inside it), from whichever shipment on its way to the party carries it; a
 * loose pack's code receives that pack. The field keeps the focus for the next label.
 */
export function ReceiveByScan({ party, stock }: { party: PartyResponse; stock: readonly StockLine[] }) {
  const tx = useLedgerWrite(useErrorLookup(stock));
  const scanner = useRef<ScannerHandle>(null);
  const [message, setMessage] = useState<{ tone: "success" | "warning"; text: string } | null>(null);
  // The field is disabled while a receipt is recorded: it takes the focus back once it is enabled.
  const refocus = useRef(false);
  useEffect(() => {
    if (tx.busy || !refocus.current) return;
    refocus.current = false;
    scanner.current?.focus();
  }, [tx.busy]);
  const incoming = useMemo(() => {
    const seen = new Map<string, string>();
    for (const line of party.incoming.PENDING) seen.set(line.shipmentId, line.from.name ?? line.from.address);
    return [...seen].map(([shipmentId, from]) => ({ shipmentId, from }));
  }, [party.incoming.PENDING]);

  const receive = async (code: string, value: Gs1Value) => {
    setMessage(null);
    tx.reset();
    const found = findInTransit(value, incoming, party.pendingItems ?? {});
    const what = value.sscc !== undefined ? `Unit ${value.sscc}` : `Pack SN ${value.serial ?? code}`;
    if (found === undefined) {
      setMessage({
        tone: "warning",
        text: `${what} is not in any shipment on its way to you. Check the label; if the goods are here, ask the sender which shipment they went in.`,
      });
      scanner.current?.focus();
      return;
    }
    refocus.current = true;
    const result = await tx.run({
      ledger: "package",
      operation: "receive",
      arguments: {
        shipmentId: found.shipmentId as Hex,
        ...(found.item.sscc !== null
          ? { units: [found.item.sscc] }
          : { packs: [{ gtin: found.item.pack!.gtin, lot: found.item.pack!.lot, index: found.item.pack!.index }] }),
      },
    });
    if (result.ok) setMessage({ tone: "success", text: `Received ${itemLabel(found.item)} from ${found.from}.` });
    scanner.current?.focus();
  };

  return (
    <div className="space-y-3" data-testid="receive-by-scan">
      <Scanner
        ref={scanner}
        accepts="unit-or-pack"
        fieldLabel="Pallet, case or pack label"
        submitLabel="Receive"
        busy={tx.busy}
        onCode={(code, value) => void receive(code, value)}
        onEdit={() => setMessage(null)}
      />
      {message ? (
        <Notice tone={message.tone} testId="receive-by-scan-result">
          {message.text}
        </Notice>
      ) : null}
      {message?.tone === "success" ? null : <TxStatus phase={tx.phase} />}
    </div>
  );
}

/** An item scanned into a shipment being prepared. */
type ShipItem = { kind: "unit"; sscc: string; label: string } | { kind: "pack"; ref: PackageRef; label: string };

/**
 * Shipping by scan: the clerk scans each pallet, case or tote label (a unit held, not inside
 * another) and each loose pack that goes, then ships them in one step. A pack still inside a case
 * is refused by the ledger's check before anything is signed, with what to do.
 */
export function ScanShipForm({
  role,
  self,
  party,
  stock,
  mode = "ship",
}: {
  role: PartyRole;
  self: Address;
  party: PartyResponse;
  stock: readonly StockLine[];
  /** "return": to a manufacturer, which takes back only its own batches (the ledger says so otherwise). */
  mode?: "ship" | "return";
}) {
  const participants = useParticipants();
  const tx = useLedgerWrite(useErrorLookup(stock));
  const scanner = useRef<ScannerHandle>(null);
  const [to, setTo] = useState("");
  const [reference, setReference] = useState("");
  const [items, setItems] = useState<ShipItem[]>([]);
  const [scanProblem, setScanProblem] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const formId = useId();
  const held = useMemo(() => new Map((party.units ?? []).map((unit) => [unit.sscc, unit])), [party.units]);

  const recipients = useMemo(() => {
    const allowed = mode === "return" ? ["MANUFACTURER"] : (ROUTES[role] ?? []);
    return (participants.data?.participants ?? []).filter(
      (p: ParticipantView) =>
        allowed.includes(p.role) && !p.suspended && p.address.toLowerCase() !== self.toLowerCase(),
    );
  }, [participants.data, role, self, mode]);

  const add = async (code: string, value: Gs1Value) => {
    setScanProblem(null);
    if (value.sscc !== undefined) {
      const unit = held.get(value.sscc);
      if (unit === undefined) {
        setScanProblem(
          `Unit ${value.sscc} is not one you hold on its own: it is someone else's, on its way, or inside another unit you hold (ship that one, or take it out first).`,
        );
      } else if (items.some((item) => item.kind === "unit" && item.sscc === value.sscc)) {
        setScanProblem(`Unit ${value.sscc} is on the list already.`);
      } else {
        setItems([...items, { kind: "unit", sscc: unit.sscc, label: `Unit ${unit.sscc} · ${contentsText(unit)}` }]);
      }
      scanner.current?.focus();
      return;
    }
    try {
      const proof = await api.packProof(code);
      if (
        items.some((item) => item.kind === "pack" && item.ref.gtin === proof.gtin && item.ref.serial === proof.serial)
      ) {
        setScanProblem(`Pack SN ${proof.serial} is on the list already.`);
      } else {
        setItems([
          ...items,
          {
            kind: "pack",
            ref: { gtin: proof.gtin, lot: proof.lot, serial: proof.serial },
            label: `Pack SN ${proof.serial}, lot ${proof.lot}`,
          },
        ]);
      }
    } catch (error) {
      setScanProblem((error as Error).message);
    }
    scanner.current?.focus();
  };

  const errors = {
    to: to ? null : "Choose a recipient.",
    reference: referenceError(reference),
    items: items.length > 0 ? null : "Scan at least one pallet, case, tote or pack.",
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (errors.to || errors.reference || errors.items) return;
    const result = await tx.run({
      ledger: "package",
      operation: "ship",
      arguments: {
        to: to as Address,
        reference: reference.trim(),
        units: items.flatMap((item) => (item.kind === "unit" ? [item.sscc] : [])),
        packs: items.flatMap((item) => (item.kind === "pack" ? [item.ref] : [])),
      },
    });
    if (result.ok) {
      setItems([]);
      setReference("");
      setTouched(false);
    }
  }

  // The scanner is a form of its own, and forms do not nest: the shipment's fields are one form,
  // the scanner beside it, and the Ship button submits the fields' form by its id.
  return (
    <div role="form" className="space-y-4" aria-label={mode === "return" ? "Return stock" : "Ship stock"}>
      <form id={formId} onSubmit={submit} noValidate className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label={mode === "return" ? "Return to" : "Ship to"}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          error={touched ? errors.to : null}
          name="recipient"
        >
          <option value="">Choose a recipient…</option>
          {recipients.map((p) => (
            <option key={p.address} value={p.address}>
              {p.name} ({roleLabel(p.role)}, GLN {p.gln})
            </option>
          ))}
        </SelectField>
        <TextField
          label="Reference"
          name="reference"
          value={reference}
          onChange={(e) => setReference(e.target.value)}
          placeholder="ASN-2026-0001"
          error={touched ? errors.reference : null}
          hint="The despatch advice number printed on the delivery."
        />
      </form>
      <Scanner
        ref={scanner}
        accepts="unit-or-pack"
        fieldLabel="Scan what goes: pallet, case or tote labels, loose packs"
        submitLabel="Add"
        onCode={(code, value) => void add(code, value)}
      />
      {scanProblem ? (
        <Notice tone="warning" testId="ship-scan-problem">
          {scanProblem}
        </Notice>
      ) : null}
      <div>
        <p className="text-sm font-medium text-slate-800">In this shipment</p>
        {items.length === 0 ? (
          <p className={`text-sm ${touched ? "font-medium text-red-700" : "text-slate-600"}`}>
            {touched ? `⚠ ${errors.items}` : "Nothing scanned yet."}
          </p>
        ) : (
          <ul className="mt-1 space-y-1 text-sm" data-testid="ship-items">
            {items.map((item, i) => (
              <li
                key={item.kind === "unit" ? item.sscc : `${item.ref.gtin}/${item.ref.serial}`}
                className="flex items-center gap-2"
              >
                <span className="font-mono text-xs text-slate-800">{item.label}</span>
                <Button
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove ${item.label}`}
                  onClick={() => setItems(items.filter((_, j) => j !== i))}
                >
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <Button type="submit" form={formId} disabled={tx.busy}>
        {mode === "return" ? "Send the return" : "Ship"}
      </Button>
      <TxStatus
        phase={tx.phase}
        successText={
          mode === "return"
            ? "Return sent: the units and packs are in transit."
            : "Shipped: the units and packs are in transit."
        }
      />
    </div>
  );
}
