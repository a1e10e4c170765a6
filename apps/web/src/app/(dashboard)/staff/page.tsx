import type { Metadata } from "next";
import { StaffAdmin } from "@/components/staff/staff-admin.tsx";

export const metadata: Metadata = { title: "Staff" };

/** The organisation's staff and their invitations (read in the browser: the list is its administrator's only). */
export default function Page() {
  return <StaffAdmin />;
}
