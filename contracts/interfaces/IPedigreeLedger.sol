// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreeRegistry} from "./IPedigreeRegistry.sol";

/// @title Pedigree custody ledger
/// @notice Records medicine batches, every handoff of their units between manufacturer,
/// distributors and pharmacies, and the decommissioning (dispense, destruction...) of each pack.
/// @dev Serials never go on chain one by one: a batch commits to its serial list with the Merkle
/// root of the leaves `(uint256 index, string serial)` in OpenZeppelin StandardMerkleTree encoding,
/// and a pack is proved by its index and proof. Dates are YYYYMMDD numbers (UTC); an expiry day of
/// 00 means the last day of the month, as in GS1 AI 17.
interface IPedigreeLedger is IPedigreeRegistry {
    // ---------------------------------------------------------------- types

    /// @notice Lifecycle of a batch. `Recalled` is final.
    enum BatchStatus {
        None,
        Active,
        Suspended,
        Recalled
    }

    /// @notice State of one pack, after the EU verification system's pack states.
    /// Destroyed and Stolen are final; Dispensed can be undone by the same party within 10 days;
    /// Locked can be undone by the same party at any time.
    enum PackState {
        Active,
        Dispensed,
        Destroyed,
        Stolen,
        Sample,
        Exported,
        Locked
    }

    /// @notice The answer to "is this pack genuine and may it be supplied?".
    enum Verdict {
        Genuine,
        Dispensed,
        Decommissioned,
        Recalled,
        Suspended,
        Expired,
        Mismatch,
        UnknownSerial,
        UnknownBatch,
        UnknownProduct
    }

    /// @notice A batch's on-chain record.
    struct Batch {
        address manufacturer;
        BatchStatus status;
        uint32 expiry;
        uint32 packCount;
        bytes32 serialsRoot;
        bytes32 documentHash;
    }

    /// @notice One batch's units in a shipment.
    struct ShipmentLine {
        bytes32 batchId;
        uint256 quantity;
    }

    /// @notice A pack's decommissioning record, empty while the pack is active.
    struct PackRecord {
        PackState state;
        address by;
        uint32 at;
    }

    /// @notice Everything the verification view found about a pack.
    struct Verification {
        Verdict verdict;
        bytes32 batchId;
        Batch batch;
        PackRecord pack;
    }

    // ---------------------------------------------------------------- events

    event BatchRegistered(
        bytes32 indexed batchId,
        uint64 indexed gtin,
        address indexed manufacturer,
        string lot,
        uint32 expiry,
        uint32 packCount,
        bytes32 serialsRoot,
        bytes32 documentHash
    );
    event BatchRecalled(bytes32 indexed batchId, address indexed by, string reason);
    event BatchSuspended(bytes32 indexed batchId, address indexed by, string reason);
    event BatchReinstated(bytes32 indexed batchId, address indexed by);
    /// @notice Units of one batch left `from` for `to` (one event per shipment line).
    event UnitsShipped(
        bytes32 indexed batchId,
        bytes32 indexed shipmentId,
        address indexed from,
        address to,
        uint256 quantity,
        bytes32 shipmentRef
    );
    event UnitsReceived(
        bytes32 indexed batchId,
        bytes32 indexed shipmentId,
        address indexed by,
        address from,
        uint256 quantity
    );
    event UnitsRejected(
        bytes32 indexed batchId,
        bytes32 indexed shipmentId,
        address indexed by,
        address from,
        uint256 quantity,
        string reason
    );
    event ShipmentCancelled(
        bytes32 indexed batchId,
        bytes32 indexed shipmentId,
        address indexed by,
        address to,
        uint256 quantity
    );
    event PackDecommissioned(bytes32 indexed batchId, uint256 indexed index, address by, PackState state);
    event PackReactivated(bytes32 indexed batchId, uint256 indexed index, address indexed by, PackState previousState);

    // ---------------------------------------------------------------- errors

    error PedigreeBatchExists(bytes32 batchId);
    error PedigreeUnknownBatch(bytes32 batchId);
    error PedigreeNotBatchManufacturer(bytes32 batchId, address caller, address manufacturer);
    error PedigreeInvalidBatchTransition(bytes32 batchId, BatchStatus current, BatchStatus target);
    error PedigreeBatchNotMovable(bytes32 batchId, BatchStatus status, uint32 expiry);
    error PedigreeRouteNotAllowed(address from, Role fromRole, address to, Role toRole);
    error PedigreeReturnToOtherManufacturer(bytes32 batchId, address to, address manufacturer);
    error PedigreeEmptyShipment();
    error PedigreeZeroQuantity(bytes32 batchId);
    error PedigreeInsufficientUnits(bytes32 batchId, address holder, uint256 held, uint256 requested);
    error PedigreeShipmentExists(bytes32 shipmentId);
    error PedigreeShipmentNotPending(bytes32 shipmentId);
    error PedigreeShipmentMismatch(bytes32 shipmentId);
    error PedigreeIndexOutOfRange(bytes32 batchId, uint256 index, uint256 packCount);
    error PedigreeInvalidProof(bytes32 batchId, uint256 index);
    error PedigreeInvalidPackState(PackState state);
    error PedigreeDispenseNotAllowed(bytes32 batchId, BatchStatus status, uint32 expiry);
    error PedigreePackNotActive(bytes32 batchId, uint256 index, PackState current);
    error PedigreeUndoNotAllowed(bytes32 batchId, uint256 index, PackState current);
    error PedigreeUndoByOtherParty(bytes32 batchId, uint256 index, address decommissionedBy);
    error PedigreeUndoWindowClosed(bytes32 batchId, uint256 index, uint32 dispensedAt, uint256 deadline);
    error PedigreeLengthMismatch(uint256 indexes, uint256 serials);

    // ---------------------------------------------------------------- administration

    // ---------------------------------------------------------------- products and batches

    /// @notice Registers a batch of the caller's product; the caller then holds all its units.
    /// @param lot 1 to 20 characters of GS1 CSET 82
    /// @param expiry YYYYMMDD, DD = 00 for the last day of the month; not already past
    /// @param serialsRoot Merkle root of the batch's serial list
    /// @param documentHash hash of a document such as the certificate of analysis, or zero
    /// @return batchId keccak256(abi.encode(gtin, lot))
    function registerBatch(
        uint64 gtin,
        string calldata lot,
        uint32 expiry,
        uint32 packCount,
        bytes32 serialsRoot,
        bytes32 documentHash
    ) external returns (bytes32 batchId);

    /// @notice Recalls a batch for good. The batch's manufacturer or a regulator.
    function recallBatch(bytes32 batchId, string calldata reason) external;

    /// @notice Suspends an active batch: its units can only go back to the manufacturer. Regulators.
    function suspendBatch(bytes32 batchId, string calldata reason) external;

    /// @notice Reactivates a suspended batch. Regulators.
    function reinstateBatch(bytes32 batchId) external;

    // ---------------------------------------------------------------- custody

    /// @notice Ships units of one or more batches to a registered recipient. The units leave the
    /// caller's stock and stay in transit until the recipient receives or rejects them or the
    /// caller cancels. Routes: manufacturer to distributor or pharmacy; distributor to distributor,
    /// pharmacy or the batch's manufacturer; pharmacy back to a distributor or the batch's
    /// manufacturer; never to oneself. Recalled, suspended or expired units may only go back to their manufacturer.
    /// @param shipmentRef the shipment's business reference, such as an ASN number or an SSCC
    /// @return shipmentId keccak256(abi.encode(sender, shipmentRef, block.number))
    function ship(address to, bytes32 shipmentRef, ShipmentLine[] calldata lines) external returns (bytes32 shipmentId);

    /// @notice Accepts a shipment sent to the caller; its units join the caller's stock.
    /// @param from the sender, and `lines` exactly as shipped
    function receiveShipment(bytes32 shipmentId, address from, ShipmentLine[] calldata lines) external;

    /// @notice Refuses a shipment sent to the caller; its units return to the sender's stock.
    function rejectShipment(
        bytes32 shipmentId,
        address from,
        ShipmentLine[] calldata lines,
        string calldata reason
    ) external;

    /// @notice Withdraws a shipment the caller sent, before the recipient received or rejected it.
    function cancelShipment(bytes32 shipmentId, address to, ShipmentLine[] calldata lines) external;

    // ---------------------------------------------------------------- packs

    /// @notice Decommissions one pack the caller holds. Dispensing is for pharmacies, and never
    /// for a recalled, suspended or expired batch; the other states are open to any holder.
    function decommission(
        bytes32 batchId,
        uint256 index,
        string calldata serial,
        bytes32[] calldata proof,
        PackState state
    ) external;

    /// @notice Decommissions many packs of one batch with one Merkle multiproof. `indexes` and
    /// `serials` are the proved leaves in the multiproof's leaf order. `proofFlags` are
    /// OpenZeppelin's multiproof flags (one per step, `leaves + proof - 1` of them) packed eight to
    /// a byte, the first flag in the high bit of the first byte; the last byte's unused bits are
    /// ignored. (A `bool[]` would take 32 bytes of calldata per flag.)
    function decommissionMany(
        bytes32 batchId,
        uint256[] calldata indexes,
        string[] calldata serials,
        bytes32[] calldata proof,
        bytes calldata proofFlags,
        PackState state
    ) external;

    /// @notice Undoes a dispense (within 10 days) or a lock, by the party that did it; never for
    /// a recalled, suspended or expired batch. The pack returns to the caller's stock.
    function reactivate(bytes32 batchId, uint256 index) external;

    // ---------------------------------------------------------------- views

    /// @notice Verifies a pack from what its label says, without a transaction. The returned batch
    /// record leaves `documentHash` zero; `batch(batchId)` has it.
    /// @param labelExpiry the expiry printed on the pack (YYYYMMDD), or 0 when the code has none
    function verifyPack(
        uint64 gtin,
        string calldata lot,
        string calldata serial,
        uint256 index,
        bytes32[] calldata proof,
        uint32 labelExpiry
    ) external view returns (Verification memory);

    function batch(bytes32 batchId) external view returns (Batch memory);

    function unitsHeld(bytes32 batchId, address holder) external view returns (uint256);

    /// @notice The hash of a pending shipment's content, or zero when it is not pending.
    function pendingShipment(bytes32 shipmentId) external view returns (bytes32);

    function packRecord(bytes32 batchId, uint256 index) external view returns (PackRecord memory);

    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32);
}
