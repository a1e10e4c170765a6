"use client";
import { Dialog as RadixDialog } from "radix-ui";
import { useRef, type ReactNode } from "react";

/**
 * A modal dialog (Radix: focus trapped, Escape closes, labelled by its title). When it closes, by
 * Escape, its Close button or its own action, focus goes back to the control that had it when the
 * dialog opened: Radix does that only for its own Trigger, and these dialogs are opened by plain
 * buttons. When that control is gone (the action replaced it), focus goes to `returnFocusTo()`.
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  trigger,
  wide = false,
  onCloseAutoFocus,
  returnFocusTo,
}: {
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  trigger?: ReactNode;
  wide?: boolean;
  /** Where focus goes on closing, for a dialog opened without `trigger` (default: the trigger). */
  onCloseAutoFocus?: (event: Event) => void;
  returnFocusTo?: () => HTMLElement | null;
}) {
  // The control that has the focus as the dialog renders open: read here, since a field's
  // autoFocus inside moves the focus before any effect (or Radix's open event) could read it.
  const opener = useRef<Element | null>(null);
  const wasOpen = useRef(false);
  if (Boolean(open) !== wasOpen.current) {
    wasOpen.current = Boolean(open);
    if (open && typeof document !== "undefined") opener.current = document.activeElement;
  }
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      {trigger ? <RadixDialog.Trigger asChild>{trigger}</RadixDialog.Trigger> : null}
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <RadixDialog.Content
          className={`fixed top-1/2 left-1/2 z-50 max-h-[90vh] w-[calc(100vw-2rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-5 shadow-xl focus:outline-none ${wide ? "max-w-2xl" : "max-w-md"}`}
          {...(description ? {} : { "aria-describedby": undefined })}
          onCloseAutoFocus={(event) => {
            onCloseAutoFocus?.(event);
            const control = opener.current;
            const target =
              control instanceof HTMLElement && control !== document.body && control.isConnected
                ? control
                : returnFocusTo?.();
            // Without either, Radix's own: its Trigger, if the dialog has one.
            if (event.defaultPrevented || !target) return;
            event.preventDefault();
            target.focus();
          }}
        >
          <div className="mb-4 flex items-start justify-between gap-4">
            <div>
              <RadixDialog.Title className="text-lg font-semibold text-slate-900">{title}</RadixDialog.Title>
              {description ? (
                <RadixDialog.Description className="mt-1 text-sm text-slate-600">{description}</RadixDialog.Description>
              ) : null}
            </div>
            <RadixDialog.Close
              className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-teal-600"
              aria-label="Close"
            >
              ✕
            </RadixDialog.Close>
          </div>
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
