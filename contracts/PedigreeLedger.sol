// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreeLedger} from "./interfaces/IPedigreeLedger.sol";
import {PedigreeRegistry} from "./PedigreeRegistry.sol";
import {CivilDate} from "./libraries/CivilDate.sol";
import {SerialProofs} from "./libraries/SerialProofs.sol";

/// @title Pedigree custody ledger
/// @notice See {IPedigreeLedger}. The admin (two-step transfer with a delay) onboards
/// participants and can pause custody writes; participants act according to their role.
/// @dev Storage is laid out for gas: a participant is one word, at a slot derived from its address
/// without hashing (see `_PARTICIPANT_SLOTS`); a batch is two words, one for shipping
/// (manufacturer, status, expiry, the units its manufacturer holds) and one for decommissioning
/// (status, expiry, pack count, serials root), so that each of those reads one; a pending
/// shipment is one word (the hash of its content, passed back in calldata to settle it); pack
/// states are packed four to a word (state, who, when).
contract PedigreeLedger is IPedigreeLedger, PedigreeRegistry {
    uint256 private constant _PACKS_PER_WORD = 4;
    uint256 private constant _PACK_BITS = 64;
    uint256 private constant _PACK_MASK = (1 << 64) - 1;

    // The two batch words. Both carry the batch's state (status in 2 bits, then the expiry day in
    // 16), so shipping reads only the custody word and decommissioning only the pack-rules word.
    // The serials root is split: its high 208 bits sit in place in the pack-rules word, which is
    // what a proof is checked against (a 208-bit match is as hard to forge as a full one), and its
    // low 48 bits in the custody word, for the views that return the whole root.
    //   custody word:    manufacturer (bits 0-159) | state (160-177) | units at manufacturer (178-207) | root low (208-255)
    //   pack-rules word: state (bits 0-17) | pack count (18-47) | root high (48-255)
    uint256 private constant _CUSTODY_STATE = 160;
    uint256 private constant _CUSTODY_UNITS = 178;
    uint256 private constant _CUSTODY_ROOT = 208;
    uint256 private constant _RULES_STATE = 0;
    uint256 private constant _RULES_PACK_COUNT = 18;
    uint256 private constant _STATUS_MASK = 3;
    uint256 private constant _DAY_MASK = 0xffff;
    uint256 private constant _COUNT_MASK = (1 << 30) - 1;
    uint256 private constant _ROOT_LOW_MASK = (1 << 48) - 1;
    /// @dev 30 bits per count is what lets both words fit; a billion packs is far beyond any batch.
    uint256 private constant _MAX_PACK_COUNT = _COUNT_MASK;

    /// @dev The custody word. The units at the manufacturer are its own stock of the batch, kept here
    /// so that shipping from the source touches no second word.
    mapping(bytes32 batchId => uint256 word) private _custodyWords;
    mapping(bytes32 batchId => uint256 word) private _packRules;
    mapping(bytes32 batchId => bytes32 documentHash) private _documentHashes;
    /// @dev Stock of holders other than the batch's manufacturer.
    mapping(bytes32 batchId => mapping(address holder => uint256 units)) private _holdings;
    mapping(bytes32 shipmentId => bytes32 contentHash) private _pendingShipments;
    /// @dev Four 64-bit pack entries per word: state (8 bits) | participant number (24) | time (32).
    mapping(bytes32 batchId => mapping(uint256 wordIndex => uint256 word)) private _packWords;

    /// @param admin the first admin account
    /// @param adminTransferDelay delay before a new admin may accept the role
    constructor(address admin, uint48 adminTransferDelay) PedigreeRegistry(admin, adminTransferDelay) {}

    // ================================================================ products and batches

    /// @inheritdoc IPedigreeLedger
    function registerBatch(
        uint64 gtin,
        string calldata lot,
        uint32 expiry,
        uint32 packCount,
        bytes32 serialsRoot,
        bytes32 documentHash
    ) external whenNotPaused returns (bytes32 batchId) {
        uint256 expiryDay;
        (batchId, expiryDay, ) = _checkNewBatch(gtin, lot, expiry, packCount, _MAX_PACK_COUNT, serialsRoot);
        if (_packRules[batchId] != 0) revert PedigreeBatchExists(batchId);

        uint256 state = uint256(uint8(BatchStatus.Active)) | (expiryDay << 2);
        uint256 root = uint256(serialsRoot);
        _custodyWords[batchId] =
            uint256(uint160(msg.sender)) |
            (state << _CUSTODY_STATE) |
            (uint256(packCount) << _CUSTODY_UNITS) |
            ((root & _ROOT_LOW_MASK) << _CUSTODY_ROOT);
        _packRules[batchId] = (root & ~_ROOT_LOW_MASK) | (uint256(packCount) << _RULES_PACK_COUNT) | state;
        if (documentHash != bytes32(0)) _documentHashes[batchId] = documentHash;
        emit BatchRegistered(
            batchId,
            gtin,
            msg.sender,
            lot,
            uint32(CivilDate.toYyyymmdd(expiryDay)),
            packCount,
            serialsRoot,
            documentHash
        );
    }

    /// @inheritdoc IPedigreeLedger
    function recallBatch(bytes32 batchId, string calldata reason) external {
        Role callerRole = _roleIn(_requireActiveParticipant(msg.sender));
        uint256 custody = _existingBatch(batchId);
        address manufacturer = address(uint160(custody));
        if (callerRole != Role.Regulator && manufacturer != msg.sender) {
            revert PedigreeNotBatchManufacturer(batchId, msg.sender, manufacturer);
        }
        if (bytes(reason).length == 0) revert PedigreeEmptyReason();
        BatchStatus current = _statusIn(custody, _CUSTODY_STATE);
        if (current == BatchStatus.Recalled) {
            revert PedigreeInvalidBatchTransition(batchId, current, BatchStatus.Recalled);
        }
        _setStatus(batchId, custody, BatchStatus.Recalled);
        emit BatchRecalled(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreeLedger
    function suspendBatch(bytes32 batchId, string calldata reason) external {
        _requireActive(msg.sender, Role.Regulator);
        uint256 custody = _existingBatch(batchId);
        if (bytes(reason).length == 0) revert PedigreeEmptyReason();
        BatchStatus current = _statusIn(custody, _CUSTODY_STATE);
        if (current != BatchStatus.Active) {
            revert PedigreeInvalidBatchTransition(batchId, current, BatchStatus.Suspended);
        }
        _setStatus(batchId, custody, BatchStatus.Suspended);
        emit BatchSuspended(batchId, msg.sender, reason);
    }

    /// @inheritdoc IPedigreeLedger
    function reinstateBatch(bytes32 batchId) external whenNotPaused {
        _requireActive(msg.sender, Role.Regulator);
        uint256 custody = _existingBatch(batchId);
        BatchStatus current = _statusIn(custody, _CUSTODY_STATE);
        if (current != BatchStatus.Suspended) {
            revert PedigreeInvalidBatchTransition(batchId, current, BatchStatus.Active);
        }
        _setStatus(batchId, custody, BatchStatus.Active);
        emit BatchReinstated(batchId, msg.sender);
    }

    // ================================================================ custody

    /// @inheritdoc IPedigreeLedger
    /// @dev The usual shipment (one line, from its manufacturer to a distributor or a pharmacy)
    /// takes a hand-written way that reads no word twice and folds every check into two flags:
    /// a ship is five cold reads and two writes, and the Solidity version spent more on code than
    /// the 60,000 gas target left over (docs/ARCHITECTURE.md, "Gas"). Anything else, and any
    /// shipment one of those flags stops, goes to `_shipChecked`, which runs the checks one by one
    /// in their documented order and raises the first failing one's error; nothing is written
    /// before both flags are clear. Scratch space is used beyond its 64 bytes here: the free memory
    /// pointer (0x40) and the zero slot (0x60) are written back before Solidity code runs again.
    /// `to` is clean: the ABI decoder rejects an address with dirty high bits.
    // solhint-disable-next-line function-max-lines
    function ship(
        address to,
        bytes32 shipmentRef,
        ShipmentLine[] calldata lines
    ) external returns (bytes32 shipmentId) {
        bool stopped = paused();
        bytes32 shippedTopic = UnitsShipped.selector;
        assembly ("memory-safe") {
            let free := mload(0x40)
            let senderWord := sload(xor(_PARTICIPANT_SLOTS, caller()))
            let recipientWord := sload(xor(_PARTICIPANT_SLOTS, to))
            // The content hash of a one-line shipment as `_shipmentHash` computes it, from 0x0c:
            // `to` first, so that the sender's word then leaves the two addresses contiguous.
            mstore(0x14, to)
            mstore(0x00, caller())
            calldatacopy(0x34, lines.offset, 0x40)
            let contentHash := keccak256(0x0c, 0x68)
            // keccak256(abi.encode(msg.sender, shipmentRef, block.number)), the sender still in 0x00
            mstore(0x20, shipmentRef)
            mstore(0x40, number())
            shipmentId := keccak256(0x00, 0x60)
            mstore(0x00, shipmentId)
            mstore(0x20, _pendingShipments.slot)
            let pendingSlot := keccak256(0x00, 0x40)
            // Not paused, not pending, one line, an active manufacturer (role 2, no suspended bit)
            // shipping to an active distributor or pharmacy (its row of `_ROUTES`).
            if iszero(
                or(
                    or(or(stopped, sload(pendingSlot)), xor(lines.length, 1)),
                    or(xor(and(senderWord, 0x1ff), 2), iszero(and(shr(and(recipientWord, 0x1ff), shr(16, _ROUTES)), 1)))
                )
            ) {
                let batchId := calldataload(lines.offset)
                let quantity := calldataload(add(lines.offset, 0x20))
                mstore(0x00, batchId)
                mstore(0x20, _custodyWords.slot)
                let slot := keccak256(0x00, 0x40)
                let custody := sload(slot)
                // See `_shipFromManufacturer`.
                if iszero(
                    or(
                        or(
                            shl(94, xor(custody, or(caller(), shl(160, 1)))),
                            lt(and(shr(162, custody), 0xffff), div(timestamp(), 86400))
                        ),
                        or(iszero(quantity), gt(quantity, and(shr(178, custody), 0x3fffffff)))
                    )
                ) {
                    mstore(0x00, to)
                    mstore(0x20, quantity)
                    mstore(0x40, shipmentRef)
                    log4(0x00, 0x60, shippedTopic, batchId, shipmentId, caller())
                    // quantity <= units: the subtraction stays inside the units field.
                    sstore(slot, sub(custody, shl(178, quantity)))
                    sstore(pendingSlot, contentHash)
                    mstore(0x00, shipmentId)
                    return(0x00, 0x20)
                }
            }
            mstore(0x40, free)
            mstore(0x60, 0)
        }
        return _shipChecked(to, shipmentRef, lines);
    }

    /// @inheritdoc IPedigreeLedger
    function receiveShipment(bytes32 shipmentId, address from, ShipmentLine[] calldata lines) external whenNotPaused {
        Role recipientRole = _roleIn(_requireActiveParticipant(msg.sender));
        _settle(shipmentId, _shipmentHash(from, msg.sender, lines));
        for (uint256 i; i < lines.length; ++i) {
            ShipmentLine calldata line = lines[i];
            _credit(line.batchId, msg.sender, recipientRole, line.quantity);
            emit UnitsReceived(line.batchId, shipmentId, msg.sender, from, line.quantity);
        }
    }

    /// @inheritdoc IPedigreeLedger
    function rejectShipment(
        bytes32 shipmentId,
        address from,
        ShipmentLine[] calldata lines,
        string calldata reason
    ) external whenNotPaused {
        _requireActiveParticipant(msg.sender);
        if (bytes(reason).length == 0) revert PedigreeEmptyReason();
        _settle(shipmentId, _shipmentHash(from, msg.sender, lines));
        Role senderRole = _roleIn(_participantWord(from));
        for (uint256 i; i < lines.length; ++i) {
            ShipmentLine calldata line = lines[i];
            _credit(line.batchId, from, senderRole, line.quantity);
            emit UnitsRejected(line.batchId, shipmentId, msg.sender, from, line.quantity, reason);
        }
    }

    /// @inheritdoc IPedigreeLedger
    function cancelShipment(bytes32 shipmentId, address to, ShipmentLine[] calldata lines) external whenNotPaused {
        Role senderRole = _roleIn(_requireActiveParticipant(msg.sender));
        _settle(shipmentId, _shipmentHash(msg.sender, to, lines));
        for (uint256 i; i < lines.length; ++i) {
            ShipmentLine calldata line = lines[i];
            _credit(line.batchId, msg.sender, senderRole, line.quantity);
            emit ShipmentCancelled(line.batchId, shipmentId, msg.sender, to, line.quantity);
        }
    }

    // ================================================================ packs

    /// @inheritdoc IPedigreeLedger
    function decommission(
        bytes32 batchId,
        uint256 index,
        string calldata serial,
        bytes32[] calldata proof,
        PackState state
    ) external whenNotPaused {
        (Role holderRole, uint24 holderNumber, uint256 rules) = _checkDecommission(batchId, state);
        uint256 packCount = (rules >> _RULES_PACK_COUNT) & _COUNT_MASK;
        if (index >= packCount) revert PedigreeIndexOutOfRange(batchId, index, packCount);
        if (!_matchesRoot(SerialProofs.rootOf(proof, SerialProofs.leaf(index, serial)), rules))
            revert PedigreeInvalidProof(batchId, index);
        mapping(uint256 => uint256) storage words = _packWords[batchId];
        uint256 wordIndex = index / _PACKS_PER_WORD;
        words[wordIndex] = _setPack(batchId, words[wordIndex], index, state, holderNumber);
        _debit(batchId, _custodyIfManufacturer(batchId, holderRole), msg.sender, holderRole, 1);
        emit PackDecommissioned(batchId, index, msg.sender, state);
    }

    /// @inheritdoc IPedigreeLedger
    function decommissionMany(
        bytes32 batchId,
        uint256[] calldata indexes,
        string[] calldata serials,
        bytes32[] calldata proof,
        bytes calldata proofFlags,
        PackState state
    ) external whenNotPaused {
        (Role holderRole, uint24 holderNumber, uint256 rules) = _checkDecommission(batchId, state);
        uint256 count = indexes.length;
        if (count != serials.length) revert PedigreeLengthMismatch(count, serials.length);
        if (count == 0) revert PedigreeZeroQuantity(batchId);
        uint256 packCount = (rules >> _RULES_PACK_COUNT) & _COUNT_MASK;
        // The leaves, then one hash per step of the multiproof (`count + proof.length - 1` steps).
        bytes32[] memory queue = new bytes32[](2 * count + proof.length - 1);
        for (uint256 i; i < count; ++i) {
            if (indexes[i] >= packCount) revert PedigreeIndexOutOfRange(batchId, indexes[i], packCount);
            queue[i] = SerialProofs.leaf(indexes[i], serials[i]);
        }
        (bool wellFormed, bytes32 root) = SerialProofs.multiProofRoot(queue, count, proof, proofFlags);
        if (!wellFormed || !_matchesRoot(root, rules)) revert PedigreeInvalidProof(batchId, indexes[0]);
        _debit(batchId, _custodyIfManufacturer(batchId, holderRole), msg.sender, holderRole, count);
        // Packs that share a status word are written together.
        mapping(uint256 => uint256) storage words = _packWords[batchId];
        uint256 wordIndex = indexes[0] / _PACKS_PER_WORD;
        uint256 word = words[wordIndex];
        for (uint256 i; i < count; ++i) {
            uint256 index = indexes[i];
            uint256 nextWordIndex = index / _PACKS_PER_WORD;
            if (nextWordIndex != wordIndex) {
                words[wordIndex] = word;
                wordIndex = nextWordIndex;
                word = words[wordIndex];
            }
            word = _setPack(batchId, word, index, state, holderNumber);
            emit PackDecommissioned(batchId, index, msg.sender, state);
        }
        words[wordIndex] = word;
    }

    /// @inheritdoc IPedigreeLedger
    function reactivate(bytes32 batchId, uint256 index) external whenNotPaused {
        uint256 callerWord = _requireActiveParticipant(msg.sender);
        uint256 rules = _existingPackRules(batchId);
        if (!_isSupplyable(rules, _RULES_STATE, _today())) {
            revert PedigreeDispenseNotAllowed(batchId, _statusIn(rules, _RULES_STATE), _expiryIn(rules, _RULES_STATE));
        }
        uint256 wordIndex = index / _PACKS_PER_WORD;
        uint256 word = _packWords[batchId][wordIndex];
        uint256 shift = (index % _PACKS_PER_WORD) * _PACK_BITS;
        uint256 entry = (word >> shift) & _PACK_MASK;
        PackState current = PackState(uint8(entry >> 56));
        if (current != PackState.Dispensed && current != PackState.Locked) {
            revert PedigreeUndoNotAllowed(batchId, index, current);
        }
        uint24 by = uint24(entry >> 32);
        if (by != _numberIn(callerWord)) revert PedigreeUndoByOtherParty(batchId, index, _accountsByNumber[by]);
        uint32 at = uint32(entry);
        if (current == PackState.Dispensed && block.timestamp > uint256(at) + UNDO_WINDOW) {
            revert PedigreeUndoWindowClosed(batchId, index, at, uint256(at) + UNDO_WINDOW);
        }
        _packWords[batchId][wordIndex] = word & ~(_PACK_MASK << shift);
        _credit(batchId, msg.sender, _roleIn(callerWord), 1);
        emit PackReactivated(batchId, index, msg.sender, current);
    }

    // ================================================================ views

    /// @inheritdoc IPedigreeLedger
    function verifyPack(
        uint64 gtin,
        string calldata lot,
        string calldata serial,
        uint256 index,
        bytes32[] calldata proof,
        uint32 labelExpiry
    ) external view returns (Verification memory result) {
        result.batchId = keccak256(abi.encode(gtin, lot));
        uint256 rules = _packRules[result.batchId];
        if (rules == 0) {
            // A batch implies its product, so the product is looked up only when the batch is unknown.
            result.verdict = _products[gtin].manufacturer == address(0) ? Verdict.UnknownProduct : Verdict.UnknownBatch;
            return result;
        }
        // The document hash is left out here (read it with `batch`): the verdict does not depend on
        // it, and skipping its storage read keeps verification within its gas budget.
        result.batch = _batchOf(_custodyWords[result.batchId], rules);
        if (
            index >= result.batch.packCount ||
            SerialProofs.rootOf(proof, SerialProofs.leaf(index, serial)) != result.batch.serialsRoot
        ) {
            result.verdict = Verdict.UnknownSerial;
            return result;
        }
        uint256 expiryDay = _dayIn(rules, _RULES_STATE);
        if (labelExpiry != 0) {
            (bool valid, uint256 labelDay) = CivilDate.toEpochDay(labelExpiry);
            if (!valid || labelDay != expiryDay) {
                result.verdict = Verdict.Mismatch;
                return result;
            }
        }
        result.pack = _packRecord(result.batchId, index);
        BatchStatus status = result.batch.status;
        if (status == BatchStatus.Recalled) result.verdict = Verdict.Recalled;
        else if (status == BatchStatus.Suspended) result.verdict = Verdict.Suspended;
        else if (result.pack.state != PackState.Active && result.pack.state != PackState.Dispensed) {
            result.verdict = Verdict.Decommissioned;
        } else if (expiryDay < _today()) result.verdict = Verdict.Expired;
        else if (result.pack.state == PackState.Dispensed) result.verdict = Verdict.Dispensed;
        else result.verdict = Verdict.Genuine;
    }

    /// @inheritdoc IPedigreeLedger
    function batch(bytes32 batchId) external view returns (Batch memory) {
        uint256 rules = _packRules[batchId];
        if (rules == 0) return Batch(address(0), BatchStatus.None, 0, 0, 0, 0);
        Batch memory result = _batchOf(_custodyWords[batchId], rules);
        result.documentHash = _documentHashes[batchId];
        return result;
    }

    /// @inheritdoc IPedigreeLedger
    function unitsHeld(bytes32 batchId, address holder) external view returns (uint256) {
        uint256 custody = _custodyWords[batchId];
        if (holder == address(uint160(custody))) return (custody >> _CUSTODY_UNITS) & _COUNT_MASK;
        return _holdings[batchId][holder];
    }

    /// @inheritdoc IPedigreeLedger
    function pendingShipment(bytes32 shipmentId) external view returns (bytes32) {
        return _pendingShipments[shipmentId];
    }

    /// @inheritdoc IPedigreeLedger
    function packRecord(bytes32 batchId, uint256 index) external view returns (PackRecord memory) {
        return _packRecord(batchId, index);
    }

    /// @inheritdoc IPedigreeLedger
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32) {
        return keccak256(abi.encode(gtin, lot));
    }

    // ================================================================ internals

    /// @return custody the batch's custody word (never zero for a registered batch: it holds the manufacturer)
    function _existingBatch(bytes32 batchId) private view returns (uint256 custody) {
        custody = _custodyWords[batchId];
        if (custody == 0) revert PedigreeUnknownBatch(batchId);
    }

    /// @return rules the batch's pack-rules word (never zero for a registered batch: the pack count is not)
    function _existingPackRules(bytes32 batchId) private view returns (uint256 rules) {
        rules = _packRules[batchId];
        if (rules == 0) revert PedigreeUnknownBatch(batchId);
    }

    /// @dev Both batch words carry the status; status changes are rare, reads are not.
    function _setStatus(bytes32 batchId, uint256 custody, BatchStatus status) private {
        uint256 value = uint256(uint8(status));
        _custodyWords[batchId] = (custody & ~(_STATUS_MASK << _CUSTODY_STATE)) | (value << _CUSTODY_STATE);
        _packRules[batchId] = (_packRules[batchId] & ~(_STATUS_MASK << _RULES_STATE)) | (value << _RULES_STATE);
    }

    function _statusIn(uint256 word, uint256 stateOffset) private pure returns (BatchStatus) {
        return BatchStatus((word >> stateOffset) & _STATUS_MASK);
    }

    function _dayIn(uint256 word, uint256 stateOffset) private pure returns (uint256) {
        return (word >> (stateOffset + 2)) & _DAY_MASK;
    }

    function _expiryIn(uint256 word, uint256 stateOffset) private pure returns (uint32) {
        return uint32(CivilDate.toYyyymmdd(_dayIn(word, stateOffset)));
    }

    /// @dev Active and not past its expiry day: what supplying (shipping on, dispensing) requires.
    function _isSupplyable(uint256 word, uint256 stateOffset, uint256 today) private pure returns (bool) {
        return _statusIn(word, stateOffset) == BatchStatus.Active && _dayIn(word, stateOffset) >= today;
    }

    /// @dev Only a manufacturer's stock lives in the custody word, so a pharmacy's decommission reads
    /// no custody word at all.
    function _custodyIfManufacturer(bytes32 batchId, Role holderRole) private view returns (uint256) {
        return holderRole == Role.Manufacturer ? _custodyWords[batchId] : 0;
    }

    function _batchOf(uint256 custody, uint256 rules) private pure returns (Batch memory) {
        return
            Batch(
                address(uint160(custody)),
                _statusIn(rules, _RULES_STATE),
                _expiryIn(rules, _RULES_STATE),
                uint32((rules >> _RULES_PACK_COUNT) & _COUNT_MASK),
                bytes32((rules & ~_ROOT_LOW_MASK) | (custody >> _CUSTODY_ROOT)),
                bytes32(0)
            );
    }

    /// @dev A proof is checked against the high 208 bits of the serials root, the part the
    /// pack-rules word holds.
    function _matchesRoot(bytes32 computed, uint256 rules) private pure returns (bool) {
        return ((uint256(computed) ^ rules) & ~_ROOT_LOW_MASK) == 0;
    }

    /// @dev A manufacturer only ever holds its own batches (routes allow returns to the batch's
    /// manufacturer only), so its stock lives in the custody word. Decommissioning is its only user
    /// since `ship` debits in assembly: `quantity` is one pack, or the count of a list refused empty.
    /// @param custody the batch's custody word (read only for a manufacturer holder)
    function _debit(bytes32 batchId, uint256 custody, address holder, Role holderRole, uint256 quantity) private {
        if (holderRole == Role.Manufacturer) {
            uint256 held = address(uint160(custody)) == holder ? (custody >> _CUSTODY_UNITS) & _COUNT_MASK : 0;
            if (held < quantity) revert PedigreeInsufficientUnits(batchId, holder, held, quantity);
            // quantity <= held, so the subtraction stays inside the units field.
            _custodyWords[batchId] = custody - (quantity << _CUSTODY_UNITS);
        } else {
            mapping(address => uint256) storage holdings = _holdings[batchId];
            uint256 held = holdings[holder];
            if (held < quantity) revert PedigreeInsufficientUnits(batchId, holder, held, quantity);
            unchecked {
                holdings[holder] = held - quantity;
            }
        }
    }

    function _credit(bytes32 batchId, address holder, Role holderRole, uint256 quantity) private {
        if (holderRole == Role.Manufacturer) {
            // Stays inside the units field: units are conserved and never exceed the pack count.
            _custodyWords[batchId] += quantity << _CUSTODY_UNITS;
        } else {
            _holdings[batchId][holder] += quantity;
        }
    }

    /// @dev `ship` the general way: the checks before the lines one by one, in their documented
    /// order, then the lines; the checks of a line are folded into one flag, and `_revertShipmentLine`
    /// names the failing one when it is set.
    function _shipChecked(
        address to,
        bytes32 shipmentRef,
        ShipmentLine[] calldata lines
    ) private returns (bytes32 shipmentId) {
        _requireNotPaused();
        uint256 senderWord = _participantWord(msg.sender);
        uint256 recipientWord = _participantWord(to);
        _requireActiveWord(msg.sender, senderWord);
        _requireActiveWord(to, recipientWord);
        Role senderRole = _roleIn(senderWord);
        Role recipientRole = _roleIn(recipientWord);
        // A shipment to oneself would record a handoff that never happened.
        if (to == msg.sender || !_isRouteAllowed(senderRole, recipientRole)) {
            revert PedigreeRouteNotAllowed(msg.sender, senderRole, to, recipientRole);
        }
        if (lines.length == 0) revert PedigreeEmptyShipment();

        shipmentId = keccak256(abi.encode(msg.sender, shipmentRef, block.number));
        if (_pendingShipments[shipmentId] != bytes32(0)) revert PedigreeShipmentExists(shipmentId);
        _pendingShipments[shipmentId] = _shipmentHash(msg.sender, to, lines);

        uint256 failedLine =
            senderRole == Role.Manufacturer
                ? _shipFromManufacturer(shipmentId, to, shipmentRef, lines)
                : _shipFromHolder(shipmentId, to, shipmentRef, lines, recipientRole == Role.Manufacturer);
        if (failedLine != 0) _revertShipmentLine(lines[failedLine - 1], to, senderWord, recipientWord);
    }

    /// @dev Debits and announces each line shipped by a manufacturer, whose stock is the units field
    /// of the custody word (bits 178-207) of its own batches only. A line fails when its batch is
    /// unknown (a zero word), another manufacturer's (bits 0-159), not active (status 1 in bits
    /// 160-161) or past its expiry day (bits 162-177), or its quantity is zero or more than the
    /// units held; the lines before it are then debited already (the caller reverts).
    /// @return failedLine 1 + the index of the line that failed, or 0
    function _shipFromManufacturer(
        bytes32 shipmentId,
        address to,
        bytes32 shipmentRef,
        ShipmentLine[] calldata lines
    ) private returns (uint256 failedLine) {
        bytes32 shippedTopic = UnitsShipped.selector;
        assembly ("memory-safe") {
            // UnitsShipped data in free memory: to | quantity | shipmentRef.
            let data := mload(0x40)
            mstore(data, to)
            mstore(add(data, 0x40), shipmentRef)
            let today := div(timestamp(), 86400)
            let own := or(caller(), shl(160, 1)) // the sender as manufacturer, status Active
            mstore(0x20, _custodyWords.slot)
            let end := add(lines.offset, shl(6, lines.length))
            for {
                let line := lines.offset
            } lt(line, end) {
                line := add(line, 0x40)
            } {
                let batchId := calldataload(line)
                let quantity := calldataload(add(line, 0x20))
                mstore(0x00, batchId)
                let slot := keccak256(0x00, 0x40)
                let custody := sload(slot)
                if or(
                    or(shl(94, xor(custody, own)), lt(and(shr(162, custody), 0xffff), today)),
                    or(iszero(quantity), gt(quantity, and(shr(178, custody), 0x3fffffff)))
                ) {
                    failedLine := add(1, shr(6, sub(line, lines.offset)))
                    break
                }
                // quantity <= units: the subtraction stays inside the units field.
                sstore(slot, sub(custody, shl(178, quantity)))
                mstore(add(data, 0x20), quantity)
                log4(data, 0x60, shippedTopic, batchId, shipmentId, caller())
            }
        }
    }

    /// @dev Debits and announces each line shipped by a distributor or a pharmacy, whose stock is in
    /// `_holdings`. A line fails when its batch is unknown, when it is a return (`isReturn`: to a
    /// manufacturer) and the batch is another manufacturer's, when it is not a return and the batch
    /// is not active or past its expiry day, or when its quantity is zero or more than the units held.
    /// @return failedLine 1 + the index of the line that failed, or 0
    function _shipFromHolder(
        bytes32 shipmentId,
        address to,
        bytes32 shipmentRef,
        ShipmentLine[] calldata lines,
        bool isReturn
    ) private returns (uint256 failedLine) {
        bytes32 shippedTopic = UnitsShipped.selector;
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, to)
            mstore(add(data, 0x40), shipmentRef)
            let today := div(timestamp(), 86400)
            let end := add(lines.offset, shl(6, lines.length))
            for {
                let line := lines.offset
            } lt(line, end) {
                line := add(line, 0x40)
            } {
                let batchId := calldataload(line)
                let quantity := calldataload(add(line, 0x20))
                mstore(0x00, batchId)
                mstore(0x20, _custodyWords.slot)
                let custody := sload(keccak256(0x00, 0x40))
                mstore(0x20, _holdings.slot)
                mstore(0x20, keccak256(0x00, 0x40))
                mstore(0x00, caller())
                let slot := keccak256(0x00, 0x40)
                let held := sload(slot)
                let movable
                switch isReturn
                case 0 {
                    movable := and(eq(and(shr(160, custody), 3), 1), iszero(lt(and(shr(162, custody), 0xffff), today)))
                }
                default {
                    movable := eq(and(custody, 0xffffffffffffffffffffffffffffffffffffffff), to)
                }
                if or(iszero(movable), or(iszero(quantity), gt(quantity, held))) {
                    failedLine := add(1, shr(6, sub(line, lines.offset)))
                    break
                }
                sstore(slot, sub(held, quantity))
                mstore(add(data, 0x20), quantity)
                log4(data, 0x60, shippedTopic, batchId, shipmentId, caller())
            }
        }
    }

    /// @dev The checks of one line of `ship`, one by one in their documented order: called only
    /// when their combined flag is set, so the last one fails if no other did.
    function _revertShipmentLine(
        ShipmentLine calldata line,
        address to,
        uint256 senderWord,
        uint256 recipientWord
    ) private view {
        bytes32 batchId = line.batchId;
        uint256 custody = _existingBatch(batchId);
        if (_roleIn(recipientWord) == Role.Manufacturer) {
            address manufacturer = address(uint160(custody));
            if (manufacturer != to) revert PedigreeReturnToOtherManufacturer(batchId, to, manufacturer);
        } else if (!_isSupplyable(custody, _CUSTODY_STATE, _today())) {
            revert PedigreeBatchNotMovable(
                batchId,
                _statusIn(custody, _CUSTODY_STATE),
                _expiryIn(custody, _CUSTODY_STATE)
            );
        }
        uint256 quantity = line.quantity;
        if (quantity == 0) revert PedigreeZeroQuantity(batchId);
        uint256 held;
        if (_roleIn(senderWord) == Role.Manufacturer) {
            // A manufacturer's stock is in the custody word of its own batches.
            if (address(uint160(custody)) == msg.sender) held = (custody >> _CUSTODY_UNITS) & _COUNT_MASK;
        } else {
            held = _holdings[batchId][msg.sender];
        }
        revert PedigreeInsufficientUnits(batchId, msg.sender, held, quantity);
    }

    function _settle(bytes32 shipmentId, bytes32 expectedHash) private {
        bytes32 stored = _pendingShipments[shipmentId];
        if (stored == bytes32(0)) revert PedigreeShipmentNotPending(shipmentId);
        if (stored != expectedHash) revert PedigreeShipmentMismatch(shipmentId);
        delete _pendingShipments[shipmentId];
    }

    /// @dev keccak256(abi.encodePacked(from, to, lines)): lines are static structs, so their
    /// calldata is one contiguous run that is hashed as it is, without an ABI re-encoding.
    function _shipmentHash(
        address from,
        address to,
        ShipmentLine[] calldata lines
    ) private pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            let pointer := mload(0x40)
            mstore(pointer, shl(96, from))
            mstore(add(pointer, 20), shl(96, to))
            let size := mul(lines.length, 64)
            calldatacopy(add(pointer, 40), lines.offset, size)
            hash := keccak256(pointer, add(40, size))
        }
    }

    function _checkDecommission(
        bytes32 batchId,
        PackState state
    ) private view returns (Role holderRole, uint24 holderNumber, uint256 rules) {
        uint256 holder = _requireActiveParticipant(msg.sender);
        (holderRole, holderNumber) = (_roleIn(holder), _numberIn(holder));
        rules = _existingPackRules(batchId);
        if (state == PackState.Active) revert PedigreeInvalidPackState(state);
        if (state == PackState.Dispensed) {
            if (holderRole != Role.Pharmacy) revert AccessControlUnauthorizedAccount(msg.sender, PHARMACY_ROLE);
        } else if (holderRole == Role.Regulator) {
            revert PedigreeRoleNotAllowed(msg.sender, holderRole);
        }
        // Destroying, reporting stolen or locking stays possible for stock that may not be supplied.
        if (state == PackState.Dispensed || state == PackState.Sample || state == PackState.Exported) {
            if (!_isSupplyable(rules, _RULES_STATE, _today())) {
                revert PedigreeDispenseNotAllowed(
                    batchId,
                    _statusIn(rules, _RULES_STATE),
                    _expiryIn(rules, _RULES_STATE)
                );
            }
        }
    }

    function _setPack(
        bytes32 batchId,
        uint256 word,
        uint256 index,
        PackState state,
        uint24 number
    ) private view returns (uint256) {
        uint256 shift = (index % _PACKS_PER_WORD) * _PACK_BITS;
        uint256 entry = (word >> shift) & _PACK_MASK;
        if (entry != 0) revert PedigreePackNotActive(batchId, index, PackState(uint8(entry >> 56)));
        entry = (uint256(uint8(state)) << 56) | (uint256(number) << 32) | uint256(uint32(block.timestamp));
        return word | (entry << shift);
    }

    function _packRecord(bytes32 batchId, uint256 index) private view returns (PackRecord memory) {
        uint256 word = _packWords[batchId][index / _PACKS_PER_WORD];
        uint256 entry = (word >> ((index % _PACKS_PER_WORD) * _PACK_BITS)) & _PACK_MASK;
        if (entry == 0) return PackRecord(PackState.Active, address(0), 0);
        return PackRecord(PackState(uint8(entry >> 56)), _accountsByNumber[uint24(entry >> 32)], uint32(entry));
    }
}
