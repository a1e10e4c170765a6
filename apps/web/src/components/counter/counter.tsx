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
import type { VerdictName, VerifyResponse } from "@/lib/api-types.ts";
import { api } from "@/lib/client-api.ts";
import { uppercaseSerialReading, type PackCodeEntry } from "@/lib/pack-code.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import type { DashboardWrite } from "@/lib/tx/writes.ts";
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
  Quarantined: "Quarantined as suspect product under investigation: do not hand it out; set it aside.",
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

/** What the counter knows of a scanned pack, from whichever reading its ledger gets (see the two hooks). */
interface CounterFacts {
  /** Every answer about the code is in: nothing is offered before. */
  settled: boolean;
  /** The ledger's verdict name (the contract's), or null when the pack is not on record. */
  chainVerdict: string | null;
  /** The pack's state on the ledger, and when it was set (unix seconds). */
  packState: string | null;
  packAt: number;
  dispensedByMe: boolean;
  /** The pack is the pharmacy's to dispense (in its stock). */
  inStock: boolean;
  /** A pack on record (its place in its serial list found). */
  onRecord: boolean;
  /** The pack could not be found in its serial list: why (shown unless the verdict says it already). */
  proofError: Error | null;
  /** The ledger could not be read. */
  chainError: boolean;
  lookup: LedgerErrorLookup;
  /** The writes of the buttons; undefined until the pack is on record. */
  dispense: DashboardWrite | undefined;
  undo: DashboardWrite | undefined;
  /** Reads the ledger's view again (after a refused write). */
  refetch(): void;
}

/**
 * The count ledger's counter reads the ledger itself in the browser: the pack's record
 * (`verifyPack`, with its place in the serial list from the server) and the pharmacy's units of
 * its batch (custody is counted per batch there).
 */
function useCountLedgerFacts(scan: Scan, self: Address, verdict: VerifyResponse | undefined): CounterFacts {
  const { code, value } = scan;
  const { ledgerAddress } = useLedgerSettings();
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
  const productName = verdict?.product?.name;
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
  const packState = chain.data ? packStateName(chain.data.pack.state) : null;
  const pack = proof.data && { gtin: proof.data.gtin, lot: proof.data.lot, serial: proof.data.serial };
  return {
    settled: !proof.isPending && (!proof.data || (!chain.isPending && !held.isPending)),
    chainVerdict: chain.data ? contractVerdictName(chain.data.verdict) : null,
    packState,
    packAt: chain.data?.pack.at ?? 0,
    dispensedByMe: packState === "DISPENSED" && chain.data?.pack.by.toLowerCase() === self.toLowerCase(),
    inStock: held.data !== undefined && held.data > 0n,
    onRecord: proof.data !== undefined,
    proofError: proof.error,
    chainError: chain.isError,
    lookup,
    dispense: pack && { operation: "dispense", arguments: pack },
    undo: pack && { operation: "reactivate", arguments: pack },
    refetch: () => void Promise.all([chain.refetch(), held.refetch()]),
  };
}

/** The server's verdict names for the contract's, as the counter's words know them. */
const CONTRACT_VERDICT_OF: Partial<Record<VerdictName, string>> = {
  GENUINE: "Genuine",
  DISPENSED: "Dispensed",
  DECOMMISSIONED: "Decommissioned",
  RECALLED: "Recalled",
  SUSPENDED: "Suspended",
  QUARANTINED: "Quarantined",
  EXPIRED: "Expired",
  MISMATCH: "Mismatch",
  UNKNOWN_SERIAL: "UnknownSerial",
  UNKNOWN_PRODUCT: "UnknownProduct",
};

/**
 * The package-level ledger's counter takes the server's dispense check, which reads the chain
 * itself for that purpose (not the read model): the pack's record, whether the pharmacy holds
 * this very pack (loose or inside a unit it holds), and the unit it is in, which the dispense
 * names. No second reading in the browser.
 */
function usePackageLedgerFacts(
  self: Address,
  verdict: VerifyResponse | undefined,
  refetchVerdict: () => void,
): CounterFacts {
  const lookup = useErrorLookup();
  const onRecord = verdict?.pack?.index !== undefined && verdict.batch !== null;
  const decommissioned = verdict?.decommissioned ?? null;
  const packState = onRecord ? (decommissioned?.state ?? "ACTIVE") : null;
  const pack =
    onRecord && verdict?.pack?.gtin && verdict.pack.serial && verdict.batch
      ? { gtin: verdict.pack.gtin, lot: verdict.batch.lot, serial: verdict.pack.serial }
      : undefined;
  return {
    settled: verdict !== undefined,
    chainVerdict: verdict ? (CONTRACT_VERDICT_OF[verdict.verdict] ?? null) : null,
    packState,
    packAt: decommissioned ? Math.floor(Date.parse(decommissioned.at) / 1000) : 0,
    dispensedByMe: packState === "DISPENSED" && decommissioned?.by?.address.toLowerCase() === self.toLowerCase(),
    inStock: verdict?.inStock === true,
    onRecord,
    proofError: null,
    chainError: false,
    lookup,
    dispense: pack && {
      ledger: "package",
      operation: "dispense",
      arguments: { pack: { ...pack, ...(verdict?.location?.unit ? { unit: verdict.location.unit } : {}) } },
    },
    undo: pack && { ledger: "package", operation: "reactivate", arguments: { pack } },
    refetch: refetchVerdict,
  };
}

interface PackCheckProps {
  scan: Scan;
  self: Address;
  onAction: () => void;
  onRetype: (code: string) => void;
}

/**
 * The server's verdict of the scan for dispensing: it raises the alert and says it for people.
 * One scan is one recorded check: "static" keeps the refresh that follows every confirmed write
 * from checking the pack again, which would record the pharmacy's own dispense as an alert.
 */
function useDispenseVerdict({ id, code, entry }: Scan, self: Address) {
  const config = useConfig();
  return useQuery({
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
}

function CountLedgerCheck(props: PackCheckProps) {
  const verdict = useDispenseVerdict(props.scan, props.self);
  const facts = useCountLedgerFacts(props.scan, props.self, verdict.data);
  return <PackCheckView {...props} verdict={verdict} facts={facts} />;
}

function PackageLedgerCheck(props: PackCheckProps) {
  const verdict = useDispenseVerdict(props.scan, props.self);
  const facts = usePackageLedgerFacts(props.self, verdict.data, () => void verdict.refetch());
  return <PackCheckView {...props} verdict={verdict} facts={facts} />;
}

/** The check of one scan, from the reading the deployment's ledger gets. */
function PackCheck(props: PackCheckProps) {
  return useLedgerSettings().ledgerKind === "package" ? (
    <PackageLedgerCheck {...props} />
  ) : (
    <CountLedgerCheck {...props} />
  );
}

/**
 * One scan's check, showing one state at a time: checking; the verdict with what may be done
 * (dispense, undo, check the capitals reading of a typed serial); a refused write with the
 * ledger's view now; or the write done. Every button gives the field the focus back (`onAction`,
 * or the scanner itself for `onRetype`), so the next scan lands there.
 */
function PackCheckView({
  scan,
  onAction,
  onRetype,
  verdict,
  facts,
}: PackCheckProps & { verdict: ReturnType<typeof useDispenseVerdict>; facts: CounterFacts }) {
  const { value, entry } = scan;
  const tx = useLedgerWrite(facts.lookup);
  const [done, setDone] = useState<"dispensed" | "undone" | null>(null);

  // When this page dispensed the pack: its undo is offered at once, before (or without) a new reading.
  const [dispensedAt, setDispensedAt] = useState<number | null>(null);
  const { chainVerdict, packState, dispensedByMe, inStock } = facts;
  const readDispensed = dispensedByMe && chainVerdict === "Dispensed";
  const undoDeadline = readDispensed
    ? (facts.packAt + UNDO_WINDOW_SECONDS) * 1000
    : (dispensedAt ?? 0) + UNDO_WINDOW_SECONDS * 1000;
  const canUndo = (readDispensed || (done === "dispensed" && dispensedAt !== null)) && Date.now() < undoDeadline;
  const canDispense = chainVerdict === "Genuine" && inStock && facts.onRecord;
  // Nothing is offered until every answer about this code is in: its verdict, and, for a pack on
  // record, the ledger's view and the pharmacy's stock.
  const settled = !verdict.isPending && facts.settled;

  const dispense = async () => {
    if (!facts.dispense) return;
    onAction();
    const result = await tx.run(facts.dispense);
    if (result.ok) {
      setDispensedAt(Date.now());
      setDone("dispensed");
    }
    // Refused: the pack changed since the scan (a recall, another counter): show the ledger's view now.
    else facts.refetch();
  };
  const undo = async () => {
    if (!facts.undo) return;
    onAction();
    const result = await tx.run(facts.undo);
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
  const genuineNotHeld = chainVerdict === "Genuine" && !inStock && facts.onRecord;
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
          override={genuineNotHeld ? notInStock(verdict.data.batch?.lot ?? value.lot ?? "") : undefined}
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

      {facts.proofError && !(verdict.data && NOT_ON_RECORD.has(verdict.data.verdict)) ? (
        <Notice tone="error" title="This pack cannot be checked on the ledger" testId="proof-error">
          {facts.proofError.message} Do not dispense it; set it aside.
        </Notice>
      ) : null}
      {facts.chainError ? (
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
              Pack {packState.toLowerCase()} on {formatDateTime(new Date(facts.packAt * 1000).toISOString())}
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
