/**
 * Turns whatever a write threw (a simulated revert, a wallet refusal, an unreachable node) into
 * one sentence for people. Ledger reverts are explained from the decoded custom error and what
 * the page knows about the parties and batches it names.
 */
import { BaseError, ContractFunctionRevertedError, UserRejectedRequestError } from "viem";
import { BATCH_STATUSES, PACK_STATES, ROLES } from "@pedigree/ledger";

/** What the page knows, to name parties and batches instead of printing hex. */
export interface ExplainLookup {
  partyName?(address: string): string | undefined;
  batchLabel?(batchId: string): string | undefined;
}

export interface Explanation {
  message: string;
  /** The contract's custom error name, when the ledger refused. */
  errorName?: string;
}

type Args = readonly unknown[];

function yyyymmdd(value: unknown): string {
  const text = String(value);
  return /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}` : text;
}

function enumName(names: readonly string[], value: unknown): string {
  return (names[Number(value)] ?? String(value)).toLowerCase();
}

function ledgerMessage(name: string, args: Args, lookup: ExplainLookup): string {
  const party = (value: unknown) => lookup.partyName?.(String(value)) ?? String(value);
  const batch = (value: unknown) => {
    const label = lookup.batchLabel?.(String(value));
    return label ? `batch ${label}` : "this batch";
  };
  const [a, b, c, d] = args;
  switch (name) {
    case "PedigreeNotParticipant":
      return `${party(a)} is not a registered participant of the ledger. Ask the administrator to onboard it.`;
    case "PedigreeParticipantSuspended":
      return `${party(a)} is suspended and can do nothing until the administrator reinstates it.`;
    case "PedigreeParticipantNotSuspended":
      return `${party(a)} is not suspended, so there is nothing to reinstate.`;
    case "PedigreeParticipantExists":
      return `${party(a)} is already onboarded (as ${enumName(ROLES, b)}).`;
    case "PedigreeRoleNotAllowed":
      return `${party(a)} may not do this as a ${enumName(ROLES, b)}.`;
    case "PedigreeInvalidName":
      return `The name is too long or empty: ${String(a)} bytes, at most ${String(b)}.`;
    case "PedigreeInvalidGln":
      return `GLN ${String(a)} is not valid: it must be 13 digits with a correct check digit.`;
    case "PedigreeInvalidCompanyPrefix":
      return `Company prefix '${String(a)}' is not valid: 6 to 12 digits.`;
    case "PedigreeCompanyPrefixTaken":
      return `Company prefix ${String(a)} already belongs to ${party(b)}.`;
    case "PedigreeInvalidGtin":
      return `GTIN ${String(a)} is not valid: 14 digits with a correct check digit.`;
    case "PedigreeGtinOutsideCompanyPrefixes":
      return `GTIN ${String(a)} is not under any company prefix assigned to ${party(b)}.`;
    case "PedigreeProductExists":
      return `GTIN ${String(a)} is already registered.`;
    case "PedigreeUnknownProduct":
      return `GTIN ${String(a)} is not registered: register the product first.`;
    case "PedigreeNotProductManufacturer":
      return `Only ${party(c)}, the product's manufacturer, may register its batches.`;
    case "PedigreeInvalidLot":
      return `Lot '${String(a)}' is not valid: 1 to 20 GS1 characters (bad character at position ${Number(b) + 1}).`;
    case "PedigreeInvalidExpiry":
      return `Expiry ${yyyymmdd(a)} is not valid or already past.`;
    case "PedigreeInvalidPackCount":
      return `A batch needs between 1 and 4,294,967,295 packs (got ${String(a)}).`;
    case "PedigreeEmptySerialsRoot":
      return "The serial list is missing.";
    case "PedigreeBatchExists":
      return `${batch(a)} is already registered: use another lot number.`.replace(/^this/, "This");
    case "PedigreeUnknownBatch":
      return "This batch is not registered on the ledger.";
    case "PedigreeNotBatchManufacturer":
      return `Only ${party(c)}, the batch's manufacturer, may do this.`;
    case "PedigreeInvalidBatchTransition":
      return `${batch(a)} is ${enumName(BATCH_STATUSES, b)} and cannot become ${enumName(BATCH_STATUSES, c)}.`.replace(
        /^this/,
        "This",
      );
    case "PedigreeBatchNotMovable":
      return `${batch(a)} is ${enumName(BATCH_STATUSES, b)} (expiry ${yyyymmdd(c)}): its units can only go back to the manufacturer.`.replace(
        /^this/,
        "This",
      );
    case "PedigreeEmptyReason":
      return "Give a reason.";
    case "PedigreeRouteNotAllowed":
      return `A ${enumName(ROLES, b)} may not ship to a ${enumName(ROLES, d)} (${party(c)}).`;
    case "PedigreeReturnToOtherManufacturer":
      return `Returns of ${batch(a)} go to its own manufacturer, ${party(c)}, not to ${party(b)}.`;
    case "PedigreeEmptyShipment":
      return "The shipment has no lines.";
    case "PedigreeZeroQuantity":
      return `A line of ${batch(a)} has a quantity of zero.`;
    case "PedigreeInsufficientUnits":
      return `${party(b)} holds ${String(c)} units of ${batch(a)}, fewer than the ${String(d)} requested.`;
    case "PedigreeShipmentExists":
      return "A shipment with this reference was already sent in this block: use another reference.";
    case "PedigreeShipmentNotPending":
      return "This shipment is no longer pending: it was received, rejected or cancelled already.";
    case "PedigreeShipmentMismatch":
      return "The shipment's lines do not match what was shipped. Reload the page and try again.";
    case "PedigreeIndexOutOfRange":
      return `Pack index ${String(b)} is beyond the batch's ${String(c)} packs.`;
    case "PedigreeInvalidProof":
      return "The pack's proof does not match the batch's serial list.";
    case "PedigreeInvalidPackState":
      return `${enumName(PACK_STATES, a)} is not a state a pack can be decommissioned to.`;
    case "PedigreeDispenseNotAllowed":
      return `${batch(a)} is ${enumName(BATCH_STATUSES, b)} or expired (expiry ${yyyymmdd(c)}): its packs cannot be dispensed.`.replace(
        /^this/,
        "This",
      );
    case "PedigreePackNotActive":
      return `This pack is already ${enumName(PACK_STATES, c)}.`;
    case "PedigreeUndoNotAllowed":
      return `This pack is ${enumName(PACK_STATES, c)}; only a dispense or a lock can be undone, while the batch is active and unexpired.`;
    case "PedigreeUndoByOtherParty":
      return `Only ${party(c)}, who decommissioned this pack, may undo it.`;
    case "PedigreeUndoWindowClosed":
      return "A dispense can only be undone within 10 days; that time has passed.";
    case "PedigreeLengthMismatch":
      return `${String(a)} pack indexes were given with ${String(b)} serials.`;
    case "EnforcedPause":
      return "The ledger is paused by its administrator: custody writes are stopped for now.";
    case "ExpectedPause":
      return "The ledger is not paused.";
    case "AccessControlUnauthorizedAccount":
      return `${party(a)} is not allowed to do this (administrator only).`;
    default:
      return `The ledger refused the transaction (${name}).`;
  }
}

export function explainWriteError(error: unknown, lookup: ExplainLookup = {}): Explanation {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName) {
      const { errorName, args } = revert.data;
      return { errorName, message: ledgerMessage(errorName, args ?? [], lookup) };
    }
    if (error.walk((e) => e instanceof UserRejectedRequestError)) {
      return { message: "You declined the request in your wallet; nothing was sent." };
    }
    const text = `${error.shortMessage} ${error.details ?? ""}`;
    if (/insufficient funds/i.test(text)) {
      return { message: "This account has no funds to pay for the transaction's gas." };
    }
    if (/fetch|HTTP request failed|network|ECONNREFUSED|timed? ?out/i.test(text)) {
      return { message: "The chain cannot be reached right now. Check that the node is running and try again." };
    }
    return { message: error.shortMessage };
  }
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
