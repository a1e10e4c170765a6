"use client";
/**
 * Recording a pack the party holds as destroyed or stolen (the ledger's `decommission` with that
 * state), for every holder: a distributor's broken or stolen stock, a pharmacy's damaged pack, a
 * manufacturer's destroyed samples. The pack is found by its code (scanned or typed), checked
 * against the ledger (active, and of a batch the party holds), and recorded after a confirmation
 * that names the pack and what follows: neither state can be undone (the contract reactivates only
 * dispensed and locked packs), and every later check of the pack says so.
 */
import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import type { Address } from "viem";
import { useReadContract } from "wagmi";
import type { Gs1Value } from "@pedigree/gs1";
import { packStateName, pedigreeLedgerAbi, type VerdictResult } from "@pedigree/ledger";
import { Scanner, type ScannerHandle } from "@/components/scanner/Scanner.tsx";
import type { StockLine } from "@/lib/api/read.ts";
import { api, ApiRequestError, type PackProofResponse } from "@/lib/client-api.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { useLedgerSettings } from "@/lib/wallet/ledger-context.tsx";
import { wordsFor } from "@/server/verify/words.ts";
import { useErrorLookup } from "../data/hooks.ts";
import { TxStatus } from "../tx/tx-status.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { formatDate, formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";

type LossState = "DESTROYED" | "STOLEN";

const LOSS_STATES: Record<LossState, { label: string; hint: string; done: string }> = {
  DESTROYED: { label: "Destroyed", hint: "Damaged, spoiled, or sent for destruction.", done: "destroyed" },
  STOLEN: { label: "Stolen", hint: "Taken in a theft, or missing after one.", done: "reported stolen" },
};

/** What a patient and a pharmacist read when they check a pack in this state: the verifier's own words. */
function wordsAfter(state: LossState, purpose: "verify" | "dispense"): string {
  const decision: VerdictResult = { verdict: "DECOMMISSIONED", facts: { decommissioned: { state } }, alert: false };
  const words = wordsFor(decision, purpose);
  return `${words.headline} ${words.advice}`;
}

interface Scan {
  id: number;
  code: string;
  value: Gs1Value;
}

function packName(line: StockLine | undefined, serial: string, lot: string): string {
  const product = line ? [line.productName ?? `GTIN ${line.gtin}`, line.strength, line.dosageForm] : [];
  return `${product.filter(Boolean).join(" ")}${product.length ? ", " : ""}lot ${lot}, serial ${serial}`;
}

/** What the form knows of a looked-up pack, from whichever reading its ledger gets. */
interface LossFacts {
  pending: boolean;
  /** The pack's place in its serial list (the server's proof), or why it was not found. */
  proof: PackProofResponse | undefined;
  proofError: Error | null;
  /** The ledger (or the read model) could not be read. */
  unreadable: boolean;
  /** ACTIVE, or the state it was decommissioned in, and since when (unix seconds). */
  state: string;
  since: number;
  /** The pack is the party's to record: it holds it (on the count ledger: units of its batch). */
  held: boolean;
  /** Package-level ledger: the unit directly holding the pack, which the write names. */
  unit: string | undefined;
}

/** The count ledger's reading, in the browser: the pack's record and the party's units of its batch. */
function useCountLedgerLoss(scan: Scan, self: Address): LossFacts {
  const { ledgerAddress } = useLedgerSettings();
  const proof = useQuery({ queryKey: ["proof", scan.code], queryFn: () => api.packProof(scan.code), retry: false });
  const p = proof.data;
  // The pack's state on the ledger (the label's expiry is not checked: the serial's proof names the pack).
  const chain = useReadContract({
    address: ledgerAddress,
    abi: pedigreeLedgerAbi,
    functionName: "verifyPack",
    args: p ? [BigInt(p.gtin), p.lot, p.serial, BigInt(p.index), p.proof, 0] : undefined,
    query: { enabled: Boolean(p) },
  });
  const held = useReadContract({
    address: ledgerAddress,
    abi: pedigreeLedgerAbi,
    functionName: "unitsHeld",
    args: p ? [p.batchId, self] : undefined,
    query: { enabled: Boolean(p) },
  });
  return {
    pending: proof.isPending || (p !== undefined && (chain.isPending || held.isPending)),
    proof: p,
    proofError: proof.error,
    unreadable: chain.isError || held.isError,
    state: chain.data ? packStateName(chain.data.pack.state) : "ACTIVE",
    since: chain.data?.pack.at ?? 0,
    held: held.data !== undefined && held.data > 0n,
    unit: undefined,
  };
}

/**
 * The package-level ledger's reading: the pack's trace in the read model says where it is (a
 * pack another party holds is not this party's to trace: 404), the unit it is in included. The
 * write's simulation has the chain's last word.
 */
function usePackageLedgerLoss(scan: Scan, self: Address): LossFacts {
  const proof = useQuery({ queryKey: ["proof", scan.code], queryFn: () => api.packProof(scan.code), retry: false });
  const p = proof.data;
  const trace = useQuery({
    queryKey: ["trace", p?.gtin, p?.serial, p?.lot],
    queryFn: () => api.packTrace(p!.gtin, p!.serial, p!.lot),
    enabled: p !== undefined,
    retry: false,
  });
  const notTraced = trace.error instanceof ApiRequestError && trace.error.status === 404;
  const where = trace.data?.whereabouts ?? null;
  return {
    pending: proof.isPending || (p !== undefined && trace.isPending),
    proof: p,
    proofError: proof.error,
    unreadable: trace.isError && !notTraced,
    state: where?.place === "DECOMMISSIONED" ? (where.state ?? "DECOMMISSIONED") : "ACTIVE",
    since: where?.at ?? 0,
    held: where !== null && where.place === "HELD" && where.party === self.toLowerCase(),
    unit: where?.path[0],
  };
}

function CountLedgerLoss(props: PackLossProps) {
  return <PackLoss {...props} facts={useCountLedgerLoss(props.scan, props.self)} />;
}

function PackageLedgerLoss(props: PackLossProps) {
  return <PackLoss {...props} facts={usePackageLedgerLoss(props.scan, props.self)} />;
}

interface PackLossProps {
  scan: Scan;
  self: Address;
  stock: readonly StockLine[];
  onDone: () => void;
}

/** One looked-up pack: the ledger's view of it, and, when it may be recorded, the choice and the confirmation. */
function PackLoss({ scan, stock, onDone, facts }: PackLossProps & { facts: LossFacts }) {
  const tx = useLedgerWrite(useErrorLookup(stock));
  const byIdentity = useLedgerSettings().ledgerKind === "package";
  const [state, setState] = useState<LossState>("DESTROYED");
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<LossState | null>(null);
  const p = facts.proof;

  if (facts.pending) {
    return (
      <p className="text-sm text-slate-600" role="status" data-testid="loss-check" data-state="checking">
        Looking the pack up on the ledger…
      </p>
    );
  }
  if (facts.proofError || !p) {
    return (
      <Notice tone="error" title="This pack cannot be found" testId="loss-check">
        {facts.proofError?.message ?? "The server did not answer."} Check the code, or scan the pack again.
      </Notice>
    );
  }
  if (facts.unreadable) {
    return (
      <Notice tone="error" title="The ledger cannot be read" testId="loss-check">
        Nothing was recorded. Try again in a moment.
      </Notice>
    );
  }
  const line = stock.find((s) => s.batchId.toLowerCase() === p.batchId.toLowerCase());
  const name = packName(line, p.serial, p.lot);

  if (done !== null) {
    return (
      <div className="space-y-2" data-testid="loss-check" data-state="recorded">
        <TxStatus
          phase={tx.phase}
          successText={`Recorded: ${name} is ${LOSS_STATES[done].done}. It has left your stock.`}
        />
      </div>
    );
  }

  if (facts.state !== "ACTIVE") {
    return (
      <Notice tone="info" title="Nothing to record" testId="loss-check">
        {name} is already {facts.state.toLowerCase()} on the ledger (since{" "}
        {formatDateTime(new Date(facts.since * 1000).toISOString())}).
      </Notice>
    );
  }
  if (!facts.held) {
    return (
      <Notice tone="warning" title="Not in your stock" testId="loss-check">
        {byIdentity
          ? `The ledger does not show ${name} with you, so it cannot be recorded here`
          : `The ledger shows no packs of lot ${p.lot} with you, so ${name} cannot be recorded here`}
        : only the party that holds a pack records it. If it came in a delivery you have not received yet, receive that
        delivery first.
      </Notice>
    );
  }

  const words = LOSS_STATES[state];
  const record = async () => {
    setOpen(false);
    const pack = { gtin: p.gtin, lot: p.lot, serial: p.serial };
    const result = await tx.run(
      byIdentity
        ? {
            ledger: "package",
            operation: "decommission",
            arguments: { pack: { ...pack, ...(facts.unit ? { unit: facts.unit } : {}) }, state },
          }
        : { operation: "decommission", arguments: { ...pack, state } },
    );
    if (result.ok) {
      setDone(state);
      onDone();
    }
  };

  return (
    <div className="space-y-4" data-testid="loss-check" data-state="found">
      <div className="text-sm">
        <p className="font-medium text-slate-900" data-testid="loss-pack">
          {name}
        </p>
        {line ? (
          <p className="text-slate-600">
            Expires {formatDate(line.expiry)} · you hold {line.units} {line.units === 1 ? "pack" : "packs"} of this lot
          </p>
        ) : null}
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">What happened to it</legend>
        {(Object.keys(LOSS_STATES) as LossState[]).map((option) => (
          <label key={option} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name={`loss-state-${scan.id}`}
              value={option}
              checked={state === option}
              onChange={() => setState(option)}
              className="mt-1"
            />
            <span>
              <span className="font-medium text-slate-900">{LOSS_STATES[option].label}</span>{" "}
              <span className="text-slate-600">{LOSS_STATES[option].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        trigger={
          <Button variant="danger" data-testid="record-loss">
            Record as {words.label.toLowerCase()}…
          </Button>
        }
        title={`Record this pack as ${words.label.toLowerCase()}`}
        description={name}
      >
        <div className="space-y-3 text-sm text-slate-800" data-testid="loss-consequence">
          <p>
            It leaves your stock for good: it can never be shipped or dispensed again, and this cannot be undone (the
            ledger undoes only a dispense).
          </p>
          <p>
            Anyone who checks it afterwards is told so. A patient reads: “{wordsAfter(state, "verify")}” A pharmacy
            scanning it at the counter reads: “{wordsAfter(state, "dispense")}”
          </p>
          <div className="flex flex-wrap gap-2 pt-1">
            <Button variant="danger" disabled={tx.busy} onClick={() => void record()}>
              Record as {words.label.toLowerCase()}
            </Button>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </div>
        </div>
      </Dialog>
      <TxStatus phase={tx.phase} />
    </div>
  );
}

/** The stock page's "Destroyed or stolen" section: look a pack up by its code, then record what happened to it. */
export function DecommissionForm({ self, stock }: { self: Address; stock: readonly StockLine[] }) {
  const [scan, setScan] = useState<Scan | null>(null);
  const scanner = useRef<ScannerHandle>(null);
  const scans = useRef(0);
  const Loss = useLedgerSettings().ledgerKind === "package" ? PackageLedgerLoss : CountLedgerLoss;
  if (stock.length === 0) return <p className="text-sm text-slate-600">You hold no packs to record.</p>;
  return (
    <div className="space-y-4">
      <Scanner
        ref={scanner}
        onCode={(code, value) => setScan({ id: ++scans.current, code, value })}
        onEdit={() => setScan(null)}
        fieldLabel="Code of the pack"
        submitLabel="Look up"
      />
      {scan ? (
        <Loss key={scan.id} scan={scan} self={self} stock={stock} onDone={() => scanner.current?.focus()} />
      ) : null}
    </div>
  );
}
