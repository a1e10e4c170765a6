/**
 * `npm run pedigree -- keystore ...`: the organisation's key in an encrypted keystore file, for
 * the Pedigree server to sign with (PEDIGREE_KEYSTORE). The file is written and read by the
 * server's own code (apps/web/src/server/signer/keystore.ts), so what this creates the server unlocks.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { bytesToHex, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { SignerStartError } from "../../apps/web/src/server/signer/errors.ts";
import {
  checkNewPassphrase,
  createKeystore,
  keystoreAddress,
  keystorePassphrase,
  writeKeystoreFile,
} from "../../apps/web/src/server/signer/keystore.ts";
import { CliError } from "./errors.ts";

const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";

/** The local chain's test account `index` (the demo world's keys): public, worth nothing off a local chain. */
export function demoAccountPrivateKey(index: number): Hex {
  const hdKey = mnemonicToAccount(HARDHAT_TEST_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (hdKey === null) throw new CliError(1, `The test account ${index} has no private key.`);
  return bytesToHex(hdKey);
}

export const KEYSTORE_HELP = `Creates or reads the organisation's encrypted keystore (Web3 Secret Storage, version 3).

Usage: npm run pedigree -- keystore create --out <file> [--import | --demo-account <n>]
       npm run pedigree -- keystore address <file>

  create             writes a new keystore, readable by its owner only; never over an existing file
    --out <file>     where to write it
    --import         encrypt the key in PEDIGREE_PRIVATE_KEY (0x + 64 hex digits) instead of a new random one
    --demo-account <n>  encrypt the local chain's test account n (the demo world's keys; never for real value)
  address <file>     prints the address a keystore holds (no passphrase needed)
  -h, --help         this help

The passphrase comes from PEDIGREE_KEYSTORE_PASSPHRASE_FILE (a file holding it, one line) or
PEDIGREE_KEYSTORE_PASSPHRASE: the variables the server reads, so one passphrase file serves both.
Use at least 12 characters. Then start the server with PEDIGREE_KEYSTORE=<file> and the same
passphrase variable.`;

async function create(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: "string" },
        import: { type: "boolean" },
        "demo-account": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new CliError(1, `${(error as Error).message}\n\n${KEYSTORE_HELP}`);
  }
  if (values.help) {
    console.log(KEYSTORE_HELP);
    return;
  }
  if (values.out === undefined || values.out === "")
    throw new CliError(1, "--out <file> is required: where to write the keystore.");
  if (values.import && values["demo-account"] !== undefined) {
    throw new CliError(1, "Give --import or --demo-account, not both.");
  }
  let privateKey: Hex | undefined;
  if (values.import) {
    const key = process.env.PEDIGREE_PRIVATE_KEY;
    if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new CliError(
        1,
        "--import encrypts the key in PEDIGREE_PRIVATE_KEY: set it to 0x followed by 64 hex digits.",
      );
    }
    privateKey = key as Hex;
  }
  if (values["demo-account"] !== undefined) {
    const index = Number(values["demo-account"]);
    if (!/^\d+$/.test(values["demo-account"]) || index > 19) throw new CliError(1, "--demo-account must be 0 to 19.");
    privateKey = demoAccountPrivateKey(index);
  }
  // Checked before the second or two scrypt takes (writing checks the file again, without a race).
  if (existsSync(values.out)) {
    throw new CliError(
      1,
      `${values.out} already exists; a keystore is never overwritten (the key in it would be lost). Choose another file.`,
    );
  }
  const passphrase = await keystorePassphrase(process.env);
  checkNewPassphrase(passphrase);
  process.stderr.write("Encrypting the key (scrypt takes a second or two)...\n");
  const { json, address } = await createKeystore(passphrase, privateKey === undefined ? {} : { privateKey });
  await writeKeystoreFile(values.out, json);
  console.log(`Wrote the keystore of ${address} to ${values.out}.`);
  console.log(
    `Start the server with PEDIGREE_KEYSTORE=${values.out} and the passphrase variable, and fund ${address} to pay the network's fees.`,
  );
}

async function address(args: string[]): Promise<void> {
  if (args.length !== 1 || args[0] === "--help" || args[0] === "-h") {
    if (args[0] === "--help" || args[0] === "-h") {
      console.log(KEYSTORE_HELP);
      return;
    }
    throw new CliError(1, `Give the keystore file, once.\n\n${KEYSTORE_HELP}`);
  }
  const file = args[0] as string;
  let json: string;
  try {
    json = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(1, `Could not read ${file}: ${(error as Error).message}`);
  }
  console.log(keystoreAddress(json, file));
}

export async function keystoreCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  try {
    if (sub === "create") return await create(rest);
    if (sub === "address") return await address(rest);
  } catch (error) {
    // The server's own messages say what to do; the CLI reports them as the user's to fix.
    if (error instanceof SignerStartError) throw new CliError(1, error.message);
    throw error;
  }
  if (sub === "--help" || sub === "-h" || sub === "help") {
    console.log(KEYSTORE_HELP);
    return;
  }
  throw new CliError(
    1,
    `${sub === undefined ? "Give a keystore command (create or address)." : `Unknown keystore command '${sub}'.`}\n\n${KEYSTORE_HELP}`,
  );
}
