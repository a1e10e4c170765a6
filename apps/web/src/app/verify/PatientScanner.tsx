"use client";
/**
 * The scanner on the patient's page: a code read by any means opens its verdict, which knows
 * whether the code was typed (a typed code that matches nothing may be a typing slip).
 */
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Scanner } from "@/components/scanner/Scanner";

export function PatientScanner() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <>
      <Scanner
        fieldLabel="Code on the pack"
        submitLabel="Check"
        busy={pending}
        formAction="/verify"
        onCode={(code, _value, entry) =>
          startTransition(() =>
            router.push(`/verify?code=${encodeURIComponent(code)}${entry === "typed" ? "&entry=typed" : ""}`),
          )
        }
      />
      {pending && (
        <p role="status" className="mt-3 text-slate-700">
          Checking the pack…
        </p>
      )}
    </>
  );
}
