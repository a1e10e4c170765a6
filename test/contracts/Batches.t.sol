// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";

/// @notice registerBatch (lot, expiry, serial root) and the batch lifecycle: recall, suspend, reinstate.
contract BatchesTest is LedgerFixture {
    bytes32 internal constant ROOT = keccak256("serials root");

    // ------------------------------------------------------------ registerBatch

    function test_registerBatch_registersAndEmits() public {
        string memory lot = "LOT-A2";
        bytes32 expectedId = keccak256(abi.encode(GTIN, lot));
        bytes32 root = trees.add("tree of LOT-A2", "A2", 12);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchRegistered(expectedId, GTIN, mfr, lot, 20280315, 12, root, DOCUMENT);
        vm.prank(mfr);
        bytes32 id = ledger.registerBatch(GTIN, lot, 20280315, 12, root, DOCUMENT);

        assertEq(id, expectedId, "batch id");
        assertEq(ledger.batchIdOf(GTIN, lot), expectedId, "batchIdOf");
        IPedigreeLedger.Batch memory record = ledger.batch(id);
        assertEq(record.manufacturer, mfr, "manufacturer");
        assertEq(uint256(record.status), uint256(IPedigreeLedger.BatchStatus.Active), "status");
        assertEq(record.expiry, 20280315, "expiry");
        assertEq(record.packCount, 12, "pack count");
        assertEq(record.serialsRoot, root, "root");
        assertEq(record.documentHash, DOCUMENT, "document");
        assertEq(units(id, mfr), 12, "manufacturer holds every unit");
    }

    function test_registerBatch_normalizesDayZeroToLastDayOfMonth() public {
        bytes32 id = keccak256(abi.encode(GTIN, "LOT-A3"));
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchRegistered(id, GTIN, mfr, "LOT-A3", 20280229, 4, ROOT, bytes32(0));
        vm.prank(mfr);
        ledger.registerBatch(GTIN, "LOT-A3", 20280200, 4, ROOT, bytes32(0));
        assertEq(ledger.batch(id).expiry, 20280229, "20280200 is 20280229 (leap year)");
        assertEq(ledger.batch(batchA).expiry, EXPIRY_NORMALIZED, "fixture batch registered with 20280200");
    }

    function test_registerBatch_normalizesDayZeroOfNonLeapFebruary() public {
        bytes32 id = keccak256(abi.encode(GTIN, "LOT-A4"));
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchRegistered(id, GTIN, mfr, "LOT-A4", 20270228, 4, ROOT, bytes32(0));
        vm.prank(mfr);
        ledger.registerBatch(GTIN, "LOT-A4", 20270200, 4, ROOT, bytes32(0));
        assertEq(ledger.batch(id).expiry, 20270228, "20270200 is 20270228");
    }

    function test_registerBatch_normalizesDayZeroOfThirtyAndThirtyOneDayMonths() public {
        bytes32 april = _register("LOT-APR", 20270400);
        bytes32 december = _register("LOT-DEC", 20271200);
        assertEq(ledger.batch(april).expiry, 20270430, "April");
        assertEq(ledger.batch(december).expiry, 20271231, "December");
    }

    function test_registerBatch_storesNoDocumentWhenZero() public view {
        assertEq(ledger.batch(batchB).documentHash, bytes32(0), "no document");
    }

    function test_registerBatch_acceptsExpiryToday() public {
        bytes32 id = _register("LOT-TODAY", TODAY);
        assertEq(ledger.batch(id).expiry, TODAY, "expires today");
    }

    function test_registerBatch_acceptsLeapDay() public {
        bytes32 id = _register("LOT-LEAP", 20280229);
        assertEq(ledger.batch(id).expiry, 20280229, "leap day");
    }

    function test_registerBatch_acceptsEveryCset82SpecialCharacter() public {
        _register("!\"%&'()*+,-./:;<=>?_", EXPIRY); // 20 characters
        _register("Az09", EXPIRY);
        _register("x", EXPIRY);
    }

    function test_registerBatch_revertsWhenExpiryPast() public {
        _expectInvalidExpiry(20270114);
    }

    function test_registerBatch_revertsWhenMonthThirteen() public {
        _expectInvalidExpiry(20281301);
    }

    function test_registerBatch_revertsWhenMonthZero() public {
        _expectInvalidExpiry(20280001);
    }

    function test_registerBatch_revertsWhenFebruary29OfNonLeapYear() public {
        _expectInvalidExpiry(20290229);
    }

    function test_registerBatch_revertsWhenDayThirtyOneInThirtyDayMonth() public {
        _expectInvalidExpiry(20280431);
    }

    function test_registerBatch_revertsWhenYearBefore2000() public {
        _expectInvalidExpiry(19991231);
    }

    function test_registerBatch_revertsWhenYearAfter2099() public {
        _expectInvalidExpiry(21000101);
    }

    function test_registerBatch_revertsWhenExpiryZero() public {
        _expectInvalidExpiry(0);
    }

    function test_registerBatch_revertsWhenLotHasSpace() public {
        _expectInvalidLot("LOT A1", 3);
    }

    function test_registerBatch_revertsWhenLotHasHash() public {
        _expectInvalidLot("LOT#1", 3);
    }

    function test_registerBatch_revertsWhenLotHasAt() public {
        _expectInvalidLot("L@T", 1);
    }

    function test_registerBatch_revertsWhenLotHasNonAscii() public {
        _expectInvalidLot(unicode"LOTé", 3); // 0xC3 0xA9: the first bad byte is at 3
    }

    function test_registerBatch_revertsAtFirstBadByte() public {
        _expectInvalidLot("AB$C D", 2); // '$' (not in CSET 82) before the space
    }

    function test_registerBatch_revertsWhenLotHasControlCharacter() public {
        _expectInvalidLot("LOT\x1d1", 3); // GS1 group separator
    }

    function test_registerBatch_revertsWhenLotTooLong() public {
        // 21 characters: reported with the lot's length.
        _expectInvalidLot("ABCDEFGHIJKLMNOPQRSTU", 21);
    }

    function test_registerBatch_revertsWhenLotEmpty() public {
        _expectInvalidLot("", 0);
    }

    function test_registerBatch_acceptsLotOfTwentyCharacters() public {
        _register("ABCDEFGHIJKLMNOPQRST", EXPIRY);
    }

    function test_registerBatch_revertsWhenPackCountZero() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidPackCount.selector, 0));
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, 0, ROOT, bytes32(0));
    }

    function test_registerBatch_revertsWhenPackCountAboveThirtyBits() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidPackCount.selector, 1 << 30));
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, uint32(1 << 30), ROOT, bytes32(0));
    }

    /// @dev The root is split over the two batch words and the counts are 30 bits wide: a root with
    /// every bit set and the largest pack count must come back whole, also after a status change.
    function test_registerBatch_keepsWholeRootAndLargestPackCount() public {
        bytes32 root = bytes32(type(uint256).max);
        uint32 packCount = uint32((1 << 30) - 1);
        vm.prank(mfr);
        bytes32 id = ledger.registerBatch(GTIN, "LOT-MAX", EXPIRY, packCount, root, bytes32(0));
        vm.prank(regulator);
        ledger.suspendBatch(id, "Inspection");
        IPedigreeLedger.Batch memory record = ledger.batch(id);
        assertEq(record.serialsRoot, root, "root");
        assertEq(record.packCount, packCount, "pack count");
        assertEq(record.expiry, 20280229, "expiry");
        assertEq(uint256(record.status), uint256(IPedigreeLedger.BatchStatus.Suspended), "status");
        assertEq(units(id, mfr), packCount, "units at the manufacturer");
    }

    function test_registerBatch_revertsWhenSerialsRootEmpty() public {
        bytes32 id = keccak256(abi.encode(GTIN, "LOT-A2"));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptySerialsRoot.selector, id));
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, 4, bytes32(0), bytes32(0));
    }

    function test_registerBatch_revertsWhenBatchExists() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeBatchExists.selector, batchA));
        ledger.registerBatch(GTIN, LOT, 20281231, 4, ROOT, bytes32(0));
    }

    function test_registerBatch_revertsWhenProductUnknown() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeUnknownProduct.selector, GTIN_UNREGISTERED));
        ledger.registerBatch(GTIN_UNREGISTERED, "LOT-A2", EXPIRY, 4, ROOT, bytes32(0));
    }

    function test_registerBatch_revertsWhenProductOfOtherManufacturer() public {
        vm.prank(mfr2);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotProductManufacturer.selector, GTIN, mfr2, mfr)
        );
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, 4, ROOT, bytes32(0));
    }

    function test_registerBatch_revertsWhenCallerNotManufacturer() public {
        bytes32 role = ledger.MANUFACTURER_ROLE();
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, pharmacy, role)
        );
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, 4, ROOT, bytes32(0));
    }

    function test_registerBatch_revertsWhenCallerNotParticipant() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, 4, ROOT, bytes32(0));
    }

    function test_batch_isEmptyWhenUnknown() public view {
        IPedigreeLedger.Batch memory record = ledger.batch(keccak256("nothing"));
        assertEq(record.manufacturer, address(0), "manufacturer");
        assertEq(uint256(record.status), uint256(IPedigreeLedger.BatchStatus.None), "status");
        assertEq(record.expiry, 0, "expiry");
        assertEq(record.packCount, 0, "pack count");
        assertEq(record.serialsRoot, bytes32(0), "root");
        assertEq(units(keccak256("nothing"), address(0)), 0, "no units");
    }

    // ------------------------------------------------------------ recallBatch

    function test_recallBatch_byManufacturerRecallsAndEmits() public {
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchRecalled(batchA, mfr, "contamination");
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        assertEq(uint256(ledger.batch(batchA).status), uint256(IPedigreeLedger.BatchStatus.Recalled), "recalled");
    }

    function test_recallBatch_byRegulatorRecallsAndEmits() public {
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchRecalled(batchB, regulator, "falsified labels");
        vm.prank(regulator);
        ledger.recallBatch(batchB, "falsified labels");
        assertEq(uint256(ledger.batch(batchB).status), uint256(IPedigreeLedger.BatchStatus.Recalled), "recalled");
    }

    function test_recallBatch_recallsSuspendedBatch() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        vm.prank(mfr);
        ledger.recallBatch(batchA, "inspection failed");
        assertEq(uint256(ledger.batch(batchA).status), uint256(IPedigreeLedger.BatchStatus.Recalled), "recalled");
    }

    function test_recallBatch_revertsWhenOtherManufacturer() public {
        vm.prank(mfr2);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeNotBatchManufacturer.selector, batchA, mfr2, mfr)
        );
        ledger.recallBatch(batchA, "contamination");
    }

    function test_recallBatch_revertsWhenDistributor() public {
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeNotBatchManufacturer.selector, batchA, dist, mfr)
        );
        ledger.recallBatch(batchA, "contamination");
    }

    function test_recallBatch_revertsWhenNotParticipant() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.recallBatch(batchA, "contamination");
    }

    function test_recallBatch_revertsWhenReasonEmpty() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptyReason.selector));
        ledger.recallBatch(batchA, "");
    }

    function test_recallBatch_revertsWhenAlreadyRecalled() public {
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInvalidBatchTransition.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Recalled,
                IPedigreeLedger.BatchStatus.Recalled
            )
        );
        ledger.recallBatch(batchA, "again");
    }

    function test_recallBatch_revertsWhenBatchUnknown() public {
        bytes32 unknown = keccak256(abi.encode(GTIN, "NOPE"));
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUnknownBatch.selector, unknown));
        ledger.recallBatch(unknown, "contamination");
    }

    // ------------------------------------------------------------ suspendBatch / reinstateBatch

    function test_suspendBatch_suspendsAndEmits() public {
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchSuspended(batchA, regulator, "inspection");
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        assertEq(uint256(ledger.batch(batchA).status), uint256(IPedigreeLedger.BatchStatus.Suspended), "suspended");
    }

    function test_suspendBatch_revertsWhenCallerNotRegulator() public {
        bytes32 role = ledger.REGULATOR_ROLE();
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, mfr, role));
        ledger.suspendBatch(batchA, "inspection");
    }

    function test_suspendBatch_revertsWhenNotParticipant() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.suspendBatch(batchA, "inspection");
    }

    function test_suspendBatch_revertsWhenReasonEmpty() public {
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptyReason.selector));
        ledger.suspendBatch(batchA, "");
    }

    function test_suspendBatch_revertsWhenAlreadySuspended() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInvalidBatchTransition.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Suspended,
                IPedigreeLedger.BatchStatus.Suspended
            )
        );
        ledger.suspendBatch(batchA, "again");
    }

    function test_suspendBatch_revertsWhenRecalled() public {
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInvalidBatchTransition.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Recalled,
                IPedigreeLedger.BatchStatus.Suspended
            )
        );
        ledger.suspendBatch(batchA, "inspection");
    }

    function test_suspendBatch_revertsWhenBatchUnknown() public {
        bytes32 unknown = keccak256("unknown");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUnknownBatch.selector, unknown));
        ledger.suspendBatch(unknown, "inspection");
    }

    function test_reinstateBatch_reinstatesAndEmits() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchReinstated(batchA, regulator);
        vm.prank(regulator);
        ledger.reinstateBatch(batchA);
        assertEq(uint256(ledger.batch(batchA).status), uint256(IPedigreeLedger.BatchStatus.Active), "active");
    }

    function test_reinstateBatch_revertsWhenActive() public {
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInvalidBatchTransition.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Active,
                IPedigreeLedger.BatchStatus.Active
            )
        );
        ledger.reinstateBatch(batchA);
    }

    function test_reinstateBatch_revertsWhenRecalled() public {
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInvalidBatchTransition.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Recalled,
                IPedigreeLedger.BatchStatus.Active
            )
        );
        ledger.reinstateBatch(batchA);
    }

    function test_reinstateBatch_revertsWhenCallerNotRegulator() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        bytes32 role = ledger.REGULATOR_ROLE();
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, mfr, role));
        ledger.reinstateBatch(batchA);
    }

    function test_reinstateBatch_revertsWhenBatchUnknown() public {
        bytes32 unknown = keccak256("unknown");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUnknownBatch.selector, unknown));
        ledger.reinstateBatch(unknown);
    }

    // ------------------------------------------------------------ helpers

    function _register(string memory lot, uint32 expiry) private returns (bytes32) {
        vm.prank(mfr);
        return ledger.registerBatch(GTIN, lot, expiry, 4, ROOT, bytes32(0));
    }

    function _expectInvalidExpiry(uint32 expiry) private {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidExpiry.selector, expiry));
        ledger.registerBatch(GTIN, "LOT-A2", expiry, 4, ROOT, bytes32(0));
    }

    function _expectInvalidLot(string memory lot, uint256 badIndex) private {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidLot.selector, lot, badIndex));
        ledger.registerBatch(GTIN, lot, EXPIRY, 4, ROOT, bytes32(0));
    }
}
