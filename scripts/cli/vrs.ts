/**
 * The VRS requester from the command line (docs/INTEROP.md, "The requester"):
 *
 *   npm run pedigree -- verify-return --shipment <id> <pack code>...      (a distributor)
 *   npm run pedigree -- vrs-credential store --url <responder> [--label <text>]   (token from $PEDIGREE_VRS_TOKEN)
 *   npm run pedigree -- vrs-directory set --prefix <prefix|GTIN> --url <responder>  (a manufacturer)
 *   npm run pedigree -- vrs-directory remove --prefix <prefix|GTIN>
 *   npm run pedigree -- vrs-directory list [--gtin <GTIN>]
 *
 * Each signs in to the Pedigree server as the party (Sign-In with Ethereum) and calls its API; the
 * server makes the verification requests and records the answers with the return.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { call, refusal } from "./api.ts";
import { CliError } from "./errors.ts";

/** Signs in to `api` as the party the options name (its key or --demo-account) and gives the session token. */
export type SignInFor = (api: string, options: { rpc?: string; demoAccount?: string }) => Promise<string>;

const COMMON = `  --api <url>            the Pedigree server (default $PEDIGREE_API_URL or http://127.0.0.1:3000)
  --rpc <url>            the chain's JSON-RPC URL, to sign in (default $PEDIGREE_RPC_URL or http://127.0.0.1:8545)
  --demo-account <n>     sign in with the local chain's test account n instead of $PEDIGREE_PRIVATE_KEY
  -h, --help             this help

Exit codes: 0 done, 1 bad input, a refusal or a pack that did not pass, 2 the server is unavailable.`;

export const VERIFY_RETURN_HELP = `Verifies each pack of a pharmacy's return with its manufacturer's VRS responder (the lookup
directory names it) and records the answers with the return; tells whether it may now be received.

Usage: npm run pedigree -- verify-return --shipment <id> <pack code>... [options]

  --shipment <id>        the incoming shipment (0x and 64 hex digits)
  <pack code>            each returned pack's code as scanned (GS1 element string, Digital Link, or (01)..(17)..(10)..(21)..)
${COMMON}`;

export const VRS_CREDENTIAL_HELP = `Stores, encrypted on the Pedigree server, the API credential a manufacturer issued you for its responder.

Usage: npm run pedigree -- vrs-credential store --url <responder base URL> [--label <text>] [options]
       npm run pedigree -- vrs-credential list [options]

The token is read from $PEDIGREE_VRS_TOKEN (never an argument, which other users of the machine can see).
${COMMON}`;

export const VRS_DIRECTORY_HELP = `The VRS lookup directory: which responder answers for your GS1 company prefix or GTIN.

Usage: npm run pedigree -- vrs-directory set --prefix <prefix|GTIN> --url <responder base URL> [options]
       npm run pedigree -- vrs-directory remove --prefix <prefix|GTIN> [options]
       npm run pedigree -- vrs-directory list [--gtin <GTIN>] [options]
${COMMON}`;

const DEFAULT_API = process.env.PEDIGREE_API_URL ?? "http://127.0.0.1:3000";

const CONNECTION = {
  api: { type: "string" },
  rpc: { type: "string" },
  "demo-account": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, help: string) {
  try {
    return parseArgs({ args, options: { ...CONNECTION, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(1, `${(error as Error).message}\n\n${help}`);
  }
}

interface ApiAnswer<T> {
  status: number;
  body: T;
}

async function apiCall<T>(
  api: string,
  token: string,
  method: string,
  route: string,
  what: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const response = await call(
    new URL(route, api).toString(),
    {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    what,
  );
  if (!response.ok) throw await refusal(response, what);
  return { status: response.status, body: (await response.json()) as T };
}

async function session(values: { api?: string; rpc?: string; "demo-account"?: string }, signInFor: SignInFor) {
  const api = values.api ?? DEFAULT_API;
  const token = await signInFor(api, {
    ...(values.rpc === undefined ? {} : { rpc: values.rpc }),
    ...(values["demo-account"] === undefined ? {} : { demoAccount: values["demo-account"] }),
  });
  return { api, token };
}

interface Verification {
  serial: string;
  gtin: string;
  lot: string;
  outcome: "PASSED" | "FAILED" | "ERROR";
  verificationFailureReason: string | null;
  additionalInfo: string | null;
  responderGLN: string | null;
  error: { code: string; message: string } | null;
}

interface ReturnAnswer {
  receivable: boolean;
  isReturn: boolean;
  blocking: string[];
}

export async function verifyReturnCommand(args: string[], signInFor: SignInFor): Promise<void> {
  const { values, positionals } = parse(args, { shipment: { type: "string" } }, VERIFY_RETURN_HELP);
  if (values.help) return void console.log(VERIFY_RETURN_HELP);
  const shipment = values.shipment;
  if (shipment === undefined || !/^0x[0-9a-fA-F]{64}$/.test(shipment)) {
    throw new CliError(1, `--shipment is the incoming shipment's id: 0x and 64 hex digits.\n\n${VERIFY_RETURN_HELP}`);
  }
  if (positionals.length === 0) throw new CliError(1, `Give the code of each returned pack.\n\n${VERIFY_RETURN_HELP}`);
  const { api, token } = await session(values, signInFor);
  const route = `/api/shipments/${shipment}/verifications`;
  let last: ReturnAnswer | undefined;
  let problems = 0;
  for (const code of positionals) {
    const answer = await apiCall<{ verification: Verification; return: ReturnAnswer }>(
      api,
      token,
      "POST",
      route,
      `verify pack ${code}`,
      { code },
    );
    const v = answer.body.verification;
    last = answer.body.return;
    const said =
      v.outcome === "ERROR"
        ? `no answer: ${v.error?.message ?? "?"} (${v.error?.code ?? "?"})`
        : [v.verificationFailureReason, v.additionalInfo].filter((part) => part !== null).join(", ") ||
          `verified by GLN ${v.responderGLN}`;
    if (v.outcome !== "PASSED") problems++;
    console.log(`${v.outcome.padEnd(7)} ${v.serial} (GTIN ${v.gtin}, lot ${v.lot}): ${said}`);
  }
  if (last === undefined) return;
  if (last.receivable) {
    console.log("Every returned pack passed: the return can be received as saleable.");
  } else {
    console.log(`Not receivable as saleable yet: ${last.blocking.join("; ")}.`);
  }
  if (problems > 0) throw new CliError(1, `${problems} of ${positionals.length} pack(s) did not pass verification.`);
}

export async function vrsCredentialCommand(args: string[], signInFor: SignInFor): Promise<void> {
  const { values, positionals } = parse(
    args,
    { url: { type: "string" }, label: { type: "string" } },
    VRS_CREDENTIAL_HELP,
  );
  if (values.help) return void console.log(VRS_CREDENTIAL_HELP);
  const [action] = positionals;
  if (action === "list") {
    const { api, token } = await session(values, signInFor);
    const answer = await apiCall<{
      credentials: { id: number; responderUrl: string; label: string; tokenHint: string }[];
    }>(api, token, "GET", "/api/vrs-requester-credentials", "list your responder credentials");
    for (const c of answer.body.credentials) console.log(`${c.id}\t${c.responderUrl}\t${c.label}\t${c.tokenHint}`);
    return;
  }
  if (action !== "store" || positionals.length !== 1) {
    throw new CliError(1, `Say 'store' or 'list'.\n\n${VRS_CREDENTIAL_HELP}`);
  }
  if (values.url === undefined) throw new CliError(1, `--url is the responder's base URL.\n\n${VRS_CREDENTIAL_HELP}`);
  const secret = process.env.PEDIGREE_VRS_TOKEN;
  if (secret === undefined || secret === "") {
    throw new CliError(1, "Set PEDIGREE_VRS_TOKEN to the API credential the manufacturer issued you.");
  }
  const { api, token } = await session(values, signInFor);
  const answer = await apiCall<{ id: number; responderUrl: string; tokenHint: string }>(
    api,
    token,
    "PUT",
    "/api/vrs-requester-credentials",
    "store the credential",
    { responderUrl: values.url, token: secret, ...(values.label === undefined ? {} : { label: values.label }) },
  );
  console.log(`Stored credential ${answer.body.id} (${answer.body.tokenHint}) for ${answer.body.responderUrl}.`);
}

export async function vrsDirectoryCommand(args: string[], signInFor: SignInFor): Promise<void> {
  const { values, positionals } = parse(
    args,
    { prefix: { type: "string" }, url: { type: "string" }, gtin: { type: "string" } },
    VRS_DIRECTORY_HELP,
  );
  if (values.help) return void console.log(VRS_DIRECTORY_HELP);
  const [action] = positionals;
  if (positionals.length !== 1 || !["set", "remove", "list"].includes(action ?? "")) {
    throw new CliError(1, `Say 'set', 'remove' or 'list'.\n\n${VRS_DIRECTORY_HELP}`);
  }
  if (action !== "list" && values.prefix === undefined) {
    throw new CliError(
      1,
      `--prefix is your GS1 company prefix (6 to 12 digits) or a GTIN (14).\n\n${VRS_DIRECTORY_HELP}`,
    );
  }
  if (action === "set" && values.url === undefined) {
    throw new CliError(1, `--url is your responder's base URL.\n\n${VRS_DIRECTORY_HELP}`);
  }
  const { api, token } = await session(values, signInFor);
  if (action === "set") {
    const answer = await apiCall<{ prefix: string; responderUrl: string }>(
      api,
      token,
      "PUT",
      "/api/vrs-directory",
      "register the responder",
      { prefix: values.prefix, responderUrl: values.url },
    );
    console.log(`${answer.body.prefix} -> ${answer.body.responderUrl}`);
  } else if (action === "remove") {
    await apiCall(api, token, "DELETE", `/api/vrs-directory/${encodeURIComponent(values.prefix!)}`, "remove the entry");
    console.log(`Removed the entry for ${values.prefix}.`);
  } else {
    const route =
      values.gtin === undefined ? "/api/vrs-directory" : `/api/vrs-directory?gtin=${encodeURIComponent(values.gtin)}`;
    const answer = await apiCall<{
      entries?: { prefix: string; responderUrl: string }[];
      prefix?: string;
      responderUrl?: string;
    }>(api, token, "GET", route, "read the directory");
    const entries = answer.body.entries ?? [{ prefix: answer.body.prefix!, responderUrl: answer.body.responderUrl! }];
    for (const entry of entries) console.log(`${entry.prefix}\t${entry.responderUrl}`);
  }
}
