/**
 * Typed writes to the ledger for programs (the demo seed, the command line, tests): each call
 * takes the app's plain values (GTIN strings, YYYYMMDD numbers, serial manifests, role and pack
 * state names), simulates the transaction first so a refusal is explained before anything is
 * signed, sends it, and waits for its receipt. Every failure is a LedgerWriteError carrying
 * explainLedgerError's code and plain-words message.
 */
import {
  parseEventLogs,
  stringToHex,
  type Abi,
  type Account,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Log,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { batchIdOf, gtinToUint64 } from "./client.ts";
import { packStateNumber, roleNumber, type PackStateName, type RoleName } from "./enums.ts";
import { explainLedgerError, type LedgerErrorLookup } from "./errors.ts";
import type { packageLedgerAbi } from "./generated/packageLedgerAbi.ts";
import { pedigreeLedgerAbi } from "./generated/pedigreeLedgerAbi.ts";
import type { SerialManifest, PackProof } from "./manifest/manifest.ts";
import type { Address, Hex } from "./types.ts";

type WriteFunctionName<TAbi extends Abi> = ContractFunctionName<TAbi, "nonpayable">;
type WriteArgs<TAbi extends Abi, F extends WriteFunctionName<TAbi>> = ContractFunctionArgs<TAbi, "nonpayable", F>;

/** A write that could not be recorded: `code` for programs, `message` in plain words for people. */
export class LedgerWriteError extends Error {
  override readonly name = "LedgerWriteError";
  /** explainLedgerError's code (the contract's error name for a refusal), or TRANSACTION_REVERTED. */
  readonly code: string;
  /** The transaction, when it was sent before it failed. */
  readonly transactionHash?: Hex;

  constructor(code: string, message: string, options: { cause?: unknown; transactionHash?: Hex } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    if (options.transactionHash !== undefined) this.transactionHash = options.transactionHash;
  }
}

/** A batch, by its id or by the GTIN and lot on its packs. */
export type BatchKey = Hex | { gtin: string; lot: string };

export interface ShipmentLineInput {
  batch: BatchKey;
  quantity: number;
}

/** A shipment's content as the contract needs it back to receive, reject or cancel it. */
export interface ShipmentLine {
  batchId: Hex;
  quantity: number;
}

export interface WriteReceipt {
  transactionHash: Hex;
  blockNumber: number;
  gasUsed: number;
}

export interface ShipReceipt extends WriteReceipt {
  shipmentId: Hex;
  /** Everything receiveShipment, rejectShipment and cancelShipment need. */
  shipment: { shipmentId: Hex; from: Address; to: Address; lines: ShipmentLine[] };
}

export interface LedgerWriterOptions {
  /** Reads and simulations; create it with a short `pollingInterval` on a local chain (receipts are polled). */
  publicClient: Pick<PublicClient, "simulateContract" | "waitForTransactionReceipt">;
  /** Signs and sends, as its account. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  /** The ledger's address (see ledgerAddress). */
  address: Address;
  /** Names parties and batches in error messages. */
  lookup?: LedgerErrorLookup;
}

/** The participant registry's writes, the same on both ledgers (each inherits PedigreeRegistry). */
export interface RegistryWriter {
  /** The account that signs. */
  readonly account: Address;
  onboardParticipant(input: {
    account: Address;
    role: Exclude<RoleName, "NONE">;
    legalName: string;
    /** 13 digits with a valid check digit. */
    gln: string;
  }): Promise<WriteReceipt>;
  /** `reason` (required) is recorded in the ParticipantSuspended event for every party and auditor. */
  suspendParticipant(account: Address, reason: string): Promise<WriteReceipt>;
  reinstateParticipant(account: Address, reason: string): Promise<WriteReceipt>;
  assignCompanyPrefix(input: { manufacturer: Address; prefix: string }): Promise<WriteReceipt>;
  registerProduct(input: { gtin: string; name: string; strength: string; dosageForm: string }): Promise<WriteReceipt>;
  /** `reason` (required) is recorded in the LedgerPaused event for every party and auditor. */
  pause(reason: string): Promise<WriteReceipt>;
  unpause(reason: string): Promise<WriteReceipt>;
}

/** A batch's registration, as both ledgers take it. */
export interface BatchRegistration {
  gtin: string;
  lot: string;
  /** YYYYMMDD; DD = 00 for the month's last day. */
  expiry: number;
  /** The batch's serial manifest (buildManifest), or just its root and count. */
  manifest: Pick<SerialManifest, "root" | "count">;
  /** Hash of a document such as the certificate of analysis. */
  documentHash?: Hex;
}

/** A batch's registration and status, which both ledgers take alike (batchWrites). */
export interface BatchWriter {
  registerBatch(input: BatchRegistration): Promise<WriteReceipt & { batchId: Hex }>;
  recallBatch(input: { batch: BatchKey; reason: string }): Promise<WriteReceipt>;
  suspendBatch(input: { batch: BatchKey; reason: string }): Promise<WriteReceipt>;
  reinstateBatch(input: { batch: BatchKey }): Promise<WriteReceipt>;
}

export interface LedgerWriter extends RegistryWriter, BatchWriter {
  ship(input: {
    to: Address;
    /** The business reference (ASN number, SSCC...): up to 32 bytes of text, or a bytes32. */
    reference: string;
    lines: readonly ShipmentLineInput[];
  }): Promise<ShipReceipt>;
  receiveShipment(input: { shipmentId: Hex; from: Address; lines: readonly ShipmentLine[] }): Promise<WriteReceipt>;
  rejectShipment(input: {
    shipmentId: Hex;
    from: Address;
    lines: readonly ShipmentLine[];
    reason: string;
  }): Promise<WriteReceipt>;
  cancelShipment(input: { shipmentId: Hex; to: Address; lines: readonly ShipmentLine[] }): Promise<WriteReceipt>;
  /** One pack, by its proof (`manifest.proofFor(serial)`); dispensed unless `state` says otherwise. */
  decommission(input: {
    batch: BatchKey;
    pack: PackProof;
    state?: Exclude<PackStateName, "ACTIVE">;
  }): Promise<WriteReceipt>;
  /** Many packs of one batch in one transaction, proved together from the batch's manifest. */
  decommissionMany(input: {
    batch: BatchKey;
    manifest: SerialManifest;
    serials: readonly string[];
    state?: Exclude<PackStateName, "ACTIVE">;
  }): Promise<WriteReceipt>;
  /** Undoes a dispense (within 10 days) or a lock, by the party that did it. */
  reactivate(input: { batch: BatchKey; index: number }): Promise<WriteReceipt>;
}

/** The ledger functions of the participant registry both ledgers inherit. */
type RegistryFunctionName =
  | "onboardParticipant"
  | "suspendParticipant"
  | "reinstateParticipant"
  | "assignCompanyPrefix"
  | "registerProduct"
  | "pause"
  | "unpause";
type PackageLedgerAbi = typeof packageLedgerAbi;
type RegistryWrite = <F extends RegistryFunctionName>(
  functionName: F,
  args: WriteArgs<PackageLedgerAbi, F>,
) => Promise<WriteReceipt>;

/** The registry's writes over one ledger's `write`, so both writers offer them alike. */
export function registryWrites(account: Address, write: RegistryWrite): RegistryWriter {
  // Async, so that a bad GLN or GTIN rejects the promise, as a refusal by the ledger does.
  return {
    account,
    onboardParticipant: async ({ account: participant, role, legalName, gln }) =>
      write("onboardParticipant", [participant, roleNumber(role), legalName, glnToUint64(gln)]),
    suspendParticipant: async (participant, reason) => write("suspendParticipant", [participant, reason]),
    reinstateParticipant: async (participant, reason) => write("reinstateParticipant", [participant, reason]),
    assignCompanyPrefix: async ({ manufacturer, prefix }) => write("assignCompanyPrefix", [manufacturer, prefix]),
    registerProduct: async ({ gtin, name, strength, dosageForm }) =>
      write("registerProduct", [gtinToUint64(gtin), name, strength, dosageForm]),
    pause: async (reason) => write("pause", [reason]),
    unpause: async (reason) => write("unpause", [reason]),
  };
}

type SharedBatchFunctionName = "registerBatch" | "recallBatch" | "suspendBatch" | "reinstateBatch";
type BatchWrite = <F extends SharedBatchFunctionName>(
  functionName: F,
  args: WriteArgs<PackageLedgerAbi, F>,
) => Promise<WriteReceipt>;

/** A batch's writes over one ledger's `write`: both ledgers take the same arguments, selector for selector. */
export function batchWrites(write: BatchWrite): BatchWriter {
  return {
    async registerBatch({ gtin, lot, expiry, manifest, documentHash }) {
      const written = await write("registerBatch", [
        gtinToUint64(gtin),
        lot,
        uint32(expiry, "expiry"),
        uint32(manifest.count, "pack count"),
        manifest.root,
        documentHash ?? ZERO_HASH,
      ]);
      return { ...written, batchId: batchIdOf(gtin, lot) };
    },
    recallBatch: async ({ batch, reason }) => write("recallBatch", [batchIdOfKey(batch), reason]),
    suspendBatch: async ({ batch, reason }) => write("suspendBatch", [batchIdOfKey(batch), reason]),
    reinstateBatch: async ({ batch }) => write("reinstateBatch", [batchIdOfKey(batch)]),
  };
}

/** Sends one ledger's transactions: what every write of a writer goes through. */
export interface ContractWriter<TAbi extends Abi> {
  /** The account that signs. */
  readonly account: Address;
  /**
   * Simulates, signs, sends and waits for the receipt, whose logs it returns for the events the
   * caller reads. `lookup` names what this call knows of (the serials of the packs it lists)
   * before the writer's own lookup.
   */
  send<F extends WriteFunctionName<TAbi>>(
    functionName: F,
    args: WriteArgs<TAbi, F>,
    lookup?: LedgerErrorLookup,
  ): Promise<WriteReceipt & { logs: Log[] }>;
  /** `send`, for a write whose events the caller does not read. */
  write<F extends WriteFunctionName<TAbi>>(
    functionName: F,
    args: WriteArgs<TAbi, F>,
    lookup?: LedgerErrorLookup,
  ): Promise<WriteReceipt>;
}

/** The send-and-wait machinery over a ledger's ABI; every failure becomes a LedgerWriteError. */
export function contractWriter<const TAbi extends Abi>(
  abi: TAbi,
  { publicClient, walletClient, address, lookup }: LedgerWriterOptions,
): ContractWriter<TAbi> {
  const account = walletClient.account;

  async function send<F extends WriteFunctionName<TAbi>>(
    functionName: F,
    args: WriteArgs<TAbi, F>,
    callLookup?: LedgerErrorLookup,
  ): Promise<WriteReceipt & { logs: Log[] }> {
    let transactionHash: Hex | undefined;
    try {
      // Simulating first explains a refusal before anything is signed or paid for.
      const { request } = await publicClient.simulateContract({
        address,
        abi,
        functionName,
        args,
        account,
        chain: walletClient.chain,
      } as never);
      transactionHash = await walletClient.writeContract(request as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash });
      if (receipt.status !== "success") {
        throw new LedgerWriteError(
          "TRANSACTION_REVERTED",
          `The ledger refused the transaction once it was mined (block ${receipt.blockNumber}), although its simulation ` +
            "passed: the ledger's state changed in between. Nothing was recorded; reload and try again.",
          { transactionHash },
        );
      }
      return {
        transactionHash,
        blockNumber: Number(receipt.blockNumber),
        gasUsed: Number(receipt.gasUsed),
        logs: receipt.logs,
      };
    } catch (error) {
      if (error instanceof LedgerWriteError) throw error;
      const { code, message } = explainLedgerError(error, withFallback(callLookup, lookup));
      throw new LedgerWriteError(code, message, {
        cause: error,
        ...(transactionHash === undefined ? {} : { transactionHash }),
      });
    }
  }

  return {
    account: account.address,
    send,
    async write(functionName, args, callLookup) {
      const { logs: _logs, ...written } = await send(functionName, args, callLookup);
      return written;
    },
  };
}

/** `first`'s answers, and `second`'s where `first` knows nothing. */
function withFallback(first: LedgerErrorLookup | undefined, second: LedgerErrorLookup | undefined): LedgerErrorLookup {
  if (first === undefined) return second ?? {};
  if (second === undefined) return first;
  return {
    party: (account) => first.party?.(account) ?? second.party?.(account),
    batch: (batchId) => first.batch?.(batchId) ?? second.batch?.(batchId),
    serial: (batchId, index) => first.serial?.(batchId, index) ?? second.serial?.(batchId, index),
  };
}

/** A mined write that emitted no event the writer expected: the address is not the ledger it was told. */
export function missingEventError(
  code: string,
  what: string,
  transactionHash: Hex,
  address: Address,
): LedgerWriteError {
  return new LedgerWriteError(
    code,
    `The transaction ${transactionHash} was mined but reported no ${what}: check that ${address} is the Pedigree ledger.`,
    { transactionHash },
  );
}

/** The serial's index in its batch's manifest; a serial not in it is refused before anything is sent. */
export function serialIndexOf(manifest: Pick<SerialManifest, "indexOf">, serial: string): number {
  const index = manifest.indexOf(serial);
  if (index === undefined) {
    throw new LedgerWriteError(
      "UNKNOWN_SERIAL",
      `Serial ${serial} is not in this batch's serial manifest: check the pack code, and that the manifest is this batch's. Nothing was sent.`,
    );
  }
  return index;
}

export function createLedgerWriter(options: LedgerWriterOptions): LedgerWriter {
  const { account, send, write: receipt } = contractWriter(pedigreeLedgerAbi, options);

  return {
    // The count ledger inherits the same PedigreeRegistry, so its registry functions take the
    // package ledger's arguments, selector for selector.
    ...registryWrites(account, (functionName, args) => receipt(functionName, args as never)),

    ...batchWrites((functionName, args) => receipt(functionName, args as never)),

    async ship({ to, reference, lines }) {
      const shipmentLines = lines.map((line) => ({ batchId: batchIdOfKey(line.batch), quantity: line.quantity }));
      const { logs, ...written } = await send("ship", [to, shipmentRefOf(reference), toContractLines(shipmentLines)]);
      const shipped = parseEventLogs({ abi: pedigreeLedgerAbi, eventName: "UnitsShipped", logs });
      const shipmentId = shipped[0]?.args.shipmentId;
      if (shipmentId === undefined) {
        throw missingEventError("NO_SHIPMENT_EVENT", "shipment", written.transactionHash, options.address);
      }
      return { ...written, shipmentId, shipment: { shipmentId, from: account, to, lines: shipmentLines } };
    },
    receiveShipment: ({ shipmentId, from, lines }) =>
      receipt("receiveShipment", [shipmentId, from, toContractLines(lines)]),
    rejectShipment: ({ shipmentId, from, lines, reason }) =>
      receipt("rejectShipment", [shipmentId, from, toContractLines(lines), reason]),
    cancelShipment: ({ shipmentId, to, lines }) => receipt("cancelShipment", [shipmentId, to, toContractLines(lines)]),

    decommission: ({ batch, pack, state = "DISPENSED" }) =>
      receipt("decommission", [
        batchIdOfKey(batch),
        BigInt(pack.index),
        pack.serial,
        pack.proof,
        packStateNumber(state),
      ]),

    async decommissionMany({ batch, manifest, serials, state = "DISPENSED" }) {
      const indexes = serials.map((serial) => serialIndexOf(manifest, serial));
      const proof = manifest.tree.multiProof(indexes);
      return receipt("decommissionMany", [
        batchIdOfKey(batch),
        proof.indexes.map(BigInt),
        proof.indexes.map((index) => manifest.serials[index] as string),
        proof.proof,
        proof.flagBits,
        packStateNumber(state),
      ]);
    },

    reactivate: ({ batch, index }) => receipt("reactivate", [batchIdOfKey(batch), BigInt(index)]),
  };
}

export const ZERO_HASH: Hex = `0x${"0".repeat(64)}`;

export function batchIdOfKey(batch: BatchKey): Hex {
  return typeof batch === "string" ? batch : batchIdOf(batch.gtin, batch.lot);
}

function toContractLines(lines: readonly ShipmentLine[]): { batchId: Hex; quantity: bigint }[] {
  return lines.map((line) => ({ batchId: line.batchId, quantity: BigInt(line.quantity) }));
}

/** Text of up to 32 bytes → bytes32 (right-padded with zeros, as shipmentRefText reads it); a bytes32 as it is. */
export function shipmentRefOf(reference: string): Hex {
  if (/^0x[0-9a-fA-F]{64}$/.test(reference)) return reference as Hex;
  const bytes = new TextEncoder().encode(reference);
  if (bytes.length === 0 || bytes.length > 32) {
    throw new LedgerWriteError(
      "BAD_SHIPMENT_REFERENCE",
      `The shipment reference '${reference}' has ${bytes.length} bytes: use 1 to 32 (an ASN number or an SSCC fits).`,
    );
  }
  return stringToHex(reference, { size: 32 });
}

export function glnToUint64(gln: string): bigint {
  if (!/^\d{13}$/.test(gln)) {
    throw new LedgerWriteError("BAD_GLN", `GLN '${gln}' must be 13 digits (the last one its check digit).`);
  }
  return BigInt(gln);
}

export function uint32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new LedgerWriteError(
      "BAD_NUMBER",
      `The ${what} ${String(value)} must be a whole number from 0 to 4294967295.`,
    );
  }
  return value;
}
