// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BatchWord} from "./BatchWords.sol";
import {Place, Places} from "./Places.sol";
import {UnitWord} from "./UnitWords.sol";

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

    /// @notice Where a registered pack is, from its own place. A pack never touched (Fresh) at or
    /// above its batch's packed-up-to mark is loose with its manufacturer; below it, it is inside
    /// the range-packed unit whose range holds it, which only `unitHint` can name (with its record
    /// `hintWord`): otherwise it stays Fresh, with no parent.
    /// @return place the pack's own place (a loose fresh pack's reads as held by its manufacturer)
    /// @return parent the unit directly containing it, or 0
    function resolve(
        Place own,
        uint256 index,
        BatchWord batch,
        uint256 unitHint,
        UnitWord hintWord
    ) internal pure returns (Place place, uint256 parent) {
        place = own;
        Places.Kind kind = own.kind();
        if (kind == Places.Kind.Fresh) {
            if (index >= batch.packedUpTo()) place = Places.held(batch.manufacturer());
            else if (hintWord.rangeHolds(batch.number(), index)) parent = unitHint;
        } else if (kind == Places.Kind.InUnit) {
            parent = own.parent();
        }
    }
}
