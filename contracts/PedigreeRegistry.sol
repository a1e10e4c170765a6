// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl, IAccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IPedigreeRegistry} from "./interfaces/IPedigreeRegistry.sol";
import {Gs1} from "./libraries/Gs1.sol";
import {CivilDate} from "./libraries/CivilDate.sol";

/// @title Pedigree participant registry
/// @notice See {IPedigreeRegistry}: the participants (organisations with a role, a legal name, a
/// GLN and an active or suspended flag), the GS1 company prefixes assigned to manufacturers, and
/// the products registered under them. The custody ledger builds on it.
/// @dev A participant is one word, at a slot derived from its address without hashing (see
/// `_PARTICIPANT_SLOTS`), so that a custody step reads each party it names for one cold read.
abstract contract PedigreeRegistry is IPedigreeRegistry, AccessControlDefaultAdminRules, Pausable {
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    bytes32 public constant MANUFACTURER_ROLE = keccak256("MANUFACTURER_ROLE");
    bytes32 public constant DISTRIBUTOR_ROLE = keccak256("DISTRIBUTOR_ROLE");
    bytes32 public constant PHARMACY_ROLE = keccak256("PHARMACY_ROLE");

    uint256 public constant MAX_NAME_LENGTH = 128;
    uint256 public constant MAX_LOT_LENGTH = 20;
    /// @notice How long the pharmacy that dispensed a pack may undo it (EU delegated regulation 2016/161).
    uint256 public constant UNDO_WINDOW = 10 days;

    // A participant word: role (bits 0-7) | suspended (8) | number (16-39) | GLN (40-103). It lives at
    // slot `_PARTICIPANT_SLOTS ^ account` instead of in a mapping, so that reading it hashes nothing
    // (a ship reads two). _PARTICIPANT_SLOTS is keccak256("pedigree.participants"): every such slot
    // shares its high 96 bits, a range that no slot Solidity numbers (small integers) or derives
    // (keccak256 outputs, 2^-96 odds each) falls in. (A full 256-bit constant also keeps the
    // optimizer from building it with a shift, which costs gas.)
    uint256 internal constant _PARTICIPANT_SLOTS = 0x4e04822cb347e1730b8ec316569746774091b83e278f718c7b694de6d0da9730;
    uint256 internal constant _SUSPENDED = 1 << 8;
    uint256 internal constant _PARTICIPANT_NUMBER = 16;
    uint256 internal constant _PARTICIPANT_GLN = 40;

    /// @dev Allowed routes: bit `8 * uint8(from) + uint8(to)` is set for each pair of roles that may
    /// ship (manufacturer to distributor or pharmacy; distributor to distributor, pharmacy or
    /// manufacturer; pharmacy to distributor or manufacturer). A return to a manufacturer is further
    /// checked per line against the batch's manufacturer.
    uint256 internal constant _ROUTES = 0xc1c180000;

    mapping(address account => string legalName) internal _legalNames;
    mapping(uint24 number => address account) internal _accountsByNumber;
    uint24 internal _participantCount;

    mapping(uint256 prefixKey => address manufacturer) internal _prefixOwners;
    mapping(uint64 gtin => Product product) internal _products;

    /// @param admin the first admin account
    /// @param adminTransferDelay delay before a new admin may accept the role
    constructor(address admin, uint48 adminTransferDelay) AccessControlDefaultAdminRules(adminTransferDelay, admin) {}

    // ================================================================ administration

    /// @inheritdoc IPedigreeRegistry
    function onboardParticipant(
        address account,
        Role role,
        string calldata legalName,
        uint64 gln
    ) external onlyRole(DEFAULT_ADMIN_ROLE) whenNotPaused {
        if (account == address(0) || role == Role.None) revert PedigreeRoleNotAllowed(account, role);
        Role existing = _roleIn(_participantWord(account));
        if (existing != Role.None) revert PedigreeParticipantExists(account, existing);
        _requireName(legalName);
        if (!Gs1.isValidGln(gln)) revert PedigreeInvalidGln(gln);
        uint24 number = ++_participantCount;
        _setParticipantWord(
            account,
            uint256(uint8(role)) | (uint256(number) << _PARTICIPANT_NUMBER) | (uint256(gln) << _PARTICIPANT_GLN)
        );
        _legalNames[account] = legalName;
        _accountsByNumber[number] = account;
        emit ParticipantOnboarded(account, role, number, gln, legalName);
    }

    /// @inheritdoc IPedigreeRegistry
    function suspendParticipant(address account, string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 word = _participantWord(account);
        if (_roleIn(word) == Role.None) revert PedigreeNotParticipant(account);
        if (word & _SUSPENDED != 0) revert PedigreeParticipantSuspended(account);
        _requireReason(reason);
        _setParticipantWord(account, word | _SUSPENDED);
        emit ParticipantSuspended(account, msg.sender, reason);
    }

    /// @inheritdoc IPedigreeRegistry
    function reinstateParticipant(
        address account,
        string calldata reason
    ) external onlyRole(DEFAULT_ADMIN_ROLE) whenNotPaused {
        uint256 word = _participantWord(account);
        if (_roleIn(word) == Role.None) revert PedigreeNotParticipant(account);
        if (word & _SUSPENDED == 0) revert PedigreeParticipantNotSuspended(account);
        _requireReason(reason);
        _setParticipantWord(account, word & ~_SUSPENDED);
        emit ParticipantReinstated(account, msg.sender, reason);
    }

    /// @inheritdoc IPedigreeRegistry
    function assignCompanyPrefix(
        address manufacturer,
        string calldata prefix
    ) external onlyRole(DEFAULT_ADMIN_ROLE) whenNotPaused {
        Role role = _roleIn(_participantWord(manufacturer));
        if (role != Role.Manufacturer) revert PedigreeRoleNotAllowed(manufacturer, role);
        uint256 key = Gs1.companyPrefixKey(bytes(prefix));
        if (key == 0) revert PedigreeInvalidCompanyPrefix(prefix);
        address owner = _prefixOwners[key];
        if (owner != address(0)) revert PedigreeCompanyPrefixTaken(prefix, owner);
        // A prefix inside one already assigned would hand part of that numbering space to another
        // manufacturer. (A shorter prefix around assigned longer ones is resolved at product
        // registration, where the longest assigned prefix of a GTIN decides.)
        uint256 length = key >> 64;
        uint256 value = key & type(uint64).max;
        for (uint256 shorter = 6; shorter < length; ++shorter) {
            owner = _prefixOwners[Gs1.prefixKey(shorter, value / 10 ** (length - shorter))];
            if (owner != address(0)) revert PedigreeCompanyPrefixTaken(prefix, owner);
        }
        _prefixOwners[key] = manufacturer;
        emit CompanyPrefixAssigned(manufacturer, prefix);
    }

    /// @inheritdoc IPedigreeRegistry
    function pause(string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireReason(reason);
        _pause();
        emit LedgerPaused(msg.sender, reason);
    }

    /// @inheritdoc IPedigreeRegistry
    function unpause(string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireReason(reason);
        _unpause();
        emit LedgerUnpaused(msg.sender, reason);
    }

    /// @notice Participant roles follow the participant registry: an account has one, and loses
    /// it while suspended.
    function hasRole(bytes32 role, address account) public view override(AccessControl, IAccessControl) returns (bool) {
        Role participantRole = _roleOf(role);
        if (participantRole == Role.None) return super.hasRole(role, account);
        uint256 word = _participantWord(account);
        return _roleIn(word) == participantRole && word & _SUSPENDED == 0;
    }

    /// @dev Participant roles are granted by onboarding only, so the registry stays the one truth.
    function grantRole(bytes32 role, address account) public override {
        if (_roleOf(role) != Role.None) revert PedigreeUseParticipantRegistry(role);
        super.grantRole(role, account);
    }

    /// @dev Participants are suspended, not revoked, so their history keeps its names.
    function revokeRole(bytes32 role, address account) public override {
        if (_roleOf(role) != Role.None) revert PedigreeUseParticipantRegistry(role);
        super.revokeRole(role, account);
    }

    function renounceRole(bytes32 role, address account) public override {
        if (_roleOf(role) != Role.None) revert PedigreeUseParticipantRegistry(role);
        super.renounceRole(role, account);
    }

    // ================================================================ products

    /// @inheritdoc IPedigreeRegistry
    function registerProduct(
        uint64 gtin,
        string calldata name,
        string calldata strength,
        string calldata dosageForm
    ) external whenNotPaused {
        _requireActive(msg.sender, Role.Manufacturer);
        if (!Gs1.isValidGtin14(gtin)) revert PedigreeInvalidGtin(gtin);
        address existing = _products[gtin].manufacturer;
        if (existing != address(0)) revert PedigreeProductExists(gtin, existing);
        if (!_isUnderCompanyPrefixOf(gtin, msg.sender)) revert PedigreeGtinOutsideCompanyPrefixes(gtin, msg.sender);
        _requireName(name);
        _requireName(strength);
        _requireName(dosageForm);
        _products[gtin] = Product({manufacturer: msg.sender, name: name, strength: strength, dosageForm: dosageForm});
        emit ProductRegistered(gtin, msg.sender, name, strength, dosageForm);
    }

    // ================================================================ views

    /// @inheritdoc IPedigreeRegistry
    function participant(address account) external view returns (Participant memory) {
        uint256 word = _participantWord(account);
        return
            Participant(
                _roleIn(word),
                word & _SUSPENDED != 0,
                _numberIn(word),
                uint64(word >> _PARTICIPANT_GLN),
                _legalNames[account]
            );
    }

    /// @inheritdoc IPedigreeRegistry
    function participantByNumber(uint24 number) external view returns (address) {
        return _accountsByNumber[number];
    }

    /// @inheritdoc IPedigreeRegistry
    function companyPrefixOwner(string calldata prefix) external view returns (address) {
        return _prefixOwners[Gs1.companyPrefixKey(bytes(prefix))];
    }

    /// @inheritdoc IPedigreeRegistry
    function product(uint64 gtin) external view returns (Product memory) {
        return _products[gtin];
    }

    // ================================================================ internals

    function _participantWord(address account) internal view returns (uint256 word) {
        uint256 slot = _PARTICIPANT_SLOTS ^ uint256(uint160(account));
        assembly ("memory-safe") {
            word := sload(slot)
        }
    }

    function _setParticipantWord(address account, uint256 word) internal {
        uint256 slot = _PARTICIPANT_SLOTS ^ uint256(uint160(account));
        assembly ("memory-safe") {
            sstore(slot, word)
        }
    }

    function _roleIn(uint256 participantWord) internal pure returns (Role) {
        return Role(uint8(participantWord));
    }

    function _numberIn(uint256 participantWord) internal pure returns (uint24) {
        return uint24(participantWord >> _PARTICIPANT_NUMBER);
    }

    /// @return word the participant word of `account`, a registered participant not suspended
    function _requireActiveParticipant(address account) internal view returns (uint256 word) {
        word = _participantWord(account);
        _requireActiveWord(account, word);
    }

    /// @param word the participant word of `account`
    function _requireActiveWord(address account, uint256 word) internal pure {
        if (_roleIn(word) == Role.None) revert PedigreeNotParticipant(account);
        if (word & _SUSPENDED != 0) revert PedigreeParticipantSuspended(account);
    }

    function _requireActive(address account, Role role) internal view {
        if (_roleIn(_requireActiveParticipant(account)) != role) {
            revert AccessControlUnauthorizedAccount(account, _roleId(role));
        }
    }

    /// @dev Every decision that others must act on (a recall, a rejection, a pause, a suspension)
    /// says why in its event.
    function _requireReason(string calldata reason) internal pure {
        if (bytes(reason).length == 0) revert PedigreeEmptyReason();
    }

    function _requireName(string calldata text) internal pure {
        uint256 length = bytes(text).length;
        if (length == 0 || length > MAX_NAME_LENGTH) revert PedigreeInvalidName(length, MAX_NAME_LENGTH);
    }

    /// @notice The checks of a new batch, in their documented order: an active manufacturer, its
    /// own registered product, a lot of 1 to 20 CSET 82 characters, a valid expiry not already past,
    /// 1 to `maxPackCount` packs, a serials root.
    /// @return batchId keccak256(abi.encode(gtin, lot))
    /// @return expiryDay the expiry as a day number since 1970
    /// @return callerWord the caller's participant word
    function _checkNewBatch(
        uint64 gtin,
        string calldata lot,
        uint32 expiry,
        uint256 packCount,
        uint256 maxPackCount,
        bytes32 serialsRoot
    ) internal view returns (bytes32 batchId, uint256 expiryDay, uint256 callerWord) {
        callerWord = _requireActiveParticipant(msg.sender);
        if (_roleIn(callerWord) != Role.Manufacturer) {
            revert AccessControlUnauthorizedAccount(msg.sender, MANUFACTURER_ROLE);
        }
        address manufacturer = _products[gtin].manufacturer;
        if (manufacturer == address(0)) revert PedigreeUnknownProduct(gtin);
        if (manufacturer != msg.sender) revert PedigreeNotProductManufacturer(gtin, msg.sender, manufacturer);
        uint256 lotLength = bytes(lot).length;
        if (lotLength == 0 || lotLength > MAX_LOT_LENGTH) revert PedigreeInvalidLot(lot, lotLength);
        uint256 badIndex = Gs1.firstInvalidCset82(bytes(lot));
        if (badIndex != type(uint256).max) revert PedigreeInvalidLot(lot, badIndex);
        bool validExpiry;
        (validExpiry, expiryDay) = CivilDate.toEpochDay(expiry);
        if (!validExpiry) revert PedigreeInvalidExpiry(expiry);
        if (expiryDay < _today()) revert PedigreeInvalidExpiry(expiry);
        batchId = keccak256(abi.encode(gtin, lot));
        if (packCount == 0 || packCount > maxPackCount) revert PedigreeInvalidPackCount(packCount);
        if (serialsRoot == bytes32(0)) revert PedigreeEmptySerialsRoot(batchId);
    }

    /// @dev See `_ROUTES`; `Manufacturer` as recipient is a return, checked per line against the
    /// batch's manufacturer.
    function _isRouteAllowed(Role from, Role to) internal pure returns (bool) {
        return (_ROUTES >> (uint256(uint8(from)) * 8 + uint256(uint8(to)))) & 1 == 1;
    }

    function _today() internal view returns (uint256) {
        return block.timestamp / 1 days;
    }

    /// @dev The longest assigned company prefix of the GTIN decides whose number it is.
    function _isUnderCompanyPrefixOf(uint64 gtin, address manufacturer) internal view returns (bool) {
        for (uint256 length = 12; length >= 6; --length) {
            address owner = _prefixOwners[Gs1.prefixKeyOfGtin(gtin, length)];
            if (owner != address(0)) return owner == manufacturer;
        }
        return false;
    }

    function _roleOf(bytes32 role) internal pure returns (Role) {
        if (role == MANUFACTURER_ROLE) return Role.Manufacturer;
        if (role == DISTRIBUTOR_ROLE) return Role.Distributor;
        if (role == PHARMACY_ROLE) return Role.Pharmacy;
        if (role == REGULATOR_ROLE) return Role.Regulator;
        return Role.None;
    }

    /// @dev `_requireActive` guards manufacturer-only and regulator-only functions, nothing else.
    function _roleId(Role role) internal pure returns (bytes32) {
        return role == Role.Manufacturer ? MANUFACTURER_ROLE : REGULATOR_ROLE;
    }
}
