/**
 * The demo organisations' keys on their Pedigree server (issue 14, item 6): an encrypted keystore
 * (Web3 Secret Storage, written by the same code as `npm run pedigree -- keystore create
 * --demo-account <n>`) for each demo party but the network operator, whose steps only a wallet
 * signs, and one passphrase file. `npm start` points the dashboard at them (PEDIGREE_KEYSTORE, a
 * folder; PEDIGREE_KEYSTORE_PASSPHRASE_FILE), so a demo organisation signed in writes through
 * its server, without a wallet prompt.
 *
 * Both live under the git-ignored .data folder and are made anew at each start, as the local
 * chain and read model are. The keys are the test mnemonic's, public by design.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import { createKeystore, writeKeystoreFile } from "../../apps/web/src/server/signer/keystore.ts";
import { demoAccountPrivateKey } from "../cli/keystore.ts";
import { PARTIES } from "./world.ts";

/**
 * scrypt's cost for the demo keystores: 2^14 instead of ethers' 2^17, so seven keys are written and
 * unlocked in a couple of seconds instead of half a minute on a laptop. The keys are public test
 * keys: the encryption protects nothing here, it only has the format a real deployment uses.
 */
const DEMO_SCRYPT_N = 2 ** 14;

export interface DemoKeys {
  /** PEDIGREE_KEYSTORE: the folder of keystores. */
  keystore: string;
  /** PEDIGREE_KEYSTORE_PASSPHRASE_FILE. */
  passphraseFile: string;
  organisations: { key: string; name: string; address: Address; file: string }[];
}

/** Writes the demo keystores into `folder` (emptied first) and their passphrase file beside them. */
export async function createDemoKeys(folder: string): Promise<DemoKeys> {
  rmSync(folder, { recursive: true, force: true });
  const keystore = path.join(folder, "keystores");
  mkdirSync(keystore, { recursive: true, mode: 0o700 });
  // Outside the keystore folder: the server reads every *.json file there as a keystore.
  const passphraseFile = path.join(folder, "passphrase");
  const passphrase = randomBytes(24).toString("base64url");
  writeFileSync(passphraseFile, `${passphrase}\n`, { mode: 0o600 });
  const organisations: DemoKeys["organisations"] = [];
  for (const party of Object.values(PARTIES)) {
    if (party.role === "administrator") continue;
    const { json, address } = await createKeystore(passphrase, {
      privateKey: demoAccountPrivateKey(party.index),
      scryptN: DEMO_SCRYPT_N,
    });
    const file = path.join(keystore, `${party.key}.json`);
    await writeKeystoreFile(file, json);
    organisations.push({ key: party.key, name: party.name, address, file });
  }
  return { keystore, passphraseFile, organisations };
}

/** The server's environment for the demo keys. */
export function demoKeysEnv(keys: DemoKeys): Record<string, string> {
  return { PEDIGREE_KEYSTORE: keys.keystore, PEDIGREE_KEYSTORE_PASSPHRASE_FILE: keys.passphraseFile };
}
