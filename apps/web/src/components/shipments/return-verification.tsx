"use client";
/**
 * A distributor's check of a pharmacy's return before it goes back on sale (DSCSA saleable
 * returns): each returned pack is scanned or typed, and the server asks the pack's manufacturer's
 * verification responder (the VRS lookup directory names it) and records the answer with the
 * return. The return can be received once every pack passed; the server refuses it otherwise
 * (409 RETURN_NOT_VERIFIED), and `useReturnStatus` lets the Receive button say why beforehand.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { readPackCode } from "@/lib/pack-code.ts";
import { api, type ReturnStatus, type ReturnVerificationView } from "@/lib/client-api.ts";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/field.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";

const returnKey = (shipmentId: string) => ["return-verifications", shipmentId] as const;

/** The return's verifications and whether it can be received (the server's word). */
export function useReturnStatus(shipmentId: string, enabled: boolean) {
  return useQuery({
    queryKey: returnKey(shipmentId),
    queryFn: () => api.returnStatus(shipmentId),
    enabled,
  });
}

const OUTCOME: Record<ReturnVerificationView["outcome"], { tone: BadgeTone; word: string }> = {
  PASSED: { tone: "good", word: "Verified" },
  FAILED: { tone: "bad", word: "Failed" },
  ERROR: { tone: "warn", word: "No answer" },
};

/** What the answer says, in words: the standard's reason and additional information, or why there was none. */
function answerText(v: ReturnVerificationView): string {
  if (v.outcome === "ERROR") return v.error?.message ?? "The responder gave no valid answer.";
  const parts = [
    v.verified ? "the manufacturer verified the identifier" : "the manufacturer did not verify the identifier",
    v.verificationFailureReason,
    v.additionalInfo,
  ].filter((part): part is string => part !== null && part !== undefined);
  return `${parts.join(" · ")} (GLN ${v.responderGLN ?? "?"}, ${formatDateTime(v.checkedAt)})`;
}

export function ReturnVerification({ shipmentId, status }: { shipmentId: string; status: ReturnStatus }) {
  const client = useQueryClient();
  const [code, setCode] = useState("");
  const [codeError, setCodeError] = useState<string | null>(null);
  const verify = useMutation({
    mutationFn: (text: string) => api.verifyReturnedPack(shipmentId, text),
    onSuccess: (answer) => {
      client.setQueryData(returnKey(shipmentId), answer.return);
      setCode("");
    },
  });
  // Package-level ledger: the packs the return carries that have no answer yet, or no valid one.
  const toVerify = (status.packs ?? []).filter((pack) => pack.outcome === null || pack.outcome === "ERROR");
  function submit(event: FormEvent) {
    event.preventDefault();
    const reading = readPackCode(code.trim());
    if (!reading.ok || reading.value.serial === undefined || reading.value.lot === undefined) {
      return setCodeError("Scan the pack's 2D code, or type its GTIN, lot, serial and expiry as printed.");
    }
    setCodeError(null);
    verify.mutate(reading.code);
  }
  return (
    <div className="mb-3 space-y-3 rounded-md bg-slate-50 p-3" data-testid="return-verification">
      <p className="text-sm text-slate-700">
        A return from a pharmacy: verify each pack with its manufacturer before it goes back on sale.
      </p>
      <ul className="space-y-0.5 text-sm text-slate-700" data-testid="return-lines">
        {status.lines.map((line) => (
          <li key={line.batchId}>
            {line.productName ?? `GTIN ${line.gtin}`}, lot {line.lot}: {line.passed} of {line.quantity} verified
            {line.failed > 0 ? `, ${line.failed} failed` : ""}
          </li>
        ))}
      </ul>
      {toVerify.length > 0 ? (
        <details className="text-sm text-slate-700" data-testid="return-packs-to-verify">
          <summary className="cursor-pointer">
            {toVerify.length} {toVerify.length === 1 ? "pack" : "packs"} still to verify
          </summary>
          <ul className="mt-1 space-y-0.5 font-mono text-xs">
            {toVerify.map((pack, i) => (
              <li key={`${pack.gtin}-${pack.serial ?? i}`} data-serial={pack.serial ?? undefined}>
                {pack.serial === null ? `a pack of lot ${pack.lot}` : `SN ${pack.serial}`}
                {pack.unit === null ? " (loose)" : ` (in SSCC ${pack.unit})`}
                {pack.outcome === "ERROR" ? " · no answer yet" : ""}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2" noValidate aria-label="Verify a returned pack">
        <TextField
          label="Returned pack"
          name="returnedPack"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={codeError}
          hint="Scan the pack's code, or type it as printed."
          className="min-w-64 flex-1"
        />
        <Button type="submit" size="sm" disabled={verify.isPending} data-testid="verify-returned-pack">
          {verify.isPending ? "Asking the manufacturer…" : "Verify with manufacturer"}
        </Button>
      </form>
      {verify.isError ? (
        <Notice tone="error" title="The pack was not verified">
          {verify.error.message}
        </Notice>
      ) : null}
      {status.verifications.length > 0 ? (
        <ul className="divide-y divide-slate-200 text-sm" data-testid="return-verifications">
          {status.verifications.map((v) => (
            <li
              key={`${v.gtin}-${v.serial}`}
              className="flex flex-wrap items-baseline gap-2 py-1.5"
              data-serial={v.serial}
            >
              <Badge tone={OUTCOME[v.outcome].tone}>{OUTCOME[v.outcome].word}</Badge>
              <span className="font-mono text-xs">{v.serial}</span>
              <span className="text-slate-600">{answerText(v)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
