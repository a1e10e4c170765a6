/**
 * The package-level ledger's half of the reading layer (./sources.ts picks it by `ctx.ledger.kind`):
 * where a proved pack is, from the read model's custody tables or from the lens's `verifyPack` on
 * the chain. Both give a `LedgerVerification` with the pack's place, so the verdict (decideVerdict),
 * the answer and the alerts are the count ledger's code, unchanged.
 *
 * The lens needs to be told which case a pack is in when nobody has moved it since its packaging
 * line packed it into a range-packed case (IPedigreePackageLens.verifyPack's `unit`): the chain
 * keeps nothing per pack until it moves. The read model knows the case (the range that holds the
 * pack), so a check on the chain asks it first.
 */
import {
  VERDICT_OF_CONTRACT_VERDICT,
  batchStatusName,
  gtinToUint64,
  packageContractVerdictName,
  packageLensAbi,
  packStateName,
  placeKindName,
} from "@pedigree/ledger";
import { getAddress, zeroAddress, type Address, type Hex } from "viem";
import { lensOf, type AppContext } from "../context.ts";
import { packWhereabouts, type Whereabouts } from "../read/custody.ts";
import { packRecordOf, type LedgerVerification, type PackPlace } from "./read-model.ts";

/** What the read model says of a pack's place at its indexed block, for `verificationFromReadModel`. */
export interface IndexedPackPlace {
  pack: ReturnType<typeof packRecordOf>;
  place: PackPlace;
}

/** The pack's place in the read model, or null for a batch it does not know. */
export async function packPlaceFromReadModel(
  ctx: AppContext,
  batchId: Hex,
  index: number,
): Promise<IndexedPackPlace | null> {
  const where = await packWhereabouts(ctx.db, batchId, index);
  if (where === undefined) return null;
  const place = placeOfWhereabouts(where);
  return { pack: packRecordOf(place, where.state, where.at), place };
}

function placeOfWhereabouts(where: Whereabouts): PackPlace {
  return {
    place: where.place,
    party: where.party === "" ? null : getAddress(where.party),
    recipient: where.recipient === null ? null : getAddress(where.recipient),
    unit: where.path[0] ?? null,
    top: where.path.at(-1) ?? null,
  };
}

/** What `verifyPack` on the lens is asked: the label, the serial's index and proof, and the case the read model knows. */
export interface LensQuery {
  gtin: string;
  lot: string;
  serial: string;
  index: number;
  proof: readonly Hex[];
  /** YYYYMMDD, 0 when the code has none. */
  labelExpiry: number;
  batchId: Hex;
}

/**
 * The lens's `verifyPack` and the batch's record (`batch`), at the head. Calls made together go to
 * the node as one JSON-RPC batch (chainClient), so with the head's number this is one exchange.
 */
export async function readLensVerification(
  ctx: AppContext,
  query: LensQuery,
  blockNumber: Promise<bigint>,
): Promise<{ head: bigint; verification: LedgerVerification }> {
  const lens = lensOf(ctx.ledger);
  // The read model names the unit the pack was packed into; a pack that moved since needs no name.
  const unit = await unitHintOf(ctx, query.batchId, query.index);
  const [head, result, batch] = await Promise.all([
    blockNumber,
    ctx.chain.readContract({
      address: lens,
      abi: packageLensAbi,
      functionName: "verifyPack",
      args: [
        gtinToUint64(query.gtin),
        query.lot,
        query.serial,
        BigInt(query.index),
        [...query.proof],
        query.labelExpiry,
        unit,
      ],
    }),
    ctx.chain.readContract({ address: lens, abi: packageLensAbi, functionName: "batch", args: [query.batchId] }),
  ]);
  const contractVerdict = packageContractVerdictName(result.verdict);
  const verification: LedgerVerification = {
    verdict: VERDICT_OF_CONTRACT_VERDICT[contractVerdict],
    contractVerdict,
    batchId: result.batchId,
  };
  const status = batchStatusName(batch.status);
  if (status !== "NONE") {
    verification.batch = {
      manufacturer: batch.manufacturer,
      status,
      expiry: Number(batch.expiry),
      packCount: Number(batch.packCount),
      serialsRoot: batch.serialsRoot,
    };
  }
  // The lens resolves the place only once the serial is proved and the label matches.
  if (["UnknownBatch", "UnknownProduct", "UnknownSerial", "Mismatch"].includes(contractVerdict)) {
    return { head, verification };
  }
  const { location } = result;
  const kind = placeKindName(location.kind);
  if (kind === "IN_UNIT" || kind === "FRESH") {
    // A pack of a range-packed case the read model has not indexed yet: its case, and so its
    // custody and any quarantine of it, cannot be read. Not a verdict to guess.
    throw new Error(
      `the ledger cannot say where pack ${query.index} of lot ${query.lot} is without the case it was packed into, ` +
        "which this server has not indexed yet; try again shortly",
    );
  }
  const place: PackPlace = {
    place: kind,
    party: addressOrNull(location.party),
    recipient: kind === "IN_TRANSIT" ? addressOrNull(location.recipient) : null,
    unit: location.parent === 0n ? null : ssccText(location.parent),
    top: location.top === 0n ? null : ssccText(location.top),
  };
  const decommissioned = kind === "DECOMMISSIONED";
  verification.pack = packRecordOf(
    place,
    decommissioned ? packStateName(location.state) : null,
    decommissioned ? Number(location.at) : null,
  );
  verification.place = place;
  return { head, verification };
}

/** The unit the read model says the pack is directly in (0n when loose, unknown, or the read model cannot say). */
async function unitHintOf(ctx: AppContext, batchId: Hex, index: number): Promise<bigint> {
  const where = await packWhereabouts(ctx.db, batchId, index).catch(() => undefined);
  const unit = where?.path[0];
  return unit === undefined ? 0n : BigInt(unit);
}

function addressOrNull(address: Address): Address | null {
  return address === zeroAddress ? null : address;
}

/** An SSCC as the read model keys it: 18 digits. */
function ssccText(sscc: bigint): string {
  return sscc.toString().padStart(18, "0");
}
