"use client";
import type { ReactNode } from "react";
import { Button } from "./button.tsx";
import { Dialog } from "./dialog.tsx";
import { Notice } from "./notice.tsx";

/**
 * A change made in a dialog opened from a row (change an address, replace a credential): the
 * fields, the server's refusal in its own words, and Save / Cancel. The dialog gives the focus
 * back to its trigger when it closes; `onSubmit` runs only on the form's own submission (Enter
 * in a field or the Save button), after the browser's validation is turned off so the page's
 * own words show.
 */
export function FormDialog({
  open,
  onOpenChange,
  trigger,
  title,
  description,
  onSubmit,
  pending,
  submitText,
  error,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  trigger: ReactNode;
  title: string;
  description?: ReactNode;
  onSubmit: () => void;
  /** The change is being sent: the Save button waits for it. */
  pending: boolean;
  submitText: string;
  /** The last attempt's refusal, if any: its title ("Not changed") and the server's message. */
  error: { title: string; message: string } | null;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange} trigger={trigger} title={title} description={description}>
      <form
        className="space-y-3"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        {children}
        {error !== null ? (
          <Notice tone="error" title={error.title}>
            {error.message}
          </Notice>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : submitText}
          </Button>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
