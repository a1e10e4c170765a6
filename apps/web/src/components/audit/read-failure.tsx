import { Link } from "../ui/link.tsx";
import { ApiError } from "@/server/api/errors.ts";
import { PageHeader } from "../ui/card.tsx";
import { Notice } from "../ui/notice.tsx";

/**
 * What an auditor page shows when its record cannot be given: the API's own words for a bad or
 * unknown identifier (they say what to check), a plain outage message otherwise (logged for the
 * operator), and a way back to the search either way.
 */
export function ReadFailure({ title, error }: { title: string; error: unknown }) {
  const known = error instanceof ApiError && error.status < 500;
  if (!known) console.error(`${title}: the record could not be read:`, error);
  return (
    <>
      <PageHeader title={title} />
      <Notice
        tone={known ? "warning" : "error"}
        title={known ? "Nothing to show" : "The record cannot be read right now"}
      >
        <p>
          {known ? error.message : "The custody record's database cannot be read at the moment. Try again in a minute."}
        </p>
        <p className="mt-2">
          <Link href="/auditor" className="text-teal-900 underline">
            Search the custody record
          </Link>
        </p>
      </Notice>
    </>
  );
}
