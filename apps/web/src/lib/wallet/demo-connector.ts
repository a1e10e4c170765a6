/**
 * A wagmi connector that signs as one of the demo accounts (Hardhat's test mnemonic) with viem
 * local accounts: no browser wallet needed to play every party of the demo world. Anyone can
 * derive these keys, so it connects to a local chain only: the node must say it is a development
 * node (Hardhat's or anvil's) and be on the chain the dashboard is configured for. The dashboard
 * creates it only where the server offers the demo accounts (demo-accounts.ts says what "local" is).
 */
import {
  createWalletClient,
  fromHex,
  getAddress,
  http,
  numberToHex,
  type Address,
  type Chain,
  type EIP1193RequestFn,
  type WalletClient,
} from "viem";
import { createConnector } from "wagmi";
import { demoAccount, isDevelopmentNode } from "../demo-accounts.ts";

export const DEMO_CONNECTOR_ID = "demo-accounts";
const STORAGE_KEY = "demoAccountIndex";

interface DemoProvider {
  request: EIP1193RequestFn;
}

export interface DemoConnectorProperties extends Record<string, unknown> {
  /** Chooses which demo account the connector signs as (before or while connected). */
  selectAccount(index: number): Promise<void>;
  selectedAccount(): number | null;
}

export class DemoAccountsChainError extends Error {
  constructor(reason: string) {
    super(
      `The demo accounts only work on a local development chain (Hardhat's or anvil's node): ${reason} Connect a browser wallet instead.`,
    );
    this.name = "DemoAccountsChainError";
  }
}

export function demoAccountsConnector(chain: Chain) {
  const rpcUrl = chain.rpcUrls.default.http[0];
  if (!rpcUrl) throw new Error(`Chain ${chain.id} has no RPC URL.`);
  const transport = http(rpcUrl, { retryCount: 1 });

  let selected: number | null = null;
  let connected = false;

  const address = (): Address => {
    if (selected === null) throw new Error("Choose a demo account first.");
    return demoAccount(selected).address;
  };

  return createConnector<DemoProvider, DemoConnectorProperties, { [STORAGE_KEY]: number }>((config) => {
    const forward = transport({ chain, retryCount: 1 }).request;
    const provider: DemoProvider = {
      request: (async ({ method, params }: { method: string; params?: unknown }) => {
        if (method === "eth_chainId") return numberToHex(chain.id);
        if (method === "eth_accounts" || method === "eth_requestAccounts") return connected ? [address()] : [];
        return forward({ method, params } as never);
      }) as EIP1193RequestFn,
    };

    /** Why the node is no place for the demo keys, or null when it is the configured development chain. */
    async function refusal(): Promise<string | null> {
      const [chainId, clientVersion] = await Promise.all([
        forward({ method: "eth_chainId" }).then((id) => fromHex(id as `0x${string}`, "number")),
        forward({ method: "web3_clientVersion" }).catch(() => undefined),
      ]);
      if (chainId !== chain.id) return `this node is on chain ${chainId}, and the ledger on chain ${chain.id}.`;
      if (!isDevelopmentNode(clientVersion)) {
        return `the node at ${rpcUrl} is ${typeof clientVersion === "string" ? clientVersion : "not one that says what it is"}.`;
      }
      return null;
    }

    /**
     * For reconnecting: null when the node does not answer. A node that cannot be reached (or a
     * page being left, whose requests the browser aborts) must not sign the account out: wagmi
     * would store "disconnected", and the next page would open signed out. Nothing can be sent
     * meanwhile, and every write checks the node's chain id again before it is sent.
     */
    async function refusalIfReachable(): Promise<string | null> {
      try {
        return await refusal();
      } catch {
        return null;
      }
    }

    return {
      id: DEMO_CONNECTOR_ID,
      name: "Demo accounts",
      type: "demoAccounts",
      async setup() {
        const stored = await config.storage?.getItem(STORAGE_KEY);
        if (typeof stored === "number" && Number.isInteger(stored)) selected = stored;
      },
      async connect({ chainId, withCapabilities, isReconnecting } = {}) {
        if (chainId !== undefined && chainId !== chain.id) {
          throw new DemoAccountsChainError(`they sign on chain ${chain.id} only, not ${chainId}.`);
        }
        const refused = isReconnecting ? await refusalIfReachable() : await refusal();
        if (refused !== null) throw new DemoAccountsChainError(refused);
        selected ??= 0;
        connected = true;
        await config.storage?.setItem(STORAGE_KEY, selected);
        const account = address();
        return {
          accounts: (withCapabilities ? [{ address: account, capabilities: {} }] : [account]) as never,
          chainId: chain.id,
        };
      },
      async disconnect() {
        connected = false;
        await config.storage?.removeItem(STORAGE_KEY);
      },
      async getAccounts() {
        return connected ? [address()] : [];
      },
      async getChainId() {
        return chain.id;
      },
      async getProvider() {
        return provider;
      },
      async getClient(): Promise<WalletClient> {
        return createWalletClient({ account: demoAccount(selected ?? 0), chain, transport });
      },
      async isAuthorized() {
        // wagmi may ask before setup() has read the stored choice.
        if (selected === null) {
          const stored = await config.storage?.getItem(STORAGE_KEY);
          if (typeof stored === "number" && Number.isInteger(stored)) selected = stored;
        }
        if (selected === null) return false;
        if ((await refusalIfReachable()) !== null) return false;
        connected = true;
        return true;
      },
      onAccountsChanged(accounts) {
        if (accounts.length === 0) this.onDisconnect();
        else config.emitter.emit("change", { accounts: accounts.map((a) => getAddress(a)) });
      },
      onChainChanged(chainId) {
        config.emitter.emit("change", { chainId: Number(chainId) });
      },
      onDisconnect() {
        connected = false;
        config.emitter.emit("disconnect");
      },
      async selectAccount(index: number) {
        demoAccount(index); // throws for an index that is not a demo account
        selected = index;
        await config.storage?.setItem(STORAGE_KEY, index);
        if (connected) config.emitter.emit("change", { accounts: [address()] });
      },
      selectedAccount() {
        return selected;
      },
    };
  });
}
