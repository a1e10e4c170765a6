"use client";
import { useMemo, useState, type FormEvent } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { isCset82 } from "@pedigree/gs1";
import { batchIdOf, MAX_SERIAL_COUNT, yyyymmddFromIsoDate, type LedgerErrorLookup } from "@pedigree/ledger";
import type { ProductsResponse } from "@/lib/api/read.ts";
import { api, exportLinks } from "@/lib/client-api.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { ensureSignedIn } from "@/lib/wallet/sign-in.ts";
import { useErrorLookup } from "../data/hooks.ts";
import { TxStatus } from "../tx/tx-status.tsx";
import { Button } from "../ui/button.tsx";
import { Field, inputClass, SelectField, TextField } from "../ui/field.tsx";
import { formatNumber } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import type { SerialsReply, SerialsRequest } from "./serials.worker.ts";

type Step =
  | { step: "idle" }
  | { step: "serials"; phase: string }
  | { step: "chain" }
  | { step: "sign-in" }
  | { step: "upload"; count: number }
  | { step: "done"; count: number; gtin: string; lot: string }
  | { step: "failed"; message: string; lines?: string[] };

const PHASE_WORDS: Record<string, string> = {
  generating: "Generating unguessable serials",
  reading: "Reading the serial list",
  tree: "Building the Merkle tree of the serials",
};

function buildSerials(
  request: SerialsRequest,
  onPhase: (phase: string) => void,
): Promise<{ serials: string[]; root: `0x${string}`; count: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./serials.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<SerialsReply>) => {
      const reply = event.data;
      if (reply.type === "progress") onPhase(reply.phase);
      else {
        worker.terminate();
        if (reply.type === "done") resolve(reply);
        else reject(Object.assign(new Error(reply.message), { lines: reply.lines }));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || "The serial worker failed."));
    };
    worker.postMessage(request);
  });
}

/** The labels of the fields, as the summary of what is missing names them. */
const FIELD_NAMES = { gtin: "Product", lot: "Lot", expiry: "Expiry date", count: "Pack count", file: "Serial list" };

export function RegisterBatch({ self, products }: { self: Address; products: ProductsResponse["products"] }) {
  const config = useConfig();
  // No product is chosen for the user: a batch registered under the wrong one stays on the ledger.
  const [gtin, setGtin] = useState("");
  const [lot, setLot] = useState("");
  const lookup = useErrorLookup();
  // The batch being registered, named (a refusal such as "already registered" names it by its id).
  const product = products.find((p) => p.gtin === gtin);
  const lookupWithThisBatch = useMemo<LedgerErrorLookup>(() => {
    if (!product || !lot || lot.length > 20 || !isCset82(lot)) return lookup;
    const batchId = batchIdOf(product.gtin, lot);
    const productName = `${[product.name, product.strength].filter(Boolean).join(" ")} (GTIN ${product.gtin})`;
    return {
      ...lookup,
      batch: (id) =>
        id.toLowerCase() === batchId.toLowerCase() ? { gtin: product.gtin, lot, productName } : lookup.batch?.(id),
    };
  }, [lookup, product, lot]);
  const tx = useLedgerWrite(lookupWithThisBatch);
  const [expiry, setExpiry] = useState("");
  const [source, setSource] = useState<"generate" | "upload">("generate");
  const [count, setCount] = useState("1000");
  const [file, setFile] = useState<File | null>(null);
  const [touched, setTouched] = useState(false);
  const [step, setStep] = useState<Step>({ step: "idle" });

  const today = new Date().toISOString().slice(0, 10);
  const packs = Number(count);
  const errors = {
    gtin: gtin ? null : "Choose a product (register it first if it is missing).",
    lot: !lot
      ? "The lot number printed on the packs."
      : lot.length > 20 || !isCset82(lot)
        ? "1 to 20 GS1 characters (letters, digits, - . / _ and a few more)."
        : null,
    expiry: !expiry ? "The expiry date on the packs." : expiry < today ? "The expiry date is already past." : null,
    count:
      source === "generate" && (!Number.isInteger(packs) || packs < 1 || packs > MAX_SERIAL_COUNT)
        ? `A whole number from 1 to ${formatNumber(MAX_SERIAL_COUNT)}.`
        : null,
    file: source === "upload" && !file ? "Choose a CSV or text file with one serial per line." : null,
  };
  const missing = (Object.keys(errors) as (keyof typeof errors)[]).filter((key) => errors[key]);
  const busy = step.step === "serials" || step.step === "chain" || step.step === "sign-in" || step.step === "upload";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.values(errors).some(Boolean)) return;
    tx.reset();
    try {
      setStep({ step: "serials", phase: "reading" });
      const request: SerialsRequest =
        source === "generate"
          ? { kind: "generate", count: packs, seed: crypto.getRandomValues(new Uint8Array(32)) }
          : { kind: "parse", text: await file!.text() };
      const manifest = await buildSerials(request, (phase) => setStep({ step: "serials", phase }));
      setStep({ step: "chain" });
      const registered = await tx.run({
        operation: "register-batch",
        arguments: {
          gtin,
          lot,
          expiry: yyyymmddFromIsoDate(expiry),
          packCount: manifest.count,
          serialsRoot: manifest.root,
        },
      });
      if (!registered.ok) return setStep({ step: "idle" });
      setStep({ step: "sign-in" });
      await ensureSignedIn(config, self);
      setStep({ step: "upload", count: manifest.count });
      await api.uploadManifest(gtin, lot, manifest.serials);
      setStep({ step: "done", count: manifest.count, gtin, lot });
    } catch (error) {
      const e = error as Error & { lines?: string[] };
      setStep({ step: "failed", message: e.message, lines: e.lines });
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Register a batch">
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Product"
          name="product"
          value={gtin}
          onChange={(e) => setGtin(e.target.value)}
          error={touched ? errors.gtin : null}
        >
          <option value="">Choose a product…</option>
          {products.map((p) => (
            <option key={p.gtin} value={p.gtin}>
              {p.name} {p.strength} · GTIN {p.gtin}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Lot"
          name="lot"
          value={lot}
          onChange={(e) => setLot(e.target.value.trim())}
          error={touched ? errors.lot : null}
        />
        <TextField
          label="Expiry date"
          name="expiry"
          type="date"
          min={today}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value)}
          error={touched ? errors.expiry : null}
        />
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-slate-800">Serials</legend>
          <div className="flex flex-wrap gap-4 pt-1 text-sm">
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="source"
                value="generate"
                checked={source === "generate"}
                onChange={() => setSource("generate")}
              />
              Generate
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="source"
                value="upload"
                checked={source === "upload"}
                onChange={() => setSource("upload")}
              />
              Upload a CSV
            </label>
          </div>
        </fieldset>
        {source === "generate" ? (
          <TextField
            label="Pack count"
            name="count"
            inputMode="numeric"
            value={count}
            onChange={(e) => setCount(e.target.value)}
            error={touched ? errors.count : null}
            hint="Random 12-character serials, one per pack (guessing one: below 1 in a trillion)."
          />
        ) : (
          <Field
            label="Serial list"
            error={touched ? errors.file : null}
            hint="One serial per line; a first line 'serial' is a header. The pack count is the number of serials."
          >
            {(wiring) => (
              <input
                {...wiring}
                type="file"
                accept=".csv,.txt,text/csv,text/plain"
                className={inputClass}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            )}
          </Field>
        )}
      </div>
      <Button type="submit" disabled={busy || tx.busy}>
        Register the batch
      </Button>
      <div aria-live="polite" className="space-y-2">
        {touched && missing.length > 0 ? (
          <Notice tone="error" title="Nothing is registered yet" testId="batch-missing">
            <ul className="list-disc pl-5">
              {missing.map((key) => (
                <li key={key}>
                  {FIELD_NAMES[key]}: {errors[key]}
                </li>
              ))}
            </ul>
          </Notice>
        ) : null}
        {step.step === "serials" ? (
          <Notice tone="info">{PHASE_WORDS[step.phase] ?? "Preparing the serials"}…</Notice>
        ) : null}
        <TxStatus phase={tx.phase} successText="Batch registered on the ledger." />
        {step.step === "sign-in" ? (
          <Notice tone="info">Sign in with your wallet to upload the serial list (a signature, no transaction)…</Notice>
        ) : null}
        {step.step === "upload" ? <Notice tone="info">Uploading {formatNumber(step.count)} serials…</Notice> : null}
        {step.step === "done" ? (
          <Notice tone="success" title="Batch ready" testId="batch-ready">
            {formatNumber(step.count)} serials stored: its packs can be verified.{" "}
            <a className="underline" href={exportLinks.labels(step.gtin, step.lot)}>
              Print the labels
            </a>
            .
          </Notice>
        ) : null}
        {step.step === "failed" ? (
          <Notice tone="error" title="The batch is not complete">
            <p>{step.message}</p>
            {step.lines?.length ? (
              <ul className="mt-1 list-disc pl-5 text-xs">
                {step.lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            ) : null}
          </Notice>
        ) : null}
      </div>
    </form>
  );
}
