/**
 * The wagmi configuration, built once per page load from what the server says about the ledger
 * (chain id, RPC URL, contract address). Cookie storage lets the server render the connected
 * state on the first paint instead of flashing "Connect".
 */
import { defineChain, type Address, type Chain } from "viem";
import { cookieStorage, createConfig, createStorage, http, injected, type CreateConnectorFn } from "wagmi";
import { demoAccountsConnector } from "./demo-connector.ts";

/** What the browser needs to know about the ledger it works with (handed down by the server). */
export interface LedgerClientSettings {
  chainId: number;
  /** The JSON-RPC URL as the browser reaches it. */
  rpcUrl: string;
  ledgerAddress: Address;
  /** The chain is a local development chain: the demo accounts are offered (demo-accounts.ts). */
  demoAccounts: boolean;
  /** Which ledger is deployed: the count ledger, or the package-level one (custody by unit and pack). */
  ledgerKind: "count" | "package";
}

export function ledgerChain(settings: LedgerClientSettings): Chain {
  return defineChain({
    id: settings.chainId,
    name: settings.demoAccounts ? "Local chain" : `Chain ${settings.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [settings.rpcUrl] } },
    testnet: settings.demoAccounts,
  });
}

export function makeWagmiConfig(settings: LedgerClientSettings) {
  const chain = ledgerChain(settings);
  const connectors: CreateConnectorFn[] = [injected()];
  if (settings.demoAccounts) connectors.push(demoAccountsConnector(chain) as CreateConnectorFn);
  return createConfig({
    chains: [chain],
    connectors,
    transports: { [chain.id]: http(settings.rpcUrl, { retryCount: 1 }) },
    // Installed wallets announce themselves (EIP-6963); each appears as its own choice.
    multiInjectedProviderDiscovery: true,
    ssr: true,
    storage: createStorage({ storage: cookieStorage, key: "pedigree.wagmi" }),
    pollingInterval: 1_000,
  });
}

export type PedigreeWagmiConfig = ReturnType<typeof makeWagmiConfig>;
