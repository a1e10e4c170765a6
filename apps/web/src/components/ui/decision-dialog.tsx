"use client";
import { useState, type ReactNode } from "react";
import { Button } from "./button.tsx";
import { Dialog } from "./dialog.tsx";
import { TextField } from "./field.tsx";

/** What a decision's dialog says, and how it asks for the reason the ledger records with it. */
export interface DecisionWords {
  title: string;
  /** What will happen, in plain words. */
  consequence: ReactNode;
  /** The confirming button. */
  confirm: string;
  variant: "danger" | "primary";
  /**
   * The reason field, when the decision takes one (the contract refuses an empty reason):
   * `missing` is what the field says when it is left empty, `hint` who will read it.
   */
  reason: { missing: string; hint?: string } | null;
}

/**
 * A decision that cannot be taken by one stray click (pause the ledger, suspend a participant,
 * recall or suspend a batch): `trigger` opens a dialog that says what will happen, asks for the
 * reason when there is one, and only its confirming button sends it. The trigger stays one
 * control whatever the state it flips (suspend or reinstate), so that the dialog gives the
 * focus back to it and the focus stays there afterwards.
 */
export function DecisionDialog({
  trigger,
  words,
  busy,
  onOpen,
  onDecide,
}: {
  trigger: ReactNode;
  words: DecisionWords;
  /** A write is under way: the confirming button waits for it. */
  busy: boolean;
  /** A new decision begins: the last one's status is no longer what the page is about. */
  onOpen?: () => void;
  /** Sends the decision; the reason is trimmed ("" when the decision takes none). */
  onDecide: (reason: string) => Promise<{ ok: boolean }>;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next && !busy) onOpen?.();
        else setError(null);
      }}
      trigger={trigger}
      title={words.title}
      description={words.consequence}
    >
      <form
        className="space-y-3"
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          if (words.reason !== null && !reason.trim()) return setError(words.reason.missing);
          setError(null);
          setOpen(false);
          const result = await onDecide(words.reason === null ? "" : reason.trim());
          if (result.ok) setReason("");
        }}
      >
        {words.reason !== null ? (
          <TextField
            label="Reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={error}
            hint={words.reason.hint}
            autoFocus
          />
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant={words.variant} disabled={busy}>
            {words.confirm}
          </Button>
          <Button variant="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
