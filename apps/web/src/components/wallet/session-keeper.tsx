"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useAccount, useConfig } from "wagmi";
import { ensureSignedIn } from "@/lib/wallet/sign-in.ts";

/**
 * Signs the connected account in to this server as soon as it connects (one signature), since the
 * dashboard's reads answer signed-in parties only; then the reads that were refused for want of a
 * session run again. Only failed queries are refetched: a counter check that already answered is
 * not checked (and recorded) twice.
 */
export function SessionKeeper() {
  const { address, status } = useAccount();
  const config = useConfig();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (status !== "connected" || address === undefined) return;
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
