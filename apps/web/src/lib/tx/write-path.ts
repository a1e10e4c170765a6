/**
 * The dashboard's one write path: every form states its write once (writes.ts, the write API's
 * operation and plain arguments) and this decides who signs it.
 *
 * - When this server holds the key of the signed-in organisation (GET /api/signing says
 *   `signsHere`), the write goes to POST /api/writes and the server signs it (server-write.ts):
 *   no wallet is involved, and the write records the person who asked.
 * - Otherwise the browser wallet signs the ledger's call derived from the same description
 *   (writes.ts, run.ts).
 *
 * A connected wallet of another account than the session's organisation signs itself: the page
 * shows that account's stock and buttons, so the write must be its. Without a wallet (staff signed
 * in with a passkey), the server takes every write and explains a refusal (a role's missing
 * scope). Framework-free, for tests.
 */
import { isAddressEqual, type Address } from "viem";
import { runLedgerWrite, type LedgerWriteClients, type LedgerWriteResult, type TxPhase } from "./run.ts";
import { runServerWrite, type ServerWriteOptions } from "./server-write.ts";
import {
  countLedgerCall,
  packageLedgerCall,
  type CountWrite,
  type DashboardWrite,
  type PackageWrite,
  type PackLocator,
} from "./writes.ts";

/** GET /api/signing (server/signer/http.ts, SigningView). */
export interface SigningAnswer {
  organisation: Address;
  signsHere: boolean;
  ledger: "count" | "package";
  operations: string[];
}

export type WritePath = "server" | "wallet";

/** Who signs `write`: the organisation's server when it can and may, else the wallet. */
export function chooseWritePath(
  write: DashboardWrite,
  signing: SigningAnswer | null,
  walletAccount: Address | undefined,
): WritePath {
  if (write.operation === "wallet-only" || signing === null || !signing.signsHere) return "wallet";
  // A write stated for the other ledger than the server's (a page older than the deployment) goes
  // to the wallet, whose simulation refuses it with the ledger's words.
  if (signing.ledger !== ledgerOf(write)) return "wallet";
  if (walletAccount === undefined) {
    // Nothing else could sign: the server does, or says why not (a staff role's missing scope...).
    return "server";
  }
  if (!isAddressEqual(walletAccount, signing.organisation)) return "wallet";
  // The organisation's own account connected: it signs what the server may not ask for.
  return signing.operations.includes(write.operation) ? "server" : "wallet";
}

/** The ledger a write is stated for. */
export const ledgerOf = (write: CountWrite | PackageWrite): "count" | "package" =>
  "ledger" in write && write.ledger === "package" ? "package" : "count";

export interface DashboardWriteDeps {
  /** What GET /api/signing answers for this page's session; null when there is none (anonymous, or it failed). */
  signing(): Promise<SigningAnswer | null>;
  /** The account the browser wallet is connected with, if any. */
  walletAccount: Address | undefined;
  /** The wallet and chain clients; a failure's message is shown as it is ("Sign in first..."). */
  wallet(): Promise<LedgerWriteClients>;
  /** Finds a pack in its batch's serial list, for the wallet's call of a write naming a pack. */
  locate: PackLocator;
  server?: ServerWriteOptions;
}

export async function runDashboardWrite(
  deps: DashboardWriteDeps,
  write: DashboardWrite,
  onPhase: (phase: TxPhase) => void = () => {},
): Promise<LedgerWriteResult & { path: WritePath }> {
  const signing = write.operation === "wallet-only" ? null : await deps.signing().catch(() => null);
  const path = chooseWritePath(write, signing, deps.walletAccount);
  if (path === "server" && write.operation !== "wallet-only") {
    return { ...(await runServerWrite(write, onPhase, deps.server)), path };
  }
  const failed = (message: string) => {
    onPhase({ phase: "failed", message });
    return { ok: false as const, message, path };
  };
  let clients: LedgerWriteClients;
  try {
    clients = await deps.wallet();
  } catch (error) {
    return failed((error as Error).message);
  }
  let call;
  try {
    call =
      write.operation === "wallet-only"
        ? write.call
        : "ledger" in write
          ? await packageLedgerCall(write, deps.locate)
          : await countLedgerCall(write, deps.locate);
  } catch (error) {
    // The pack's place in its serial list could not be found: the server's words say why.
    return failed((error as Error).message);
  }
  return { ...(await runLedgerWrite(clients, call, onPhase)), path };
}
