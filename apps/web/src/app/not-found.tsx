import type { Metadata } from "next";
import { StatusPage } from "@/components/shell/status-page.tsx";

export const metadata: Metadata = { title: "Page not found", robots: { index: false } };

/** Every address no page answers (Next answers it with status 404). */
export default function NotFound() {
  return (
    <StatusPage heading="This page does not exist" testId="not-found">
      <p>Nothing is published at this address. It may be mistyped, or cut short when it was copied.</p>
      <p>
        If a code on a medicine pack brought you here, scan it again, or type the code on the check page: a pack&apos;s
        code always opens a page that says whether the pack is genuine.
      </p>
    </StatusPage>
  );
}
