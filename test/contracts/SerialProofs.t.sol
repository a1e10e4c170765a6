// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Assertions} from "./utils/Assertions.sol";
import {SerialProofsHarness} from "./utils/SerialProofsHarness.sol";
import {SerialTree} from "./utils/SerialTree.sol";

/// @notice The SerialProofs library gives the roots OpenZeppelin's MerkleProof gives, for the trees
/// the off-chain tooling builds (test/contracts/utils/SerialTree.sol), and refuses malformed
/// multiproofs instead of reading past them.
contract SerialProofsTest is Assertions {
    SerialProofsHarness internal lib;

    function setUp() public {
        lib = new SerialProofsHarness();
    }

    function test_leaf_isTheStandardMerkleTreeLeaf() public view {
        assertEq(lib.leaf(7, "ABC-0007"), SerialTree.leaf(7, "ABC-0007"), "leaf of (7, ABC-0007)");
        assertEq(lib.leaf(0, ""), SerialTree.leaf(0, ""), "leaf of an empty serial");
        string memory twenty = "!\"%&'()*+,-./0123456";
        assertEq(lib.leaf(2 ** 30, twenty), SerialTree.leaf(2 ** 30, twenty), "leaf of a 20-character serial");
    }

    function testFuzz_rootOf_matchesOpenZeppelin(uint8 rawCount, uint256 rawIndex) public view {
        uint256 count = bound(rawCount, 2, 40);
        uint256 index = bound(rawIndex, 0, count - 1);
        SerialTree.Tree memory tree = SerialTree.build("P", count);
        bytes32[] memory proof = SerialTree.proof(tree, index);
        bytes32 leafHash = SerialTree.leaf(index, SerialTree.serialOf("P", index));
        bytes32 root = lib.rootOf(proof, leafHash);
        assertEq(root, MerkleProof.processProof(proof, leafHash), "same root as OpenZeppelin");
        assertEq(root, SerialTree.root(tree), "the tree's root");
    }

    function test_rootOf_ofAnotherSerialIsNotTheRoot() public view {
        SerialTree.Tree memory tree = SerialTree.build("P", 9);
        bytes32 forged = lib.rootOf(SerialTree.proof(tree, 3), SerialTree.leaf(3, "P-9999"));
        assertTrue(forged != SerialTree.root(tree), "a serial outside the list proves nothing");
    }

    function testFuzz_multiProofRoot_matchesOpenZeppelin(uint8 rawCount, uint256 pick) public view {
        uint256 count = bound(rawCount, 2, 32);
        SerialTree.Tree memory tree = SerialTree.build("M", count);
        uint256[] memory indexes = _someIndexes(count, pick);
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = SerialTree.multiProof(tree, indexes);
        bytes32[] memory leaves = new bytes32[](ordered.length);
        for (uint256 i; i < ordered.length; ++i)
            leaves[i] = SerialTree.leaf(ordered[i], SerialTree.serialOf("M", ordered[i]));
        (bool wellFormed, bytes32 root) = lib.multiProofRoot(leaves, proof, SerialTree.packFlags(flags));
        assertTrue(wellFormed, "well formed");
        assertEq(root, MerkleProof.processMultiProof(proof, flags, leaves), "same root as OpenZeppelin");
        assertEq(root, SerialTree.root(tree), "the tree's root");
    }

    function test_multiProofRoot_refusesAFlagCountOtherThanOnePerStep() public view {
        (bytes32[] memory leaves, bytes32[] memory proof, bytes memory flags) = _twoOfEight();
        (bool tooMany, ) = lib.multiProofRoot(leaves, proof, bytes.concat(flags, bytes1(0)));
        assertFalse(tooMany, "an extra flag byte");
        (bool none, ) = lib.multiProofRoot(leaves, proof, "");
        assertFalse(none, "no flags");
    }

    function test_multiProofRoot_refusesAStepWithoutTheProofNodeItNeeds() public view {
        (bytes32[] memory leaves, bytes32[] memory proof, bytes memory flags) = _twoOfEight();
        // Every flag false: each step wants a proof node, and they run out.
        bytes memory allProof = new bytes(flags.length);
        bytes32[] memory shortProof = new bytes32[](proof.length - 1);
        for (uint256 i; i < shortProof.length; ++i) shortProof[i] = proof[i];
        (bool wellFormed, ) = lib.multiProofRoot(leaves, shortProof, allProof);
        assertFalse(wellFormed, "a step past the last proof node");
    }

    function test_multiProofRoot_refusesAStepOnAHashNotYetComputed() public view {
        (bytes32[] memory leaves, bytes32[] memory proof, ) = _twoOfEight();
        // Every flag true: the steps read queue entries faster than they are computed.
        uint256 steps = leaves.length + proof.length - 1;
        bytes memory allQueue = new bytes((steps + 7) / 8);
        for (uint256 i; i < allQueue.length; ++i) allQueue[i] = 0xff;
        (bool wellFormed, ) = lib.multiProofRoot(leaves, proof, allQueue);
        assertFalse(wellFormed, "a step on a hash not computed yet");
    }

    function _twoOfEight() private pure returns (bytes32[] memory leaves, bytes32[] memory proof, bytes memory flags) {
        SerialTree.Tree memory tree = SerialTree.build("E", 8);
        uint256[] memory indexes = new uint256[](2);
        (indexes[0], indexes[1]) = (1, 6);
        bool[] memory boolFlags;
        uint256[] memory ordered;
        (proof, boolFlags, ordered) = SerialTree.multiProof(tree, indexes);
        leaves = new bytes32[](2);
        for (uint256 i; i < 2; ++i) leaves[i] = SerialTree.leaf(ordered[i], SerialTree.serialOf("E", ordered[i]));
        flags = SerialTree.packFlags(boolFlags);
    }

    /// @dev 1 to `count` distinct indexes drawn from `pick`'s bits (index 0 when none is set).
    function _someIndexes(uint256 count, uint256 pick) private pure returns (uint256[] memory indexes) {
        uint256 chosen;
        for (uint256 i; i < count; ++i) if ((pick >> i) & 1 == 1) ++chosen;
        if (chosen == 0) {
            indexes = new uint256[](1);
            return indexes;
        }
        indexes = new uint256[](chosen);
        uint256 next;
        for (uint256 i; i < count; ++i) if ((pick >> i) & 1 == 1) indexes[next++] = i;
    }
}
