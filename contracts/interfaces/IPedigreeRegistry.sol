// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Pedigree participant registry
/// @notice Participants (organisations with a role, a legal name, a GLN and an active or
/// suspended flag), the GS1 company prefixes assigned to manufacturers, and the products
/// registered under them.
interface IPedigreeRegistry {
    // ---------------------------------------------------------------- types

    /// @notice What a participant does in the supply chain. `None` marks an unknown account.
    enum Role {
        None,
        Regulator,
        Manufacturer,
        Distributor,
        Pharmacy
    }

    /// @notice A participant as the ledger knows it.
    struct Participant {
        Role role;
        bool suspended;
        uint24 number;
        uint64 gln;
        string legalName;
    }

    /// @notice A product (trade item) registered by its manufacturer.
    struct Product {
        address manufacturer;
        string name;
        string strength;
        string dosageForm;
    }

    // ---------------------------------------------------------------- events

    event ParticipantOnboarded(address indexed account, Role indexed role, uint24 number, uint64 gln, string legalName);

    /// @param reason why, in words every party and auditor reads (never empty)
    event ParticipantSuspended(address indexed account, address indexed by, string reason);

    /// @param reason why the suspension ends (never empty)
    event ParticipantReinstated(address indexed account, address indexed by, string reason);

    /// @notice The ledger was paused (emitted with Pausable's `Paused`, which carries no reason).
    /// @param reason why, in words every party and auditor reads (never empty)
    event LedgerPaused(address indexed by, string reason);

    /// @notice The ledger was resumed (emitted with Pausable's `Unpaused`).
    /// @param reason why the emergency is over (never empty)
    event LedgerUnpaused(address indexed by, string reason);

    event CompanyPrefixAssigned(address indexed manufacturer, string prefix);

    event ProductRegistered(
        uint64 indexed gtin,
        address indexed manufacturer,
        string name,
        string strength,
        string dosageForm
    );

    // ---------------------------------------------------------------- errors

    error PedigreeNotParticipant(address account);
    error PedigreeParticipantSuspended(address account);
    error PedigreeParticipantNotSuspended(address account);
    error PedigreeParticipantExists(address account, Role role);
    error PedigreeRoleNotAllowed(address account, Role role);
    error PedigreeUseParticipantRegistry(bytes32 role);
    error PedigreeInvalidName(uint256 length, uint256 maxLength);
    error PedigreeInvalidGln(uint64 gln);
    error PedigreeInvalidCompanyPrefix(string prefix);
    error PedigreeCompanyPrefixTaken(string prefix, address manufacturer);
    error PedigreeInvalidGtin(uint64 gtin);
    error PedigreeGtinOutsideCompanyPrefixes(uint64 gtin, address manufacturer);
    error PedigreeProductExists(uint64 gtin, address manufacturer);
    error PedigreeUnknownProduct(uint64 gtin);
    error PedigreeNotProductManufacturer(uint64 gtin, address caller, address manufacturer);
    error PedigreeInvalidLot(string lot, uint256 badIndex);
    error PedigreeInvalidExpiry(uint32 expiry);
    error PedigreeInvalidPackCount(uint256 packCount);
    error PedigreeEmptySerialsRoot(bytes32 batchId);
    /// @notice A reason is required and none was given.
    error PedigreeEmptyReason();

    // ---------------------------------------------------------------- administration

    /// @notice Onboards `account` as a participant. Only the admin.
    /// @param gln the participant's GS1 Global Location Number, 13 digits with a valid check digit
    function onboardParticipant(address account, Role role, string calldata legalName, uint64 gln) external;

    /// @notice Suspends a participant: from now on it can do nothing until reinstated. Only the admin.
    /// @param reason why (a licence withdrawn, a compromised key), recorded in the event; not empty
    function suspendParticipant(address account, string calldata reason) external;

    /// @notice Lifts a participant's suspension. Only the admin.
    /// @param reason why the participant may act again, recorded in the event; not empty
    function reinstateParticipant(address account, string calldata reason) external;

    /// @notice Assigns a GS1 company prefix (6 to 12 digits) to a manufacturer. Only the admin.
    function assignCompanyPrefix(address manufacturer, string calldata prefix) external;

    /// @notice Emergency stop (a leaked key, a faulty client writing wrong records). Stops everything
    /// that adds to, moves or releases the record: onboarding, reinstating a participant, company
    /// prefixes, products, batches, shipments, decommissioning and reactivating packs, reinstating a
    /// batch. Leaves the safety brakes working: recalling and suspending a batch, suspending a
    /// participant, and unpausing. Only the admin.
    /// @param reason why, recorded in `LedgerPaused` for every party and auditor; not empty
    function pause(string calldata reason) external;

    /// @notice Ends the emergency stop. Only the admin.
    /// @param reason why the emergency is over, recorded in `LedgerUnpaused`; not empty
    function unpause(string calldata reason) external;

    // ---------------------------------------------------------------- products

    /// @notice Registers a product under one of the caller's company prefixes. Only manufacturers.
    /// @param gtin the GTIN-14 with a valid check digit
    function registerProduct(
        uint64 gtin,
        string calldata name,
        string calldata strength,
        string calldata dosageForm
    ) external;

    // ---------------------------------------------------------------- views

    function participant(address account) external view returns (Participant memory);

    function participantByNumber(uint24 number) external view returns (address);

    function companyPrefixOwner(string calldata prefix) external view returns (address);

    function product(uint64 gtin) external view returns (Product memory);
}
