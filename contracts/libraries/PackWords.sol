// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Place} from "./Places.sol";

/// @title Four pack places to a storage word
/// @notice Pack `index` of a batch has its place in word `index / 4`, bits `64 * (index % 4)` on.
/// A pack nobody has touched reads as zero, the Fresh place: nothing is written per pack until it
/// is first moved, aggregated one by one or decommissioned.
library PackWords {
    uint256 internal constant PER_WORD = 4;

    function wordIndex(uint256 index) internal pure returns (uint256) {
        return index / PER_WORD;
    }

    function placeIn(uint256 word, uint256 index) internal pure returns (Place) {
        return Place.wrap(uint64(word >> ((index % PER_WORD) * 64)));
    }

    function withPlace(uint256 word, uint256 index, Place place) internal pure returns (uint256) {
        uint256 shift = (index % PER_WORD) * 64;
        return (word & ~(uint256(type(uint64).max) << shift)) | (uint256(Place.unwrap(place)) << shift);
    }
}
