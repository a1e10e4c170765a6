"use client";
/**
 * The organisation's staff, for its administrator (the organisation's wallet, or a staff admin):
 * invite a person (the one-time link is shown here once, to hand over), see who is invited and who
 * works here, change a role, remove someone (their passkeys and sessions stop at once).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { StaffInvitationIssued, StaffListResponse, StaffMemberView, StaffRole } from "@/lib/api-types.ts";
import { getJson, sendJson } from "@/lib/client-api.ts";
import { usePageSession } from "@/lib/wallet/page-session.tsx";
import { RoleGate } from "../shell/role-gate.tsx";
import { Button } from "../ui/button.tsx";
import { PageHeader, Section } from "../ui/card.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Notice } from "../ui/notice.tsx";
import { QueryState } from "../ui/query-state.tsx";

const STAFF_KEY = ["staff"] as const;
const ROLE_ORDER: StaffRole[] = ["clerk", "pharmacist", "quality", "admin"];

function useStaff(enabled: boolean) {
  return useQuery({ queryKey: STAFF_KEY, queryFn: () => getJson<StaffListResponse>("/api/staff"), enabled });
}

function InviteForm({ roles }: { roles: StaffListResponse["roles"] }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState<StaffRole>("clerk");
  const [touched, setTouched] = useState(false);
  const [copied, setCopied] = useState(false);
  const invite = useMutation({
    mutationFn: () => sendJson<StaffInvitationIssued>("POST", "/api/staff/invitations", { name: name.trim(), role }),
    onSuccess: () => {
      setName("");
      setTouched(false);
      setCopied(false);
      void queryClient.invalidateQueries({ queryKey: STAFF_KEY });
    },
  });
  const nameError = name.trim() === "" ? "The person's name, as colleagues know them." : null;
  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (nameError === null) invite.mutate();
  }
  const issued = invite.data;
  return (
    <Section
      title="Invite a person"
      description="They open the link on the device they will work on and create a passkey there. The link works once, for seven days."
    >
      <form onSubmit={submit} className="grid gap-4 sm:grid-cols-[1fr_14rem_auto] sm:items-start" noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={touched ? nameError : null}
          maxLength={120}
          autoComplete="off"
          data-testid="invite-name"
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value as StaffRole)}
          hint={roles[role].allows.join("; ")}
          data-testid="invite-role"
        >
          {ROLE_ORDER.map((value) => (
            <option key={value} value={value}>
              {roles[value].label}
            </option>
          ))}
        </SelectField>
        <Button type="submit" className="sm:mt-6" disabled={invite.isPending} data-testid="invite-submit">
          {invite.isPending ? "Inviting…" : "Invite"}
        </Button>
      </form>
      {invite.error ? (
        <Notice tone="error" title="Not invited">
          {invite.error.message}
        </Notice>
      ) : null}
      {issued ? (
        <Notice tone="success" title={`Invitation for ${issued.invitation.name}`}>
          <p>Hand this link to {issued.invitation.name} (it is shown only now; anyone holding it can use it once):</p>
          <p className="mt-2 flex flex-wrap items-center gap-2">
            <code className="rounded bg-white px-2 py-1 text-xs break-all" data-testid="invitation-link">
              {issued.link}
            </code>
            <Button
              variant="secondary"
              size="sm"
              onClick={() => void navigator.clipboard.writeText(issued.link).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </p>
        </Notice>
      ) : null}
    </Section>
  );
}

function MemberRow({
  member,
  roles,
  self,
}: {
  member: StaffMemberView;
  roles: StaffListResponse["roles"];
  self: boolean;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: STAFF_KEY });
  const change = useMutation({
    mutationFn: (role: StaffRole) => sendJson("PATCH", `/api/staff/${member.id}`, { role }),
    onSuccess: refresh,
  });
  const remove = useMutation({ mutationFn: () => sendJson("DELETE", `/api/staff/${member.id}`), onSuccess: refresh });
  const error = change.error ?? remove.error;
  return (
    <tr className="border-t border-slate-100 align-top" data-testid="staff-member">
      <td className="px-4 py-2 font-medium text-slate-900">
        {member.name}
        {self ? <span className="ml-1 text-xs font-normal text-slate-600">(you)</span> : null}
        {error ? <p className="text-xs font-normal text-red-700">{error.message}</p> : null}
      </td>
      <td className="px-4 py-2">
        <label className="sr-only" htmlFor={`role-${member.id}`}>
          Role of {member.name}
        </label>
        <select
          id={`role-${member.id}`}
          value={member.role}
          disabled={change.isPending}
          onChange={(event) => change.mutate(event.target.value as StaffRole)}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
        >
          {ROLE_ORDER.map((value) => (
            <option key={value} value={value}>
              {roles[value].label}
            </option>
          ))}
        </select>
      </td>
      <td className="px-4 py-2 text-sm text-slate-700">
        {member.passkeys === 1 ? "1 passkey" : `${member.passkeys} passkeys`}
      </td>
      <td className="px-4 py-2 text-sm text-slate-700">{formatDateTime(member.createdAt)}</td>
      <td className="px-4 py-2 text-right">
        {confirming ? (
          <span className="inline-flex gap-2">
            <Button variant="danger" size="sm" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Remove {member.name}
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setConfirming(false)}>
              Keep
            </Button>
          </span>
        ) : (
          <Button variant="secondary" size="sm" onClick={() => setConfirming(true)}>
            Remove…
          </Button>
        )}
      </td>
    </tr>
  );
}

function PendingInvitations({ data }: { data: StaffListResponse }) {
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: (id: number) => sendJson("DELETE", `/api/staff/invitations/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: STAFF_KEY }),
  });
  return (
    <Section
      title="Invitations waiting"
      description="Sent links not used yet. A lost link cannot be shown again: cancel it and invite the person anew."
    >
      {data.invitations.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-600 sm:px-5">No invitation is waiting.</p>
      ) : (
        <ul className="divide-y divide-slate-100" data-testid="pending-invitations">
          {data.invitations.map((invitation) => (
            <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 sm:px-5">
              <span className="text-sm text-slate-900">
                <strong>{invitation.name}</strong>, {data.roles[invitation.role].label.toLowerCase()} · until{" "}
                {formatDateTime(invitation.expiresAt)}
              </span>
              <Button
                variant="secondary"
                size="sm"
                onClick={() => cancel.mutate(invitation.id)}
                disabled={cancel.isPending}
              >
                Cancel invitation
              </Button>
            </li>
          ))}
        </ul>
      )}
      {cancel.error ? <Notice tone="error">{cancel.error.message}</Notice> : null}
    </Section>
  );
}

export function StaffAdmin() {
  const staff = usePageSession()?.staff;
  // Other staff are refused the list (403): they are told so without asking.
  const administrator = staff === undefined || staff.role === "admin";
  const query = useStaff(administrator);
  return (
    <RoleGate roles={["MANUFACTURER", "DISTRIBUTOR", "PHARMACY", "REGULATOR"]}>
      {(party) => (
        <div className="space-y-6">
          <PageHeader
            title="Staff"
            description={`The people who sign in for ${party.name ?? "your organisation"} with a passkey, and what each may do.`}
          />
          {!administrator ? (
            <Notice tone="info" title="For administrators">
              Only your organisation&apos;s administrators manage its staff. Ask one of them to invite a colleague or
              change a role.
            </Notice>
          ) : (
            <QueryState query={query} what="staff">
              {(data) => (
                <>
                  <InviteForm roles={data.roles} />
                  <PendingInvitations data={data} />
                  <Section title="Staff" description="Removing someone ends their sessions and passkeys at once.">
                    {data.members.length === 0 ? (
                      <p className="px-4 py-3 text-sm text-slate-600 sm:px-5">Nobody has created a passkey yet.</p>
                    ) : (
                      <div className="overflow-x-auto">
                        <table className="w-full text-left text-sm">
                          <thead className="text-xs text-slate-600 uppercase">
                            <tr>
                              <th className="px-4 py-2 font-medium">Name</th>
                              <th className="px-4 py-2 font-medium">Role</th>
                              <th className="px-4 py-2 font-medium">Passkeys</th>
                              <th className="px-4 py-2 font-medium">Since</th>
                              <th className="px-4 py-2">
                                <span className="sr-only">Actions</span>
                              </th>
                            </tr>
                          </thead>
                          <tbody>
                            {data.members.map((member) => (
                              <MemberRow
                                key={member.id}
                                member={member}
                                roles={data.roles}
                                self={member.id === staff?.id}
                              />
                            ))}
                          </tbody>
                        </table>
                      </div>
                    )}
                  </Section>
                  <Section title="What each role may do">
                    <dl className="grid gap-3 px-4 py-3 sm:grid-cols-2 sm:px-5">
                      {ROLE_ORDER.map((value) => (
                        <div key={value}>
                          <dt className="text-sm font-semibold text-slate-900">{data.roles[value].label}</dt>
                          <dd className="text-sm text-slate-700">
                            {data.roles[value].allows.join("; ")}
                            {data.roles[value].manages ? "; and manage the staff and the API tokens" : ""}.
                          </dd>
                        </div>
                      ))}
                    </dl>
                  </Section>
                </>
              )}
            </QueryState>
          )}
        </div>
      )}
    </RoleGate>
  );
}
