"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useAccount, useConfig } from "wagmi";
import { usePageSession } from "@/lib/wallet/page-session.tsx";
import { ensureSignedIn } from "@/lib/wallet/sign-in.ts";

/**
 * Signs the connected account in to this server as soon as it connects (one signature), since the
 * dashboard's reads answer signed-in parties only; then the reads that were refused for want of a
 * session run again. Only failed queries are refetched: a counter check that already answered is
 * not checked (and recorded) twice. When the server rendered the page for a session of the account
 * that connects, there is nothing to ask (the first time: a later change of account asks again).
 */
export function SessionKeeper() {
  const { address, status } = useAccount();
  const config = useConfig();
  const queryClient = useQueryClient();
  const renderedFor = useRef(usePageSession()?.address.toLowerCase());
  useEffect(() => {
    if (status !== "connected" || address === undefined) return;
    const known = renderedFor.current === address.toLowerCase();
    renderedFor.current = undefined;
    if (known) return;
    let current = true;
    ensureSignedIn(config, address)
      .then(() => {
        if (current) void queryClient.invalidateQueries({ predicate: (query) => query.state.status === "error" });
      })
      .catch(() => {
        // A declined signature: the pages say "sign in first" where they need it.
      });
    return () => {
      current = false;
    };
  }, [address, status, config, queryClient]);
  return null;
}
