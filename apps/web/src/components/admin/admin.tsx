"use client";
import { useState, type FormEvent } from "react";
import { isAddress, type Address } from "viem";
import { isValidGln } from "@pedigree/gs1";
import { roleNumber } from "@pedigree/ledger";
import type { ParticipantRole, ParticipantView, PartyView } from "@/lib/api/read.ts";
import { useLedgerWrite } from "@/lib/tx/use-ledger-write.ts";
import { useErrorLookup, useLedgerStatus, useParticipants } from "../data/hooks.ts";
import { RoleGate } from "../shell/role-gate.tsx";
import { TxStatus } from "../tx/tx-status.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { DecisionDialog, type DecisionWords } from "../ui/decision-dialog.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { formatDateTime, roleLabel, shortAddress } from "../ui/format.ts";
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
    // The network administrator's steps have no operation in the write API: the wallet signs them.
    const onboarded = await tx.run({
      operation: "wallet-only",
      call: {
        functionName: "onboardParticipant",
        args: [form.address as Address, roleNumber(form.role), form.name.trim(), BigInt(form.gln)],
      },
    });
    if (!onboarded.ok) return;
    if (form.role === "MANUFACTURER") {
      for (const prefix of prefixes) {
        setStep(`Assigning company prefix ${prefix}`);
        const assigned = await tx.run({
          operation: "wallet-only",
          call: { functionName: "assignCompanyPrefix", args: [form.address as Address, prefix] },
        });
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

/** A decision of the administrator: the button that opens its dialog, the dialog's words, its status line. */
interface Decision extends DecisionWords {
  button: string;
  /** What the status line says once it is recorded. */
  done: string;
}

const REASON_MISSING = "Give the reason: it is recorded on the ledger with the decision.";

function DecisionButton({
  decision,
  testId,
  ...dialog
}: {
  decision: Decision;
  testId: string;
  busy: boolean;
  onOpen: () => void;
  onDecide: (reason: string) => Promise<{ ok: boolean }>;
}) {
  return (
    <DecisionDialog
      {...dialog}
      words={decision}
      trigger={
        <Button size="sm" variant={decision.variant === "danger" ? "danger" : "secondary"} data-testid={testId}>
          {decision.button}
        </Button>
      }
    />
  );
}

/** What a suspended participant can no longer do, by role (what the contract then refuses). */
const SUSPENDED_CANNOT: Record<string, string> = {
  MANUFACTURER: "register products or batches, ship, receive returns or recall its batches",
  DISTRIBUTOR: "ship, receive or return stock",
  PHARMACY: "receive deliveries, dispense or return stock",
  REGULATOR: "recall, suspend or reinstate batches",
};

function participantDecision(participant: ParticipantView): Decision {
  const who = `${participant.name} (GLN ${participant.gln})`;
  return participant.suspended
    ? {
        button: "Reinstate…",
        title: `Reinstate ${participant.name}`,
        consequence:
          `${who} can act on the ledger again as a ${roleLabel(participant.role).toLowerCase()}, and others can ` +
          "ship to it. The suspension and this reinstatement stay in the ledger's record, each with its reason.",
        reason: {
          missing: REASON_MISSING,
          hint: "Why it may act again (for example: licence renewed). Every party and auditor can read it.",
        },
        confirm: "Reinstate",
        variant: "primary",
        done: `${participant.name} is reinstated.`,
      }
    : {
        button: "Suspend…",
        title: `Suspend ${participant.name}`,
        consequence:
          `${who} can no longer ${SUSPENDED_CANNOT[participant.role] ?? "record anything"} until reinstated, and no ` +
          "one can ship to it; shipments already on their way to it can only be cancelled by their senders. Its " +
          "history stays on the ledger.",
        reason: {
          missing: REASON_MISSING,
          hint: "Why (for example: wholesale licence withdrawn). Recorded on the ledger; every party and auditor can read it.",
        },
        confirm: "Suspend",
        variant: "danger",
        done: `${participant.name} is suspended.`,
      };
}

/** Who took a decision: "you" for the administrator reading its own, else its account. */
function decidedBy(by: PartyView | null, self: string): string {
  if (by === null) return "";
  if (by.address.toLowerCase() === self.toLowerCase()) return " by you";
  return ` by the administrator ${by.name ?? shortAddress(by.address)}`;
}

function ParticipantRow({ participant, self }: { participant: ParticipantView; self: string }) {
  const tx = useLedgerWrite(useErrorLookup());
  const [last, setLast] = useState<Decision | null>(null);
  const decision = participantDecision(participant);
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
      <td className="py-2 pr-3" data-testid="participant-status">
        {participant.suspended ? <Badge tone="bad">Suspended</Badge> : <Badge tone="good">Active</Badge>}
        {participant.statusAt ? (
          <p className="mt-1 max-w-xs text-xs text-slate-700">
            {participant.suspended ? "Suspended" : "Reinstated"} on {formatDateTime(participant.statusAt)}
            {decidedBy(participant.statusBy, self)}
            {participant.statusReason ? `: “${participant.statusReason}”` : ""}
          </p>
        ) : null}
      </td>
      <td className="py-2 text-right">
        <DecisionButton
          decision={decision}
          testId="participant-decision"
          busy={tx.busy}
          onOpen={tx.reset}
          onDecide={(reason) => {
            setLast(decision);
            const account = participant.address as Address;
            return participant.suspended
              ? tx.run({
                  operation: "wallet-only",
                  call: { functionName: "reinstateParticipant", args: [account, reason] },
                })
              : tx.run({
                  operation: "wallet-only",
                  call: { functionName: "suspendParticipant", args: [account, reason] },
                });
          }}
        />
        <div className="mt-1 text-left">
          <TxStatus phase={tx.phase} successText={last?.done} />
        </div>
      </td>
    </tr>
  );
}

const PAUSE: Decision = {
  button: "Pause the ledger…",
  title: "Pause the ledger",
  consequence:
    "Every write to the ledger stops for every participant until the ledger is resumed: no onboarding, product, " +
    "batch, shipment, receipt, dispense or reinstatement. Reads and patient checks keep working, and recalls, " +
    "batch suspensions and participant suspensions can still be made.",
  reason: {
    missing: REASON_MISSING,
    hint: "Why (for example: a wholesaler's signing key leaked). Every participant sees it at the top of each page.",
  },
  confirm: "Pause the ledger",
  variant: "danger",
  done: "The ledger is paused.",
};

const RESUME: Decision = {
  button: "Resume the ledger…",
  title: "Resume the ledger",
  consequence:
    "Every participant can write again: shipments, receipts and dispenses resume at once. The pause and its end " +
    "stay in the ledger's record, each with its reason.",
  reason: {
    missing: REASON_MISSING,
    hint: "Why the emergency is over (for example: key revoked, participant suspended).",
  },
  confirm: "Resume the ledger",
  variant: "primary",
  done: "The ledger is running again.",
};

export function PauseControl({ paused, self }: { paused: boolean; self: string }) {
  const tx = useLedgerWrite(useErrorLookup());
  const status = useLedgerStatus();
  const [last, setLast] = useState<Decision>(PAUSE);
  const change = status.data?.lastChange;
  const decision = paused ? RESUME : PAUSE;
  return (
    <div className="space-y-3" data-testid="pause-control">
      <p className="text-sm text-slate-700">
        {paused ? "The ledger is paused: nothing is registered, moved or released." : "The ledger is running."} Pausing
        stops, at once, every onboarding, product, batch, shipment and pack write, and every reinstatement (for an
        incident); recalls, batch suspensions and participant suspensions still work, and reading and verifying go on.
      </p>
      {change ? (
        <p className="text-sm text-slate-700" data-testid="last-pause-decision">
          {change.paused ? "Paused" : "Resumed"} on {formatDateTime(change.at)}
          {decidedBy(change.by, self)}: “{change.reason}”
        </p>
      ) : null}
      <DecisionButton
        decision={decision}
        testId="pause-decision"
        busy={tx.busy}
        onOpen={tx.reset}
        onDecide={(reason) => {
          setLast(decision);
          return tx.run({
            operation: "wallet-only",
            call: { functionName: paused ? "unpause" : "pause", args: [reason] },
          });
        }}
      />
      <TxStatus phase={tx.phase} successText={last.done} />
    </div>
  );
}

export function Admin({ paused, self }: { paused: boolean; self: string }) {
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
                    <ParticipantRow key={p.address} participant={p} self={self} />
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
          <PauseControl paused={paused} self={self} />
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
          <Admin paused={party.paused} self={party.address} />
        </>
      )}
    </RoleGate>
  );
}
