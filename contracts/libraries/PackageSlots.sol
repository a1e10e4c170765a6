// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PackWords} from "./PackWords.sol";

/// @title Where the package-level ledger keeps its records
/// @notice The one definition of the storage layout of {PedigreePackageLedger}'s custody records:
/// the ledger reads and writes its slots through these functions, and {PedigreePackageLens} reads
/// the same slots through the ledger's `extsload` (as Uniswap v4's StateLibrary reads the pool
/// manager's), so the layout is computed in one place.
/// - A batch has three consecutive words from `batch(batchId)` = keccak256(batchId, BATCHES): its
///   state word ({BatchWord}), its serials root and its document hash, then its pack words, four
///   pack places each ({PackWords}): one hash per batch finds everything of it, as a Solidity
///   dynamic array finds its elements.
/// - A logistic unit's word ({UnitWord}) is at `UNITS + sscc`, without hashing: an SSCC has 18
///   digits (under 2^60), and every such slot shares the high 196 bits of UNITS, a range no slot
///   Solidity numbers (small integers) or derives (keccak256 outputs) falls into, nor the
///   participant slots of {PedigreeRegistry} (another constant's high 96 bits).
/// Keys outside their range (a number of 2^60 or more as an SSCC, an index of 2^30 or more as a
/// pack's) name a slot that is never written, so they read as nothing and can reach no record.
library PackageSlots {
    /// @dev keccak256("pedigree.package.batches")
    uint256 internal constant BATCHES = 0x0e8b17e080aec10a3aa1369c517e89b003e4af2354fe77c87f4b6798af4999c9;
    /// @dev keccak256("pedigree.package.units") with its low 64 bits cleared
    uint256 internal constant UNITS = 0x05bccce578aff34c586bf554e6a9aff3c1bee5387331590b0000000000000000;

    uint256 private constant _SSCC_LIMIT = 1 << 60;
    uint256 private constant _INDEX_LIMIT = 1 << 30;
    uint256 private constant _SERIALS_ROOT = 1;
    uint256 private constant _DOCUMENT_HASH = 2;
    uint256 private constant _PACK_WORDS = 3;

    /// @return slot the slot of the batch's state word; its other words follow it
    function batch(bytes32 batchId) internal pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, batchId)
            mstore(0x20, BATCHES)
            slot := keccak256(0x00, 0x40)
        }
    }

    function serialsRoot(uint256 batchSlot) internal pure returns (uint256) {
        unchecked {
            return batchSlot + _SERIALS_ROOT;
        }
    }

    function documentHash(uint256 batchSlot) internal pure returns (uint256) {
        unchecked {
            return batchSlot + _DOCUMENT_HASH;
        }
    }

    /// @return the slot of the word holding the place of pack `index` of the batch at `batchSlot`
    /// (for an index of 2^30 or more, a word after every pack's, never written)
    function packWord(uint256 batchSlot, uint256 index) internal pure returns (uint256) {
        unchecked {
            uint256 wordIndex = index < _INDEX_LIMIT ? PackWords.wordIndex(index) : _INDEX_LIMIT / PackWords.PER_WORD;
            return batchSlot + _PACK_WORDS + wordIndex;
        }
    }

    /// @return the slot of unit `sscc`'s word (for a number of 2^60 or more, the slot of SSCC 0,
    /// which is no valid SSCC and never written)
    function unit(uint256 sscc) internal pure returns (uint256) {
        return UNITS | (sscc < _SSCC_LIMIT ? sscc : 0);
    }

    function load(uint256 slot) internal view returns (uint256 value) {
        assembly ("memory-safe") {
            value := sload(slot)
        }
    }

    function store(uint256 slot, uint256 value) internal {
        assembly ("memory-safe") {
            sstore(slot, value)
        }
    }
}
