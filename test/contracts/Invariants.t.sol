// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PedigreeLedger} from "../../contracts/PedigreeLedger.sol";
import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";
import {LedgerHandler} from "./utils/LedgerHandler.sol";

/// @notice The handler, declared here so that its artifact is built with this test file.
contract InvariantHandler is LedgerHandler {
    constructor(
        PedigreeLedger ledger_,
        address admin_,
        address outsider_,
        address[] memory participants_,
        bytes32[] memory batches_,
        string[] memory tags_
    ) LedgerHandler(ledger_, admin_, outsider_, participants_, batches_, tags_) {}
}

/// @notice Invariants over random sequences of custody operations driven by {LedgerHandler}.
contract InvariantsTest is LedgerFixture {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    LedgerHandler internal handler;
    bytes32 internal batchC;
    address[] internal actors;

    function setUp() public override {
        super.setUp();
        // A third batch expiring within the time the handler can warp through.
        batchC = registerTestBatch(mfr, GTIN, "LOT-C1", 20270215, 16, "C1", bytes32(0));
        // Stock spread over every kind of holder, and one pack already dispensed.
        deliver(mfr, dist, batchA, 6);
        deliver(dist, pharmacy, batchA, 3);
        deliver(mfr2, dist2, batchB, 4);
        deliver(mfr, pharmacy2, batchC, 5);
        decommissionPack(pharmacy, batchA, 0, IPedigreeLedger.PackState.Dispensed);

        address[] memory participants = new address[](7);
        (participants[0], participants[1], participants[2], participants[3]) = (mfr, mfr2, dist, dist2);
        (participants[4], participants[5], participants[6]) = (pharmacy, pharmacy2, regulator); // regulator last
        bytes32[] memory batchIds = new bytes32[](3);
        (batchIds[0], batchIds[1], batchIds[2]) = (batchA, batchB, batchC);
        string[] memory tags = new string[](3);
        (tags[0], tags[1], tags[2]) = ("A1", "B1", "C1");
        handler = new InvariantHandler(ledger, admin, stranger, participants, batchIds, tags);
        vm.label(address(handler), "LedgerHandler");

        for (uint256 i; i < participants.length; ++i) actors.push(participants[i]);
        actors.push(stranger);
        actors.push(admin);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](15);
        selectors[0] = LedgerHandler.ship.selector;
        selectors[1] = LedgerHandler.ship.selector; // shipments twice as likely
        selectors[2] = LedgerHandler.settle.selector;
        selectors[3] = LedgerHandler.settle.selector;
        selectors[4] = LedgerHandler.settleAgain.selector;
        selectors[5] = LedgerHandler.decommission.selector;
        selectors[6] = LedgerHandler.decommissionMany.selector;
        selectors[7] = LedgerHandler.reactivate.selector;
        selectors[8] = LedgerHandler.recall.selector;
        selectors[9] = LedgerHandler.suspendBatch.selector;
        selectors[10] = LedgerHandler.reinstateBatch.selector;
        selectors[11] = LedgerHandler.suspendParticipant.selector;
        selectors[12] = LedgerHandler.reinstateParticipant.selector;
        selectors[13] = LedgerHandler.warp.selector;
        selectors[14] = LedgerHandler.unauthorizedCall.selector;
        targets = new FuzzSelector[](2);
        targets[0] = FuzzSelector(address(handler), selectors);
        bytes4[] memory rare = new bytes4[](1);
        rare[0] = LedgerHandler.togglePause.selector;
        targets[1] = FuzzSelector(address(handler), rare);
    }

    /// @notice For every batch: packCount = units held by all actors + units in pending
    /// shipments + packs not active, all read from the ledger.
    function invariant_unitsConserved() public view {
        for (uint256 b; b < handler.batchCount(); ++b) {
            bytes32 batchId = handler.batches(b);
            uint256 packCount = ledger.batch(batchId).packCount;
            uint256 held;
            for (uint256 a; a < actors.length; ++a) held += ledger.unitsHeld(batchId, actors[a]);
            uint256 decommissioned;
            for (uint256 i; i < packCount; ++i) {
                if (ledger.packRecord(batchId, i).state != IPedigreeLedger.PackState.Active) ++decommissioned;
            }
            assertEq(held + handler.inTransit(batchId) + decommissioned, packCount, "units conserved");
        }
    }

    /// @notice A pack is decommissioned at most once unless undone, and the ledger's pack
    /// records are exactly what the successful calls made them.
    function invariant_packDecommissionedAtMostOnceUnlessUndone() public view {
        for (uint256 b; b < handler.batchCount(); ++b) {
            bytes32 batchId = handler.batches(b);
            uint256 packCount = ledger.batch(batchId).packCount;
            for (uint256 i; i < packCount; ++i) {
                LedgerHandler.PackGhost memory ghost = handler.packGhost(batchId, i);
                IPedigreeLedger.PackRecord memory record = ledger.packRecord(batchId, i);
                uint256 outstanding = ghost.decommissions - ghost.reactivations;
                assertLe(outstanding, 1, "decommissioned at most once unless undone");
                assertEq(outstanding, record.state == IPedigreeLedger.PackState.Active ? 0 : 1, "outstanding");
                assertEq(uint256(record.state), uint256(ghost.state), "pack state");
                assertEq(record.by, ghost.by, "decommissioned by");
                assertEq(record.at, ghost.at, "decommissioned at");
            }
        }
    }

    /// @notice Only active role holders changed state; every refused call changed nothing.
    function invariant_onlyRoleHoldersChangeState() public view {
        assertEq(handler.violations(), 0, handler.firstViolation());
    }

    /// @notice The ledger's pending shipments are exactly those the handler has not seen settled.
    function invariant_pendingShipmentsMatchSettlements() public view {
        for (uint256 s; s < handler.shipmentCount(); ++s) {
            (bytes32 id, bool settled) = handler.shipmentSettled(s);
            assertEq(ledger.pendingShipment(id) == bytes32(0), settled, "pending iff not settled");
        }
    }
}
