// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreePackageLedger} from "./interfaces/IPedigreePackageLedger.sol";
import {PedigreeRegistry} from "./PedigreeRegistry.sol";
import {BatchWord, BatchWords} from "./libraries/BatchWords.sol";
import {CivilDate} from "./libraries/CivilDate.sol";
import {Gs1} from "./libraries/Gs1.sol";
import {PackWords} from "./libraries/PackWords.sol";
import {Place, Places} from "./libraries/Places.sol";
import {SerialProofs} from "./libraries/SerialProofs.sol";
import {UnitWord, UnitWords} from "./libraries/UnitWords.sol";

/// @title Pedigree package-level custody ledger
/// @notice See {IPedigreePackageLedger}.
/// @dev Storage, laid out so that gas follows the units moved and never the packs inside them:
/// - a batch is a state word ({BatchWord}: manufacturer, status, expiry, pack count, how far its
///   manufacturer has packed it by range, its number) and its serials root, read by verification only;
/// - a logistic unit is one word keyed by its SSCC ({UnitWord}: its place, and for a unit packed
///   from a range, which batch and range);
/// - packs have a 64-bit place each, four to a word ({PackWords}); a pack never touched reads as
///   Fresh: held loose by its manufacturer, or, below the batch's packed-up-to mark, inside the
///   range-packed unit whose range holds it.
/// A nested unit or pack names only its parent; its holder is the holder of the top-most unit,
/// found by walking up (at most `MAX_NESTING` levels), so moving a pallet writes one word.
contract PedigreePackageLedger is IPedigreePackageLedger, PedigreeRegistry {
    /// @notice How many levels of units may nest: a pallet of cases of packs is two (a unit's
    /// height is 1 plus that of its tallest child unit).
    uint256 public constant MAX_NESTING = 8;

    uint8 private constant _STATUS_QUARANTINED_BY_REGULATOR = 5;

    /// @dev The number the next batch gets. Set to 1 at deployment, so that no registration pays
    /// for writing it from zero (22,100 gas instead of 5,000 for the first batch).
    uint32 private _nextBatchNumber;
    mapping(bytes32 batchId => BatchWord word) private _batches;
    mapping(bytes32 batchId => bytes32 root) private _serialsRoots;
    mapping(bytes32 batchId => bytes32 documentHash) private _documentHashes;
    mapping(uint256 sscc => UnitWord word) private _units;
    mapping(bytes32 batchId => mapping(uint256 wordIndex => uint256 word)) private _packWords;

    /// @dev A pack found where it is: its own place, the unit directly containing it (0 when
    /// loose) and, for a pack inside units, the place of the top-most one and its SSCC.
    struct PackAt {
        bytes32 batchId;
        uint256 index;
        BatchWord batch;
        Place own;
        uint256 parent;
        Place top;
        uint256 topSscc;
    }

    /// @param admin the first admin account
    /// @param adminTransferDelay delay before a new admin may accept the role
    constructor(address admin, uint48 adminTransferDelay) PedigreeRegistry(admin, adminTransferDelay) {
        _nextBatchNumber = 1;
    }

    // ================================================================ batches

    /// @inheritdoc IPedigreePackageLedger
    function registerBatch(
        uint64 gtin,
        string calldata lot,
        uint32 expiry,
        uint32 packCount,
        bytes32 serialsRoot,
        bytes32 documentHash
    ) external whenNotPaused returns (bytes32 batchId) {
        uint256 expiryDay;
        uint256 callerWord;
        (batchId, expiryDay, callerWord) = _checkNewBatch(
            gtin,
            lot,
            expiry,
            packCount,
            BatchWords.MAX_PACK_COUNT,
            serialsRoot
        );
        if (_batches[batchId].exists()) revert PedigreeBatchExists(batchId);
        uint32 number = _nextBatchNumber++;
        _batches[batchId] = BatchWords.create(
            _numberIn(callerWord),
            uint8(BatchStatus.Active),
            uint16(expiryDay),
            packCount,
            number
        );
        _serialsRoots[batchId] = serialsRoot;
        if (documentHash != bytes32(0)) _documentHashes[batchId] = documentHash;
        emit BatchRegistered(
            batchId,
            gtin,
            msg.sender,
            lot,
            uint32(CivilDate.toYyyymmdd(expiryDay)),
            packCount,
            serialsRoot,
            documentHash,
            number
        );
    }

    /// @inheritdoc IPedigreePackageLedger
    function recallBatch(bytes32 batchId, string calldata reason) external {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        BatchWord word = _existingBatch(batchId);
        if (_roleIn(callerWord) != Role.Regulator) _requireBatchManufacturer(batchId, word, callerWord);
        _requireReason(reason);
        _transition(batchId, word, BatchStatus.Recalled, _statusOf(word) != BatchStatus.Recalled);
        emit BatchRecalled(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreePackageLedger
    function suspendBatch(bytes32 batchId, string calldata reason) external {
        _requireActive(msg.sender, Role.Regulator);
        BatchWord word = _existingBatch(batchId);
        _requireReason(reason);
        _transition(batchId, word, BatchStatus.Suspended, _statusOf(word) == BatchStatus.Active);
        emit BatchSuspended(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreePackageLedger
    function reinstateBatch(bytes32 batchId) external whenNotPaused {
        _requireActive(msg.sender, Role.Regulator);
        BatchWord word = _existingBatch(batchId);
        _transition(batchId, word, BatchStatus.Active, _statusOf(word) == BatchStatus.Suspended);
        emit BatchReinstated(batchId, msg.sender);
    }

    /// @inheritdoc IPedigreePackageLedger
    function quarantineBatch(bytes32 batchId, string calldata reason) external {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        BatchWord word = _existingBatch(batchId);
        bool byRegulator = _roleIn(callerWord) == Role.Regulator;
        if (!byRegulator) _requireBatchManufacturer(batchId, word, callerWord);
        _requireReason(reason);
        if (_statusOf(word) != BatchStatus.Active) {
            revert PedigreeInvalidBatchTransition(batchId, _statusOf(word), BatchStatus.Quarantined);
        }
        _batches[batchId] = word.withStatus(
            byRegulator ? _STATUS_QUARANTINED_BY_REGULATOR : uint8(BatchStatus.Quarantined)
        );
        emit BatchQuarantined(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreePackageLedger
    function endBatchQuarantine(bytes32 batchId, QuarantineOutcome outcome, string calldata reason) external {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        BatchWord word = _existingBatch(batchId);
        BatchStatus target = outcome == QuarantineOutcome.Cleared ? BatchStatus.Active : BatchStatus.Recalled;
        if (_statusOf(word) != BatchStatus.Quarantined) {
            revert PedigreeInvalidBatchTransition(batchId, _statusOf(word), target);
        }
        if (_roleIn(callerWord) != Role.Regulator) {
            if (word.status() == _STATUS_QUARANTINED_BY_REGULATOR) {
                revert AccessControlUnauthorizedAccount(msg.sender, REGULATOR_ROLE);
            }
            _requireBatchManufacturer(batchId, word, callerWord);
        }
        _requireReason(reason);
        _batches[batchId] = word.withStatus(uint8(target));
        emit BatchQuarantineEnded(batchId, msg.sender, outcome, reason);
    }

    // ================================================================ aggregation

    /// @inheritdoc IPedigreePackageLedger
    function packRange(uint256 sscc, uint256 prefixLength, bytes32 batchId, uint256 count) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        BatchWord word = _existingBatch(batchId);
        _requireBatchManufacturer(batchId, word, callerWord);
        if (!_isSupplyable(word)) revert PedigreeBatchNotMovable(batchId, _statusOf(word), _expiryOf(word));
        _requireNewUnit(sscc, prefixLength, callerWord);
        uint256 start = word.packedUpTo();
        uint256 end = start + count;
        if (count == 0 || end > word.packCount()) {
            revert PedigreeRangeNotAvailable(batchId, start, count, word.packCount());
        }
        _batches[batchId] = word.withPackedUpTo(end);
        _units[sscc] = UnitWords.createRange(Places.held(_numberIn(callerWord)), word.number(), start, end);
        emit UnitPacked(sscc, batchId, msg.sender, start, count);
    }

    /// @inheritdoc IPedigreePackageLedger
    function aggregate(uint256 sscc, uint256 prefixLength, Items calldata children) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        if (_roleIn(callerWord) == Role.Regulator) revert PedigreeRoleNotAllowed(msg.sender, Role.Regulator);
        _requireListed(children);
        _requireNewUnit(sscc, prefixLength, callerWord);
        uint24 caller = _numberIn(callerWord);
        Place inside = Places.inUnit(sscc);
        uint256 height = 1;
        for (uint256 i; i < children.units.length; ++i) {
            UnitWord child = _topUnitHeldBy(children.units[i], caller);
            if (child.height() >= height) height = child.height() + 1;
            _units[children.units[i]] = child.withPlace(inside);
        }
        if (height > MAX_NESTING) revert PedigreeNestingTooDeep(sscc);
        for (uint256 i; i < children.packs.length; ++i) {
            PackAt memory pack = _locatePack(children.packs[i]);
            _requireHeldBy(pack, caller);
            _openParent(pack);
            _setPackPlace(pack, inside);
        }
        _units[sscc] = UnitWords.create(Places.held(caller), height);
        emit UnitAggregated(sscc, Aggregation.Add, msg.sender, children.units, children.packs);
    }

    /// @inheritdoc IPedigreePackageLedger
    function disaggregate(uint256 sscc, Items calldata children) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        uint24 caller = _numberIn(callerWord);
        _requireListed(children);
        UnitWord parentWord = _units[sscc];
        (Place top, uint256 topSscc) = _topOf(sscc, parentWord);
        if (top.kind() != Places.Kind.Held || top.party() != caller) _revertUnitNotHeld(topSscc, top);
        Place loose = Places.held(caller);
        for (uint256 i; i < children.units.length; ++i) {
            uint256 child = children.units[i];
            UnitWord childWord = _existingUnit(child);
            Place place = childWord.place();
            if (place.kind() != Places.Kind.InUnit || place.parent() != sscc) {
                revert PedigreeUnitNotInUnit(child, place.kind() == Places.Kind.InUnit ? place.parent() : 0);
            }
            _units[child] = childWord.withPlace(loose);
        }
        for (uint256 i; i < children.packs.length; ++i) {
            PackRef calldata ref = children.packs[i];
            if (ref.unit != sscc) revert PedigreePackNotInUnit(ref.batchId, ref.index, ref.unit);
            PackAt memory pack = _locatePack(ref);
            _setPackPlace(pack, loose);
        }
        if (!parentWord.opened()) _units[sscc] = parentWord.withOpened();
        emit UnitAggregated(sscc, Aggregation.Delete, msg.sender, children.units, children.packs);
    }

    // ================================================================ handoffs

    /// @inheritdoc IPedigreePackageLedger
    function ship(
        address to,
        bytes32 shipmentRef,
        Items calldata items
    ) external whenNotPaused returns (bytes32 shipmentId) {
        uint256 senderWord = _requireActiveParticipant(msg.sender);
        uint256 recipientWord = _participantWord(to);
        _requireActiveWord(to, recipientWord);
        Role senderRole = _roleIn(senderWord);
        Role recipientRole = _roleIn(recipientWord);
        if (to == msg.sender || !_isRouteAllowed(senderRole, recipientRole)) {
            revert PedigreeRouteNotAllowed(msg.sender, senderRole, to, recipientRole);
        }
        _requireListed(items);
        uint24 sender = _numberIn(senderWord);
        uint24 recipient = _numberIn(recipientWord);
        Place transit = Places.inTransit(sender, recipient);
        for (uint256 i; i < items.units.length; ++i) {
            uint256 sscc = items.units[i];
            _units[sscc] = _topUnitHeldBy(sscc, sender).withPlace(transit);
        }
        for (uint256 i; i < items.packs.length; ++i) {
            PackAt memory pack = _locatePack(items.packs[i]);
            if (pack.parent != 0) revert PedigreePackInUnit(pack.batchId, pack.index, pack.parent);
            _requireHeldBy(pack, sender);
            if (recipientRole == Role.Manufacturer) {
                if (pack.batch.manufacturer() != recipient) {
                    revert PedigreeReturnToOtherManufacturer(
                        pack.batchId,
                        to,
                        _accountsByNumber[pack.batch.manufacturer()]
                    );
                }
            } else if (!_isSupplyable(pack.batch)) {
                revert PedigreeBatchNotMovable(pack.batchId, _statusOf(pack.batch), _expiryOf(pack.batch));
            }
            _setPackPlace(pack, transit);
        }
        shipmentId = keccak256(abi.encode(msg.sender, shipmentRef, block.number));
        emit ShipmentHandoff(shipmentId, Handoff.Shipped, msg.sender, to, shipmentRef, items.units, items.packs, "");
    }

    /// @inheritdoc IPedigreePackageLedger
    function receiveShipment(
        bytes32 shipmentId,
        Items calldata received,
        Items calldata rejected,
        string calldata reason
    ) external whenNotPaused {
        uint24 caller = _numberIn(_requireActiveParticipant(msg.sender));
        bool rejecting = rejected.units.length != 0 || rejected.packs.length != 0;
        if (!rejecting) _requireListed(received);
        else _requireReason(reason);
        uint24 sender = _settle(received, caller, true, 0, false);
        sender = _settle(rejected, caller, true, sender, true);
        address from = _accountsByNumber[sender];
        if (received.units.length != 0 || received.packs.length != 0) {
            emit ShipmentHandoff(shipmentId, Handoff.Received, msg.sender, from, 0, received.units, received.packs, "");
        }
        if (rejecting) {
            emit ShipmentHandoff(
                shipmentId,
                Handoff.Rejected,
                msg.sender,
                from,
                0,
                rejected.units,
                rejected.packs,
                reason
            );
        }
    }

    /// @inheritdoc IPedigreePackageLedger
    function cancelShipment(bytes32 shipmentId, Items calldata items) external whenNotPaused {
        uint24 caller = _numberIn(_requireActiveParticipant(msg.sender));
        _requireListed(items);
        uint24 recipient = _settle(items, caller, false, 0, true);
        emit ShipmentHandoff(
            shipmentId,
            Handoff.Cancelled,
            msg.sender,
            _accountsByNumber[recipient],
            0,
            items.units,
            items.packs,
            ""
        );
    }

    // ================================================================ packs

    /// @inheritdoc IPedigreePackageLedger
    function decommission(bytes32 batchId, uint256 index, uint256 unit_, PackState state) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        _decommission(batchId, index, unit_, state, callerWord);
    }

    /// @inheritdoc IPedigreePackageLedger
    function decommissionMany(PackRef[] calldata packs, PackState state) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        if (packs.length == 0) revert PedigreeNothingListed();
        for (uint256 i; i < packs.length; ++i) {
            _decommission(packs[i].batchId, packs[i].index, packs[i].unit, state, callerWord);
        }
    }

    /// @inheritdoc IPedigreePackageLedger
    function reactivate(bytes32 batchId, uint256 index) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        BatchWord word = _existingBatch(batchId);
        if (!_isSupplyable(word)) revert PedigreeDispenseNotAllowed(batchId, _statusOf(word), _expiryOf(word));
        mapping(uint256 => uint256) storage words = _packWords[batchId];
        uint256 packWord = words[PackWords.wordIndex(index)];
        Place place = PackWords.placeIn(packWord, index);
        PackState current =
            place.kind() == Places.Kind.Decommissioned ? PackState(place.decommissionState()) : PackState.Active;
        if (current != PackState.Dispensed && current != PackState.Locked) {
            revert PedigreeUndoNotAllowed(batchId, index, current);
        }
        if (place.party() != _numberIn(callerWord)) {
            revert PedigreeUndoByOtherParty(batchId, index, _accountsByNumber[place.party()]);
        }
        uint256 at = place.decommissionedAt();
        if (current == PackState.Dispensed && block.timestamp > at + UNDO_WINDOW) {
            revert PedigreeUndoWindowClosed(batchId, index, uint32(at), at + UNDO_WINDOW);
        }
        words[PackWords.wordIndex(index)] = PackWords.withPlace(packWord, index, Places.held(place.party()));
        emit PackReactivated(batchId, index, msg.sender, current);
    }

    // ================================================================ quarantine

    /// @inheritdoc IPedigreePackageLedger
    function quarantine(Items calldata items, string calldata reason) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        bool byRegulator = _roleIn(callerWord) == Role.Regulator;
        uint24 caller = _numberIn(callerWord);
        _requireListed(items);
        _requireReason(reason);
        for (uint256 i; i < items.units.length; ++i) {
            uint256 sscc = items.units[i];
            UnitWord word = _existingUnit(sscc);
            Place place = word.place();
            if (place.kind() == Places.Kind.InUnit) revert PedigreeUnitInUnit(sscc, place.parent());
            if (place.kind() != Places.Kind.Held || (!byRegulator && place.party() != caller)) {
                _revertUnitNotHeld(sscc, place);
            }
            _units[sscc] = word.withPlace(Places.quarantined(place.party(), byRegulator));
        }
        for (uint256 i; i < items.packs.length; ++i) {
            PackAt memory pack = _locatePack(items.packs[i]);
            if (pack.parent != 0) revert PedigreePackInUnit(pack.batchId, pack.index, pack.parent);
            if (pack.own.kind() != Places.Kind.Held || (!byRegulator && pack.own.party() != caller)) {
                _revertPackNotHeld(pack, pack.own);
            }
            _setPackPlace(pack, Places.quarantined(pack.own.party(), byRegulator));
        }
        emit ItemsQuarantined(msg.sender, items.units, items.packs, reason);
    }

    /// @inheritdoc IPedigreePackageLedger
    function endQuarantine(
        Items calldata items,
        QuarantineOutcome outcome,
        string calldata reason
    ) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        bool byRegulator = _roleIn(callerWord) == Role.Regulator;
        uint24 caller = _numberIn(callerWord);
        _requireListed(items);
        _requireReason(reason);
        bool cleared = outcome == QuarantineOutcome.Cleared;
        for (uint256 i; i < items.units.length; ++i) {
            uint256 sscc = items.units[i];
            UnitWord word = _existingUnit(sscc);
            Place place = word.place();
            if (place.kind() != Places.Kind.Quarantined) revert PedigreeNotQuarantined(sscc, 0, 0);
            _requireMayEndQuarantine(place, byRegulator, caller, sscc, 0, 0);
            _units[sscc] = word.withPlace(cleared ? Places.held(place.party()) : Places.destroyed(caller));
        }
        for (uint256 i; i < items.packs.length; ++i) {
            PackAt memory pack = _locatePack(items.packs[i]);
            if (pack.own.kind() != Places.Kind.Quarantined) revert PedigreeNotQuarantined(0, pack.batchId, pack.index);
            _requireMayEndQuarantine(pack.own, byRegulator, caller, 0, pack.batchId, pack.index);
            _setPackPlace(
                pack,
                cleared
                    ? Places.held(pack.own.party())
                    : Places.decommissioned(caller, uint8(PackState.Destroyed), uint32(block.timestamp))
            );
        }
        emit ItemsQuarantineEnded(msg.sender, outcome, items.units, items.packs, reason);
    }

    // ================================================================ views

    /// @inheritdoc IPedigreePackageLedger
    function verifyPack(
        uint64 gtin,
        string calldata lot,
        string calldata serial,
        uint256 index,
        bytes32[] calldata proof,
        uint32 labelExpiry,
        uint256 unit_
    ) external view returns (Verification memory result) {
        result.batchId = keccak256(abi.encode(gtin, lot));
        BatchWord word = _batches[result.batchId];
        if (!word.exists()) {
            // A batch implies its product, so the product is looked up only when the batch is unknown.
            result.verdict = _products[gtin].manufacturer == address(0) ? Verdict.UnknownProduct : Verdict.UnknownBatch;
            return result;
        }
        if (
            index >= word.packCount() ||
            SerialProofs.rootOf(proof, SerialProofs.leaf(index, serial)) != _serialsRoots[result.batchId]
        ) {
            result.verdict = Verdict.UnknownSerial;
            return result;
        }
        if (labelExpiry != 0) {
            (bool valid, uint256 labelDay) = CivilDate.toEpochDay(labelExpiry);
            if (!valid || labelDay != word.expiryDay()) {
                result.verdict = Verdict.Mismatch;
                return result;
            }
        }
        result.location = _locationOf(result.batchId, word, index, unit_);
        BatchStatus status = _statusOf(word);
        PlaceKind kind = result.location.kind;
        if (status == BatchStatus.Recalled) result.verdict = Verdict.Recalled;
        else if (status == BatchStatus.Suspended) result.verdict = Verdict.Suspended;
        else if (status == BatchStatus.Quarantined || kind == PlaceKind.Quarantined) {
            result.verdict = Verdict.Quarantined;
        } else if (
            kind == PlaceKind.Destroyed ||
            (kind == PlaceKind.Decommissioned && result.location.state != PackState.Dispensed)
        ) {
            result.verdict = Verdict.Decommissioned;
        } else if (word.expiryDay() < _today()) result.verdict = Verdict.Expired;
        else if (kind == PlaceKind.Decommissioned) result.verdict = Verdict.Dispensed;
        else result.verdict = Verdict.Genuine;
    }

    /// @inheritdoc IPedigreePackageLedger
    function batch(bytes32 batchId) external view returns (Batch memory result) {
        BatchWord word = _batches[batchId];
        if (!word.exists()) return result;
        result = _batchOf(batchId, word);
        result.documentHash = _documentHashes[batchId];
    }

    /// @inheritdoc IPedigreePackageLedger
    function packLocation(bytes32 batchId, uint256 index, uint256 unit_) external view returns (Location memory) {
        BatchWord word = _existingBatch(batchId);
        if (index >= word.packCount()) revert PedigreeIndexOutOfRange(batchId, index, word.packCount());
        return _locationOf(batchId, word, index, unit_);
    }

    /// @inheritdoc IPedigreePackageLedger
    function unit(uint256 sscc) external view returns (Unit memory result) {
        UnitWord word = _existingUnit(sscc);
        Place own = word.place();
        (Place top, uint256 topSscc) = _topOf(sscc, word);
        result.location = _locationFrom(top, own.kind() == Places.Kind.InUnit ? own.parent() : 0, topSscc);
        result.opened = word.opened();
        result.rangeBatch = word.rangeBatch();
        result.rangeStart = uint32(word.rangeStart());
        result.rangeEnd = uint32(word.rangeEnd());
    }

    /// @inheritdoc IPedigreePackageLedger
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32) {
        return keccak256(abi.encode(gtin, lot));
    }

    // ================================================================ internals: batches

    function _existingBatch(bytes32 batchId) private view returns (BatchWord word) {
        word = _batches[batchId];
        if (!word.exists()) revert PedigreeUnknownBatch(batchId);
    }

    function _requireBatchManufacturer(bytes32 batchId, BatchWord word, uint256 callerWord) private view {
        if (word.manufacturer() != _numberIn(callerWord)) {
            revert PedigreeNotBatchManufacturer(batchId, msg.sender, _accountsByNumber[word.manufacturer()]);
        }
    }

    function _transition(bytes32 batchId, BatchWord word, BatchStatus target, bool allowed) private {
        if (!allowed) revert PedigreeInvalidBatchTransition(batchId, _statusOf(word), target);
        _batches[batchId] = word.withStatus(uint8(target));
    }

    /// @dev A quarantine placed by a regulator reads as Quarantined.
    function _statusOf(BatchWord word) private pure returns (BatchStatus) {
        uint8 status = word.status();
        return status == _STATUS_QUARANTINED_BY_REGULATOR ? BatchStatus.Quarantined : BatchStatus(status);
    }

    function _expiryOf(BatchWord word) private pure returns (uint32) {
        return uint32(CivilDate.toYyyymmdd(word.expiryDay()));
    }

    /// @dev Active and not past its expiry day: what supplying (shipping on, dispensing) requires.
    function _isSupplyable(BatchWord word) private view returns (bool) {
        return word.status() == uint8(BatchStatus.Active) && word.expiryDay() >= _today();
    }

    function _batchOf(bytes32 batchId, BatchWord word) private view returns (Batch memory) {
        return
            Batch(
                _accountsByNumber[word.manufacturer()],
                _statusOf(word),
                _expiryOf(word),
                uint32(word.packCount()),
                word.number(),
                uint32(word.packedUpTo()),
                _serialsRoots[batchId],
                bytes32(0)
            );
    }

    // ================================================================ internals: units

    /// @dev A new unit's SSCC: valid, unused, and for a manufacturer under one of its company
    /// prefixes (of `prefixLength` digits). Regulators pack nothing.
    function _requireNewUnit(uint256 sscc, uint256 prefixLength, uint256 callerWord) private view {
        if (!Gs1.isValidSscc(sscc)) revert PedigreeInvalidSscc(sscc);
        if (_roleIn(callerWord) == Role.Manufacturer) {
            if (
                prefixLength < 6 ||
                prefixLength > 12 ||
                _prefixOwners[Gs1.prefixKeyOfSscc(sscc, prefixLength)] != msg.sender
            ) revert PedigreeSsccOutsideCompanyPrefixes(sscc, msg.sender);
        }
        if (_units[sscc].exists()) revert PedigreeUnitExists(sscc);
    }

    function _existingUnit(uint256 sscc) private view returns (UnitWord word) {
        word = _units[sscc];
        if (!word.exists()) revert PedigreeUnknownUnit(sscc);
    }

    /// @return word the record of `sscc`, a unit at the top of its nesting held by participant `holder`
    function _topUnitHeldBy(uint256 sscc, uint24 holder) private view returns (UnitWord word) {
        word = _existingUnit(sscc);
        Place place = word.place();
        if (place.kind() == Places.Kind.InUnit) revert PedigreeUnitInUnit(sscc, place.parent());
        if (place.kind() != Places.Kind.Held || place.party() != holder) _revertUnitNotHeld(sscc, place);
    }

    /// @return top the place of the top-most unit around `sscc` (its own place when it is not nested)
    /// @return topSscc that unit's SSCC
    function _topOf(uint256 sscc, UnitWord word) private view returns (Place top, uint256 topSscc) {
        if (!word.exists()) revert PedigreeUnknownUnit(sscc);
        topSscc = sscc;
        top = word.place();
        // At most MAX_NESTING - 1 steps: aggregation refuses anything taller.
        while (top.kind() == Places.Kind.InUnit) {
            topSscc = top.parent();
            top = _units[topSscc].place();
        }
    }

    function _revertUnitNotHeld(uint256 sscc, Place place) private view {
        revert PedigreeUnitNotHeld(sscc, _accountsByNumber[place.party()], PlaceKind(uint8(place.kind())));
    }

    // ================================================================ internals: packs

    /// @dev Finds a pack for a step: a registered index, and where it is, named with the unit
    /// directly containing it (`unitHint`, 0 when loose).
    function _locatePack(PackRef calldata ref) private view returns (PackAt memory) {
        return _locatePack(ref.batchId, ref.index, ref.unit);
    }

    function _locatePack(bytes32 batchId, uint256 index, uint256 unitHint) private view returns (PackAt memory pack) {
        pack.batchId = batchId;
        pack.index = index;
        pack.batch = _existingBatch(batchId);
        if (index >= pack.batch.packCount()) revert PedigreeIndexOutOfRange(batchId, index, pack.batch.packCount());
        bool named;
        (pack.own, pack.parent, named) = _find(batchId, pack.batch, index, unitHint);
        if (!named) revert PedigreePackNotInUnit(batchId, index, unitHint);
        if (pack.parent != 0) (pack.top, pack.topSscc) = _topOf(pack.parent, _units[pack.parent]);
    }

    /// @dev Where a registered pack is. A Fresh pack below its batch's packed-up-to mark is inside
    /// the range-packed unit whose range holds it, which only `unitHint` can name (otherwise it
    /// stays Fresh, with no parent); above the mark it is loose with its manufacturer.
    /// @return own the pack's own place
    /// @return parent the unit directly containing it, or 0
    /// @return named whether `unitHint` is that unit (0 for a loose pack)
    function _find(
        bytes32 batchId,
        BatchWord word,
        uint256 index,
        uint256 unitHint
    ) private view returns (Place own, uint256 parent, bool named) {
        own = PackWords.placeIn(_packWords[batchId][PackWords.wordIndex(index)], index);
        if (own.kind() == Places.Kind.Fresh) {
            if (index >= word.packedUpTo()) own = Places.held(word.manufacturer());
            else if (_units[unitHint].rangeHolds(word.number(), index)) parent = unitHint;
            else return (own, 0, false);
        } else if (own.kind() == Places.Kind.InUnit) {
            parent = own.parent();
        }
        named = unitHint == parent;
    }

    /// @dev Only the holder acts: the pack is loose and held by `holder`, or inside units whose
    /// top-most one `holder` holds.
    function _requireHeldBy(PackAt memory pack, uint24 holder) private view {
        Place place = pack.parent == 0 ? pack.own : pack.top;
        if (place.kind() != Places.Kind.Held || place.party() != holder) _revertPackNotHeld(pack, place);
    }

    function _revertPackNotHeld(PackAt memory pack, Place place) private view {
        revert PedigreePackNotHeld(
            pack.batchId,
            pack.index,
            _accountsByNumber[place.party()],
            PlaceKind(uint8(place.kind()))
        );
    }

    /// @dev A pack leaving the unit that contains it opens that unit.
    function _openParent(PackAt memory pack) private {
        if (pack.parent == 0) return;
        UnitWord word = _units[pack.parent];
        if (!word.opened()) _units[pack.parent] = word.withOpened();
    }

    function _setPackPlace(PackAt memory pack, Place place) private {
        mapping(uint256 => uint256) storage words = _packWords[pack.batchId];
        uint256 wordIndex = PackWords.wordIndex(pack.index);
        words[wordIndex] = PackWords.withPlace(words[wordIndex], pack.index, place);
    }

    function _decommission(
        bytes32 batchId,
        uint256 index,
        uint256 unitHint,
        PackState state,
        uint256 callerWord
    ) private {
        Role role = _roleIn(callerWord);
        if (state == PackState.Active) revert PedigreeInvalidPackState(state);
        if (state == PackState.Dispensed) {
            if (role != Role.Pharmacy) revert AccessControlUnauthorizedAccount(msg.sender, PHARMACY_ROLE);
        } else if (role == Role.Regulator) {
            revert PedigreeRoleNotAllowed(msg.sender, role);
        }
        PackAt memory pack = _locatePack(batchId, index, unitHint);
        // Destroying, reporting stolen or locking stays possible for stock that may not be supplied.
        if (state == PackState.Dispensed || state == PackState.Sample || state == PackState.Exported) {
            if (!_isSupplyable(pack.batch)) {
                revert PedigreeDispenseNotAllowed(pack.batchId, _statusOf(pack.batch), _expiryOf(pack.batch));
            }
        }
        uint24 caller = _numberIn(callerWord);
        _requireHeldBy(pack, caller);
        _openParent(pack);
        _setPackPlace(pack, Places.decommissioned(caller, uint8(state), uint32(block.timestamp)));
        emit PackDecommissioned(pack.batchId, pack.index, msg.sender, state);
    }

    /// @dev Settles items in transit: each must be in transit to the caller (`toCaller`: a
    /// receipt or a rejection) or from it (a cancellation), all between the same two parties.
    /// They then go to the recipient (a receipt) or `back` to the sender (a rejection or a
    /// cancellation).
    /// @param counterparty the other party found so far (0: none yet)
    /// @return the other party
    function _settle(
        Items calldata items,
        uint24 caller,
        bool toCaller,
        uint24 counterparty,
        bool back
    ) private returns (uint24) {
        for (uint256 i; i < items.units.length; ++i) {
            uint256 sscc = items.units[i];
            UnitWord word = _existingUnit(sscc);
            (uint24 other, Place next) = _settledPlace(word.place(), caller, toCaller, counterparty, back);
            if (other == 0) {
                if (toCaller) revert PedigreeNotInTransitTo(sscc, 0, 0, msg.sender);
                revert PedigreeNotInTransitFrom(sscc, 0, 0, msg.sender);
            }
            counterparty = other;
            _units[sscc] = word.withPlace(next);
        }
        for (uint256 i; i < items.packs.length; ++i) {
            PackRef calldata ref = items.packs[i];
            mapping(uint256 => uint256) storage words = _packWords[ref.batchId];
            uint256 wordIndex = PackWords.wordIndex(ref.index);
            uint256 packWord = words[wordIndex];
            (uint24 other, Place next) = _settledPlace(
                PackWords.placeIn(packWord, ref.index),
                caller,
                toCaller,
                counterparty,
                back
            );
            if (other == 0) {
                if (toCaller) revert PedigreeNotInTransitTo(0, ref.batchId, ref.index, msg.sender);
                revert PedigreeNotInTransitFrom(0, ref.batchId, ref.index, msg.sender);
            }
            counterparty = other;
            words[wordIndex] = PackWords.withPlace(packWord, ref.index, next);
        }
        return counterparty;
    }

    /// @return other the other party of a transit matching the settlement, or 0 when it does not match
    /// @return next the place after settling
    function _settledPlace(
        Place place,
        uint24 caller,
        bool toCaller,
        uint24 counterparty,
        bool back
    ) private pure returns (uint24 other, Place next) {
        if (place.kind() != Places.Kind.InTransit) return (0, place);
        (uint24 sender, uint24 recipient) = (place.party(), place.recipient());
        if (toCaller ? recipient != caller : sender != caller) return (0, place);
        other = toCaller ? sender : recipient;
        if (counterparty != 0 && other != counterparty) return (0, place);
        next = Places.held(back ? sender : recipient);
    }

    function _locationOf(
        bytes32 batchId,
        BatchWord word,
        uint256 index,
        uint256 unitHint
    ) private view returns (Location memory location) {
        (Place own, uint256 parent, ) = _find(batchId, word, index, unitHint);
        if (parent != 0) {
            (Place top, uint256 topSscc) = _topOf(parent, _units[parent]);
            location = _locationFrom(top, parent, topSscc);
        } else if (own.kind() == Places.Kind.Fresh) {
            // Inside a range-packed unit not named: say only that much.
            location.kind = PlaceKind.InUnit;
        } else {
            location = _locationFrom(own, 0, 0);
        }
    }

    function _locationFrom(Place place, uint256 parent, uint256 top) private view returns (Location memory location) {
        location.kind = PlaceKind(uint8(place.kind()));
        location.party = _accountsByNumber[place.party()];
        location.parent = parent;
        location.top = top;
        if (location.kind == PlaceKind.InTransit) location.recipient = _accountsByNumber[place.recipient()];
        if (location.kind == PlaceKind.Decommissioned) {
            location.state = PackState(place.decommissionState());
            location.at = place.decommissionedAt();
        }
    }

    // ================================================================ internals: checks

    function _requireListed(Items calldata items) private pure {
        if (items.units.length == 0 && items.packs.length == 0) revert PedigreeNothingListed();
    }

    function _requireReason(string calldata reason) private pure {
        if (bytes(reason).length == 0) revert PedigreeEmptyReason();
    }

    function _requireMayEndQuarantine(
        Place place,
        bool byRegulator,
        uint24 caller,
        uint256 sscc,
        bytes32 batchId,
        uint256 index
    ) private pure {
        if (byRegulator) return;
        if (place.byRegulator()) revert PedigreeQuarantinedByRegulator(sscc, batchId, index);
        if (place.party() != caller) revert PedigreeNotQuarantined(sscc, batchId, index);
    }
}
