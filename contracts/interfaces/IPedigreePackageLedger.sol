// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreeRegistry} from "./IPedigreeRegistry.sol";

/// @title Pedigree package-level custody ledger
/// @notice Custody by identity (US DSCSA package level): every pack of a registered batch, and every
/// logistic unit (a case, pallet or tote named by its SSCC), has one known place at every moment:
/// held by one participant, inside one unit, in transit between two, quarantined, or
/// decommissioned. Only the holder moves, aggregates or decommissions what it holds; a pack or unit
/// inside a unit is held by the holder of the unit at the top of its nesting. Units move with
/// everything inside them at a cost that does not grow with their contents.
interface IPedigreePackageLedger is IPedigreeRegistry {
    // ---------------------------------------------------------------- types

    enum BatchStatus {
        None,
        Active,
        Suspended,
        Recalled,
        Quarantined
    }

    /// @dev As in the EU verification system. `Active` is no decommissioning state; it is what
    /// `PackRecord.state` says of a pack that is not decommissioned.
    enum PackState {
        Active,
        Dispensed,
        Destroyed,
        Stolen,
        Sample,
        Exported,
        Locked
    }

    /// @dev Where a pack or unit is; see {Place} for the record behind it.
    enum PlaceKind {
        Fresh,
        Held,
        InUnit,
        InTransit,
        Quarantined,
        Decommissioned,
        Destroyed
    }

    /// @dev The steps of a shipment, as the read model names them. Each step has an event of its
    /// own (`ShipmentShipped`, `ShipmentReceived` for what is received and rejected,
    /// `ShipmentCancelled`), so no event carries this number.
    enum Handoff {
        Shipped,
        Received,
        Rejected,
        Cancelled
    }

    /// @dev EPCIS AggregationEvent actions.
    enum Aggregation {
        Add,
        Delete
    }

    enum QuarantineOutcome {
        Cleared,
        Illegitimate
    }

    enum Verdict {
        Genuine,
        Dispensed,
        Decommissioned,
        Recalled,
        Suspended,
        Quarantined,
        Expired,
        Mismatch,
        UnknownSerial,
        UnknownBatch,
        UnknownProduct
    }

    /// @notice One pack: its batch, its index in the batch's serial list, and the unit it is in
    /// when it is inside one (0 for a loose pack). The unit is the one that directly contains it,
    /// which for a pack that was never taken out of its case is that case.
    struct PackRef {
        bytes32 batchId;
        uint256 index;
        uint256 unit;
    }

    /// @notice What a step acts on: logistic units by SSCC, and packs.
    struct Items {
        uint256[] units;
        PackRef[] packs;
    }

    struct Batch {
        address manufacturer;
        BatchStatus status;
        uint32 expiry;
        uint32 packCount;
        uint32 number;
        uint32 packedUpTo;
        bytes32 serialsRoot;
        bytes32 documentHash;
    }

    /// @notice A resolved place. For a pack or unit inside units, `kind` and the parties are those
    /// of the top-most unit (what its holder's custody says), `parent` the unit that directly
    /// contains it and `top` the top-most one.
    struct Location {
        PlaceKind kind;
        /// @dev the holder (Held, Quarantined), the sender (InTransit), or who decommissioned it
        address party;
        /// @dev the recipient (InTransit)
        address recipient;
        uint256 parent;
        uint256 top;
        /// @dev Decommissioned: the state and when
        PackState state;
        uint32 at;
    }

    struct Unit {
        Location location;
        bool opened;
        /// @dev for a unit packed from a range: the batch's number and the range [rangeStart, rangeEnd)
        uint32 rangeBatch;
        uint32 rangeStart;
        uint32 rangeEnd;
    }

    /// @notice A verdict, and where the pack is. The batch's record is the lens's `batch(batchId)`.
    struct Verification {
        Verdict verdict;
        bytes32 batchId;
        Location location;
    }

    // ---------------------------------------------------------------- events

    /// @param number the batch's number, which units packed from its range name it by
    event BatchRegistered(
        bytes32 indexed batchId,
        uint64 indexed gtin,
        address indexed manufacturer,
        string lot,
        uint32 expiry,
        uint32 packCount,
        bytes32 serialsRoot,
        bytes32 documentHash,
        uint32 number
    );
    event BatchRecalled(bytes32 indexed batchId, address indexed by, string reason);
    event BatchSuspended(bytes32 indexed batchId, address indexed by, string reason);
    event BatchReinstated(bytes32 indexed batchId, address indexed by);
    event BatchQuarantined(bytes32 indexed batchId, address indexed by, string reason);
    event BatchQuarantineEnded(bytes32 indexed batchId, address indexed by, QuarantineOutcome outcome, string reason);

    /// @notice A new unit holding the packs [firstIndex, firstIndex + count) of a batch that were
    /// still fresh (an EPCIS AggregationEvent ADD of those packs).
    event UnitPacked(
        uint256 indexed sscc,
        bytes32 indexed batchId,
        address indexed by,
        uint256 firstIndex,
        uint256 count
    );
    /// @notice Units and packs put into (Add) or taken out of (Delete) unit `sscc`. A new unit is
    /// announced by its first Add. Packs are listed by batch id and index.
    event UnitAggregated(
        uint256 indexed sscc,
        Aggregation indexed action,
        address indexed by,
        uint256[] units,
        PackRef[] packs
    );
    /// @notice `by` shipped the units (each with all inside it) and loose packs listed to `to`:
    /// they are in transit from `by` to `to`. `shipmentRef` is the business reference given.
    event ShipmentShipped(
        bytes32 indexed shipmentId,
        address indexed by,
        address indexed to,
        bytes32 shipmentRef,
        uint256[] units,
        PackRef[] packs
    );
    /// @notice `by` settled what was shipped to it: `units` and `packs` joined its custody;
    /// `rejectedUnits` and `rejectedPacks` went back to their sender (the party that shipped them
    /// to `by`, see `ShipmentShipped`), for `reason`. One event per settlement, both lists in it,
    /// as the call gives them.
    event ShipmentReceived(
        bytes32 indexed shipmentId,
        address indexed by,
        uint256[] units,
        PackRef[] packs,
        uint256[] rejectedUnits,
        PackRef[] rejectedPacks,
        string reason
    );
    /// @notice `by` withdrew what it had shipped and the recipient had not settled: the units and
    /// packs listed are back in its custody.
    event ShipmentCancelled(bytes32 indexed shipmentId, address indexed by, uint256[] units, PackRef[] packs);
    event PackDecommissioned(bytes32 indexed batchId, uint256 indexed index, address by, PackState state);
    event PackReactivated(bytes32 indexed batchId, uint256 indexed index, address indexed by, PackState previousState);
    event ItemsQuarantined(address indexed by, uint256[] units, PackRef[] packs, string reason);
    event ItemsQuarantineEnded(
        address indexed by,
        QuarantineOutcome indexed outcome,
        uint256[] units,
        PackRef[] packs,
        string reason
    );

    // ---------------------------------------------------------------- errors

    error PedigreeBatchExists(bytes32 batchId);
    error PedigreeUnknownBatch(bytes32 batchId);
    error PedigreeNotBatchManufacturer(bytes32 batchId, address caller, address manufacturer);
    error PedigreeInvalidBatchTransition(bytes32 batchId, BatchStatus current, BatchStatus target);
    error PedigreeBatchNotMovable(bytes32 batchId, BatchStatus status, uint32 expiry);
    error PedigreeRouteNotAllowed(address from, Role fromRole, address to, Role toRole);
    error PedigreeReturnToOtherManufacturer(bytes32 batchId, address to, address manufacturer);
    error PedigreeNothingListed();
    error PedigreeIndexOutOfRange(bytes32 batchId, uint256 index, uint256 packCount);
    error PedigreeInvalidSscc(uint256 sscc);
    error PedigreeSsccOutsideCompanyPrefixes(uint256 sscc, address packer);
    error PedigreeUnitExists(uint256 sscc);
    error PedigreeUnknownUnit(uint256 sscc);
    error PedigreeRangeNotAvailable(bytes32 batchId, uint256 packedUpTo, uint256 count, uint256 packCount);
    /// @notice The pack is not directly inside `unit`, the unit the caller named (0: loose).
    error PedigreePackNotInUnit(bytes32 batchId, uint256 index, uint256 unit);
    /// @notice The unit is inside `parent`: take it out first.
    error PedigreeUnitNotInUnit(uint256 sscc, uint256 parent);
    /// @notice Only the holder acts: `holder` holds the pack (the holder of its top-most unit).
    error PedigreePackNotHeld(bytes32 batchId, uint256 index, address holder, PlaceKind kind);
    error PedigreeUnitNotHeld(uint256 sscc, address holder, PlaceKind kind);
    /// @notice A pack inside a unit moves with it, or is taken out of it first.
    error PedigreePackInUnit(bytes32 batchId, uint256 index, uint256 unit);
    error PedigreeUnitInUnit(uint256 sscc, uint256 parent);
    /// @notice Aggregating into `sscc` would nest units more than MAX_NESTING levels.
    error PedigreeNestingTooDeep(uint256 sscc);
    error PedigreeNotInTransitTo(uint256 sscc, bytes32 batchId, uint256 index, address caller);
    error PedigreeNotInTransitFrom(uint256 sscc, bytes32 batchId, uint256 index, address caller);
    error PedigreeNotQuarantined(uint256 sscc, bytes32 batchId, uint256 index);
    error PedigreeQuarantinedByRegulator(uint256 sscc, bytes32 batchId, uint256 index);
    error PedigreeInvalidPackState(PackState state);
    error PedigreeDispenseNotAllowed(bytes32 batchId, BatchStatus status, uint32 expiry);
    error PedigreeUndoNotAllowed(bytes32 batchId, uint256 index, PackState current);
    error PedigreeUndoByOtherParty(bytes32 batchId, uint256 index, address decommissionedBy);
    error PedigreeUndoWindowClosed(bytes32 batchId, uint256 index, uint32 dispensedAt, uint256 deadline);

    // ---------------------------------------------------------------- batches

    /// @notice Registers a batch of the caller's product; the caller then holds all its packs.
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

    /// @notice Suspends an active batch: its packs can only go back to the manufacturer. Regulators.
    function suspendBatch(bytes32 batchId, string calldata reason) external;

    /// @notice Reactivates a suspended batch. Regulators.
    function reinstateBatch(bytes32 batchId) external;

    /// @notice Quarantines an active batch while suspect product is investigated (DSCSA): its packs
    /// can neither be supplied nor dispensed, only go back to the manufacturer. A regulator or the
    /// batch's manufacturer.
    function quarantineBatch(bytes32 batchId, string calldata reason) external;

    /// @notice Ends a batch's quarantine: cleared (active again) or illegitimate (recalled for good).
    /// A regulator; the batch's manufacturer only for a quarantine it placed itself.
    function endBatchQuarantine(bytes32 batchId, QuarantineOutcome outcome, string calldata reason) external;

    // ---------------------------------------------------------------- aggregation

    /// @notice Packs the next `count` packs of the caller's batch, as its packaging line produced
    /// them, into the new unit `sscc`, at a cost that does not depend on `count`. The range starts
    /// where the batch's last packed range ended (see `Batch.packedUpTo`); packs of it already
    /// moved or decommissioned one by one stay where they are. Only the batch's manufacturer, with
    /// an SSCC under one of its company prefixes.
    /// @param prefixLength the length of the company prefix inside `sscc` (6 to 12 digits)
    function packRange(uint256 sscc, uint256 prefixLength, bytes32 batchId, uint256 count) external;

    /// @notice Aggregates units and packs the caller holds into the new unit `sscc`. Units must be
    /// at the top of their nesting; packs loose or inside a unit the caller holds (they are then
    /// taken out of it). A manufacturer names an SSCC under one of its company prefixes
    /// (`prefixLength` digits); other participants any valid SSCC (`prefixLength` is ignored).
    function aggregate(uint256 sscc, uint256 prefixLength, Items calldata children) external;

    /// @notice Takes units and packs out of unit `sscc`, which the caller holds; they become loose
    /// in the caller's custody and the unit is marked opened.
    function disaggregate(uint256 sscc, Items calldata children) external;

    // ---------------------------------------------------------------- handoffs

    /// @notice Ships units (each with all inside it) and loose packs to a registered recipient;
    /// they stay in transit until the recipient receives or rejects them or the caller cancels.
    /// Routes: manufacturer to distributor or pharmacy; distributor to distributor, pharmacy or
    /// manufacturer; pharmacy back to a distributor or a manufacturer; never to oneself. Loose packs
    /// of a recalled, suspended, quarantined or expired batch may only go back to its manufacturer.
    /// @param shipmentRef the shipment's business reference, such as an ASN or despatch advice number
    /// @return shipmentId keccak256(abi.encode(sender, shipmentRef, block.number))
    function ship(address to, bytes32 shipmentRef, Items calldata items) external returns (bytes32 shipmentId);

    /// @notice Settles what was shipped to the caller: `received` joins the caller's custody,
    /// `rejected` goes back to its sender (`reason` required when anything is rejected). What is
    /// not listed stays in transit, to be settled later.
    function receiveShipment(
        bytes32 shipmentId,
        Items calldata received,
        Items calldata rejected,
        string calldata reason
    ) external;

    /// @notice Withdraws items the caller shipped, before the recipient settled them.
    function cancelShipment(bytes32 shipmentId, Items calldata items) external;

    // ---------------------------------------------------------------- packs

    /// @notice Decommissions one pack the caller holds. Dispensing is for pharmacies, and never for
    /// a recalled, suspended, quarantined or expired batch; the other states are open to any holder
    /// but regulators.
    /// @param unit the unit the pack is in, or 0 when loose
    function decommission(bytes32 batchId, uint256 index, uint256 unit, PackState state) external;

    /// @notice Decommissions several packs the caller holds, all into `state`.
    function decommissionMany(PackRef[] calldata packs, PackState state) external;

    /// @notice Undoes a dispense (within 10 days) or a lock, by the party that did it; never for a
    /// recalled, suspended, quarantined or expired batch. The pack returns loose to the caller.
    function reactivate(bytes32 batchId, uint256 index) external;

    // ---------------------------------------------------------------- quarantine

    /// @notice Quarantines units and packs: they can neither move nor be dispensed until the
    /// quarantine ends. A regulator (whoever holds them), or their holder. Items must be at the top
    /// of their nesting (a pack inside a unit: quarantine the unit, or take the pack out first).
    function quarantine(Items calldata items, string calldata reason) external;

    /// @notice Ends the quarantine of units and packs: cleared (back to their holder) or
    /// illegitimate (destroyed, with all inside them). A regulator, or the holder for a quarantine
    /// it placed itself.
    function endQuarantine(Items calldata items, QuarantineOutcome outcome, string calldata reason) external;

    // ---------------------------------------------------------------- views

    /// @notice The raw value of storage slot `slot`. The layout of the custody records is
    /// {PackageSlots}; {IPedigreePackageLens} reads them through this, as Uniswap v4's StateLibrary
    /// reads its pool manager (views of their own would not fit in the ledger's code).
    function extsload(bytes32 slot) external view returns (bytes32 value);

    /// @notice The raw values of storage slots `slots`, in their order.
    function extsload(bytes32[] calldata slots) external view returns (bytes32[] memory values);

    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32);
}
