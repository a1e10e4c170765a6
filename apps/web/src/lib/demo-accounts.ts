/**
 * The demo accounts: Hardhat's well-known test mnemonic, address indexes 0 to 9. Every local
 * chain funds them, and the demo seed onboards its parties with them. They hold no value
 * anywhere, which is why the "demo accounts" connector is offered on the local chain only.
 */
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

export const DEMO_MNEMONIC = "test test test test test test test test test test test junk";
export const DEMO_ACCOUNT_COUNT = 10;
/** Hardhat's and anvil's chain id: the only chain the demo accounts may be used on. */
export const LOCAL_CHAIN_ID = 31337;

let derived: HDAccount[] | undefined;

/**
 * The ten accounts, derived once on first use (each derivation runs PBKDF2, tens of
 * milliseconds, so pages that never open the demo list never pay for it).
 */
export function demoAccounts(): readonly HDAccount[] {
  derived ??= Array.from({ length: DEMO_ACCOUNT_COUNT }, (_, addressIndex) =>
    mnemonicToAccount(DEMO_MNEMONIC, { addressIndex }),
  );
  return derived;
}

export function demoAccount(index: number): HDAccount {
  const account = demoAccounts()[index];
  if (!account) throw new RangeError(`There are ${DEMO_ACCOUNT_COUNT} demo accounts (0 to 9); ${index} is not one.`);
  return account;
}

export function demoAccountIndexOf(address: string): number {
  return demoAccounts().findIndex((account) => account.address.toLowerCase() === address.toLowerCase());
}
