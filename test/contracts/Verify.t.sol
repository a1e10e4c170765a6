// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";
import {SerialTree} from "./utils/SerialTree.sol";

/// @notice verifyPack: every verdict, with the batch and pack records it returns.
contract VerifyTest is LedgerFixture {
    uint256 internal constant INDEX = 5;
    bytes32 internal batchShort;

    function setUp() public override {
        super.setUp();
        deliver(mfr, pharmacy, batchA, 8);
        batchShort = registerTestBatch(mfr, GTIN, "LOT-SHORT", 20270131, 8, "S1", bytes32(0));
        deliver(mfr, pharmacy, batchShort, 8);
    }

    function test_verifyPack_genuine() public view {
        IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, INDEX, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.Genuine);
        assertEq(result.batchId, batchA, "batch id");
        _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Active);
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_leavesDocumentHashToBatchView() public view {
        IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, INDEX, 0);
        assertEq(result.batch.documentHash, bytes32(0), "left out of the verification");
        assertEq(ledger.batch(batchA).documentHash, DOCUMENT, "batch view has it");
    }

    function test_verifyPack_genuineWithMatchingLabelExpiry() public view {
        _assertVerdict(_verify(GTIN, LOT, batchA, INDEX, EXPIRY_NORMALIZED), IPedigreeLedger.Verdict.Genuine);
        // The label's day 00 names the same day.
        _assertVerdict(_verify(GTIN, LOT, batchA, INDEX, 20280200), IPedigreeLedger.Verdict.Genuine);
    }

    function test_verifyPack_dispensed() public {
        decommissionPack(pharmacy, batchA, INDEX, IPedigreeLedger.PackState.Dispensed);
        IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, INDEX, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.Dispensed);
        _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Active);
        _assertPack(result.pack, IPedigreeLedger.PackState.Dispensed, pharmacy, START);
    }

    function test_verifyPack_genuineAgainAfterUndo() public {
        decommissionPack(pharmacy, batchA, INDEX, IPedigreeLedger.PackState.Dispensed);
        vm.prank(pharmacy);
        ledger.reactivate(batchA, INDEX);
        _assertVerdict(_verify(GTIN, LOT, batchA, INDEX, 0), IPedigreeLedger.Verdict.Genuine);
    }

    function test_verifyPack_decommissionedForEveryOtherState() public {
        for (uint8 s = uint8(IPedigreeLedger.PackState.Destroyed); s <= uint8(IPedigreeLedger.PackState.Locked); ++s) {
            decommissionPack(pharmacy, batchA, s, IPedigreeLedger.PackState(s));
            IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, s, 0);
            _assertVerdict(result, IPedigreeLedger.Verdict.Decommissioned);
            _assertPack(result.pack, IPedigreeLedger.PackState(s), pharmacy, START);
            _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Active);
        }
    }

    function test_verifyPack_recalled() public {
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, INDEX, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.Recalled);
        _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Recalled);
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_recalledTakesPrecedenceOverDecommissioned() public {
        decommissionPack(pharmacy, batchA, INDEX, IPedigreeLedger.PackState.Dispensed);
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, INDEX, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.Recalled);
        _assertPack(result.pack, IPedigreeLedger.PackState.Dispensed, pharmacy, START);
    }

    function test_verifyPack_suspended() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, INDEX, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.Suspended);
        _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Suspended);
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_expired() public {
        vm.warp(START + 17 days); // 2027-02-01
        IPedigreeLedger.Verification memory result = _verify(GTIN, "LOT-SHORT", batchShort, INDEX, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.Expired);
        assertEq(result.batchId, batchShort, "batch id");
        assertEq(result.batch.expiry, 20270131, "expiry");
        assertEq(result.batch.packCount, 8, "pack count");
        assertEq(result.batch.serialsRoot, rootOf(batchShort), "root");
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_genuineOnExpiryDay() public {
        vm.warp(START + 16 days); // 2027-01-31
        _assertVerdict(_verify(GTIN, "LOT-SHORT", batchShort, INDEX, 0), IPedigreeLedger.Verdict.Genuine);
    }

    function test_verifyPack_expiredTakesPrecedenceOverDispensed() public {
        decommissionPack(pharmacy, batchShort, INDEX, IPedigreeLedger.PackState.Dispensed);
        vm.warp(START + 17 days);
        IPedigreeLedger.Verification memory result = _verify(GTIN, "LOT-SHORT", batchShort, INDEX, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.Expired);
        _assertPack(result.pack, IPedigreeLedger.PackState.Dispensed, pharmacy, START);
    }

    function test_verifyPack_decommissionedTakesPrecedenceOverExpired() public {
        decommissionPack(pharmacy, batchShort, INDEX, IPedigreeLedger.PackState.Destroyed);
        vm.warp(START + 17 days);
        _assertVerdict(_verify(GTIN, "LOT-SHORT", batchShort, INDEX, 0), IPedigreeLedger.Verdict.Decommissioned);
    }

    function test_verifyPack_mismatchWhenLabelExpiryDiffers() public view {
        IPedigreeLedger.Verification memory result = _verify(GTIN, LOT, batchA, INDEX, 20280228);
        _assertVerdict(result, IPedigreeLedger.Verdict.Mismatch);
        _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Active);
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_mismatchWhenLabelExpiryInvalid() public view {
        _assertVerdict(_verify(GTIN, LOT, batchA, INDEX, 20281301), IPedigreeLedger.Verdict.Mismatch);
        _assertVerdict(_verify(GTIN, LOT, batchA, INDEX, 20280230), IPedigreeLedger.Verdict.Mismatch);
    }

    function test_verifyPack_mismatchTakesPrecedenceOverRecall() public {
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        _assertVerdict(_verify(GTIN, LOT, batchA, INDEX, 20280131), IPedigreeLedger.Verdict.Mismatch);
    }

    function test_verifyPack_unknownSerialWhenProofBad() public view {
        bytes32[] memory proof = proofOf(batchA, INDEX);
        proof[0] = keccak256("forged");
        IPedigreeLedger.Verification memory result = ledger.verifyPack(
            GTIN,
            LOT,
            serialOf(batchA, INDEX),
            INDEX,
            proof,
            0
        );
        _assertVerdict(result, IPedigreeLedger.Verdict.UnknownSerial);
        assertEq(result.batchId, batchA, "batch id");
        _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Active);
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_unknownSerialWhenSerialUnknown() public view {
        bytes32[] memory proof = proofOf(batchA, INDEX);
        IPedigreeLedger.Verification memory result = ledger.verifyPack(GTIN, LOT, "FAKE-0005", INDEX, proof, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.UnknownSerial);
    }

    function test_verifyPack_unknownSerialWhenIndexWrong() public view {
        bytes32[] memory proof = proofOf(batchA, INDEX);
        IPedigreeLedger.Verification memory result = ledger.verifyPack(
            GTIN,
            LOT,
            serialOf(batchA, INDEX),
            INDEX + 1,
            proof,
            0
        );
        _assertVerdict(result, IPedigreeLedger.Verdict.UnknownSerial);
    }

    function test_verifyPack_unknownSerialWhenIndexOutOfRange() public view {
        bytes32[] memory proof = proofOf(batchA, INDEX);
        IPedigreeLedger.Verification memory result = ledger.verifyPack(GTIN, LOT, "A1-0016", PACKS, proof, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.UnknownSerial);
        _assertBatchA(result.batch, IPedigreeLedger.BatchStatus.Active);
    }

    function test_verifyPack_unknownBatch() public view {
        bytes32[] memory proof = proofOf(batchA, INDEX);
        IPedigreeLedger.Verification memory result = ledger.verifyPack(
            GTIN,
            "LOT-ZZ",
            serialOf(batchA, INDEX),
            INDEX,
            proof,
            0
        );
        _assertVerdict(result, IPedigreeLedger.Verdict.UnknownBatch);
        assertEq(result.batchId, keccak256(abi.encode(GTIN, "LOT-ZZ")), "batch id of the label");
        assertEq(result.batch.manufacturer, address(0), "no batch record");
        assertEq(uint256(result.batch.status), uint256(IPedigreeLedger.BatchStatus.None), "no status");
        assertEq(result.batch.serialsRoot, bytes32(0), "no root");
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_unknownBatchWhenLotOfOtherProduct() public view {
        // LOT2 exists, but under GTIN2: (GTIN, LOT2) is not a batch.
        bytes32[] memory proof = proofOf(batchB, 1);
        IPedigreeLedger.Verification memory result = ledger.verifyPack(GTIN, LOT2, serialOf(batchB, 1), 1, proof, 0);
        _assertVerdict(result, IPedigreeLedger.Verdict.UnknownBatch);
    }

    function test_verifyPack_unknownProduct() public view {
        bytes32[] memory proof = proofOf(batchA, INDEX);
        IPedigreeLedger.Verification memory result = ledger.verifyPack(
            GTIN_UNKNOWN,
            LOT,
            serialOf(batchA, INDEX),
            INDEX,
            proof,
            EXPIRY
        );
        _assertVerdict(result, IPedigreeLedger.Verdict.UnknownProduct);
        assertEq(result.batchId, keccak256(abi.encode(GTIN_UNKNOWN, LOT)), "batch id of the label");
        assertEq(result.batch.manufacturer, address(0), "no batch record");
        _assertPack(result.pack, IPedigreeLedger.PackState.Active, address(0), 0);
    }

    function test_verifyPack_worksForEveryPackOfBatchB() public view {
        for (uint256 i; i < PACKS2; ++i) {
            IPedigreeLedger.Verification memory result = _verify(GTIN2, LOT2, batchB, i, 20280229);
            _assertVerdict(result, IPedigreeLedger.Verdict.Genuine);
            assertEq(result.batch.manufacturer, mfr2, "manufacturer");
            assertEq(result.batch.documentHash, bytes32(0), "no document");
        }
    }

    /// @dev Serials whose ABI encoding ends exactly on, just before and just after a 32-byte word.
    function test_verifyPack_serialsOfEveryPaddingLength() public {
        uint256[6] memory lengths = [uint256(0), 1, 31, 32, 33, 64];
        bytes32[] memory leaves = new bytes32[](6);
        string[] memory serials = new string[](6);
        for (uint256 i; i < 6; ++i) {
            bytes memory serial = new bytes(lengths[i]);
            for (uint256 j; j < lengths[i]; ++j) serial[j] = bytes1(uint8(0x41 + ((i + j) % 26)));
            serials[i] = string(serial);
            leaves[i] = SerialTree.leaf(i, serials[i]);
        }
        SerialTree.Tree memory tree = SerialTree.fromLeaves(leaves);
        vm.prank(mfr);
        ledger.registerBatch(GTIN, "LOT-PAD", EXPIRY, 6, tree.nodes[0], bytes32(0));
        for (uint256 i; i < 6; ++i) {
            IPedigreeLedger.Verification memory result = ledger.verifyPack(
                GTIN,
                "LOT-PAD",
                serials[i],
                i,
                SerialTree.proof(tree, i),
                0
            );
            assertEq(uint256(result.verdict), uint256(IPedigreeLedger.Verdict.Genuine), "every length");
        }
    }

    // ------------------------------------------------------------ helpers

    function _verify(
        uint64 gtin,
        string memory lot,
        bytes32 batchId,
        uint256 index,
        uint32 labelExpiry
    ) private view returns (IPedigreeLedger.Verification memory) {
        return ledger.verifyPack(gtin, lot, serialOf(batchId, index), index, proofOf(batchId, index), labelExpiry);
    }

    function _assertVerdict(IPedigreeLedger.Verification memory result, IPedigreeLedger.Verdict expected) private pure {
        assertEq(uint256(result.verdict), uint256(expected), "verdict");
    }

    function _assertBatchA(IPedigreeLedger.Batch memory record, IPedigreeLedger.BatchStatus status) private view {
        assertEq(record.manufacturer, mfr, "batch manufacturer");
        assertEq(uint256(record.status), uint256(status), "batch status");
        assertEq(record.expiry, EXPIRY_NORMALIZED, "batch expiry");
        assertEq(record.packCount, PACKS, "batch pack count");
        assertEq(record.serialsRoot, rootOf(batchA), "batch root");
        // verifyPack leaves the document hash zero (IPedigreeLedger NatSpec); `batch` has it.
        assertEq(record.documentHash, bytes32(0), "batch document left out");
    }

    function _assertPack(
        IPedigreeLedger.PackRecord memory record,
        IPedigreeLedger.PackState state,
        address by,
        uint256 at
    ) private pure {
        assertEq(uint256(record.state), uint256(state), "pack state");
        assertEq(record.by, by, "pack by");
        assertEq(record.at, at, "pack at");
    }
}
