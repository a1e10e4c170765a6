// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";
import {SerialTree} from "./utils/SerialTree.sol";

/// @notice Pack decommissioning and reactivation: ten packs of batch A and a short-dated batch
/// at the pharmacy. Split in several contracts to keep each one's bytecode well under 64 KiB
/// (solc fails with "Tag too large for reserved space" near that size).
abstract contract PacksFixture is LedgerFixture {
    uint256 internal constant AT_PHARMACY = 10;
    /// @dev A batch of mfr's product that expires at the end of January 2027, 8 packs at the pharmacy.
    bytes32 internal batchShort;

    function setUp() public override {
        super.setUp();
        deliver(mfr, pharmacy, batchA, AT_PHARMACY);
        batchShort = registerTestBatch(mfr, GTIN, "LOT-SHORT", 20270131, 8, "S1", bytes32(0));
        deliver(mfr, pharmacy, batchShort, 8);
    }

    // ------------------------------------------------------------ helpers

    function _expectDecommissionRevert(
        address by,
        bytes32 batchId,
        uint256 index,
        IPedigreeLedger.PackState state,
        bytes memory revertData
    ) internal {
        string memory serial = serialOf(batchId, index);
        bytes32[] memory proof = proofOf(batchId, index);
        vm.prank(by);
        vm.expectRevert(revertData);
        ledger.decommission(batchId, index, serial, proof, state);
    }

    function _expectUndoNotAllowed(IPedigreeLedger.PackState state) internal {
        decommissionPack(pharmacy, batchA, 3, state);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUndoNotAllowed.selector, batchA, 3, state));
        ledger.reactivate(batchA, 3);
    }

    function _serials(bytes32 batchId, uint256[] memory indexes) internal view returns (string[] memory serials) {
        serials = new string[](indexes.length);
        for (uint256 i; i < indexes.length; ++i) serials[i] = serialOf(batchId, indexes[i]);
    }

    function _multi(
        bytes32 batchId,
        uint256 first,
        uint256 second
    )
        internal
        view
        returns (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags)
    {
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = first;
        indexes[1] = second;
        (proof, flags, ordered) = multiProofOf(batchId, indexes);
        serials = _serials(batchId, ordered);
    }

    function _decommissionManyAndCheck(
        address by,
        bytes32 batchId,
        uint256[] memory indexes,
        IPedigreeLedger.PackState state
    ) internal {
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchId, indexes);
        string[] memory serials = _serials(batchId, ordered);
        uint256 before = units(batchId, by);
        for (uint256 i; i < ordered.length; ++i) {
            vm.expectEmit(address(ledger));
            emit IPedigreeLedger.PackDecommissioned(batchId, ordered[i], by, state);
        }
        vm.prank(by);
        ledger.decommissionMany(batchId, ordered, serials, proof, packFlags(flags), state);
        assertEq(units(batchId, by), before - indexes.length, "one unit per pack");
        uint256 count;
        uint256 packCount = ledger.batch(batchId).packCount;
        for (uint256 i; i < packCount; ++i) {
            IPedigreeLedger.PackRecord memory record = ledger.packRecord(batchId, i);
            if (record.state == IPedigreeLedger.PackState.Active) continue;
            ++count;
            assertEq(uint256(record.state), uint256(state), "state");
            assertEq(record.by, by, "by");
            assertEq(record.at, vm.getBlockTimestamp(), "at");
        }
        assertEq(count, indexes.length, "exactly the proved packs");
    }
}

/// @notice decommission: states, roles, batch status, proofs; the serial tree helper itself.
contract DecommissionTest is PacksFixture {
    // ------------------------------------------------------------ decommission

    function test_decommission_dispensesAndEmits() public {
        string memory serial = serialOf(batchA, 3);
        bytes32[] memory proof = proofOf(batchA, 3);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.PackDecommissioned(batchA, 3, pharmacy, IPedigreeLedger.PackState.Dispensed);
        vm.prank(pharmacy);
        ledger.decommission(batchA, 3, serial, proof, IPedigreeLedger.PackState.Dispensed);

        IPedigreeLedger.PackRecord memory record = ledger.packRecord(batchA, 3);
        assertEq(uint256(record.state), uint256(IPedigreeLedger.PackState.Dispensed), "state");
        assertEq(record.by, pharmacy, "by");
        assertEq(record.at, START, "at");
        assertEq(units(batchA, pharmacy), AT_PHARMACY - 1, "one unit fewer");
        assertEq(uint256(packState(batchA, 2)), uint256(IPedigreeLedger.PackState.Active), "neighbour untouched");
        assertEq(uint256(packState(batchA, 4)), uint256(IPedigreeLedger.PackState.Active), "neighbour untouched");
    }

    function test_decommission_recordsEveryStateByPharmacy() public {
        for (uint8 s = 1; s <= uint8(IPedigreeLedger.PackState.Locked); ++s) {
            IPedigreeLedger.PackState state = IPedigreeLedger.PackState(s);
            vm.expectEmit(address(ledger));
            emit IPedigreeLedger.PackDecommissioned(batchA, s, pharmacy, state);
            decommissionPack(pharmacy, batchA, s, state);
            assertEq(uint256(packState(batchA, s)), s, "state recorded");
        }
        assertEq(units(batchA, pharmacy), AT_PHARMACY - 6, "six units decommissioned");
    }

    function test_decommission_firstAndLastIndex() public {
        decommissionPack(pharmacy, batchA, 0, IPedigreeLedger.PackState.Dispensed);
        decommissionPack(pharmacy, batchA, PACKS - 1, IPedigreeLedger.PackState.Dispensed);
        assertEq(uint256(packState(batchA, 0)), uint256(IPedigreeLedger.PackState.Dispensed), "first");
        assertEq(uint256(packState(batchA, PACKS - 1)), uint256(IPedigreeLedger.PackState.Dispensed), "last");
    }

    function test_decommission_distributorDestroysLocksAndExports() public {
        deliver(mfr, dist, batchA, 4);
        decommissionPack(dist, batchA, 0, IPedigreeLedger.PackState.Destroyed);
        decommissionPack(dist, batchA, 1, IPedigreeLedger.PackState.Locked);
        decommissionPack(dist, batchA, 2, IPedigreeLedger.PackState.Exported);
        assertEq(ledger.packRecord(batchA, 1).by, dist, "by distributor");
        assertEq(units(batchA, dist), 1, "three decommissioned");
    }

    function test_decommission_manufacturerTakesSamples() public {
        decommissionPack(mfr, batchA, 5, IPedigreeLedger.PackState.Sample);
        assertEq(ledger.packRecord(batchA, 5).by, mfr, "by manufacturer");
        assertEq(units(batchA, mfr), PACKS - AT_PHARMACY - 1, "manufacturer debited");
    }

    function test_decommission_revertsWhenDistributorDispenses() public {
        deliver(mfr, dist, batchA, 4);
        _expectDecommissionRevert(
            dist,
            batchA,
            0,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                dist,
                ledger.PHARMACY_ROLE()
            )
        );
    }

    function test_decommission_revertsWhenManufacturerDispenses() public {
        _expectDecommissionRevert(
            mfr,
            batchA,
            0,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                mfr,
                ledger.PHARMACY_ROLE()
            )
        );
    }

    function test_decommission_revertsWhenRegulatorDestroys() public {
        _expectDecommissionRevert(
            regulator,
            batchA,
            0,
            IPedigreeLedger.PackState.Destroyed,
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                regulator,
                IPedigreeRegistry.Role.Regulator
            )
        );
    }

    function test_decommission_revertsWhenRegulatorDispenses() public {
        _expectDecommissionRevert(
            regulator,
            batchA,
            0,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                regulator,
                ledger.PHARMACY_ROLE()
            )
        );
    }

    function test_decommission_revertsWhenStateActive() public {
        _expectDecommissionRevert(
            pharmacy,
            batchA,
            0,
            IPedigreeLedger.PackState.Active,
            abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidPackState.selector, IPedigreeLedger.PackState.Active)
        );
    }

    function test_decommission_revertsWhenCallerNotParticipant() public {
        _expectDecommissionRevert(
            stranger,
            batchA,
            0,
            IPedigreeLedger.PackState.Destroyed,
            abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger)
        );
    }

    function test_decommission_revertsWhenBatchUnknown() public {
        bytes32 unknown = keccak256(abi.encode(GTIN, "NOPE"));
        bytes32[] memory proof = proofOf(batchA, 0);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUnknownBatch.selector, unknown));
        ledger.decommission(unknown, 0, "A1-0000", proof, IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommission_revertsWhenHolderHasNoUnits() public {
        _expectDecommissionRevert(
            pharmacy2,
            batchA,
            0,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(IPedigreeLedger.PedigreeInsufficientUnits.selector, batchA, pharmacy2, 0, 1)
        );
    }

    function test_decommission_revertsWhenDispensingRecalledBatch() public {
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        _expectDecommissionRevert(
            pharmacy,
            batchA,
            0,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Recalled,
                EXPIRY_NORMALIZED
            )
        );
    }

    function test_decommission_revertsWhenDispensingSuspendedBatch() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        _expectDecommissionRevert(
            pharmacy,
            batchA,
            0,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Suspended,
                EXPIRY_NORMALIZED
            )
        );
    }

    function test_decommission_revertsWhenDispensingExpiredBatch() public {
        vm.warp(START + 17 days); // 2027-02-01
        _expectDecommissionRevert(
            pharmacy,
            batchShort,
            0,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
                batchShort,
                IPedigreeLedger.BatchStatus.Active,
                20270131
            )
        );
    }

    function test_decommission_dispensesOnExpiryDay() public {
        vm.warp(START + 16 days + 15 hours); // 2027-01-31 23:00
        decommissionPack(pharmacy, batchShort, 0, IPedigreeLedger.PackState.Dispensed);
        assertEq(uint256(packState(batchShort, 0)), uint256(IPedigreeLedger.PackState.Dispensed), "dispensed");
    }

    function test_decommission_revertsWhenSampleOrExportOfRecalledBatch() public {
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        bytes memory refused = abi.encodeWithSelector(
            IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
            batchA,
            IPedigreeLedger.BatchStatus.Recalled,
            EXPIRY_NORMALIZED
        );
        _expectDecommissionRevert(pharmacy, batchA, 0, IPedigreeLedger.PackState.Sample, refused);
        _expectDecommissionRevert(pharmacy, batchA, 0, IPedigreeLedger.PackState.Exported, refused);
    }

    function test_decommission_destroysStolenAndLocksRecalledStock() public {
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        decommissionPack(pharmacy, batchA, 0, IPedigreeLedger.PackState.Destroyed);
        decommissionPack(pharmacy, batchA, 1, IPedigreeLedger.PackState.Stolen);
        decommissionPack(pharmacy, batchA, 2, IPedigreeLedger.PackState.Locked);
        decommissionPack(mfr, batchA, 15, IPedigreeLedger.PackState.Destroyed);
        assertEq(units(batchA, pharmacy), AT_PHARMACY - 3, "pharmacy debited");
        assertEq(units(batchA, mfr), PACKS - AT_PHARMACY - 1, "manufacturer debited");
    }

    function test_decommission_destroysExpiredAndSuspendedStock() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        decommissionPack(pharmacy, batchA, 0, IPedigreeLedger.PackState.Destroyed);
        vm.warp(START + 30 days);
        decommissionPack(pharmacy, batchShort, 0, IPedigreeLedger.PackState.Destroyed);
        decommissionPack(pharmacy, batchShort, 1, IPedigreeLedger.PackState.Locked);
        assertEq(units(batchShort, pharmacy), 6, "expired packs destroyed and locked");
    }

    function test_decommission_revertsWhenDecommissionedTwice() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        _expectDecommissionRevert(
            pharmacy,
            batchA,
            3,
            IPedigreeLedger.PackState.Dispensed,
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreePackNotActive.selector,
                batchA,
                3,
                IPedigreeLedger.PackState.Dispensed
            )
        );
    }

    function test_decommission_revertsWhenAlreadyDestroyedWithCurrentState() public {
        decommissionPack(pharmacy, batchA, 7, IPedigreeLedger.PackState.Destroyed);
        _expectDecommissionRevert(
            pharmacy,
            batchA,
            7,
            IPedigreeLedger.PackState.Stolen,
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreePackNotActive.selector,
                batchA,
                7,
                IPedigreeLedger.PackState.Destroyed
            )
        );
        // Another holder cannot decommission it either.
        deliver(mfr, dist, batchA, 1);
        _expectDecommissionRevert(
            dist,
            batchA,
            7,
            IPedigreeLedger.PackState.Locked,
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreePackNotActive.selector,
                batchA,
                7,
                IPedigreeLedger.PackState.Destroyed
            )
        );
    }

    function test_decommission_revertsWhenIndexOutOfRange() public {
        bytes32[] memory proof = proofOf(batchA, 0);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeIndexOutOfRange.selector, batchA, 16, 16));
        ledger.decommission(batchA, PACKS, "A1-0016", proof, IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommission_revertsWhenSerialWrong() public {
        bytes32[] memory proof = proofOf(batchA, 3);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, 3));
        ledger.decommission(batchA, 3, "A1-0004", proof, IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommission_revertsWhenIndexDoesNotMatchSerial() public {
        string memory serial = serialOf(batchA, 3);
        bytes32[] memory proof = proofOf(batchA, 3);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, 4));
        ledger.decommission(batchA, 4, serial, proof, IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommission_revertsWhenProofTampered() public {
        string memory serial = serialOf(batchA, 3);
        bytes32[] memory proof = proofOf(batchA, 3);
        proof[1] = bytes32(uint256(proof[1]) ^ 1);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, 3));
        ledger.decommission(batchA, 3, serial, proof, IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommission_revertsWhenProofEmpty() public {
        string memory serial = serialOf(batchA, 3);
        bytes32[] memory proof = new bytes32[](0);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, 3));
        ledger.decommission(batchA, 3, serial, proof, IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommission_revertsWhenProofOfOtherBatch() public {
        // Batch B's pack 3 is proved against batch B's root, not batch A's.
        string memory serial = serialOf(batchB, 3);
        bytes32[] memory proof = proofOf(batchB, 3);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, 3));
        ledger.decommission(batchA, 3, serial, proof, IPedigreeLedger.PackState.Dispensed);
    }

    /// @dev An inner node cannot pass for a pack: leaves are hashed twice.
    function test_decommission_revertsWhenInnerNodeUsedAsLeafProof() public {
        bytes32[] memory proof = trees.proof(batchA, 3);
        bytes32[] memory shortened = new bytes32[](proof.length - 1);
        for (uint256 i; i < shortened.length; ++i) shortened[i] = proof[i + 1];
        string memory serial = serialOf(batchA, 3);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, 3));
        ledger.decommission(batchA, 3, serial, shortened, IPedigreeLedger.PackState.Dispensed);
    }

    // ------------------------------------------------------------ the serial tree helper

    function test_serialTree_proofsVerifyWithOpenZeppelin() public view {
        assertEq(trees.root(batchA), ledger.batch(batchA).serialsRoot, "root registered");
        for (uint256 i; i < PACKS; ++i) {
            bytes32 leaf = SerialTree.leaf(i, serialOf(batchA, i));
            assertTrue(MerkleProof.verify(trees.proof(batchA, i), trees.root(batchA), leaf), "proof verifies");
        }
    }

    function test_serialTree_siblingMultiProofIsHandBuiltOne() public view {
        // Leaves sit at positions 15..30; 15 and 16 share the parent 7.
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = trees.indexAt(batchA, 15);
        indexes[1] = trees.indexAt(batchA, 16);
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchA, indexes);
        assertEq(ordered[0], indexes[1], "highest position first");
        assertEq(ordered[1], indexes[0], "then the sibling");
        assertEq(proof.length, 3, "proof: uncles of the parent");
        assertEq(proof[0], trees.node(batchA, 8), "sibling of 7");
        assertEq(proof[1], trees.node(batchA, 4), "sibling of 3");
        assertEq(proof[2], trees.node(batchA, 2), "sibling of 1");
        assertEq(flags.length, 4, "flags");
        assertTrue(flags[0] && !flags[1] && !flags[2] && !flags[3], "siblings merge first");
    }

    function test_serialTree_splitMultiProofIsHandBuiltOne() public view {
        // Position 30 is under the root's right child (2), position 15 under the left one (1).
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = trees.indexAt(batchA, 15);
        indexes[1] = trees.indexAt(batchA, 30);
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchA, indexes);
        assertEq(ordered[0], indexes[1], "position 30 first");
        uint8[6] memory expectedNodes = [29, 16, 13, 8, 5, 4];
        assertEq(proof.length, 6, "proof length");
        for (uint256 i; i < 6; ++i) assertEq(proof[i], trees.node(batchA, expectedNodes[i]), "proof node");
        assertEq(flags.length, 7, "flags");
        for (uint256 i; i < 6; ++i) assertFalse(flags[i], "proof steps");
        assertTrue(flags[6], "the two branches merge at the root");
    }
}

/// @notice decommissionMany with Merkle multiproofs.
contract DecommissionManyTest is PacksFixture {
    // ------------------------------------------------------------ decommissionMany

    function test_decommissionMany_siblingLeaves() public {
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = trees.indexAt(batchA, 15);
        indexes[1] = trees.indexAt(batchA, 16);
        _decommissionManyAndCheck(pharmacy, batchA, indexes, IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_leavesInDifferentSubtrees() public {
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = trees.indexAt(batchA, 15);
        indexes[1] = trees.indexAt(batchA, 30);
        _decommissionManyAndCheck(pharmacy, batchA, indexes, IPedigreeLedger.PackState.Destroyed);
    }

    function test_decommissionMany_fourLeaves() public {
        uint256[] memory indexes = new uint256[](4);
        indexes[0] = 0;
        indexes[1] = 5;
        indexes[2] = 6;
        indexes[3] = 13;
        _decommissionManyAndCheck(pharmacy, batchA, indexes, IPedigreeLedger.PackState.Exported);
    }

    function test_decommissionMany_singleLeafWithPlainProof() public {
        uint256[] memory indexes = new uint256[](1);
        indexes[0] = 9;
        string[] memory serials = new string[](1);
        serials[0] = serialOf(batchA, 9);
        bytes32[] memory proof = trees.proof(batchA, 9);
        bool[] memory flags = new bool[](proof.length); // all false: every step takes a proof node
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.PackDecommissioned(batchA, 9, pharmacy, IPedigreeLedger.PackState.Locked);
        vm.prank(pharmacy);
        ledger.decommissionMany(batchA, indexes, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Locked);
        assertEq(uint256(packState(batchA, 9)), uint256(IPedigreeLedger.PackState.Locked), "locked");
    }

    function test_decommissionMany_wholeBatchWithoutProofNodes() public {
        deliver(mfr, pharmacy, batchA, PACKS - AT_PHARMACY);
        uint256[] memory indexes = new uint256[](PACKS);
        for (uint256 i; i < PACKS; ++i) indexes[i] = i;
        (bytes32[] memory proof, bool[] memory flags, ) = multiProofOf(batchA, indexes);
        assertEq(proof.length, 0, "no proof nodes");
        assertEq(flags.length, PACKS - 1, "every flag true");
        _decommissionManyAndCheck(pharmacy, batchA, indexes, IPedigreeLedger.PackState.Exported);
        assertEq(units(batchA, pharmacy), 0, "every unit decommissioned");
    }

    function test_decommissionMany_revertsWhenLengthsDiffer() public {
        uint256[] memory indexes = new uint256[](2);
        string[] memory serials = new string[](1);
        bytes32[] memory proof = new bytes32[](0);
        bool[] memory flags = new bool[](1);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeLengthMismatch.selector, 2, 1));
        ledger.decommissionMany(batchA, indexes, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenEmpty() public {
        uint256[] memory indexes = new uint256[](0);
        string[] memory serials = new string[](0);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = rootOf(batchA); // OpenZeppelin would accept this empty multiproof
        bool[] memory flags = new bool[](0);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeZeroQuantity.selector, batchA));
        ledger.decommissionMany(batchA, indexes, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenIndexOutOfRange() public {
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = 1;
        indexes[1] = 99;
        string[] memory serials = new string[](2);
        bytes32[] memory proof = new bytes32[](0);
        bool[] memory flags = new bool[](1);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeIndexOutOfRange.selector, batchA, 99, 16));
        ledger.decommissionMany(batchA, indexes, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenProofTampered() public {
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        proof[0] = keccak256("forged");
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, ordered[0]));
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenSerialSwapped() public {
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        serials[1] = serialOf(batchA, 2);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, ordered[0]));
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenLeavesOutOfOrder() public {
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        (ordered[0], ordered[1]) = (ordered[1], ordered[0]);
        (serials[0], serials[1]) = (serials[1], serials[0]);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, ordered[0]));
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenFlagBytesDoNotFitTheSteps() public {
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        bytes memory packed = packFlags(flags);
        bytes[2] memory wrong = [new bytes(0), bytes.concat(packed, bytes1(0))]; // a byte short, a byte over
        for (uint256 i; i < wrong.length; ++i) {
            vm.prank(pharmacy);
            vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, ordered[0]));
            ledger.decommissionMany(batchA, ordered, serials, proof, wrong[i], IPedigreeLedger.PackState.Dispensed);
        }
    }

    function test_decommissionMany_ignoresTheUnusedBitsOfTheLastFlagByte() public {
        // Siblings 15 and 16: four steps, the first merges them (flags 1000, packed 0x80).
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = trees.indexAt(batchA, 15);
        indexes[1] = trees.indexAt(batchA, 16);
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchA, indexes);
        assertEq(keccak256(packFlags(flags)), keccak256(hex"80"), "packed flags: 1000");
        vm.prank(pharmacy);
        ledger.decommissionMany(
            batchA,
            ordered,
            _serials(batchA, ordered),
            proof,
            hex"8f",
            IPedigreeLedger.PackState.Locked
        );
        assertEq(units(batchA, pharmacy), AT_PHARMACY - 2, "both packs locked");
    }

    function test_decommissionMany_revertsWhenAStepReadsAHashNotYetComputed() public {
        // One leaf with its plain proof, but the first step flagged to merge with another branch:
        // there is no other leaf, and no step hash yet (OpenZeppelin would read a zero).
        uint256[] memory indexes = new uint256[](1);
        indexes[0] = 9;
        string[] memory serials = new string[](1);
        serials[0] = serialOf(batchA, 9);
        bytes32[] memory proof = trees.proof(batchA, 9);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, 9));
        ledger.decommissionMany(batchA, indexes, serials, proof, hex"80", IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenAStepFindsNoProofNodeLeft() public {
        // Siblings 15 and 16 with their parent's uncles, but the merge step unflagged: the first
        // step takes a proof node the merge should have made unnecessary, and the last has none.
        uint256[] memory indexes = new uint256[](2);
        indexes[0] = trees.indexAt(batchA, 15);
        indexes[1] = trees.indexAt(batchA, 16);
        (bytes32[] memory proof, , uint256[] memory ordered) = multiProofOf(batchA, indexes);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidProof.selector, batchA, ordered[0]));
        ledger.decommissionMany(
            batchA,
            ordered,
            _serials(batchA, ordered),
            proof,
            hex"00",
            IPedigreeLedger.PackState.Dispensed
        );
    }

    function test_decommissionMany_revertsWhenOnePackAlreadyDecommissioned() public {
        decommissionPack(pharmacy, batchA, 11, IPedigreeLedger.PackState.Dispensed);
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreePackNotActive.selector,
                batchA,
                11,
                IPedigreeLedger.PackState.Dispensed
            )
        );
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
        assertEq(uint256(packState(batchA, 1)), uint256(IPedigreeLedger.PackState.Active), "pack 1 untouched");
    }

    function test_decommissionMany_revertsWhenTooFewUnits() public {
        uint256[] memory indexes = new uint256[](PACKS);
        for (uint256 i; i < PACKS; ++i) indexes[i] = i;
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = multiProofOf(batchA, indexes);
        string[] memory serials = _serials(batchA, ordered);
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeInsufficientUnits.selector,
                batchA,
                pharmacy,
                AT_PHARMACY,
                PACKS
            )
        );
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
    }

    function test_decommissionMany_revertsWhenDispensingRecalledBatch() public {
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Recalled,
                EXPIRY_NORMALIZED
            )
        );
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);
        // Destroying recalled stock is allowed.
        vm.prank(pharmacy);
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Destroyed);
        assertEq(units(batchA, pharmacy), AT_PHARMACY - 2, "destroyed");
    }

    function test_decommissionMany_revertsWhenStateActive() public {
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeInvalidPackState.selector, IPedigreeLedger.PackState.Active)
        );
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Active);
    }

    function test_decommissionMany_revertsWhenCallerNotParticipant() public {
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Destroyed);
    }

    function test_decommissionMany_revertsWhenRegulator() public {
        (uint256[] memory ordered, string[] memory serials, bytes32[] memory proof, bool[] memory flags) = _multi(
            batchA,
            1,
            11
        );
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                regulator,
                IPedigreeRegistry.Role.Regulator
            )
        );
        ledger.decommissionMany(batchA, ordered, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Destroyed);
    }
}

/// @notice reactivate: the undo window, the party, the pack state, the batch status.
contract ReactivateTest is PacksFixture {
    // ------------------------------------------------------------ reactivate

    function test_reactivate_undoesDispenseAndEmits() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        vm.warp(START + 2 days);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.PackReactivated(batchA, 3, pharmacy, IPedigreeLedger.PackState.Dispensed);
        vm.prank(pharmacy);
        ledger.reactivate(batchA, 3);

        IPedigreeLedger.PackRecord memory record = ledger.packRecord(batchA, 3);
        assertEq(uint256(record.state), uint256(IPedigreeLedger.PackState.Active), "active again");
        assertEq(record.by, address(0), "no decommissioner");
        assertEq(record.at, 0, "no time");
        assertEq(units(batchA, pharmacy), AT_PHARMACY, "unit back in stock");

        // The pack can be dispensed again.
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        assertEq(ledger.packRecord(batchA, 3).at, START + 2 days, "dispensed again");
    }

    function test_reactivate_acceptsExactlyTenDays() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        vm.warp(START + 10 days);
        vm.prank(pharmacy);
        ledger.reactivate(batchA, 3);
        assertEq(uint256(packState(batchA, 3)), uint256(IPedigreeLedger.PackState.Active), "active");
    }

    function test_reactivate_revertsOneSecondAfterTenDays() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        vm.warp(START + 10 days + 1);
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeUndoWindowClosed.selector,
                batchA,
                3,
                uint32(START),
                START + 10 days
            )
        );
        ledger.reactivate(batchA, 3);
    }

    function test_reactivate_revertsWhenOtherPharmacy() public {
        deliver(mfr, pharmacy2, batchA, 2);
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        vm.prank(pharmacy2);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUndoByOtherParty.selector, batchA, 3, pharmacy));
        ledger.reactivate(batchA, 3);
    }

    function test_reactivate_revertsWhenLockedByOtherParty() public {
        deliver(mfr, dist, batchA, 2);
        decommissionPack(dist, batchA, 3, IPedigreeLedger.PackState.Locked);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUndoByOtherParty.selector, batchA, 3, dist));
        ledger.reactivate(batchA, 3);
    }

    function test_reactivate_revertsWhenDestroyed() public {
        _expectUndoNotAllowed(IPedigreeLedger.PackState.Destroyed);
    }

    function test_reactivate_revertsWhenStolen() public {
        _expectUndoNotAllowed(IPedigreeLedger.PackState.Stolen);
    }

    function test_reactivate_revertsWhenSample() public {
        _expectUndoNotAllowed(IPedigreeLedger.PackState.Sample);
    }

    function test_reactivate_revertsWhenExported() public {
        _expectUndoNotAllowed(IPedigreeLedger.PackState.Exported);
    }

    function test_reactivate_revertsWhenPackActive() public {
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeUndoNotAllowed.selector,
                batchA,
                3,
                IPedigreeLedger.PackState.Active
            )
        );
        ledger.reactivate(batchA, 3);
    }

    function test_reactivate_revertsWhenIndexOutOfRange() public {
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeUndoNotAllowed.selector,
                batchA,
                1000,
                IPedigreeLedger.PackState.Active
            )
        );
        ledger.reactivate(batchA, 1000);
    }

    function test_reactivate_unlocksAnyTimeLater() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Locked);
        vm.warp(START + 300 days);
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.PackReactivated(batchA, 3, pharmacy, IPedigreeLedger.PackState.Locked);
        vm.prank(pharmacy);
        ledger.reactivate(batchA, 3);
        assertEq(units(batchA, pharmacy), AT_PHARMACY, "unit back");
    }

    function test_reactivate_unlockCreditsDistributor() public {
        deliver(mfr, dist, batchA, 2);
        decommissionPack(dist, batchA, 3, IPedigreeLedger.PackState.Locked);
        assertEq(units(batchA, dist), 1, "locked pack left the stock");
        vm.prank(dist);
        ledger.reactivate(batchA, 3);
        assertEq(units(batchA, dist), 2, "back in stock");
    }

    function test_reactivate_unlockCreditsManufacturer() public {
        decommissionPack(mfr, batchA, 3, IPedigreeLedger.PackState.Locked);
        assertEq(units(batchA, mfr), PACKS - AT_PHARMACY - 1, "locked pack left the stock");
        vm.prank(mfr);
        ledger.reactivate(batchA, 3);
        assertEq(units(batchA, mfr), PACKS - AT_PHARMACY, "back in stock");
    }

    function test_reactivate_revertsWhenBatchRecalled() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Locked);
        vm.prank(mfr);
        ledger.recallBatch(batchA, "contamination");
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Recalled,
                EXPIRY_NORMALIZED
            )
        );
        ledger.reactivate(batchA, 3);
    }

    function test_reactivate_revertsWhenBatchSuspended() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
                batchA,
                IPedigreeLedger.BatchStatus.Suspended,
                EXPIRY_NORMALIZED
            )
        );
        ledger.reactivate(batchA, 3);
    }

    function test_reactivate_revertsWhenBatchExpired() public {
        vm.warp(START + 16 days); // 2027-01-31, the expiry day
        decommissionPack(pharmacy, batchShort, 3, IPedigreeLedger.PackState.Dispensed);
        vm.warp(START + 17 days); // the next day, within the undo window
        vm.prank(pharmacy);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeLedger.PedigreeDispenseNotAllowed.selector,
                batchShort,
                IPedigreeLedger.BatchStatus.Active,
                20270131
            )
        );
        ledger.reactivate(batchShort, 3);
    }

    function test_reactivate_revertsWhenBatchUnknown() public {
        bytes32 unknown = keccak256("unknown");
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeUnknownBatch.selector, unknown));
        ledger.reactivate(unknown, 0);
    }

    function test_reactivate_revertsWhenCallerNotParticipant() public {
        decommissionPack(pharmacy, batchA, 3, IPedigreeLedger.PackState.Dispensed);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.reactivate(batchA, 3);
    }

    function test_packRecord_keepsNeighboursInSameWord() public {
        // Packs 4..7 share one storage word.
        decommissionPack(pharmacy, batchA, 5, IPedigreeLedger.PackState.Dispensed);
        vm.warp(START + 1 hours);
        decommissionPack(pharmacy, batchA, 6, IPedigreeLedger.PackState.Stolen);
        vm.prank(pharmacy);
        ledger.reactivate(batchA, 5);
        IPedigreeLedger.PackRecord memory six = ledger.packRecord(batchA, 6);
        assertEq(uint256(six.state), uint256(IPedigreeLedger.PackState.Stolen), "six kept");
        assertEq(six.by, pharmacy, "six by");
        assertEq(six.at, START + 1 hours, "six at");
        assertEq(uint256(packState(batchA, 5)), uint256(IPedigreeLedger.PackState.Active), "five active");
    }
}
