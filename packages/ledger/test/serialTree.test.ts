import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { SerialTree, packProofFlags, serialLeafHash } from "../src/manifest/serialTree.ts";

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
