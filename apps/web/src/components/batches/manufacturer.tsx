"use client";
import { Link } from "../ui/link.tsx";
import { useState, type FormEvent } from "react";
import type { Address } from "viem";
import { isValidGtin } from "@pedigree/gs1";
import { exportLinks } from "@/lib/client-api.ts";
import { readLinks, type BatchView } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { useErrorLookup, useParticipants, useProducts } from "../data/hooks.ts";
import { RoleGate } from "../shell/role-gate.tsx";
import { TxStatus } from "../tx/tx-status.tsx";
import { Button } from "../ui/button.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { TextField } from "../ui/field.tsx";
import { formatDate, formatNumber } from "../ui/format.ts";
import { QueryState } from "../ui/query-state.tsx";
import { PartnerVerification } from "../vrs/partner-verification.tsx";
import { RegisterBatch } from "./register-batch.tsx";

function RegisterProduct({ self }: { self: Address }) {
  const tx = useLedgerWrite(useErrorLookup());
  const participants = useParticipants();
  const prefixes =
    participants.data?.participants.find((p) => p.address.toLowerCase() === self.toLowerCase())?.companyPrefixes ?? [];
  const [form, setForm] = useState({ gtin: "", name: "", strength: "", dosageForm: "" });
  const [touched, setTouched] = useState(false);
  const errors = {
    gtin: /^\d{14}$/.test(form.gtin) && isValidGtin(form.gtin) ? null : "14 digits with a correct check digit.",
    name: form.name.trim() ? null : "The product's name.",
    strength: form.strength.trim() ? null : "For example 500 mg.",
    dosageForm: form.dosageForm.trim() ? null : "For example tablet, capsule.",
  };
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.values(errors).some(Boolean)) return;
    const result = await tx.run({
      operation: "register-product",
      arguments: {
        gtin: form.gtin,
        name: form.name.trim(),
        strength: form.strength.trim(),
        dosageForm: form.dosageForm.trim(),
      },
    });
    if (result.ok) {
      setForm({ gtin: "", name: "", strength: "", dosageForm: "" });
      setTouched(false);
    }
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Register a product">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="GTIN"
          name="gtin"
          inputMode="numeric"
          value={form.gtin}
          onChange={set("gtin")}
          error={touched ? errors.gtin : null}
          hint={prefixes.length ? `Under your company prefixes: ${prefixes.join(", ")}.` : undefined}
        />
        <TextField
          label="Name"
          name="name"
          value={form.name}
          onChange={set("name")}
          error={touched ? errors.name : null}
        />
        <TextField
          label="Strength"
          name="strength"
          value={form.strength}
          onChange={set("strength")}
          error={touched ? errors.strength : null}
        />
        <TextField
          label="Dosage form"
          name="dosageForm"
          value={form.dosageForm}
          onChange={set("dosageForm")}
          error={touched ? errors.dosageForm : null}
        />
      </div>
      <Button type="submit" disabled={tx.busy}>
        Register the product
      </Button>
      <TxStatus phase={tx.phase} successText="Product registered." />
    </form>
  );
}

function batchStatusText(batch: BatchView): string {
  const status = batch.status.toLowerCase();
  return batch.statusReason && batch.status !== "ACTIVE" ? `${status} (${batch.statusReason})` : status;
}

/** A product's batches, from the product list itself (one read for the page, refreshed after each write). */
function BatchesOf({ gtin, batches }: { gtin: string; batches: readonly BatchView[] }) {
  if (batches.length === 0) return <p className="text-sm text-slate-600">No batch yet.</p>;
  return (
    <ul className="space-y-1 text-sm">
      {batches.map((batch) => {
        const href = readLinks.batch(batch.gtin, batch.lot);
        return (
          <li key={batch.batchId} className="flex flex-wrap items-baseline justify-between gap-2">
            <span>
              <Link href={href} className="font-medium text-teal-800 underline">
                Lot {batch.lot}
              </Link>{" "}
              <span className="text-xs text-slate-600">
                Expiry {formatDate(batch.expiry)} · {formatNumber(batch.packCount)} packs · {batchStatusText(batch)}
              </span>
            </span>
            <span className="text-xs">
              <Link href={href} className="text-teal-800 underline">
                Where are the units · recall
              </Link>
              {" · "}
              <a href={exportLinks.labels(gtin, batch.lot)} className="text-teal-800 underline">
                Labels
              </a>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

export function Manufacturer({ self }: { self: Address }) {
  const products = useProducts(self);
  return (
    <div className="grid gap-6">
      <Section
        id="products"
        title="Products and batches"
        description="Open a batch to see where every unit is, its timeline, or to recall it."
      >
        <QueryState
          query={products}
          what="products"
          isEmpty={(d) => d.products.length === 0}
          empty="No product yet: register one below."
        >
          {(d) => (
            <ul className="divide-y divide-slate-100" data-testid="products">
              {d.products.map((p) => (
                <li key={p.gtin} className="py-3">
                  <p className="font-medium text-slate-900">
                    {p.name} {p.strength}{" "}
                    <span className="font-normal text-slate-600">
                      · {p.dosageForm} · GTIN {p.gtin}
                    </span>
                  </p>
                  <div className="mt-1 pl-3">
                    <BatchesOf gtin={p.gtin} batches={p.batches ?? []} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </Section>
      <div className="grid gap-6 lg:grid-cols-2">
        <Section
          id="register-batch"
          title="Register a batch"
          description="Serials are committed as one Merkle root; the list itself is uploaded to this server."
        >
          <QueryState query={products} what="products">
            {(d) => <RegisterBatch self={self} products={d.products} />}
          </QueryState>
        </Section>
        <Section id="register-product" title="Register a product">
          <RegisterProduct self={self} />
        </Section>
      </div>
      <PartnerVerification self={self} />
      <p className="text-sm text-slate-600">
        To ship, see{" "}
        <Link href="/stock" className="text-teal-800 underline">
          Stock &amp; shipments
        </Link>
        .
      </p>
    </div>
  );
}

/** The manufacturer's home (/manufacturer). */
export function ManufacturerPage() {
  return (
    <RoleGate roles={["MANUFACTURER"]}>
      {(party) => (
        <>
          <PageHeader
            title="Batches"
            description="Register products and batches, print their labels, follow and recall them."
          />
          <Manufacturer self={party.address} />
        </>
      )}
    </RoleGate>
  );
}
