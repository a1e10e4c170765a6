"use client";
/**
 * The stock page's custody screens on the package-level ledger, where custody is by identity:
 * the logistic units a party holds (pallets, cases, totes with what is inside them), receiving a
 * pallet or case by scanning its SSCC label, and the steps a clerk prepares by scanning labels and
 * packs: shipping and returning, packing and unpacking, quarantining suspect product.
 * Shipment cards (receive all, receive part, refuse, cancel) are shipment-list.tsx's.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import type { Address, Hex } from "viem";
import { isValidSscc, type Gs1Value } from "@pedigree/gs1";
import type { HeldUnitView, PartyResponse, ShipmentItemView, StockLine } from "@/lib/api/read.ts";
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
import { formatNumber } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import { RecipientField, ReferenceField, referenceError, useRecipients } from "./ship-form.tsx";
import { itemLabel } from "./shipment-list.tsx";

const packsText = (n: number) => `${formatNumber(n)} ${n === 1 ? "pack" : "packs"}`;

/** What a unit holds, in words: "2 units inside · 8 packs: Cetirizine lot A (7), lot B (1)". */
function contentsText(unit: HeldUnitView): string {
  const total = unit.contents.reduce((sum, c) => sum + c.packs, 0);
  const batches = unit.contents.map((c) => `${c.productName ?? `GTIN ${c.gtin}`} lot ${c.lot} (${c.packs})`);
  const children =
    unit.childUnits > 0 ? `${unit.childUnits} ${unit.childUnits === 1 ? "unit" : "units"} inside · ` : "";
  // A pallet whose cases all came off is still a labelled unit on the ledger: say it is empty.
  if (total === 0 && unit.childUnits === 0) return "empty";
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

/** An item scanned into a step being prepared: a unit by its SSCC, or a pack. */
type ScannedItem = { kind: "unit"; sscc: string; label: string } | { kind: "pack"; ref: PackageRef; label: string };

/** A pack as a step names it: the unit directly holding it (from its trace) included. */
async function packRefOf(code: string): Promise<{ ref: PackageRef; label: string }> {
  const proof = await api.packProof(code);
  const trace = await api.packTrace(proof.gtin, proof.serial, proof.lot).catch(() => null);
  const unit = trace?.whereabouts?.path[0];
  return {
    ref: { gtin: proof.gtin, lot: proof.lot, serial: proof.serial, ...(unit ? { unit } : {}) },
    label: `Pack SN ${proof.serial}, lot ${proof.lot}${unit ? ` (in unit ${unit})` : ""}`,
  };
}

/**
 * The list a clerk scans a step's units and packs into. Each label or code is taken as it comes: a
 * unit if `unitLabel` names it (else its words say why not), a pack once found in its serial list
 * (and, by its trace, the unit it is in); a refusal is said at once, and the field keeps the focus.
 */
function useScannedItems(unitLabel: (sscc: string) => { label: string } | { problem: string }) {
  const [items, setItems] = useState<ScannedItem[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const scanner = useRef<ScannerHandle>(null);
  const add = async (code: string, value: Gs1Value) => {
    setProblem(null);
    try {
      if (value.sscc !== undefined) {
        const unit = unitLabel(value.sscc);
        if ("problem" in unit) throw new Error(unit.problem);
        if (items.some((item) => item.kind === "unit" && item.sscc === value.sscc))
          throw new Error(`Unit ${value.sscc} is on the list already.`);
        setItems([...items, { kind: "unit", sscc: value.sscc, label: unit.label }]);
      } else {
        const pack = await packRefOf(code);
        const same = (item: ScannedItem) =>
          item.kind === "pack" && item.ref.gtin === pack.ref.gtin && item.ref.serial === pack.ref.serial;
        if (items.some(same)) throw new Error(`Pack SN ${pack.ref.serial} is on the list already.`);
        setItems([...items, { kind: "pack", ...pack }]);
      }
    } catch (error) {
      setProblem((error as Error).message);
    }
    scanner.current?.focus();
  };
  return {
    items,
    problem,
    scanner,
    add,
    remove: (index: number) => setItems(items.filter((_, i) => i !== index)),
    clear: () => {
      setItems([]);
      setProblem(null);
    },
    /** The step's arguments: units by SSCC, packs. */
    listed: () => ({
      units: items.flatMap((item) => (item.kind === "unit" ? [item.sscc] : [])),
      packs: items.flatMap((item) => (item.kind === "pack" ? [item.ref] : [])),
    }),
  };
}

/** The scanner of a `useScannedItems` list, what it refused, and what is on the list. */
function ScannedItems({
  list,
  fieldLabel,
  missing,
  testId,
}: {
  list: ReturnType<typeof useScannedItems>;
  fieldLabel: string;
  /** Shown (as an error once the form was submitted) while the list is empty. */
  missing: string | null;
  testId: string;
}) {
  return (
    <>
      <Scanner
        ref={list.scanner}
        accepts="unit-or-pack"
        fieldLabel={fieldLabel}
        submitLabel="Add"
        onCode={(code, value) => void list.add(code, value)}
      />
      {list.problem ? (
        <Notice tone="warning" testId={`${testId}-problem`}>
          {list.problem}
        </Notice>
      ) : null}
      {list.items.length === 0 ? (
        <p className={`text-sm ${missing ? "font-medium text-red-700" : "text-slate-600"}`}>
          {missing ? `⚠ ${missing}` : "Nothing scanned yet."}
        </p>
      ) : (
        <ul className="space-y-1 text-sm" data-testid={testId}>
          {list.items.map((item, i) => (
            <li key={item.label} className="flex items-center gap-2">
              <span className="font-mono text-xs text-slate-800">{item.label}</span>
              <Button variant="ghost" size="sm" aria-label={`Remove ${item.label}`} onClick={() => list.remove(i)}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A unit the party holds on its own, as a list takes it; else why not. */
function heldUnitLabel(held: ReadonlyMap<string, HeldUnitView>, sscc: string, unlessWhat: string) {
  const unit = held.get(sscc);
  return unit !== undefined
    ? { label: `Unit ${unit.sscc} · ${contentsText(unit)}` }
    : {
        problem: `Unit ${sscc} is not one you hold on its own: it is someone else's, on its way, or inside another unit you hold (${unlessWhat}).`,
      };
}

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
  const tx = useLedgerWrite(useErrorLookup(stock));
  const [to, setTo] = useState("");
  const [reference, setReference] = useState("");
  const [touched, setTouched] = useState(false);
  const formId = useId();
  const held = useMemo(() => new Map((party.units ?? []).map((unit) => [unit.sscc, unit])), [party.units]);
  const list = useScannedItems((sscc) => heldUnitLabel(held, sscc, "ship that one, or take it out first"));

  // A return goes to a manufacturer, which takes back only its own batches (the ledger says so otherwise).
  const recipients = useRecipients(role, self, mode === "return" ? ["MANUFACTURER"] : undefined);

  const errors = {
    to: to ? null : "Choose a recipient.",
    reference: referenceError(reference),
    items: list.items.length > 0 ? null : "Scan at least one pallet, case, tote or pack.",
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (errors.to || errors.reference || errors.items) return;
    const result = await tx.run({
      ledger: "package",
      operation: "ship",
      arguments: { to: to as Address, reference: reference.trim(), ...list.listed() },
    });
    if (result.ok) {
      list.clear();
      setReference("");
      setTouched(false);
    }
  }

  // The scanner is a form of its own, and forms do not nest: the shipment's fields are one form,
  // the scanner beside it, and the Ship button submits the fields' form by its id.
  return (
    <div role="form" className="space-y-4" aria-label={mode === "return" ? "Return stock" : "Ship stock"}>
      <form id={formId} onSubmit={submit} noValidate className="grid gap-4 sm:grid-cols-2">
        <RecipientField
          label={mode === "return" ? "Return to" : "Ship to"}
          value={to}
          onChange={setTo}
          error={touched ? errors.to : null}
          recipients={recipients}
        />
        <ReferenceField value={reference} onChange={setReference} error={touched ? errors.reference : null} />
      </form>
      <div>
        <p className="mb-2 text-sm font-medium text-slate-800">In this shipment</p>
        <ScannedItems
          list={list}
          fieldLabel="Scan what goes: pallet, case or tote labels, loose packs"
          missing={touched ? errors.items : null}
          testId="ship-items"
        />
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

/** An SSCC as people type or scan it: 18 digits, or its label's "(00)" text; why not, when it is not one. */
function ssccOf(text: string): { sscc: string } | { problem: string } {
  const digits = text.replace(/^\s*\(00\)\s*|\s+/g, "");
  if (!/^\d{18}$/.test(digits))
    return { problem: "The SSCC of the unit: 18 digits, as printed under the (00) of its label." };
  if (!isValidSscc(digits))
    return { problem: `The last digit of SSCC ${digits} does not check: read the label again.` };
  return { sscc: digits };
}

/** A form's choice of what to do, as radio buttons. */
function ModeChoice<M extends string>({
  modes,
  mode,
  onChange,
}: {
  modes: readonly (readonly [M, string])[];
  mode: M;
  onChange: (mode: M) => void;
}) {
  const name = useId();
  return (
    <fieldset className="flex flex-wrap gap-4 text-sm">
      <legend className="sr-only">What to do</legend>
      {modes.map(([value, text]) => (
        <label key={value} className="flex items-center gap-2">
          <input type="radio" name={name} checked={mode === value} onChange={() => onChange(value)} />
          {text}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The digits of the packer's company prefix inside `sscc` (after its extension digit), which the
 * ledger checks for a manufacturer; 0 for a distributor or pharmacy, who may label with any SSCC.
 */
function prefixLengthFor(sscc: string, role: PartyRole, prefixes: readonly string[]): number | { problem: string } {
  if (role !== "MANUFACTURER") return 0;
  const prefix = prefixes.find((p) => sscc.slice(1).startsWith(p));
  return prefix === undefined
    ? {
        problem: `SSCC ${sscc} is not under your company prefixes (${prefixes.join(", ") || "none assigned"}): label the unit with one of yours.`,
      }
    : prefix.length;
}

/**
 * Packing and unpacking: put units held on their own and packs (loose, or taken out of a unit
 * held) into a new pallet, case or tote labelled with a new SSCC; take units and packs out of a
 * unit. A manufacturer packs fresh packs of a batch into a case in the line's order, whatever the
 * case's size, in one step.
 */
export function PackForm({
  role,
  self,
  party,
  stock,
}: {
  role: PartyRole;
  self: Address;
  party: PartyResponse;
  stock: readonly StockLine[];
}) {
  const participants = useParticipants();
  const tx = useLedgerWrite(useErrorLookup(stock));
  const formId = useId();
  const [mode, setMode] = useState<"aggregate" | "disaggregate" | "pack-range">(
    role === "MANUFACTURER" ? "pack-range" : "aggregate",
  );
  const [label, setLabel] = useState("");
  const [batchId, setBatchId] = useState("");
  const [count, setCount] = useState("");
  const [touched, setTouched] = useState(false);
  const prefixes =
    participants.data?.participants.find((p) => p.address.toLowerCase() === self.toLowerCase())?.companyPrefixes ?? [];
  const held = useMemo(() => new Map((party.units ?? []).map((unit) => [unit.sscc, unit])), [party.units]);
  // What comes out of a unit is checked by the ledger (it must be directly inside the unit named).
  const list = useScannedItems((sscc) =>
    mode === "disaggregate" ? { label: `Unit ${sscc}` } : heldUnitLabel(held, sscc, "take it out first"),
  );
  const ownBatches = stock.filter((line) => line.manufacturer.toLowerCase() === self.toLowerCase());
  const typed = ssccOf(label);
  const sscc = "sscc" in typed ? typed.sscc : undefined;
  const prefixLength = sscc === undefined ? 0 : prefixLengthFor(sscc, role, prefixes);

  const labelError =
    "problem" in typed
      ? typed.problem
      : mode !== "disaggregate" && typeof prefixLength !== "number"
        ? prefixLength.problem
        : mode === "disaggregate" && !held.has(typed.sscc)
          ? `Unit ${sscc} is not one you hold on its own.`
          : null;
  const quantity = Number(count);
  const otherError =
    mode === "pack-range"
      ? !batchId
        ? "Choose the batch."
        : !Number.isInteger(quantity) || quantity < 1
          ? "How many packs go into the case: a whole number, at least 1."
          : null
      : list.items.length === 0
        ? mode === "aggregate"
          ? "Scan what goes into the unit."
          : "Scan what comes out of the unit."
        : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (labelError || otherError || sscc === undefined || typeof prefixLength !== "number") return;
    const { units, packs } = list.listed();
    const batch = ownBatches.find((line) => line.batchId === batchId);
    const result = await tx.run(
      mode === "pack-range"
        ? {
            ledger: "package",
            operation: "pack-range",
            arguments: { sscc, prefixLength, gtin: batch!.gtin, lot: batch!.lot, count: quantity },
          }
        : mode === "aggregate"
          ? { ledger: "package", operation: "aggregate", arguments: { sscc, prefixLength, units, packs } }
          : {
              ledger: "package",
              operation: "disaggregate",
              // A pack comes out of the unit named: the one it is directly in.
              arguments: { sscc, units, packs: packs.map((pack) => ({ ...pack, unit: sscc })) },
            },
    );
    if (result.ok) {
      list.clear();
      setLabel("");
      setTouched(false);
    }
  }

  const modes = [
    ...(role === "MANUFACTURER" ? [["pack-range", "Pack a case from a batch"] as const] : []),
    ["aggregate", "Put into a new unit"] as const,
    ["disaggregate", "Take out of a unit"] as const,
  ];

  return (
    <div role="form" aria-label="Pack and unpack" className="space-y-4">
      <ModeChoice
        modes={modes}
        mode={mode}
        onChange={(next) => {
          setMode(next);
          list.clear();
          tx.reset();
        }}
      />
      <form id={formId} onSubmit={submit} noValidate className="grid gap-4 sm:grid-cols-2">
        <TextField
          label={mode === "disaggregate" ? "SSCC of the unit to open" : "SSCC of the new unit"}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          error={touched ? labelError : null}
          hint={mode === "disaggregate" ? "The label of a pallet, case or tote you hold." : "Its label's 18 digits."}
        />
        {mode === "pack-range" ? (
          <>
            <SelectField label="Batch" value={batchId} onChange={(e) => setBatchId(e.target.value)}>
              <option value="">Choose a batch…</option>
              {ownBatches.map((line) => (
                <option key={line.batchId} value={line.batchId}>
                  {line.productName ?? line.gtin} · lot {line.lot}
                </option>
              ))}
            </SelectField>
            <TextField
              label="Packs in the case"
              inputMode="numeric"
              value={count}
              onChange={(e) => setCount(e.target.value)}
              error={touched ? otherError : null}
              hint="The next packs off the line, in the order of the batch's serial list."
            />
          </>
        ) : null}
      </form>
      {mode !== "pack-range" ? (
        <ScannedItems
          list={list}
          fieldLabel={mode === "aggregate" ? "Scan what goes in" : "Scan what comes out"}
          missing={touched ? otherError : null}
          testId="pack-items"
        />
      ) : null}
      <Button type="submit" form={formId} disabled={tx.busy}>
        {mode === "pack-range" ? "Pack the case" : mode === "aggregate" ? "Pack the unit" : "Take out"}
      </Button>
      <TxStatus
        phase={tx.phase}
        successText={
          mode === "disaggregate"
            ? "Taken out: they are loose in your stock."
            : "Packed: the unit is in your stock with what is inside it."
        }
      />
    </div>
  );
}

/**
 * Quarantine of suspect product by its holder: the units and packs scanned can neither move nor
 * be dispensed until the investigation ends, cleared (back in stock) or illegitimate (destroyed).
 * A regulator's quarantine is ended by a regulator only: the ledger says so before anything is
 * signed. A regulator (`units` null) acts on any party's units and packs: the ledger checks them.
 */
export function QuarantineForm({
  units: heldUnits,
  stock = [],
}: {
  /** The units the party holds (PartyResponse.units); null for a regulator. */
  units: readonly HeldUnitView[] | null;
  stock?: readonly StockLine[];
}) {
  const tx = useLedgerWrite(useErrorLookup(stock));
  const formId = useId();
  const [mode, setMode] = useState<"quarantine" | "end">("quarantine");
  const [outcome, setOutcome] = useState<"CLEARED" | "ILLEGITIMATE">("CLEARED");
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const units = useMemo(() => new Map((heldUnits ?? []).map((unit) => [unit.sscc, unit])), [heldUnits]);
  const list = useScannedItems((sscc) => {
    if (heldUnits === null) return { label: `Unit ${sscc}` };
    const unit = units.get(sscc);
    if (unit !== undefined && unit.quarantined === (mode === "end"))
      return { label: `Unit ${sscc} · ${contentsText(unit)}` };
    return {
      problem:
        unit === undefined
          ? `Unit ${sscc} is not one you hold on its own (a unit inside another is quarantined with it).`
          : mode === "end"
            ? `Unit ${sscc} is not quarantined.`
            : `Unit ${sscc} is quarantined already.`,
    };
  });
  const errors = {
    items: list.items.length > 0 ? null : "Scan the units and packs concerned.",
    reason: reason.trim()
      ? null
      : mode === "end"
        ? "Say what the investigation found."
        : "Say why the product is suspect.",
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (errors.items || errors.reason) return;
    const result = await tx.run(
      mode === "quarantine"
        ? { ledger: "package", operation: "quarantine", arguments: { ...list.listed(), reason: reason.trim() } }
        : {
            ledger: "package",
            operation: "end-quarantine",
            arguments: { ...list.listed(), outcome, reason: reason.trim() },
          },
    );
    if (result.ok) {
      list.clear();
      setReason("");
      setTouched(false);
    }
  }

  return (
    <div role="form" aria-label="Quarantine" className="space-y-4">
      <ModeChoice
        modes={[
          ["quarantine", "Quarantine suspect product"],
          ["end", "End a quarantine"],
        ]}
        mode={mode}
        onChange={(next) => {
          setMode(next);
          list.clear();
          tx.reset();
        }}
      />
      <ScannedItems
        list={list}
        fieldLabel={mode === "quarantine" ? "Scan what is suspect" : "Scan what was investigated"}
        missing={touched ? errors.items : null}
        testId="quarantine-items"
      />
      <form id={formId} onSubmit={submit} noValidate className="grid gap-4 sm:grid-cols-2">
        {mode === "end" ? (
          <SelectField
            label="Outcome"
            value={outcome}
            onChange={(e) => setOutcome(e.target.value as "CLEARED" | "ILLEGITIMATE")}
            hint="Illegitimate product is destroyed on the ledger: every later check of it says so."
          >
            <option value="CLEARED">Cleared: genuine, back in stock</option>
            <option value="ILLEGITIMATE">Illegitimate: destroy it</option>
          </SelectField>
        ) : null}
        <TextField
          label={mode === "quarantine" ? "Why it is suspect" : "What the investigation found"}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={touched ? errors.reason : null}
        />
      </form>
      <Button
        type="submit"
        form={formId}
        variant={mode === "end" && outcome === "ILLEGITIMATE" ? "danger" : "primary"}
        disabled={tx.busy}
      >
        {mode === "quarantine" ? "Quarantine" : outcome === "CLEARED" ? "Clear and release" : "Destroy as illegitimate"}
      </Button>
      <TxStatus
        phase={tx.phase}
        successText={
          mode === "quarantine"
            ? "Quarantined: it can neither move nor be dispensed until the investigation ends."
            : outcome === "CLEARED"
              ? heldUnits === null
                ? "Cleared: back in its holder's stock."
                : "Cleared: back in your stock."
              : "Destroyed as illegitimate: it has left the stock for good, and every later check of it says so. An alert names every pack destroyed (Alerts)."
        }
      />
    </div>
  );
}
