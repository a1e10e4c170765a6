import { Link } from "../ui/link.tsx";
import type { ReactNode } from "react";
import { readLinks, type PartyView } from "@/lib/api/read.ts";
import { shortAddress, shortHash } from "../ui/format.ts";

const LINK = "text-teal-800 underline decoration-1 underline-offset-2 hover:text-teal-950";

/** A party by its legal name (or shortened account), opening its page. */
export function PartyLink({ party, children }: { party: PartyView; children?: ReactNode }) {
  return (
    <Link href={readLinks.party(party.address)} className={LINK} title={party.address}>
      {children ?? party.name ?? shortAddress(party.address)}
    </Link>
  );
}

export function BatchLink({ gtin, lot, children }: { gtin: string; lot: string; children?: ReactNode }) {
  return (
    <Link href={readLinks.batch(gtin, lot)} className={LINK}>
      {children ?? `Lot ${lot}`}
    </Link>
  );
}

export function ProductLink({ gtin, children }: { gtin: string; children?: ReactNode }) {
  return (
    <Link href={readLinks.product(gtin)} className={LINK}>
      {children ?? `GTIN ${gtin}`}
    </Link>
  );
}

/** A transaction by its shortened hash (the full hash in the title). */
export function TransactionLink({ hash }: { hash: string }) {
  return (
    <Link href={readLinks.transaction(hash)} className={LINK} title={hash}>
      <code>{shortHash(hash)}</code>
    </Link>
  );
}
