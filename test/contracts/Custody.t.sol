// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";

/// @notice Shipments: ship, receive, reject, cancel; routes; stock that may not move. Split in two
/// contracts to keep each one's bytecode well under 64 KiB.
abstract contract CustodyFixture is LedgerFixture {
    bytes32 internal constant REF = "ASN-0001";

    /// @dev A second batch of mfr's product, for multi-line shipments.
    bytes32 internal batchA2;
    /// @dev A batch of mfr's product that expires at the end of January 2027.
    bytes32 internal batchShort;

    function setUp() public override {
        super.setUp();
        batchA2 = registerTestBatch(mfr, GTIN, "LOT-A2", 20290600, 10, "A2", bytes32(0));
        batchShort = registerTestBatch(mfr, GTIN, "LOT-SHORT", 20270131, 8, "S1", bytes32(0));
    }

    // ------------------------------------------------------------ helpers

    function _assertRouteMovesUnits(address from, address to, bytes32 batchId) internal {
        uint256 fromBefore = units(batchId, from);
        uint256 toBefore = units(batchId, to);
        deliver(from, to, batchId, 1);
        assertEq(units(batchId, from), fromBefore - 1, "sender debited");
        assertEq(units(batchId, to), toBefore + 1, "recipient credited");
    }

    function _expectRouteRefused(
        address from,
        IPedigreeRegistry.Role fromRole,
        address to,
        IPedigreeRegistry.Role toRole,
        bytes32 batchId
    ) internal {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchId, 1);
        vm.prank(from);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeRouteNotAllowed.selector, from, fromRole, to, toRole)
        );
        ledger.ship(to, REF, lines);
    }
}

/// @notice ship: routes, quantities, stock that may not move forward, multi-line shipments.
contract ShipTest is CustodyFixture {
    // ------------------------------------------------------------ ship

    function test_ship_movesUnitsInTransitAndEmits() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 expectedId = shipmentIdOf(mfr, REF);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsShipped(batchA, expectedId, mfr, dist, 5, REF);
        vm.prank(mfr);
        bytes32 id = ledger.ship(dist, REF, lines);

        assertEq(id, expectedId, "shipment id = keccak256(sender, ref, block number)");
        assertEq(units(batchA, mfr), PACKS - 5, "sender debited");
        assertEq(units(batchA, dist), 0, "recipient not yet credited");
        assertNotEq(ledger.pendingShipment(id), bytes32(0), "pending");
    }

    function test_ship_shipsWholeStock() public {
        ship(mfr, dist, batchA, PACKS);
        assertEq(units(batchA, mfr), 0, "nothing left");
    }

    function test_ship_revertsWhenShipmentRefReusedInSameBlock() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        bytes32 id = ledger.ship(dist, REF, lines);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentExists.selector, id));
        ledger.ship(pharmacy, REF, lines);
    }

    function test_ship_acceptsShipmentRefReusedInNextBlock() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        bytes32 first = ledger.ship(dist, REF, lines);
        vm.roll(vm.getBlockNumber() + 1);
        vm.prank(mfr);
        bytes32 second = ledger.ship(dist, REF, lines);
        assertNotEq(first, second, "different shipments");
        assertEq(units(batchA, mfr), PACKS - 2, "both debited");
    }

    function test_ship_acceptsSameRefFromAnotherSender() public {
        deliver(mfr, dist, batchA, 4);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        ledger.ship(dist2, REF, lines);
        vm.prank(dist);
        ledger.ship(pharmacy, REF, lines);
    }

    function test_ship_revertsWhenEmpty() public {
        IPedigreeLedger.ShipmentLine[] memory lines = new IPedigreeLedger.ShipmentLine[](0);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeEmptyShipment.selector));
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenQuantityZero() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 0);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeZeroQuantity.selector, batchA));
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenManufacturerHasTooFewUnits() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, PACKS + 1);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeInsufficientUnits.selector, batchA, mfr, PACKS, PACKS + 1)
        );
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenDistributorHasTooFewUnits() public {
        deliver(mfr, dist, batchA, 3);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 4);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInsufficientUnits.selector, batchA, dist, 3, 4));
        ledger.ship(pharmacy, REF, lines);
    }

    function test_ship_revertsWhenManufacturerShipsOtherManufacturersBatch() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr2);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInsufficientUnits.selector, batchA, mfr2, 0, 1));
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenQuantityHuge() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, type(uint256).max);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInsufficientUnits.selector,
                batchA,
                mfr,
                PACKS,
                type(uint256).max
            )
        );
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenBatchUnknown() public {
        bytes32 unknown = keccak256(abi.encode(GTIN, "NOPE"));
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(unknown, 1);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUnknownBatch.selector, unknown));
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenSenderNotParticipant() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenSenderSuspended() public {
        deliver(mfr, dist, batchA, 2);
        ledger.suspendParticipant(dist, "licence withdrawn");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, dist));
        ledger.ship(pharmacy, REF, lines);
    }

    function test_ship_revertsWhenRecipientNotParticipant() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.ship(stranger, REF, lines);
    }

    function test_ship_revertsWhenRecipientSuspended() public {
        ledger.suspendParticipant(dist, "licence withdrawn");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, dist));
        ledger.ship(dist, REF, lines);
    }

    // ------------------------------------------------------------ routes

    function test_ship_manufacturerToDistributor() public {
        _assertRouteMovesUnits(mfr, dist, batchA);
    }

    function test_ship_manufacturerToPharmacy() public {
        _assertRouteMovesUnits(mfr, pharmacy, batchA);
    }

    function test_ship_revertsWhenManufacturerToManufacturer() public {
        _expectRouteRefused(
            mfr,
            IPedigreeRegistry.Role.Manufacturer,
            mfr2,
            IPedigreeRegistry.Role.Manufacturer,
            batchA
        );
    }

    function test_ship_revertsWhenManufacturerToRegulator() public {
        _expectRouteRefused(
            mfr,
            IPedigreeRegistry.Role.Manufacturer,
            regulator,
            IPedigreeRegistry.Role.Regulator,
            batchA
        );
    }

    function test_ship_distributorToDistributor() public {
        deliver(mfr, dist, batchA, 4);
        _assertRouteMovesUnits(dist, dist2, batchA);
    }

    function test_ship_distributorToPharmacy() public {
        deliver(mfr, dist, batchA, 4);
        _assertRouteMovesUnits(dist, pharmacy, batchA);
    }

    function test_ship_distributorBackToBatchManufacturer() public {
        deliver(mfr, dist, batchA, 4);
        _assertRouteMovesUnits(dist, mfr, batchA);
    }

    /// @dev Current behaviour, reported as questionable: the route table lets a distributor ship
    /// to itself (a pharmacy may not, since pharmacy to pharmacy is refused).
    function test_ship_revertsWhenShippingToItself() public {
        deliver(mfr, dist, batchA, 4);
        _expectRouteRefused(dist, IPedigreeRegistry.Role.Distributor, dist, IPedigreeRegistry.Role.Distributor, batchA);
        assertEq(units(batchA, dist), 4, "units unchanged");
    }

    function test_ship_revertsWhenDistributorToRegulator() public {
        deliver(mfr, dist, batchA, 4);
        _expectRouteRefused(
            dist,
            IPedigreeRegistry.Role.Distributor,
            regulator,
            IPedigreeRegistry.Role.Regulator,
            batchA
        );
    }

    function test_ship_pharmacyBackToDistributor() public {
        deliver(mfr, pharmacy, batchA, 4);
        _assertRouteMovesUnits(pharmacy, dist, batchA);
    }

    function test_ship_pharmacyBackToBatchManufacturer() public {
        deliver(mfr, pharmacy, batchA, 4);
        _assertRouteMovesUnits(pharmacy, mfr, batchA);
    }

    function test_ship_revertsWhenPharmacyToPharmacy() public {
        deliver(mfr, pharmacy, batchA, 4);
        _expectRouteRefused(
            pharmacy,
            IPedigreeRegistry.Role.Pharmacy,
            pharmacy2,
            IPedigreeRegistry.Role.Pharmacy,
            batchA
        );
    }

    function test_ship_revertsWhenPharmacyToRegulator() public {
        deliver(mfr, pharmacy, batchA, 4);
        _expectRouteRefused(
            pharmacy,
            IPedigreeRegistry.Role.Pharmacy,
            regulator,
            IPedigreeRegistry.Role.Regulator,
            batchA
        );
    }

    function test_ship_revertsWhenRegulatorShips() public {
        _expectRouteRefused(
            regulator,
            IPedigreeRegistry.Role.Regulator,
            dist,
            IPedigreeRegistry.Role.Distributor,
            batchA
        );
        _expectRouteRefused(
            regulator,
            IPedigreeRegistry.Role.Regulator,
            mfr,
            IPedigreeRegistry.Role.Manufacturer,
            batchA
        );
    }

    function test_ship_revertsWhenDistributorReturnsToOtherManufacturer() public {
        deliver(mfr, dist, batchA, 4);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeReturnToOtherManufacturer.selector, batchA, mfr2, mfr)
        );
        ledger.ship(mfr2, REF, lines);
    }

    function test_ship_revertsWhenPharmacyReturnsToOtherManufacturer() public {
        deliver(mfr, pharmacy, batchA, 4);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeReturnToOtherManufacturer.selector, batchA, mfr2, mfr)
        );
        ledger.ship(mfr2, REF, lines);
    }

    function test_ship_revertsWhenReturnMixesManufacturers() public {
        deliver(mfr, dist, batchA, 4);
        deliver(mfr2, dist, batchB, 4);
        IPedigreeLedger.ShipmentLine[] memory lines = twoLines(batchA, 1, batchB, 1);
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeReturnToOtherManufacturer.selector, batchB, mfr, mfr2)
        );
        ledger.ship(mfr, REF, lines);
    }

    // ------------------------------------------------------------ stock that may not move forward

    function test_ship_revertsWhenBatchRecalled() public {
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeBatchNotMovable.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Recalled,
                EXPIRY_NORMALIZED
            )
        );
        ledger.ship(dist, REF, lines);
    }

    function test_ship_revertsWhenBatchSuspended() public {
        deliver(mfr, dist, batchA, 4);
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeBatchNotMovable.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Suspended,
                EXPIRY_NORMALIZED
            )
        );
        ledger.ship(pharmacy, REF, lines);
    }

    function test_ship_revertsWhenBatchExpired() public {
        deliver(mfr, dist, batchShort, 4);
        vm.warp(START + 17 days); // 2027-02-01
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchShort, 1);
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeBatchNotMovable.selector,
                batchShort,
                IPedigreeLedger.BatchStatus.Active,
                20270131
            )
        );
        ledger.ship(pharmacy, REF, lines);
    }

    function test_ship_acceptsBatchOnItsExpiryDay() public {
        vm.warp(START + 16 days); // 2027-01-31 08:00
        ship(mfr, dist, batchShort, 1);
        assertEq(units(batchShort, mfr), 7, "shipped on the expiry day");
    }

    function test_ship_returnsRecalledUnitsToManufacturer() public {
        deliver(mfr, pharmacy, batchA, 4);
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        deliver(pharmacy, mfr, batchA, 4);
        assertEq(units(batchA, mfr), PACKS, "all units back");
        assertEq(units(batchA, pharmacy), 0, "pharmacy empty");
    }

    function test_ship_returnsSuspendedUnitsToManufacturer() public {
        deliver(mfr, dist, batchA, 4);
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        deliver(dist, mfr, batchA, 3);
        assertEq(units(batchA, mfr), PACKS - 1, "returned");
    }

    function test_ship_returnsExpiredUnitsToManufacturer() public {
        deliver(mfr, dist, batchShort, 4);
        vm.warp(START + 60 days);
        deliver(dist, mfr, batchShort, 4);
        assertEq(units(batchShort, mfr), 8, "returned");
    }

    function test_ship_revertsWhenRecalledBatchReturnedToOtherManufacturer() public {
        deliver(mfr, dist, batchA, 4);
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeReturnToOtherManufacturer.selector, batchA, mfr2, mfr)
        );
        ledger.ship(mfr2, REF, lines);
    }

    // ------------------------------------------------------------ multi-line shipments

    function test_ship_multiLineShipmentMovesEveryLine() public {
        IPedigreeLedger.ShipmentLine[] memory lines = twoLines(batchA, 3, batchA2, 7);
        bytes32 expectedId = shipmentIdOf(mfr, REF);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsShipped(batchA, expectedId, mfr, dist, 3, REF);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsShipped(batchA2, expectedId, mfr, dist, 7, REF);
        vm.prank(mfr);
        bytes32 id = ledger.ship(dist, REF, lines);

        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsReceived(batchA, id, dist, mfr, 3);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsReceived(batchA2, id, dist, mfr, 7);
        vm.prank(dist);
        ledger.receiveShipment(id, mfr, lines);
        assertEq(units(batchA, dist), 3, "line 1");
        assertEq(units(batchA2, dist), 7, "line 2");
        assertEq(units(batchA2, mfr), 3, "manufacturer keeps the rest of line 2");
    }

    function test_ship_multiLineShipmentOfTwoManufacturersFromDistributor() public {
        deliver(mfr, dist, batchA, 5);
        deliver(mfr2, dist, batchB, 5);
        IPedigreeLedger.ShipmentLine[] memory lines = twoLines(batchA, 2, batchB, 4);
        bytes32 id = shipLines(dist, pharmacy, lines);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsRejected(batchA, id, pharmacy, dist, 2, "wrong order");
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsRejected(batchB, id, pharmacy, dist, 4, "wrong order");
        vm.prank(pharmacy);
        ledger.rejectShipment(id, dist, lines, "wrong order");
        assertEq(units(batchA, dist), 5, "batch A back");
        assertEq(units(batchB, dist), 5, "batch B back");
    }

    function test_ship_multiLineShipmentWithSameBatchTwice() public {
        IPedigreeLedger.ShipmentLine[] memory lines = twoLines(batchA, 3, batchA, 4);
        bytes32 id = shipLines(mfr, pharmacy, lines);
        assertEq(units(batchA, mfr), PACKS - 7, "both lines debited");
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.ShipmentCancelled(batchA, id, mfr, pharmacy, 3);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.ShipmentCancelled(batchA, id, mfr, pharmacy, 4);
        vm.prank(mfr);
        ledger.cancelShipment(id, pharmacy, lines);
        assertEq(units(batchA, mfr), PACKS, "both lines credited back");
    }

    function test_ship_multiLineShipmentIsAtomic() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA2, "inspection");
        IPedigreeLedger.ShipmentLine[] memory lines = twoLines(batchA, 3, batchA2, 1);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeBatchNotMovable.selector,
                batchA2,
                IPedigreeLedger.BatchStatus.Suspended,
                20290630
            )
        );
        ledger.ship(dist, REF, lines);
        assertEq(units(batchA, mfr), PACKS, "first line not debited");
    }

    function test_ship_revertsWhenLineOverdrawsAcrossLines() public {
        IPedigreeLedger.ShipmentLine[] memory lines = twoLines(batchA, 10, batchA, 10);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInsufficientUnits.selector, batchA, mfr, 6, 10));
        ledger.ship(dist, REF, lines);
    }
}

/// @notice receiveShipment, rejectShipment and cancelShipment.
contract SettlementTest is CustodyFixture {
    // ------------------------------------------------------------ receiveShipment

    function test_receive_creditsRecipientAndEmits() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsReceived(batchA, id, dist, mfr, 5);
        vm.prank(dist);
        ledger.receiveShipment(id, mfr, lines);
        assertEq(units(batchA, dist), 5, "recipient credited");
        assertEq(units(batchA, mfr), PACKS - 5, "sender stays debited");
        assertEq(ledger.pendingShipment(id), bytes32(0), "settled");
    }

    function test_receive_returnCreditsManufacturer() public {
        deliver(mfr, dist, batchA, 5);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 2);
        bytes32 id = shipLines(dist, mfr, lines);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsReceived(batchA, id, mfr, dist, 2);
        vm.prank(mfr);
        ledger.receiveShipment(id, dist, lines);
        assertEq(units(batchA, mfr), PACKS - 3, "manufacturer credited");
        assertEq(units(batchA, dist), 3, "distributor keeps 3");
    }

    function test_receive_revertsWhenQuantityDiffers() public {
        bytes32 id = ship(mfr, dist, batchA, 5);
        IPedigreeLedger.ShipmentLine[] memory claimed = oneLine(batchA, 6);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.receiveShipment(id, mfr, claimed);
    }

    function test_receive_revertsWhenBatchDiffers() public {
        bytes32 id = ship(mfr, dist, batchA, 5);
        IPedigreeLedger.ShipmentLine[] memory claimed = oneLine(batchA2, 5);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.receiveShipment(id, mfr, claimed);
    }

    function test_receive_revertsWhenLinesDropped() public {
        IPedigreeLedger.ShipmentLine[] memory lines = twoLines(batchA, 3, batchA2, 7);
        bytes32 id = shipLines(mfr, dist, lines);
        IPedigreeLedger.ShipmentLine[] memory claimed = oneLine(batchA, 3);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.receiveShipment(id, mfr, claimed);
    }

    function test_receive_revertsWhenSenderDiffers() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.receiveShipment(id, mfr2, lines);
    }

    function test_receive_revertsWhenCallerIsNotRecipient() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(dist2);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.receiveShipment(id, mfr, lines);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.receiveShipment(id, mfr, lines);
    }

    function test_receive_revertsWhenCallerNotParticipant() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.receiveShipment(id, mfr, lines);
    }

    function test_receive_revertsWhenReceivedTwice() public {
        bytes32 id = deliver(mfr, dist, batchA, 5);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentNotPending.selector, id));
        ledger.receiveShipment(id, mfr, lines);
    }

    function test_receive_revertsWhenShipmentUnknown() public {
        bytes32 id = keccak256("no such shipment");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentNotPending.selector, id));
        ledger.receiveShipment(id, mfr, lines);
    }

    function test_receive_revertsWhenCancelled() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(mfr);
        ledger.cancelShipment(id, dist, lines);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentNotPending.selector, id));
        ledger.receiveShipment(id, mfr, lines);
    }

    /// @dev Current behaviour, reported as questionable: units shipped before a recall can still
    /// be received forward (the recipient may also reject them and the sender cancel).
    function test_receive_acceptsUnitsRecalledInTransit() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        vm.prank(dist);
        ledger.receiveShipment(id, mfr, lines);
        assertEq(units(batchA, dist), 5, "recalled units received");
    }

    // ------------------------------------------------------------ rejectShipment

    function test_reject_returnsUnitsToSenderAndEmits() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.UnitsRejected(batchA, id, dist, mfr, 5, "damaged in transit");
        vm.prank(dist);
        ledger.rejectShipment(id, mfr, lines, "damaged in transit");
        assertEq(units(batchA, mfr), PACKS, "units back at the sender");
        assertEq(units(batchA, dist), 0, "recipient has none");
        assertEq(ledger.pendingShipment(id), bytes32(0), "settled");
    }

    function test_reject_returnsUnitsToDistributorWhenManufacturerRejectsReturn() public {
        deliver(mfr, dist, batchA, 5);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 2);
        bytes32 id = shipLines(dist, mfr, lines);
        vm.prank(mfr);
        ledger.rejectShipment(id, dist, lines, "not authorised");
        assertEq(units(batchA, dist), 5, "distributor has its units back");
        assertEq(units(batchA, mfr), PACKS - 5, "manufacturer unchanged");
    }

    function test_reject_revertsWhenReasonEmpty() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptyReason.selector));
        ledger.rejectShipment(id, mfr, lines, "");
    }

    function test_reject_revertsWhenCallerIsNotRecipient() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.rejectShipment(id, mfr, lines, "damaged");
    }

    function test_reject_revertsWhenContentDiffers() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        IPedigreeLedger.ShipmentLine[] memory claimed = oneLine(batchA, 4);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.rejectShipment(id, mfr, claimed, "damaged");
    }

    function test_reject_revertsWhenAlreadyReceived() public {
        bytes32 id = deliver(mfr, dist, batchA, 5);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentNotPending.selector, id));
        ledger.rejectShipment(id, mfr, lines, "damaged");
    }

    function test_reject_revertsWhenCallerNotParticipant() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.rejectShipment(id, mfr, lines, "damaged");
    }

    // ------------------------------------------------------------ cancelShipment

    function test_cancel_returnsUnitsAndEmits() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.ShipmentCancelled(batchA, id, mfr, dist, 5);
        vm.prank(mfr);
        ledger.cancelShipment(id, dist, lines);
        assertEq(units(batchA, mfr), PACKS, "units back");
        assertEq(ledger.pendingShipment(id), bytes32(0), "settled");
    }

    function test_cancel_byDistributorCreditsHoldings() public {
        deliver(mfr, dist, batchA, 5);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(dist, pharmacy, lines);
        assertEq(units(batchA, dist), 0, "in transit");
        vm.prank(dist);
        ledger.cancelShipment(id, pharmacy, lines);
        assertEq(units(batchA, dist), 5, "back");
    }

    function test_cancel_revertsWhenCallerIsRecipient() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.cancelShipment(id, dist, lines);
    }

    function test_cancel_revertsWhenRecipientDiffers() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.cancelShipment(id, dist2, lines);
    }

    function test_cancel_revertsWhenContentDiffers() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        IPedigreeLedger.ShipmentLine[] memory claimed = oneLine(batchA, 50);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentMismatch.selector, id));
        ledger.cancelShipment(id, dist, claimed);
    }

    function test_cancel_revertsWhenCancelledTwice() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(mfr);
        ledger.cancelShipment(id, dist, lines);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentNotPending.selector, id));
        ledger.cancelShipment(id, dist, lines);
    }

    function test_cancel_revertsWhenAlreadyRejected() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(dist);
        ledger.rejectShipment(id, mfr, lines, "damaged");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentNotPending.selector, id));
        ledger.cancelShipment(id, dist, lines);
    }

    function test_cancel_revertsWhenCallerNotParticipant() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 5);
        bytes32 id = shipLines(mfr, dist, lines);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.cancelShipment(id, dist, lines);
    }

    function test_shipmentRef_reusableInSameBlockOnceSettled() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        bytes32 id = ledger.ship(dist, REF, lines);
        vm.prank(mfr);
        ledger.cancelShipment(id, dist, lines);
        vm.prank(mfr);
        bytes32 again = ledger.ship(dist, REF, lines);
        assertEq(again, id, "same id, pending again");
        assertNotEq(ledger.pendingShipment(id), bytes32(0), "pending again");
    }
}
