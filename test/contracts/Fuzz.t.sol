// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";
import {SerialTree} from "./utils/SerialTree.sol";
import {Gs1Harness} from "./utils/Gs1Harness.sol";

/// @notice Property tests over quantities, routes, serial indexes, proofs, identifiers and dates.
contract FuzzTest is LedgerFixture {
    Gs1Harness internal lib;
    string internal constant CSET82 =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    function setUp() public override {
        super.setUp();
        lib = new Gs1Harness();
    }

    // ------------------------------------------------------------ identifiers

    /// @dev Any GTIN under the manufacturer's prefix whose last digit is not its check digit is refused.
    function testFuzz_registerProduct_revertsWhenCheckDigitWrong(uint256 itemReference, uint256 offset) public {
        uint256 body = 952012 * 1e6 + bound(itemReference, 0, 999_999); // 0 952012 xxxxxx
        uint256 valid = withCheckDigit(body);
        uint64 wrong = uint64(body * 10 + (((valid % 10) + bound(offset, 1, 9)) % 10));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidGtin.selector, wrong));
        ledger.registerProduct(wrong, "Paracetamol", "500 mg", "tablet");
    }

    /// @dev ...and the same GTIN with its check digit is accepted.
    function testFuzz_registerProduct_acceptsGtinWithCheckDigit(uint256 itemReference, uint256 indicator) public {
        uint256 body = bound(indicator, 0, 9) * 1e12 + 952012 * 1e6 + bound(itemReference, 0, 999_999);
        uint64 gtin = uint64(withCheckDigit(body));
        vm.assume(gtin != GTIN);
        vm.prank(mfr);
        ledger.registerProduct(gtin, "Paracetamol", "500 mg", "tablet");
        assertEq(ledger.product(gtin).manufacturer, mfr, "registered");
    }

    /// @dev Exactly one last digit completes a 13-digit body, and it is the one a left-to-right
    /// reference computation (weights 3, 1, 3, ... from the first digit of a GTIN-14) gives.
    function testFuzz_isValidGtin14_exactlyOneCheckDigit(uint256 body) public view {
        body = bound(body, 0, 1e13 - 1);
        uint256 validCount;
        uint256 validDigit;
        for (uint256 digit; digit < 10; ++digit) {
            if (lib.isValidGtin14(body * 10 + digit)) {
                ++validCount;
                validDigit = digit;
            }
        }
        assertEq(validCount, 1, "exactly one check digit");
        uint256 sum;
        for (uint256 position; position < 13; ++position) {
            uint256 digit = (body / 10 ** (12 - position)) % 10;
            sum += position % 2 == 0 ? 3 * digit : digit;
        }
        assertEq(validDigit, (10 - (sum % 10)) % 10, "reference check digit");
    }

    function testFuzz_onboardParticipant_revertsWhenGlnCheckDigitWrong(uint256 body, uint256 offset) public {
        body = bound(body, 1e11, 1e12 - 1);
        uint256 valid = withCheckDigit(body);
        uint64 wrong = uint64(body * 10 + (((valid % 10) + bound(offset, 1, 9)) % 10));
        address account = _account("fuzzed participant");
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidGln.selector, wrong));
        ledger.onboardParticipant(account, IPedigreeRegistry.Role.Distributor, "Wholesale", wrong);
        ledger.onboardParticipant(account, IPedigreeRegistry.Role.Distributor, "Wholesale", uint64(valid));
    }

    function testFuzz_assignCompanyPrefix_acceptsOnlySixToTwelveDigits(uint256 length, uint256 seed) public {
        length = bound(length, 1, 16);
        bytes memory prefix = new bytes(length);
        for (uint256 i; i < length; ++i)
            prefix[i] = bytes1(uint8(0x30 + (uint256(keccak256(abi.encode(seed, i))) % 10)));
        prefix[0] = "8"; // keeps clear of the fixture's prefixes
        if (length >= 6 && length <= 12) {
            ledger.assignCompanyPrefix(mfr, string(prefix));
            assertEq(ledger.companyPrefixOwner(string(prefix)), mfr, "assigned");
        } else {
            vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidCompanyPrefix.selector, prefix));
            ledger.assignCompanyPrefix(mfr, string(prefix));
        }
    }

    function testFuzz_firstInvalidCset82_matchesReference(bytes calldata text) public view {
        uint256 expected = type(uint256).max;
        for (uint256 i; i < text.length; ++i) {
            if (!_inCset82(text[i])) {
                expected = i;
                break;
            }
        }
        assertEq(lib.firstInvalidCset82(text), expected, "first invalid index");
    }

    function testFuzz_registerBatch_refusesLotWithByteOutsideCset82(uint256 position, uint8 value) public {
        bytes memory lot = bytes("LOT-2027-0001");
        position = bound(position, 0, lot.length - 1);
        lot[position] = bytes1(value);
        if (_inCset82(bytes1(value))) {
            vm.prank(mfr);
            ledger.registerBatch(GTIN, string(lot), EXPIRY, 4, keccak256("root"), bytes32(0));
        } else {
            vm.prank(mfr);
            vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidLot.selector, lot, position));
            ledger.registerBatch(GTIN, string(lot), EXPIRY, 4, keccak256("root"), bytes32(0));
        }
    }

    // ------------------------------------------------------------ dates

    function testFuzz_toEpochDay_roundTripsEveryDay(uint256 day) public view {
        day = bound(day, 10957, 47481); // 2000-01-01 .. 2099-12-31
        uint256 date = lib.toYyyymmdd(day);
        (bool valid, uint256 back) = lib.toEpochDay(date);
        assertTrue(valid, "valid");
        assertEq(back, day, "round trip");
        uint256 next = lib.toYyyymmdd(day + 1);
        assertTrue(next > date, "dates increase");
        uint256 month = (date / 100) % 100;
        if ((next / 100) % 100 != month) {
            assertEq(date % 100, lib.daysInMonth(date / 10_000, month), "month changes after its last day");
            (, uint256 dayZero) = lib.toEpochDay(date - (date % 100));
            assertEq(dayZero, day, "day 00 is the last day");
        }
    }

    function testFuzz_registerBatch_refusesPastExpiryAcceptsFuture(uint256 day) public {
        day = bound(day, 10957, 47481);
        uint32 expiry = uint32(lib.toYyyymmdd(day));
        vm.prank(mfr);
        if (day < START / 1 days) {
            vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidExpiry.selector, expiry));
            ledger.registerBatch(GTIN, "LOT-F", expiry, 4, keccak256("root"), bytes32(0));
        } else {
            bytes32 id = ledger.registerBatch(GTIN, "LOT-F", expiry, 4, keccak256("root"), bytes32(0));
            assertEq(ledger.batch(id).expiry, expiry, "expiry stored");
        }
    }

    // ------------------------------------------------------------ routes

    /// @dev Every (sender, recipient) pair of participants behaves as the route table says.
    function testFuzz_ship_followsRouteTable(uint256 fromSeed, uint256 toSeed) public {
        address[7] memory actors = [mfr, mfr2, dist, dist2, pharmacy, pharmacy2, regulator];
        IPedigreeRegistry.Role[7] memory roles = [
            IPedigreeRegistry.Role.Manufacturer,
            IPedigreeRegistry.Role.Manufacturer,
            IPedigreeRegistry.Role.Distributor,
            IPedigreeRegistry.Role.Distributor,
            IPedigreeRegistry.Role.Pharmacy,
            IPedigreeRegistry.Role.Pharmacy,
            IPedigreeRegistry.Role.Regulator
        ];
        deliver(mfr, dist, batchA, 2);
        deliver(mfr, dist2, batchA, 2);
        deliver(mfr, pharmacy, batchA, 2);
        deliver(mfr, pharmacy2, batchA, 2);
        uint256 f = bound(fromSeed, 0, 6);
        uint256 t = bound(toSeed, 0, 6);
        address from = actors[f];
        address to = actors[t];
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);

        bytes memory expectedError;
        if (from == to || !_routeAllowed(roles[f], roles[t])) {
            expectedError = abi.encodeWithSelector(
                IPedigreeLedger.PedigreeRouteNotAllowed.selector,
                from,
                roles[f],
                to,
                roles[t]
            );
        } else if (to == mfr2) {
            expectedError = abi.encodeWithSelector(
                IPedigreeLedger.PedigreeReturnToOtherManufacturer.selector,
                batchA,
                mfr2,
                mfr
            );
        } else if (from == mfr2) {
            expectedError = abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInsufficientUnits.selector,
                batchA,
                mfr2,
                0,
                1
            );
        }
        uint256 before = units(batchA, from);
        uint256 toBefore = units(batchA, to);
        vm.prank(from);
        if (expectedError.length > 0) vm.expectRevert(expectedError);
        bytes32 id = ledger.ship(to, "ASN-FUZZ", lines);
        if (expectedError.length == 0) {
            assertEq(units(batchA, from), before - 1, "debited");
            vm.prank(to);
            ledger.receiveShipment(id, from, lines);
            assertEq(units(batchA, to), to == from ? before : toBefore + 1, "credited");
        }
    }

    // ------------------------------------------------------------ quantities and conservation

    function testFuzz_ship_debitsExactQuantity(uint256 quantity) public {
        quantity = bound(quantity, 1, PACKS);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, quantity);
        bytes32 id = shipLines(mfr, pharmacy, lines);
        assertEq(units(batchA, mfr), PACKS - quantity, "debited");
        vm.prank(mfr);
        ledger.cancelShipment(id, pharmacy, lines);
        assertEq(units(batchA, mfr), PACKS, "cancel restores");
    }

    function testFuzz_ship_revertsWhenQuantityExceedsStock(uint256 quantity) public {
        quantity = bound(quantity, PACKS + 1, type(uint256).max);
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, quantity);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeInsufficientUnits.selector, batchA, mfr, PACKS, quantity)
        );
        ledger.ship(dist, "ASN-FUZZ", lines);
    }

    /// @dev A random sequence of ship / receive / reject / cancel among five holders: after every
    /// step each holder's stock matches a model, and held + in transit = pack count.
    function testFuzz_receive_conservesUnits(uint256 seed) public {
        address[5] memory holders = [mfr, dist, dist2, pharmacy, pharmacy2];
        uint256[5] memory model;
        model[0] = PACKS;
        uint256 steps = 20;
        bytes32[] memory ids = new bytes32[](steps);
        uint256[] memory froms = new uint256[](steps);
        uint256[] memory tos = new uint256[](steps);
        uint256[] memory quantities = new uint256[](steps);
        bool[] memory open = new bool[](steps);
        uint256 shipments;
        uint256 inTransit;

        for (uint256 step; step < steps; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 pick = _openShipment(open, shipments, r >> 8);
            if (r % 5 < 2 || pick == type(uint256).max) {
                // Ship from a random holder with stock to a recipient its role may ship to.
                uint256 f = (r >> 16) % 5;
                if (model[f] == 0) f = 0;
                if (model[f] == 0) continue;
                uint256 t = _recipientFor(f, r >> 32);
                uint256 quantity = 1 + ((r >> 64) % model[f]);
                ids[shipments] = ship(holders[f], holders[t], batchA, quantity);
                (froms[shipments], tos[shipments], quantities[shipments], open[shipments]) = (f, t, quantity, true);
                ++shipments;
                model[f] -= quantity;
                inTransit += quantity;
                vm.roll(vm.getBlockNumber() + 1);
            } else {
                IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, quantities[pick]);
                address from = holders[froms[pick]];
                address to = holders[tos[pick]];
                uint256 action = r % 5;
                if (action == 2) {
                    vm.prank(to);
                    ledger.receiveShipment(ids[pick], from, lines);
                    model[tos[pick]] += quantities[pick];
                } else if (action == 3) {
                    vm.prank(to);
                    ledger.rejectShipment(ids[pick], from, lines, "refused");
                    model[froms[pick]] += quantities[pick];
                } else {
                    vm.prank(from);
                    ledger.cancelShipment(ids[pick], to, lines);
                    model[froms[pick]] += quantities[pick];
                }
                open[pick] = false;
                inTransit -= quantities[pick];
                assertEq(ledger.pendingShipment(ids[pick]), bytes32(0), "settled");
            }
            uint256 held;
            for (uint256 h; h < 5; ++h) {
                assertEq(units(batchA, holders[h]), model[h], "holder stock matches the model");
                held += model[h];
            }
            assertEq(held + inTransit, PACKS, "units conserved");
        }
    }

    // ------------------------------------------------------------ serial indexes and proofs

    function testFuzz_decommission_acceptsEveryIndexWithItsProof(uint256 index, uint256 stateSeed) public {
        index = bound(index, 0, PACKS - 1);
        IPedigreeLedger.PackState state = IPedigreeLedger.PackState(bound(stateSeed, 1, 6));
        deliver(mfr, pharmacy, batchA, PACKS);
        decommissionPack(pharmacy, batchA, index, state);
        assertEq(uint256(packState(batchA, index)), uint256(state), "state");
        assertEq(units(batchA, pharmacy), PACKS - 1, "one unit");
        for (uint256 i; i < PACKS; ++i) {
            if (i != index) assertEq(uint256(packState(batchA, i)), 0, "others active");
        }
        // Never twice.
        string memory serial = serialOf(batchA, index);
        bytes32[] memory proof = proofOf(batchA, index);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreePackNotActive.selector, batchA, index, state));
        ledger.decommission(batchA, index, serial, proof, IPedigreeLedger.PackState.Destroyed);
    }

    function testFuzz_decommission_revertsWhenProofTampered(uint256 index, uint256 position, uint256 mask) public {
        index = bound(index, 0, PACKS - 1);
        deliver(mfr, pharmacy, batchA, 4);
        string memory serial = serialOf(batchA, index);
        bytes32[] memory proof = proofOf(batchA, index);
        position = bound(position, 0, proof.length - 1);
        mask = bound(mask, 1, type(uint256).max);
        proof[position] = bytes32(uint256(proof[position]) ^ mask);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, index));
        ledger.decommission(batchA, index, serial, proof, IPedigreeLedger.PackState.Dispensed);
    }

    function testFuzz_decommission_revertsWhenIndexNotTheSerials(uint256 index, uint256 claimed) public {
        index = bound(index, 0, PACKS - 1);
        claimed = bound(claimed, 0, type(uint256).max);
        vm.assume(claimed != index);
        deliver(mfr, pharmacy, batchA, 4);
        string memory serial = serialOf(batchA, index);
        bytes32[] memory proof = proofOf(batchA, index);
        vm.prank(pharmacy);
        if (claimed >= PACKS) {
            vm.expectRevert(
                abi.encodeWithSelector(IPedigreeLedger.PedigreeIndexOutOfRange.selector, batchA, claimed, PACKS)
            );
        } else {
            vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, claimed));
        }
        ledger.decommission(batchA, claimed, serial, proof, IPedigreeLedger.PackState.Dispensed);
    }

    function testFuzz_decommissionMany_provesAnySubset(uint256 mask) public {
        mask = bound(mask, 1, (1 << PACKS) - 1);
        deliver(mfr, pharmacy, batchA, PACKS);
        uint256[] memory indexes = _indexesOf(mask);
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchA, indexes);
        string[] memory serials = new string[](ordered.length);
        for (uint256 i; i < ordered.length; ++i) serials[i] = serialOf(batchA, ordered[i]);
        vm.prank(pharmacy);
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
        for (uint256 i; i < PACKS; ++i) {
            uint256 expected = (mask >> i) & 1 == 1 ? uint256(IPedigreeLedger.PackState.Dispensed) : 0;
            assertEq(uint256(packState(batchA, i)), expected, "exactly the proved packs");
        }
        assertEq(units(batchA, pharmacy), PACKS - indexes.length, "one unit per pack");
    }

    function testFuzz_decommissionMany_revertsWhenOneSerialForged(uint256 mask, uint256 which) public {
        mask = bound(mask, 1, (1 << PACKS) - 1);
        deliver(mfr, pharmacy, batchA, PACKS);
        uint256[] memory indexes = _indexesOf(mask);
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchA, indexes);
        string[] memory serials = new string[](ordered.length);
        for (uint256 i; i < ordered.length; ++i) serials[i] = serialOf(batchA, ordered[i]);
        serials[bound(which, 0, ordered.length - 1)] = "FORGED";
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, ordered[0]));
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    /// Flags flipped at random (or none): the ledger takes a multiproof exactly when OpenZeppelin's
    /// `processMultiProof` gives the batch's root from it.
    function testFuzz_decommissionMany_acceptsExactlyWhatOpenZeppelinAccepts(uint256 mask, uint256 flips) public {
        mask = bound(mask, 1, (1 << PACKS) - 1);
        deliver(mfr, pharmacy, batchA, PACKS);
        uint256[] memory indexes = _indexesOf(mask);
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchA, indexes);
        if (flips & 1 == 1) {
            for (uint256 i; i < flags.length; ++i) if ((flips >> (i + 1)) & 1 == 1) flags[i] = !flags[i];
        }
        string[] memory serials = new string[](ordered.length);
        bytes32[] memory leaves = new bytes32[](ordered.length);
        for (uint256 i; i < ordered.length; ++i) {
            serials[i] = serialOf(batchA, ordered[i]);
            leaves[i] = SerialTree.leaf(ordered[i], serials[i]);
        }
        bool openZeppelinAccepts;
        try this.openZeppelinRoot(proof, flags, leaves) returns (bytes32 root) {
            openZeppelinAccepts = root == rootOf(batchA);
        } catch {}
        if (!openZeppelinAccepts) {
            vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, ordered[0]));
        }
        vm.prank(pharmacy);
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
        assertEq(units(batchA, pharmacy), openZeppelinAccepts ? PACKS - indexes.length : PACKS, "units");
    }

    /// @dev External, so that its reverts can be caught.
    function openZeppelinRoot(
        bytes32[] calldata proof,
        bool[] calldata flags,
        bytes32[] calldata leaves
    ) external pure returns (bytes32) {
        return MerkleProof.processMultiProof(proof, flags, leaves);
    }

    function testFuzz_verifyPack_unknownSerialUnlessProofValid(uint256 index, bytes32 noise) public view {
        index = bound(index, 0, PACKS - 1);
        bytes32[] memory proof = proofOf(batchA, index);
        IPedigreeLedger.Verification memory genuine = ledger.verifyPack(
            GTIN,
            LOT,
            serialOf(batchA, index),
            index,
            proof,
            0
        );
        assertEq(uint256(genuine.verdict), uint256(IPedigreeLedger.Verdict.Genuine), "genuine");
        if (noise == bytes32(0)) noise = bytes32(uint256(1));
        proof[uint256(noise) % proof.length] ^= noise;
        IPedigreeLedger.Verification memory forged = ledger.verifyPack(
            GTIN,
            LOT,
            serialOf(batchA, index),
            index,
            proof,
            0
        );
        assertEq(uint256(forged.verdict), uint256(IPedigreeLedger.Verdict.UnknownSerial), "forged");
    }

    /// @dev Serials of any length and content hash to the StandardMerkleTree leaf
    /// keccak256(bytes.concat(keccak256(abi.encode(index, serial)))), as the tree tooling computes it.
    function testFuzz_decommission_acceptsAnySerialEncoding(string calldata serial, uint256 index) public {
        index = bound(index, 1, 7);
        bytes32[] memory leaves = new bytes32[](8);
        for (uint256 i; i < 8; ++i) leaves[i] = SerialTree.leaf(i, i == index ? serial : "OTHER");
        SerialTree.Tree memory tree = SerialTree.fromLeaves(leaves);
        vm.prank(mfr);
        bytes32 id = ledger.registerBatch(GTIN, "LOT-ANY", EXPIRY, 8, tree.nodes[0], bytes32(0));
        bytes32[] memory proof = SerialTree.proof(tree, index);
        IPedigreeLedger.Verification memory result = ledger.verifyPack(GTIN, "LOT-ANY", serial, index, proof, 0);
        assertEq(uint256(result.verdict), uint256(IPedigreeLedger.Verdict.Genuine), "verified");
        vm.prank(mfr);
        ledger.decommission(id, index, serial, proof, IPedigreeLedger.PackState.Destroyed);
        assertEq(uint256(packState(id, index)), uint256(IPedigreeLedger.PackState.Destroyed), "decommissioned");
    }

    // ------------------------------------------------------------ undo window

    function testFuzz_reactivate_respectsUndoWindow(uint256 elapsed) public {
        elapsed = bound(elapsed, 0, 30 days);
        deliver(mfr, pharmacy, batchA, 2);
        decommissionPack(pharmacy, batchA, 4, IPedigreeLedger.PackState.Dispensed);
        vm.warp(START + elapsed);
        vm.prank(pharmacy);
        if (elapsed > 10 days) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IPedigreeLedger.PedigreeUndoWindowClosed.selector,
                    batchA,
                    4,
                    uint32(START),
                    START + 10 days
                )
            );
            ledger.reactivate(batchA, 4);
        } else {
            ledger.reactivate(batchA, 4);
            assertEq(units(batchA, pharmacy), 2, "back in stock");
        }
    }

    // ------------------------------------------------------------ helpers

    function _routeAllowed(IPedigreeRegistry.Role from, IPedigreeRegistry.Role to) private pure returns (bool) {
        if (from == IPedigreeRegistry.Role.Manufacturer) {
            return to == IPedigreeRegistry.Role.Distributor || to == IPedigreeRegistry.Role.Pharmacy;
        }
        if (from == IPedigreeRegistry.Role.Distributor) {
            return to != IPedigreeRegistry.Role.Regulator && to != IPedigreeRegistry.Role.None;
        }
        if (from == IPedigreeRegistry.Role.Pharmacy) {
            return to == IPedigreeRegistry.Role.Distributor || to == IPedigreeRegistry.Role.Manufacturer;
        }
        return false;
    }

    function _recipientFor(uint256 sender, uint256 r) private pure returns (uint256) {
        // holders: 0 mfr, 1 dist, 2 dist2, 3 pharmacy, 4 pharmacy2
        if (sender == 0) return 1 + (r % 4);
        if (sender == 1 || sender == 2) {
            uint8[4] memory options = [0, 3, 4, sender == 1 ? 2 : 1];
            return options[r % 4];
        }
        uint8[3] memory pharmacyOptions = [0, 1, 2];
        return pharmacyOptions[r % 3];
    }

    function _openShipment(bool[] memory open, uint256 count, uint256 r) private pure returns (uint256) {
        if (count == 0) return type(uint256).max;
        uint256 start = r % count;
        for (uint256 k; k < count; ++k) {
            uint256 i = (start + k) % count;
            if (open[i]) return i;
        }
        return type(uint256).max;
    }

    function _indexesOf(uint256 mask) private pure returns (uint256[] memory indexes) {
        uint256 count;
        for (uint256 i; i < PACKS; ++i) if ((mask >> i) & 1 == 1) ++count;
        indexes = new uint256[](count);
        uint256 k;
        for (uint256 i; i < PACKS; ++i) if ((mask >> i) & 1 == 1) indexes[k++] = i;
    }

    function _inCset82(bytes1 value) private pure returns (bool) {
        bytes memory set = bytes(CSET82);
        for (uint256 i; i < set.length; ++i) if (set[i] == value) return true;
        return false;
    }
}
