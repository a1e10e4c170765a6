import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import {
  hashInnerNodes,
  nodeBytesFor,
  placeLeaves,
  SerialTree,
  packProofFlags,
  serialLeafHash,
  serialLeafHashes,
} from "../src/manifest/serialTree.ts";

const serialList = fc.uniqueArray(fc.stringMatching(/^[0-9A-Za-z]{1,20}$/), { minLength: 1, maxLength: 70 });

describe("SerialTree", () => {
  it("reproduces OpenZeppelin StandardMerkleTree's root and proofs for (uint256 index, string serial)", () => {
    fc.assert(
      fc.property(serialList, (serials) => {
        const reference = StandardMerkleTree.of(
          serials.map((serial, index) => [index, serial]),
          ["uint256", "string"],
        );
        const tree = SerialTree.build(serials);
        assert.equal(tree.root, reference.root);
        for (let index = 0; index < serials.length; index++) {
          assert.deepEqual(tree.proof(index), reference.getProof(index));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("builds multiproofs that OpenZeppelin verifies, with leaves in the order the contract needs", () => {
    fc.assert(
      fc.property(
        serialList.chain((serials) =>
          fc.tuple(
            fc.constant(serials),
            fc.uniqueArray(fc.nat(serials.length - 1), { minLength: 1, maxLength: serials.length }),
          ),
        ),
        ([serials, picked]) => {
          const tree = SerialTree.build(serials);
          const multi = tree.multiProof(picked);
          assert.deepEqual(
            [...multi.indexes].sort((a, b) => a - b),
            [...picked].sort((a, b) => a - b),
          );
          const verified = StandardMerkleTree.verifyMultiProof(tree.root, ["uint256", "string"], {
            leaves: multi.indexes.map((index) => [index, serials[index]]),
            proof: multi.proof,
            proofFlags: multi.proofFlags,
          });
          assert.equal(verified, true);
          assert.equal(multi.flagBits, packProofFlags(multi.proofFlags));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("builds the same tree from leaf hashes made in parts, and from its own parts", () => {
    const serials = Array.from({ length: 37 }, (_, i) => `S${(i * 7919).toString(36).toUpperCase()}`);
    const whole = SerialTree.build(serials);
    const leaves = new Uint8Array(37 * 32);
    leaves.set(serialLeafHashes(serials.slice(0, 20)), 0);
    leaves.set(serialLeafHashes(serials.slice(20), 20), 20 * 32);
    assert.deepEqual(leaves, serialLeafHashes(serials));
    assert.equal(SerialTree.fromLeafHashes(leaves).root, whole.root);
    const copy = SerialTree.fromParts(whole.parts());
    assert.equal(copy.root, whole.root);
    assert.deepEqual(copy.proof(36), whole.proof(36));
  });

  it("gives the same tree when the root's two subtrees are hashed apart, then the root (any size)", () => {
    for (let count = 3; count <= 70; count++) {
      const serials = Array.from({ length: count }, (_, i) => `P${count}-${i}`);
      const leaves = serialLeafHashes(serials);
      const nodes = new Uint8Array(nodeBytesFor(leaves));
      const positions = placeLeaves(leaves, nodes);
      hashInnerNodes(nodes, 2);
      hashInnerNodes(nodes, 1);
      hashInnerNodes(nodes, 0, 0);
      const whole = SerialTree.build(serials);
      assert.deepEqual(nodes, whole.nodeBytes(0, whole.nodeCount), `${count} serials`);
      assert.deepEqual(positions, whole.parts().positions, `${count} serials`);
    }
  });

  it("refuses leaf hashes and parts that make no tree", () => {
    assert.throws(() => SerialTree.fromLeafHashes(new Uint8Array(0)), /32 bytes each, at least one/);
    assert.throws(() => SerialTree.fromLeafHashes(new Uint8Array(33)), /32 bytes each/);
    assert.throws(() => serialLeafHashes(["A"], -1), /first serial index/);
    const { nodes, positions } = SerialTree.build(["A", "B"]).parts();
    assert.throws(
      () => SerialTree.fromParts({ nodes: nodes.subarray(32), positions }),
      /do not make the tree of 2 serials/,
    );
  });

  it("packs multiproof flags eight to a byte, first flag in the high bit, unused bits zero", () => {
    assert.equal(packProofFlags([]), "0x");
    assert.equal(packProofFlags([true]), "0x80");
    assert.equal(packProofFlags([false, true, false, false, false, false, false, true]), "0x41");
    assert.equal(packProofFlags([true, false, false, false, false, false, false, false, false, true]), "0x8040");
  });

  it("hashes a leaf as keccak256(bytes.concat(keccak256(abi.encode(index, serial))))", () => {
    const reference = StandardMerkleTree.of([[0, "ABC"]], ["uint256", "string"]);
    assert.equal(`0x${Buffer.from(serialLeafHash(0, "ABC")).toString("hex")}`, reference.leafHash([0, "ABC"]));
  });

  it("hashes leaves of any length and any characters like OpenZeppelin (one-block fast path and the general one)", () => {
    const serials = ["", "A", "x".repeat(32), "x".repeat(39), "x".repeat(40), "x".repeat(200), "é€😀", "ü".repeat(30)];
    serials.forEach((serial, index) => {
      const reference = StandardMerkleTree.of([[index, serial]], ["uint256", "string"]);
      assert.equal(
        `0x${Buffer.from(serialLeafHash(index, serial)).toString("hex")}`,
        reference.leafHash([index, serial]),
      );
    });
    const large = 2 ** 40 + 7;
    const reference = StandardMerkleTree.of([[large, "B"]], ["uint256", "string"]);
    assert.equal(`0x${Buffer.from(serialLeafHash(large, "B")).toString("hex")}`, reference.leafHash([large, "B"]));
    const tree = SerialTree.build(serials);
    assert.equal(
      tree.root,
      StandardMerkleTree.of(
        serials.map((serial, index) => [index, serial]),
        ["uint256", "string"],
      ).root,
    );
  });

  it("exposes its nodes and leaf positions as OpenZeppelin lays them out, so a store can serve proofs", () => {
    fc.assert(
      fc.property(serialList, (serials) => {
        const reference = StandardMerkleTree.of(
          serials.map((serial, index) => [index, serial]),
          ["uint256", "string"],
        );
        const tree = SerialTree.build(serials);
        assert.equal(tree.nodeCount, 2 * serials.length - 1);
        const dump = reference.dump();
        const nodes = tree.nodeBytes(0, tree.nodeCount + 5);
        assert.equal(nodes.length, tree.nodeCount * 32);
        assert.deepEqual(
          Array.from(
            { length: tree.nodeCount },
            (_, p) => `0x${Buffer.from(nodes.subarray(p * 32, p * 32 + 32)).toString("hex")}`,
          ),
          dump.tree,
        );
        dump.values.forEach((value) => assert.equal(tree.leafPosition(Number(value.value[0])), value.treeIndex));
      }),
      { numRuns: 30 },
    );
    const tree = SerialTree.build(["A", "B", "C"]);
    assert.deepEqual(tree.nodeBytes(4, 3), tree.nodeBytes(4, 1));
    assert.throws(() => tree.nodeBytes(-1, 2), /not a range of whole positions/);
    assert.throws(() => tree.leafPosition(3), /outside the list/);
  });

  it("refuses an empty list and indexes outside the list, naming the valid range", () => {
    assert.throws(() => SerialTree.build([]), /at least one serial/);
    const tree = SerialTree.build(["A", "B", "C"]);
    assert.throws(() => tree.proof(3), /Serial index 3 is outside the list \(0 to 2\)/);
    assert.throws(() => tree.multiProof([1, 1]), /appears twice/);
  });
});
