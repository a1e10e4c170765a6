// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CivilDate} from "./CivilDate.sol";

/// @notice A batch's state word, all that custody steps read of a batch:
/// manufacturer's participant number (bits 0-23) | status (24-26) | expiry day since 1970 (27-42) |
/// pack count (43-72) | packed up to (73-102) | batch number (103-134).
/// "Packed up to" is the end of the index range its manufacturer has packed into cases at
/// packaging (see `PedigreePackageLedger.packRange`); the batch number names the batch in a unit's
/// record with 32 bits instead of the 256 of its id. The serials root is a word of its own: only
/// verification reads it.
type BatchWord is uint256;

using BatchWords for BatchWord global;

/// @title Codec of a batch's state word
library BatchWords {
    uint256 private constant _STATUS = 24;
    uint256 private constant _EXPIRY_DAY = 27;
    uint256 private constant _PACK_COUNT = 43;
    uint256 private constant _PACKED_UP_TO = 73;
    uint256 private constant _NUMBER = 103;
    uint256 private constant _COUNT_MASK = (1 << 30) - 1;

    /// @notice The status a quarantine placed by a regulator is kept as, so that only a regulator
    /// ends it. It reads as Quarantined (`reportedStatus`).
    uint8 internal constant QUARANTINED_BY_REGULATOR = 5;
    uint8 private constant _QUARANTINED = 4;

    /// @dev 30 bits per count; a billion packs is far beyond any batch.
    uint256 internal constant MAX_PACK_COUNT = _COUNT_MASK;

    function create(
        uint24 manufacturerNumber,
        uint8 initialStatus,
        uint16 expiry,
        uint256 packs,
        uint32 batchNumber
    ) internal pure returns (BatchWord) {
        return
            BatchWord.wrap(
                uint256(manufacturerNumber) |
                    (uint256(initialStatus) << _STATUS) |
                    (uint256(expiry) << _EXPIRY_DAY) |
                    (packs << _PACK_COUNT) |
                    (uint256(batchNumber) << _NUMBER)
            );
    }

    function exists(BatchWord word) internal pure returns (bool) {
        return BatchWord.unwrap(word) != 0;
    }

    function manufacturer(BatchWord word) internal pure returns (uint24) {
        return uint24(BatchWord.unwrap(word));
    }

    function status(BatchWord word) internal pure returns (uint8) {
        return uint8((BatchWord.unwrap(word) >> _STATUS) & 7);
    }

    /// @return the status as `IPedigreePackageLedger.BatchStatus` numbers it (a regulator's quarantine as Quarantined)
    function reportedStatus(BatchWord word) internal pure returns (uint8) {
        uint8 current = word.status();
        return current == QUARANTINED_BY_REGULATOR ? _QUARANTINED : current;
    }

    /// @return the expiry as YYYYMMDD
    function expiryDate(BatchWord word) internal pure returns (uint32) {
        return uint32(CivilDate.toYyyymmdd(word.expiryDay()));
    }

    function expiryDay(BatchWord word) internal pure returns (uint256) {
        return (BatchWord.unwrap(word) >> _EXPIRY_DAY) & 0xffff;
    }

    function packCount(BatchWord word) internal pure returns (uint256) {
        return (BatchWord.unwrap(word) >> _PACK_COUNT) & _COUNT_MASK;
    }

    function packedUpTo(BatchWord word) internal pure returns (uint256) {
        return (BatchWord.unwrap(word) >> _PACKED_UP_TO) & _COUNT_MASK;
    }

    function number(BatchWord word) internal pure returns (uint32) {
        return uint32(BatchWord.unwrap(word) >> _NUMBER);
    }

    function withStatus(BatchWord word, uint8 newStatus) internal pure returns (BatchWord) {
        return BatchWord.wrap((BatchWord.unwrap(word) & ~(uint256(7) << _STATUS)) | (uint256(newStatus) << _STATUS));
    }

    /// @param upTo at most the pack count, so it stays inside its field
    function withPackedUpTo(BatchWord word, uint256 upTo) internal pure returns (BatchWord) {
        return BatchWord.wrap((BatchWord.unwrap(word) & ~(_COUNT_MASK << _PACKED_UP_TO)) | (upTo << _PACKED_UP_TO));
    }
}
