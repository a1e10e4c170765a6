/**
 * Signed-in callers for tests that call the read API's functions directly (readApi.*) instead of
 * over HTTP. The read API answers signed-in participants only (src/server/read/access.ts), so a
 * request needs a session the database knows and a participant record the ledger gives:
 *
 * - `openSession` writes a session row as sign-in does and returns its bearer token;
 * - `participantLedger` stands in for the chain in tests that have none (read model only): it
 *   answers the one ledger read access depends on, `participant(address)`, from a fixed list;
 * - `requestAs(token)` builds GET requests (or others, with `init`) carrying the token;
 * - `viewerOf(participant)` is the viewer the read API makes of such a request, for the read
 *   functions that take one (partyActivity, getTransaction).
 *
 * ```ts
 * ctx = { ...ctx, chain: participantLedger(Object.values(PARTIES)) };
 * const asRegulator = requestAs(await openSession(ctx, PARTIES.agency.address));
 * await readApi.shipments(ctx, asRegulator("/api/shipments"));
 * ```
 */
import { randomBytes } from "node:crypto";
import type { Address, PublicClient } from "viem";
import { roleNumber, type RoleName } from "@pedigree/ledger";
import type { AppContext } from "../../src/server/context.ts";
import { hashToken } from "../../src/server/auth/siwe.ts";
import type { Viewer } from "../../src/server/read/access.ts";
import { sessions } from "../../src/server/db/schema.ts";

export interface LedgerParticipant {
  address: string;
  role: RoleName;
  legalName: string;
  /** 13 digits. */
  gln: string;
  suspended?: boolean;
}

/** A session for `address` on the context's chain, valid for an hour of the context's clock; its bearer token. */
export async function openSession(ctx: Pick<AppContext, "db" | "ledger" | "now">, address: string): Promise<string> {
  const token = randomBytes(24).toString("base64url");
  await ctx.db.insert(sessions).values({
    id: hashToken(token),
    address: address.toLowerCase(),
    chainId: ctx.ledger.chainId,
    expiresAt: new Date(ctx.now().getTime() + 3_600_000),
  });
  return token;
}

/**
 * A chain client that knows only `participant(address)`: the records given (the list may be
 * changed later, e.g. to suspend one), and an empty record (role NONE) for any other address.
 * Every other call fails as an unreachable node would.
 */
export function participantLedger(records: readonly LedgerParticipant[]): PublicClient {
  const find = (address: string) => records.find((r) => r.address.toLowerCase() === address.toLowerCase());
  const client = {
    async readContract(call: { functionName: string; args?: readonly unknown[] }) {
      if (call.functionName !== "participant") {
        throw new Error(`This test has no chain: ${call.functionName} cannot be read`);
      }
      const record = find(String(call.args?.[0] ?? ""));
      return {
        role: record === undefined ? 0 : roleNumber(record.role),
        suspended: record?.suspended ?? false,
        legalName: record?.legalName ?? "",
        gln: record === undefined ? 0n : BigInt(record.gln),
        number: 0n,
      };
    },
  };
  return client as unknown as PublicClient;
}

/** Requests to `http://localhost<path>` with `Authorization: Bearer <token>`. */
export function requestAs(token: string): (path: string, init?: RequestInit) => Request {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    return new Request(`http://localhost${path}`, { ...init, headers });
  };
}

/** The signed-in participant the read API sees for `participant`'s session. */
export function viewerOf(participant: LedgerParticipant): Viewer {
  const address = participant.address.toLowerCase() as Address;
  return {
    address,
    role: participant.role,
    suspended: participant.suspended ?? false,
    legalName: participant.legalName,
    gln: participant.gln,
    session: { address, chainId: 31337, expiresAt: new Date("2100-01-01T00:00:00Z") },
  };
}
