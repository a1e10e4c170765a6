/**
 * A wagmi connector that signs as one of the demo accounts (Hardhat's test mnemonic) with viem
 * local accounts: no browser wallet needed to play every party of the demo world. It refuses to
 * exist or connect anywhere but the local chain, because anyone can derive these keys.
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
import { demoAccount, LOCAL_CHAIN_ID } from "../demo-accounts.ts";

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
  constructor(chainId: number) {
    super(
      `The demo accounts only work on the local chain (${LOCAL_CHAIN_ID}); this node is chain ${chainId}. Connect a browser wallet instead.`,
    );
    this.name = "DemoAccountsChainError";
  }
}

export function demoAccountsConnector(chain: Chain) {
  if (chain.id !== LOCAL_CHAIN_ID) throw new DemoAccountsChainError(chain.id);
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

    async function nodeChainId(): Promise<number> {
      return fromHex((await forward({ method: "eth_chainId" })) as `0x${string}`, "number");
    }

    /**
     * For reconnecting: null when the node does not answer. A node that cannot be reached (or a
     * page being left, whose requests the browser aborts) must not sign the account out: wagmi
     * would store "disconnected", and the next page would open signed out. Nothing can be sent
     * meanwhile, and every write checks the node's chain id again before it is sent.
     */
    async function nodeChainIdIfReachable(): Promise<number | null> {
      try {
        return await nodeChainId();
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
        if (chainId !== undefined && chainId !== LOCAL_CHAIN_ID) throw new DemoAccountsChainError(chainId);
        const actual = isReconnecting ? await nodeChainIdIfReachable() : await nodeChainId();
        if (actual !== null && actual !== LOCAL_CHAIN_ID) throw new DemoAccountsChainError(actual);
        selected ??= 0;
        connected = true;
        await config.storage?.setItem(STORAGE_KEY, selected);
        const account = address();
        return {
          accounts: (withCapabilities ? [{ address: account, capabilities: {} }] : [account]) as never,
          chainId: LOCAL_CHAIN_ID,
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
        return LOCAL_CHAIN_ID;
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
        const actual = await nodeChainIdIfReachable();
        if (actual !== null && actual !== LOCAL_CHAIN_ID) return false;
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
