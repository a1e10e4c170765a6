// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SerialTree} from "./SerialTree.sol";

/// @notice Keeps the serial trees of the test batches and answers proofs for them. A contract
/// rather than library calls in every test: the tree code is then compiled once instead of once
/// per test contract, which matters with viaIR.
contract SerialTrees {
    using SerialTree for SerialTree.Tree;

    mapping(bytes32 key => bytes32[] nodes) private _nodes;
    mapping(bytes32 key => uint256[] positions) private _positions;

    /// @notice Builds and keeps the tree of `count` packs whose serials are `SerialTree.serialOf(tag, i)`.
    function add(bytes32 key, string calldata tag, uint256 count) external returns (bytes32) {
        require(_nodes[key].length == 0, "SerialTrees: key taken");
        SerialTree.Tree memory tree = SerialTree.build(tag, count);
        _nodes[key] = tree.nodes;
        _positions[key] = tree.positionOf;
        return tree.root();
    }

    function root(bytes32 key) external view returns (bytes32) {
        return _tree(key).root();
    }

    function node(bytes32 key, uint256 position) external view returns (bytes32) {
        return _nodes[key][position];
    }

    function indexAt(bytes32 key, uint256 position) external view returns (uint256) {
        return _tree(key).indexAt(position);
    }

    function proof(bytes32 key, uint256 index) external view returns (bytes32[] memory) {
        return _tree(key).proof(index);
    }

    function multiProof(
        bytes32 key,
        uint256[] calldata indexes
    ) external view returns (bytes32[] memory proofNodes, bool[] memory flags, uint256[] memory ordered) {
        return _tree(key).multiProof(indexes);
    }

    function _tree(bytes32 key) private view returns (SerialTree.Tree memory tree) {
        require(_nodes[key].length > 0, "SerialTrees: unknown key");
        tree.nodes = _nodes[key];
        tree.positionOf = _positions[key];
    }
}
