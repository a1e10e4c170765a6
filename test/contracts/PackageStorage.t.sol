// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreePackageLedger as L} from "../../contracts/interfaces/IPedigreePackageLedger.sol";
import {BatchWord, BatchWords} from "../../contracts/libraries/BatchWords.sol";
import {PackageSlots} from "../../contracts/libraries/PackageSlots.sol";
import {PackWords} from "../../contracts/libraries/PackWords.sol";
import {Place, Places} from "../../contracts/libraries/Places.sol";
import {UnitWord, UnitWords} from "../../contracts/libraries/UnitWords.sol";
import {PackageFixture} from "./utils/PackageFixture.sol";

/// @notice The package ledger's storage layout (PackageSlots), read back through `extsload` and
/// the lens; keys outside their range reach no record; the codecs the ledger and the lens share;
/// the shipment events.
contract PackageStorageTest is PackageFixture {
    uint256 private constant _DEAD_PACK_WORD = 3 + (1 << 28);

    // ------------------------------------------------------------ PackageSlots

    function test_slots_ofABatchFollowItsHash() public pure {
        uint256 slot = PackageSlots.batch(bytes32(uint256(42)));
        assertEq(slot, uint256(keccak256(abi.encode(uint256(42), PackageSlots.BATCHES))), "keccak256(id, BATCHES)");
        unchecked {
            assertEq(PackageSlots.serialsRoot(slot), slot + 1, "root next");
            assertEq(PackageSlots.documentHash(slot), slot + 2, "document hash after it");
            assertEq(PackageSlots.packWord(slot, 0), slot + 3, "packs 0-3 in the first pack word");
            assertEq(PackageSlots.packWord(slot, 7), slot + 4, "packs 4-7 in the second");
            uint256 last = (1 << 30) - 1;
            assertEq(PackageSlots.packWord(slot, last), slot + 3 + last / 4, "the last index");
        }
    }

    function test_slots_outOfRangeKeysNameSlotsNeverWritten() public pure {
        uint256 slot = PackageSlots.batch(bytes32(uint256(42)));
        unchecked {
            assertEq(
                PackageSlots.packWord(slot, 1 << 30),
                slot + _DEAD_PACK_WORD,
                "index 2^30: past every pack's word"
            );
            assertEq(PackageSlots.packWord(slot, type(uint256).max), slot + _DEAD_PACK_WORD, "the largest index too");
        }
        assertEq(PackageSlots.unit(123), PackageSlots.UNITS + 123, "an SSCC is added to UNITS");
        assertEq(PackageSlots.unit(1 << 60), PackageSlots.UNITS, "2^60 reads as SSCC 0");
        assertEq(PackageSlots.unit(type(uint256).max), PackageSlots.UNITS, "so does any larger number");
    }

    function testFuzz_slots_aUnitNeverAliasesAnother(uint256 a, uint256 b) public {
        a = bound(a, 1, (1 << 60) - 1);
        vm.assume(a != b);
        // Any other number, an SSCC or one too large for it, names another slot.
        assertTrue(PackageSlots.unit(b) != PackageSlots.unit(a), "two numbers, two slots");
    }

    // ------------------------------------------------------------ extsload

    function test_extsload_readsTheRecordsWhereTheSlotsSay() public {
        uint256 case_ = packCase(mfr, batchA, 20);
        uint256 batchSlot = PackageSlots.batch(batchA);
        BatchWord word = BatchWord.wrap(uint256(ledger.extsload(bytes32(batchSlot))));
        assertEq(word.packCount(), PACKS, "the batch word");
        assertEq(word.packedUpTo(), 20, "packed up to 20");
        assertEq(ledger.extsload(bytes32(PackageSlots.serialsRoot(batchSlot))), trees.root(batchA), "the root");
        UnitWord unitWord = UnitWord.wrap(uint256(ledger.extsload(bytes32(PackageSlots.unit(case_)))));
        assertEq(unitWord.rangeEnd(), 20, "the case's range");

        bytes32[] memory slots = new bytes32[](3);
        (slots[0], slots[1], slots[2]) = (
            bytes32(PackageSlots.unit(case_)),
            bytes32(batchSlot),
            bytes32(PackageSlots.documentHash(batchSlot))
        );
        bytes32[] memory values = ledger.extsload(slots);
        assertEq(values.length, 3, "one value per slot");
        assertEq(uint256(values[0]), UnitWord.unwrap(unitWord), "in the order asked");
        assertEq(uint256(values[1]), BatchWord.unwrap(word), "the batch word again");
        assertEq(values[2], bytes32(0), "no document hash");
        assertEq(ledger.extsload(new bytes32[](0)).length, 0, "nothing asked, nothing read");
    }

    function test_extsload_seesAPackOnceItMoves() public {
        deliver(mfr, dist, packsOnly(pack(batchA, 150, 0)));
        uint256 word = uint256(ledger.extsload(bytes32(PackageSlots.packWord(PackageSlots.batch(batchA), 150))));
        Place place = PackWords.placeIn(word, 150);
        assertEq(uint256(place.kind()), uint256(Places.Kind.Held), "held");
        assertEq(ledger.participantByNumber(place.party()), dist, "by the distributor");
        assertEq(uint256(PackWords.placeIn(word, 151).kind()), uint256(Places.Kind.Fresh), "its neighbour untouched");
    }

    // ------------------------------------------------------------ keys outside their range

    function test_anIndexPastEveryPackReachesNoPackWord() public {
        // Index 150 + 2^30 would share pack 150's word if the index were only masked.
        deliver(mfr, dist, packsOnly(pack(batchA, 150, 0)));
        shipItems(dist, pharmacy, packsOnly(pack(batchA, 150, 0)));
        uint256 alias_ = 150 + (1 << 30);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotInTransitTo.selector, 0, batchA, alias_, pharmacy));
        ledger.receiveShipment(bytes32(0), packsOnly(pack(batchA, alias_, 0)), nothing(), "");
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeNotInTransitFrom.selector, 0, batchA, alias_, dist));
        ledger.cancelShipment(bytes32(0), packsOnly(pack(batchA, alias_, 0)));
        vm.prank(pharmacy);
        ledger.receiveShipment(bytes32(0), packsOnly(pack(batchA, 150, 0)), nothing(), "");
        assertEq(holderOf(batchA, 150, 0), pharmacy, "the real pack is received");
    }

    function test_aNumberPastEverySsccReachesNoUnit() public {
        uint256 case_ = packCase(mfr, batchA, 10);
        uint256 alias_ = case_ + (1 << 60);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, alias_));
        ledger.ship(dist, nextRef(), unitsOnly(alias_));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreePackNotInUnit.selector, batchA, 3, alias_));
        ledger.decommission(batchA, 3, alias_, L.PackState.Destroyed);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, alias_));
        lens.unit(alias_);
        assertEq(uint256(locate(batchA, 3, alias_).kind), uint256(L.PlaceKind.InUnit), "only 'inside a unit'");
    }

    function test_unknownBatchesAndUnitsAreRefusedByName() public {
        bytes32 unknown = bytes32(uint256(7));
        uint256 noUnit = mfrSscc();
        assertEq(ledger.batchIdOf(GTIN, LOT), batchA, "keccak256(abi.encode(gtin, lot))");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownBatch.selector, unknown));
        ledger.suspendBatch(unknown, "inquiry");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownBatch.selector, unknown));
        ledger.decommission(unknown, 0, 0, L.PackState.Destroyed);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, noUnit));
        ledger.disaggregate(noUnit, packsOnly(pack(batchA, 0, noUnit)));
        uint256 case_ = packCase(mfr, batchA, 10);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, noUnit));
        ledger.disaggregate(case_, unitsOnly(noUnit));
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, noUnit));
        ledger.receiveShipment(bytes32(0), unitsOnly(noUnit), nothing(), "");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, noUnit));
        ledger.quarantine(unitsOnly(noUnit), "suspect");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnknownUnit.selector, noUnit));
        ledger.endQuarantine(unitsOnly(noUnit), L.QuarantineOutcome.Cleared, "fine");
        // Only a regulator quarantines what another party holds.
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(L.PedigreeUnitNotHeld.selector, case_, mfr, L.PlaceKind.Held));
        ledger.quarantine(unitsOnly(case_), "suspect");
    }

    // ------------------------------------------------------------ codecs shared by ledger and lens

    function test_resolve_placesAPackFromItsOwnPlaceItsBatchAndTheUnitNamed() public pure {
        BatchWord word = BatchWords.create(7, 1, 20_000, 100, 3).withPackedUpTo(50);
        UnitWord case_ = UnitWords.createRange(Places.held(9), 3, 40, 50);
        UnitWord otherBatch = UnitWords.createRange(Places.held(9), 4, 40, 50);
        Place fresh = Place.wrap(0);
        (Place place, uint256 parent) = PackWords.resolve(fresh, 60, word, 0, UnitWord.wrap(0));
        assertEq(Place.unwrap(place), Place.unwrap(Places.held(7)), "above the mark: loose with its manufacturer");
        assertEq(parent, 0, "no parent");
        (place, parent) = PackWords.resolve(fresh, 45, word, 555, case_);
        assertEq(parent, 555, "below the mark: in the named case whose range holds it");
        assertEq(uint256(place.kind()), uint256(Places.Kind.Fresh), "still fresh");
        (place, parent) = PackWords.resolve(fresh, 45, word, 555, otherBatch);
        assertEq(parent, 0, "not in a case of another batch's range");
        (place, parent) = PackWords.resolve(fresh, 39, word, 555, case_);
        assertEq(parent, 0, "nor outside the case's range");
        (place, parent) = PackWords.resolve(Places.inUnit(777), 45, word, 555, case_);
        assertEq(parent, 777, "a pack put in a unit names it");
        (place, parent) = PackWords.resolve(Places.held(2), 45, word, 555, case_);
        assertEq(Place.unwrap(place), Place.unwrap(Places.held(2)), "a moved pack is where it was put");
        assertEq(parent, 0, "loose");
    }

    function test_batchWords_reportARegulatorsQuarantineAsQuarantined() public pure {
        BatchWord word = BatchWords.create(7, 1, 20_000, 100, 3);
        assertEq(word.reportedStatus(), 1, "active");
        assertEq(word.withStatus(BatchWords.QUARANTINED_BY_REGULATOR).reportedStatus(), 4, "quarantined");
        assertEq(word.withStatus(4).reportedStatus(), 4, "quarantined by its manufacturer");
        assertEq(word.expiryDate(), 20241004, "day 20,000 is 2024-10-04");
    }

    // ------------------------------------------------------------ the lens

    function test_lens_readsTheLedgerItWasDeployedWith() public {
        assertEq(address(lens.ledger()), address(ledger), "its ledger");
        bytes32 document = keccak256("certificate of analysis");
        vm.prank(mfr);
        bytes32 id = ledger.registerBatch(GTIN, "LOT-D1", EXPIRY, 4, bytes32(uint256(1)), document);
        L.Batch memory b = lens.batch(id);
        assertEq(b.documentHash, document, "the document hash");
        assertEq(b.serialsRoot, bytes32(uint256(1)), "the root");
        assertEq(b.number, 3, "the third batch");
    }

    function test_lens_findsAPackInAUnitWithoutItsUnitNamed() public {
        deliver(mfr, dist, packsOnly(pack(batchA, 150, 0)));
        uint256 tote = aggregateInto(dist, packsOnly(pack(batchA, 150, 0)));
        L.Location memory at = locate(batchA, 150, 0);
        assertEq(at.parent, tote, "the tote it was put in");
        assertEq(at.party, dist, "held by the tote's holder");
        shipItems(dist, pharmacy, unitsOnly(tote));
        at = locate(batchA, 150, 0);
        assertEq(uint256(at.kind), uint256(L.PlaceKind.InTransit), "in transit with it");
        assertEq(at.recipient, pharmacy, "to the pharmacy");
    }

    // ------------------------------------------------------------ shipment events

    function test_shipmentEvents_sayWhatMovedWhere() public {
        uint256 a = packCase(mfr, batchA, 10);
        uint256 b = packCase(mfr, batchA, 10);
        L.Items memory both = unitsOnly(a, b);
        both.packs = new L.PackRef[](1);
        both.packs[0] = pack(batchA, 150, 0);
        bytes32 ref = nextRef();
        bytes32 id = keccak256(abi.encode(mfr, ref, block.number));
        vm.expectEmit(address(ledger));
        emit L.ShipmentShipped(id, mfr, dist, ref, both.units, both.packs);
        vm.prank(mfr);
        ledger.ship(dist, ref, both);

        L.Items memory rejected = unitsOnly(b);
        vm.expectEmit(address(ledger));
        emit L.ShipmentReceived(
            id,
            dist,
            unitsOnly(a).units,
            new L.PackRef[](0),
            rejected.units,
            rejected.packs,
            "wet"
        );
        vm.prank(dist);
        ledger.receiveShipment(id, unitsOnly(a), rejected, "wet");

        vm.expectEmit(address(ledger));
        emit L.ShipmentCancelled(id, mfr, new uint256[](0), both.packs);
        vm.prank(mfr);
        ledger.cancelShipment(id, packsOnly(pack(batchA, 150, 0)));
        assertEq(unitHolder(b), mfr, "the rejected case is back");
        assertEq(holderOf(batchA, 150, 0), mfr, "the cancelled pack too");
    }
}
