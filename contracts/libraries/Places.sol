// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice Where a pack or a logistic unit is: the low 64 bits of its storage record.
/// kind (bits 60-63) | payload (bits 0-59), the payload read according to the kind:
///   Fresh           nothing (a pack never touched since its batch was registered)
///   Held            holder's participant number (bits 0-23)
///   InUnit          the parent unit's SSCC (bits 0-59: 18 digits fit in 60 bits)
///   InTransit       sender's number (bits 0-23) | recipient's number (bits 24-47)
///   Quarantined     holder's number (bits 0-23) | placed by a regulator (bit 24)
///   Decommissioned  participant's number (bits 0-23) | time (bits 24-55) | state (bits 56-59)
///   Destroyed       participant's number (bits 0-23): a unit found illegitimate, with all inside it
type Place is uint64;

using Places for Place global;

/// @title Codec of a custody place
/// @dev Small named functions instead of shifts at every use; the optimizer inlines them.
library Places {
    enum Kind {
        Fresh,
        Held,
        InUnit,
        InTransit,
        Quarantined,
        Decommissioned,
        Destroyed
    }

    uint256 private constant _KIND = 60;
    uint256 private constant _NUMBER_MASK = (1 << 24) - 1;
    uint256 private constant _SSCC_MASK = (1 << 60) - 1;
    uint256 private constant _BY_REGULATOR = 1 << 24;

    function held(uint24 holder) internal pure returns (Place) {
        return Place.wrap(uint64((uint256(Kind.Held) << _KIND) | holder));
    }

    function inUnit(uint256 parentSscc) internal pure returns (Place) {
        return Place.wrap(uint64((uint256(Kind.InUnit) << _KIND) | (parentSscc & _SSCC_MASK)));
    }

    function inTransit(uint24 sender, uint24 receiver) internal pure returns (Place) {
        return Place.wrap(uint64((uint256(Kind.InTransit) << _KIND) | (uint256(receiver) << 24) | sender));
    }

    function quarantined(uint24 holder, bool regulator) internal pure returns (Place) {
        return
            Place.wrap(
                uint64((uint256(Kind.Quarantined) << _KIND) | (regulator ? _BY_REGULATOR : 0) | uint256(holder))
            );
    }

    function decommissioned(uint24 by, uint8 state, uint32 at) internal pure returns (Place) {
        return
            Place.wrap(
                uint64((uint256(Kind.Decommissioned) << _KIND) | (uint256(state) << 56) | (uint256(at) << 24) | by)
            );
    }

    function destroyed(uint24 by) internal pure returns (Place) {
        return Place.wrap(uint64((uint256(Kind.Destroyed) << _KIND) | by));
    }

    function kind(Place place) internal pure returns (Kind) {
        return Kind(Place.unwrap(place) >> _KIND);
    }

    /// @notice The participant a place names first: the holder (Held, Quarantined), the sender
    /// (InTransit), or who decommissioned or destroyed it.
    function party(Place place) internal pure returns (uint24) {
        return uint24(Place.unwrap(place) & _NUMBER_MASK);
    }

    function recipient(Place place) internal pure returns (uint24) {
        return uint24((Place.unwrap(place) >> 24) & _NUMBER_MASK);
    }

    function parent(Place place) internal pure returns (uint256) {
        return Place.unwrap(place) & _SSCC_MASK;
    }

    function byRegulator(Place place) internal pure returns (bool) {
        return Place.unwrap(place) & _BY_REGULATOR != 0;
    }

    function decommissionedAt(Place place) internal pure returns (uint32) {
        return uint32(Place.unwrap(place) >> 24);
    }

    function decommissionState(Place place) internal pure returns (uint8) {
        return uint8((Place.unwrap(place) >> 56) & 0xf);
    }
}
