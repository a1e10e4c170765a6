/**
 * The shaping half of a check: the answer a person or program gets, from the decided verdict and
 * the findings of ./sources.ts, and what of it each audience may see.
 *
 * Who may see what (DESIGN.md): a patient (anonymous) learns the verdict, the product, the
 * manufacturer and the dates that matter to them (expiry, dispensed on, recalled on, with the
 * reason), never quantities, shipment references or which pharmacy or wholesaler holds stock.
 * A signed-in participant gets the whole answer.
 */
import { toDigitalLink, type ParseResult } from "@pedigree/gs1";
import type { VerdictResult } from "@pedigree/ledger";
import type { Address } from "viem";
import type { PackLocationView, PartyView, VerifyResponse } from "../../lib/api-types.ts";
import type { PartyLookup } from "../read/parties.ts";
import type { PackPlace } from "./read-model.ts";
import type { Findings } from "./sources.ts";
import { wordsFor, type VerdictWords } from "./words.ts";

export type VerifyPurpose = "verify" | "dispense";

/** Who is asking: nobody signed in, or a participant of the ledger. */
export type Audience = "public" | "participant";

export interface AnswerOptions {
  /** The signed-in party that scanned: the holder is named as it when it holds units of the batch. */
  reportedBy?: Address;
  /** Where this server answers Digital Link URIs (e.g. "https://pedigree.example"); default GS1's resolver. */
  digitalLinkBase?: string;
}

/** Which state of the ledger an answer gives: the block, its time (unix seconds) and where it was read. */
export interface AnswerBasis {
  blockNumber: number | null;
  blockTime: number | null;
  source: "read-model" | "chain" | null;
}

/** No source was read. */
export const NOT_READ: AnswerBasis = { blockNumber: null, blockTime: null, source: null };

/** The answer with its verdict and words, and nothing known about the pack yet. */
export function emptyAnswer(
  decision: Pick<VerdictResult, "verdict" | "alert">,
  words: VerdictWords,
  now: Date,
  basis: AnswerBasis,
): VerifyResponse {
  return {
    verdict: decision.verdict,
    headline: words.headline,
    advice: words.advice,
    alert: decision.alert,
    pack: null,
    batch: null,
    product: null,
    manufacturer: null,
    holder: null,
    checkedAt: now.toISOString(),
    blockNumber: basis.blockNumber,
    blockTime: basis.blockTime === null ? null : new Date(basis.blockTime * 1000).toISOString(),
    source: basis.source,
  };
}

/** The answer when verification cannot even start (the server's own connections failed). */
export function unavailableAnswer(now: Date, purpose: VerifyPurpose, reason: string): VerifyResponse {
  const unavailable = [
    { source: "chain" as const, reason },
    { source: "manifest" as const, reason },
  ];
  const decision = { verdict: "UNAVAILABLE" as const, facts: { unavailable }, alert: false };
  return { ...emptyAnswer(decision, wordsFor(decision, purpose), now, NOT_READ), unavailable };
}

/**
 * The answer as `audience` may see it. The public's leaves out who holds or held the pack and
 * where it is, the batch's pack count and the pack's index in its list, and any custody history;
 * its `alert` is false, since an anonymous scan raises none.
 */
export function forAudience(body: VerifyResponse, audience: Audience): VerifyResponse {
  if (audience === "participant") return body;
  const { history: _history, location: _location, inStock: _inStock, ...rest } = body;
  const pack = body.pack === null ? null : (({ index: _index, ...kept }) => kept)(body.pack);
  const batch = body.batch === null ? null : (({ packCount: _count, ...kept }) => kept)(body.batch);
  const decommissioned =
    body.decommissioned == null
      ? body.decommissioned
      : { state: body.decommissioned.state, at: body.decommissioned.at };
  return {
    ...rest,
    // No alert is raised for the public (see verify.ts); the words still say what to do.
    alert: false,
    pack,
    batch,
    holder: null,
    ...(decommissioned === undefined ? {} : { decommissioned }),
  };
}

/**
 * The answer for a decided verdict. `findings` is undefined when no source was read (the code
 * could not be read). The full answer is a participant's; `forAudience` cuts it to the public's.
 */
export function answerOf(
  decision: VerdictResult,
  parsed: ParseResult,
  purpose: VerifyPurpose,
  now: Date,
  basis: AnswerBasis,
  findings: Findings | undefined,
  options: AnswerOptions,
): VerifyResponse {
  const { verdict, facts } = decision;
  const body = emptyAnswer(decision, wordsFor(decision, purpose, findings?.manifestMissing === true), now, basis);
  const party = findings?.party ?? ((address: string | null | undefined) => ({ address: address ?? "" }));
  if (parsed.ok) {
    const value = parsed.value;
    const lot = value.lot ?? findings?.lot;
    const pack: NonNullable<VerifyResponse["pack"]> = {};
    if (value.gtin !== undefined) pack.gtin = value.gtin;
    if (lot !== undefined) pack.lot = lot;
    if (value.serial !== undefined) pack.serial = value.serial;
    if (value.expiry !== undefined) pack.expiry = value.expiry.date;
    if (facts.packIndex !== undefined) pack.index = facts.packIndex;
    if (findings?.packState !== undefined && facts.packIndex !== undefined) pack.state = findings.packState;
    if (value.gtin !== undefined && value.serial !== undefined) {
      pack.digitalLink = toDigitalLink(
        {
          gtin: value.gtin,
          serial: value.serial,
          ...(lot === undefined ? {} : { lot }),
          ...(value.expiry ? { expiry: value.expiry } : {}),
        },
        options.digitalLinkBase,
      );
    }
    body.pack = pack;
  }
  if (facts.product !== undefined) {
    body.product = {
      gtin: facts.product.gtin,
      name: facts.product.name,
      strength: facts.product.strength ?? "",
      dosageForm: facts.product.dosageForm ?? "",
    };
  }
  if (facts.manufacturer !== undefined) body.manufacturer = party(facts.manufacturer.address);
  if (facts.batch !== undefined && facts.batch.batchId !== undefined) {
    const statusEvent = facts.recall ?? facts.suspension ?? facts.quarantine;
    body.batch = {
      batchId: facts.batch.batchId,
      lot: facts.batch.lot,
      expiry: facts.batch.expiry,
      status: facts.batch.status,
      packCount: facts.batch.packCount ?? 0,
      ...(statusEvent?.reason === undefined ? {} : { statusReason: statusEvent.reason }),
      ...(statusEvent?.at === undefined ? {} : { statusAt: statusEvent.at }),
    };
  }
  const decommission =
    facts.dispensed !== undefined ? { state: "DISPENSED", ...facts.dispensed } : facts.decommissioned;
  if (decommission !== undefined && decommission.by !== undefined && decommission.at !== undefined) {
    body.decommissioned = { state: decommission.state, by: party(decommission.by.address), at: decommission.at };
  }
  body.holder = holderOf(decommission?.by?.address, findings?.holders ?? [], options.reportedBy, party);
  // Where the pack is and whether it is the scanning pharmacy's to dispense: only for a proved serial.
  if (findings?.place !== undefined && facts.packIndex !== undefined)
    body.location = locationView(findings.place, party);
  if (purpose === "dispense" && options.reportedBy !== undefined && facts.packIndex !== undefined) {
    body.inStock = (findings?.holders ?? []).includes(options.reportedBy.toLowerCase());
  }
  if (facts.codeError !== undefined) body.codeError = { code: facts.codeError.code, message: facts.codeError.message };
  if (facts.mismatch !== undefined) body.mismatch = facts.mismatch;
  if (facts.unavailable !== undefined) body.unavailable = facts.unavailable;
  if (facts.expiredOn !== undefined) body.expiredOn = facts.expiredOn;
  return body;
}

/**
 * Who has the pack: the party that decommissioned it; otherwise the scanning party when it holds
 * it, or the only holder. On the count ledger units are tracked per batch (the holders are the
 * batch's), so with several holders the pack's own is not known; on the package-level ledger the
 * holders are the pack's one holder (none while in transit).
 */
function holderOf(
  decommissionedBy: string | undefined,
  holders: readonly string[],
  reportedBy: Address | undefined,
  party: PartyLookup,
): PartyView | null {
  if (decommissionedBy !== undefined) return party(decommissionedBy);
  if (reportedBy !== undefined && holders.includes(reportedBy.toLowerCase())) return party(reportedBy);
  return holders.length === 1 ? party(holders[0]) : null;
}

function locationView(place: PackPlace, party: PartyLookup): PackLocationView {
  return {
    place: place.place,
    party: place.party === null ? null : party(place.party),
    ...(place.recipient === null ? {} : { recipient: party(place.recipient) }),
    ...(place.unit === null ? {} : { unit: place.unit }),
    ...(place.top === null ? {} : { top: place.top }),
  };
}
