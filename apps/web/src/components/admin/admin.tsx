"use client";
import { useState, type FormEvent } from "react";
import { isAddress, type Address } from "viem";
import { isValidGln } from "@pedigree/gs1";
import { roleNumber } from "@pedigree/ledger";
import type { ParticipantRole } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { useErrorLookup, useParticipants } from "../data/hooks.ts";
import { RoleGate } from "../shell/role-gate.tsx";
import { TxStatus } from "../tx/tx-status.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { roleLabel, shortAddress } from "../ui/format.ts";
import { QueryState } from "../ui/query-state.tsx";

const ROLES: ParticipantRole[] = ["MANUFACTURER", "DISTRIBUTOR", "PHARMACY", "REGULATOR"];

function OnboardForm() {
  const tx = useLedgerWrite(useErrorLookup());
  const [form, setForm] = useState({
    address: "",
    role: "MANUFACTURER" as ParticipantRole,
    name: "",
    gln: "",
    prefixes: "",
  });
  const [touched, setTouched] = useState(false);
  const [step, setStep] = useState<string | null>(null);
  const prefixes = form.prefixes.split(/[\s,]+/).filter(Boolean);
  const errors = {
    address: isAddress(form.address) ? null : "A 0x address of 40 hex digits.",
    name: form.name.trim() ? null : "The participant's legal name.",
    gln: /^\d{13}$/.test(form.gln) && isValidGln(form.gln) ? null : "13 digits with a correct GS1 check digit.",
    prefixes:
      form.role === "MANUFACTURER" && prefixes.some((p) => !/^\d{6,12}$/.test(p))
        ? "Each prefix is 6 to 12 digits (separate them with commas)."
        : null,
  };
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.values(errors).some(Boolean)) return;
    setStep("Onboarding the participant");
    const onboarded = await tx.run({
      functionName: "onboardParticipant",
      args: [form.address as Address, roleNumber(form.role), form.name.trim(), BigInt(form.gln)],
    });
    if (!onboarded.ok) return;
    if (form.role === "MANUFACTURER") {
      for (const prefix of prefixes) {
        setStep(`Assigning company prefix ${prefix}`);
        const assigned = await tx.run({ functionName: "assignCompanyPrefix", args: [form.address as Address, prefix] });
        if (!assigned.ok) return;
      }
    }
    setStep(null);
    setTouched(false);
    setForm({ address: "", role: form.role, name: "", gln: "", prefixes: "" });
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Onboard a participant">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Address"
          name="address"
          value={form.address}
          onChange={set("address")}
          placeholder="0x…"
          error={touched ? errors.address : null}
        />
        <SelectField label="Role" name="role" value={form.role} onChange={set("role")}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Legal name"
          name="name"
          value={form.name}
          onChange={set("name")}
          error={touched ? errors.name : null}
        />
        <TextField
          label="GLN"
          name="gln"
          value={form.gln}
          onChange={set("gln")}
          inputMode="numeric"
          error={touched ? errors.gln : null}
          hint="The party's GS1 Global Location Number."
        />
        {form.role === "MANUFACTURER" ? (
          <TextField
            label="GS1 company prefixes"
            name="prefixes"
            value={form.prefixes}
            onChange={set("prefixes")}
            placeholder="952012, 952013"
            error={touched ? errors.prefixes : null}
            hint="The manufacturer may only register GTINs under these."
            className="sm:col-span-2"
          />
        ) : null}
      </div>
      <Button type="submit" disabled={tx.busy}>
        Onboard
      </Button>
      {step && tx.busy ? (
        <p className="text-sm text-slate-600" role="status">
          {step}…
        </p>
      ) : null}
      <TxStatus phase={tx.phase} />
    </form>
  );
}

function ParticipantRow({
  participant,
}: {
  participant: {
    address: string;
    name: string;
    role: string;
    gln: string;
    suspended: boolean;
    companyPrefixes: string[];
  };
}) {
  const tx = useLedgerWrite(useErrorLookup());
  return (
    <tr className="border-b border-slate-100 align-top" data-address={participant.address}>
      <td className="py-2 pr-3">
        <p className="font-medium text-slate-900">{participant.name}</p>
        <p className="text-xs text-slate-600">
          <code title={participant.address}>{shortAddress(participant.address)}</code> · GLN {participant.gln}
          {participant.companyPrefixes.length ? ` · prefixes ${participant.companyPrefixes.join(", ")}` : ""}
        </p>
      </td>
      <td className="py-2 pr-3">{roleLabel(participant.role)}</td>
      <td className="py-2 pr-3">
        {participant.suspended ? <Badge tone="bad">Suspended</Badge> : <Badge tone="good">Active</Badge>}
      </td>
      <td className="py-2 text-right">
        <Button
          size="sm"
          variant={participant.suspended ? "secondary" : "danger"}
          disabled={tx.busy}
          onClick={() =>
            void tx.run({
              functionName: participant.suspended ? "reinstateParticipant" : "suspendParticipant",
              args: [participant.address as Address],
            })
          }
        >
          {participant.suspended ? "Reinstate" : "Suspend"}
        </Button>
        <div className="mt-1 text-left">
          <TxStatus phase={tx.phase} />
        </div>
      </td>
    </tr>
  );
}

export function PauseControl({ paused }: { paused: boolean }) {
  const tx = useLedgerWrite();
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        {paused ? "The ledger is paused: nothing is registered, moved or released." : "The ledger is running."} Pausing
        stops, at once, every onboarding, product, batch, shipment and pack write, and every reinstatement (for an
        incident); recalls, batch suspensions and participant suspensions still work, and reading and verifying go on.
      </p>
      <Button
        variant={paused ? "primary" : "danger"}
        disabled={tx.busy}
        onClick={() => void tx.run({ functionName: paused ? "unpause" : "pause", args: [] })}
      >
        {paused ? "Unpause the ledger" : "Pause the ledger"}
      </Button>
      <TxStatus phase={tx.phase} />
    </div>
  );
}

export function Admin({ paused }: { paused: boolean }) {
  const participants = useParticipants();
  return (
    <div className="grid gap-6">
      <Section
        title="Participants"
        description="Everyone the ledger knows. A suspended participant can record nothing until reinstated."
      >
        <QueryState
          query={participants}
          what="participants"
          isEmpty={(d) => d.participants.length === 0}
          empty="No participant onboarded yet."
        >
          {(d) => (
            <div className="relative overflow-x-auto">
              {/* relative: the header's screen-reader-only text is positioned; it must scroll with the table, not widen the page. */}
              <table className="w-full min-w-[34rem] text-left text-sm">
                <caption className="sr-only">Participants</caption>
                <thead className="border-b border-slate-200 text-xs text-slate-600 uppercase">
                  <tr>
                    <th scope="col" className="py-2 pr-3 font-medium">
                      Participant
                    </th>
                    <th scope="col" className="py-2 pr-3 font-medium">
                      Role
                    </th>
                    <th scope="col" className="py-2 pr-3 font-medium">
                      Status
                    </th>
                    <th scope="col" className="py-2 text-right font-medium">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.participants.map((p) => (
                    <ParticipantRow key={p.address} participant={p} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </Section>
      <div className="grid gap-6 lg:grid-cols-[2fr_1fr]">
        <Section title="Onboard a participant">
          <OnboardForm />
        </Section>
        <Section title="Pause">
          <PauseControl paused={paused} />
        </Section>
      </div>
    </div>
  );
}

/** The administrator's home (/admin). */
export function AdminPage() {
  return (
    <RoleGate roles={["ADMIN"]}>
      {(party) => (
        <>
          <PageHeader
            title="Participants"
            description="Onboard, suspend and reinstate the parties of the ledger; pause it in an emergency."
          />
          <Admin paused={party.paused} />
        </>
      )}
    </RoleGate>
  );
}
