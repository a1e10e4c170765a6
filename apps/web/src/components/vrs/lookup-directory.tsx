"use client";
/**
 * A manufacturer's entries in the VRS lookup directory, on its dashboard: which responder answers
 * verification requests for its company prefixes or GTINs (PUT and DELETE /api/vrs-directory,
 * server/vrs/directory.ts). A wholesaler's requester looks the responder up there for every
 * returned pack; without an entry, returns of the manufacturer's packs cannot be verified.
 *
 * The prefixes offered are the ones the ledger assigned the manufacturer and its products' GTINs;
 * "another" takes a longer prefix or a GTIN not registered yet, which the server checks against
 * the same ownership rule and refuses (403 PREFIX_NOT_YOURS) in words shown as they are.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import type { Address } from "viem";
import { isValidGtin } from "@pedigree/gs1";
import { api, type DirectoryEntry } from "@/lib/client-api.ts";
import type { ProductView } from "@/lib/api/read.ts";
import { useParticipants, useProducts } from "../data/hooks.ts";
import { Button } from "../ui/button.tsx";
import { DecisionDialog } from "../ui/decision-dialog.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { FormDialog } from "../ui/form-dialog.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import { QueryState } from "../ui/query-state.tsx";
import { responderUrlProblem } from "./responder-url.ts";

const DIRECTORY_KEY = ["vrs-directory"] as const;
/** The select's value for "a prefix or GTIN typed by hand". */
const OTHER = "other";

/** What an entry covers, in words: a company prefix's every GTIN, or one product. */
function coverage(prefix: string, products: readonly ProductView[]): string {
  if (prefix.length !== 14) return `Company prefix ${prefix}: every GTIN under it`;
  const product = products.find((p) => p.gtin === prefix);
  return product ? `GTIN ${prefix}: ${product.name} ${product.strength}` : `GTIN ${prefix}`;
}

function prefixProblem(prefix: string): string | null {
  if (/^\d{6,12}$/.test(prefix)) return null;
  if (/^\d{14}$/.test(prefix))
    return isValidGtin(prefix) ? null : "This GTIN's check digit is wrong: check the last digit.";
  return "A company prefix has 6 to 12 digits, a GTIN 14.";
}

/** The shared text of the URL field and its "this Pedigree" shortcut. */
function ResponderUrlField({
  value,
  onChange,
  error,
  autoFocus,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | null;
  autoFocus?: boolean;
}) {
  return (
    <div className="space-y-1">
      <TextField
        label="Responder's address"
        name="responderUrl"
        type="url"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://vrs.example.com"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        error={error}
        hint="Its base URL (https), as your VRS provider gives it; partners add /verify/... to it."
        autoFocus={autoFocus}
      />
      <Button
        variant="ghost"
        size="sm"
        // This server is a responder too (/vrs): the address a manufacturer without a VRS provider gives.
        onClick={() => onChange(`${window.location.origin}/vrs`)}
      >
        Use this Pedigree&apos;s responder
      </Button>
    </div>
  );
}

function AddEntry({
  prefixes,
  products,
  entries,
}: {
  prefixes: readonly string[];
  products: readonly ProductView[];
  entries: readonly DirectoryEntry[];
}) {
  const client = useQueryClient();
  const [form, setForm] = useState({ choice: "", other: "", responderUrl: "" });
  const [touched, setTouched] = useState(false);
  const prefix = form.choice === OTHER ? form.other.trim() : form.choice;
  const errors = {
    choice: form.choice ? null : "Choose which of your packs this responder answers for.",
    other: form.choice === OTHER ? prefixProblem(prefix) : null,
    responderUrl: responderUrlProblem(form.responderUrl),
  };
  const existing = entries.find((entry) => entry.prefix === prefix);
  const save = useMutation({
    mutationFn: () => api.putVrsDirectoryEntry(prefix, form.responderUrl.trim()),
    onSuccess: () => {
      setForm({ choice: "", other: "", responderUrl: "" });
      setTouched(false);
      void client.invalidateQueries({ queryKey: DIRECTORY_KEY });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate();
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Add a directory entry">
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Packs it answers for"
          name="prefix"
          value={form.choice}
          onChange={(e) => setForm({ ...form, choice: e.target.value })}
          error={touched ? errors.choice : null}
          hint={existing ? "This already has an entry: saving changes its address." : undefined}
        >
          <option value="">Choose…</option>
          {prefixes.length > 0 ? (
            <optgroup label="Your company prefixes">
              {prefixes.map((p) => (
                <option key={p} value={p}>
                  {`${p}: every GTIN under it`}
                </option>
              ))}
            </optgroup>
          ) : null}
          {products.length > 0 ? (
            <optgroup label="One product only">
              {products.map((p) => (
                <option key={p.gtin} value={p.gtin}>
                  {`${p.gtin}: ${p.name} ${p.strength}`}
                </option>
              ))}
            </optgroup>
          ) : null}
          <option value={OTHER}>Another prefix or GTIN of yours…</option>
        </SelectField>
        {form.choice === OTHER ? (
          <TextField
            label="Prefix or GTIN"
            name="otherPrefix"
            inputMode="numeric"
            value={form.other}
            onChange={(e) => setForm({ ...form, other: e.target.value.trim() })}
            error={touched ? errors.other : null}
            hint="A longer prefix inside yours (a product line), or a GTIN under your prefix."
          />
        ) : null}
      </div>
      <ResponderUrlField
        value={form.responderUrl}
        onChange={(responderUrl) => setForm({ ...form, responderUrl })}
        error={touched ? errors.responderUrl : null}
      />
      <Button type="submit" disabled={save.isPending} data-testid="save-directory-entry">
        {save.isPending ? "Saving…" : "Save the entry"}
      </Button>
      {save.isError ? (
        <Notice tone="error" title="The entry was not saved" testId="directory-entry-error">
          {save.error.message}
        </Notice>
      ) : null}
      {/* Said while it is still true: a later change or removal of the entry ends it. */}
      {save.data && entries.some((e) => e.prefix === save.data.prefix && e.responderUrl === save.data.responderUrl) ? (
        <Notice tone="success" title="Saved" testId="directory-entry-saved">
          Partners now verify packs of {save.data.prefix} with {save.data.responderUrl}.
        </Notice>
      ) : null}
    </form>
  );
}

/** Changes an entry's address, in a dialog opened from its row (focus goes back to the row's button). */
function ChangeEntry({ entry }: { entry: DirectoryEntry }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState(entry.responderUrl);
  const [touched, setTouched] = useState(false);
  const problem = responderUrlProblem(url);
  const change = useMutation({
    mutationFn: () => api.putVrsDirectoryEntry(entry.prefix, url.trim()),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: DIRECTORY_KEY });
      setOpen(false);
    },
  });
  return (
    <FormDialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setUrl(entry.responderUrl);
          setTouched(false);
          change.reset();
        }
      }}
      trigger={
        <Button variant="secondary" size="sm" aria-label={`Change the responder for ${entry.prefix}`}>
          Change
        </Button>
      }
      title={`Change the responder for ${entry.prefix}`}
      description="Partners' requesters use the new address from their next request on."
      onSubmit={() => {
        setTouched(true);
        if (problem === null) change.mutate();
      }}
      pending={change.isPending}
      submitText="Save the address"
      error={change.isError ? { title: "Not changed", message: change.error.message } : null}
    >
      <ResponderUrlField value={url} onChange={setUrl} error={touched ? problem : null} autoFocus />
    </FormDialog>
  );
}

function Entries({ entries, products }: { entries: readonly DirectoryEntry[]; products: readonly ProductView[] }) {
  const client = useQueryClient();
  const list = useRef<HTMLDivElement>(null);
  const remove = useMutation({ mutationFn: (prefix: string) => api.deleteVrsDirectoryEntry(prefix) });
  return (
    // The list takes the focus after a removal, when the Remove button that had it is gone.
    <div
      ref={list}
      tabIndex={-1}
      role="group"
      aria-label="Your directory entries"
      className="space-y-3 focus:outline-none"
    >
      {remove.isError ? (
        <Notice tone="error" title="Not removed">
          {remove.error.message}
        </Notice>
      ) : null}
      {remove.data ? (
        <Notice tone="success" title="Removed">
          Partners no longer find a responder for {remove.data.deleted.prefix} here.
        </Notice>
      ) : null}
      {entries.length === 0 ? (
        <div
          className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-600"
          data-state="empty"
        >
          No entry yet: partners cannot find your responder, so their returns of your packs cannot be verified. Add one
          below.
        </div>
      ) : null}
      {entries.length > 0 ? (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="directory-entries">
          {entries.map((entry) => (
            <li
              key={entry.prefix}
              data-prefix={entry.prefix}
              className="flex flex-wrap items-center justify-between gap-2 py-2"
            >
              <span className="min-w-0">
                <span className="block font-medium text-slate-900">{coverage(entry.prefix, products)}</span>
                <span className="block break-all font-mono text-xs text-slate-700">{entry.responderUrl}</span>
                <span className="block text-xs text-slate-600">Updated {formatDateTime(entry.updatedAt)}</span>
              </span>
              <span className="flex gap-2">
                <ChangeEntry entry={entry} />
                <DecisionDialog
                  trigger={
                    <Button variant="secondary" size="sm" aria-label={`Remove the entry for ${entry.prefix}`}>
                      Remove
                    </Button>
                  }
                  words={{
                    title: `Remove the entry for ${entry.prefix}?`,
                    consequence:
                      "Partners will no longer find your responder for these packs (unless a shorter prefix of yours has an entry): their returns of them cannot be verified, nor received as saleable.",
                    confirm: "Remove the entry",
                    variant: "danger",
                    reason: null,
                  }}
                  busy={remove.isPending}
                  onOpen={() => remove.reset()}
                  onDecide={async () => {
                    try {
                      await remove.mutateAsync(entry.prefix);
                    } catch {
                      return { ok: false };
                    }
                    await client.invalidateQueries({ queryKey: DIRECTORY_KEY });
                    list.current?.focus();
                    return { ok: true };
                  }}
                />
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** "Where partners verify your packs": the manufacturer's entries, and the form to add one. */
export function LookupDirectory({ self }: { self: Address }) {
  const directory = useQuery({ queryKey: DIRECTORY_KEY, queryFn: api.vrsDirectory });
  const participants = useParticipants();
  const products = useProducts(self);
  const me = self.toLowerCase();
  const prefixes = participants.data?.participants.find((p) => p.address.toLowerCase() === me)?.companyPrefixes ?? [];
  const mine = (directory.data?.entries ?? []).filter((entry) => entry.manufacturer.toLowerCase() === me);
  const productList = products.data?.products ?? [];
  return (
    <div className="space-y-6" data-testid="lookup-directory">
      <QueryState query={directory} what="your directory entries">
        {() => <Entries entries={mine} products={productList} />}
      </QueryState>
      <div className="border-t border-slate-100 pt-4">
        <h3 className="mb-3 text-sm font-semibold text-slate-900">Add an entry</h3>
        <AddEntry prefixes={prefixes} products={productList} entries={mine} />
      </div>
    </div>
  );
}
