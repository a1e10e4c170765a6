/**
 * Pedigree's command line for bulk work: manufacturers' batches, distributors' saleable returns.
 *
 *   npm run pedigree -- register-batch --gtin <gtin> --lot <lot> --expiry <YYYY-MM-DD|YYMMDD>
 *                       (--serials <file> | --generate <N> [--seed <hex>] [--out <file>]) ...
 *   npm run pedigree -- generate-serials <N> [--seed <hex>] [--out <file>]
 *   npm run pedigree -- keystore create --out <file> [--import | --demo-account <n>]
 *   npm run pedigree -- verify-return --shipment <id> <pack code>...   (a distributor's saleable returns)
 *   npm run pedigree -- vrs-directory | vrs-credential ...             (the VRS requester's set-up)
 *   npm run pedigree -- <command> --help
 *
 * Exit codes: 0 done, 1 the user must change something, 2 the chain or the API is unavailable.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  isAddressEqual,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount, type HDAccount, type PrivateKeyAccount } from "viem/accounts";
import { isCset82, isValidGtin, toDigitalLink } from "@pedigree/gs1";
import {
  batchIdOf,
  buildManifest,
  decodeLedgerError,
  explainLedgerError,
  generateSerials,
  gtinToUint64,
  isoDateFromYyyymmdd,
  ledgerDeployment,
  parseSerialList,
  pedigreeLedgerAbi,
  SerialGenerationError,
  yyyymmddFromGs1Expiry,
  yyyymmddFromIsoDate,
  type SerialManifest,
} from "@pedigree/ledger";
import { signIn, uploadSerials } from "./cli/api.ts";
import { CliError } from "./cli/errors.ts";

/** Hardhat's well-known test mnemonic: its accounts hold value on the local chain only. */
const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";
const LOCAL_CHAIN_ID = 31337;
const DEFAULT_RPC = process.env.PEDIGREE_RPC_URL ?? "http://127.0.0.1:8545";
const DEFAULT_API = process.env.PEDIGREE_API_URL ?? "http://127.0.0.1:3000";

const REGISTER_BATCH_HELP = `Registers a batch on the ledger and uploads its serial list to the Pedigree server.

Usage: npm run pedigree -- register-batch --gtin <GTIN> --lot <lot> --expiry <date>
         (--serials <file> | --generate <N> [--seed <hex>] [--out <file>]) [options]

  --gtin <GTIN>          the product's GTIN (14 digits, or 8/12/13 padded); the product must be registered
  --lot <lot>            the batch/lot number: 1 to 20 GS1 characters (A-Z a-z 0-9 and GS1 punctuation)
  --expiry <date>        YYYY-MM-DD, or GS1's YYMMDD (DD = 00: last day of the month)
  --serials <file>       the serial list: one serial per line, or CSV with the serial first; header 'serial' allowed
  --generate <N>         generate N unguessable serials instead (EU FMD: guess probability below 1 in 10,000)
  --seed <hex>           the secret seed for --generate (at least 16 bytes); random when left out
  --out <file>           where to write generated serials (default <gtin>-<lot>-serials.csv)
  --document-hash <0x..> hash of a document such as the certificate of analysis (32 bytes)
  --rpc <url>            the chain's JSON-RPC URL (default $PEDIGREE_RPC_URL or http://127.0.0.1:8545)
  --api <url>            the Pedigree server (default $PEDIGREE_API_URL or http://127.0.0.1:3000)
  --ledger <address>     the ledger's address (default $PEDIGREE_LEDGER_ADDRESS, else the recorded deployment)
  --demo-account <n>     sign with the local chain's test account n instead of $PEDIGREE_PRIVATE_KEY
  -h, --help             this help

The key comes from the environment variable PEDIGREE_PRIVATE_KEY (0x + 64 hex digits).
If the batch is already registered with the same serial list, registration is skipped and the
list is uploaded, so a run interrupted after registration can simply be repeated.

Exit codes: 0 done, 1 bad input or a refusal, 2 the chain or the server is unavailable.`;

const GENERATE_HELP = `Generates unguessable, reproducible serial numbers (one per line, header 'serial').

Usage: npm run pedigree -- generate-serials <N> [--seed <hex>] [--length <L>] [--out <file>]

  <N>             how many serials
  --seed <hex>    the secret seed (at least 16 bytes); the same seed gives the same list. Random when left out
  --length <L>    characters per serial (default 12)
  --out <file>    write to a file instead of standard output
  -h, --help      this help`;

const MAIN_HELP = `Pedigree, the command line for bulk work.

Usage: npm run pedigree -- <command> [options]

Commands:
  register-batch     register a batch on chain and upload its serial list
  generate-serials   generate unguessable serial numbers from a secret seed
  keystore           create the organisation's encrypted keystore for the Pedigree server to sign with
  verify-return      verify each pack of a pharmacy's return with its manufacturer (VRS) and record the answers
  vrs-credential     store the credential a manufacturer issued you for its VRS responder
  vrs-directory      register which VRS responder answers for your company prefix or GTINs

Run a command with --help for its options.`;

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, help: string) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliError(1, `${(error as Error).message}\n\n${help}`);
  }
}

// ---------------------------------------------------------------- input

function gtinOption(value: string | undefined): string {
  if (value === undefined) throw new CliError(1, "--gtin is required (the product's GTIN).");
  const gtin = /^\d{8}$|^\d{12,13}$/.test(value) ? value.padStart(14, "0") : value;
  if (!/^\d{14}$/.test(gtin) || !isValidGtin(gtin)) {
    throw new CliError(1, `--gtin ${value} is not a GTIN: give 14 digits (or 8, 12, 13) with a valid check digit.`);
  }
  return gtin;
}

function lotOption(value: string | undefined): string {
  if (value === undefined) throw new CliError(1, "--lot is required (the batch/lot number).");
  if (value.length < 1 || value.length > 20 || !isCset82(value)) {
    throw new CliError(1, `--lot '${value}' is not a GS1 lot: 1 to 20 characters of A-Z a-z 0-9 and GS1 punctuation.`);
  }
  return value;
}

/** YYYY-MM-DD or YYMMDD → YYYYMMDD as the contract takes it. */
function expiryOption(value: string | undefined): number {
  if (value === undefined) throw new CliError(1, "--expiry is required (YYYY-MM-DD or YYMMDD).");
  try {
    if (/^\d{6}$/.test(value)) return yyyymmddFromGs1Expiry(value);
    const yyyymmdd = yyyymmddFromIsoDate(value);
    isoDateFromYyyymmdd(yyyymmdd);
    return yyyymmdd;
  } catch (error) {
    throw new CliError(1, `--expiry ${value} is not a date: write YYYY-MM-DD or YYMMDD (${(error as Error).message}).`);
  }
}

function countOption(value: string | undefined, what: string): number {
  const count = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(count) || count < 1) {
    throw new CliError(1, `${what} must be a whole number of serials, at least 1 (got '${value ?? ""}').`);
  }
  return count;
}

function seedOption(value: string | undefined): { seed: Uint8Array; generated: boolean } {
  if (value === undefined) return { seed: randomBytes(32), generated: true };
  const hex = value.startsWith("0x") ? value.slice(2) : value;
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new CliError(1, "--seed must be hex digits (an even number of them).");
  return { seed: Buffer.from(hex, "hex"), generated: false };
}

function generate(
  count: number,
  seedValue: string | undefined,
  length?: number,
): { serials: string[]; seedHex?: string } {
  const { seed, generated } = seedOption(seedValue);
  process.stderr.write(`Generating ${count.toLocaleString("en-US")} serials...\n`);
  try {
    const serials = generateSerials({ count, seed, ...(length === undefined ? {} : { length }) });
    return generated ? { serials, seedHex: `0x${Buffer.from(seed).toString("hex")}` } : { serials };
  } catch (error) {
    if (error instanceof SerialGenerationError) throw new CliError(1, error.message);
    throw error;
  }
}

async function writeSerials(file: string, serials: readonly string[]): Promise<void> {
  try {
    await writeFile(file, `serial\n${serials.join("\n")}\n`);
  } catch (error) {
    throw new CliError(1, `Could not write ${file}: ${(error as Error).message}`);
  }
}

async function readSerials(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(1, `Could not read the serial list ${file}: ${(error as Error).message}`);
  }
  const parsed = parseSerialList(text);
  if (parsed.ok) return parsed.serials;
  const shown = parsed.errors.slice(0, 50).map((error) => `  ${error.message}`);
  const more = parsed.errorCount - shown.length;
  throw new CliError(
    1,
    [`${file}: ${parsed.message} Nothing was sent.`, ...shown, ...(more > 0 ? [`  ... and ${more} more`] : [])].join(
      "\n",
    ),
  );
}

function signer(demoAccount: string | undefined): PrivateKeyAccount | HDAccount {
  if (demoAccount !== undefined) {
    const index = Number(demoAccount);
    if (!/^\d+$/.test(demoAccount) || index > 19) throw new CliError(1, "--demo-account must be 0 to 19.");
    return mnemonicToAccount(HARDHAT_TEST_MNEMONIC, { addressIndex: index });
  }
  const key = process.env.PEDIGREE_PRIVATE_KEY;
  if (key === undefined || key === "") {
    throw new CliError(
      1,
      "Set PEDIGREE_PRIVATE_KEY to the party's key (0x + 64 hex digits), or use --demo-account <n> on the local chain.",
    );
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new CliError(1, "PEDIGREE_PRIVATE_KEY must be 0x followed by 64 hex digits.");
  return privateKeyToAccount(key as Hex);
}

// ---------------------------------------------------------------- chain

async function connect(rpc: string): Promise<{ chain: Chain; publicClient: PublicClient }> {
  const transport = http(rpc, { retryCount: 1, timeout: 10_000 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch {
    throw new CliError(2, `No chain answers at ${rpc}. Is the node running? Use --rpc to point at it.`);
  }
  const chain = defineChain({
    id: chainId,
    name: chainId === LOCAL_CHAIN_ID ? "Local chain" : `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });
  const pollingInterval = chainId === LOCAL_CHAIN_ID ? 100 : 2_000;
  return { chain, publicClient: createPublicClient({ chain, transport, pollingInterval }) as PublicClient };
}

function ledgerAddressFor(chainId: number, option: string | undefined): Address {
  const given = option ?? process.env.PEDIGREE_LEDGER_ADDRESS;
  if (given !== undefined && given !== "") {
    if (!/^0x[0-9a-fA-F]{40}$/.test(given))
      throw new CliError(1, `The ledger address '${given}' is not 0x + 40 hex digits.`);
    return given as Address;
  }
  try {
    return ledgerDeployment(chainId).address;
  } catch (error) {
    throw new CliError(1, `${(error as Error).message} Or pass --ledger <address>.`);
  }
}

function failure(error: unknown, account: Address, batch: { batchId: Hex; gtin: string; lot: string }): CliError {
  const explained = explainLedgerError(error, {
    party: (address) => (isAddressEqual(address, account) ? { name: `your account ${account}` } : undefined),
    batch: (batchId) => (batchId === batch.batchId ? { gtin: batch.gtin, lot: batch.lot } : undefined),
  });
  return new CliError(explained.code === "CHAIN_UNREACHABLE" ? 2 : 1, explained.message);
}

interface Registration {
  transactionHash?: Hex;
  blockNumber?: number;
}

async function registerOnChain(
  publicClient: PublicClient,
  chain: Chain,
  rpc: string,
  ledger: Address,
  account: PrivateKeyAccount | HDAccount,
  input: { batchId: Hex; gtin: string; lot: string; expiry: number; manifest: SerialManifest; documentHash: Hex },
): Promise<Registration> {
  const { batchId, gtin, lot, expiry, manifest, documentHash } = input;
  let request;
  try {
    ({ request } = await publicClient.simulateContract({
      address: ledger,
      abi: pedigreeLedgerAbi,
      functionName: "registerBatch",
      args: [gtinToUint64(gtin), lot, expiry, manifest.count, manifest.root, documentHash],
      account,
    }));
  } catch (error) {
    if (decodeLedgerError(error)?.errorName === "PedigreeBatchExists") {
      const existing = await publicClient.readContract({
        address: ledger,
        abi: pedigreeLedgerAbi,
        functionName: "batch",
        args: [batchId],
      });
      if (isAddressEqual(existing.manufacturer, account.address) && existing.serialsRoot === manifest.root) {
        process.stderr.write("The batch is already registered with this serial list; uploading the list only.\n");
        return {};
      }
    }
    throw failure(error, account.address, input);
  }
  const wallet = createWalletClient({ account, chain, transport: http(rpc, { retryCount: 1 }) });
  try {
    process.stderr.write("Registering the batch on chain...\n");
    const transactionHash = await wallet.writeContract(request);
    process.stderr.write(`Sent ${transactionHash}; waiting for it to be mined...\n`);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash });
    if (receipt.status !== "success")
      throw new CliError(1, `The registration ${transactionHash} was reverted on chain; nothing was recorded.`);
    return { transactionHash, blockNumber: Number(receipt.blockNumber) };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw failure(error, account.address, input);
  }
}

// ---------------------------------------------------------------- commands

async function registerBatch(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    {
      gtin: { type: "string" },
      lot: { type: "string" },
      expiry: { type: "string" },
      serials: { type: "string" },
      generate: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      "document-hash": { type: "string" },
      rpc: { type: "string", default: DEFAULT_RPC },
      api: { type: "string", default: DEFAULT_API },
      ledger: { type: "string" },
      "demo-account": { type: "string" },
    },
    REGISTER_BATCH_HELP,
  );
  if (values.help) {
    console.log(REGISTER_BATCH_HELP);
    return;
  }
  const gtin = gtinOption(values.gtin);
  const lot = lotOption(values.lot);
  const expiry = expiryOption(values.expiry);
  const documentHash = (values["document-hash"] ?? `0x${"00".repeat(32)}`) as Hex;
  if (!/^0x[0-9a-fA-F]{64}$/.test(documentHash)) throw new CliError(1, "--document-hash must be 0x + 64 hex digits.");
  for (const [name, value] of [
    ["--rpc", values.rpc],
    ["--api", values.api],
  ] as const) {
    if (!URL.canParse(value ?? "")) throw new CliError(1, `${name} '${value}' is not a URL.`);
  }
  const rpc = values.rpc as string;
  const api = values.api as string;
  if ((values.serials === undefined) === (values.generate === undefined)) {
    throw new CliError(1, "Give exactly one of --serials <file> or --generate <N>.");
  }
  if (values.generate === undefined && (values.seed !== undefined || values.out !== undefined)) {
    throw new CliError(1, "--seed and --out go with --generate.");
  }
  const account = signer(values["demo-account"]);

  // Everything that can be checked locally is checked before anything is sent.
  let serials: string[];
  let serialsFile: string | undefined;
  let seedHex: string | undefined;
  if (values.generate !== undefined) {
    ({ serials, seedHex } = generate(countOption(values.generate, "--generate"), values.seed));
    serialsFile = values.out ?? `${gtin}-${lot.replace(/[^A-Za-z0-9._-]/g, "_")}-serials.csv`;
    await writeSerials(serialsFile, serials);
  } else {
    serials = await readSerials(values.serials as string);
  }
  process.stderr.write(`Building the Merkle tree of ${serials.length.toLocaleString("en-US")} serials...\n`);
  const manifest = buildManifest(serials);

  const { chain, publicClient } = await connect(rpc);
  if (values["demo-account"] !== undefined && chain.id !== LOCAL_CHAIN_ID) {
    throw new CliError(
      1,
      `--demo-account is for the local chain (${LOCAL_CHAIN_ID}) only; this is chain ${chain.id}. Use PEDIGREE_PRIVATE_KEY.`,
    );
  }
  const ledger = ledgerAddressFor(chain.id, values.ledger);
  const batchId = batchIdOf(gtin, lot);
  const registration = await registerOnChain(publicClient, chain, rpc, ledger, account, {
    batchId,
    gtin,
    lot,
    expiry,
    manifest,
    documentHash,
  });

  process.stderr.write(`Signing in to ${new URL(api).origin} as ${account.address}...\n`);
  const token = await signIn(api, account, chain.id);
  const uploaded = await uploadSerials(api, token, { gtin, lot }, serials);

  const isoExpiry = isoDateFromYyyymmdd(expiry);
  const example = toDigitalLink(
    {
      gtin,
      lot,
      serial: serials[0] as string,
      expiry: { raw: isoExpiry.slice(2).replaceAll("-", ""), date: isoExpiry },
    },
    new URL(api).origin,
  );
  const rows: [string, string][] = [
    ["batch id", batchId],
    ["product / lot", `GTIN ${gtin}, lot ${lot}, expires ${isoExpiry}`],
    ["packs", manifest.count.toLocaleString("en-US")],
    ["serials root", manifest.root],
    [
      "transaction",
      registration.transactionHash === undefined
        ? "none (already registered)"
        : `${registration.transactionHash} (block ${registration.blockNumber})`,
    ],
    ["serial list", uploaded.stored ? "stored on the server" : "already stored on the server"],
    ["example pack", example],
  ];
  if (serialsFile !== undefined) rows.push(["serials file", serialsFile]);
  if (seedHex !== undefined) rows.push(["seed", `${seedHex} (secret: it regenerates the list; keep it safe)`]);
  console.log(`Batch ${lot} of GTIN ${gtin} is registered and its serial list is on the server.`);
  for (const [name, value] of rows) console.log(`  ${name.padEnd(14)}${value}`);
}

async function generateSerialsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { seed: { type: "string" }, length: { type: "string" }, out: { type: "string" } },
    GENERATE_HELP,
  );
  if (values.help) {
    console.log(GENERATE_HELP);
    return;
  }
  if (positionals.length !== 1) throw new CliError(1, `Give the number of serials, once.\n\n${GENERATE_HELP}`);
  const count = countOption(positionals[0], "The count");
  const length = values.length === undefined ? undefined : countOption(values.length, "--length");
  const { serials, seedHex } = generate(count, values.seed, length);
  if (seedHex !== undefined) process.stderr.write(`Seed (secret; it regenerates this list): ${seedHex}\n`);
  if (values.out !== undefined) {
    await writeSerials(values.out, serials);
    process.stderr.write(`Wrote ${serials.length.toLocaleString("en-US")} serials to ${values.out}.\n`);
  } else {
    process.stdout.write(`serial\n${serials.join("\n")}\n`);
  }
}

/** Signs in to the Pedigree server as the CLI's party, on the chain --rpc names (its id is in the sign-in message). */
async function signInFor(api: string, options: { rpc?: string; demoAccount?: string }): Promise<string> {
  const account = signer(options.demoAccount);
  const { chain } = await connect(options.rpc ?? DEFAULT_RPC);
  if (options.demoAccount !== undefined && chain.id !== LOCAL_CHAIN_ID) {
    throw new CliError(1, `--demo-account is for the local chain (${LOCAL_CHAIN_ID}) only; this is chain ${chain.id}.`);
  }
  process.stderr.write(`Signing in to ${new URL(api).origin} as ${account.address}...\n`);
  return signIn(api, account, chain.id);
}

const vrsCommands = () => import("./cli/vrs.ts");

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  "verify-return": async (args) => (await vrsCommands()).verifyReturnCommand(args, signInFor),
  "vrs-credential": async (args) => (await vrsCommands()).vrsCredentialCommand(args, signInFor),
  "vrs-directory": async (args) => (await vrsCommands()).vrsDirectoryCommand(args, signInFor),
  "register-batch": registerBatch,
  "generate-serials": generateSerialsCommand,
  // Loaded when asked for: it brings ethers' keystore code, which no other command needs.
  keystore: async (args) => (await import("./cli/keystore.ts")).keystoreCommand(args),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    console.log(MAIN_HELP);
    return command === undefined ? 1 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    console.error(`Unknown command '${command}'.\n\n${MAIN_HELP}`);
    return 1;
  }
  try {
    await run(rest);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      console.error(error.message);
      return error.exitCode;
    }
    console.error(`Unexpected failure: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
