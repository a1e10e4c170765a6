// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IPedigreePackageLedger as L} from "../../contracts/interfaces/IPedigreePackageLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {PackageFixture} from "./utils/PackageFixture.sol";
import {SerialTree} from "./utils/SerialTree.sol";

/// @notice Package-level custody: units (SSCC) packed by range or aggregated, nested, shipped,
/// received in part, cancelled; only the holder acts; decommissioning and undo; quarantine.
contract PackageCustodyTest is PackageFixture {
    // ------------------------------------------------------------ batches

    function test_registerBatch_numbersBatchesAndKeepsTheRoot() public view {
        L.Batch memory a = lens.batch(batchA);
        assertEq(a.manufacturer, mfr, "manufacturer");
        assertEq(uint256(a.status), uint256(L.BatchStatus.Active), "active");
        assertEq(a.expiry, 20280229, "expiry, day 00 as the month's last day");
        assertEq(a.packCount, PACKS, "pack count");
        assertEq(a.number, 1, "first batch");
        assertEq(lens.batch(batchB).number, 2, "second batch");
        assertEq(a.serialsRoot, trees.root(batchA), "root");
        assertEq(a.packedUpTo, 0, "nothing packed yet");
        assertEq(uint256(lens.batch(bytes32(uint256(1))).status), 0, "an unknown batch reads empty");
    }

    function test_registerBatch_refusesTheSameLotTwice() public {
        bytes32 root = trees.root(batchA);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeBatchExists.selector, batchA));
        ledger.registerBatch(GTIN, LOT, EXPIRY, PACKS, root, bytes32(0));
    }

    function test_freshPacksAreHeldLooseByTheirManufacturer() public view {
        L.Location memory at = locate(batchA, 7, 0);
        assertEq(uint256(at.kind), uint256(L.PlaceKind.Held), "held");
        assertEq(at.party, mfr, "by the manufacturer");
        assertEq(at.parent, 0, "loose");
    }

    // ------------------------------------------------------------ packing by range

    function test_packRange_packsTheNextPacksOfTheBatchIntoACase() public {
        uint256 first = packCase(mfr, batchA, 50);
        uint256 second = packCase(mfr, batchA, 50);
        assertEq(lens.batch(batchA).packedUpTo, 100, "packed up to 100");
        L.Unit memory unit = lens.unit(second);
        assertEq(unit.rangeBatch, 1, "batch number");
        assertEq(unit.rangeStart, 50, "start");
        assertEq(unit.rangeEnd, 100, "end");
        assertEq(unit.location.party, mfr, "held by the manufacturer");
        L.Location memory at = locate(batchA, 49, first);
        assertEq(at.parent, first, "pack 49 in the first case");
        assertEq(at.top, first, "which is not nested");
        assertEq(at.party, mfr, "the manufacturer holds it");
        assertEq(locate(batchA, 100, 0).parent, 0, "pack 100 is still loose");
    }

    function test_packRange_refusesAnythingButTheBatchManufacturerAndAValidNewSscc() public {
        uint256 sscc = mfrSscc();
        vm.prank(mfr2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotBatchManufacturer.selector, batchA, mfr2, mfr));
        ledger.packRange(sscc, 6, batchA, 10);

        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeInvalidSscc.selector, sscc + 1));
        ledger.packRange(sscc + 1, 6, batchA, 10);

        uint256 foreign = mfr2Sscc();
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeSsccOutsideCompanyPrefixes.selector, foreign, mfr));
        ledger.packRange(foreign, 7, batchA, 10);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeSsccOutsideCompanyPrefixes.selector, sscc, mfr));
        ledger.packRange(sscc, 13, batchA, 10);

        vm.prank(mfr);
        ledger.packRange(sscc, 6, batchA, 10);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitExists.selector, sscc));
        ledger.packRange(sscc, 6, batchA, 10);
    }

    function test_packRange_refusesAnEmptyOrTooLongRange() public {
        uint256 sscc = mfrSscc();
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeRangeNotAvailable.selector, batchA, 0, 0, PACKS));
        ledger.packRange(sscc, 6, batchA, 0);
        packCase(mfr, batchA, 150);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeRangeNotAvailable.selector, batchA, 150, 51, PACKS));
        ledger.packRange(sscc, 6, batchA, 51);
    }

    function test_packRange_refusesABatchThatMayNotBeSupplied() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inquiry");
        uint256 sscc = mfrSscc();
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreeBatchNotMovable.selector, batchA, L.BatchStatus.Suspended, 20280229)
        );
        ledger.packRange(sscc, 6, batchA, 10);
    }

    function test_packRange_leavesPacksMovedBeforeWhereTheyAre() public {
        // Pack 3 ships loose before its range is packed: the case does not take it.
        deliver(mfr, dist, packsOnly(pack(batchA, 3, 0)));
        uint256 case_ = packCase(mfr, batchA, 10);
        assertEq(holderOf(batchA, 3, 0), dist, "pack 3 stays with the distributor");
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotInUnit.selector, batchA, 3, case_));
        ledger.decommission(batchA, 3, case_, L.PackState.Destroyed);
        assertEq(holderOf(batchA, 4, case_), mfr, "pack 4 is in the case");
    }

    // ------------------------------------------------------------ nesting and moving units

    function test_aPalletMovesWithEverythingInsideIt() public {
        uint256 caseA = packCase(mfr, batchA, 50);
        uint256 caseB = packCase(mfr, batchA, 50);
        uint256 pallet = aggregateInto(mfr, unitsOnly(caseA, caseB));
        assertEq(uint256(kindOf(caseA)), uint256(L.PlaceKind.Held), "a nested case reads as its pallet's place");
        assertEq(lens.unit(caseA).location.parent, pallet, "inside the pallet");
        assertEq(lens.unit(pallet).location.parent, 0, "the pallet is not nested");

        bytes32 id = shipItems(mfr, dist, unitsOnly(pallet));
        L.Location memory moving = locate(batchA, 70, caseB);
        assertEq(uint256(moving.kind), uint256(L.PlaceKind.InTransit), "pack 70 travels with its pallet");
        assertEq(moving.party, mfr, "from the manufacturer");
        assertEq(moving.recipient, dist, "to the distributor");
        assertEq(moving.top, pallet, "top-most unit");

        vm.prank(dist);
        ledger.receiveShipment(id, unitsOnly(pallet), nothing(), "");
        assertEq(holderOf(batchA, 70, caseB), dist, "the distributor holds pack 70");
        assertEq(unitHolder(caseA), dist, "and case A");
    }

    function test_unitsNestUpToTheLimit() public {
        uint256 bottom = packCase(mfr, batchA, 1);
        uint256 unit = bottom;
        for (uint256 level = 2; level <= ledger.MAX_NESTING(); ++level) unit = aggregateInto(mfr, unitsOnly(unit));
        uint256 tooTall = mfrSscc();
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNestingTooDeep.selector, tooTall));
        ledger.aggregate(tooTall, 6, unitsOnly(unit));
        deliver(mfr, dist, unitsOnly(unit));
        L.Location memory at = locate(batchA, 0, bottom);
        assertEq(at.party, dist, "the pack at the bottom is held by the top unit's holder");
        assertEq(at.top, unit, "eight levels up");
    }

    function test_aNestedUnitMovesOnlyWithItsParent() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        uint256 pallet = aggregateInto(mfr, unitsOnly(case_));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitInUnit.selector, case_, pallet));
        ledger.ship(dist, nextRef(), unitsOnly(case_));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackInUnit.selector, batchA, 2, case_));
        ledger.ship(dist, nextRef(), packsOnly(pack(batchA, 2, case_)));
    }

    // ------------------------------------------------------------ only the holder acts

    function test_onlyTheHolderMovesAUnit() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        deliver(mfr, dist, unitsOnly(case_));
        vm.prank(dist2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitNotHeld.selector, case_, dist, L.PlaceKind.Held));
        ledger.ship(pharmacy, nextRef(), unitsOnly(case_));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitNotHeld.selector, case_, dist, L.PlaceKind.Held));
        ledger.ship(dist2, nextRef(), unitsOnly(case_));
    }

    function test_onlyTheHolderDecommissionsAPack() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        deliver(mfr, pharmacy, unitsOnly(case_));
        // Another pharmacy, a distributor, the manufacturer: none of them holds pack 4.
        vm.prank(pharmacy2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 4, pharmacy, L.PlaceKind.Held));
        ledger.decommission(batchA, 4, case_, L.PackState.Destroyed);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 4, pharmacy, L.PlaceKind.Held));
        ledger.decommission(batchA, 4, case_, L.PackState.Stolen);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 4, pharmacy, L.PlaceKind.Held));
        ledger.decommission(batchA, 4, case_, L.PackState.Destroyed);

        vm.prank(pharmacy);
        ledger.decommission(batchA, 4, case_, L.PackState.Dispensed);
        L.Location memory at = locate(batchA, 4, 0);
        assertEq(uint256(at.kind), uint256(L.PlaceKind.Decommissioned), "decommissioned");
        assertEq(uint256(at.state), uint256(L.PackState.Dispensed), "dispensed");
        assertEq(at.party, pharmacy, "by the pharmacy");
        assertEq(at.at, START, "now");
        assertTrue(lens.unit(case_).opened, "the case is opened");
    }

    function test_aPackMustBeNamedWithTheUnitItIsIn() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        uint256 other = packCase(mfr, batchA, 10);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotInUnit.selector, batchA, 4, 0));
        ledger.decommission(batchA, 4, 0, L.PackState.Destroyed);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotInUnit.selector, batchA, 4, other));
        ledger.decommission(batchA, 4, other, L.PackState.Destroyed);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotInUnit.selector, batchA, 150, case_));
        ledger.decommission(batchA, 150, case_, L.PackState.Destroyed);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeIndexOutOfRange.selector, batchA, PACKS, PACKS));
        ledger.decommission(batchA, PACKS, 0, L.PackState.Destroyed);
    }

    function test_decommission_followsTheRulesOfEachState() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeInvalidPackState.selector, L.PackState.Active));
        ledger.decommission(batchA, 1, 0, L.PackState.Active);
        bytes32 role = ledger.PHARMACY_ROLE();
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, mfr, role));
        ledger.decommission(batchA, 1, 0, L.PackState.Dispensed);
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                regulator,
                IPedigreeRegistry.Role.Regulator
            )
        );
        ledger.decommission(batchA, 1, 0, L.PackState.Destroyed);
        vm.prank(mfr);
        ledger.decommission(batchA, 1, 0, L.PackState.Sample);
        // A recalled batch can still be destroyed, not supplied.
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreeDispenseNotAllowed.selector, batchA, L.BatchStatus.Recalled, 20280229)
        );
        ledger.decommission(batchA, 2, 0, L.PackState.Exported);
        vm.prank(mfr);
        ledger.decommission(batchA, 2, 0, L.PackState.Destroyed);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 2, mfr, L.PlaceKind.Decommissioned)
        );
        ledger.decommission(batchA, 2, 0, L.PackState.Destroyed);
    }

    function test_decommissionMany_decommissionsEachListedPack() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        L.PackRef[] memory packs = new L.PackRef[](3);
        (packs[0], packs[1], packs[2]) = (pack(batchA, 0, case_), pack(batchA, 9, case_), pack(batchA, 150, 0));
        vm.prank(mfr);
        ledger.decommissionMany(packs, L.PackState.Destroyed);
        for (uint256 i; i < 3; ++i) {
            assertEq(uint256(locate(batchA, packs[i].index, 0).state), uint256(L.PackState.Destroyed), "destroyed");
        }
        vm.prank(mfr);
        vm.expectRevert(L.PedigreeNothingListed.selector);
        ledger.decommissionMany(new L.PackRef[](0), L.PackState.Destroyed);
    }

    // ------------------------------------------------------------ receiving as clerks do

    function test_receiveShipment_receivesPartAndRejectsTheRestWithAReason() public {
        uint256 a = packCase(mfr, batchA, 10);
        uint256 b = packCase(mfr, batchA, 10);
        uint256 c = packCase(mfr, batchA, 10);
        L.Items memory all;
        all.units = new uint256[](3);
        (all.units[0], all.units[1], all.units[2]) = (a, b, c);
        all.packs = new L.PackRef[](1);
        all.packs[0] = pack(batchA, 190, 0);
        bytes32 id = shipItems(mfr, pharmacy, all);

        L.Items memory damaged = unitsOnly(c);
        vm.prank(pharmacy);
        vm.expectRevert(IPedigreeRegistry.PedigreeEmptyReason.selector);
        ledger.receiveShipment(id, unitsOnly(a, b), damaged, "");
        vm.prank(pharmacy);
        ledger.receiveShipment(id, unitsOnly(a, b), damaged, "case crushed");
        assertEq(unitHolder(a), pharmacy, "a received");
        assertEq(unitHolder(b), pharmacy, "b received");
        assertEq(unitHolder(c), mfr, "c back with the manufacturer");
        assertEq(uint256(locate(batchA, 190, 0).kind), uint256(L.PlaceKind.InTransit), "the loose pack still travels");

        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotInTransitTo.selector, a, bytes32(0), 0, pharmacy));
        ledger.receiveShipment(id, unitsOnly(a), nothing(), "");
        vm.prank(pharmacy2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotInTransitTo.selector, 0, batchA, 190, pharmacy2));
        ledger.receiveShipment(id, packsOnly(pack(batchA, 190, 0)), nothing(), "");
        vm.prank(pharmacy);
        vm.expectRevert(L.PedigreeNothingListed.selector);
        ledger.receiveShipment(id, nothing(), nothing(), "");
        vm.prank(pharmacy);
        ledger.receiveShipment(id, packsOnly(pack(batchA, 190, 0)), nothing(), "");
        assertEq(holderOf(batchA, 190, 0), pharmacy, "then the pack");
    }

    function test_receiveShipment_settlesOneSenderAtATime() public {
        uint256 a = packCase(mfr, batchA, 10);
        uint256 b = newSscc(9520999, 7);
        vm.prank(mfr2);
        ledger.packRange(b, 7, batchB, 4);
        shipItems(mfr, dist, unitsOnly(a));
        bytes32 id = shipItems(mfr2, dist, unitsOnly(b));
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotInTransitTo.selector, b, bytes32(0), 0, dist));
        ledger.receiveShipment(id, unitsOnly(a, b), nothing(), "");
    }

    function test_cancelShipment_bringsItemsBackToTheSender() public {
        uint256 a = packCase(mfr, batchA, 10);
        L.Items memory items = unitsOnly(a);
        items.packs = new L.PackRef[](1);
        items.packs[0] = pack(batchA, 150, 0);
        bytes32 id = shipItems(mfr, dist, items);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotInTransitFrom.selector, a, bytes32(0), 0, dist));
        ledger.cancelShipment(id, unitsOnly(a));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotInTransitFrom.selector, 0, batchA, 151, mfr));
        ledger.cancelShipment(id, packsOnly(pack(batchA, 151, 0)));
        vm.prank(mfr);
        ledger.cancelShipment(id, items);
        assertEq(unitHolder(a), mfr, "unit back");
        assertEq(holderOf(batchA, 150, 0), mfr, "pack back");
    }

    // ------------------------------------------------------------ breaking cases, picking totes

    function test_aDistributorBreaksACaseAndPicksPacksIntoATote() public {
        uint256 case_ = packCase(mfr, batchA, 20);
        uint256 pallet = aggregateInto(mfr, unitsOnly(case_));
        deliver(mfr, dist, unitsOnly(pallet));

        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitNotInUnit.selector, pallet, 0));
        ledger.disaggregate(case_, unitsOnly(pallet));
        vm.prank(dist);
        ledger.disaggregate(pallet, unitsOnly(case_));
        assertEq(lens.unit(case_).location.parent, 0, "the case is out of the pallet");
        assertTrue(lens.unit(pallet).opened, "the pallet is opened");

        L.Items memory picked;
        picked.packs = new L.PackRef[](3);
        (picked.packs[0], picked.packs[1], picked.packs[2]) = (
            pack(batchA, 5, case_),
            pack(batchA, 6, case_),
            pack(batchA, 120, 0)
        );
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 120, mfr, L.PlaceKind.Held));
        ledger.aggregate(anySscc(), 0, picked);
        picked.packs[2] = pack(batchA, 7, case_);
        uint256 tote = aggregateInto(dist, picked);
        assertEq(locate(batchA, 6, tote).parent, tote, "pack 6 is in the tote");
        assertTrue(lens.unit(case_).opened, "the case is opened");
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotInUnit.selector, batchA, 6, case_));
        ledger.decommission(batchA, 6, case_, L.PackState.Destroyed);

        deliver(dist, pharmacy, unitsOnly(tote));
        vm.prank(pharmacy);
        ledger.decommission(batchA, 6, tote, L.PackState.Dispensed);
        // Taking packs out of the tote leaves them loose with the pharmacy.
        vm.prank(pharmacy);
        ledger.disaggregate(tote, packsOnly(pack(batchA, 5, tote)));
        assertEq(holderOf(batchA, 5, 0), pharmacy, "pack 5 loose at the pharmacy");
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotInUnit.selector, batchA, 5, case_));
        ledger.disaggregate(tote, packsOnly(pack(batchA, 5, case_)));
    }

    function test_disaggregate_onlyByTheHolderOfTheTopUnit() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        uint256 pallet = aggregateInto(mfr, unitsOnly(case_));
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitNotHeld.selector, pallet, mfr, L.PlaceKind.Held));
        ledger.disaggregate(case_, packsOnly(pack(batchA, 1, case_)));
        vm.prank(mfr);
        ledger.disaggregate(case_, packsOnly(pack(batchA, 1, case_)));
        assertEq(locate(batchA, 1, 0).parent, 0, "loose");
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, 12345));
        lens.unit(12345);
    }

    function test_aggregate_needsAValidSsccAndSomethingHeld() public {
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                regulator,
                IPedigreeRegistry.Role.Regulator
            )
        );
        ledger.aggregate(anySscc(), 0, packsOnly(pack(batchA, 1, 0)));
        uint256 sscc = anySscc();
        vm.prank(mfr);
        vm.expectRevert(L.PedigreeNothingListed.selector);
        ledger.aggregate(sscc, 6, nothing());
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeSsccOutsideCompanyPrefixes.selector, sscc, mfr));
        ledger.aggregate(sscc, 7, packsOnly(pack(batchA, 1, 0)));
        // A distributor may use any valid SSCC.
        deliver(mfr, dist, packsOnly(pack(batchA, 1, 0)));
        vm.prank(dist);
        ledger.aggregate(sscc, 0, packsOnly(pack(batchA, 1, 0)));
        assertEq(locate(batchA, 1, sscc).parent, sscc, "in the distributor's tote");
    }

    // ------------------------------------------------------------ loose packs, routes, returns

    function test_aLoosePackGoesFromManufacturerToPatient() public {
        deliver(mfr, dist, packsOnly(pack(batchA, 150, 0)));
        deliver(dist, pharmacy, packsOnly(pack(batchA, 150, 0)));
        vm.prank(pharmacy);
        ledger.decommission(batchA, 150, 0, L.PackState.Dispensed);
        assertEq(uint256(locate(batchA, 150, 0).state), uint256(L.PackState.Dispensed), "dispensed");
    }

    function test_ship_followsTheRoutesOfTheRoles() public {
        L.Items memory one = packsOnly(pack(batchA, 150, 0));
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                L.PedigreeRouteNotAllowed.selector,
                mfr,
                IPedigreeRegistry.Role.Manufacturer,
                mfr2,
                IPedigreeRegistry.Role.Manufacturer
            )
        );
        ledger.ship(mfr2, nextRef(), one);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                L.PedigreeRouteNotAllowed.selector,
                mfr,
                IPedigreeRegistry.Role.Manufacturer,
                mfr,
                IPedigreeRegistry.Role.Manufacturer
            )
        );
        ledger.ship(mfr, nextRef(), one);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.ship(stranger, nextRef(), one);
        vm.prank(mfr);
        vm.expectRevert(L.PedigreeNothingListed.selector);
        ledger.ship(dist, nextRef(), nothing());
    }

    function test_stockThatMayNotBeSuppliedOnlyGoesBackToItsManufacturer() public {
        deliver(mfr, dist, packsOnly(pack(batchA, 150, 0)));
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inquiry");
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreeBatchNotMovable.selector, batchA, L.BatchStatus.Suspended, 20280229)
        );
        ledger.ship(pharmacy, nextRef(), packsOnly(pack(batchA, 150, 0)));
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeReturnToOtherManufacturer.selector, batchA, mfr2, mfr));
        ledger.ship(mfr2, nextRef(), packsOnly(pack(batchA, 150, 0)));
        deliver(dist, mfr, packsOnly(pack(batchA, 150, 0)));
        assertEq(holderOf(batchA, 150, 0), mfr, "returned");
    }

    // ------------------------------------------------------------ undoing a dispense

    function test_reactivate_undoesADispenseWithinTenDaysByTheSamePharmacy() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        deliver(mfr, pharmacy, unitsOnly(case_));
        vm.prank(pharmacy);
        ledger.decommission(batchA, 3, case_, L.PackState.Dispensed);
        vm.prank(pharmacy2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUndoByOtherParty.selector, batchA, 3, pharmacy));
        ledger.reactivate(batchA, 3);
        vm.prank(pharmacy);
        ledger.reactivate(batchA, 3);
        assertEq(holderOf(batchA, 3, 0), pharmacy, "loose at the pharmacy again");
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUndoNotAllowed.selector, batchA, 3, L.PackState.Active));
        ledger.reactivate(batchA, 3);

        vm.prank(pharmacy);
        ledger.decommission(batchA, 3, 0, L.PackState.Dispensed);
        vm.warp(START + 10 days + 1);
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreeUndoWindowClosed.selector, batchA, 3, uint32(START), START + 10 days)
        );
        ledger.reactivate(batchA, 3);
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inquiry");
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreeDispenseNotAllowed.selector, batchA, L.BatchStatus.Suspended, 20280229)
        );
        ledger.reactivate(batchA, 3);
    }

    // ------------------------------------------------------------ quarantine

    function test_aQuarantinedUnitNeitherMovesNorIsDispensedFrom() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        deliver(mfr, pharmacy, unitsOnly(case_));
        vm.prank(regulator);
        ledger.quarantine(unitsOnly(case_), "suspect product reported");
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 2, pharmacy, L.PlaceKind.Quarantined)
        );
        ledger.decommission(batchA, 2, case_, L.PackState.Dispensed);
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreeUnitNotHeld.selector, case_, pharmacy, L.PlaceKind.Quarantined)
        );
        ledger.ship(dist, nextRef(), unitsOnly(case_));
        // The holder cannot lift a regulator's quarantine; the regulator finds the product illegitimate.
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeQuarantinedByRegulator.selector, case_, bytes32(0), 0));
        ledger.endQuarantine(unitsOnly(case_), L.QuarantineOutcome.Cleared, "looks fine");
        vm.prank(regulator);
        ledger.endQuarantine(unitsOnly(case_), L.QuarantineOutcome.Illegitimate, "counterfeit");
        assertEq(uint256(locate(batchA, 2, case_).kind), uint256(L.PlaceKind.Destroyed), "destroyed with its case");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotQuarantined.selector, case_, bytes32(0), 0));
        ledger.endQuarantine(unitsOnly(case_), L.QuarantineOutcome.Cleared, "again");
    }

    function test_aHolderQuarantinesItsOwnPackAndClearsIt() public {
        deliver(mfr, dist, packsOnly(pack(batchA, 150, 0)));
        vm.prank(dist2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 150, dist, L.PlaceKind.Held));
        ledger.quarantine(packsOnly(pack(batchA, 150, 0)), "odd label");
        vm.prank(dist);
        vm.expectRevert(IPedigreeRegistry.PedigreeEmptyReason.selector);
        ledger.quarantine(packsOnly(pack(batchA, 150, 0)), "");
        vm.prank(dist);
        ledger.quarantine(packsOnly(pack(batchA, 150, 0)), "odd label");
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(L.PedigreePackNotHeld.selector, batchA, 150, dist, L.PlaceKind.Quarantined)
        );
        ledger.ship(pharmacy, nextRef(), packsOnly(pack(batchA, 150, 0)));
        vm.prank(dist2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotQuarantined.selector, 0, batchA, 150));
        ledger.endQuarantine(packsOnly(pack(batchA, 150, 0)), L.QuarantineOutcome.Cleared, "fine");
        vm.prank(dist);
        ledger.endQuarantine(packsOnly(pack(batchA, 150, 0)), L.QuarantineOutcome.Cleared, "label reprint, genuine");
        assertEq(uint256(locate(batchA, 150, 0).kind), uint256(L.PlaceKind.Held), "held again");
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotQuarantined.selector, 0, batchA, 150));
        ledger.endQuarantine(packsOnly(pack(batchA, 150, 0)), L.QuarantineOutcome.Cleared, "fine");
    }

    function test_quarantine_refusesPacksInsideUnitsAndNestedUnits() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        uint256 pallet = aggregateInto(mfr, unitsOnly(case_));
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackInUnit.selector, batchA, 1, case_));
        ledger.quarantine(packsOnly(pack(batchA, 1, case_)), "suspect");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitInUnit.selector, case_, pallet));
        ledger.quarantine(unitsOnly(case_), "suspect");
        vm.prank(regulator);
        ledger.quarantine(packsOnly(pack(batchA, 150, 0)), "suspect");
        vm.prank(regulator);
        ledger.endQuarantine(packsOnly(pack(batchA, 150, 0)), L.QuarantineOutcome.Illegitimate, "counterfeit");
        L.Location memory at = locate(batchA, 150, 0);
        assertEq(uint256(at.state), uint256(L.PackState.Destroyed), "destroyed");
        assertEq(at.party, regulator, "by the regulator's finding");
    }

    function test_batchQuarantine_stopsSupplyUntilItEnds() public {
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotBatchManufacturer.selector, batchA, pharmacy, mfr));
        ledger.quarantineBatch(batchA, "suspect");
        vm.prank(mfr);
        ledger.quarantineBatch(batchA, "deviation at packaging");
        assertEq(uint256(lens.batch(batchA).status), uint256(L.BatchStatus.Quarantined), "quarantined");
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                L.PedigreeInvalidBatchTransition.selector,
                batchA,
                L.BatchStatus.Quarantined,
                L.BatchStatus.Quarantined
            )
        );
        ledger.quarantineBatch(batchA, "again");
        vm.prank(mfr);
        ledger.endBatchQuarantine(batchA, L.QuarantineOutcome.Cleared, "deviation closed");
        assertEq(uint256(lens.batch(batchA).status), uint256(L.BatchStatus.Active), "active again");
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                L.PedigreeInvalidBatchTransition.selector,
                batchA,
                L.BatchStatus.Active,
                L.BatchStatus.Active
            )
        );
        ledger.endBatchQuarantine(batchA, L.QuarantineOutcome.Cleared, "again");

        vm.prank(regulator);
        ledger.quarantineBatch(batchA, "falsified packs found");
        bytes32 role = ledger.REGULATOR_ROLE();
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, mfr, role));
        ledger.endBatchQuarantine(batchA, L.QuarantineOutcome.Cleared, "not ours");
        vm.prank(regulator);
        ledger.endBatchQuarantine(batchA, L.QuarantineOutcome.Illegitimate, "falsified");
        assertEq(uint256(lens.batch(batchA).status), uint256(L.BatchStatus.Recalled), "recalled for good");
    }

    function test_batchTransitions_reinstateAndRecall() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inquiry");
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                L.PedigreeInvalidBatchTransition.selector,
                batchA,
                L.BatchStatus.Suspended,
                L.BatchStatus.Suspended
            )
        );
        ledger.suspendBatch(batchA, "again");
        vm.prank(regulator);
        ledger.reinstateBatch(batchA);
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                L.PedigreeInvalidBatchTransition.selector,
                batchA,
                L.BatchStatus.Active,
                L.BatchStatus.Active
            )
        );
        ledger.reinstateBatch(batchA);
        vm.prank(mfr2);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotBatchManufacturer.selector, batchA, mfr2, mfr));
        ledger.recallBatch(batchA, "not mine");
        vm.prank(regulator);
        vm.expectRevert(IPedigreeRegistry.PedigreeEmptyReason.selector);
        ledger.recallBatch(batchA, "");
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(
                L.PedigreeInvalidBatchTransition.selector,
                batchA,
                L.BatchStatus.Recalled,
                L.BatchStatus.Recalled
            )
        );
        ledger.recallBatch(batchA, "again");
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownBatch.selector, bytes32(uint256(7))));
        lens.packLocation(bytes32(uint256(7)), 0, 0);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeIndexOutOfRange.selector, batchA, PACKS, PACKS));
        lens.packLocation(batchA, PACKS, 0);
    }

    // ------------------------------------------------------------ verification

    function test_verifyPack_answersForAPackInACaseInAPallet() public {
        uint256 case_ = packCase(mfr, batchA, 50);
        uint256 pallet = aggregateInto(mfr, unitsOnly(case_));
        deliver(mfr, pharmacy, unitsOnly(pallet));
        L.Verification memory v = _verify(12, case_, 0);
        assertEq(uint256(v.verdict), uint256(L.Verdict.Genuine), "genuine");
        assertEq(v.location.party, pharmacy, "held by the pharmacy");
        assertEq(v.location.top, pallet, "inside the pallet");
        // Without its case the place is only known to be inside a unit; the verdict stands.
        v = _verify(12, 0, 0);
        assertEq(uint256(v.verdict), uint256(L.Verdict.Genuine), "still genuine");
        assertEq(uint256(v.location.kind), uint256(L.PlaceKind.InUnit), "somewhere inside a unit");

        vm.prank(pharmacy);
        ledger.decommission(batchA, 12, case_, L.PackState.Dispensed);
        assertEq(uint256(_verify(12, 0, 0).verdict), uint256(L.Verdict.Dispensed), "dispensed");
        vm.prank(pharmacy);
        ledger.decommission(batchA, 13, case_, L.PackState.Stolen);
        assertEq(uint256(_verify(13, 0, 0).verdict), uint256(L.Verdict.Decommissioned), "stolen");
        assertEq(uint256(_verify(14, case_, 20280301).verdict), uint256(L.Verdict.Mismatch), "another expiry");
        assertEq(uint256(_verify(14, case_, 20280229).verdict), uint256(L.Verdict.Genuine), "the label's expiry");
    }

    function test_verifyPack_verdictsOfTheBatchAndTheCode() public {
        bytes32[] memory proof = trees.proof(batchA, 3);
        L.Verification memory v = lens.verifyPack(GTIN, LOT, "A1-9999", 3, proof, 0, 0);
        assertEq(uint256(v.verdict), uint256(L.Verdict.UnknownSerial), "a serial outside the list");
        v = lens.verifyPack(GTIN, LOT, SerialTree.serialOf("A1", 3), PACKS, proof, 0, 0);
        assertEq(uint256(v.verdict), uint256(L.Verdict.UnknownSerial), "an index outside the batch");
        v = lens.verifyPack(GTIN, "NOPE", "A1-0003", 3, proof, 0, 0);
        assertEq(uint256(v.verdict), uint256(L.Verdict.UnknownBatch), "unknown lot");
        v = lens.verifyPack(9520123456795, LOT, "A1-0003", 3, proof, 0, 0);
        assertEq(uint256(v.verdict), uint256(L.Verdict.UnknownProduct), "unknown product");

        vm.prank(regulator);
        ledger.quarantine(packsOnly(pack(batchA, 3, 0)), "suspect");
        assertEq(uint256(_verify(3, 0, 0).verdict), uint256(L.Verdict.Quarantined), "a quarantined pack");
        vm.prank(regulator);
        ledger.quarantineBatch(batchA, "suspect lot");
        assertEq(uint256(_verify(4, 0, 0).verdict), uint256(L.Verdict.Quarantined), "a quarantined batch");
        vm.prank(regulator);
        ledger.endBatchQuarantine(batchA, L.QuarantineOutcome.Cleared, "fine");
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inquiry");
        assertEq(uint256(_verify(4, 0, 0).verdict), uint256(L.Verdict.Suspended), "suspended");
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        assertEq(uint256(_verify(4, 0, 0).verdict), uint256(L.Verdict.Recalled), "recalled");
        vm.warp(START + 5 * 365 days);
        assertEq(uint256(_verifyB(1).verdict), uint256(L.Verdict.Expired), "expired");
    }

    function _verify(uint256 index, uint256 unit, uint32 labelExpiry) private view returns (L.Verification memory) {
        bytes32[] memory proof = trees.proof(batchA, index);
        return lens.verifyPack(GTIN, LOT, SerialTree.serialOf("A1", index), index, proof, labelExpiry, unit);
    }

    function _verifyB(uint256 index) private view returns (L.Verification memory) {
        bytes32[] memory proof = trees.proof(batchB, index);
        return lens.verifyPack(GTIN2, LOT2, SerialTree.serialOf("B1", index), index, proof, 0, 0);
    }
}
