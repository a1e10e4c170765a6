"use client";
/**
 * The manufacturer's side of the VRS responder, on its dashboard: where partners find its responder
 * (its entries in the lookup directory, ./lookup-directory.tsx), the API credentials it issues to
 * trading partners (by GLN) for their verification requests, revoking them, and the log of every
 * request partners made about its GTINs with what was answered (docs/INTEROP.md is the partner's guide).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { Address } from "viem";
import { isValidGln } from "@pedigree/gs1";
import { api, type VrsRequestView } from "@/lib/client-api.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Section } from "../ui/card.tsx";
import { TextField } from "../ui/field.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import { QueryState } from "../ui/query-state.tsx";
import { LookupDirectory } from "./lookup-directory.tsx";

const CREDENTIALS_KEY = ["vrs-credentials"] as const;
const REQUESTS_KEY = ["vrs-requests"] as const;

function IssueCredential() {
  const client = useQueryClient();
  const [form, setForm] = useState({ partnerGln: "", label: "" });
  const [touched, setTouched] = useState(false);
  const errors = {
    partnerGln:
      /^\d{13}$/.test(form.partnerGln) && isValidGln(form.partnerGln) ? null : "13 digits with a correct check digit.",
    label: form.label.trim() ? null : "Who it is for: the partner, its returns desk or VRS provider.",
  };
  const issue = useMutation({
    mutationFn: () => api.issueVrsCredential(form.partnerGln, form.label.trim()),
    onSuccess: () => {
      setForm({ partnerGln: "", label: "" });
      setTouched(false);
      void client.invalidateQueries({ queryKey: CREDENTIALS_KEY });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.values(errors).some(Boolean)) return;
    issue.mutate();
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Issue a credential">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Partner's GLN"
          name="partnerGln"
          inputMode="numeric"
          value={form.partnerGln}
          onChange={(e) => setForm({ ...form, partnerGln: e.target.value.trim() })}
          error={touched ? errors.partnerGln : null}
          hint="The GLN its requests name as reqGLN."
        />
        <TextField
          label="For"
          name="label"
          value={form.label}
          onChange={(e) => setForm({ ...form, label: e.target.value })}
          error={touched ? errors.label : null}
        />
      </div>
      <Button type="submit" disabled={issue.isPending}>
        Issue a credential
      </Button>
      {issue.isError ? (
        <Notice tone="error" title="The credential was not issued">
          {issue.error.message}
        </Notice>
      ) : null}
      {issue.data ? (
        <Notice tone="success" title={`Credential for GLN ${issue.data.partnerGln}`} testId="issued-token">
          <p>
            Give this token to the partner now: it is shown once, and this server keeps only a fingerprint of it. The
            partner sends it as <code>Authorization: Bearer …</code>.
          </p>
          <p className="mt-1 select-all break-all font-mono text-xs">{issue.data.token}</p>
        </Notice>
      ) : null}
    </form>
  );
}

function Credentials() {
  const client = useQueryClient();
  const credentials = useQuery({ queryKey: CREDENTIALS_KEY, queryFn: api.vrsCredentials });
  const revoke = useMutation({
    mutationFn: (id: number) => api.revokeVrsCredential(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: CREDENTIALS_KEY }),
  });
  return (
    <QueryState
      query={credentials}
      what="credentials"
      isEmpty={(d) => d.credentials.length === 0}
      empty="No credential yet: issue one to each trading partner that verifies your packs."
    >
      {(d) => (
        <>
          {revoke.isError ? (
            <Notice tone="error" title="Not revoked">
              {revoke.error.message}
            </Notice>
          ) : null}
          <ul className="divide-y divide-slate-100 text-sm" data-testid="vrs-credentials">
            {d.credentials.map((credential) => (
              <li key={credential.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  <span className="font-medium text-slate-900">{credential.label}</span>{" "}
                  <span className="text-slate-600">
                    · GLN {credential.partnerGln} · issued {formatDateTime(credential.issuedAt)}
                  </span>
                </span>
                {credential.revokedAt === null ? (
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate(credential.id)}
                    aria-label={`Revoke the credential for ${credential.label}`}
                  >
                    Revoke
                  </Button>
                ) : (
                  <Badge tone="neutral">{`revoked ${formatDateTime(credential.revokedAt)}`}</Badge>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </QueryState>
  );
}

/** What was answered, in a few words. */
function answerOf(request: VrsRequestView): string {
  if (request.status !== 200) return `${request.status} ${request.errorCode ?? ""}`.trim();
  if (request.endpoint === "checkConnectivity") return "connectivity confirmed";
  const parts = [request.verified ? "verified" : "not verified"];
  if (request.failureReason) parts.push(request.failureReason);
  if (request.additionalInfo) parts.push(request.additionalInfo);
  return parts.join(" · ");
}

function RequestLog() {
  const requests = useQuery({ queryKey: REQUESTS_KEY, queryFn: () => api.vrsRequests(50), refetchInterval: 15_000 });
  return (
    <QueryState
      query={requests}
      what="verification requests"
      isEmpty={(d) => d.requests.length === 0}
      empty="No partner has asked about your packs yet."
    >
      {(d) => (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="vrs-requests">
            <caption className="sr-only">The latest verification requests about your products</caption>
            <thead className="text-xs uppercase text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  When
                </th>
                <th scope="col" className="py-2 pr-3">
                  Who asked
                </th>
                <th scope="col" className="py-2 pr-3">
                  Pack
                </th>
                <th scope="col" className="py-2">
                  Answer
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {d.requests.map((request) => (
                <tr key={request.id}>
                  <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(request.at)}</td>
                  <td className="py-2 pr-3">
                    GLN {request.requesterGln ?? "—"}
                    <span className="block text-xs text-slate-600">
                      {request.authMethod === "api-credential"
                        ? `credential ${request.credentialId ?? ""}`
                        : request.authMethod === "atp-presentation"
                          ? "ATP presentation"
                          : "no valid credential"}
                    </span>
                  </td>
                  <td className="py-2 pr-3 font-mono text-xs">
                    {request.gtin ?? "—"}
                    {request.lot ? ` · ${request.lot}` : ""}
                    {request.serial ? ` · ${request.serial}` : ""}
                  </td>
                  <td className="py-2">{answerOf(request)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </QueryState>
  );
}

/** The VRS section of the manufacturer's page. */
export function PartnerVerification({ self }: { self: Address }) {
  return (
    <div className="grid gap-6">
      <Section
        id="vrs-directory"
        title="Where partners verify your packs"
        description="A wholesaler checks each returned pack with the responder the lookup directory names for its GTIN. The most specific entry wins: a product's own entry, else its company prefix's."
      >
        <LookupDirectory self={self} />
      </Section>
      <div className="grid gap-6 lg:grid-cols-2">
        <Section
          id="vrs-issue"
          title="Verification by trading partners"
          description="Wholesalers verify returned packs with your responder (GS1 Lightweight Messaging, at /vrs). Issue each one a credential for its GLN."
        >
          <IssueCredential />
        </Section>
        <Section id="vrs-credentials" title="Credentials issued">
          <Credentials />
        </Section>
      </div>
      <Section
        id="vrs-requests"
        title="Verification requests"
        description="Every request partners made about your packs, and what the responder answered."
      >
        <RequestLog />
      </Section>
    </div>
  );
}
