"use client";
import { useQuery } from "@tanstack/react-query";
import { Link } from "../ui/link.tsx";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { browserReads } from "@/lib/read-queries.ts";
import { readLinks } from "@/lib/api/read.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { inputClass } from "../ui/field.tsx";
import { Notice } from "../ui/notice.tsx";
import { QueryState } from "../ui/query-state.tsx";

export function SearchBox({ initial = "" }: { initial?: string }) {
  const [q, setQ] = useState(initial);
  const router = useRouter();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (q.trim()) router.push(readLinks.search(q.trim()));
  };
  return (
    <form role="search" onSubmit={submit} className="flex gap-2">
      <label htmlFor="audit-search" className="sr-only">
        Search by GTIN, lot, serial, pack code, shipment reference, party or transaction hash
      </label>
      <input
        id="audit-search"
        name="q"
        className={inputClass}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder="GTIN, lot, serial, pack code, shipment reference, party, GLN or transaction hash"
      />
      <Button type="submit">Search</Button>
    </form>
  );
}

export function SearchResults({ q }: { q: string }) {
  const query = useQuery({ ...browserReads.search(q), enabled: q.length > 0 });
  if (!q) return <p className="text-sm text-slate-600">Type what you are looking for.</p>;
  return (
    <QueryState query={query} what="results">
      {(d) => (
        <div className="space-y-3">
          {d.notes.map((note) => (
            <Notice key={note} tone="info">
              {note}
            </Notice>
          ))}
          {d.results.length === 0 ? <p className="text-sm text-slate-600">Nothing matches “{q}”.</p> : null}
          <ul
            className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white"
            data-testid="search-results"
          >
            {d.results.map((r) => (
              <li key={`${r.kind}-${r.href}-${r.title}`} className="px-4 py-3">
                <Badge tone="info">{r.kind}</Badge>{" "}
                <Link href={r.href} className="font-medium text-teal-800 underline">
                  {r.title}
                </Link>
                <p className="text-xs text-slate-600">{r.subtitle}</p>
              </li>
            ))}
          </ul>
        </div>
      )}
    </QueryState>
  );
}
