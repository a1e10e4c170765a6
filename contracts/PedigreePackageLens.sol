// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreePackageLedger} from "./interfaces/IPedigreePackageLedger.sol";
import {IPedigreePackageLens} from "./interfaces/IPedigreePackageLens.sol";
import {BatchWord} from "./libraries/BatchWords.sol";
import {CivilDate} from "./libraries/CivilDate.sol";
import {PackageSlots} from "./libraries/PackageSlots.sol";
import {PackWords} from "./libraries/PackWords.sol";
import {Place, Places} from "./libraries/Places.sol";
import {SerialProofs} from "./libraries/SerialProofs.sol";
import {UnitWord} from "./libraries/UnitWords.sol";

/// @title Views of the package-level custody ledger
/// @notice See {IPedigreePackageLens}. It holds no state of its own: every answer is read from the
/// ledger's storage, through `extsload`, at the slots {PackageSlots} defines, and decoded with the
/// ledger's own codecs, so a view answers exactly what the ledger's steps check.
/// @dev The first read of a view asks for every slot it can name from its arguments at once (one
/// call); only what those words point to (a parent unit, a participant's address) costs another.
contract PedigreePackageLens is IPedigreePackageLens {
    /// @inheritdoc IPedigreePackageLens
    // solhint-disable-next-line immutable-vars-naming
    IPedigreePackageLedger public immutable ledger;

    /// @param ledger_ the ledger to read
    constructor(IPedigreePackageLedger ledger_) {
        ledger = ledger_;
    }

    /// @inheritdoc IPedigreePackageLens
    function verifyPack(
        uint64 gtin,
        string calldata lot,
        string calldata serial,
        uint256 index,
        bytes32[] calldata proof,
        uint32 labelExpiry,
        uint256 unit_
    ) external view returns (IPedigreePackageLedger.Verification memory result) {
        result.batchId = keccak256(abi.encode(gtin, lot));
        uint256 batchSlot = PackageSlots.batch(result.batchId);
        bytes32[] memory words = ledger.extsload(_slotsOfPack(batchSlot, index, unit_, true));
        BatchWord word = BatchWord.wrap(uint256(words[0]));
        if (!word.exists()) {
            // A batch implies its product, so the product is looked up only when the batch is unknown.
            result.verdict =
                ledger.product(gtin).manufacturer == address(0)
                    ? IPedigreePackageLedger.Verdict.UnknownProduct
                    : IPedigreePackageLedger.Verdict.UnknownBatch;
            return result;
        }
        if (index >= word.packCount() || SerialProofs.rootOf(proof, SerialProofs.leaf(index, serial)) != words[1]) {
            result.verdict = IPedigreePackageLedger.Verdict.UnknownSerial;
            return result;
        }
        if (labelExpiry != 0) {
            (bool valid, uint256 labelDay) = CivilDate.toEpochDay(labelExpiry);
            if (!valid || labelDay != word.expiryDay()) {
                result.verdict = IPedigreePackageLedger.Verdict.Mismatch;
                return result;
            }
        }
        result.location = _locationOf(word, index, unit_, uint256(words[2]), _hintWord(words, unit_, 3));
        result.verdict = _verdict(word, result.location);
    }

    /// @inheritdoc IPedigreePackageLens
    function batch(bytes32 batchId) external view returns (IPedigreePackageLedger.Batch memory result) {
        uint256 batchSlot = PackageSlots.batch(batchId);
        bytes32[] memory slots = new bytes32[](3);
        slots[0] = bytes32(batchSlot);
        slots[1] = bytes32(PackageSlots.serialsRoot(batchSlot));
        slots[2] = bytes32(PackageSlots.documentHash(batchSlot));
        bytes32[] memory words = ledger.extsload(slots);
        BatchWord word = BatchWord.wrap(uint256(words[0]));
        if (!word.exists()) return result;
        result.manufacturer = ledger.participantByNumber(word.manufacturer());
        result.status = IPedigreePackageLedger.BatchStatus(word.reportedStatus());
        result.expiry = word.expiryDate();
        result.packCount = uint32(word.packCount());
        result.number = word.number();
        result.packedUpTo = uint32(word.packedUpTo());
        result.serialsRoot = words[1];
        result.documentHash = words[2];
    }

    /// @inheritdoc IPedigreePackageLens
    function packLocation(
        bytes32 batchId,
        uint256 index,
        uint256 unit_
    ) external view returns (IPedigreePackageLedger.Location memory) {
        bytes32[] memory words = ledger.extsload(_slotsOfPack(PackageSlots.batch(batchId), index, unit_, false));
        BatchWord word = BatchWord.wrap(uint256(words[0]));
        if (!word.exists()) revert IPedigreePackageLedger.PedigreeUnknownBatch(batchId);
        if (index >= word.packCount()) {
            revert IPedigreePackageLedger.PedigreeIndexOutOfRange(batchId, index, word.packCount());
        }
        return _locationOf(word, index, unit_, uint256(words[1]), _hintWord(words, unit_, 2));
    }

    /// @inheritdoc IPedigreePackageLens
    function unit(uint256 sscc) external view returns (IPedigreePackageLedger.Unit memory result) {
        UnitWord word = _unitWord(sscc);
        if (!word.exists()) revert IPedigreePackageLedger.PedigreeUnknownUnit(sscc);
        Place own = word.place();
        (Place top, uint256 topSscc) = _topOf(sscc, word);
        result.location = _locationFrom(top, own.kind() == Places.Kind.InUnit ? own.parent() : 0, topSscc);
        result.opened = word.opened();
        result.rangeBatch = word.rangeBatch();
        result.rangeStart = uint32(word.rangeStart());
        result.rangeEnd = uint32(word.rangeEnd());
    }

    // ================================================================ internals

    /// @dev The slots a pack's place depends on that its arguments name: its batch's state word,
    /// (with `withRoot`) the serials root, its pack word and the record of the unit it is said to
    /// be in (when one is named).
    function _slotsOfPack(
        uint256 batchSlot,
        uint256 index,
        uint256 unitHint,
        bool withRoot
    ) private pure returns (bytes32[] memory slots) {
        uint256 count = (withRoot ? 3 : 2) + (unitHint != 0 ? 1 : 0);
        slots = new bytes32[](count);
        uint256 next;
        slots[next++] = bytes32(batchSlot);
        if (withRoot) slots[next++] = bytes32(PackageSlots.serialsRoot(batchSlot));
        slots[next++] = bytes32(PackageSlots.packWord(batchSlot, index));
        if (unitHint != 0) slots[next] = bytes32(PackageSlots.unit(unitHint));
    }

    function _hintWord(bytes32[] memory words, uint256 unitHint, uint256 at) private pure returns (UnitWord) {
        return unitHint != 0 ? UnitWord.wrap(uint256(words[at])) : UnitWord.wrap(0);
    }

    function _unitWord(uint256 sscc) private view returns (UnitWord) {
        return UnitWord.wrap(uint256(ledger.extsload(bytes32(PackageSlots.unit(sscc)))));
    }

    /// @return top the place of the top-most unit around `sscc` (its own place when it is not nested)
    /// @return topSscc that unit's SSCC
    function _topOf(uint256 sscc, UnitWord word) private view returns (Place top, uint256 topSscc) {
        topSscc = sscc;
        top = word.place();
        while (top.kind() == Places.Kind.InUnit) {
            topSscc = top.parent();
            top = _unitWord(topSscc).place();
        }
    }

    /// @dev See {PackWords-resolve}: a pack inside units reads as the place of the top-most one; a
    /// pack inside a range-packed unit not named is only known to be inside a unit.
    function _locationOf(
        BatchWord word,
        uint256 index,
        uint256 unitHint,
        uint256 packWord,
        UnitWord hintWord
    ) private view returns (IPedigreePackageLedger.Location memory location) {
        (Place own, uint256 parent) = PackWords.resolve(
            PackWords.placeIn(packWord, index),
            index,
            word,
            unitHint,
            hintWord
        );
        if (parent != 0) {
            (Place top, uint256 topSscc) = _topOf(parent, parent == unitHint ? hintWord : _unitWord(parent));
            location = _locationFrom(top, parent, topSscc);
        } else if (own.kind() == Places.Kind.Fresh) {
            location.kind = IPedigreePackageLedger.PlaceKind.InUnit;
        } else {
            location = _locationFrom(own, 0, 0);
        }
    }

    function _locationFrom(
        Place place,
        uint256 parent,
        uint256 top
    ) private view returns (IPedigreePackageLedger.Location memory location) {
        location.kind = IPedigreePackageLedger.PlaceKind(uint8(place.kind()));
        location.party = ledger.participantByNumber(place.party());
        location.parent = parent;
        location.top = top;
        if (location.kind == IPedigreePackageLedger.PlaceKind.InTransit) {
            location.recipient = ledger.participantByNumber(place.recipient());
        }
        if (location.kind == IPedigreePackageLedger.PlaceKind.Decommissioned) {
            location.state = IPedigreePackageLedger.PackState(place.decommissionState());
            location.at = place.decommissionedAt();
        }
    }

    /// @dev In the order docs/ARCHITECTURE.md gives ("Verdict order"): recall outranks dispensed,
    /// because the patient holding a dispensed pack must learn of the recall.
    function _verdict(
        BatchWord word,
        IPedigreePackageLedger.Location memory location
    ) private view returns (IPedigreePackageLedger.Verdict) {
        IPedigreePackageLedger.BatchStatus status = IPedigreePackageLedger.BatchStatus(word.reportedStatus());
        IPedigreePackageLedger.PlaceKind kind = location.kind;
        if (status == IPedigreePackageLedger.BatchStatus.Recalled) return IPedigreePackageLedger.Verdict.Recalled;
        if (status == IPedigreePackageLedger.BatchStatus.Suspended) return IPedigreePackageLedger.Verdict.Suspended;
        if (
            status == IPedigreePackageLedger.BatchStatus.Quarantined ||
            kind == IPedigreePackageLedger.PlaceKind.Quarantined
        ) return IPedigreePackageLedger.Verdict.Quarantined;
        if (
            kind == IPedigreePackageLedger.PlaceKind.Destroyed ||
            (kind == IPedigreePackageLedger.PlaceKind.Decommissioned &&
                location.state != IPedigreePackageLedger.PackState.Dispensed)
        ) return IPedigreePackageLedger.Verdict.Decommissioned;
        if (word.expiryDay() < block.timestamp / 1 days) return IPedigreePackageLedger.Verdict.Expired;
        if (kind == IPedigreePackageLedger.PlaceKind.Decommissioned) return IPedigreePackageLedger.Verdict.Dispensed;
        return IPedigreePackageLedger.Verdict.Genuine;
    }
}
