// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreePackageLedger} from "./IPedigreePackageLedger.sol";

/// @title Read-only views of the package-level custody ledger
/// @notice What {IPedigreePackageLedger} records, resolved: a pack's verdict and place, a unit, a
/// batch. A separate contract, deployed with the ledger's address, that reads the ledger's storage
/// through its `extsload` (the views do not fit in the ledger's code under EIP-170). Types and
/// errors are the ledger's.
interface IPedigreePackageLens {
    /// @notice The ledger whose records this lens reads.
    function ledger() external view returns (IPedigreePackageLedger);

    /// @notice Verifies a pack from what its label says, without a transaction.
    /// @param labelExpiry the expiry printed on the pack (YYYYMMDD), or 0 when the code has none
    /// @param unit the unit the pack is in, or 0 (a pack of a range-packed case needs its case)
    function verifyPack(
        uint64 gtin,
        string calldata lot,
        string calldata serial,
        uint256 index,
        bytes32[] calldata proof,
        uint32 labelExpiry,
        uint256 unit
    ) external view returns (IPedigreePackageLedger.Verification memory);

    /// @notice A batch's record (all zero for an unknown batch).
    function batch(bytes32 batchId) external view returns (IPedigreePackageLedger.Batch memory);

    /// @notice Where a pack is. Reverts `PedigreeUnknownBatch` or `PedigreeIndexOutOfRange`.
    /// @param unit the unit the pack is in, or 0 (a pack of a range-packed case needs its case)
    function packLocation(
        bytes32 batchId,
        uint256 index,
        uint256 unit
    ) external view returns (IPedigreePackageLedger.Location memory);

    /// @notice A unit's record and place. Reverts `PedigreeUnknownUnit`.
    function unit(uint256 sscc) external view returns (IPedigreePackageLedger.Unit memory);
}
