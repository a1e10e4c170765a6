/**
 * The demo accounts: Hardhat's well-known test mnemonic, address indexes 0 to 9. Every local
 * chain funds them, and the demo seed onboards its parties with them. Anyone can derive their
 * keys, which is why the "demo accounts" connector is offered on a local chain only.
 *
 * "Local" means a development node: Hardhat's or anvil's, started for this machine, whose
 * accounts come from this mnemonic and whose chain is thrown away. Not a chain id: anvil runs
 * with a chain id of its own (npm start -- --chain=anvil), as a real network has one. Two checks
 * make it so: the server offers the connector only where its operator says the chain is local
 * (PEDIGREE_DEMO_ACCOUNTS=on; on by default on chain 31337, which Hardhat and anvil use and no
 * real network does: demoAccountsOffered), and the connector signs only once the node itself
 * says it is a development node (web3_clientVersion: isDevelopmentNode) of the configured chain.
 */
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

export const DEMO_MNEMONIC = "test test test test test test test test test test test junk";
export const DEMO_ACCOUNT_COUNT = 10;
/** Hardhat's and anvil's default chain id, which no real network uses: demo accounts are offered there by default. */
export const LOCAL_CHAIN_ID = 31337;

/**
 * Whether the dashboard offers the demo accounts: PEDIGREE_DEMO_ACCOUNTS (`on` or `off`) as the
 * operator set it, else on for chain 31337 only. Throws on another value, naming the two.
 */
export function demoAccountsOffered(chainId: number, setting: string | undefined): boolean {
  if (setting === undefined || setting === "") return chainId === LOCAL_CHAIN_ID;
  if (setting === "on") return true;
  if (setting === "off") return false;
  throw new Error(`PEDIGREE_DEMO_ACCOUNTS is on or off (got '${setting}').`);
}

/** Whether a node's web3_clientVersion names a development node (Hardhat's or anvil's). */
export function isDevelopmentNode(clientVersion: unknown): boolean {
  return typeof clientVersion === "string" && /^(HardhatNetwork|anvil)\//i.test(clientVersion);
}

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
