"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Notice } from "@/components/ui/notice.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { createPasskey, passkeyElsewhere } from "@/lib/wallet/passkey.ts";

/** The invitation's one action: create the passkey (which signs the person in), then their organisation's home. */
export function CreatePasskey({ invitation, expiresAt }: { invitation: string; expiresAt: string }) {
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  async function create() {
    const elsewhere = passkeyElsewhere(window.location);
    if (elsewhere !== null) {
      window.location.assign(elsewhere);
      return;
    }
    setState({ busy: true, error: null });
    try {
      window.location.assign(await createPasskey(invitation));
    } catch (error) {
      setState({ busy: false, error: (error as Error).message });
    }
  }
  return (
    <div className="space-y-3">
      <Button onClick={() => void create()} disabled={state.busy} data-testid="create-passkey">
        {state.busy ? "Waiting for your device…" : "Create your passkey"}
      </Button>
      <p className="text-sm text-slate-600">This invitation works once, until {formatDateTime(expiresAt)}.</p>
      {state.error ? (
        <Notice tone="error" title="No passkey was created">
          {state.error}
        </Notice>
      ) : null}
    </div>
  );
}
