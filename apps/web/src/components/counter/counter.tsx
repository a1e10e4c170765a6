"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import type { Address } from "viem";
import { useConfig, useReadContract } from "wagmi";
import type { Gs1Value } from "@pedigree/gs1";
import {
  contractVerdictName,
  packStateName,
  type LedgerErrorLookup,
  pedigreeLedgerAbi,
  yyyymmddFromIsoDate,
} from "@pedigree/ledger";
import { Scanner, type ScannerHandle } from "@/components/scanner/Scanner.tsx";
import type { VerdictOverride } from "@/components/verdict/presentation.ts";
import { VerdictCard } from "@/components/verdict/VerdictCard.tsx";
import { api } from "@/lib/client-api.ts";
import { uppercaseSerialReading, type PackCodeEntry } from "@/lib/pack-code.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { useLedgerSettings } from "@/lib/wallet/ledger-context.tsx";
import { ensureSignedIn } from "@/lib/wallet/sign-in.ts";
import { useErrorLookup } from "../data/hooks.ts";
import { TxStatus } from "../tx/tx-status.tsx";
import { Button } from "../ui/button.tsx";
import { Section } from "../ui/card.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";

/** The contract's undo window for a dispense (UNDO_WINDOW). */
const UNDO_WINDOW_SECONDS = 10 * 24 * 60 * 60;

const CHAIN_VERDICT_WORDS: Record<string, string> = {
  Genuine: "Genuine and active: it may be dispensed.",
  Dispensed: "Already dispensed: do not hand it out; it is a potential falsification to investigate.",
  Decommissioned: "Decommissioned: do not hand it out.",
  Recalled: "Recalled: do not hand it out; quarantine it and return it to the manufacturer.",
  Suspended: "Suspended by a regulator: do not hand it out.",
  Expired: "Expired: do not hand it out.",
  Mismatch: "The label's lot or expiry does not match the record: quarantine it and investigate.",
  UnknownSerial: "Unknown serial: quarantine it; a potential falsification to investigate.",
  UnknownBatch: "Unknown batch: quarantine it; a potential falsification to investigate.",
  UnknownProduct: "Unknown product: quarantine it; a potential falsification to investigate.",
};

/** One scan on screen. A new scan or an edit of the field replaces it, with its check and its buttons. */
interface Scan {
  id: number;
  code: string;
  value: Gs1Value;
  entry: PackCodeEntry;
}

/** Verdicts whose card already says the pack is not on record: a failed proof adds nothing to them. */
const NOT_ON_RECORD: ReadonlySet<string> = new Set([
  "UNKNOWN_SERIAL",
  "UNKNOWN_PRODUCT",
  "MISMATCH",
  "INVALID_CODE",
  "UNAVAILABLE",
]);

/**
 * A genuine pack of a batch the pharmacy holds none of on the ledger (custody is counted per
 * batch): the ledger would refuse its dispense, so the counter says so before any click.
 */
function notInStock(lot: string): VerdictOverride {
  return {
    id: "not-in-stock",
    tone: "warning",
    icon: "alert",
    label: "Not in your stock",
    headline: "This pack is not in your pharmacy's stock.",
    advice:
      `The ledger shows no packs of batch ${lot} with your pharmacy, so it cannot be dispensed here. If it came ` +
      "in a delivery you have not received yet, receive that delivery on the Stock page first; otherwise set the " +
      "pack aside and find out where it came from.",
  };
}

/**
 * The check of one scan, showing one state at a time: checking; the verdict with what may be done
 * (dispense, undo, check the capitals reading of a typed serial); a refused write with the
 * ledger's view now; or the write done. Every button gives the field the focus back (`onAction`,
 * or the scanner itself for `onRetype`), so the next scan lands there.
 */
function PackCheck({
  scan,
  self,
  onAction,
  onRetype,
}: {
  scan: Scan;
  self: Address;
  onAction: () => void;
  onRetype: (code: string) => void;
}) {
  const { id, code, value, entry } = scan;
  const { ledgerAddress } = useLedgerSettings();
  const config = useConfig();
  // The server's verdict raises the alert and says it for people; the chain's own view decides
  // whether the dispense button is offered, so the counter works from the ledger itself.
  // One scan is one recorded check: "static" keeps the refresh that follows every confirmed write
  // from checking the pack again, which would record the pharmacy's own dispense as an alert.
  const verdict = useQuery({
    queryKey: ["verify", id, code],
    queryFn: async () => {
      // A dispense check needs the pharmacy signed in (it is named in the alerts its scans raise);
      // a declined signature gets the server's "sign in first" in the card instead of a verdict.
      await ensureSignedIn(config, self).catch(() => undefined);
      return api.verify(code, "dispense", entry);
    },
    retry: false,
    staleTime: "static",
  });
  const proof = useQuery({ queryKey: ["proof", code], queryFn: () => api.packProof(code), retry: false });
  const chain = useReadContract({
    address: ledgerAddress,
    abi: pedigreeLedgerAbi,
    functionName: "verifyPack",
    args: proof.data
      ? [
          BigInt(proof.data.gtin),
          proof.data.lot,
          proof.data.serial,
          BigInt(proof.data.index),
          proof.data.proof,
          value.expiry ? yyyymmddFromIsoDate(value.expiry.date) : 0,
        ]
      : undefined,
    query: { enabled: Boolean(proof.data) },
  });
  // What the ledger debits when the pack is dispensed: the pharmacy's units of the pack's batch.
  const held = useReadContract({
    address: ledgerAddress,
    abi: pedigreeLedgerAbi,
    functionName: "unitsHeld",
    args: proof.data ? [proof.data.batchId, self] : undefined,
    query: { enabled: Boolean(proof.data) },
  });
  // A refusal names this pack's batch in words, not by its id.
  const known = useErrorLookup();
  const productName = verdict.data?.product?.name;
  const lookup = useMemo<LedgerErrorLookup>(
    () => ({
      ...known,
      batch: (batchId) =>
        proof.data && batchId.toLowerCase() === proof.data.batchId.toLowerCase()
          ? { gtin: proof.data.gtin, lot: proof.data.lot, productName }
          : known.batch?.(batchId),
    }),
    [known, proof.data, productName],
  );
  const tx = useLedgerWrite(lookup);
  const [done, setDone] = useState<"dispensed" | "undone" | null>(null);

  const chainVerdict = chain.data ? contractVerdictName(chain.data.verdict) : null;
  const packState = chain.data ? packStateName(chain.data.pack.state) : null;
  const dispensedByMe = packState === "DISPENSED" && chain.data?.pack.by.toLowerCase() === self.toLowerCase();
  const undoDeadline = chain.data ? (chain.data.pack.at + UNDO_WINDOW_SECONDS) * 1000 : 0;
  const canUndo = dispensedByMe && Date.now() < undoDeadline && chainVerdict === "Dispensed";
  const inStock = held.data !== undefined && held.data > 0n;
  const canDispense = chainVerdict === "Genuine" && inStock && proof.data !== undefined;
  // Nothing is offered until every answer about this code is in: its verdict, and, for a pack on
  // record, the ledger's view and the pharmacy's stock of its batch.
  const settled = !verdict.isPending && !proof.isPending && (!proof.data || (!chain.isPending && !held.isPending));

  const dispense = async () => {
    if (!proof.data) return;
    onAction();
    const result = await tx.run({
      operation: "dispense",
      arguments: { gtin: proof.data.gtin, lot: proof.data.lot, serial: proof.data.serial },
    });
    if (result.ok) setDone("dispensed");
    // Refused: the pack changed since the scan (a recall, another counter): show the ledger's view now.
    else void Promise.all([chain.refetch(), held.refetch()]);
  };
  const undo = async () => {
    if (!proof.data) return;
    onAction();
    const result = await tx.run({
      operation: "reactivate",
      arguments: { gtin: proof.data.gtin, lot: proof.data.lot, serial: proof.data.serial },
    });
    if (result.ok) setDone("undone");
  };
  const undoButton = canUndo ? (
    <Button variant="secondary" data-testid="undo-dispense-button" disabled={tx.busy} onClick={() => void undo()}>
      Undo the dispense (until {formatDateTime(new Date(undoDeadline).toISOString())})
    </Button>
  ) : null;

  const attributes = { "data-testid": "pack-check", "data-chain-verdict": chainVerdict ?? "" };
  if (!settled) {
    return (
      <div {...attributes} data-state="checking">
        <p className="text-sm text-slate-600" role="status">
          Checking the pack…
        </p>
      </div>
    );
  }

  if (done !== null) {
    return (
      <div className="space-y-4" {...attributes} data-state={done}>
        <TxStatus
          phase={tx.phase}
          successText={
            done === "dispensed"
              ? "Dispensed and recorded on the ledger: hand the pack over."
              : "Dispense undone: the pack is active and in your stock again."
          }
        />
        {done === "dispensed" ? <div className="flex flex-wrap gap-3">{undoButton}</div> : null}
      </div>
    );
  }

  // After a refused write the verdict shown before it is out of date: the ledger's view replaces it.
  const refused = tx.phase.phase === "failed";
  const upper = entry === "typed" ? uppercaseSerialReading(value) : undefined;
  const genuineNotHeld = chainVerdict === "Genuine" && !inStock && proof.data !== undefined;
  const chainWords = genuineNotHeld
    ? "Genuine and active, but your pharmacy holds none of its batch: it cannot be dispensed here."
    : canUndo
      ? "Dispensed by your pharmacy: do not hand it out again. If it was dispensed by mistake, undo it below."
      : chainVerdict && (CHAIN_VERDICT_WORDS[chainVerdict] ?? chainVerdict);

  return (
    <div className="space-y-4" {...attributes} data-state={refused ? "refused" : "verdict"}>
      {refused ? null : verdict.data ? (
        <VerdictCard
          verification={verdict.data}
          audience="pharmacist"
          entry={entry}
          override={genuineNotHeld ? notInStock(proof.data.lot) : undefined}
          uppercaseCheck={
            upper && (
              <Button variant="secondary" data-testid="check-uppercase" onClick={() => onRetype(upper.code)}>
                Check <span className="font-mono">{upper.serial}</span>
              </Button>
            )
          }
        />
      ) : verdict.isError ? (
        <Notice tone="info" title="The server's verdict is not available">
          {verdict.error.message} The ledger's own answer is below.
        </Notice>
      ) : null}

      {proof.isError && !(verdict.data && NOT_ON_RECORD.has(verdict.data.verdict)) ? (
        <Notice tone="error" title="This pack cannot be checked on the ledger" testId="proof-error">
          {proof.error.message} Do not dispense it; set it aside.
        </Notice>
      ) : null}
      {chain.isError ? (
        <Notice tone="error" title="The ledger cannot be read">
          Try again in a moment.
        </Notice>
      ) : null}
      {chainWords ? (
        <Notice
          tone={chainVerdict === "Genuine" ? (genuineNotHeld ? "warning" : "success") : "error"}
          title={`Ledger: ${chainWords}`}
          testId="chain-verdict"
        >
          {packState && packState !== "ACTIVE" ? (
            <p>
              Pack {packState.toLowerCase()} on {formatDateTime(new Date(chain.data!.pack.at * 1000).toISOString())}
              {dispensedByMe ? " by you" : ""}.
            </p>
          ) : null}
        </Notice>
      ) : null}

      <div className="flex flex-wrap gap-3">
        {canDispense ? (
          <Button data-testid="dispense-button" disabled={tx.busy} onClick={() => void dispense()}>
            Dispense
          </Button>
        ) : null}
        {undoButton}
      </div>
      <TxStatus phase={tx.phase} />
    </div>
  );
}

export function Counter({ self }: { self: Address }) {
  const [scan, setScan] = useState<Scan | null>(null);
  const scanner = useRef<ScannerHandle>(null);
  const scans = useRef(0);
  const focusField = () => scanner.current?.focus();
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
      <Section
        title="Scan a pack"
        description="Camera, USB scanner (it types into the field), an image, or type the text printed on the pack."
      >
        <Scanner
          ref={scanner}
          onCode={(code, value, entry) => setScan({ id: ++scans.current, code, value, entry })}
          onEdit={() => setScan(null)}
          autoFocus
          fieldLabel="Pack code"
          submitLabel="Check"
        />
      </Section>
      <Section title="Verdict" description="Dispense with one click when the pack is genuine and in your stock.">
        {scan ? (
          <PackCheck
            key={scan.id}
            scan={scan}
            self={self}
            onAction={focusField}
            onRetype={(code) => scanner.current?.enter(code)}
          />
        ) : (
          <p className="text-sm text-slate-600">Scan a pack to see whether it may be dispensed.</p>
        )}
      </Section>
    </div>
  );
}
