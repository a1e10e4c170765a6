// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @notice Minimal assertion helpers (forge-std is not available). A failed assertion reverts with
/// a custom error carrying what was checked, the value found and the value expected; Hardhat's
/// test reporter decodes it, e.g. `AssertionFailedUint("units conserved", 15, 16)`. Custom errors
/// keep the failure path small, which matters for viaIR compile time across hundreds of tests.
/// The success path makes no external call, so an assertion never consumes a pending `vm.expectRevert`.
abstract contract Assertions {
    Vm internal constant vm = Vm(VM_ADDRESS);

    error AssertionFailed(string message);
    error AssertionFailedUint(string message, uint256 actual, uint256 expected);
    error AssertionFailedBytes32(string message, bytes32 actual, bytes32 expected);
    error AssertionFailedAddress(string message, address actual, address expected);
    error AssertionFailedBool(string message, bool actual, bool expected);
    error AssertionFailedString(string message, string actual, string expected);

    function fail(string memory message) internal pure {
        revert AssertionFailed(message);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert AssertionFailed(message);
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) revert AssertionFailed(message);
    }

    function assertEq(uint256 actual, uint256 expected, string memory message) internal pure {
        if (actual != expected) revert AssertionFailedUint(message, actual, expected);
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory message) internal pure {
        if (actual != expected) revert AssertionFailedBytes32(message, actual, expected);
    }

    function assertEq(address actual, address expected, string memory message) internal pure {
        if (actual != expected) revert AssertionFailedAddress(message, actual, expected);
    }

    function assertEq(bool actual, bool expected, string memory message) internal pure {
        if (actual != expected) revert AssertionFailedBool(message, actual, expected);
    }

    function assertEq(string memory actual, string memory expected, string memory message) internal pure {
        if (keccak256(bytes(actual)) != keccak256(bytes(expected))) {
            revert AssertionFailedString(message, actual, expected);
        }
    }

    function assertNotEq(bytes32 actual, bytes32 notExpected, string memory message) internal pure {
        if (actual == notExpected) revert AssertionFailedBytes32(message, actual, notExpected);
    }

    /// @dev Fails with (actual, bound) when actual > bound.
    function assertLe(uint256 actual, uint256 bound_, string memory message) internal pure {
        if (actual > bound_) revert AssertionFailedUint(message, actual, bound_);
    }

    /// @notice `x` mapped into [min, max] (both inclusive), like forge-std's `bound`.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 span = max - min;
        if (span == type(uint256).max) return x;
        return min + (x % (span + 1));
    }
}
