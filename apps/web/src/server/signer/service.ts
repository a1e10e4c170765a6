/**
 * The server's signing side for one context: the organisations' keys, each with its queue
 * worker (./worker.ts). Started once per process from instrumentation.ts (`startServerSigning`),
 * which unlocks the keys before the server takes requests and stops the start with a clear
 * message when one cannot be; tests attach their own (`attachWriteService`).
 *
 * Every process on one PostgreSQL runs a worker per key; the key's lease lets one of them send.
 * A process without keys still serves the API: a write is then refused (403), as for an
 * organisation whose key this server does not hold.
 */
import { getAddress, type Address } from "viem";
import { appContext, type AppContext } from "../context.ts";
import { SignerStartError } from "./errors.ts";
import { signersFromEnv, type OrgSigner } from "./signer.ts";
import { KeyWorker, queueOptionsFromEnv, type QueueOptions } from "./worker.ts";

export class WriteService {
  private readonly signers = new Map<string, OrgSigner>();
  private readonly workers = new Map<string, KeyWorker>();

  constructor(ctx: AppContext, signers: readonly OrgSigner[], options: Partial<QueueOptions> = {}) {
    for (const signer of signers) {
      const key = signer.address.toLowerCase();
      this.signers.set(key, signer);
      this.workers.set(key, new KeyWorker(ctx, signer, options));
    }
  }

  /** The addresses this server signs for. */
  get addresses(): Address[] {
    return [...this.signers.values()].map((signer) => signer.address);
  }

  signerFor(address: string): OrgSigner | undefined {
    return this.signers.get(address.toLowerCase());
  }

  worker(address: string): KeyWorker | undefined {
    return this.workers.get(address.toLowerCase());
  }

  start(): this {
    for (const worker of this.workers.values()) worker.start();
    return this;
  }

  /** A write was queued for `address`: its worker looks now. */
  wake(address: string): void {
    this.workers.get(address.toLowerCase())?.wake();
  }

  async stop(options: { releaseLease?: boolean } = {}): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.stop(options)));
  }
}

// On globalThis, as the context is (context.ts): Next bundles instrumentation.ts, which attaches
// the service, apart from the route handlers, which look it up, each bundle with its own copy of
// this module; a module-level map would leave every route without the service (403 NO_ORGANISATION_KEY).
const servicesHolder = globalThis as typeof globalThis & {
  __pedigreeWriteServices?: WeakMap<AppContext, WriteService>;
};
const services = (servicesHolder.__pedigreeWriteServices ??= new WeakMap<AppContext, WriteService>());

export function attachWriteService(ctx: AppContext, service: WriteService): WriteService {
  services.set(ctx, service);
  return service;
}

export function writeServiceOf(ctx: AppContext): WriteService | undefined {
  return services.get(ctx);
}

/** "0xabc… (keystore /etc/pedigree/acme.json)" for each key, for the start's log line. */
function describe(signers: readonly OrgSigner[]): string {
  return signers.map((signer) => `${getAddress(signer.address)} (${signer.description})`).join(", ");
}

const holder = globalThis as typeof globalThis & { __pedigreeSigning?: Promise<WriteService | undefined> };

/**
 * Unlocks the configured keys and starts their queues, once per process. Without keys
 * configured nothing starts (writes go through wallets, as before). A key that cannot be unlocked
 * rejects with the reason, which instrumentation.ts prints before the server gives up.
 */
export function startServerSigning(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<WriteService | undefined> {
  holder.__pedigreeSigning ??= (async () => {
    const signers = await signersFromEnv(env);
    if (signers.length === 0) return undefined;
    const ctx = await appContext();
    const service = attachWriteService(ctx, new WriteService(ctx, signers, queueOptionsFromEnv(env)).start());
    console.log(`Signing ledger writes for ${describe(signers)}.`);
    return service;
  })().catch((error: unknown) => {
    holder.__pedigreeSigning = undefined;
    if (error instanceof SignerStartError) {
      console.error(`The server's signer cannot start (${error.code}): ${error.message}`);
    }
    throw error;
  });
  return holder.__pedigreeSigning;
}
