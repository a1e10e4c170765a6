// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Place} from "./Places.sol";

/// @notice A logistic unit's record (a case, pallet or tote, keyed by its SSCC):
/// place (bits 0-63, see {Place}) | opened (64) | range batch number (65-96) | range start (97-126) |
/// range end (127-156) | height (157-160).
/// A unit packed from a range holds the packs [start, end) of one batch that were still fresh when
/// it was packed (range batch number nonzero); any other unit holds what was aggregated into it,
/// each child naming it as its parent. Opened: a child has been taken out since it was sealed.
/// Height: 1 for a unit of packs, 1 + the tallest child unit's height otherwise.
type UnitWord is uint256;

using UnitWords for UnitWord global;

/// @title Codec of a logistic unit's record
library UnitWords {
    uint256 private constant _PLACE_MASK = type(uint64).max;
    uint256 private constant _OPENED = 1 << 64;
    uint256 private constant _RANGE_BATCH = 65;
    uint256 private constant _RANGE_START = 97;
    uint256 private constant _RANGE_END = 127;
    uint256 private constant _HEIGHT = 157;
    uint256 private constant _COUNT_MASK = (1 << 30) - 1;

    /// @param unitHeight at most 15
    function create(Place initial, uint256 unitHeight) internal pure returns (UnitWord) {
        return UnitWord.wrap(Place.unwrap(initial) | (unitHeight << _HEIGHT));
    }

    function createRange(
        Place initial,
        uint32 batchNumber,
        uint256 start,
        uint256 end
    ) internal pure returns (UnitWord) {
        return
            UnitWord.wrap(
                Place.unwrap(initial) |
                    (uint256(batchNumber) << _RANGE_BATCH) |
                    (start << _RANGE_START) |
                    (end << _RANGE_END) |
                    (uint256(1) << _HEIGHT)
            );
    }

    /// @dev Every unit's place names a holder, a parent or a sender, so a unit's word is never zero.
    function exists(UnitWord word) internal pure returns (bool) {
        return UnitWord.unwrap(word) != 0;
    }

    function place(UnitWord word) internal pure returns (Place) {
        return Place.wrap(uint64(UnitWord.unwrap(word)));
    }

    function withPlace(UnitWord word, Place newPlace) internal pure returns (UnitWord) {
        return UnitWord.wrap((UnitWord.unwrap(word) & ~_PLACE_MASK) | Place.unwrap(newPlace));
    }

    function opened(UnitWord word) internal pure returns (bool) {
        return UnitWord.unwrap(word) & _OPENED != 0;
    }

    function withOpened(UnitWord word) internal pure returns (UnitWord) {
        return UnitWord.wrap(UnitWord.unwrap(word) | _OPENED);
    }

    function height(UnitWord word) internal pure returns (uint256) {
        return (UnitWord.unwrap(word) >> _HEIGHT) & 0xf;
    }

    /// @return the number of the batch whose range this unit was packed from, or 0
    function rangeBatch(UnitWord word) internal pure returns (uint32) {
        return uint32(UnitWord.unwrap(word) >> _RANGE_BATCH);
    }

    function rangeStart(UnitWord word) internal pure returns (uint256) {
        return (UnitWord.unwrap(word) >> _RANGE_START) & _COUNT_MASK;
    }

    function rangeEnd(UnitWord word) internal pure returns (uint256) {
        return (UnitWord.unwrap(word) >> _RANGE_END) & _COUNT_MASK;
    }

    /// @notice Whether pack `index` of batch `batchNumber` lies in the range this unit was packed from.
    function rangeHolds(UnitWord word, uint32 batchNumber, uint256 index) internal pure returns (bool) {
        return word.rangeBatch() == batchNumber && index >= word.rangeStart() && index < word.rangeEnd();
    }
}
