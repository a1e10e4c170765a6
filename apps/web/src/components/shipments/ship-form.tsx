"use client";
import { useMemo, useState, type FormEvent } from "react";
import { stringToHex, type Address, type Hex } from "viem";
import type { ParticipantView, StockLine } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import type { PartyRole } from "@/lib/wallet/use-party.ts";
import { useErrorLookup, useParticipants } from "../data/hooks.ts";
import { TxStatus } from "../tx/tx-status.tsx";
import { Button } from "../ui/button.tsx";
import { inputClass, SelectField, TextField } from "../ui/field.tsx";
import { formatDate, roleLabel } from "../ui/format.ts";

/** Who a party may ship to (the contract's routes; a return goes to the batch's manufacturer). */
const ROUTES: Record<string, readonly string[]> = {
  MANUFACTURER: ["DISTRIBUTOR", "PHARMACY"],
  DISTRIBUTOR: ["DISTRIBUTOR", "PHARMACY", "MANUFACTURER"],
  PHARMACY: ["DISTRIBUTOR", "MANUFACTURER"],
};

interface Line {
  key: number;
  batchId: string;
  quantity: string;
}

/** A shipment reference goes on chain as bytes32: text of up to 32 bytes. */
function referenceError(reference: string): string | null {
  if (!reference.trim()) return "Give the shipment a reference (an ASN number or an SSCC).";
  if (new TextEncoder().encode(reference).length > 32) return "At most 32 characters.";
  return null;
}

export function ShipForm({
  role,
  self,
  stock,
  mode = "ship",
}: {
  role: PartyRole;
  self: Address;
  stock: readonly StockLine[];
  /** "return": only to manufacturers, and recalled or expired stock is offered too. */
  mode?: "ship" | "return";
}) {
  const participants = useParticipants();
  const lookup = useErrorLookup(stock);
  const tx = useLedgerWrite(lookup);
  const [to, setTo] = useState("");
  const [reference, setReference] = useState("");
  const [lines, setLines] = useState<Line[]>([{ key: 0, batchId: "", quantity: "" }]);
  const [touched, setTouched] = useState(false);

  const shippable = stock.filter(
    (line) => line.units > 0 && (mode === "return" || (line.status === "ACTIVE" && !line.expired)),
  );
  const recipients = useMemo(() => {
    const allowed = mode === "return" ? ["MANUFACTURER"] : (ROUTES[role] ?? []);
    return (participants.data?.participants ?? []).filter(
      (p: ParticipantView) =>
        allowed.includes(p.role) && !p.suspended && p.address.toLowerCase() !== self.toLowerCase(),
    );
  }, [participants.data, role, self, mode]);

  const lineErrors = lines.map((line) => {
    const stockLine = shippable.find((s) => s.batchId === line.batchId);
    if (!line.batchId) return "Choose a batch.";
    const quantity = Number(line.quantity);
    if (!Number.isInteger(quantity) || quantity <= 0) return "A whole number of units, at least 1.";
    if (stockLine && quantity > stockLine.units) return `You hold ${stockLine.units} units of this batch.`;
    if (lines.filter((l) => l.batchId === line.batchId).length > 1) return "This batch is on two lines: merge them.";
    return null;
  });
  const errors = { to: to ? null : "Choose a recipient.", reference: referenceError(reference) };
  const valid = !errors.to && !errors.reference && lineErrors.every((e) => e === null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!valid) return;
    const result = await tx.run({
      functionName: "ship",
      args: [
        to as Address,
        stringToHex(reference.trim(), { size: 32 }),
        lines.map((line) => ({ batchId: line.batchId as Hex, quantity: BigInt(line.quantity) })),
      ],
    });
    if (result.ok) {
      setReference("");
      setLines([{ key: Date.now(), batchId: "", quantity: "" }]);
      setTouched(false);
    }
  }

  if (shippable.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        {mode === "return"
          ? "You hold no stock to return."
          : "You hold no stock that can be shipped (active and unexpired)."}
      </p>
    );
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-4"
      noValidate
      aria-label={mode === "return" ? "Return stock" : "Ship stock"}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label={mode === "return" ? "Return to" : "Ship to"}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          error={touched ? errors.to : null}
          hint={mode === "return" ? "Returns go back to the batch's manufacturer." : undefined}
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
          hint="The despatch advice number or SSCC printed on the delivery."
        />
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Lines</legend>
        {lines.map((line, i) => (
          <div key={line.key} className="grid grid-cols-[1fr_7rem_auto] items-start gap-2">
            <div>
              <label className="sr-only" htmlFor={`line-batch-${line.key}`}>
                Batch of line {i + 1}
              </label>
              <select
                id={`line-batch-${line.key}`}
                className={inputClass}
                value={line.batchId}
                aria-invalid={touched && lineErrors[i] ? true : undefined}
                aria-describedby={touched && lineErrors[i] ? `line-error-${line.key}` : undefined}
                onChange={(e) =>
                  setLines(lines.map((l) => (l.key === line.key ? { ...l, batchId: e.target.value } : l)))
                }
              >
                <option value="">Choose a batch…</option>
                {shippable.map((s) => (
                  <option key={s.batchId} value={s.batchId}>
                    {s.productName ?? s.gtin} · lot {s.lot} · exp. {formatDate(s.expiry)} · {s.units} held
                    {s.status !== "ACTIVE" ? ` · ${s.status.toLowerCase()}` : s.expired ? " · expired" : ""}
                  </option>
                ))}
              </select>
              {touched && lineErrors[i] ? (
                <p id={`line-error-${line.key}`} className="mt-1 text-xs font-medium text-red-700">
                  ⚠ {lineErrors[i]}
                </p>
              ) : null}
            </div>
            <div>
              <label className="sr-only" htmlFor={`line-qty-${line.key}`}>
                Units of line {i + 1}
              </label>
              <input
                id={`line-qty-${line.key}`}
                className={inputClass}
                inputMode="numeric"
                placeholder="Units"
                value={line.quantity}
                onChange={(e) =>
                  setLines(lines.map((l) => (l.key === line.key ? { ...l, quantity: e.target.value } : l)))
                }
              />
            </div>
            <Button
              variant="ghost"
              size="sm"
              className="mt-1"
              aria-label={`Remove line ${i + 1}`}
              disabled={lines.length === 1}
              onClick={() => setLines(lines.filter((l) => l.key !== line.key))}
            >
              Remove
            </Button>
          </div>
        ))}
        <Button
          variant="secondary"
          size="sm"
          onClick={() => setLines([...lines, { key: Date.now(), batchId: "", quantity: "" }])}
        >
          Add a line
        </Button>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={tx.busy}>
          {mode === "return" ? "Send the return" : "Ship"}
        </Button>
      </div>
      <TxStatus
        phase={tx.phase}
        successText={
          mode === "return" ? "Return sent: the units are in transit." : "Shipped: the units are in transit."
        }
      />
    </form>
  );
}
