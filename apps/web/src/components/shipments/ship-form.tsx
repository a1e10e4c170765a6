"use client";
import { useId, useState, type FormEvent } from "react";
import type { Address } from "viem";
import type { ParticipantView, StockLine } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import type { PartyRole } from "@/lib/wallet/use-party.ts";
import { useErrorLookup, useParticipants } from "../data/hooks.ts";
import { TxStatus } from "../tx/tx-status.tsx";
import { Button } from "../ui/button.tsx";
import { inputClass, SelectField, TextField } from "../ui/field.tsx";
import { formatDate, roleLabel } from "../ui/format.ts";

/** Who a party may ship to (the contract's routes; a return goes to the batch's manufacturer). */
export const ROUTES: Record<string, readonly string[]> = {
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
export function referenceError(reference: string): string | null {
  if (!reference.trim()) return "Give the shipment a reference (an ASN number or an SSCC).";
  if (new TextEncoder().encode(reference).length > 32) return "At most 32 characters.";
  return null;
}

/**
 * Who a party may send goods to: the active participants of the roles in `roles` (by default
 * those its own role ships to, ROUTES), never itself.
 */
export function useRecipients(role: PartyRole, self: Address, roles: readonly string[] = ROUTES[role] ?? []) {
  const participants = useParticipants();
  return (participants.data?.participants ?? []).filter(
    (p) => roles.includes(p.role) && !p.suspended && p.address.toLowerCase() !== self.toLowerCase(),
  );
}

/** The recipient of a shipment, chosen among `recipients`. */
export function RecipientField({
  label = "Ship to",
  value,
  onChange,
  error,
  recipients,
}: {
  label?: string;
  value: string;
  onChange: (address: string) => void;
  error: string | null;
  recipients: readonly ParticipantView[];
}) {
  return (
    <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value)} error={error} name="recipient">
      <option value="">Choose a recipient…</option>
      {recipients.map((p) => (
        <option key={p.address} value={p.address}>
          {p.name} ({roleLabel(p.role)}, GLN {p.gln})
        </option>
      ))}
    </SelectField>
  );
}

/** A shipment's reference (it goes on chain as bytes32: see `referenceError`). */
export function ReferenceField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (reference: string) => void;
  error: string | null;
}) {
  return (
    <TextField
      label="Reference"
      name="reference"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder="ASN-2026-0001"
      error={error}
      hint="The despatch advice number or SSCC printed on the delivery."
    />
  );
}

/**
 * Where a return of the chosen batches goes: their manufacturer, when they share one that may
 * receive (the ledger refuses a return to any other: PedigreeReturnToOtherManufacturer), else
 * what is in the way, in words.
 */
function returnRecipient(
  chosen: readonly StockLine[],
  participants: readonly ParticipantView[],
): { manufacturer: ParticipantView | null; problem: string | null; mixed: boolean } {
  if (chosen.length === 0)
    return {
      manufacturer: null,
      problem: "Choose the batch to return: it goes back to its manufacturer.",
      mixed: false,
    };
  const byAddress = new Map(participants.map((p) => [p.address.toLowerCase(), p]));
  const makers = [...new Set(chosen.map((line) => line.manufacturer.toLowerCase()))];
  const nameOf = (address: string) => byAddress.get(address)?.name ?? address;
  if (makers.length > 1) {
    const made = chosen.map((line) => `lot ${line.lot} by ${nameOf(line.manufacturer.toLowerCase())}`);
    return {
      manufacturer: null,
      problem: `These batches have different manufacturers (${[...new Set(made)].join(", ")}), and each goes back to its own: send one return per manufacturer.`,
      mixed: true,
    };
  }
  const maker = byAddress.get(makers[0]!);
  if (maker === undefined)
    return {
      manufacturer: null,
      problem: "The batch's manufacturer is not in the directory yet: try again in a moment.",
      mixed: false,
    };
  if (maker.suspended)
    return {
      manufacturer: null,
      problem: `${maker.name}, the batch's manufacturer, is suspended: it cannot receive the return until the administrator reinstates it.`,
      mixed: false,
    };
  return { manufacturer: maker, problem: null, mixed: false };
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
  // The stock page shows the ship form and the return form together: their lines' ids must differ.
  const formId = useId();
  const [touched, setTouched] = useState(false);

  const shippable = stock.filter(
    (line) => line.units > 0 && (mode === "return" || (line.status === "ACTIVE" && !line.expired)),
  );
  const chosen = lines.flatMap((line) => shippable.filter((s) => s.batchId === line.batchId));
  const returnTo = mode === "return" ? returnRecipient(chosen, participants.data?.participants ?? []) : null;
  const recipients = useRecipients(role, self);
  // A return goes to its batches' manufacturer, the one recipient the ledger accepts: it is not chosen.
  const recipient = returnTo === null ? to : (returnTo.manufacturer?.address ?? "");

  const lineErrors = lines.map((line) => {
    const stockLine = shippable.find((s) => s.batchId === line.batchId);
    if (!line.batchId) return "Choose a batch.";
    const quantity = Number(line.quantity);
    if (!Number.isInteger(quantity) || quantity <= 0) return "A whole number of units, at least 1.";
    if (stockLine && quantity > stockLine.units) return `You hold ${stockLine.units} units of this batch.`;
    if (lines.filter((l) => l.batchId === line.batchId).length > 1) return "This batch is on two lines: merge them.";
    return null;
  });
  const errors = {
    to: returnTo !== null ? returnTo.problem : to ? null : "Choose a recipient.",
    reference: referenceError(reference),
  };
  const valid = !errors.to && !errors.reference && lineErrors.every((e) => e === null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!valid) return;
    const result = await tx.run({
      operation: "ship",
      arguments: {
        to: recipient as Address,
        reference: reference.trim(),
        lines: lines.map((line) => {
          const batch = shippable.find((s) => s.batchId === line.batchId)!;
          return { gtin: batch.gtin, lot: batch.lot, quantity: Number(line.quantity) };
        }),
      },
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
        {returnTo !== null ? (
          <SelectField
            label="Return to"
            value={recipient}
            onChange={() => {}}
            // Mixed manufacturers are said at once: the lines, not this field, must change.
            error={touched || returnTo.mixed ? errors.to : null}
            hint="A return goes back to the manufacturer of the batch returned: the ledger accepts no other."
            name="recipient"
          >
            {returnTo.manufacturer === null ? (
              <option value="">
                {chosen.length === 0
                  ? "Choose the batch first…"
                  : returnTo.mixed
                    ? "No single manufacturer"
                    : "No manufacturer can receive it now"}
              </option>
            ) : (
              <option value={returnTo.manufacturer.address}>
                {returnTo.manufacturer.name} (Manufacturer, GLN {returnTo.manufacturer.gln})
              </option>
            )}
          </SelectField>
        ) : (
          <RecipientField value={to} onChange={setTo} error={touched ? errors.to : null} recipients={recipients} />
        )}
        <ReferenceField value={reference} onChange={setReference} error={touched ? errors.reference : null} />
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Lines</legend>
        {lines.map((line, i) => (
          <div key={line.key} className="grid grid-cols-[1fr_7rem_auto] items-start gap-2">
            <div>
              <label className="sr-only" htmlFor={`${formId}-line-batch-${line.key}`}>
                Batch of line {i + 1}
              </label>
              <select
                id={`${formId}-line-batch-${line.key}`}
                className={inputClass}
                value={line.batchId}
                aria-invalid={touched && lineErrors[i] ? true : undefined}
                aria-describedby={touched && lineErrors[i] ? `${formId}-line-error-${line.key}` : undefined}
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
                <p id={`${formId}-line-error-${line.key}`} className="mt-1 text-xs font-medium text-red-700">
                  ⚠ {lineErrors[i]}
                </p>
              ) : null}
            </div>
            <div>
              <label className="sr-only" htmlFor={`${formId}-line-qty-${line.key}`}>
                Units of line {i + 1}
              </label>
              <input
                id={`${formId}-line-qty-${line.key}`}
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
