/**
 * A batch's serial manifest: its serial list, the Merkle tree the ledger holds the root of, and
 * the lookups a verification needs (serial → index → proof).
 */
import { SerialTree, type Hex } from "./serialTree.ts";
import { checkSerial } from "./serialList.ts";

export interface PackProof {
  serial: string;
  /** Position of the serial in the list: the leaf index the contract takes. */
  index: number;
  proof: Hex[];
}

export interface SerialManifest {
  /** The Merkle root to register with the batch (`registerBatch(..., serialsRoot, ...)`). */
  readonly root: Hex;
  /** Number of serials: the batch's pack count. */
  readonly count: number;
  readonly tree: SerialTree;
  /** The serials, in list order. */
  readonly serials: readonly string[];
  /** The serial's position in the list, or undefined when it is not in this batch. */
  indexOf(serial: string): number | undefined;
  /** Index and Merkle proof of a serial, for `verifyPack` and `decommission`; undefined when unknown. */
  proofFor(serial: string): PackProof | undefined;
}

/**
 * Builds the manifest of a serial list (typically `parseSerialList(...).serials`). Throws a
 * RangeError for an empty list, an invalid serial or a duplicate, naming its index: a manifest
 * with either would commit the batch to a list no pack can be proved against as intended.
 */
export function buildManifest(list: readonly string[]): SerialManifest {
  // A copy, so that a caller changing its array later cannot desynchronise the lookups and the tree.
  const serials: readonly string[] = Object.freeze(list.slice());
  if (serials.length === 0) throw new RangeError("A manifest needs at least one serial");
  const indexes = new Map<string, number>();
  for (let index = 0; index < serials.length; index++) {
    const serial = serials[index] as string;
    const problem = typeof serial === "string" ? checkSerial(serial) : { message: `got ${typeof serial}` };
    if (problem !== undefined) {
      throw new RangeError(`Serial at index ${index}: ${problem.message}; read lists with parseSerialList first`);
    }
    const first = indexes.get(serial);
    if (first !== undefined) {
      throw new RangeError(`Serial ${serial} appears at index ${first} and again at index ${index}`);
    }
    indexes.set(serial, index);
  }
  const tree = SerialTree.build(serials);
  return {
    root: tree.root,
    count: serials.length,
    tree,
    serials,
    indexOf: (serial) => indexes.get(serial),
    proofFor(serial) {
      const index = indexes.get(serial);
      return index === undefined ? undefined : { serial, index, proof: tree.proof(index) };
    },
  };
}
