// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreePackageLedger} from "./interfaces/IPedigreePackageLedger.sol";
import {PedigreeRegistry} from "./PedigreeRegistry.sol";
import {BatchWord, BatchWords} from "./libraries/BatchWords.sol";
import {CivilDate} from "./libraries/CivilDate.sol";
import {Gs1} from "./libraries/Gs1.sol";
import {PackageSlots} from "./libraries/PackageSlots.sol";
import {PackWords} from "./libraries/PackWords.sol";
import {Place, Places} from "./libraries/Places.sol";
import {UnitWord, UnitWords} from "./libraries/UnitWords.sol";

/// @title Pedigree package-level custody ledger
/// @notice See {IPedigreePackageLedger}; its views are {PedigreePackageLens}'s.
/// @dev Storage ({PackageSlots}), laid out so that gas follows the units moved and never the packs
/// inside them:
/// - a batch is a state word ({BatchWord}: manufacturer, status, expiry, pack count, how far its
///   manufacturer has packed it by range, its number), its serials root (read by verification
///   only), its document hash, then its pack words;
/// - a logistic unit is one word at a slot derived from its SSCC without hashing ({UnitWord}: its
///   place, and for a unit packed from a range, which batch and range);
/// - packs have a 64-bit place each, four to a word ({PackWords}); a pack never touched reads as
///   Fresh: held loose by its manufacturer, or, below the batch's packed-up-to mark, inside the
///   range-packed unit whose range holds it.
/// A nested unit or pack names only its parent; its holder is the holder of the top-most unit,
/// found by walking up (at most `MAX_NESTING` levels), so moving a pallet writes one word.
contract PedigreePackageLedger is IPedigreePackageLedger, PedigreeRegistry {
    /// @notice How many levels of units may nest: a pallet of cases of packs is two (a unit's
    /// height is 1 plus that of its tallest child unit).
    uint256 public constant MAX_NESTING = 8;

    /// @dev The number the next batch gets. Set to 1 at deployment, so that no registration pays
    /// for writing it from zero (22,100 gas instead of 5,000 for the first batch).
    uint32 private _nextBatchNumber;

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
        uint256 slot = PackageSlots.batch(batchId);
        if (_batchAt(slot).exists()) revert PedigreeBatchExists(batchId);
        uint32 number = _nextBatchNumber++;
        _setBatch(
            slot,
            BatchWords.create(_numberIn(callerWord), uint8(BatchStatus.Active), uint16(expiryDay), packCount, number)
        );
        PackageSlots.store(PackageSlots.serialsRoot(slot), uint256(serialsRoot));
        if (documentHash != bytes32(0)) PackageSlots.store(PackageSlots.documentHash(slot), uint256(documentHash));
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
        (uint256 slot, BatchWord word) = _existingBatch(batchId);
        if (_roleIn(callerWord) != Role.Regulator) _requireBatchManufacturer(batchId, word, callerWord);
        _requireReason(reason);
        _transition(batchId, slot, word, BatchStatus.Recalled, _statusOf(word) != BatchStatus.Recalled);
        emit BatchRecalled(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreePackageLedger
    function suspendBatch(bytes32 batchId, string calldata reason) external {
        _requireActive(msg.sender, Role.Regulator);
        (uint256 slot, BatchWord word) = _existingBatch(batchId);
        _requireReason(reason);
        _transition(batchId, slot, word, BatchStatus.Suspended, _statusOf(word) == BatchStatus.Active);
        emit BatchSuspended(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreePackageLedger
    function reinstateBatch(bytes32 batchId) external whenNotPaused {
        _requireActive(msg.sender, Role.Regulator);
        (uint256 slot, BatchWord word) = _existingBatch(batchId);
        _transition(batchId, slot, word, BatchStatus.Active, _statusOf(word) == BatchStatus.Suspended);
        emit BatchReinstated(batchId, msg.sender);
    }

    /// @inheritdoc IPedigreePackageLedger
    function quarantineBatch(bytes32 batchId, string calldata reason) external {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        (uint256 slot, BatchWord word) = _existingBatch(batchId);
        bool byRegulator = _roleIn(callerWord) == Role.Regulator;
        if (!byRegulator) _requireBatchManufacturer(batchId, word, callerWord);
        _requireReason(reason);
        if (_statusOf(word) != BatchStatus.Active) {
            revert PedigreeInvalidBatchTransition(batchId, _statusOf(word), BatchStatus.Quarantined);
        }
        _setBatch(
            slot,
            word.withStatus(byRegulator ? BatchWords.QUARANTINED_BY_REGULATOR : uint8(BatchStatus.Quarantined))
        );
        emit BatchQuarantined(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreePackageLedger
    function endBatchQuarantine(bytes32 batchId, QuarantineOutcome outcome, string calldata reason) external {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        (uint256 slot, BatchWord word) = _existingBatch(batchId);
        BatchStatus target = outcome == QuarantineOutcome.Cleared ? BatchStatus.Active : BatchStatus.Recalled;
        if (_statusOf(word) != BatchStatus.Quarantined) {
            revert PedigreeInvalidBatchTransition(batchId, _statusOf(word), target);
        }
        if (_roleIn(callerWord) != Role.Regulator) {
            if (word.status() == BatchWords.QUARANTINED_BY_REGULATOR) {
                revert AccessControlUnauthorizedAccount(msg.sender, REGULATOR_ROLE);
            }
            _requireBatchManufacturer(batchId, word, callerWord);
        }
        _requireReason(reason);
        _setBatch(slot, word.withStatus(uint8(target)));
        emit BatchQuarantineEnded(batchId, msg.sender, outcome, reason);
    }

    // ================================================================ aggregation

    /// @inheritdoc IPedigreePackageLedger
    function packRange(uint256 sscc, uint256 prefixLength, bytes32 batchId, uint256 count) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        (uint256 slot, BatchWord word) = _existingBatch(batchId);
        _requireBatchManufacturer(batchId, word, callerWord);
        if (!_isSupplyable(word)) revert PedigreeBatchNotMovable(batchId, _statusOf(word), word.expiryDate());
        uint256 unitSlot = _requireNewUnit(sscc, prefixLength, callerWord);
        uint256 start = word.packedUpTo();
        uint256 end = start + count;
        if (count == 0 || end > word.packCount()) {
            revert PedigreeRangeNotAvailable(batchId, start, count, word.packCount());
        }
        _setBatch(slot, word.withPackedUpTo(end));
        _setUnit(unitSlot, UnitWords.createRange(Places.held(_numberIn(callerWord)), word.number(), start, end));
        emit UnitPacked(sscc, batchId, msg.sender, start, count);
    }

    /// @inheritdoc IPedigreePackageLedger
    function aggregate(uint256 sscc, uint256 prefixLength, Items calldata children) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        if (_roleIn(callerWord) == Role.Regulator) revert PedigreeRoleNotAllowed(msg.sender, Role.Regulator);
        _requireListed(children);
        uint256 unitSlot = _requireNewUnit(sscc, prefixLength, callerWord);
        uint24 caller = _numberIn(callerWord);
        Place inside = Places.inUnit(sscc);
        uint256 height = 1;
        uint256[] calldata units = children.units;
        for (uint256 i; i < units.length; ++i) {
            (uint256 slot, UnitWord child) = _topUnitHeldBy(units[i], caller);
            uint256 childHeight = child.height();
            if (childHeight >= height) height = childHeight + 1;
            _setUnit(slot, child.withPlace(inside));
        }
        if (height > MAX_NESTING) revert PedigreeNestingTooDeep(sscc);
        PackRef[] calldata packs = children.packs;
        for (uint256 i; i < packs.length; ++i) {
            PackRef calldata ref = packs[i];
            (, uint256 packSlot, uint256 packWord, Place own, uint256 parent, UnitWord parentWord) = _locatePack(
                ref.batchId,
                ref.index,
                ref.unit
            );
            _requireHeldBy(ref.batchId, ref.index, own, parent, parentWord, caller);
            _openParent(parent, parentWord);
            PackageSlots.store(packSlot, PackWords.withPlace(packWord, ref.index, inside));
        }
        _setUnit(unitSlot, UnitWords.create(Places.held(caller), height));
        emit UnitAggregated(sscc, Aggregation.Add, msg.sender, units, packs);
    }

    /// @inheritdoc IPedigreePackageLedger
    function disaggregate(uint256 sscc, Items calldata children) external whenNotPaused {
        uint24 caller = _numberIn(_requireActiveParticipant(msg.sender));
        _requireListed(children);
        uint256 parentSlot = PackageSlots.unit(sscc);
        UnitWord parentWord = _unitAt(parentSlot);
        if (!parentWord.exists()) revert PedigreeUnknownUnit(sscc);
        (Place top, uint256 topSscc) = _topOf(sscc, parentWord);
        if (top.kind() != Places.Kind.Held || top.party() != caller) _revertUnitNotHeld(topSscc, top);
        Place loose = Places.held(caller);
        uint256[] calldata units = children.units;
        for (uint256 i; i < units.length; ++i) {
            uint256 child = units[i];
            uint256 slot = PackageSlots.unit(child);
            UnitWord childWord = _unitAt(slot);
            if (!childWord.exists()) revert PedigreeUnknownUnit(child);
            Place place = childWord.place();
            if (place.kind() != Places.Kind.InUnit || place.parent() != sscc) {
                revert PedigreeUnitNotInUnit(child, place.kind() == Places.Kind.InUnit ? place.parent() : 0);
            }
            _setUnit(slot, childWord.withPlace(loose));
        }
        PackRef[] calldata packs = children.packs;
        for (uint256 i; i < packs.length; ++i) {
            PackRef calldata ref = packs[i];
            if (ref.unit != sscc) revert PedigreePackNotInUnit(ref.batchId, ref.index, ref.unit);
            (, uint256 packSlot, uint256 packWord, , , ) = _locatePack(ref.batchId, ref.index, sscc);
            PackageSlots.store(packSlot, PackWords.withPlace(packWord, ref.index, loose));
        }
        if (!parentWord.opened()) _setUnit(parentSlot, parentWord.withOpened());
        emit UnitAggregated(sscc, Aggregation.Delete, msg.sender, units, packs);
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
        uint256[] calldata units = items.units;
        for (uint256 i; i < units.length; ++i) {
            (uint256 slot, UnitWord word) = _topUnitHeldBy(units[i], sender);
            _setUnit(slot, word.withPlace(transit));
        }
        PackRef[] calldata packs = items.packs;
        for (uint256 i; i < packs.length; ++i) {
            PackRef calldata ref = packs[i];
            (BatchWord batchWord, uint256 packSlot, uint256 packWord, Place own, uint256 parent, ) = _locatePack(
                ref.batchId,
                ref.index,
                ref.unit
            );
            if (parent != 0) revert PedigreePackInUnit(ref.batchId, ref.index, parent);
            if (own.kind() != Places.Kind.Held || own.party() != sender)
                _revertPackNotHeld(ref.batchId, ref.index, own);
            if (recipientRole == Role.Manufacturer) {
                if (batchWord.manufacturer() != recipient) {
                    revert PedigreeReturnToOtherManufacturer(
                        ref.batchId,
                        to,
                        _accountsByNumber[batchWord.manufacturer()]
                    );
                }
            } else if (!_isSupplyable(batchWord)) {
                revert PedigreeBatchNotMovable(ref.batchId, _statusOf(batchWord), batchWord.expiryDate());
            }
            PackageSlots.store(packSlot, PackWords.withPlace(packWord, ref.index, transit));
        }
        shipmentId = keccak256(abi.encode(msg.sender, shipmentRef, block.number));
        emit ShipmentShipped(shipmentId, msg.sender, to, shipmentRef, units, packs);
    }

    /// @inheritdoc IPedigreePackageLedger
    function receiveShipment(
        bytes32 shipmentId,
        Items calldata received,
        Items calldata rejected,
        string calldata reason
    ) external whenNotPaused {
        uint24 caller = _numberIn(_requireActiveParticipant(msg.sender));
        if (rejected.units.length == 0 && rejected.packs.length == 0) _requireListed(received);
        else _requireReason(reason);
        uint24 sender = _settle(received, caller, true, 0, false);
        _settle(rejected, caller, true, sender, true);
        emit ShipmentReceived(
            shipmentId,
            msg.sender,
            received.units,
            received.packs,
            rejected.units,
            rejected.packs,
            reason
        );
    }

    /// @inheritdoc IPedigreePackageLedger
    function cancelShipment(bytes32 shipmentId, Items calldata items) external whenNotPaused {
        uint24 caller = _numberIn(_requireActiveParticipant(msg.sender));
        _requireListed(items);
        _settle(items, caller, false, 0, true);
        emit ShipmentCancelled(shipmentId, msg.sender, items.units, items.packs);
    }

    // ================================================================ packs

    /// @inheritdoc IPedigreePackageLedger
    function decommission(bytes32 batchId, uint256 index, uint256 unit_, PackState state) external whenNotPaused {
        _decommission(batchId, index, unit_, state, _requireActiveParticipant(msg.sender));
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
        (uint256 batchSlot, BatchWord word) = _existingBatch(batchId);
        if (!_isSupplyable(word)) revert PedigreeDispenseNotAllowed(batchId, _statusOf(word), word.expiryDate());
        uint256 packSlot = PackageSlots.packWord(batchSlot, index);
        uint256 packWord = PackageSlots.load(packSlot);
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
        PackageSlots.store(packSlot, PackWords.withPlace(packWord, index, Places.held(place.party())));
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
        uint256[] calldata units = items.units;
        for (uint256 i; i < units.length; ++i) {
            uint256 sscc = units[i];
            uint256 slot = PackageSlots.unit(sscc);
            UnitWord word = _unitAt(slot);
            if (!word.exists()) revert PedigreeUnknownUnit(sscc);
            Place place = word.place();
            if (place.kind() == Places.Kind.InUnit) revert PedigreeUnitInUnit(sscc, place.parent());
            if (place.kind() != Places.Kind.Held || (!byRegulator && place.party() != caller)) {
                _revertUnitNotHeld(sscc, place);
            }
            _setUnit(slot, word.withPlace(Places.quarantined(place.party(), byRegulator)));
        }
        PackRef[] calldata packs = items.packs;
        for (uint256 i; i < packs.length; ++i) {
            PackRef calldata ref = packs[i];
            (, uint256 packSlot, uint256 packWord, Place own, uint256 parent, ) = _locatePack(
                ref.batchId,
                ref.index,
                ref.unit
            );
            if (parent != 0) revert PedigreePackInUnit(ref.batchId, ref.index, parent);
            if (own.kind() != Places.Kind.Held || (!byRegulator && own.party() != caller)) {
                _revertPackNotHeld(ref.batchId, ref.index, own);
            }
            PackageSlots.store(
                packSlot,
                PackWords.withPlace(packWord, ref.index, Places.quarantined(own.party(), byRegulator))
            );
        }
        emit ItemsQuarantined(msg.sender, units, packs, reason);
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
        uint256[] calldata units = items.units;
        for (uint256 i; i < units.length; ++i) {
            uint256 sscc = units[i];
            uint256 slot = PackageSlots.unit(sscc);
            UnitWord word = _unitAt(slot);
            if (!word.exists()) revert PedigreeUnknownUnit(sscc);
            Place place = word.place();
            if (place.kind() != Places.Kind.Quarantined) revert PedigreeNotQuarantined(sscc, 0, 0);
            _requireMayEndQuarantine(place, byRegulator, caller, sscc, 0, 0);
            _setUnit(slot, word.withPlace(cleared ? Places.held(place.party()) : Places.destroyed(caller)));
        }
        PackRef[] calldata packs = items.packs;
        for (uint256 i; i < packs.length; ++i) {
            PackRef calldata ref = packs[i];
            (, uint256 packSlot, uint256 packWord, Place own, , ) = _locatePack(ref.batchId, ref.index, ref.unit);
            if (own.kind() != Places.Kind.Quarantined) revert PedigreeNotQuarantined(0, ref.batchId, ref.index);
            _requireMayEndQuarantine(own, byRegulator, caller, 0, ref.batchId, ref.index);
            Place next =
                cleared
                    ? Places.held(own.party())
                    : Places.decommissioned(caller, uint8(PackState.Destroyed), uint32(block.timestamp));
            PackageSlots.store(packSlot, PackWords.withPlace(packWord, ref.index, next));
        }
        emit ItemsQuarantineEnded(msg.sender, outcome, units, packs, reason);
    }

    // ================================================================ views

    /// @inheritdoc IPedigreePackageLedger
    function extsload(bytes32 slot) external view returns (bytes32) {
        return bytes32(PackageSlots.load(uint256(slot)));
    }

    /// @inheritdoc IPedigreePackageLedger
    function extsload(bytes32[] calldata slots) external view returns (bytes32[] memory values) {
        values = new bytes32[](slots.length);
        for (uint256 i; i < slots.length; ++i) values[i] = bytes32(PackageSlots.load(uint256(slots[i])));
    }

    /// @inheritdoc IPedigreePackageLedger
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32) {
        return keccak256(abi.encode(gtin, lot));
    }

    // ================================================================ internals: batches

    function _batchAt(uint256 slot) private view returns (BatchWord) {
        return BatchWord.wrap(PackageSlots.load(slot));
    }

    function _setBatch(uint256 slot, BatchWord word) private {
        PackageSlots.store(slot, BatchWord.unwrap(word));
    }

    function _existingBatch(bytes32 batchId) private view returns (uint256 slot, BatchWord word) {
        slot = PackageSlots.batch(batchId);
        word = _batchAt(slot);
        if (!word.exists()) revert PedigreeUnknownBatch(batchId);
    }

    function _requireBatchManufacturer(bytes32 batchId, BatchWord word, uint256 callerWord) private view {
        if (word.manufacturer() != _numberIn(callerWord)) {
            revert PedigreeNotBatchManufacturer(batchId, msg.sender, _accountsByNumber[word.manufacturer()]);
        }
    }

    function _transition(bytes32 batchId, uint256 slot, BatchWord word, BatchStatus target, bool allowed) private {
        if (!allowed) revert PedigreeInvalidBatchTransition(batchId, _statusOf(word), target);
        _setBatch(slot, word.withStatus(uint8(target)));
    }

    function _statusOf(BatchWord word) private pure returns (BatchStatus) {
        return BatchStatus(word.reportedStatus());
    }

    /// @dev Active and not past its expiry day: what supplying (shipping on, dispensing) requires.
    function _isSupplyable(BatchWord word) private view returns (bool) {
        return word.status() == uint8(BatchStatus.Active) && word.expiryDay() >= _today();
    }

    // ================================================================ internals: units

    function _unitAt(uint256 slot) private view returns (UnitWord) {
        return UnitWord.wrap(PackageSlots.load(slot));
    }

    function _setUnit(uint256 slot, UnitWord word) private {
        PackageSlots.store(slot, UnitWord.unwrap(word));
    }

    /// @dev A new unit's SSCC: valid, unused, and for a manufacturer under one of its company
    /// prefixes (of `prefixLength` digits). Regulators pack nothing.
    /// @return slot the slot of the new unit's word
    function _requireNewUnit(
        uint256 sscc,
        uint256 prefixLength,
        uint256 callerWord
    ) private view returns (uint256 slot) {
        if (!Gs1.isValidSscc(sscc)) revert PedigreeInvalidSscc(sscc);
        if (_roleIn(callerWord) == Role.Manufacturer) {
            if (
                prefixLength < 6 ||
                prefixLength > 12 ||
                _prefixOwners[Gs1.prefixKeyOfSscc(sscc, prefixLength)] != msg.sender
            ) revert PedigreeSsccOutsideCompanyPrefixes(sscc, msg.sender);
        }
        slot = PackageSlots.unit(sscc);
        if (_unitAt(slot).exists()) revert PedigreeUnitExists(sscc);
    }

    /// @return slot the slot of unit `sscc`, at the top of its nesting and held by participant `holder`
    /// @return word its record
    function _topUnitHeldBy(uint256 sscc, uint24 holder) private view returns (uint256 slot, UnitWord word) {
        slot = PackageSlots.unit(sscc);
        word = _unitAt(slot);
        if (!word.exists()) revert PedigreeUnknownUnit(sscc);
        Place place = word.place();
        if (place.kind() != Places.Kind.Held || place.party() != holder) {
            if (place.kind() == Places.Kind.InUnit) revert PedigreeUnitInUnit(sscc, place.parent());
            _revertUnitNotHeld(sscc, place);
        }
    }

    /// @param word the record of unit `sscc`
    /// @return top the place of the top-most unit around `sscc` (its own place when it is not nested)
    /// @return topSscc that unit's SSCC
    function _topOf(uint256 sscc, UnitWord word) private view returns (Place top, uint256 topSscc) {
        topSscc = sscc;
        top = word.place();
        // At most MAX_NESTING - 1 steps: aggregation refuses anything taller.
        while (top.kind() == Places.Kind.InUnit) {
            topSscc = top.parent();
            top = _unitAt(PackageSlots.unit(topSscc)).place();
        }
    }

    function _revertUnitNotHeld(uint256 sscc, Place place) private view {
        revert PedigreeUnitNotHeld(sscc, _accountsByNumber[place.party()], PlaceKind(uint8(place.kind())));
    }

    // ================================================================ internals: packs

    /// @dev Finds a pack for a step: a registered index, named with the unit directly containing it
    /// (`unitHint`, 0 when loose).
    /// @return batchWord its batch's state word
    /// @return packSlot the slot of the word holding its place
    /// @return packWord that word
    /// @return own its own place (see {PackWords-resolve})
    /// @return parent the unit directly containing it (`unitHint`), or 0
    /// @return parentWord that unit's record
    function _locatePack(
        bytes32 batchId,
        uint256 index,
        uint256 unitHint
    )
        private
        view
        returns (
            BatchWord batchWord,
            uint256 packSlot,
            uint256 packWord,
            Place own,
            uint256 parent,
            UnitWord parentWord
        )
    {
        uint256 batchSlot = PackageSlots.batch(batchId);
        batchWord = _batchAt(batchSlot);
        if (!batchWord.exists()) revert PedigreeUnknownBatch(batchId);
        if (index >= batchWord.packCount()) revert PedigreeIndexOutOfRange(batchId, index, batchWord.packCount());
        packSlot = PackageSlots.packWord(batchSlot, index);
        packWord = PackageSlots.load(packSlot);
        if (unitHint != 0) parentWord = _unitAt(PackageSlots.unit(unitHint));
        (own, parent) = PackWords.resolve(PackWords.placeIn(packWord, index), index, batchWord, unitHint, parentWord);
        // Still Fresh without a parent: inside a range-packed unit that `unitHint` does not name.
        if (parent != unitHint || (parent == 0 && own.kind() == Places.Kind.Fresh)) {
            revert PedigreePackNotInUnit(batchId, index, unitHint);
        }
    }

    /// @dev Only the holder acts: the pack is loose and held by `holder`, or inside units whose
    /// top-most one `holder` holds.
    function _requireHeldBy(
        bytes32 batchId,
        uint256 index,
        Place own,
        uint256 parent,
        UnitWord parentWord,
        uint24 holder
    ) private view {
        Place place = own;
        if (parent != 0) (place, ) = _topOf(parent, parentWord);
        if (place.kind() != Places.Kind.Held || place.party() != holder) _revertPackNotHeld(batchId, index, place);
    }

    function _revertPackNotHeld(bytes32 batchId, uint256 index, Place place) private view {
        revert PedigreePackNotHeld(batchId, index, _accountsByNumber[place.party()], PlaceKind(uint8(place.kind())));
    }

    /// @dev A pack leaving the unit that contains it opens that unit.
    function _openParent(uint256 parent, UnitWord parentWord) private {
        if (parent != 0 && !parentWord.opened()) _setUnit(PackageSlots.unit(parent), parentWord.withOpened());
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
        (
            BatchWord batchWord,
            uint256 packSlot,
            uint256 packWord,
            Place own,
            uint256 parent,
            UnitWord parentWord
        ) = _locatePack(batchId, index, unitHint);
        // Destroying, reporting stolen or locking stays possible for stock that may not be supplied.
        if (state == PackState.Dispensed || state == PackState.Sample || state == PackState.Exported) {
            if (!_isSupplyable(batchWord)) {
                revert PedigreeDispenseNotAllowed(batchId, _statusOf(batchWord), batchWord.expiryDate());
            }
        }
        uint24 caller = _numberIn(callerWord);
        _requireHeldBy(batchId, index, own, parent, parentWord, caller);
        _openParent(parent, parentWord);
        Place gone = Places.decommissioned(caller, uint8(state), uint32(block.timestamp));
        PackageSlots.store(packSlot, PackWords.withPlace(packWord, index, gone));
        emit PackDecommissioned(batchId, index, msg.sender, state);
    }

    /// @dev Settles items in transit: each must be in transit to the caller (`toCaller`: a
    /// receipt or a rejection) or from it (a cancellation), all between the same two parties.
    /// They then go to the recipient (a receipt) or `back` to the sender (a rejection or a
    /// cancellation). Packs are found by their own place alone: one in transit is loose.
    /// @param counterparty the other party found so far (0: none yet)
    /// @return the other party
    function _settle(
        Items calldata items,
        uint24 caller,
        bool toCaller,
        uint24 counterparty,
        bool back
    ) private returns (uint24) {
        uint256[] calldata units = items.units;
        for (uint256 i; i < units.length; ++i) {
            uint256 sscc = units[i];
            uint256 slot = PackageSlots.unit(sscc);
            UnitWord word = _unitAt(slot);
            if (!word.exists()) revert PedigreeUnknownUnit(sscc);
            (uint24 other, Place next) = _settledPlace(word.place(), caller, toCaller, counterparty, back);
            if (other == 0) {
                if (toCaller) revert PedigreeNotInTransitTo(sscc, 0, 0, msg.sender);
                revert PedigreeNotInTransitFrom(sscc, 0, 0, msg.sender);
            }
            counterparty = other;
            _setUnit(slot, word.withPlace(next));
        }
        PackRef[] calldata packs = items.packs;
        for (uint256 i; i < packs.length; ++i) {
            PackRef calldata ref = packs[i];
            uint256 index = ref.index;
            // An unknown batch or an index past every pack's reads as Fresh: not in transit.
            uint256 slot = PackageSlots.packWord(PackageSlots.batch(ref.batchId), index);
            uint256 packWord = PackageSlots.load(slot);
            (uint24 other, Place next) = _settledPlace(
                PackWords.placeIn(packWord, index),
                caller,
                toCaller,
                counterparty,
                back
            );
            if (other == 0) {
                if (toCaller) revert PedigreeNotInTransitTo(0, ref.batchId, index, msg.sender);
                revert PedigreeNotInTransitFrom(0, ref.batchId, index, msg.sender);
            }
            counterparty = other;
            PackageSlots.store(slot, PackWords.withPlace(packWord, index, next));
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

    // ================================================================ internals: checks

    function _requireListed(Items calldata items) private pure {
        if (items.units.length == 0 && items.packs.length == 0) revert PedigreeNothingListed();
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
