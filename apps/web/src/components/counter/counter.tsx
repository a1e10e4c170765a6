"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { Address } from "viem";
import { useConfig, useReadContract } from "wagmi";
import type { Gs1Value } from "@pedigree/gs1";
import {
  contractVerdictName,
  packStateName,
  type LedgerErrorLookup,
  packStateNumber,
  pedigreeLedgerAbi,
  yyyymmddFromIsoDate,
} from "@pedigree/ledger";
import { Scanner } from "@/components/scanner/Scanner.tsx";
import { VerdictCard } from "@/components/verdict/VerdictCard.tsx";
import { api } from "@/lib/client-api.ts";
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

function PackCheck({
  code,
  value,
  self,
  scannedAt,
}: {
  code: string;
  value: Gs1Value;
  self: Address;
  scannedAt: number;
}) {
  const { ledgerAddress } = useLedgerSettings();
  const config = useConfig();
  // The server's verdict raises the alert and says it for people; the chain's own view decides
  // whether the dispense button is offered, so the counter works from the ledger itself.
  // One scan is one recorded check: "static" keeps the refresh that follows every confirmed write
  // from checking the pack again, which would record the pharmacy's own dispense as an alert.
  const verdict = useQuery({
    queryKey: ["verify", code, scannedAt],
    queryFn: async () => {
      // Signed in, the pharmacy is named in the alerts its scans raise; a declined signature
      // still gets the verdict, unattributed.
      await ensureSignedIn(config, self).catch(() => undefined);
      return api.verify(code, "dispense");
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

  const chainVerdict = chain.data ? contractVerdictName(chain.data.verdict) : null;
  const packState = chain.data ? packStateName(chain.data.pack.state) : null;
  const dispensedByMe = packState === "DISPENSED" && chain.data?.pack.by.toLowerCase() === self.toLowerCase();
  const undoDeadline = chain.data ? (chain.data.pack.at + UNDO_WINDOW_SECONDS) * 1000 : 0;
  const canUndo = dispensedByMe && Date.now() < undoDeadline && chainVerdict === "Dispensed";

  return (
    <div className="space-y-4" data-testid="pack-check" data-chain-verdict={chainVerdict ?? ""}>
      {verdict.data ? (
        <VerdictCard verification={verdict.data} audience="pharmacist" />
      ) : verdict.isError ? (
        <Notice tone="info" title="The server's verdict is not available">
          {verdict.error.message} The ledger's own answer is below.
        </Notice>
      ) : (
        <p className="text-sm text-slate-600" role="status">
          Checking the pack…
        </p>
      )}

      {proof.isError ? (
        <Notice tone="error" title="This pack cannot be proved" testId="proof-error">
          {proof.error.message} Do not dispense it; set it aside.
        </Notice>
      ) : null}
      {chain.isError ? (
        <Notice tone="error" title="The ledger cannot be read">
          Try again in a moment.
        </Notice>
      ) : null}
      {chainVerdict ? (
        <Notice
          tone={chainVerdict === "Genuine" ? "success" : "error"}
          title={`Ledger: ${
            canUndo
              ? "Dispensed by your pharmacy: do not hand it out again. If it was dispensed by mistake, undo it below."
              : (CHAIN_VERDICT_WORDS[chainVerdict] ?? chainVerdict)
          }`}
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
        {chainVerdict === "Genuine" && proof.data ? (
          <Button
            data-testid="dispense-button"
            disabled={tx.busy || tx.phase.phase === "confirmed"}
            onClick={async () => {
              const result = await tx.run({
                functionName: "decommission",
                args: [
                  proof.data.batchId,
                  BigInt(proof.data.index),
                  proof.data.serial,
                  proof.data.proof,
                  packStateNumber("DISPENSED"),
                ],
              });
              // Refused: the pack changed since the scan (a recall, another counter): show the ledger's view now.
              if (!result.ok) void chain.refetch();
            }}
          >
            Dispense
          </Button>
        ) : null}
        {canUndo && proof.data ? (
          <Button
            variant="secondary"
            data-testid="undo-dispense-button"
            disabled={tx.busy}
            onClick={() =>
              void tx.run({ functionName: "reactivate", args: [proof.data.batchId, BigInt(proof.data.index)] })
            }
          >
            Undo the dispense (until {formatDateTime(new Date(undoDeadline).toISOString())})
          </Button>
        ) : null}
      </div>
      <TxStatus phase={tx.phase} successText={tx.phase.phase === "confirmed" ? "Recorded on the ledger." : undefined} />
    </div>
  );
}

export function Counter({ self }: { self: Address }) {
  const [scan, setScan] = useState<{ code: string; value: Gs1Value; at: number } | null>(null);
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
      <Section
        title="Scan a pack"
        description="Camera, USB scanner (it types into the field), an image, or type the code."
      >
        <Scanner
          onCode={(code, value) => setScan({ code, value, at: Date.now() })}
          autoFocus
          fieldLabel="Pack code"
          submitLabel="Check"
        />
      </Section>
      <Section title="Verdict" description="Dispense with one click when the pack is genuine.">
        {scan ? (
          <PackCheck
            key={`${scan.code}-${scan.at}`}
            code={scan.code}
            value={scan.value}
            self={self}
            scannedAt={scan.at}
          />
        ) : (
          <p className="text-sm text-slate-600">Scan a pack to see whether it may be dispensed.</p>
        )}
      </Section>
    </div>
  );
}
