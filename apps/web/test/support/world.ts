/**
 * A custody world on a test chain (support/chain.ts), built through viem as the app's users would:
 * parties onboarded with names and valid GLNs, company prefixes, products, batches with real
 * serial manifests, and every custody write (ship, receive, reject, cancel, decommission,
 * reactivate, recall, suspend, reinstate). Each write waits for its receipt and fails loudly
 * (viem names the contract's custom error) so a test never builds on a write that did not happen.
 *
 * ```ts
 * const chain = await startTestChain();
 * const world = await createWorld(chain);                  // parties onboarded, prefixes assigned
 * const { acme, northwind, central } = world.parties;
 * const product = await world.registerProduct(acme);
 * const batch = await world.registerBatch(acme, product, { packs: 50 });
 * const shipment = await world.ship(acme, northwind, [{ batch, quantity: 30 }]);
 * await world.receive(shipment);
 * await world.decommission(central, batch, 3);             // needs units held by central
 * await world.unitsHeld(batch, northwind);                  // 30
 * ```
 */
import {
  parseEventLogs,
  stringToHex,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { gs1CheckDigit } from "@pedigree/gs1";
import {
  batchIdOf,
  batchStatusName,
  buildManifest,
  gtinToUint64,
  packStateName,
  packStateNumber,
  pedigreeLedgerAbi,
  roleNumber,
  type BatchStatusName,
  type PackStateName,
  type RoleName,
  type SerialManifest,
} from "@pedigree/ledger";
import type { TestChain } from "./chain.ts";

export type ParticipantRole = Exclude<RoleName, "NONE">;

export interface WorldParty {
  account: PrivateKeyAccount;
  address: Address;
  role: ParticipantRole;
  legalName: string;
  /** 13 digits with a valid check digit. */
  gln: string;
}

export interface WorldProduct {
  /** GTIN-14 with its check digit. */
  gtin: string;
  manufacturer: WorldParty;
  name: string;
  strength: string;
  dosageForm: string;
}

export interface WorldBatch {
  batchId: Hex;
  gtin: string;
  lot: string;
  /** YYYYMMDD */
  expiry: number;
  manufacturer: WorldParty;
  /** The serial list and its Merkle tree: `manifest.serials[i]` is pack i. */
  manifest: SerialManifest;
}

export interface ShipmentLineInput {
  batch: WorldBatch;
  quantity: number;
}

export interface WorldShipment {
  shipmentId: Hex;
  from: WorldParty;
  to: WorldParty;
  /** The reference as text and as the contract's bytes32. */
  ref: string;
  refHex: Hex;
  lines: ShipmentLineInput[];
  receipt: TransactionReceipt;
}

/** The parties every world starts with (accounts[1..6]; accounts[0] is the admin). */
export interface WorldParties {
  /** Manufacturer, company prefix 952012. */
  acme: WorldParty;
  /** Second manufacturer, company prefix 952034. */
  borealis: WorldParty;
  northwind: WorldParty;
  central: WorldParty;
  harbour: WorldParty;
  regulator: WorldParty;
}

/** GLN from a 12-digit body: the check digit appended. */
export function glnOf(body: string): string {
  const digit = gs1CheckDigit(body);
  if (body.length !== 12 || digit === undefined) throw new RangeError(`GLN body '${body}' must be 12 digits`);
  return body + String(digit);
}

/** A GTIN-14 (indicator 0) under a company prefix, for item reference `item`. */
export function gtinUnder(prefix: string, item: number): string {
  const body = "0" + prefix + String(item).padStart(12 - prefix.length, "0");
  const digit = gs1CheckDigit(body);
  if (body.length !== 13 || digit === undefined) {
    throw new RangeError(`Item ${item} does not fit under prefix ${prefix} in a GTIN-14`);
  }
  return body + String(digit);
}

/** `count` distinct valid serials, different for each `seed`. */
export function testSerials(count: number, seed = "S"): string[] {
  return Array.from({ length: count }, (_, i) => `${seed}${(i * 7919 + 104_729).toString(36).toUpperCase()}`);
}

export const DEFAULT_EXPIRY = 20301231;

const DEFAULT_PARTIES: readonly { key: keyof WorldParties; role: ParticipantRole; legalName: string; gln: string }[] = [
  { key: "acme", role: "MANUFACTURER", legalName: "Acme Pharma AG", gln: glnOf("952000000001") },
  { key: "northwind", role: "DISTRIBUTOR", legalName: "Northwind Wholesale", gln: glnOf("952000000002") },
  { key: "central", role: "PHARMACY", legalName: "Central Pharmacy", gln: glnOf("952000000003") },
  { key: "harbour", role: "PHARMACY", legalName: "Harbour Pharmacy", gln: glnOf("952000000004") },
  { key: "regulator", role: "REGULATOR", legalName: "Medicines Agency", gln: glnOf("952000000005") },
  { key: "borealis", role: "MANUFACTURER", legalName: "Borealis Generics", gln: glnOf("952000000006") },
];

export const COMPANY_PREFIXES = { acme: "952012", borealis: "952034" } as const;

type WriteArgs = {
  functionName: string;
  args: readonly unknown[];
};

export interface World {
  chain: TestChain;
  publicClient: PublicClient;
  admin: PrivateKeyAccount;
  parties: WorldParties;

  /** Sends a ledger write from `from` and returns its mined, successful receipt. */
  write(from: PrivateKeyAccount | WorldParty, call: WriteArgs): Promise<TransactionReceipt>;

  onboard(account: PrivateKeyAccount, role: ParticipantRole, legalName: string, gln: string): Promise<WorldParty>;
  /** By the admin; the reason (recorded in the event) defaults to a licence withdrawn. */
  suspendParticipant(party: WorldParty, reason?: string): Promise<TransactionReceipt>;
  reinstateParticipant(party: WorldParty, reason?: string): Promise<TransactionReceipt>;
  /** By the admin, with the reason the LedgerPaused / LedgerUnpaused event records. */
  pause(reason?: string): Promise<TransactionReceipt>;
  unpause(reason?: string): Promise<TransactionReceipt>;
  assignCompanyPrefix(manufacturer: WorldParty, prefix: string): Promise<TransactionReceipt>;

  /** Registers a product; by default the next unused GTIN under the manufacturer's prefix. */
  registerProduct(
    manufacturer: WorldParty,
    options?: Partial<Pick<WorldProduct, "gtin" | "name" | "strength" | "dosageForm">>,
  ): Promise<WorldProduct>;
  /** Registers a batch with `packs` generated serials (default 20), or the given `serials`. */
  registerBatch(
    manufacturer: WorldParty,
    product: WorldProduct,
    options?: { lot?: string; expiry?: number; packs?: number; serials?: string[]; documentHash?: Hex },
  ): Promise<WorldBatch>;
  recall(by: WorldParty, batch: WorldBatch, reason?: string): Promise<TransactionReceipt>;
  suspend(by: WorldParty, batch: WorldBatch, reason?: string): Promise<TransactionReceipt>;
  reinstate(by: WorldParty, batch: WorldBatch): Promise<TransactionReceipt>;

  /** Ships; `ref` defaults to a fresh "ASN-n". */
  ship(from: WorldParty, to: WorldParty, lines: ShipmentLineInput[], ref?: string): Promise<WorldShipment>;
  receive(shipment: WorldShipment): Promise<TransactionReceipt>;
  reject(shipment: WorldShipment, reason?: string): Promise<TransactionReceipt>;
  cancel(shipment: WorldShipment): Promise<TransactionReceipt>;

  decommission(by: WorldParty, batch: WorldBatch, index: number, state?: PackStateName): Promise<TransactionReceipt>;
  /** Decommissions many packs with one multiproof (one PackDecommissioned event each). */
  decommissionMany(
    by: WorldParty,
    batch: WorldBatch,
    indexes: readonly number[],
    state?: PackStateName,
  ): Promise<TransactionReceipt>;
  reactivate(by: WorldParty, batch: WorldBatch, index: number): Promise<TransactionReceipt>;

  // What the contract says, for comparing a read model with it.
  unitsHeld(batch: WorldBatch | Hex, holder: WorldParty | Address): Promise<number>;
  batchStatus(batch: WorldBatch | Hex): Promise<BatchStatusName>;
  packRecord(batch: WorldBatch | Hex, index: number): Promise<{ state: PackStateName; by: Address; at: number }>;
  isPending(shipment: WorldShipment | Hex): Promise<boolean>;
}

const batchIdFrom = (batch: WorldBatch | Hex): Hex => (typeof batch === "string" ? batch : batch.batchId);
const accountOf = (from: PrivateKeyAccount | WorldParty): PrivateKeyAccount =>
  "account" in from ? from.account : from;

/**
 * Onboards the default parties (accounts[1..6], see WorldParties) and assigns the manufacturers'
 * company prefixes. The chain's accounts[0] must be the ledger's admin (startTestChain does that).
 */
export async function createWorld(chain: TestChain): Promise<World> {
  const publicClient = chain.publicClient;
  const admin = chain.accounts[0]!;
  let refCounter = 0;
  let lotCounter = 0;
  const productCounters = new Map<Address, number>();

  const send = (account: PrivateKeyAccount, call: WriteArgs, nonce?: number) =>
    chain.wallet(account).writeContract({
      address: chain.address,
      abi: pedigreeLedgerAbi,
      functionName: call.functionName,
      args: call.args,
      account,
      chain: chain.viemChain,
      nonce,
    } as never);
  const minedReceipt = async (account: PrivateKeyAccount, call: WriteArgs, hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new Error(`${call.functionName} from ${account.address} reverted`);
    return receipt;
  };
  const write = async (from: PrivateKeyAccount | WorldParty, call: WriteArgs): Promise<TransactionReceipt> => {
    const account = accountOf(from);
    return minedReceipt(account, call, await send(account, call));
  };
  /**
   * The administrator's independent setup writes, all sent before any is waited for: on a chain
   * that mines on a clock (the anvil suite's block every 2 s) they share a block instead of taking
   * one each. Each is checked against the chain as it was before the first. Sent one after the
   * other, in nonce order: Hardhat's automining node refuses a nonce ahead of the next one.
   */
  const writeTogether = async (calls: readonly WriteArgs[]): Promise<TransactionReceipt[]> => {
    const nonce = await publicClient.getTransactionCount({ address: admin.address, blockTag: "pending" });
    const hashes: Hex[] = [];
    for (const [i, call] of calls.entries()) hashes.push(await send(admin, call, nonce + i));
    return Promise.all(calls.map((call, i) => minedReceipt(admin, call, hashes[i]!)));
  };

  const onboarding = (party: WorldParty): WriteArgs => ({
    functionName: "onboardParticipant",
    args: [party.address, roleNumber(party.role), party.legalName, BigInt(party.gln)],
  });
  const onboard = async (
    account: PrivateKeyAccount,
    role: ParticipantRole,
    legalName: string,
    gln: string,
  ): Promise<WorldParty> => {
    const party: WorldParty = { account, address: account.address, role, legalName, gln };
    await write(admin, onboarding(party));
    return party;
  };

  const parties = {} as WorldParties;
  DEFAULT_PARTIES.forEach((spec, i) => {
    const account = chain.accounts[i + 1];
    if (account === undefined) throw new Error(`The test chain has no account ${i + 1} for ${spec.legalName}`);
    parties[spec.key] = {
      account,
      address: account.address,
      role: spec.role,
      legalName: spec.legalName,
      gln: spec.gln,
    };
  });
  const prefixAssignment = (manufacturer: WorldParty, prefix: string): WriteArgs => ({
    functionName: "assignCompanyPrefix",
    args: [manufacturer.address, prefix],
  });
  // Onboarded first: a prefix goes to a manufacturer the ledger knows.
  await writeTogether(DEFAULT_PARTIES.map((spec) => onboarding(parties[spec.key])));
  await writeTogether([
    prefixAssignment(parties.acme, COMPANY_PREFIXES.acme),
    prefixAssignment(parties.borealis, COMPANY_PREFIXES.borealis),
  ]);
  const prefixes = new Map<Address, string>([
    [parties.acme.address, COMPANY_PREFIXES.acme],
    [parties.borealis.address, COMPANY_PREFIXES.borealis],
  ]);
  const assignCompanyPrefix = async (manufacturer: WorldParty, prefix: string) => {
    const receipt = await write(admin, prefixAssignment(manufacturer, prefix));
    if (!prefixes.has(manufacturer.address)) prefixes.set(manufacturer.address, prefix);
    return receipt;
  };

  const linesArg = (lines: readonly ShipmentLineInput[]) =>
    lines.map((line) => ({ batchId: line.batch.batchId, quantity: BigInt(line.quantity) }));

  const world: World = {
    chain,
    publicClient,
    admin,
    parties,
    write,
    onboard,
    assignCompanyPrefix,
    suspendParticipant: (party, reason = "Licence withdrawn") =>
      write(admin, { functionName: "suspendParticipant", args: [party.address, reason] }),
    reinstateParticipant: (party, reason = "Licence renewed") =>
      write(admin, { functionName: "reinstateParticipant", args: [party.address, reason] }),
    pause: (reason = "Incident under investigation") => write(admin, { functionName: "pause", args: [reason] }),
    unpause: (reason = "Incident resolved") => write(admin, { functionName: "unpause", args: [reason] }),

    async registerProduct(manufacturer, options = {}) {
      let gtin = options.gtin;
      if (gtin === undefined) {
        const prefix = prefixes.get(manufacturer.address);
        if (prefix === undefined) throw new Error(`${manufacturer.legalName} has no company prefix; pass a gtin`);
        const item = (productCounters.get(manufacturer.address) ?? 0) + 1;
        productCounters.set(manufacturer.address, item);
        gtin = gtinUnder(prefix, item);
      }
      const product: WorldProduct = {
        gtin,
        manufacturer,
        name: options.name ?? "Amoxicillin",
        strength: options.strength ?? "500 mg",
        dosageForm: options.dosageForm ?? "capsule",
      };
      await write(manufacturer, {
        functionName: "registerProduct",
        args: [gtinToUint64(gtin), product.name, product.strength, product.dosageForm],
      });
      return product;
    },

    async registerBatch(manufacturer, product, options = {}) {
      const lot = options.lot ?? `L${String(++lotCounter).padStart(4, "0")}`;
      const expiry = options.expiry ?? DEFAULT_EXPIRY;
      const serials = options.serials ?? testSerials(options.packs ?? 20, lot);
      const manifest = buildManifest(serials);
      await write(manufacturer, {
        functionName: "registerBatch",
        args: [
          gtinToUint64(product.gtin),
          lot,
          expiry,
          manifest.count,
          manifest.root,
          options.documentHash ?? zeroHash,
        ],
      });
      return { batchId: batchIdOf(product.gtin, lot), gtin: product.gtin, lot, expiry, manufacturer, manifest };
    },
    recall: (by, batch, reason = "Contamination found") =>
      write(by, { functionName: "recallBatch", args: [batch.batchId, reason] }),
    suspend: (by, batch, reason = "Under investigation") =>
      write(by, { functionName: "suspendBatch", args: [batch.batchId, reason] }),
    reinstate: (by, batch) => write(by, { functionName: "reinstateBatch", args: [batch.batchId] }),

    async ship(from, to, lines, ref = `ASN-${++refCounter}`) {
      const refHex = stringToHex(ref, { size: 32 });
      const receipt = await write(from, { functionName: "ship", args: [to.address, refHex, linesArg(lines)] });
      const shipped = parseEventLogs({ abi: pedigreeLedgerAbi, logs: receipt.logs, eventName: "UnitsShipped" });
      const first = shipped[0];
      if (first === undefined) throw new Error("ship() emitted no UnitsShipped event");
      return { shipmentId: first.args.shipmentId, from, to, ref, refHex, lines: [...lines], receipt };
    },
    receive: (shipment) =>
      write(shipment.to, {
        functionName: "receiveShipment",
        args: [shipment.shipmentId, shipment.from.address, linesArg(shipment.lines)],
      }),
    reject: (shipment, reason = "Cartons crushed") =>
      write(shipment.to, {
        functionName: "rejectShipment",
        args: [shipment.shipmentId, shipment.from.address, linesArg(shipment.lines), reason],
      }),
    cancel: (shipment) =>
      write(shipment.from, {
        functionName: "cancelShipment",
        args: [shipment.shipmentId, shipment.to.address, linesArg(shipment.lines)],
      }),

    decommission(by, batch, index, state = "DISPENSED") {
      const serial = batch.manifest.serials[index];
      if (serial === undefined) throw new RangeError(`Batch ${batch.lot} has no pack ${index}`);
      return write(by, {
        functionName: "decommission",
        args: [batch.batchId, BigInt(index), serial, batch.manifest.tree.proof(index), packStateNumber(state)],
      });
    },
    decommissionMany(by, batch, indexes, state = "DISPENSED") {
      const multi = batch.manifest.tree.multiProof(indexes);
      return write(by, {
        functionName: "decommissionMany",
        args: [
          batch.batchId,
          multi.indexes.map(BigInt),
          multi.indexes.map((i) => batch.manifest.serials[i]!),
          multi.proof,
          multi.flagBits,
          packStateNumber(state),
        ],
      });
    },
    reactivate: (by, batch, index) => write(by, { functionName: "reactivate", args: [batch.batchId, BigInt(index)] }),

    async unitsHeld(batch, holder) {
      const units = await publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "unitsHeld",
        args: [batchIdFrom(batch), typeof holder === "string" ? holder : holder.address],
      });
      return Number(units);
    },
    async batchStatus(batch) {
      const record = await publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "batch",
        args: [batchIdFrom(batch)],
      });
      return batchStatusName(record.status);
    },
    async packRecord(batch, index) {
      const record = await publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "packRecord",
        args: [batchIdFrom(batch), BigInt(index)],
      });
      return { state: packStateName(record.state), by: record.by, at: Number(record.at) };
    },
    async isPending(shipment) {
      const hash = await publicClient.readContract({
        address: chain.address,
        abi: pedigreeLedgerAbi,
        functionName: "pendingShipment",
        args: [typeof shipment === "string" ? shipment : shipment.shipmentId],
      });
      return hash !== zeroHash;
    },
  };
  return world;
}
