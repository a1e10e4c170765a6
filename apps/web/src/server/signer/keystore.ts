/**
 * The organisation's key in an encrypted keystore file: the Web3 Secret Storage format (version 3)
 * that Ethereum clients write (geth's `keystore/`, Clef, Hardhat's keystore, MetaMask exports),
 * read and written by ethers (scrypt and AES-128-CTR, checked by its MAC). Nothing here does
 * cryptography by hand.
 *
 * The key leaves the file only as a viem account inside this process; the passphrase comes from
 * the environment (`PEDIGREE_KEYSTORE_PASSPHRASE`) or, better, a file only the server may read
 * (`PEDIGREE_KEYSTORE_PASSPHRASE_FILE`, as container secrets are mounted).
 */
import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { decryptKeystoreJson, encryptKeystoreJson, isKeystoreJson } from "ethers";
import { getAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { SignerStartError } from "./errors.ts";

/** A new keystore's passphrase must be at least this long: scrypt slows guessing, it does not stop it. */
export const MIN_PASSPHRASE_LENGTH = 12;

export interface UnlockedKey {
  address: Address;
  privateKey: Hex;
  /** The file it came from, for messages. */
  file: string;
}

/**
 * A new keystore (JSON text) for `privateKey`, or for a fresh random key. `scryptN` is for tests
 * only (a lower cost); the default is ethers' (2^17, about a second to unlock).
 */
export async function createKeystore(
  passphrase: string,
  options: { privateKey?: Hex; scryptN?: number } = {},
): Promise<{ json: string; address: Address }> {
  checkNewPassphrase(passphrase);
  const privateKey = options.privateKey ?? generatePrivateKey();
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new SignerStartError("INVALID_PRIVATE_KEY", "The private key must be 0x followed by 64 hex digits.");
  }
  const address = privateKeyToAccount(privateKey).address;
  const json = await encryptKeystoreJson(
    { address, privateKey },
    passphrase,
    options.scryptN === undefined ? {} : { scrypt: { N: options.scryptN } },
  );
  return { json, address };
}

/** Refuses a passphrase too short for a new keystore. */
export function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new SignerStartError(
      "WEAK_PASSPHRASE",
      `The passphrase has ${passphrase.length} characters; use at least ${MIN_PASSPHRASE_LENGTH} (a few random words).`,
    );
  }
}

/** Writes a new keystore file, readable by its owner only; never over an existing file. */
export async function writeKeystoreFile(file: string, json: string): Promise<void> {
  try {
    await writeFile(file, `${json}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      throw new SignerStartError(
        "KEYSTORE_EXISTS",
        `${file} already exists; a keystore is never overwritten (the key in it would be lost). Choose another file.`,
      );
    }
    throw new SignerStartError("KEYSTORE_UNWRITABLE", `Could not write ${file}: ${(error as Error).message}`);
  }
}

/** The address a keystore file names, read without the passphrase (version 3 files carry it). */
export function keystoreAddress(json: string, file: string): Address {
  if (!isKeystoreJson(json)) throw notAKeystore(file);
  try {
    const address = (JSON.parse(json) as { address?: unknown }).address;
    if (typeof address !== "string") throw new Error("no address");
    return getAddress(address.startsWith("0x") ? address : `0x${address}`);
  } catch {
    throw new SignerStartError(
      "KEYSTORE_INVALID",
      `${file} is a keystore without a readable address field; it cannot be told apart from others. Export it again.`,
    );
  }
}

/**
 * Unlocks one keystore file. Each failure says what is wrong and what to do: the file missing or
 * unreadable, not a keystore, or the passphrase wrong.
 */
export async function unlockKeystoreFile(file: string, passphrase: string): Promise<UnlockedKey> {
  let json: string;
  try {
    json = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new SignerStartError(
        "KEYSTORE_MISSING",
        `PEDIGREE_KEYSTORE names ${file}, which does not exist. Create one with ` +
          "`npm run pedigree -- keystore create --out <file>`, or point PEDIGREE_KEYSTORE at the organisation's keystore.",
      );
    }
    throw new SignerStartError(
      "KEYSTORE_UNREADABLE",
      `The keystore ${file} cannot be read (${(error as Error).message}). Give this server's user read access to it.`,
    );
  }
  if (!isKeystoreJson(json)) throw notAKeystore(file);
  let account: { address: string; privateKey: string };
  try {
    account = await decryptKeystoreJson(json, passphrase);
  } catch (error) {
    const e = error as { code?: string; argument?: string; message?: string };
    if (e.code === "INVALID_ARGUMENT" && e.argument === "password") {
      throw new SignerStartError(
        "WRONG_PASSPHRASE",
        `The passphrase does not unlock the keystore ${file}. Check PEDIGREE_KEYSTORE_PASSPHRASE ` +
          "(or the file PEDIGREE_KEYSTORE_PASSPHRASE_FILE names: one line, the passphrase as typed when the keystore was created).",
      );
    }
    throw new SignerStartError(
      "KEYSTORE_INVALID",
      `The keystore ${file} could not be decrypted: ${e.message ?? String(error)}. Check that it is a Web3 Secret Storage (version 3) file.`,
    );
  }
  return { address: getAddress(account.address), privateKey: account.privateKey as Hex, file };
}

/**
 * The keystore files PEDIGREE_KEYSTORE names: one file, or a folder of them (every `*.json` and
 * every geth-style `UTC--...` file in it), one key per organisation this server signs for.
 */
export async function keystoreFiles(location: string): Promise<string[]> {
  let info;
  try {
    info = await stat(location);
  } catch {
    // The single-file message says what to do about a missing keystore.
    return [location];
  }
  if (!info.isDirectory()) return [location];
  const names = (await readdir(location)).filter((name) => name.endsWith(".json") || name.startsWith("UTC--")).sort();
  if (names.length === 0) {
    throw new SignerStartError(
      "KEYSTORE_MISSING",
      `PEDIGREE_KEYSTORE names the folder ${location}, which holds no keystore (*.json or UTC--* files). ` +
        "Create one with `npm run pedigree -- keystore create --out <file>`.",
    );
  }
  return names.map((name) => path.join(location, name));
}

/**
 * The passphrase from PEDIGREE_KEYSTORE_PASSPHRASE or PEDIGREE_KEYSTORE_PASSPHRASE_FILE (exactly
 * one of them; the file's one trailing line break is not part of it).
 */
export async function keystorePassphrase(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const inline = env.PEDIGREE_KEYSTORE_PASSPHRASE;
  const file = env.PEDIGREE_KEYSTORE_PASSPHRASE_FILE;
  const hasInline = inline !== undefined && inline !== "";
  const hasFile = file !== undefined && file !== "";
  if (hasInline && hasFile) {
    throw new SignerStartError(
      "PASSPHRASE_AMBIGUOUS",
      "Both PEDIGREE_KEYSTORE_PASSPHRASE and PEDIGREE_KEYSTORE_PASSPHRASE_FILE are set; set only one (the file is safer: environments leak into process listings and crash reports).",
    );
  }
  if (hasInline) return inline;
  if (!hasFile) {
    throw new SignerStartError(
      "PASSPHRASE_MISSING",
      "PEDIGREE_KEYSTORE is set but no passphrase is: set PEDIGREE_KEYSTORE_PASSPHRASE_FILE to a file holding it (or PEDIGREE_KEYSTORE_PASSPHRASE).",
    );
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SignerStartError(
      code === "ENOENT" ? "PASSPHRASE_FILE_MISSING" : "PASSPHRASE_FILE_UNREADABLE",
      code === "ENOENT"
        ? `PEDIGREE_KEYSTORE_PASSPHRASE_FILE names ${file}, which does not exist. Write the passphrase into it (one line), readable by this server's user only.`
        : `The passphrase file ${file} cannot be read (${(error as Error).message}). Give this server's user read access to it.`,
    );
  }
  const passphrase = text.replace(/\r?\n$/, "");
  if (passphrase === "") {
    throw new SignerStartError(
      "PASSPHRASE_MISSING",
      `The passphrase file ${file} is empty. Write the passphrase into it.`,
    );
  }
  return passphrase;
}

function notAKeystore(file: string): SignerStartError {
  return new SignerStartError(
    "KEYSTORE_INVALID",
    `${file} is not an encrypted keystore (Web3 Secret Storage, version 3, JSON). ` +
      "Create one with `npm run pedigree -- keystore create --out <file>`.",
  );
}
