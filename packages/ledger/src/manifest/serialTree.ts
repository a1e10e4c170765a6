/**
 * The Merkle tree of a batch's serial list, in OpenZeppelin StandardMerkleTree encoding (leaves
 * `(uint256 index, string serial)`, double-hashed, sorted; sorted-pair keccak256 nodes), which is
 * what the ledger contract verifies. Written for a million serials: one flat buffer of nodes, no
 * per-leaf ABI coder and no allocation per hash (see keccak.ts), many times faster than
 * @openzeppelin/merkle-tree, whose output it reproduces byte for byte (tested).
 */
import { keccak256Into } from "./keccak.ts";

export type Hex = `0x${string}`;

const NODE = 32;
const textEncoder = new TextEncoder();

/** keccak256(bytes.concat(keccak256(abi.encode(index, serial)))), as the contract computes it. */
export function serialLeafHash(index: number, serial: string): Uint8Array {
  const leaf = new Uint8Array(NODE);
  writeLeafHash(index, serial, leaf, 0);
  return leaf;
}

// Scratch buffers reused by every leaf: a leaf's encoding is 128 bytes for a 20-character serial.
let encoding = new Uint8Array(128);
const innerHash = new Uint8Array(NODE);

function writeLeafHash(index: number, serial: string, out: Uint8Array, offset: number): void {
  // abi.encode(uint256 index, string serial): index, offset 0x40, length, bytes right-padded.
  const maxBytes = serial.length * 3;
  if (encoding.length < 96 + maxBytes + 32) encoding = new Uint8Array(96 + maxBytes + 32);
  encoding.fill(0);
  writeUint(encoding, 0, index);
  encoding[63] = 0x40;
  const { written } = textEncoder.encodeInto(serial, encoding.subarray(96));
  writeUint(encoding, 64, written);
  keccak256Into(encoding, 96 + Math.ceil(written / 32) * 32, innerHash, 0);
  keccak256Into(innerHash, NODE, out, offset);
}

/**
 * Multiproof flags as `decommissionMany` takes them: eight to a byte, the first flag in the high bit
 * of the first byte, the last byte's unused bits zero (a `bool[]` would take 32 bytes per flag).
 */
export function packProofFlags(flags: readonly boolean[]): Hex {
  const bytes = new Uint8Array(Math.ceil(flags.length / 8));
  flags.forEach((flag, step) => {
    if (flag) bytes[step >> 3] = (bytes[step >> 3] as number) | (0x80 >> (step & 7));
  });
  return toHex(bytes);
}

/**
 * The leaf hashes of a list's serials, 32 bytes each in order, serial k hashed as index
 * `firstIndex + k` (a part of a longer list starts at its own index): the bulk of building a tree
 * (two of its three hashes per serial), and the part other threads can share (see
 * `SerialTree.fromLeafHashes`).
 */
export function serialLeafHashes(serials: readonly string[], firstIndex = 0): Uint8Array {
  if (!Number.isSafeInteger(firstIndex) || firstIndex < 0) {
    throw new RangeError(`The first serial index must be a whole number from 0 (got ${firstIndex})`);
  }
  const leaves = new Uint8Array(serials.length * NODE);
  for (let k = 0; k < serials.length; k++) writeLeafHash(firstIndex + k, serials[k] as string, leaves, k * NODE);
  return leaves;
}

/** The size of the tree of these leaf hashes (2n - 1 nodes of 32 bytes). */
export function nodeBytesFor(leaves: Uint8Array): number {
  const count = leaves.length / NODE;
  if (count === 0 || !Number.isInteger(count)) {
    throw new RangeError(`Leaf hashes come 32 bytes each, at least one (got ${leaves.length} bytes)`);
  }
  return (2 * count - 1) * NODE;
}

/**
 * The first step of building a tree from its leaf hashes: the leaves sorted by hash into their
 * places at the end of `nodes` (room for 2n - 1 nodes; OpenZeppelin puts the smallest leaf last).
 * Returns each serial index's tree position.
 */
export function placeLeaves(leaves: Uint8Array, nodes: Uint8Array): Uint32Array {
  if (nodes.length !== nodeBytesFor(leaves)) {
    throw new RangeError(
      `The tree of ${leaves.length / NODE} leaves takes ${nodeBytesFor(leaves)} bytes of nodes, not ${nodes.length}`,
    );
  }
  const count = leaves.length / NODE;
  const nodeCount = 2 * count - 1;
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => compareNodes(leaves, a * NODE, leaves, b * NODE));
  const positions = new Uint32Array(count);
  for (let rank = 0; rank < count; rank++) {
    const serialIndex = order[rank] as number;
    const position = nodeCount - 1 - rank;
    nodes.set(leaves.subarray(serialIndex * NODE, serialIndex * NODE + NODE), position * NODE);
    positions[serialIndex] = position;
  }
  return positions;
}

/**
 * The second step: hashes the inner nodes of the subtree under position `top` (0: the whole
 * tree), deepest first, once its leaves are in place; with `fromDepth`, only those from that depth
 * up (0: only the root). The subtrees under two different nodes of one level share no node, so
 * threads can hash them side by side in one shared buffer.
 */
export function hashInnerNodes(nodes: Uint8Array, top: number, fromDepth = Infinity): void {
  const innerCount = (nodes.length / NODE - 1) / 2; // inner nodes are positions 0 to innerCount - 1
  const pair = new Uint8Array(2 * NODE);
  const topDepth = Math.floor(Math.log2(top + 1));
  const deepest = Math.floor(Math.log2(nodes.length / NODE)); // the depth of the last position
  for (let depth = Math.min(deepest - 1, fromDepth); depth >= topDepth; depth--) {
    // The subtree's nodes at this depth are one run of positions.
    const width = 2 ** (depth - topDepth);
    const first = (top + 1) * width - 1;
    const end = Math.min(first + width, innerCount);
    for (let i = end - 1; i >= first; i--) {
      const left = (2 * i + 1) * NODE;
      const right = (2 * i + 2) * NODE;
      const leftFirst = compareNodes(nodes, left, nodes, right) <= 0;
      pair.set(nodes.subarray(leftFirst ? left : right, (leftFirst ? left : right) + NODE), 0);
      pair.set(nodes.subarray(leftFirst ? right : left, (leftFirst ? right : left) + NODE), NODE);
      keccak256Into(pair, 2 * NODE, nodes, i * NODE);
    }
  }
}

export class SerialTree {
  /** All nodes, root first: node i at bytes [i*32, i*32+32); leaves fill the end in reverse order. */
  readonly #nodes: Uint8Array;
  /** Tree position of the leaf of each serial index. */
  readonly #positions: Uint32Array;
  readonly size: number;

  private constructor(nodes: Uint8Array, positions: Uint32Array) {
    this.#nodes = nodes;
    this.#positions = positions;
    this.size = positions.length;
  }

  static build(serials: readonly string[]): SerialTree {
    if (serials.length === 0) throw new RangeError("A serial tree needs at least one serial");
    return SerialTree.fromLeafHashes(serialLeafHashes(serials));
  }

  /**
   * The tree whose leaf hashes (`serialLeafHashes`, 32 bytes each, in serial index order) are
   * given: what `build` does after hashing, for callers that hash the leaves elsewhere (on other
   * threads, see apps/web's treeBuilder.ts).
   */
  static fromLeafHashes(leaves: Uint8Array): SerialTree {
    const nodes = new Uint8Array(nodeBytesFor(leaves));
    const positions = placeLeaves(leaves, nodes);
    hashInnerNodes(nodes, 0);
    return new SerialTree(nodes, positions);
  }

  /**
   * A tree from the parts `parts()` gave (another thread built it and handed its buffers over).
   * Checks only that the sizes fit: the parts must come from `parts()`.
   */
  static fromParts(parts: { nodes: Uint8Array; positions: Uint32Array }): SerialTree {
    const { nodes, positions } = parts;
    if (positions.length === 0 || nodes.length !== (2 * positions.length - 1) * NODE) {
      throw new RangeError(`${nodes.length} bytes of nodes do not make the tree of ${positions.length} serials`);
    }
    return new SerialTree(nodes, positions);
  }

  /** The tree's buffers, for `fromParts` (no copy: hand them over, do not change them). */
  parts(): { nodes: Uint8Array; positions: Uint32Array } {
    return { nodes: this.#nodes, positions: this.#positions };
  }

  get root(): Hex {
    return this.#hexAt(0);
  }

  /** The proof for the serial at `index` in the list, for `decommission` and `verifyPack`. */
  proof(index: number): Hex[] {
    let position = this.#position(index);
    const proof: Hex[] = [];
    while (position > 0) {
      proof.push(this.#hexAt(position % 2 === 1 ? position + 1 : position - 1));
      position = (position - 1) >> 1;
    }
    return proof;
  }

  /**
   * A multiproof for several serial indexes, for `decommissionMany`. `indexes` comes back in the
   * order the contract must receive the leaves (OpenZeppelin's multiproof order); `proofFlags` are
   * OpenZeppelin's flags, and `flagBits` the same packed as the contract takes them
   * (`packProofFlags`).
   */
  multiProof(indexes: readonly number[]): { indexes: number[]; proof: Hex[]; proofFlags: boolean[]; flagBits: Hex } {
    const byPosition = new Map<number, number>();
    for (const index of indexes) {
      const position = this.#position(index);
      if (byPosition.has(position)) throw new RangeError(`Serial index ${index} appears twice`);
      byPosition.set(position, index);
    }
    const positions = [...byPosition.keys()].sort((a, b) => b - a);
    const queue = positions.slice();
    const proof: Hex[] = [];
    const proofFlags: boolean[] = [];
    let head = 0;
    while (head < queue.length && (queue[head] as number) > 0) {
      const position = queue[head++] as number;
      const sibling = position % 2 === 1 ? position + 1 : position - 1;
      if (head < queue.length && queue[head] === sibling) {
        proofFlags.push(true);
        head++;
      } else {
        proofFlags.push(false);
        proof.push(this.#hexAt(sibling));
      }
      queue.push((position - 1) >> 1);
    }
    return {
      indexes: positions.map((position) => byPosition.get(position) as number),
      proof,
      proofFlags,
      flagBits: packProofFlags(proofFlags),
    };
  }

  /** Number of nodes in the tree (2 × size − 1), root at position 0. */
  get nodeCount(): number {
    return this.#nodes.length / NODE;
  }

  /** Tree position of the leaf of the serial at `index` in the list (OpenZeppelin layout: node p's children are 2p+1 and 2p+2). */
  leafPosition(index: number): number {
    return this.#position(index);
  }

  /**
   * A copy of `count` nodes (32 bytes each) from tree position `from`, for a store that keeps the
   * tree to serve proofs without rebuilding it. Cut short at the end of the tree.
   */
  nodeBytes(from: number, count: number): Uint8Array {
    if (!Number.isInteger(from) || from < 0 || !Number.isInteger(count) || count < 0) {
      throw new RangeError(`Node range ${from} + ${count} is not a range of whole positions`);
    }
    return this.#nodes.slice(from * NODE, Math.min(from + count, this.nodeCount) * NODE);
  }

  #position(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`Serial index ${index} is outside the list (0 to ${this.size - 1})`);
    }
    return this.#positions[index] as number;
  }

  #hexAt(position: number): Hex {
    return toHex(this.#nodes.subarray(position * NODE, position * NODE + NODE));
  }
}

function compareNodes(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): number {
  for (let i = 0; i < NODE; i++) {
    const diff = (a[aOffset + i] as number) - (b[bOffset + i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

function writeUint(target: Uint8Array, offset: number, value: number): void {
  let rest = value;
  for (let i = offset + 31; rest > 0 && i >= offset; i--) {
    target[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function toHex(bytes: Uint8Array): Hex {
  let out = "0x";
  for (const byte of bytes) out += HEX[byte];
  return out as Hex;
}
