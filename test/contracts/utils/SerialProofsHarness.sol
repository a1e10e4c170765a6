// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SerialProofs} from "../../../contracts/libraries/SerialProofs.sol";

/// @notice Exposes the SerialProofs library with calldata arguments, as the ledger calls it.
contract SerialProofsHarness {
    function leaf(uint256 index, string calldata serial) external pure returns (bytes32) {
        return SerialProofs.leaf(index, serial);
    }

    function rootOf(bytes32[] calldata proof, bytes32 leafHash) external pure returns (bytes32) {
        return SerialProofs.rootOf(proof, leafHash);
    }

    /// @param leaves the proved leaves, in the multiproof's leaf order
    function multiProofRoot(
        bytes32[] calldata leaves,
        bytes32[] calldata proof,
        bytes calldata flags
    ) external pure returns (bool wellFormed, bytes32 root) {
        bytes32[] memory queue = new bytes32[](2 * leaves.length + proof.length - 1);
        for (uint256 i; i < leaves.length; ++i) queue[i] = leaves[i];
        return SerialProofs.multiProofRoot(queue, leaves.length, proof, flags);
    }
}
