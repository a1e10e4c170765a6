"use client";
/**
 * A distributor's credentials for manufacturers' verification responders, on its Stock & inbox
 * page (PUT and DELETE /api/vrs-requester-credentials, server/vrs/requester-credentials.ts): the
 * server sends a returned pack's verification request to the responder the lookup directory names
 * for its GTIN, with the credential that responder's manufacturer issued the distributor.
 *
 * A credential is a secret: the server keeps it sealed and answers only its last four characters,
 * so the form's field is cleared once it is saved and nothing here shows it again. The responders
 * the directory names that have no credential yet are listed, since returns of their packs cannot
 * be verified until one is added.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { api, type RequesterCredentialView } from "@/lib/client-api.ts";
import { participantMap, useParticipants } from "../data/hooks.ts";
import { Button } from "../ui/button.tsx";
import { DecisionDialog } from "../ui/decision-dialog.tsx";
import { TextField } from "../ui/field.tsx";
import { FormDialog } from "../ui/form-dialog.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import { QueryState } from "../ui/query-state.tsx";
import { responderUrlProblem } from "./responder-url.ts";

const CREDENTIALS_KEY = ["vrs-requester-credentials"] as const;
const DIRECTORY_KEY = ["vrs-directory"] as const;

/** The server's rule for a token (server/vrs/requester-credentials.ts), said as what to do. */
function tokenProblem(token: string): string | null {
  if (!token) return "Paste the credential the manufacturer gave you.";
  if (token.length < 8) return "A credential has at least 8 characters: paste all of it.";
  if (!/^[\x21-\x7e]+$/.test(token)) return "A credential has no spaces or line breaks: paste it exactly as given.";
  return null;
}

/** The secret field: a password field (not shown, not remembered by the browser). */
function CredentialField({
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
    <TextField
      label="Credential"
      name="token"
      type="password"
      autoComplete="off"
      spellCheck={false}
      value={value}
      onChange={(e) => onChange(e.target.value.trim())}
      error={error}
      hint="The token the manufacturer issued for your GLN. It is kept sealed and never shown again."
      autoFocus={autoFocus}
    />
  );
}

/** A responder the directory names, with the manufacturers it answers for. */
interface KnownResponder {
  url: string;
  manufacturers: string[];
}

/** The responder and name being typed: the list of responders without a credential fills them in. */
interface Draft {
  url: string;
  label: string;
}

function AddCredential({
  credentials,
  responders,
  draft,
  onDraft,
}: {
  credentials: readonly RequesterCredentialView[];
  responders: readonly KnownResponder[];
  draft: Draft;
  onDraft: (draft: Draft) => void;
}) {
  const client = useQueryClient();
  const [token, setToken] = useState("");
  const { url, label } = draft;
  const [touched, setTouched] = useState(false);
  const errors = { url: responderUrlProblem(url), token: tokenProblem(token) };
  const existing = credentials.find((c) => c.responderUrl === url.trim().replace(/\/+$/, ""));
  const save = useMutation({
    mutationFn: () =>
      api.putVrsRequesterCredential({
        responderUrl: url.trim(),
        token,
        ...(label.trim() ? { label: label.trim() } : {}),
      }),
    onSuccess: () => {
      onDraft({ url: "", label: "" });
      setTouched(false);
      void client.invalidateQueries({ queryKey: CREDENTIALS_KEY });
    },
    // Saved or not, the secret leaves the page: a refused one is pasted again, not left in the field.
    onSettled: () => setToken(""),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate();
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Add a credential">
      <TextField
        label="Responder's address"
        name="responderUrl"
        type="url"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://vrs.example.com"
        list="known-responders"
        value={url}
        onChange={(e) => onDraft({ ...draft, url: e.target.value })}
        error={touched ? errors.url : null}
        hint={
          existing
            ? `You keep a credential for this responder (${existing.tokenHint}): saving replaces it.`
            : "As the manufacturer gave it, or as the lookup directory names it."
        }
      />
      <datalist id="known-responders">
        {responders.map((r) => (
          <option key={r.url} value={r.url}>
            {r.manufacturers.join(", ")}
          </option>
        ))}
      </datalist>
      <div className="grid gap-4 sm:grid-cols-2">
        <CredentialField value={token} onChange={setToken} error={touched ? errors.token : null} />
        <TextField
          label="Name (optional)"
          name="label"
          value={label}
          onChange={(e) => onDraft({ ...draft, label: e.target.value })}
          hint="Whose responder it is, for this list. Default: its host name."
        />
      </div>
      <Button type="submit" disabled={save.isPending} data-testid="save-requester-credential">
        {save.isPending ? "Saving…" : "Save the credential"}
      </Button>
      {save.isError ? (
        <Notice tone="error" title="The credential was not saved" testId="requester-credential-error">
          {save.error.message} Paste the credential again once this is put right.
        </Notice>
      ) : null}
      {/* Said while it is still true: a later replacement or removal of the credential ends it. */}
      {save.data && credentials.some((c) => c.id === save.data.id && c.tokenHint === save.data.tokenHint) ? (
        <Notice tone="success" title="Saved" testId="requester-credential-saved">
          The credential for {save.data.responderUrl}, ending {save.data.tokenHint}, is kept sealed: returns of its
          manufacturer&apos;s packs can now be verified.
        </Notice>
      ) : null}
    </form>
  );
}

/** Replaces a credential's token, in a dialog opened from its row (focus goes back to the row's button). */
function ReplaceCredential({ credential }: { credential: RequesterCredentialView }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [token, setToken] = useState("");
  const [touched, setTouched] = useState(false);
  const problem = tokenProblem(token);
  const replace = useMutation({
    mutationFn: () =>
      api.putVrsRequesterCredential({ responderUrl: credential.responderUrl, token, label: credential.label }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: CREDENTIALS_KEY });
      setOpen(false);
    },
    onSettled: () => setToken(""),
  });
  return (
    <FormDialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setToken("");
        setTouched(false);
        if (next) replace.reset();
      }}
      trigger={
        <Button variant="secondary" size="sm" aria-label={`Replace the credential for ${credential.label}`}>
          Replace
        </Button>
      }
      title={`Replace the credential for ${credential.label}`}
      description={`For ${credential.responderUrl}. The one ending ${credential.tokenHint} is forgotten once the new one is saved.`}
      onSubmit={() => {
        setTouched(true);
        if (problem === null) replace.mutate();
      }}
      pending={replace.isPending}
      submitText="Save the new credential"
      error={replace.isError ? { title: "Not replaced", message: replace.error.message } : null}
    >
      <CredentialField value={token} onChange={setToken} error={touched ? problem : null} autoFocus />
    </FormDialog>
  );
}

function CredentialList({ credentials }: { credentials: readonly RequesterCredentialView[] }) {
  const client = useQueryClient();
  const list = useRef<HTMLDivElement>(null);
  const remove = useMutation({ mutationFn: (id: number) => api.deleteVrsRequesterCredential(id) });
  return (
    // The list takes the focus after a removal, when the Remove button that had it is gone.
    <div ref={list} tabIndex={-1} role="group" aria-label="Your credentials" className="space-y-3 focus:outline-none">
      {remove.isError ? (
        <Notice tone="error" title="Not removed">
          {remove.error.message}
        </Notice>
      ) : null}
      {remove.data ? (
        <Notice tone="success" title="Removed">
          The credential for {remove.data.deleted.responderUrl} is forgotten.
        </Notice>
      ) : null}
      {credentials.length === 0 ? (
        <div
          className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-600"
          data-state="empty"
        >
          No credential yet: add the one each manufacturer issued you, or returns of its packs cannot be verified.
        </div>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="requester-credentials">
          {credentials.map((credential) => (
            <li
              key={credential.id}
              data-responder={credential.responderUrl}
              className="flex flex-wrap items-center justify-between gap-2 py-2"
            >
              <span className="min-w-0">
                <span className="block font-medium text-slate-900">
                  {credential.label}{" "}
                  <span className="font-mono font-normal text-slate-700">{credential.tokenHint}</span>
                </span>
                <span className="block break-all font-mono text-xs text-slate-700">{credential.responderUrl}</span>
                <span className="block text-xs text-slate-600">Added {formatDateTime(credential.storedAt)}</span>
              </span>
              <span className="flex gap-2">
                <ReplaceCredential credential={credential} />
                <DecisionDialog
                  trigger={
                    <Button variant="secondary" size="sm" aria-label={`Remove the credential for ${credential.label}`}>
                      Remove
                    </Button>
                  }
                  words={{
                    title: `Remove the credential for ${credential.label}?`,
                    consequence: `Returned packs whose manufacturer answers at ${credential.responderUrl} cannot be verified, nor received as saleable, until you add a new one.`,
                    confirm: "Remove the credential",
                    variant: "danger",
                    reason: null,
                  }}
                  busy={remove.isPending}
                  onOpen={() => remove.reset()}
                  onDecide={async () => {
                    try {
                      await remove.mutateAsync(credential.id);
                    } catch {
                      return { ok: false };
                    }
                    await client.invalidateQueries({ queryKey: CREDENTIALS_KEY });
                    list.current?.focus();
                    return { ok: true };
                  }}
                />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** "Credentials for manufacturers' responders": the distributor's list, the responders it still lacks one for, and the form. */
export function ResponderCredentials() {
  const credentials = useQuery({ queryKey: CREDENTIALS_KEY, queryFn: api.vrsRequesterCredentials });
  const directory = useQuery({ queryKey: DIRECTORY_KEY, queryFn: api.vrsDirectory });
  const participants = useParticipants();
  const [draft, setDraft] = useState<Draft>({ url: "", label: "" });
  const form = useRef<HTMLDivElement>(null);
  const names = participantMap(participants.data?.participants);
  const byUrl = new Map<string, Set<string>>();
  for (const entry of directory.data?.entries ?? []) {
    const name = names.get(entry.manufacturer.toLowerCase())?.name ?? entry.manufacturer;
    byUrl.set(entry.responderUrl, (byUrl.get(entry.responderUrl) ?? new Set()).add(name));
  }
  const responders: KnownResponder[] = [...byUrl].map(([responderUrl, set]) => ({
    url: responderUrl,
    manufacturers: [...set],
  }));
  const kept = new Set((credentials.data?.credentials ?? []).map((c) => c.responderUrl));
  const missing = credentials.data ? responders.filter((r) => !kept.has(r.url)) : [];
  return (
    <div className="space-y-6" data-testid="responder-credentials">
      <QueryState query={credentials} what="your credentials">
        {(d) => <CredentialList credentials={d.credentials} />}
      </QueryState>
      {missing.length > 0 ? (
        <div className="space-y-2 rounded-md bg-amber-50 p-3 text-sm text-amber-950" data-testid="responders-missing">
          <p className="font-medium">
            No credential yet for these responders: returns of their packs cannot be verified.
          </p>
          <ul className="space-y-1">
            {missing.map((r) => (
              <li key={r.url} className="flex flex-wrap items-center justify-between gap-2">
                <span className="min-w-0">
                  {r.manufacturers.join(", ")} <span className="break-all font-mono text-xs">{r.url}</span>
                </span>
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => {
                    setDraft({ url: r.url, label: r.manufacturers.join(", ") });
                    // Next, the secret: the one thing left to type.
                    form.current?.querySelector<HTMLInputElement>("input[name=token]")?.focus();
                  }}
                  aria-label={`Add a credential for ${r.url}`}
                >
                  Add its credential
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div ref={form} className="border-t border-slate-100 pt-4">
        <h3 className="mb-3 text-sm font-semibold text-slate-900">Add a credential</h3>
        <AddCredential
          credentials={credentials.data?.credentials ?? []}
          responders={responders}
          draft={draft}
          onDraft={setDraft}
        />
      </div>
    </div>
  );
}
