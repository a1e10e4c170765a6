// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @notice Builds the Merkle tree of a batch's serial list on chain, the way OpenZeppelin's
/// StandardMerkleTree does for leaves `(uint256 index, string serial)`: double-hashed leaves,
/// sorted by hash, laid out as a complete binary tree in an array (root at 0, children of n at
/// 2n+1 and 2n+2, leaves at the end in reverse sorted order), sorted-pair hashing. The roots and
/// proofs it gives are therefore the ones the off-chain tooling gives for the same list.
library SerialTree {
    struct Tree {
        /// @dev the complete tree; nodes[0] is the root
        bytes32[] nodes;
        /// @dev positionOf[index] = where the leaf of serial `index` sits in `nodes`
        uint256[] positionOf;
    }

    /// @notice The leaf of one pack: keccak256(bytes.concat(keccak256(abi.encode(index, serial)))).
    function leaf(uint256 index, string memory serial) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, serial))));
    }

    /// @notice The deterministic serial of pack `index` in a test batch tagged `tag`, e.g. "A1-0007".
    function serialOf(string memory tag, uint256 index) internal pure returns (string memory) {
        return string.concat(tag, "-", _fourDigits(index));
    }

    /// @notice The tree of `count` packs whose serials are `serialOf(tag, i)`.
    function build(string memory tag, uint256 count) internal pure returns (Tree memory) {
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) leaves[i] = leaf(i, serialOf(tag, i));
        return fromLeaves(leaves);
    }

    /// @notice The tree of `leaves` given in index order.
    function fromLeaves(bytes32[] memory leaves) internal pure returns (Tree memory tree) {
        uint256 count = leaves.length;
        require(count > 0, "SerialTree: no leaves");
        // Sort the indexes by leaf hash (insertion sort: the lists are small).
        uint256[] memory order = new uint256[](count);
        for (uint256 i; i < count; ++i) order[i] = i;
        for (uint256 i = 1; i < count; ++i) {
            uint256 current = order[i];
            uint256 j = i;
            while (j > 0 && leaves[order[j - 1]] > leaves[current]) {
                order[j] = order[j - 1];
                --j;
            }
            order[j] = current;
        }
        tree.nodes = new bytes32[](2 * count - 1);
        tree.positionOf = new uint256[](count);
        for (uint256 k; k < count; ++k) {
            uint256 position = tree.nodes.length - 1 - k;
            tree.nodes[position] = leaves[order[k]];
            tree.positionOf[order[k]] = position;
        }
        for (uint256 n = tree.nodes.length - 1 - count + 1; n > 0; --n) {
            uint256 node = n - 1;
            tree.nodes[node] = Hashes.commutativeKeccak256(tree.nodes[2 * node + 1], tree.nodes[2 * node + 2]);
        }
    }

    function root(Tree memory tree) internal pure returns (bytes32) {
        return tree.nodes[0];
    }

    /// @notice The serial index of the leaf at tree position `position`.
    function indexAt(Tree memory tree, uint256 position) internal pure returns (uint256) {
        for (uint256 i; i < tree.positionOf.length; ++i) {
            if (tree.positionOf[i] == position) return i;
        }
        revert("SerialTree: not a leaf position");
    }

    /// @notice The single-leaf proof of pack `index` (siblings from the leaf up).
    function proof(Tree memory tree, uint256 index) internal pure returns (bytes32[] memory path) {
        uint256 position = tree.positionOf[index];
        uint256 depth;
        for (uint256 p = position; p > 0; p = (p - 1) / 2) ++depth;
        path = new bytes32[](depth);
        for (uint256 d; d < depth; ++d) {
            path[d] = tree.nodes[_sibling(position)];
            position = (position - 1) / 2;
        }
    }

    /// @notice A multiproof of the packs `indexes` in the format MerkleProof.multiProofVerify takes,
    /// built as OpenZeppelin's `getMultiProof` builds it. `ordered` lists the same indexes in the
    /// order the multiproof consumes their leaves (descending tree position).
    function multiProof(
        Tree memory tree,
        uint256[] memory indexes
    ) internal pure returns (bytes32[] memory proofNodes, bool[] memory flags, uint256[] memory ordered) {
        uint256 count = indexes.length;
        // Tree positions, sorted descending.
        uint256[] memory positions = new uint256[](count);
        for (uint256 i; i < count; ++i) positions[i] = tree.positionOf[indexes[i]];
        for (uint256 i = 1; i < count; ++i) {
            uint256 current = positions[i];
            uint256 j = i;
            while (j > 0 && positions[j - 1] < current) {
                positions[j] = positions[j - 1];
                --j;
            }
            positions[j] = current;
        }
        for (uint256 i = 1; i < count; ++i) require(positions[i] != positions[i - 1], "SerialTree: duplicate index");
        ordered = new uint256[](count);
        for (uint256 i; i < count; ++i) ordered[i] = indexAt(tree, positions[i]);

        // A queue of tree positions: each step pops one, pairs it with its sibling (the next queued
        // position, flag true, or a proof node, flag false), and queues the parent.
        uint256[] memory queue = new uint256[](2 * tree.nodes.length);
        uint256 head;
        uint256 tail;
        for (uint256 i; i < count; ++i) queue[tail++] = positions[i];
        bytes32[] memory proofBuffer = new bytes32[](tree.nodes.length);
        bool[] memory flagBuffer = new bool[](tree.nodes.length);
        uint256 proofLength;
        uint256 flagLength;
        while (head < tail && queue[head] > 0) {
            uint256 position = queue[head++];
            uint256 sibling = _sibling(position);
            if (head < tail && queue[head] == sibling) {
                flagBuffer[flagLength++] = true;
                ++head;
            } else {
                flagBuffer[flagLength++] = false;
                proofBuffer[proofLength++] = tree.nodes[sibling];
            }
            queue[tail++] = (position - 1) / 2;
        }
        proofNodes = new bytes32[](proofLength);
        for (uint256 i; i < proofLength; ++i) proofNodes[i] = proofBuffer[i];
        flags = new bool[](flagLength);
        for (uint256 i; i < flagLength; ++i) flags[i] = flagBuffer[i];
    }

    /// @notice Multiproof flags as `decommissionMany` takes them: eight to a byte, the first flag in
    /// the high bit of the first byte.
    function packFlags(bool[] memory flags) internal pure returns (bytes memory packed) {
        packed = new bytes((flags.length + 7) / 8);
        for (uint256 i; i < flags.length; ++i) {
            if (flags[i]) packed[i / 8] |= bytes1(uint8(0x80) >> (i % 8));
        }
    }

    function _sibling(uint256 position) private pure returns (uint256) {
        require(position > 0, "SerialTree: root has no sibling");
        return position % 2 == 1 ? position + 1 : position - 1;
    }

    function _fourDigits(uint256 value) private pure returns (string memory) {
        require(value < 10_000, "SerialTree: index too large");
        bytes memory text = new bytes(4);
        for (uint256 i = 4; i > 0; --i) {
            text[i - 1] = bytes1(uint8(0x30 + (value % 10)));
            value /= 10;
        }
        return string(text);
    }
}
