// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PedigreeLedger} from "../../../contracts/PedigreeLedger.sol";
import {IPedigreeLedger} from "../../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../../contracts/interfaces/IPedigreeRegistry.sol";
import {Assertions} from "./Assertions.sol";
import {SerialTree} from "./SerialTree.sol";

/// @notice Drives the ledger for the invariant tests with bounded random inputs: shipments and
/// their settlement, decommissioning (single and multiproof), reactivation, batch and participant
/// status changes, pause, the passing of time, and calls by outsiders and suspended participants
/// that must fail without changing anything. With `failOnRevert = false` a failed assertion inside
/// a handler call would go unnoticed, so the handler records violations and the invariants check them.
/// @dev Abstract so that each invariant test file deploys its own concrete subclass: Hardhat emits
/// artifacts only for contracts declared in the test files it builds, and the invariant runner
/// needs the handler's artifact (its ABI) to call it.
abstract contract LedgerHandler is Assertions {
    using SerialTree for SerialTree.Tree;

    struct Shipment {
        bytes32 id;
        address from;
        address to;
        bool settled;
        IPedigreeLedger.ShipmentLine[] lines;
    }

    struct PackGhost {
        IPedigreeLedger.PackState state;
        address by;
        uint256 at;
        uint256 decommissions;
        uint256 reactivations;
    }

    PedigreeLedger public immutable ledger;
    address public immutable admin;
    address public immutable outsider;
    address[] public participants;
    bytes32[] public batches;

    mapping(bytes32 batchId => string tag) private _tags;
    mapping(bytes32 batchId => bytes32[] nodes) private _nodes;
    mapping(bytes32 batchId => uint256[] positions) private _positions;

    Shipment[] private _shipments;
    mapping(bytes32 batchId => mapping(uint256 index => PackGhost)) private _packs;
    uint256 private _refNonce;

    uint256 public violations;
    string public firstViolation;
    mapping(string action => uint256) public successes;

    constructor(
        PedigreeLedger ledger_,
        address admin_,
        address outsider_,
        address[] memory participants_,
        bytes32[] memory batches_,
        string[] memory tags_
    ) {
        ledger = ledger_;
        admin = admin_;
        outsider = outsider_;
        participants = participants_;
        batches = batches_;
        for (uint256 b; b < batches_.length; ++b) {
            bytes32 batchId = batches_[b];
            _tags[batchId] = tags_[b];
            SerialTree.Tree memory tree = SerialTree.build(tags_[b], ledger_.batch(batchId).packCount);
            require(tree.root() == ledger_.batch(batchId).serialsRoot, "handler: tree does not match the batch");
            for (uint256 i; i < tree.nodes.length; ++i) _nodes[batchId].push(tree.nodes[i]);
            for (uint256 i; i < tree.positionOf.length; ++i) _positions[batchId].push(tree.positionOf[i]);
            // Packs decommissioned before the handler took over.
            for (uint256 i; i < tree.positionOf.length; ++i) {
                IPedigreeLedger.PackRecord memory record = ledger_.packRecord(batchId, i);
                if (record.state != IPedigreeLedger.PackState.Active) {
                    _packs[batchId][i] = PackGhost(record.state, record.by, record.at, 1, 0);
                }
            }
        }
    }

    // ================================================================ custody

    function ship(uint256 senderSeed, uint256 recipientSeed, uint256 batchSeed, uint256 quantitySeed) external {
        bytes32 batchId = batches[batchSeed % batches.length];
        address from = _holderOf(batchId, senderSeed);
        address to = _recipientFor(from, batchId, recipientSeed);
        uint256 held = ledger.unitsHeld(batchId, from);
        uint256 quantity = held == 0 ? 1 : 1 + (quantitySeed % held);
        IPedigreeLedger.ShipmentLine[] memory lines;
        if (quantity >= 2 && (quantitySeed >> 128) % 3 == 0) {
            // Two lines of the same batch.
            lines = new IPedigreeLedger.ShipmentLine[](2);
            lines[0] = IPedigreeLedger.ShipmentLine(batchId, quantity / 2);
            lines[1] = IPedigreeLedger.ShipmentLine(batchId, quantity - quantity / 2);
        } else {
            lines = new IPedigreeLedger.ShipmentLine[](1);
            lines[0] = IPedigreeLedger.ShipmentLine(batchId, quantity);
        }
        bytes32 ref = bytes32(++_refNonce);
        bool wasAllowed = _mayAct(from);
        vm.prank(from);
        try ledger.ship(to, ref, lines) returns (bytes32 id) {
            if (!wasAllowed) _violation("ship succeeded for an outsider, a suspended party or while paused");
            if (_roleOf(from) == IPedigreeRegistry.Role.Regulator) _violation("a regulator shipped");
            Shipment storage shipment = _shipments.push();
            shipment.id = id;
            shipment.from = from;
            shipment.to = to;
            for (uint256 i; i < lines.length; ++i) shipment.lines.push(lines[i]);
            ++successes["ship"];
        } catch {}
    }

    function settle(uint256 shipmentSeed, uint256 actionSeed) external {
        uint256 count = _shipments.length;
        if (count == 0) return;
        uint256 pick = type(uint256).max;
        for (uint256 k; k < count; ++k) {
            uint256 i = (shipmentSeed + k) % count;
            if (!_shipments[i].settled) {
                pick = i;
                break;
            }
        }
        if (pick == type(uint256).max) return;
        Shipment storage shipment = _shipments[pick];
        IPedigreeLedger.ShipmentLine[] memory lines = shipment.lines;
        uint256 action = actionSeed % 3;
        address actor = action == 2 ? shipment.from : shipment.to;
        bool wasAllowed = _mayAct(actor);
        bool ok;
        vm.prank(actor);
        if (action == 0) {
            try ledger.receiveShipment(shipment.id, shipment.from, lines) {
                ok = true;
                ++successes["receive"];
            } catch {}
        } else if (action == 1) {
            try ledger.rejectShipment(shipment.id, shipment.from, lines, "refused") {
                ok = true;
                ++successes["reject"];
            } catch {}
        } else {
            try ledger.cancelShipment(shipment.id, shipment.to, lines) {
                ok = true;
                ++successes["cancel"];
            } catch {}
        }
        if (ok) {
            if (!wasAllowed) _violation("settlement succeeded for an outsider, a suspended party or while paused");
            shipment.settled = true;
        }
    }

    /// @notice Tries to settle a shipment a second time, or with the wrong party: it must fail.
    function settleAgain(uint256 shipmentSeed, uint256 actionSeed) external {
        uint256 count = _shipments.length;
        if (count == 0) return;
        Shipment storage shipment = _shipments[shipmentSeed % count];
        // A distributor may ship to itself; then sender and recipient are the same party.
        if (!shipment.settled && shipment.from == shipment.to) return;
        IPedigreeLedger.ShipmentLine[] memory lines = shipment.lines;
        bytes32 digest = stateDigest();
        bool ok = true;
        if (shipment.settled) {
            vm.prank(shipment.to);
            try ledger.receiveShipment(shipment.id, shipment.from, lines) {} catch {
                ok = false;
            }
        } else if (actionSeed % 2 == 0) {
            // The sender cannot receive its own shipment.
            vm.prank(shipment.from);
            try ledger.receiveShipment(shipment.id, shipment.from, lines) {} catch {
                ok = false;
            }
        } else {
            // The recipient cannot cancel it.
            vm.prank(shipment.to);
            try ledger.cancelShipment(shipment.id, shipment.to, lines) {} catch {
                ok = false;
            }
        }
        if (ok) _violation("a settled shipment or the wrong party settled a shipment");
        if (stateDigest() != digest) _violation("a refused settlement changed state");
    }

    // ================================================================ packs

    function decommission(uint256 holderSeed, uint256 batchSeed, uint256 indexSeed, uint256 stateSeed) external {
        bytes32 batchId = batches[batchSeed % batches.length];
        address holder = _holderOf(batchId, holderSeed);
        IPedigreeLedger.PackState state = _stateFor(holder, stateSeed);
        uint256 packCount = ledger.batch(batchId).packCount;
        // Mostly an active pack; one time in eight any pack, to try decommissioning twice.
        uint256 index = indexSeed % 8 == 0 ? (indexSeed >> 8) % packCount : _activePack(batchId, indexSeed >> 8);
        if (index == type(uint256).max) return;
        IPedigreeLedger.PackState previous = ledger.packRecord(batchId, index).state;
        string memory serial = SerialTree.serialOf(_tags[batchId], index);
        bytes32[] memory proof = _tree(batchId).proof(index);
        bool wasAllowed = _mayAct(holder);
        vm.prank(holder);
        try ledger.decommission(batchId, index, serial, proof, state) {
            if (!wasAllowed) _violation("decommission succeeded for an outsider, a suspended party or while paused");
            if (previous != IPedigreeLedger.PackState.Active) _violation("a pack was decommissioned twice");
            _checkDecommissionRole(holder, state);
            _recordDecommission(batchId, index, state, holder);
            ++successes["decommission"];
        } catch {}
    }

    function decommissionMany(uint256 holderSeed, uint256 batchSeed, uint256 indexSeed, uint256 stateSeed) external {
        bytes32 batchId = batches[batchSeed % batches.length];
        address holder = _holderOf(batchId, holderSeed);
        IPedigreeLedger.PackState state = _stateFor(holder, stateSeed);
        uint256 packCount = ledger.batch(batchId).packCount;
        uint256 wanted = 2 + (indexSeed % 3);
        uint256[] memory picked = new uint256[](wanted);
        uint256 found;
        for (uint256 k; k < packCount && found < wanted; ++k) {
            uint256 i = ((indexSeed >> 8) + k * 5) % packCount; // 5 is coprime with 8 and 16
            if (_packs[batchId][i].state == IPedigreeLedger.PackState.Active) picked[found++] = i;
        }
        if (found == 0) return;
        uint256[] memory indexes = new uint256[](found);
        for (uint256 k; k < found; ++k) indexes[k] = picked[k];
        (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) = _tree(batchId).multiProof(indexes);
        string[] memory serials = new string[](found);
        for (uint256 k; k < found; ++k) serials[k] = SerialTree.serialOf(_tags[batchId], ordered[k]);
        bool wasAllowed = _mayAct(holder);
        vm.prank(holder);
        try ledger.decommissionMany(batchId, ordered, serials, proof, SerialTree.packFlags(flags), state) {
            if (!wasAllowed)
                _violation("decommissionMany succeeded for an outsider, a suspended party or while paused");
            _checkDecommissionRole(holder, state);
            for (uint256 k; k < found; ++k) _recordDecommission(batchId, ordered[k], state, holder);
            ++successes["decommissionMany"];
        } catch {}
    }

    function reactivate(uint256 packSeed, uint256 callerSeed) external {
        (bytes32 batchId, uint256 index, bool found) = _undoablePack(packSeed);
        if (!found) return;
        PackGhost storage ghost = _packs[batchId][index];
        // Mostly the party that decommissioned it; one time in five someone else.
        address caller = callerSeed % 5 == 0 ? participants[(callerSeed >> 8) % participants.length] : ghost.by;
        bool wasAllowed = _mayAct(caller);
        IPedigreeLedger.Batch memory record = ledger.batch(batchId);
        uint256 now_ = vm.getBlockTimestamp();
        vm.prank(caller);
        try ledger.reactivate(batchId, index) {
            if (!wasAllowed) _violation("reactivate succeeded for an outsider, a suspended party or while paused");
            if (caller != ghost.by) _violation("a pack was reactivated by another party");
            if (ghost.state == IPedigreeLedger.PackState.Dispensed && now_ > ghost.at + 10 days) {
                _violation("a dispense was undone after 10 days");
            }
            if (record.status != IPedigreeLedger.BatchStatus.Active || _isExpired(record.expiry)) {
                _violation("a pack of a batch that may not be supplied was reactivated");
            }
            ghost.state = IPedigreeLedger.PackState.Active;
            ghost.by = address(0);
            ghost.at = 0;
            ++ghost.reactivations;
            ++successes["reactivate"];
        } catch {}
    }

    // ================================================================ batch and participant status

    function recall(uint256 batchSeed, uint256 bySeed) external {
        // Recalls are final: keep them rare so that stock keeps moving in most runs.
        if (bySeed % 6 != 0) return;
        bytes32 batchId = batches[batchSeed % batches.length];
        address manufacturer = ledger.batch(batchId).manufacturer;
        uint256 who = (bySeed >> 8) % 3;
        // The batch's manufacturer, a regulator, or any participant (who may not recall).
        address by =
            who == 0
                ? manufacturer
                : who == 1
                    ? _regulator()
                    : participants[(bySeed >> 16) % participants.length];
        bool wasAllowed =
            _isActiveParticipant(by) && (by == manufacturer || _roleOf(by) == IPedigreeRegistry.Role.Regulator);
        vm.prank(by);
        try ledger.recallBatch(batchId, "recall") {
            if (!wasAllowed) _violation("recall succeeded for a party that may not recall");
            ++successes["recall"];
        } catch {}
    }

    function suspendBatch(uint256 batchSeed) external {
        bytes32 batchId = batches[batchSeed % batches.length];
        vm.prank(_regulator());
        try ledger.suspendBatch(batchId, "inspection") {
            ++successes["suspendBatch"];
        } catch {}
    }

    function reinstateBatch(uint256 batchSeed) external {
        // A suspended batch if there is one.
        bytes32 batchId = batches[batchSeed % batches.length];
        for (uint256 k; k < batches.length; ++k) {
            bytes32 candidate = batches[(batchSeed + k) % batches.length];
            if (ledger.batch(candidate).status == IPedigreeLedger.BatchStatus.Suspended) {
                batchId = candidate;
                break;
            }
        }
        vm.prank(_regulator());
        try ledger.reinstateBatch(batchId) {
            ++successes["reinstateBatch"];
        } catch {}
    }

    function suspendParticipant(uint256 seed) external {
        // The regulator stays active so that batch status changes keep happening.
        address account = participants[seed % (participants.length - 1)];
        vm.prank(admin);
        try ledger.suspendParticipant(account, "licence withdrawn") {
            ++successes["suspendParticipant"];
        } catch {}
    }

    function reinstateParticipant(uint256 seed) external {
        // A suspended participant if there is one.
        address account = participants[seed % participants.length];
        for (uint256 k; k < participants.length; ++k) {
            address candidate = participants[(seed + k) % participants.length];
            if (ledger.participant(candidate).suspended) {
                account = candidate;
                break;
            }
        }
        vm.prank(admin);
        try ledger.reinstateParticipant(account, "licence renewed") {
            ++successes["reinstateParticipant"];
        } catch {}
    }

    function togglePause(uint256 seed) external {
        if (seed % 4 != 0) return;
        vm.prank(admin);
        if (ledger.paused()) ledger.unpause("incident resolved");
        else ledger.pause("incident");
        ++successes["togglePause"];
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(vm.getBlockTimestamp() + (secondsSeed % 3 days));
        vm.roll(vm.getBlockNumber() + 1);
    }

    // ================================================================ calls that must fail

    /// @notice An outsider, or a suspended participant, tries a state-changing call with arguments
    /// that would otherwise be plausible. It must revert and change nothing.
    function unauthorizedCall(uint256 actorSeed, uint256 functionSeed, uint256 argumentSeed) external {
        address actor = outsider;
        if (actorSeed % 2 == 1) {
            for (uint256 k; k < participants.length; ++k) {
                address candidate = participants[(actorSeed / 2 + k) % participants.length];
                if (ledger.participant(candidate).suspended) {
                    actor = candidate;
                    break;
                }
            }
        }
        bytes32 batchId = batches[argumentSeed % batches.length];
        uint256 index = (argumentSeed >> 8) % ledger.batch(batchId).packCount;
        bytes32 digest = stateDigest();
        bool ok = _tryAs(actor, functionSeed % 9, batchId, index);
        if (ok) _violation("a call by an outsider or a suspended participant succeeded");
        if (stateDigest() != digest) _violation("a refused call changed state");
        ++successes["unauthorizedCall"];
    }

    // ================================================================ views for the invariants

    function batchCount() external view returns (uint256) {
        return batches.length;
    }

    function participantCount() external view returns (uint256) {
        return participants.length;
    }

    function shipmentCount() external view returns (uint256) {
        return _shipments.length;
    }

    function shipmentSettled(uint256 i) external view returns (bytes32 id, bool settled) {
        return (_shipments[i].id, _shipments[i].settled);
    }

    /// @notice Units of `batchId` in shipments the ledger still holds as pending.
    function inTransit(bytes32 batchId) external view returns (uint256 total) {
        for (uint256 s; s < _shipments.length; ++s) {
            Shipment storage shipment = _shipments[s];
            if (ledger.pendingShipment(shipment.id) == bytes32(0)) continue;
            for (uint256 l; l < shipment.lines.length; ++l) {
                if (shipment.lines[l].batchId == batchId) total += shipment.lines[l].quantity;
            }
        }
    }

    function packGhost(bytes32 batchId, uint256 index) external view returns (PackGhost memory) {
        return _packs[batchId][index];
    }

    /// @notice A hash of every piece of state the handler's actors can change.
    function stateDigest() public view returns (bytes32 digest) {
        for (uint256 b; b < batches.length; ++b) {
            bytes32 batchId = batches[b];
            IPedigreeLedger.Batch memory record = ledger.batch(batchId);
            digest = keccak256(abi.encode(digest, record));
            for (uint256 p; p < participants.length; ++p) {
                digest = keccak256(abi.encode(digest, ledger.unitsHeld(batchId, participants[p])));
            }
            digest = keccak256(abi.encode(digest, ledger.unitsHeld(batchId, outsider)));
            for (uint256 i; i < record.packCount; ++i) {
                digest = keccak256(abi.encode(digest, ledger.packRecord(batchId, i)));
            }
        }
        for (uint256 s; s < _shipments.length; ++s) {
            digest = keccak256(abi.encode(digest, ledger.pendingShipment(_shipments[s].id)));
        }
        for (uint256 p; p < participants.length; ++p) {
            digest = keccak256(abi.encode(digest, ledger.participant(participants[p])));
        }
    }

    // ================================================================ internals

    function _tryAs(address actor, uint256 which, bytes32 batchId, uint256 index) private returns (bool ok) {
        // Every argument is computed before the prank: a view call would consume it.
        uint256 held = ledger.unitsHeld(batchId, actor);
        IPedigreeLedger.ShipmentLine[] memory lines = new IPedigreeLedger.ShipmentLine[](1);
        lines[0] = IPedigreeLedger.ShipmentLine(batchId, held == 0 ? 1 : held);
        address recipient = _recipientFor(actor, batchId, index);
        (bool hasShipment, uint256 s) = _shipmentOf(actor);
        if (which >= 1 && which <= 3 && !hasShipment) which = 6;
        Shipment memory shipment;
        if (hasShipment) shipment = _shipments[s];
        IPedigreeLedger.ShipmentLine[] memory shipped = shipment.lines;
        string memory serial = SerialTree.serialOf(_tags[batchId], index);
        bytes32[] memory proof = _tree(batchId).proof(index);

        vm.prank(actor);
        if (which == 0) {
            try ledger.ship(recipient, bytes32(++_refNonce), lines) {
                ok = true;
            } catch {}
        } else if (which == 1) {
            try ledger.receiveShipment(shipment.id, shipment.from, shipped) {
                ok = true;
            } catch {}
        } else if (which == 2) {
            try ledger.rejectShipment(shipment.id, shipment.from, shipped, "refused") {
                ok = true;
            } catch {}
        } else if (which == 3) {
            try ledger.cancelShipment(shipment.id, shipment.to, shipped) {
                ok = true;
            } catch {}
        } else if (which == 4) {
            try ledger.decommission(batchId, index, serial, proof, IPedigreeLedger.PackState.Destroyed) {
                ok = true;
            } catch {}
        } else if (which == 5) {
            try ledger.reactivate(batchId, index) {
                ok = true;
            } catch {}
        } else if (which == 6) {
            try ledger.recallBatch(batchId, "recall") {
                ok = true;
            } catch {}
        } else if (which == 7) {
            try ledger.suspendBatch(batchId, "inspection") {
                ok = true;
            } catch {}
        } else {
            try ledger.registerBatch(9520123456788, "LOT-X", 20301231, 4, keccak256("root"), bytes32(0)) {
                ok = true;
            } catch {}
        }
    }

    function _recordDecommission(
        bytes32 batchId,
        uint256 index,
        IPedigreeLedger.PackState state,
        address holder
    ) private {
        PackGhost storage ghost = _packs[batchId][index];
        ghost.state = state;
        ghost.by = holder;
        ghost.at = vm.getBlockTimestamp();
        ++ghost.decommissions;
    }

    /// @dev A participant holding units of the batch, starting the search at a random one; else a
    /// random participant (the call will then fail, which is fine).
    function _holderOf(bytes32 batchId, uint256 seed) private view returns (address) {
        uint256 count = participants.length;
        for (uint256 k; k < count; ++k) {
            address candidate = participants[(seed + k) % count];
            if (ledger.unitsHeld(batchId, candidate) > 0) return candidate;
        }
        return participants[seed % count];
    }

    /// @dev Mostly a recipient the route table allows; one time in ten any participant.
    function _recipientFor(address from, bytes32 batchId, uint256 seed) private view returns (address) {
        uint256 count = participants.length;
        if (seed % 10 == 0) return participants[(seed >> 8) % count];
        IPedigreeRegistry.Role role = ledger.participant(from).role;
        address manufacturer = ledger.batch(batchId).manufacturer;
        for (uint256 k; k < count; ++k) {
            address candidate = participants[((seed >> 8) + k) % count];
            if (candidate == from) continue;
            IPedigreeRegistry.Role to = ledger.participant(candidate).role;
            if (role == IPedigreeRegistry.Role.Manufacturer) {
                if (to == IPedigreeRegistry.Role.Distributor || to == IPedigreeRegistry.Role.Pharmacy) return candidate;
            } else if (role == IPedigreeRegistry.Role.Distributor) {
                if (to == IPedigreeRegistry.Role.Distributor || to == IPedigreeRegistry.Role.Pharmacy) return candidate;
                if (candidate == manufacturer) return candidate;
            } else if (role == IPedigreeRegistry.Role.Pharmacy) {
                if (to == IPedigreeRegistry.Role.Distributor || candidate == manufacturer) return candidate;
            } else {
                return candidate;
            }
        }
        return participants[(seed >> 8) % count];
    }

    function _stateFor(address holder, uint256 seed) private view returns (IPedigreeLedger.PackState state) {
        state = IPedigreeLedger.PackState(1 + (seed % 6));
        // Only pharmacies dispense: other holders mostly lock instead, and sometimes try (and fail).
        bool pharmacy = ledger.participant(holder).role == IPedigreeRegistry.Role.Pharmacy;
        if (state == IPedigreeLedger.PackState.Dispensed && !pharmacy && (seed >> 8) % 4 != 0) {
            state = IPedigreeLedger.PackState.Locked;
        }
    }

    function _activePack(bytes32 batchId, uint256 seed) private view returns (uint256) {
        uint256 packCount = ledger.batch(batchId).packCount;
        for (uint256 k; k < packCount; ++k) {
            uint256 i = (seed + k) % packCount;
            if (_packs[batchId][i].state == IPedigreeLedger.PackState.Active) return i;
        }
        return type(uint256).max;
    }

    function _undoablePack(uint256 seed) private view returns (bytes32 batchId, uint256 index, bool found) {
        for (uint256 b; b < batches.length; ++b) {
            batchId = batches[(seed + b) % batches.length];
            uint256 packCount = ledger.batch(batchId).packCount;
            for (uint256 k; k < packCount; ++k) {
                index = ((seed >> 8) + k) % packCount;
                IPedigreeLedger.PackState state = _packs[batchId][index].state;
                if (state == IPedigreeLedger.PackState.Dispensed || state == IPedigreeLedger.PackState.Locked) {
                    return (batchId, index, true);
                }
            }
        }
    }

    function _shipmentOf(address actor) private view returns (bool found, uint256 index) {
        for (uint256 s; s < _shipments.length; ++s) {
            Shipment storage shipment = _shipments[s];
            if (!shipment.settled && (shipment.from == actor || shipment.to == actor)) return (true, s);
        }
        if (_shipments.length > 0) return (true, _shipments.length - 1);
    }

    function _tree(bytes32 batchId) private view returns (SerialTree.Tree memory tree) {
        tree.nodes = _nodes[batchId];
        tree.positionOf = _positions[batchId];
    }

    function _checkDecommissionRole(address holder, IPedigreeLedger.PackState state) private {
        IPedigreeRegistry.Role role = _roleOf(holder);
        if (role == IPedigreeRegistry.Role.Regulator) _violation("a regulator decommissioned a pack");
        if (state == IPedigreeLedger.PackState.Dispensed && role != IPedigreeRegistry.Role.Pharmacy) {
            _violation("a pack was dispensed by a party that is not a pharmacy");
        }
    }

    function _roleOf(address account) private view returns (IPedigreeRegistry.Role) {
        return ledger.participant(account).role;
    }

    function _regulator() private view returns (address) {
        return participants[participants.length - 1];
    }

    /// @dev May `account` change custody state right now?
    function _mayAct(address account) private view returns (bool) {
        return _isActiveParticipant(account) && !ledger.paused();
    }

    function _isActiveParticipant(address account) private view returns (bool) {
        IPedigreeRegistry.Participant memory record = ledger.participant(account);
        return record.role != IPedigreeRegistry.Role.None && !record.suspended;
    }

    function _isExpired(uint32 expiry) private view returns (bool) {
        // YYYYMMDD compares like the dates it names; today's date from the block time.
        return expiry < _today();
    }

    function _today() private view returns (uint32) {
        uint256 z = vm.getBlockTimestamp() / 1 days + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        uint256 day = doy - (153 * mp + 2) / 5 + 1;
        uint256 month = mp < 10 ? mp + 3 : mp - 9;
        uint256 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        return uint32(year * 10_000 + month * 100 + day);
    }

    function _violation(string memory what) private {
        if (violations == 0) firstViolation = what;
        ++violations;
    }
}
