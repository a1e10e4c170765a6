/**
 * The ledger's refusals in plain words. A write that fails (in simulation, in the wallet, or on
 * the way to the chain) becomes one sentence that says what is wrong and what to do, naming the
 * parties and batches the caller's lookup knows, so no screen ever shows a raw revert.
 */
import {
  decodeErrorResult,
  keccak256,
  stringToHex,
  type ContractErrorArgs,
  type ContractErrorName,
  type Hex as ViemHex,
} from "viem";
import { gs1CheckDigit, isValidSscc } from "@pedigree/gs1";
import { packageLedgerAbi } from "./generated/packageLedgerAbi.ts";
import { pedigreeLedgerAbi } from "./generated/pedigreeLedgerAbi.ts";
import {
  batchStatusName,
  packStateName,
  placeKindName,
  roleName,
  type BatchStatusName,
  type PackStateName,
} from "./enums.ts";
import { isoDateFromYyyymmdd } from "./dates.ts";
import type { Address, Hex } from "./types.ts";

type LedgerAbi = typeof pedigreeLedgerAbi;
type PackageLedgerAbi = typeof packageLedgerAbi;
/**
 * Every custom error the ledgers' ABIs declare (their own and OpenZeppelin's): the count ledger's
 * and the package-level ledger's, which share the registry's and many more by name.
 */
export type LedgerErrorName = ContractErrorName<LedgerAbi> | ContractErrorName<PackageLedgerAbi>;
/** The arguments of error `N`, from the ABI that declares it (both declare a shared one alike). */
type LedgerErrorArgs<N extends LedgerErrorName> =
  N extends ContractErrorName<PackageLedgerAbi>
    ? ContractErrorArgs<PackageLedgerAbi, N>
    : N extends ContractErrorName<LedgerAbi>
      ? ContractErrorArgs<LedgerAbi, N>
      : never;

/** What the caller knows about a party, to name it instead of showing its address. */
export interface ErrorPartyInfo {
  name: string;
  gln?: string;
}

/** What the caller knows about a batch, to name it instead of showing its id. */
export interface ErrorBatchInfo {
  /** GTIN-14. */
  gtin: string;
  lot: string;
  productName?: string;
  /** When the batch was recalled: a Date, an ISO 8601 string, or Unix seconds. */
  recalledAt?: Date | string | number;
  /** Who recalled it: a name, or an address the party lookup can name. */
  recalledBy?: string;
}

export interface LedgerErrorLookup {
  party?(address: Address): ErrorPartyInfo | undefined;
  batch?(batchId: Hex): ErrorBatchInfo | undefined;
  /** The serial of the pack at `index` of a batch's manifest, to name a pack by its serial. */
  serial?(batchId: Hex, index: number): string | undefined;
}

export interface LedgerErrorExplanation {
  /**
   * The contract's error name for a ledger refusal (e.g. `PedigreeBatchNotMovable`); otherwise
   * one of USER_REJECTED, INSUFFICIENT_FUNDS, CHAIN_UNREACHABLE, WRONG_CHAIN, REVERTED_WITH_REASON,
   * PANIC, REVERTED_WITHOUT_REASON, UNKNOWN_REVERT, UNKNOWN.
   */
  code: string;
  message: string;
}

/** A ledger custom error found in a failure: its name and decoded arguments. */
export interface DecodedLedgerError {
  errorName: LedgerErrorName;
  args: readonly unknown[];
}

/**
 * Explains any failure of a ledger write or call: a viem error (from simulateContract,
 * writeContract, estimateGas, a wallet), raw revert data (a hex string), or anything else.
 */
export function explainLedgerError(error: unknown, lookup: LedgerErrorLookup = {}): LedgerErrorExplanation {
  const chain = causes(error);
  const words = new Words(lookup);

  // The user's own choice comes first: a cancelled signature is not a failure to explain away.
  if (chain.some((e) => e.name === "UserRejectedRequestError" || e.code === 4001 || e.code === "ACTION_REJECTED")) {
    return {
      code: "USER_REJECTED",
      message: "You cancelled the signature in your wallet; nothing was recorded.",
    };
  }

  const decoded = decodeLedgerError(error);
  if (decoded !== undefined) {
    const explain = EXPLANATIONS[decoded.errorName] as (args: readonly unknown[], words: Words) => string;
    return { code: decoded.errorName, message: explain(decoded.args, words) };
  }

  const revertData = findRevertData(chain);
  const reverted = chain.find((e) => e.name === "ContractFunctionRevertedError");
  if (revertData?.startsWith("0x4e487b71") === true || reverted?.data?.errorName === "Panic") {
    return {
      code: "PANIC",
      message:
        "The ledger stopped on an internal check (a Solidity panic); nothing was recorded. " +
        "Check the numbers you entered; if they are right, report this to the ledger's operators.",
    };
  }
  if (reverted !== undefined && typeof reverted.reason === "string" && reverted.reason !== "") {
    return {
      code: "REVERTED_WITH_REASON",
      message: `The ledger refused the transaction: ${reverted.reason}. Nothing was recorded.`,
    };
  }
  if (revertData !== undefined && revertData.length >= 10) {
    return {
      code: "UNKNOWN_REVERT",
      message:
        `The contract refused the transaction with an error this application does not know (selector ${revertData.slice(0, 10)}); ` +
        "nothing was recorded. Check that the application talks to the Pedigree ledger's current deployment.",
    };
  }

  if (chain.some(isInsufficientFunds)) {
    return {
      code: "INSUFFICIENT_FUNDS",
      message:
        "Your account does not have enough funds to pay the network fee for this transaction; nothing was recorded. " +
        "Add funds to the account (on a local chain, use one of the demo accounts) and try again.",
    };
  }
  if (chain.some((e) => e.name === "ChainMismatchError")) {
    return {
      code: "WRONG_CHAIN",
      message:
        "Your wallet is connected to a different network than the ledger; nothing was recorded. " +
        "Switch your wallet to the ledger's network and try again.",
    };
  }
  if (chain.some(isUnreachable)) {
    return {
      code: "CHAIN_UNREACHABLE",
      message:
        "The blockchain node cannot be reached right now, so nothing was recorded. " +
        "Check the connection (is the local chain running?) and try again in a moment.",
    };
  }
  if (reverted !== undefined || chain.some((e) => /execution reverted|reverted/i.test(e.message ?? ""))) {
    return {
      code: "REVERTED_WITHOUT_REASON",
      message:
        "The ledger refused the transaction without saying why; nothing was recorded. " +
        "Check the values you entered and that the ledger is not paused, then try again.",
    };
  }
  const first = chain[0];
  const detail = first?.shortMessage ?? first?.message ?? (typeof error === "string" ? error : undefined);
  return {
    code: "UNKNOWN",
    message: `The transaction could not be completed${detail ? `: ${firstLine(detail)}` : ""}. Nothing was recorded; try again.`,
  };
}

/**
 * The ledger custom error inside a failure, decoded against the ledger's ABI, or undefined when
 * there is none (a cancelled signature, an unreachable node, an unknown error).
 */
export function decodeLedgerError(error: unknown): DecodedLedgerError | undefined {
  const chain = causes(error);
  for (const e of chain) {
    const name = e.data?.errorName;
    if (e.name === "ContractFunctionRevertedError" && typeof name === "string" && isLedgerErrorName(name)) {
      return { errorName: name, args: e.data?.args ?? [] };
    }
  }
  const data = findRevertData(chain);
  if (data === undefined) return undefined;
  try {
    const result = decodeErrorResult({ abi: LEDGER_ERRORS, data: data as ViemHex });
    if (!isLedgerErrorName(result.errorName)) return undefined;
    return { errorName: result.errorName, args: result.args ?? [] };
  } catch {
    return undefined;
  }
}

/** The errors of both ledgers, each once (a shared one is declared alike in both). */
const LEDGER_ERRORS = [
  ...new Map(
    [...pedigreeLedgerAbi, ...packageLedgerAbi]
      .filter((item) => item.type === "error")
      .map((item) => [item.name, item] as const),
  ).values(),
];

const LEDGER_ERROR_NAMES: ReadonlySet<string> = new Set(LEDGER_ERRORS.map((item) => item.name));

function isLedgerErrorName(name: string): name is LedgerErrorName {
  return LEDGER_ERROR_NAMES.has(name);
}

// ---------------------------------------------------------------- reading viem's error chains

/** The fields of viem, wallet and RPC errors this module reads; anything else is ignored. */
interface ErrorLike {
  name?: string;
  message?: string;
  shortMessage?: string;
  details?: string;
  code?: number | string;
  reason?: string;
  raw?: unknown;
  data?: { errorName?: string; args?: readonly unknown[]; data?: unknown } & Record<string, unknown>;
  cause?: unknown;
}

/** The error and its causes, outermost first (viem wraps RPC errors several levels deep). */
function causes(error: unknown): ErrorLike[] {
  // Raw revert data, as a wallet or a log may hand it over.
  if (isHexData(error)) return [{ raw: error }];
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === "object" && chain.length < 20 && !chain.includes(current)) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

const isHexData = (value: unknown): value is string => typeof value === "string" && /^0x([0-9a-fA-F]{2})*$/.test(value);

/** Raw revert data anywhere in the chain: a hex string, `raw`, `data` or `data.data`. */
function findRevertData(chain: readonly ErrorLike[]): string | undefined {
  for (const e of chain) {
    for (const candidate of [e.raw, e.data, e.data?.data]) {
      if (isHexData(candidate) && candidate.length >= 10) return candidate;
    }
  }
  return undefined;
}

function isInsufficientFunds(e: ErrorLike): boolean {
  return (
    e.name === "InsufficientFundsError" ||
    /insufficient funds|doesn't have enough funds|exceeds transaction sender account balance/i.test(
      `${e.message ?? ""} ${e.details ?? ""}`,
    )
  );
}

function isUnreachable(e: ErrorLike): boolean {
  return (
    [
      "HttpRequestError",
      "TimeoutError",
      "WebSocketRequestError",
      "SocketClosedError",
      "ChainDisconnectedError",
      "ProviderDisconnectedError",
    ].includes(e.name ?? "") ||
    e.code === 4900 ||
    e.code === 4901 ||
    e.code === "ECONNREFUSED" ||
    /fetch failed|ECONNREFUSED|network error|failed to fetch/i.test(e.message ?? "")
  );
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.replace(/\.$/, "");
}

// ---------------------------------------------------------------- naming things

/** "3 March 2026": the ledger's day (UTC), as people write it. */
const DAY_MONTH_YEAR = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** Formats the values the ledger's errors carry as words, through the caller's lookup. */
class Words {
  readonly #lookup: LedgerErrorLookup;

  constructor(lookup: LedgerErrorLookup) {
    this.#lookup = lookup;
  }

  /** "Acme Pharma" when the lookup knows the party, otherwise "account 0x…". */
  party(address: unknown): string {
    const text = String(address);
    const known = safely(() => this.#lookup.party?.(text as Address));
    return known?.name ? known.name : `account ${text}`;
  }

  /** "batch L2403 of Amoxicillin 500 mg capsules" / "batch L2403 of GTIN 0…" / "batch 0x1234…abcd". */
  batch(batchId: unknown): string {
    const known = this.batchInfo(batchId);
    if (known === undefined) return `batch ${shortHex(String(batchId))}`;
    return `batch ${known.lot} of ${known.productName ? known.productName : `GTIN ${known.gtin}`}`;
  }

  batchInfo(batchId: unknown): ErrorBatchInfo | undefined {
    return safely(() => this.#lookup.batch?.(String(batchId) as Hex));
  }

  /** "pack 7Q2X of batch L2403 of …" when the lookup knows its serial, else "the pack at position 12 of batch …". */
  pack(batchId: unknown, index: unknown): string {
    const serial = safely(() => this.#lookup.serial?.(String(batchId) as Hex, Number(index)));
    return serial
      ? `pack ${serial} of ${this.batch(batchId)}`
      : `the pack at position ${index} of ${this.batch(batchId)}`;
  }

  /** A logistic unit or a pack, as the errors that name either give them (SSCC 0: the pack). */
  item(sscc: unknown, batchId: unknown, index: unknown): string {
    return BigInt(sscc as bigint) === 0n ? this.pack(batchId, index) : `unit ${ssccText(sscc)}`;
  }

  /** " on 3 March 2026 by Acme Pharma", or as much of it as the lookup knows. */
  recall(batchId: unknown): string {
    const known = this.batchInfo(batchId);
    let out = "";
    const at = known?.recalledAt === undefined ? undefined : dateOf(known.recalledAt);
    if (at !== undefined) out += ` on ${dayText(at)}`;
    if (known?.recalledBy) {
      out += ` by ${/^0x[0-9a-fA-F]{40}$/.test(known.recalledBy) ? this.party(known.recalledBy) : known.recalledBy}`;
    }
    return out;
  }
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function shortHex(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}

function dateOf(value: Date | string | number): Date | undefined {
  const date = value instanceof Date ? value : typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "3 March 2026" (UTC, the ledger's day). */
function dayText(date: Date): string {
  return DAY_MONTH_YEAR.format(date);
}

/** YYYYMMDD (DD = 00: the month's last day) as "3 March 2026"; the number itself when it is no date. */
function yyyymmddText(value: unknown): string {
  try {
    return DAY_MONTH_YEAR.format(new Date(`${isoDateFromYyyymmdd(Number(value))}T00:00:00Z`));
  } catch {
    return String(value);
  }
}

function isValidYyyymmdd(value: unknown): boolean {
  return yyyymmddText(value) !== String(value);
}

function unixText(seconds: unknown): string {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : `${dayText(date)}, ${date.toISOString().slice(11, 16)} UTC`;
}

function roleText(value: unknown): string {
  const name = safely(() => roleName(value as number));
  return name === undefined || name === "NONE" ? "non-participant" : name.toLowerCase();
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

function statusOf(value: unknown): BatchStatusName | undefined {
  return safely(() => batchStatusName(value as number));
}

function packStateText(value: unknown): string {
  const name: PackStateName | undefined = safely(() => packStateName(value as number));
  return name === undefined ? `in state ${String(value)}` : name.toLowerCase();
}

function digits(value: unknown, length: number): string {
  return String(value).padStart(length, "0");
}

/** " (its check digit should be 8)" for a GS1 key whose body is all digits. */
function checkDigitHint(key: string): string {
  const expected = gs1CheckDigit(key.slice(0, -1));
  return expected === undefined ? "" : ` (with these digits its check digit would be ${expected})`;
}

/** "SSCC 395201200000000017": a logistic unit as its label's human-readable text names it, with its 18 digits. */
function ssccText(sscc: unknown): string {
  return `SSCC ${digits(sscc, 18)}`;
}

/**
 * Why `sscc` (text as typed or scanned) is no SSCC, in a sentence; undefined for a valid one.
 * The writers refuse such an SSCC before sending, in the words the ledger's own refusal gets.
 */
export function invalidSsccMessage(sscc: string): string | undefined {
  if (isValidSscc(sscc)) return undefined;
  const hint = /^\d{18}$/.test(sscc) ? checkDigitHint(sscc) : "";
  return `'${sscc}' is not a valid SSCC: an SSCC has 18 digits ending with a correct check digit${hint}. Check the unit's label.`;
}

/** Where a pack or unit is, for a refusal that says who holds it ("is in transit from Acme Pharma AG"). */
function placeText(kind: unknown, party: string): string {
  switch (safely(() => placeKindName(kind as number))) {
    case "IN_TRANSIT":
      return `is in transit from ${party}: it can be moved only once its recipient has received it`;
    case "QUARANTINED":
      return `is quarantined at ${party}: it can neither move nor be dispensed until the quarantine ends`;
    case "DECOMMISSIONED":
      return `was already decommissioned by ${party}, so it can neither move nor be decommissioned again: do not hand it out; treat it as a potential falsification to investigate`;
    case "DESTROYED":
      return `was destroyed by ${party} as illegitimate product: it can never move again. Do not hand it out`;
    default:
      return `is held by ${party}: only its holder can move, aggregate, quarantine or decommission it. If it is in your hands, ask ${party} to record its shipment to you`;
  }
}

/** Why the units of a batch may not move or be supplied: recalled, suspended, quarantined or expired. */
function notSuppliable(words: Words, batchId: unknown, status: unknown, expiry: unknown): string {
  const name = words.batch(batchId);
  switch (statusOf(status)) {
    case "RECALLED":
      return `This ${name} was recalled${words.recall(batchId)}`;
    case "SUSPENDED":
      return `This ${name} is suspended by a regulator`;
    case "QUARANTINED":
      return `This ${name} is quarantined while suspect product is investigated`;
    default:
      return `This ${name} expired on ${yyyymmddText(expiry)}`;
  }
}

const ROUTES =
  "manufacturers ship to distributors and pharmacies; distributors to distributors, pharmacies or the batch's manufacturer; " +
  "pharmacies back to a distributor or the batch's manufacturer";

/** "administrator", "pharmacy"... for an AccessControl role id; undefined for one the ledger does not define. */
function roleIdText(roleId: unknown): string | undefined {
  const id = String(roleId).toLowerCase();
  if (/^0x0{64}$/.test(id)) return "administrator";
  return ROLE_NAMES_BY_ID.get(id);
}

/** keccak256("<ROLE>_ROLE") → role name, as the contract's constants define them. */
const ROLE_NAMES_BY_ID: ReadonlyMap<string, string> = new Map(
  (["REGULATOR", "MANUFACTURER", "DISTRIBUTOR", "PHARMACY"] as const).map((role) => [
    keccak256(stringToHex(`${role}_ROLE`)),
    role.toLowerCase(),
  ]),
);

// ---------------------------------------------------------------- one sentence per error

type Explanations = {
  [N in LedgerErrorName]: (args: LedgerErrorArgs<N>, words: Words) => string;
};

/** Typed by the ABIs: an error added to either ledger and not explained here fails type-checking. */
const EXPLANATIONS: Explanations = {
  // OpenZeppelin: access control with the two-step admin transfer, pause, multiproofs, casts.
  AccessControlBadConfirmation: () =>
    "An account can only renounce a role for itself: sign with the account that holds the role.",
  AccessControlEnforcedDefaultAdminDelay: ([schedule]) =>
    schedule === 0
      ? "No transfer of the administrator role is waiting to be accepted: the current administrator must begin one first."
      : `The transfer of the administrator role cannot be accepted yet: its delay runs until ${unixText(schedule)}. Try again after that.`,
  AccessControlEnforcedDefaultAdminRules: () =>
    "The administrator role changes hands only through the delayed two-step transfer: begin the transfer, then accept it with the new account after the delay.",
  AccessControlInvalidDefaultAdmin: ([account], words) =>
    `${capital(words.party(account))} is not the account the administrator role is being transferred to: only that account can accept it.`,
  AccessControlUnauthorizedAccount: ([account, neededRole], words) => {
    const role = roleIdText(neededRole);
    const who = capital(words.party(account));
    if (role === "administrator")
      return `${who} is not the ledger's administrator: only the administrator can do this.`;
    if (role === undefined)
      return `${who} does not hold the role this needs (role id ${shortHex(String(neededRole))}).`;
    if (role === "pharmacy") return `${who} is not a pharmacy: only a pharmacy can dispense a pack to a patient.`;
    return `${who} is not an active ${role}: only ${article(role)} can do this. Connect with ${article(role)}'s account.`;
  },
  EnforcedPause: () =>
    "The ledger is paused by its administrator: batches, shipments and packs cannot change until it is resumed. Nothing was recorded; try again later.",
  ExpectedPause: () => "The ledger is not paused, so there is nothing to resume.",
  SafeCastOverflowedUintDowncast: ([bits, value]) =>
    `The number ${value} is too large for the ledger (it must fit in ${bits} bits): check the quantities and dates you entered.`,

  // Participants.
  PedigreeNotParticipant: ([account], words) =>
    `${capital(words.party(account))} is not a participant of the ledger: the administrator must onboard it before it can act or receive goods.`,
  PedigreeParticipantSuspended: ([account], words) =>
    `${capital(words.party(account))} is suspended: a suspended participant can neither act nor receive goods until the administrator reinstates it.`,
  PedigreeParticipantNotSuspended: ([account], words) =>
    `${capital(words.party(account))} is not suspended, so there is nothing to reinstate.`,
  PedigreeParticipantExists: ([account, role], words) =>
    `${capital(words.party(account))} is already onboarded as ${article(roleText(role))}: an account has exactly one role. Use another account for another role.`,
  PedigreeRoleNotAllowed: ([account, role], words) => {
    const who = capital(words.party(account));
    const name = roleText(role);
    if (name === "non-participant") {
      return `${who} has no participant role here: onboard a non-zero address as a regulator, manufacturer, distributor or pharmacy (company prefixes go to manufacturers only).`;
    }
    if (name === "regulator") {
      return `${who} is a regulator: regulators hold no stock, so they neither pack units nor decommission packs, and hold no company prefixes; suspend, quarantine or recall the batch instead.`;
    }
    return `${who} is ${article(name)}: only manufacturers can hold GS1 company prefixes.`;
  },
  PedigreeUseParticipantRegistry: () =>
    "Participant roles are not granted directly: onboard, suspend or reinstate the participant instead.",
  PedigreeInvalidName: ([length, maxLength]) =>
    length === 0n
      ? "A name is empty: legal names, product names, strengths and dosage forms need 1 to " +
        `${maxLength} characters.`
      : `A name is ${length} bytes long: legal names, product names, strengths and dosage forms may have at most ${maxLength}. Shorten it.`,
  PedigreeInvalidGln: ([gln]) => {
    const text = digits(gln, 13);
    return `${text} is not a valid GLN: a GLN has 13 digits ending with a correct check digit${text.length === 13 ? checkDigitHint(text) : ""}. Check the number.`;
  },
  PedigreeInvalidCompanyPrefix: ([prefix]) =>
    `'${prefix}' is not a GS1 company prefix: a prefix has 6 to 12 digits, as GS1 assigned it.`,
  PedigreeCompanyPrefixTaken: ([prefix, manufacturer], words) =>
    `The GS1 company prefix ${prefix} overlaps one already assigned to ${words.party(manufacturer)}: each numbering range belongs to one manufacturer. Check the prefix.`,

  // Products and batches.
  PedigreeInvalidGtin: ([gtin]) => {
    const text = digits(gtin, 14);
    return `${text} is not a valid GTIN-14: it needs 14 digits ending with a correct check digit${text.length === 14 ? checkDigitHint(text) : ""}. Check the number.`;
  },
  PedigreeGtinOutsideCompanyPrefixes: ([gtin, manufacturer], words) =>
    `GTIN ${digits(gtin, 14)} is not under any GS1 company prefix assigned to ${words.party(manufacturer)}: use a GTIN from your own prefixes, or ask the administrator to assign the prefix.`,
  PedigreeProductExists: ([gtin, manufacturer], words) =>
    `A product with GTIN ${digits(gtin, 14)} is already registered by ${words.party(manufacturer)}: register each product once, then register batches of it.`,
  PedigreeUnknownProduct: ([gtin]) =>
    `No product with GTIN ${digits(gtin, 14)} is registered on the ledger: check the GTIN, or register the product before its batches.`,
  PedigreeNotProductManufacturer: ([gtin, caller, manufacturer], words) =>
    `The product with GTIN ${digits(gtin, 14)} belongs to ${words.party(manufacturer)}, not ${words.party(caller)}: only a product's manufacturer can register its batches.`,
  PedigreeInvalidLot: ([lot, badIndex]) => {
    const length = new TextEncoder().encode(lot).length;
    if (length === 0 || length > 20 || Number(badIndex) >= length) {
      return `A lot number needs 1 to 20 characters; '${lot}' has ${length}.`;
    }
    const character = new TextDecoder().decode(
      new TextEncoder().encode(lot).slice(Number(badIndex), Number(badIndex) + 1),
    );
    return `Lot '${lot}' has a character GS1 does not allow ('${character}' at position ${Number(badIndex) + 1}): use letters, digits and !"%&'()*+,-./:;<=>?_ only.`;
  },
  PedigreeInvalidExpiry: ([expiry]) =>
    isValidYyyymmdd(expiry)
      ? `The expiry date ${yyyymmddText(expiry)} is already past: a batch is registered with an expiry date still to come.`
      : `${expiry} is not an expiry date: write it as YYYYMMDD (DD = 00 for the last day of the month).`,
  PedigreeInvalidPackCount: () => "A batch needs at least one pack: the pack count was 0.",
  PedigreeEmptySerialsRoot: () =>
    "The batch has no serial list: generate or upload its serial numbers so that its Merkle root is not empty.",
  PedigreeBatchExists: ([batchId], words) =>
    `${capital(words.batch(batchId))} is already registered: a lot is registered only once per product. Use a new lot number.`,
  PedigreeUnknownBatch: ([batchId], words) =>
    `${capital(words.batch(batchId))} is not registered on the ledger: check the GTIN and lot number.`,
  PedigreeNotBatchManufacturer: ([batchId, caller, manufacturer], words) =>
    `Only the manufacturer of ${words.batch(batchId)} (${words.party(manufacturer)}) or a regulator can recall it, and ${words.party(caller)} is neither.`,
  PedigreeInvalidBatchTransition: ([batchId, current, target], words) => {
    const name = capital(words.batch(batchId));
    const from = statusOf(current);
    const to = statusOf(target);
    if (from === "RECALLED") {
      return `${name} was recalled${words.recall(batchId)}, which is final: it cannot be suspended, quarantined, reinstated or recalled again.`;
    }
    if (from === to) return `${name} is already ${String(from).toLowerCase()}.`;
    // Reinstating and clearing a quarantine both aim at ACTIVE; ending a quarantine as illegitimate aims at RECALLED.
    if (from === "ACTIVE") {
      return to === "RECALLED"
        ? `${name} is not quarantined, so there is no quarantine to end: recall it instead if its product is illegitimate.`
        : `${name} is active: it is neither suspended nor quarantined, so there is nothing to reinstate or clear.`;
    }
    if (from === "QUARANTINED") {
      return `${name} is quarantined: end its quarantine (cleared or illegitimate) before anything else changes its status.`;
    }
    if (from === "SUSPENDED" && to !== "SUSPENDED") {
      return `${name} is suspended, not quarantined: a regulator reinstates it, and only an active batch can be quarantined.`;
    }
    return `${name} cannot change from ${String(from).toLowerCase()} to ${String(to).toLowerCase()}.`;
  },
  PedigreeBatchNotMovable: ([batchId, status, expiry], words) =>
    `${notSuppliable(words, batchId, status, expiry)}: it cannot be shipped, except back to its manufacturer.`,
  PedigreeEmptyReason: () =>
    "A reason is required: write a short reason (why the shipment is rejected, the batch recalled, suspended or quarantined, the items quarantined, the ledger paused or resumed, or the participant suspended or reinstated) and try again.",

  // Shipments.
  PedigreeRouteNotAllowed: ([from, fromRole, to, toRole], words) => {
    if (String(from).toLowerCase() === String(to).toLowerCase()) {
      return "A shipment cannot go to its own sender: choose another recipient.";
    }
    const sender = roleText(fromRole);
    if (sender === "regulator") return "Regulators hold no stock, so they cannot ship.";
    return `${capital(words.party(from))} is ${article(sender)} and cannot ship to ${words.party(to)}, which is ${article(roleText(toRole))}: ${ROUTES}.`;
  },
  PedigreeReturnToOtherManufacturer: ([batchId, to, manufacturer], words) =>
    `${capital(words.batch(batchId))} was made by ${words.party(manufacturer)}, not ${words.party(to)}: returns go only to a batch's own manufacturer.`,
  PedigreeEmptyShipment: () => "The shipment has no lines: add at least one batch and quantity.",
  PedigreeZeroQuantity: ([batchId], words) =>
    `The quantity of ${words.batch(batchId)} is 0: ship or decommission at least one unit.`,
  PedigreeInsufficientUnits: ([batchId, holder, held, requested], words) =>
    held === 0n
      ? `${capital(words.party(holder))} holds no units of ${words.batch(batchId)}, so it cannot ship or decommission ${requested}. Check the stock and the batch.`
      : `${capital(words.party(holder))} holds ${held} units of ${words.batch(batchId)}, fewer than the ${requested} requested: use at most ${held}.`,
  PedigreeShipmentExists: () =>
    "A shipment with this reference was already sent in this block: use a new shipment reference.",
  PedigreeShipmentNotPending: () =>
    "This shipment is no longer pending: it was already received, rejected or cancelled. Reload to see its current state.",
  PedigreeShipmentMismatch: () =>
    "The sender, recipient or lines given do not match the shipment as it was sent: reload the shipment and try again.",

  // Packs.
  PedigreeIndexOutOfRange: ([batchId, index, packCount], words) =>
    `There is no pack at position ${index} of ${words.batch(batchId)}, which has ${packCount} packs: check that the serial manifest belongs to this batch.`,
  PedigreeInvalidProof: ([batchId, index], words) =>
    `The serial does not match the registered serial list of ${words.batch(batchId)} at position ${index}: check that the pack code belongs to this batch; if it does, set the pack aside as a potential falsification.`,
  PedigreeInvalidPackState: () =>
    "A pack cannot be decommissioned as 'active': choose dispensed, destroyed, stolen, sample, exported or locked.",
  PedigreeDispenseNotAllowed: ([batchId, status, expiry], words) =>
    `${notSuppliable(words, batchId, status, expiry)}: its packs may not be dispensed, given as samples or exported, and a dispense cannot be undone. Do not hand the pack out.`,
  PedigreePackNotActive: ([batchId, index, current], words) => {
    const state = packStateText(current);
    const pack = capital(words.pack(batchId, index));
    return state === "dispensed"
      ? `${pack} was already dispensed: it cannot be dispensed again. Do not hand it out; treat it as a potential falsification to investigate.`
      : `${pack} is already ${state}: it cannot be decommissioned again.`;
  },
  PedigreeUndoNotAllowed: ([batchId, index, current], words) => {
    const state = packStateText(current);
    return state === "active"
      ? `${capital(words.pack(batchId, index))} is active: there is nothing to undo.`
      : `A ${state} pack cannot be reactivated: only a dispense (within 10 days) or a lock can be undone.`;
  },
  PedigreeUndoByOtherParty: ([batchId, index, decommissionedBy], words) =>
    `Only ${words.party(decommissionedBy)}, which decommissioned ${words.pack(batchId, index)}, can undo it.`,
  PedigreeUndoWindowClosed: ([, , dispensedAt, deadline]) =>
    `This pack was dispensed on ${unixText(dispensedAt)}; a dispense can be undone only within 10 days, until ${unixText(deadline)}.`,
  PedigreeLengthMismatch: ([indexes, serials]) =>
    `${indexes} pack positions were sent with ${serials} serials: each pack needs both its position and its serial.`,

  // Package-level custody: logistic units (SSCC), where a pack or unit is, who holds it.
  PedigreeNothingListed: () => "Nothing was listed: name at least one unit (by its SSCC) or pack.",
  PedigreeInvalidSscc: ([sscc]) => invalidSsccMessage(digits(sscc, 18)) ?? `${ssccText(sscc)} is not a valid SSCC.`,
  PedigreeSsccOutsideCompanyPrefixes: ([sscc, packer], words) =>
    `${ssccText(sscc)} is not under any GS1 company prefix assigned to ${words.party(packer)}: a manufacturer names its units with SSCCs of its own prefixes (the digits after the extension digit). Use one, or ask the administrator to assign the prefix.`,
  PedigreeUnitExists: ([sscc]) =>
    `A unit with ${ssccText(sscc)} already exists: an SSCC names one logistic unit for good. Label the unit with a new SSCC.`,
  PedigreeUnknownUnit: ([sscc]) =>
    `No unit with ${ssccText(sscc)} is recorded on the ledger: check the SSCC on the unit's label, or pack the unit first.`,
  PedigreeRangeNotAvailable: ([batchId, packedUpTo, count, packCount], words) => {
    const left = packCount - packedUpTo;
    if (count === 0n) return "A case needs at least one pack: the pack count asked for was 0.";
    if (left <= 0n) {
      return `All ${packCount} packs of ${words.batch(batchId)} were already packed into cases: no fresh packs are left to pack.`;
    }
    return `Only ${left} of the ${packCount} packs of ${words.batch(batchId)} are left to pack, fewer than the ${count} asked for: pack at most ${left}.`;
  },
  PedigreePackNotInUnit: ([batchId, index, unit], words) =>
    unit === 0n
      ? `${capital(words.pack(batchId, index))} is inside a unit: name the unit it is directly in (the case's SSCC).`
      : `${capital(words.pack(batchId, index))} is not directly inside unit ${ssccText(unit)}: name the unit it is in, or none when it is loose.`,
  PedigreeUnitNotInUnit: ([sscc, parent]) =>
    parent === 0n
      ? `Unit ${ssccText(sscc)} is not inside any unit, so it cannot be taken out of one.`
      : `Unit ${ssccText(sscc)} is inside unit ${ssccText(parent)}, not the one being opened: take it out of ${ssccText(parent)}.`,
  PedigreePackNotHeld: ([batchId, index, holder, kind], words) =>
    `${capital(words.pack(batchId, index))} ${placeText(kind, words.party(holder))}.`,
  PedigreeUnitNotHeld: ([sscc, holder, kind], words) =>
    `Unit ${ssccText(sscc)} ${placeText(kind, words.party(holder))}.`,
  PedigreePackInUnit: ([batchId, index, unit], words) =>
    `${capital(words.pack(batchId, index))} is inside unit ${ssccText(unit)} and moves with it: act on the whole unit, or take the pack out of it first.`,
  PedigreeUnitInUnit: ([sscc, parent]) =>
    `Unit ${ssccText(sscc)} is inside unit ${ssccText(parent)} and moves with it: act on ${ssccText(parent)}, or take the unit out of it first.`,
  PedigreeNestingTooDeep: ([sscc]) =>
    `Aggregating into ${ssccText(sscc)} would nest units more than 8 levels deep (a pallet of cases of packs is 2): aggregate fewer levels.`,
  PedigreeNotInTransitTo: ([sscc, batchId, index, caller], words) =>
    `${capital(words.item(sscc, batchId, index))} is not pending in a shipment to ${words.party(caller)} from the same sender as the rest: receive or reject only what was shipped to you and not yet settled. Reload the shipment.`,
  PedigreeNotInTransitFrom: ([sscc, batchId, index, caller], words) =>
    `${capital(words.item(sscc, batchId, index))} is not pending in a shipment from ${words.party(caller)}: only what you shipped, and its recipient has not yet received or rejected, can be cancelled. Reload the shipment.`,
  PedigreeNotQuarantined: ([sscc, batchId, index], words) =>
    `${capital(words.item(sscc, batchId, index))} is not in a quarantine you placed: only a regulator, or the holder that quarantined it, can end a quarantine.`,
  PedigreeQuarantinedByRegulator: ([sscc, batchId, index], words) =>
    `${capital(words.item(sscc, batchId, index))} was quarantined by a regulator: only a regulator can end that quarantine.`,
};

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
