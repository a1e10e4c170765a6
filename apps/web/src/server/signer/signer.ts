/**
 * The keys this server signs with, one per organisation it acts for: from keystore files
 * (./keystore.ts) or held by an external signer reached over JSON-RPC (`eth_signTransaction`, as
 * Web3Signer's Ethereum signing API and geth's `--signer` interface answer it). Either way the
 * queue (./worker.ts) sees one interface: an address, and "sign this transaction".
 *
 * Environment (read once at start, by `signersFromEnv`):
 * - PEDIGREE_KEYSTORE                    a keystore file, or a folder of them (one per organisation)
 * - PEDIGREE_KEYSTORE_PASSPHRASE_FILE    a file holding the passphrase (or PEDIGREE_KEYSTORE_PASSPHRASE)
 * - PEDIGREE_SIGNER_URL                  an external signer's JSON-RPC URL
 * - PEDIGREE_SIGNER_ADDRESS              the address(es) it signs for, comma-separated
 * - PEDIGREE_SIGNER_TIMEOUT_SECONDS      how long to wait for it to sign (default 30: Clef asks a person)
 */
import {
  formatTransactionRequest,
  getAddress,
  isAddress,
  isAddressEqual,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { SignerStartError } from "./errors.ts";
import { keystoreFiles, keystorePassphrase, unlockKeystoreFile } from "./keystore.ts";

/** What the queue asks a key to sign: an EIP-1559 call of a contract, with no value. */
export interface TransactionToSign {
  chainId: number;
  nonce: number;
  to: Address;
  data: Hex;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface OrgSigner {
  readonly address: Address;
  /** "keystore <file>" or "external signer <url>", for logs and the health of the queue. */
  readonly description: string;
  /** The signed transaction, ready for eth_sendRawTransaction. Throws SigningError. */
  signTransaction(transaction: TransactionToSign): Promise<Hex>;
}

/** A signature could not be had now (signer unreachable, refused, or answered something else). */
export class SigningError extends Error {
  override readonly name = "SigningError";
}

/** A key held in this process (unlocked from a keystore file). */
export function localSigner(privateKey: Hex, description = "a key in this process"): OrgSigner {
  const account = privateKeyToAccount(privateKey);
  return {
    address: account.address,
    description,
    signTransaction: (transaction) => account.signTransaction({ ...transaction, type: "eip1559", value: 0n }),
  };
}

interface JsonRpcAnswer {
  result?: unknown;
  error?: { code?: number; message?: string };
}

/**
 * A key held by an external signer. Its answer is checked before it is used: the transaction it
 * returns must be the one asked for (recipient, calldata, nonce, gas, fees, chain, no value) and
 * signed by the address, so a misconfigured or compromised signer cannot slip another
 * transaction onto the ledger under the organisation's name.
 */
export function externalSigner(options: { url: string; address: Address; timeoutMs?: number }): OrgSigner {
  const { url, address } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    address,
    description: `external signer ${redact(url)}`,
    async signTransaction(transaction) {
      const request = formatTransactionRequest({
        from: address,
        to: transaction.to,
        data: transaction.data,
        gas: transaction.gas,
        maxFeePerGas: transaction.maxFeePerGas,
        maxPriorityFeePerGas: transaction.maxPriorityFeePerGas,
        nonce: transaction.nonce,
        value: 0n,
        type: "eip1559",
      });
      let answer: JsonRpcAnswer;
      try {
        answer = await rpc(
          url,
          "eth_signTransaction",
          [{ ...request, chainId: `0x${transaction.chainId.toString(16)}` }],
          timeoutMs,
        );
      } catch (error) {
        throw new SigningError(
          `The external signer at ${redact(url)} did not answer (${(error as Error).message}); the write waits until it does.`,
          { cause: error },
        );
      }
      if (answer.error !== undefined) {
        throw new SigningError(
          `The external signer at ${redact(url)} refused to sign: ${answer.error.message ?? `error ${answer.error.code}`}.`,
        );
      }
      // Web3Signer answers the raw transaction; geth-style signers {raw, tx}.
      const raw = typeof answer.result === "string" ? answer.result : (answer.result as { raw?: unknown } | null)?.raw;
      if (typeof raw !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(raw)) {
        throw new SigningError(`The external signer at ${redact(url)} answered no signed transaction.`);
      }
      await checkSigned(raw as Hex, transaction, address, url);
      return raw as Hex;
    },
  };
}

async function checkSigned(raw: Hex, asked: TransactionToSign, address: Address, url: string): Promise<void> {
  let parsed;
  let from: Address;
  try {
    parsed = parseTransaction(raw);
    from = await recoverTransactionAddress({ serializedTransaction: raw as never });
  } catch (error) {
    throw new SigningError(
      `The external signer at ${redact(url)} answered a transaction that cannot be read (${(error as Error).message.split("\n")[0]}).`,
    );
  }
  const differences: string[] = [];
  if (parsed.type !== "eip1559") differences.push(`type ${parsed.type}`);
  if (parsed.chainId !== asked.chainId) differences.push(`chain ${parsed.chainId}`);
  if (parsed.nonce !== asked.nonce) differences.push(`nonce ${parsed.nonce}`);
  if (parsed.to === undefined || parsed.to === null || !isAddressEqual(parsed.to, asked.to))
    differences.push("recipient");
  if ((parsed.data ?? "0x").toLowerCase() !== asked.data.toLowerCase()) differences.push("calldata");
  if (parsed.gas !== asked.gas) differences.push("gas");
  if (parsed.maxFeePerGas !== asked.maxFeePerGas || parsed.maxPriorityFeePerGas !== asked.maxPriorityFeePerGas) {
    differences.push("fees");
  }
  if ((parsed.value ?? 0n) !== 0n) differences.push("value");
  if (!isAddressEqual(from, address)) differences.push(`signer ${from}`);
  if (differences.length > 0) {
    throw new SigningError(
      `The external signer at ${redact(url)} returned a transaction other than the one asked for (${differences.join(", ")} differ, hash ${keccak256(raw)}); ` +
        "it was not sent. Check the signer's configuration: it may be compromised.",
    );
  }
}

async function rpc(url: string, method: string, params: unknown[], timeoutMs: number): Promise<JsonRpcAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as JsonRpcAnswer;
}

/** The URL without user information, which may hold a password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.origin + parsed.pathname.replace(/\/$/, "");
  } catch {
    return "(an invalid URL)";
  }
}

/**
 * Checks at start that the external signer answers and holds the key: `eth_accounts` must list
 * the address (a signer that does not implement the method is taken at its word until it signs).
 */
export async function connectExternalSigner(options: {
  url: string;
  address: Address;
  timeoutMs?: number;
}): Promise<OrgSigner> {
  const { url, address } = options;
  let answer: JsonRpcAnswer;
  try {
    answer = await rpc(url, "eth_accounts", [], Math.min(options.timeoutMs ?? 30_000, 10_000));
  } catch (error) {
    throw new SignerStartError(
      "SIGNER_UNREACHABLE",
      `No external signer answers at ${redact(url)} (${(error as Error).message}). Start the signer (Web3Signer, Clef...) ` +
        "or correct PEDIGREE_SIGNER_URL; the server does not start without the key it was told to use.",
      { cause: error },
    );
  }
  if (answer.error !== undefined && answer.error.code !== -32601) {
    throw new SignerStartError(
      "SIGNER_REFUSED",
      `The external signer at ${redact(url)} refused to list its accounts: ${answer.error.message ?? `error ${answer.error.code}`}. Check its configuration.`,
    );
  }
  if (Array.isArray(answer.result)) {
    const held = answer.result.filter((item): item is string => typeof item === "string" && isAddress(item));
    if (!held.some((item) => isAddressEqual(item as Address, address))) {
      throw new SignerStartError(
        "SIGNER_WITHOUT_KEY",
        `The external signer at ${redact(url)} does not hold the key of ${address} (it lists ${held.length === 0 ? "no accounts" : held.join(", ")}). ` +
          "Load the organisation's key into it, or correct PEDIGREE_SIGNER_ADDRESS.",
      );
    }
  }
  return externalSigner(options);
}

/**
 * Every key the environment configures, unlocked or checked now: a wrong passphrase, a missing
 * file or an unreachable signer stops the start with a SignerStartError. None configured: [].
 */
export async function signersFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<OrgSigner[]> {
  const signers: OrgSigner[] = [];
  const keystore = env.PEDIGREE_KEYSTORE;
  if (keystore !== undefined && keystore !== "") {
    const passphrase = await keystorePassphrase(env);
    for (const file of await keystoreFiles(keystore)) {
      const unlocked = await unlockKeystoreFile(file, passphrase);
      signers.push(localSigner(unlocked.privateKey, `keystore ${file}`));
    }
  }
  const url = env.PEDIGREE_SIGNER_URL;
  const addresses = env.PEDIGREE_SIGNER_ADDRESS;
  if ((url ?? "") !== "" || (addresses ?? "") !== "") {
    if (url === undefined || url === "" || !URL.canParse(url)) {
      throw new SignerStartError(
        "SIGNER_CONFIG",
        "PEDIGREE_SIGNER_ADDRESS is set without a valid PEDIGREE_SIGNER_URL: give the external signer's JSON-RPC URL (e.g. http://127.0.0.1:9000).",
      );
    }
    const list = (addresses ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
    if (list.length === 0 || list.some((item) => !isAddress(item, { strict: false }))) {
      throw new SignerStartError(
        "SIGNER_CONFIG",
        `PEDIGREE_SIGNER_ADDRESS must be the address(es) the external signer signs for, comma-separated 0x-addresses (got '${addresses ?? ""}').`,
      );
    }
    const seconds = Number(env.PEDIGREE_SIGNER_TIMEOUT_SECONDS ?? 30);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new SignerStartError(
        "SIGNER_CONFIG",
        `PEDIGREE_SIGNER_TIMEOUT_SECONDS must be a positive number (got '${env.PEDIGREE_SIGNER_TIMEOUT_SECONDS}').`,
      );
    }
    for (const item of list) {
      signers.push(await connectExternalSigner({ url, address: getAddress(item), timeoutMs: seconds * 1000 }));
    }
  }
  const seen = new Map<string, OrgSigner>();
  for (const signer of signers) {
    const other = seen.get(signer.address.toLowerCase());
    if (other !== undefined) {
      throw new SignerStartError(
        "DUPLICATE_KEY",
        `The key of ${signer.address} is configured twice (${other.description} and ${signer.description}); configure each key once, so one queue signs for it.`,
      );
    }
    seen.set(signer.address.toLowerCase(), signer);
  }
  return signers;
}
