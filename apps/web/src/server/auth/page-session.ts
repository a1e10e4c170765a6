/**
 * The signed-in session of the page being rendered, and its party read on chain now: what lets
 * the dashboard render the signed-in party's page on the server, instead of a page that waits for
 * the wallet to reconnect and for the browser's own chain reads before it knows who is there.
 *
 * Read once per request (React's `cache`: the layout and the page share it). It decides nothing:
 * every read the page makes (server/page-data.ts, or the browser's) goes through the API's own
 * checks of the session and the role.
 */
import { headers } from "next/headers";
import { cache } from "react";
import { pedigreeLedgerAbi } from "@pedigree/ledger";
import type { PageSession } from "../../lib/wallet/page-session.tsx";
import { partyRecord } from "../../lib/wallet/party.ts";
import { appContext } from "../context.ts";
import { readParticipant } from "./ledgerReads.ts";
import { publicOrigin } from "./origin.ts";
import { findSession } from "./session.ts";

/** The request's session and party; null when it carries no current session (or the database is down). */
export const pageSession = cache(async (): Promise<PageSession | null> => {
  const ctx = await appContext();
  const request = new Request(publicOrigin(), { headers: await headers() });
  const found = await findSession(ctx, request).catch(() => undefined);
  const session = found?.session;
  if (session === undefined) return null;
  const { address } = session;
  const staff = session.staff === undefined ? {} : { staff: session.staff };
  try {
    // Made together, the three reads go to the node as one JSON-RPC batch (context.ts).
    const [participant, admin, paused] = await Promise.all([
      readParticipant(ctx, address),
      ctx.chain.readContract({ address: ctx.ledger.address, abi: pedigreeLedgerAbi, functionName: "defaultAdmin" }),
      ctx.chain.readContract({ address: ctx.ledger.address, abi: pedigreeLedgerAbi, functionName: "paused" }),
    ]);
    return {
      address,
      party: partyRecord(address, { ...participant, gln: participant.gln ?? null }, admin, paused),
      ...staff,
    };
  } catch {
    // The browser reads the chain itself and says what is wrong.
    return { address, party: null, ...staff };
  }
});
