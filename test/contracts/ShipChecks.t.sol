// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Vm} from "./utils/Vm.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";

/// @notice `ship` folds its checks into flags and names the failing check only when a flag is set
/// (see its comment). These tests draw shipments that may fail several checks at once and compare
/// what `ship` does with a model that applies the documented checks one by one, in order.
contract ShipChecksTest is LedgerFixture {
    bytes32 internal constant UNKNOWN_BATCH = keccak256("no such batch");
    bytes32 internal constant UNITS_SHIPPED = keccak256(
        "UnitsShipped(bytes32,bytes32,address,address,uint256,bytes32)"
    );

    /// @dev A batch of mfr's product that expires at the end of January 2027.
    bytes32 internal batchShort;

    struct World {
        bool paused;
        bool expired; // the clock is past batchShort's expiry day
        IPedigreeRegistry.Role senderRole;
        bool senderSuspended;
        IPedigreeRegistry.Role recipientRole;
        bool recipientSuspended;
    }

    function setUp() public override {
        super.setUp();
        batchShort = registerTestBatch(mfr, GTIN, "LOT-SHORT", 20270131, 8, "S1", bytes32(0));
        deliver(mfr, dist, batchA, 6);
        deliver(mfr, pharmacy, batchA, 3);
        deliver(mfr2, dist, batchB, 4);
        deliver(mfr, dist, batchShort, 2);
        deliver(dist, pharmacy, batchB, 1);
    }

    /// @dev Random sender, recipient, participant and batch states, and up to three lines.
    function testFuzz_ship_raisesFirstFailingCheck(uint256 seed) public {
        address[7] memory senders = [mfr, mfr2, dist, pharmacy, regulator, stranger, dist2];
        address sender = senders[_draw(seed, 0, 7)];
        address[9] memory recipients = [mfr, mfr2, dist, dist2, pharmacy, pharmacy2, regulator, stranger, sender];
        address to = recipients[_draw(seed, 1, 9)];
        World memory world = _arrange(seed, sender, to);
        IPedigreeLedger.ShipmentLine[] memory lines = _drawLines(seed);

        bytes32 ref = nextRef();
        bytes memory expected = _firstFailure(world, sender, to, lines);
        uint256[] memory before = _stock(lines, sender);
        vm.recordLogs();
        vm.prank(sender);
        if (expected.length > 0) vm.expectRevert(expected);
        bytes32 shipmentId = ledger.ship(to, ref, lines);
        if (expected.length > 0) return;

        assertEq(shipmentId, shipmentIdOf(sender, ref), "shipment id");
        assertEq(ledger.pendingShipment(shipmentId), _contentHash(sender, to, lines), "stored content hash");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, lines.length, "one event per line");
        for (uint256 i; i < lines.length; ++i) {
            assertEq(logs[i].emitter, address(ledger), "emitter");
            assertEq(logs[i].topics.length, 4, "topics");
            assertEq(logs[i].topics[0], UNITS_SHIPPED, "event");
            assertEq(logs[i].topics[1], lines[i].batchId, "batch id");
            assertEq(logs[i].topics[2], shipmentId, "shipment id topic");
            assertEq(logs[i].topics[3], bytes32(uint256(uint160(sender))), "from");
            assertEq(keccak256(logs[i].data), keccak256(abi.encode(to, lines[i].quantity, ref)), "to, quantity, ref");
        }
        uint256[] memory afterwards = _stock(lines, sender);
        for (uint256 i; i < lines.length; ++i) {
            uint256 shipped;
            for (uint256 j; j < lines.length; ++j) {
                if (lines[j].batchId == lines[i].batchId) shipped += lines[j].quantity;
            }
            assertEq(afterwards[i], before[i] - shipped, "debited");
        }
        // The stored hash is the one receiving checks.
        vm.prank(to);
        ledger.receiveShipment(shipmentId, sender, lines);
    }

    /// @dev A shipment id already pending is refused before any line is looked at, on the one-line
    /// path as on the general one.
    function test_ship_shipmentExistsComesBeforeLineChecks() public {
        bytes32 ref = nextRef();
        vm.prank(mfr);
        bytes32 id = ledger.ship(dist, ref, oneLine(batchA, 1));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentExists.selector, id));
        ledger.ship(pharmacy, ref, oneLine(UNKNOWN_BATCH, 0));
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeLedger.PedigreeShipmentExists.selector, id));
        ledger.ship(pharmacy, ref, twoLines(batchA, 1, UNKNOWN_BATCH, 0));
    }

    /// @dev A failing second line undoes the first, whose checks passed, and names the second.
    function test_ship_secondLineFailureNamesSecondLine() public {
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeLedger.PedigreeInsufficientUnits.selector, batchA, mfr, PACKS - 9 - 3, 8)
        );
        ledger.ship(dist, nextRef(), twoLines(batchA, 3, batchA, 8));
        assertEq(units(batchA, mfr), PACKS - 9, "first line undone");
    }

    // ------------------------------------------------------------ the draw

    function _arrange(uint256 seed, address sender, address to) private returns (World memory world) {
        if (_draw(seed, 4, 6) == 0) {
            vm.prank(regulator);
            ledger.recallBatch(batchA, "recall");
        }
        if (_draw(seed, 5, 6) == 0) {
            vm.prank(regulator);
            ledger.suspendBatch(batchB, "inspection");
        }
        // After the batch changes, which the regulator makes.
        if (_draw(seed, 2, 8) == 0) _suspendIfActive(sender);
        if (_draw(seed, 3, 8) == 0) _suspendIfActive(to);
        if (_draw(seed, 6, 4) == 0) {
            vm.warp(START + 17 days); // 2027-02-01: batchShort has expired
            world.expired = true;
        }
        if (_draw(seed, 7, 10) == 0) {
            ledger.pause("incident");
            world.paused = true;
        }
        IPedigreeRegistry.Participant memory s = ledger.participant(sender);
        IPedigreeRegistry.Participant memory r = ledger.participant(to);
        (world.senderRole, world.senderSuspended) = (s.role, s.suspended);
        (world.recipientRole, world.recipientSuspended) = (r.role, r.suspended);
    }

    function _suspendIfActive(address account) private {
        IPedigreeRegistry.Participant memory p = ledger.participant(account);
        if (p.role != IPedigreeRegistry.Role.None && !p.suspended)
            ledger.suspendParticipant(account, "licence withdrawn");
    }

    function _drawLines(uint256 seed) private view returns (IPedigreeLedger.ShipmentLine[] memory lines) {
        bytes32[4] memory batches = [batchA, batchB, batchShort, UNKNOWN_BATCH];
        uint256[9] memory quantities = [uint256(0), 1, 2, 3, 4, 6, 7, PACKS, 1 << 200];
        // Mostly one line (the usual shipment), otherwise none to three.
        uint256 count = _draw(seed, 8, 2) == 0 ? 1 : _draw(seed, 9, 4);
        lines = new IPedigreeLedger.ShipmentLine[](count);
        for (uint256 i; i < count; ++i) {
            lines[i] = IPedigreeLedger.ShipmentLine(
                batches[_draw(seed, 10 + 2 * i, 4)],
                quantities[_draw(seed, 11 + 2 * i, 9)]
            );
        }
    }

    function _draw(uint256 seed, uint256 what, uint256 range) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, what))) % range;
    }

    // ------------------------------------------------------------ the model

    /// @dev The error of the first failing check, in the order of the interface's documentation;
    /// empty when the shipment is valid.
    function _firstFailure(
        World memory world,
        address sender,
        address to,
        IPedigreeLedger.ShipmentLine[] memory lines
    ) private view returns (bytes memory) {
        if (world.paused) return abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        if (world.senderRole == IPedigreeRegistry.Role.None) {
            return abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, sender);
        }
        if (world.senderSuspended) {
            return abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, sender);
        }
        if (world.recipientRole == IPedigreeRegistry.Role.None) {
            return abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, to);
        }
        if (world.recipientSuspended) {
            return abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, to);
        }
        if (to == sender || !_routeAllowed(world.senderRole, world.recipientRole)) {
            return
                abi.encodeWithSelector(
                    IPedigreeLedger.PedigreeRouteNotAllowed.selector,
                    sender,
                    world.senderRole,
                    to,
                    world.recipientRole
                );
        }
        if (lines.length == 0) return abi.encodeWithSelector(IPedigreeLedger.PedigreeEmptyShipment.selector);
        uint256[] memory held = _stock(lines, sender);
        for (uint256 i; i < lines.length; ++i) {
            bytes memory failure = _lineFailure(world, sender, to, lines[i], held[i]);
            if (failure.length > 0) return failure;
            // Later lines of the same batch see this line's debit.
            for (uint256 j = i + 1; j < lines.length; ++j) {
                if (lines[j].batchId == lines[i].batchId) held[j] -= lines[i].quantity;
            }
        }
        return "";
    }

    function _lineFailure(
        World memory world,
        address sender,
        address to,
        IPedigreeLedger.ShipmentLine memory line,
        uint256 held
    ) private view returns (bytes memory) {
        IPedigreeLedger.Batch memory b = ledger.batch(line.batchId);
        if (b.status == IPedigreeLedger.BatchStatus.None) {
            return abi.encodeWithSelector(IPedigreeLedger.PedigreeUnknownBatch.selector, line.batchId);
        }
        if (world.recipientRole == IPedigreeRegistry.Role.Manufacturer) {
            if (b.manufacturer != to) {
                return
                    abi.encodeWithSelector(
                        IPedigreeLedger.PedigreeReturnToOtherManufacturer.selector,
                        line.batchId,
                        to,
                        b.manufacturer
                    );
            }
        } else if (b.status != IPedigreeLedger.BatchStatus.Active || (line.batchId == batchShort && world.expired)) {
            return
                abi.encodeWithSelector(
                    IPedigreeLedger.PedigreeBatchNotMovable.selector,
                    line.batchId,
                    b.status,
                    b.expiry
                );
        }
        if (line.quantity == 0) {
            return abi.encodeWithSelector(IPedigreeLedger.PedigreeZeroQuantity.selector, line.batchId);
        }
        if (held < line.quantity) {
            return
                abi.encodeWithSelector(
                    IPedigreeLedger.PedigreeInsufficientUnits.selector,
                    line.batchId,
                    sender,
                    held,
                    line.quantity
                );
        }
        return "";
    }

    function _routeAllowed(IPedigreeRegistry.Role from, IPedigreeRegistry.Role to) private pure returns (bool) {
        if (from == IPedigreeRegistry.Role.Manufacturer) {
            return to == IPedigreeRegistry.Role.Distributor || to == IPedigreeRegistry.Role.Pharmacy;
        }
        if (from == IPedigreeRegistry.Role.Distributor) {
            return
                to == IPedigreeRegistry.Role.Distributor ||
                to == IPedigreeRegistry.Role.Pharmacy ||
                to == IPedigreeRegistry.Role.Manufacturer;
        }
        if (from == IPedigreeRegistry.Role.Pharmacy) {
            return to == IPedigreeRegistry.Role.Distributor || to == IPedigreeRegistry.Role.Manufacturer;
        }
        return false;
    }

    /// @dev Each line's batch stock of `holder`, as the views report it.
    function _stock(
        IPedigreeLedger.ShipmentLine[] memory lines,
        address holder
    ) private view returns (uint256[] memory held) {
        held = new uint256[](lines.length);
        for (uint256 i; i < lines.length; ++i) held[i] = units(lines[i].batchId, holder);
    }

    function _contentHash(
        address from,
        address to,
        IPedigreeLedger.ShipmentLine[] memory lines
    ) private pure returns (bytes32) {
        bytes memory packed = abi.encodePacked(from, to);
        for (uint256 i; i < lines.length; ++i) {
            packed = bytes.concat(packed, abi.encode(lines[i].batchId, lines[i].quantity));
        }
        return keccak256(packed);
    }
}
