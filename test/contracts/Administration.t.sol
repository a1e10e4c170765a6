// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";

/// @notice Participants, company prefixes, roles, pause and the two-step admin transfer. Split in
/// several contracts to keep each one's bytecode well under 64 KiB.
abstract contract AdministrationFixture is LedgerFixture {
    address internal newcomer;
    address internal newAdmin;

    function setUp() public override {
        super.setUp();
        newcomer = _account("newcomer");
        newAdmin = _account("new admin");
    }

    // ------------------------------------------------------------ helpers

    function _participantRoles() internal view returns (bytes32[4] memory) {
        return [ledger.REGULATOR_ROLE(), ledger.MANUFACTURER_ROLE(), ledger.DISTRIBUTOR_ROLE(), ledger.PHARMACY_ROLE()];
    }

    function _text(uint256 length) internal pure returns (string memory) {
        bytes memory text = new bytes(length);
        for (uint256 i; i < length; ++i) text[i] = "x";
        return string(text);
    }
}

/// @notice Onboarding, suspension and reinstatement of participants.
contract ParticipantsTest is AdministrationFixture {
    // ------------------------------------------------------------ deployment

    function test_constructor_setsAdminAndDelay() public view {
        assertEq(ledger.defaultAdmin(), admin, "default admin");
        assertEq(uint256(ledger.defaultAdminDelay()), ADMIN_DELAY, "admin delay");
        assertTrue(ledger.hasRole(ledger.DEFAULT_ADMIN_ROLE(), admin), "admin holds DEFAULT_ADMIN_ROLE");
        assertEq(ledger.UNDO_WINDOW(), 10 days, "undo window");
        assertEq(ledger.MAX_NAME_LENGTH(), 128, "max name length");
        assertEq(ledger.MAX_LOT_LENGTH(), 20, "max lot length");
    }

    // ------------------------------------------------------------ onboardParticipant

    function test_onboardParticipant_recordsParticipantAndEmits() public {
        vm.expectEmit(address(ledger));
        emit IPedigreeRegistry.ParticipantOnboarded(
            newcomer,
            IPedigreeRegistry.Role.Pharmacy,
            8,
            GLN_SPARE,
            "Corner Pharmacy"
        );
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, "Corner Pharmacy", GLN_SPARE);

        IPedigreeRegistry.Participant memory record = ledger.participant(newcomer);
        assertEq(uint256(record.role), uint256(IPedigreeRegistry.Role.Pharmacy), "role");
        assertFalse(record.suspended, "not suspended");
        assertEq(record.number, 8, "number follows the seven fixture participants");
        assertEq(record.gln, GLN_SPARE, "gln");
        assertEq(record.legalName, "Corner Pharmacy", "legal name");
        assertEq(ledger.participantByNumber(8), newcomer, "participantByNumber");
        assertTrue(ledger.hasRole(ledger.PHARMACY_ROLE(), newcomer), "hasRole");
    }

    function test_onboardParticipant_numbersParticipantsInOrder() public view {
        assertEq(ledger.participantByNumber(1), mfr, "1");
        assertEq(ledger.participantByNumber(2), mfr2, "2");
        assertEq(ledger.participantByNumber(7), regulator, "7");
        assertEq(ledger.participantByNumber(0), address(0), "0 is nobody");
        assertEq(ledger.participantByNumber(8), address(0), "8 not yet");
        assertEq(uint256(ledger.participant(stranger).role), uint256(IPedigreeRegistry.Role.None), "stranger");
    }

    function test_onboardParticipant_acceptsNameOfMaxLength() public {
        string memory name = _text(128);
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Distributor, name, GLN_SPARE);
        assertEq(ledger.participant(newcomer).legalName, name, "legal name");
    }

    function test_onboardParticipant_revertsWhenCallerNotAdmin() public {
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, mfr, bytes32(0))
        );
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, "Corner Pharmacy", GLN_SPARE);
    }

    function test_onboardParticipant_revertsWhenRoleNone() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                newcomer,
                IPedigreeRegistry.Role.None
            )
        );
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.None, "Corner Pharmacy", GLN_SPARE);
    }

    function test_onboardParticipant_revertsWhenZeroAddress() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                address(0),
                IPedigreeRegistry.Role.Pharmacy
            )
        );
        ledger.onboardParticipant(address(0), IPedigreeRegistry.Role.Pharmacy, "Corner Pharmacy", GLN_SPARE);
    }

    function test_onboardParticipant_revertsWhenAlreadyParticipant() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeParticipantExists.selector,
                dist,
                IPedigreeRegistry.Role.Distributor
            )
        );
        ledger.onboardParticipant(dist, IPedigreeRegistry.Role.Pharmacy, "Again", GLN_SPARE);
    }

    function test_onboardParticipant_revertsWhenNameEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidName.selector, 0, 128));
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, "", GLN_SPARE);
    }

    function test_onboardParticipant_revertsWhenNameTooLong() public {
        string memory name = _text(129);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidName.selector, 129, 128));
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, name, GLN_SPARE);
    }

    function test_onboardParticipant_revertsWhenGlnCheckDigitWrong() public {
        uint64 gln = GLN_SPARE + 1; // 9520000000081
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidGln.selector, gln));
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, "Corner Pharmacy", gln);
    }

    function test_onboardParticipant_revertsWhenGlnZero() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidGln.selector, uint64(0)));
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, "Corner Pharmacy", 0);
    }

    function test_onboardParticipant_revertsWhenGlnHasFourteenDigits() public {
        uint64 gln = uint64(withCheckDigit(9520000000008)); // 14 digits, valid check digit
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidGln.selector, gln));
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, "Corner Pharmacy", gln);
    }

    function test_onboardParticipant_acceptsGlnWithLeadingZeros() public {
        uint64 gln = uint64(withCheckDigit(1234)); // 0000000012348
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Pharmacy, "Corner Pharmacy", gln);
        assertEq(ledger.participant(newcomer).gln, gln, "gln");
    }

    // ------------------------------------------------------------ suspend / reinstate

    function test_suspendParticipant_suspendsAndEmitsTheReason() public {
        vm.expectEmit(address(ledger));
        emit IPedigreeRegistry.ParticipantSuspended(dist, admin, "Wholesale licence withdrawn by the agency");
        ledger.suspendParticipant(dist, "Wholesale licence withdrawn by the agency");
        assertTrue(ledger.participant(dist).suspended, "suspended");
        assertFalse(ledger.hasRole(ledger.DISTRIBUTOR_ROLE(), dist), "no role while suspended");
    }

    function test_suspendParticipant_revertsWhenReasonEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptyReason.selector));
        ledger.suspendParticipant(dist, "");
        assertFalse(ledger.participant(dist).suspended, "still active");
    }

    function test_suspendParticipant_revertsWhenCallerNotAdmin() public {
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, regulator, bytes32(0))
        );
        ledger.suspendParticipant(dist, "licence withdrawn");
    }

    function test_suspendParticipant_revertsWhenNotParticipant() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.suspendParticipant(stranger, "licence withdrawn");
    }

    function test_suspendParticipant_revertsWhenAlreadySuspended() public {
        ledger.suspendParticipant(dist, "licence withdrawn");
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, dist));
        ledger.suspendParticipant(dist, "licence withdrawn");
    }

    function test_reinstateParticipant_reinstatesAndEmitsTheReason() public {
        ledger.suspendParticipant(dist, "licence withdrawn");
        vm.expectEmit(address(ledger));
        emit IPedigreeRegistry.ParticipantReinstated(dist, admin, "Licence renewed on appeal");
        ledger.reinstateParticipant(dist, "Licence renewed on appeal");
        assertFalse(ledger.participant(dist).suspended, "not suspended");
        assertTrue(ledger.hasRole(ledger.DISTRIBUTOR_ROLE(), dist), "role back");
    }

    function test_reinstateParticipant_revertsWhenReasonEmpty() public {
        ledger.suspendParticipant(dist, "licence withdrawn");
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptyReason.selector));
        ledger.reinstateParticipant(dist, "");
        assertTrue(ledger.participant(dist).suspended, "still suspended");
    }

    function test_reinstateParticipant_revertsWhenNotSuspended() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantNotSuspended.selector, dist));
        ledger.reinstateParticipant(dist, "licence renewed");
    }

    function test_reinstateParticipant_revertsWhenNotParticipant() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.reinstateParticipant(stranger, "licence renewed");
    }

    function test_reinstateParticipant_revertsWhenCallerNotAdmin() public {
        ledger.suspendParticipant(dist, "licence withdrawn");
        vm.prank(dist);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, dist, bytes32(0))
        );
        ledger.reinstateParticipant(dist, "licence renewed");
    }

    // ------------------------------------------------------------ a suspended participant can do nothing

    function test_suspendedManufacturer_cannotRegisterProduct() public {
        ledger.suspendParticipant(mfr, "licence withdrawn");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, mfr));
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", "tablet");
    }

    function test_suspendedManufacturer_cannotRegisterBatch() public {
        ledger.suspendParticipant(mfr, "licence withdrawn");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, mfr));
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, 4, keccak256("root"), bytes32(0));
    }

    function test_suspendedManufacturer_cannotShipOrRecall() public {
        ledger.suspendParticipant(mfr, "licence withdrawn");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, mfr));
        ledger.ship(dist, "ASN-1", lines);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, mfr));
        ledger.recallBatch(batchA, "contamination");
    }

    function test_suspendedRecipient_cannotReceiveOrReject() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 3);
        bytes32 id = shipLines(mfr, dist, lines);
        ledger.suspendParticipant(dist, "licence withdrawn");
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, dist));
        ledger.receiveShipment(id, mfr, lines);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, dist));
        ledger.rejectShipment(id, mfr, lines, "damaged");
        // The sender can still take its units back.
        vm.prank(mfr);
        ledger.cancelShipment(id, dist, lines);
        assertEq(units(batchA, mfr), PACKS, "units back at the manufacturer");
    }

    function test_suspendedSender_cannotCancel() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 3);
        bytes32 id = shipLines(mfr, dist, lines);
        ledger.suspendParticipant(mfr, "licence withdrawn");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, mfr));
        ledger.cancelShipment(id, dist, lines);
    }

    function test_suspendedPharmacy_cannotDecommissionOrReactivate() public {
        deliver(mfr, pharmacy, batchA, 4);
        decommissionPack(pharmacy, batchA, 0, IPedigreeLedger.PackState.Dispensed);
        ledger.suspendParticipant(pharmacy, "licence withdrawn");
        string memory serial = serialOf(batchA, 1);
        bytes32[] memory proof = proofOf(batchA, 1);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, pharmacy));
        ledger.decommission(batchA, 1, serial, proof, IPedigreeLedger.PackState.Dispensed);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, pharmacy));
        ledger.reactivate(batchA, 0);
    }

    function test_suspendedRegulator_cannotSuspendBatch() public {
        ledger.suspendParticipant(regulator, "licence withdrawn");
        vm.prank(regulator);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, regulator));
        ledger.suspendBatch(batchA, "inspection");
    }
}

/// @notice GS1 company prefixes assigned to manufacturers.
contract CompanyPrefixesTest is AdministrationFixture {
    // ------------------------------------------------------------ company prefixes

    function test_assignCompanyPrefix_assignsAndEmits() public {
        vm.expectEmit(address(ledger));
        emit IPedigreeRegistry.CompanyPrefixAssigned(mfr, "952013456789");
        ledger.assignCompanyPrefix(mfr, "952013456789");
        assertEq(ledger.companyPrefixOwner("952013456789"), mfr, "12-digit prefix owner");
        assertEq(ledger.companyPrefixOwner(PREFIX), mfr, "first prefix kept");
        assertEq(ledger.companyPrefixOwner(PREFIX2), mfr2, "other manufacturer's prefix");
    }

    function test_assignCompanyPrefix_keepsLeadingZerosDistinct() public {
        ledger.assignCompanyPrefix(mfr2, "0952012");
        assertEq(ledger.companyPrefixOwner("0952012"), mfr2, "0952012");
        assertEq(ledger.companyPrefixOwner("952012"), mfr, "952012");
    }

    function test_companyPrefixOwner_isZeroForUnknownOrMalformed() public view {
        assertEq(ledger.companyPrefixOwner("123456"), address(0), "unassigned");
        assertEq(ledger.companyPrefixOwner("95201"), address(0), "malformed");
    }

    function test_assignCompanyPrefix_revertsWhenCallerNotAdmin() public {
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, mfr, bytes32(0))
        );
        ledger.assignCompanyPrefix(mfr, "952013");
    }

    function test_assignCompanyPrefix_revertsWhenNotManufacturer() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                dist,
                IPedigreeRegistry.Role.Distributor
            )
        );
        ledger.assignCompanyPrefix(dist, "952013");
    }

    function test_assignCompanyPrefix_revertsWhenNotParticipant() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPedigreeRegistry.PedigreeRoleNotAllowed.selector,
                stranger,
                IPedigreeRegistry.Role.None
            )
        );
        ledger.assignCompanyPrefix(stranger, "952013");
    }

    function test_assignCompanyPrefix_revertsWhenFiveDigits() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidCompanyPrefix.selector, "95201"));
        ledger.assignCompanyPrefix(mfr, "95201");
    }

    function test_assignCompanyPrefix_revertsWhenThirteenDigits() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidCompanyPrefix.selector, "9520123456789")
        );
        ledger.assignCompanyPrefix(mfr, "9520123456789");
    }

    function test_assignCompanyPrefix_revertsWhenNotDigits() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidCompanyPrefix.selector, "95201A"));
        ledger.assignCompanyPrefix(mfr, "95201A");
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidCompanyPrefix.selector, "952 012"));
        ledger.assignCompanyPrefix(mfr, "952 012");
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidCompanyPrefix.selector, "/95201"));
        ledger.assignCompanyPrefix(mfr, "/95201");
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidCompanyPrefix.selector, ""));
        ledger.assignCompanyPrefix(mfr, "");
    }

    function test_assignCompanyPrefix_revertsWhenTaken() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeCompanyPrefixTaken.selector, PREFIX, mfr));
        ledger.assignCompanyPrefix(mfr2, PREFIX);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeCompanyPrefixTaken.selector, PREFIX, mfr));
        ledger.assignCompanyPrefix(mfr, PREFIX);
    }

    /// @dev GS1 company prefixes never overlap: "9520123" lies inside the range of "952012", so
    /// assigning it to another manufacturer would let that manufacturer register GTINs
    /// (09520123xxxxxC) in the first one's numbering space. FAILS against the current contract,
    /// which only refuses an identical prefix (see the report).
    function test_assignCompanyPrefix_revertsWhenOverlappingAssignedPrefix() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeCompanyPrefixTaken.selector, "9520123", mfr));
        ledger.assignCompanyPrefix(mfr2, "9520123");
    }
}

/// @notice Pause, roles that follow the participant registry, and the two-step admin transfer.
contract PauseAndRolesTest is AdministrationFixture {
    // ------------------------------------------------------------ pause

    function test_pause_pausesAndEmitsTheReason() public {
        vm.expectEmit(address(ledger));
        emit Pausable.Paused(admin);
        vm.expectEmit(address(ledger));
        emit IPedigreeRegistry.LedgerPaused(admin, "Signing key of a wholesaler leaked");
        ledger.pause("Signing key of a wholesaler leaked");
        assertTrue(ledger.paused(), "paused");
        vm.expectEmit(address(ledger));
        emit Pausable.Unpaused(admin);
        vm.expectEmit(address(ledger));
        emit IPedigreeRegistry.LedgerUnpaused(admin, "Key revoked, participant suspended");
        ledger.unpause("Key revoked, participant suspended");
        assertFalse(ledger.paused(), "unpaused");
    }

    function test_pause_revertsWhenReasonEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptyReason.selector));
        ledger.pause("");
        assertFalse(ledger.paused(), "still running");
    }

    function test_unpause_revertsWhenReasonEmpty() public {
        ledger.pause("incident");
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeEmptyReason.selector));
        ledger.unpause("");
        assertTrue(ledger.paused(), "still paused");
    }

    function test_pause_revertsWhenCallerNotAdmin() public {
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, regulator, bytes32(0))
        );
        ledger.pause("incident");
    }

    function test_unpause_revertsWhenCallerNotAdmin() public {
        ledger.pause("incident");
        vm.prank(regulator);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, regulator, bytes32(0))
        );
        ledger.unpause("incident resolved");
    }

    function test_pause_revertsWhenAlreadyPaused() public {
        ledger.pause("incident");
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.pause("incident");
    }

    function test_unpause_revertsWhenNotPaused() public {
        vm.expectRevert(abi.encodeWithSelector(Pausable.ExpectedPause.selector));
        ledger.unpause("incident resolved");
    }

    function test_pause_blocksRegisterBatch() public {
        ledger.pause("incident");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.registerBatch(GTIN, "LOT-A2", EXPIRY, 4, keccak256("root"), bytes32(0));
    }

    function test_pause_blocksShip() public {
        ledger.pause("incident");
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 1);
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.ship(dist, "ASN-1", lines);
    }

    function test_pause_blocksReceiveRejectAndCancel() public {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchA, 2);
        bytes32 id = shipLines(mfr, dist, lines);
        ledger.pause("incident");
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.receiveShipment(id, mfr, lines);
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.rejectShipment(id, mfr, lines, "damaged");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.cancelShipment(id, dist, lines);
        ledger.unpause("incident resolved");
        vm.prank(dist);
        ledger.receiveShipment(id, mfr, lines);
        assertEq(units(batchA, dist), 2, "received after unpause");
    }

    function test_pause_blocksDecommissionAndReactivate() public {
        deliver(mfr, pharmacy, batchA, 4);
        decommissionPack(pharmacy, batchA, 0, IPedigreeLedger.PackState.Dispensed);
        ledger.pause("incident");
        string memory serial = serialOf(batchA, 1);
        bytes32[] memory proof = proofOf(batchA, 1);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.decommission(batchA, 1, serial, proof, IPedigreeLedger.PackState.Dispensed);

        uint256[] memory indexes = new uint256[](1);
        indexes[0] = 1;
        string[] memory serials = new string[](1);
        serials[0] = serial;
        bool[] memory flags = new bool[](proof.length);
        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.decommissionMany(batchA, indexes, serials, proof, packFlags(flags), IPedigreeLedger.PackState.Dispensed);

        vm.prank(pharmacy);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        ledger.reactivate(batchA, 0);
    }

    function test_pause_doesNotBlockRecall() public {
        ledger.pause("incident");
        vm.expectEmit(address(ledger));
        emit IPedigreeLedger.BatchRecalled(batchA, regulator, "contamination");
        vm.prank(regulator);
        ledger.recallBatch(batchA, "contamination");
        assertEq(uint256(ledger.batch(batchA).status), uint256(IPedigreeLedger.BatchStatus.Recalled), "recalled");
    }

    function test_pause_doesNotBlockSafetyBrakes() public {
        ledger.pause("incident");
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        assertEq(uint256(ledger.batch(batchA).status), uint256(IPedigreeLedger.BatchStatus.Suspended), "suspended");
        ledger.suspendParticipant(dist, "licence withdrawn");
        assertFalse(ledger.hasRole(ledger.DISTRIBUTOR_ROLE(), dist), "participant suspended while paused");
    }

    function test_pause_blocksReleasesRegistrationAndOnboarding() public {
        vm.prank(regulator);
        ledger.suspendBatch(batchA, "inspection");
        ledger.suspendParticipant(dist, "licence withdrawn");
        ledger.pause("incident");
        bytes memory paused = abi.encodeWithSelector(Pausable.EnforcedPause.selector);

        vm.prank(regulator);
        vm.expectRevert(paused);
        ledger.reinstateBatch(batchA);
        vm.expectRevert(paused);
        ledger.reinstateParticipant(dist, "licence renewed");
        vm.prank(mfr);
        vm.expectRevert(paused);
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", "tablet");
        vm.expectRevert(paused);
        ledger.onboardParticipant(stranger, IPedigreeRegistry.Role.Pharmacy, "Late Pharmacy", GLN_SPARE);
        vm.expectRevert(paused);
        ledger.assignCompanyPrefix(mfr, "9529999");

        ledger.unpause("incident resolved");
        vm.prank(regulator);
        ledger.reinstateBatch(batchA);
        ledger.reinstateParticipant(dist, "licence renewed");
        vm.prank(mfr);
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", "tablet");
        assertEq(ledger.product(GTIN_UNREGISTERED).manufacturer, mfr, "registered after unpause");
    }

    // ------------------------------------------------------------ roles follow the registry

    function test_hasRole_reflectsParticipantRegistry() public view {
        assertTrue(ledger.hasRole(ledger.MANUFACTURER_ROLE(), mfr), "manufacturer");
        assertTrue(ledger.hasRole(ledger.DISTRIBUTOR_ROLE(), dist), "distributor");
        assertTrue(ledger.hasRole(ledger.PHARMACY_ROLE(), pharmacy), "pharmacy");
        assertTrue(ledger.hasRole(ledger.REGULATOR_ROLE(), regulator), "regulator");
        assertFalse(ledger.hasRole(ledger.DISTRIBUTOR_ROLE(), mfr), "manufacturer is no distributor");
        assertFalse(ledger.hasRole(ledger.PHARMACY_ROLE(), stranger), "stranger");
        assertFalse(ledger.hasRole(ledger.DEFAULT_ADMIN_ROLE(), mfr), "participant is no admin");
        assertFalse(ledger.hasRole(ledger.MANUFACTURER_ROLE(), admin), "admin is no manufacturer");
    }

    function test_hasRole_isFalseWhileSuspended() public {
        ledger.suspendParticipant(pharmacy, "licence withdrawn");
        assertFalse(ledger.hasRole(ledger.PHARMACY_ROLE(), pharmacy), "suspended");
        ledger.reinstateParticipant(pharmacy, "licence renewed");
        assertTrue(ledger.hasRole(ledger.PHARMACY_ROLE(), pharmacy), "reinstated");
    }

    function test_grantRole_revertsForParticipantRoles() public {
        bytes32[4] memory roles = _participantRoles();
        for (uint256 i; i < roles.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IPedigreeRegistry.PedigreeUseParticipantRegistry.selector, roles[i])
            );
            ledger.grantRole(roles[i], newcomer);
        }
    }

    function test_revokeRole_revertsForParticipantRoles() public {
        bytes32[4] memory roles = _participantRoles();
        address[4] memory holders = [regulator, mfr, dist, pharmacy];
        for (uint256 i; i < roles.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IPedigreeRegistry.PedigreeUseParticipantRegistry.selector, roles[i])
            );
            ledger.revokeRole(roles[i], holders[i]);
        }
    }

    function test_renounceRole_revertsForParticipantRoles() public {
        bytes32[4] memory roles = _participantRoles();
        address[4] memory holders = [regulator, mfr, dist, pharmacy];
        for (uint256 i; i < roles.length; ++i) {
            vm.prank(holders[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IPedigreeRegistry.PedigreeUseParticipantRegistry.selector, roles[i])
            );
            ledger.renounceRole(roles[i], holders[i]);
        }
        assertTrue(ledger.hasRole(ledger.PHARMACY_ROLE(), pharmacy), "role kept");
    }

    function test_grantRole_worksForOtherRoles() public {
        bytes32 auditor = keccak256("AUDITOR_ROLE");
        vm.expectEmit(address(ledger));
        emit IAccessControl.RoleGranted(auditor, newcomer, admin);
        ledger.grantRole(auditor, newcomer);
        assertTrue(ledger.hasRole(auditor, newcomer), "granted");
        ledger.revokeRole(auditor, newcomer);
        assertFalse(ledger.hasRole(auditor, newcomer), "revoked");
        ledger.grantRole(auditor, newcomer);
        vm.prank(newcomer);
        ledger.renounceRole(auditor, newcomer);
        assertFalse(ledger.hasRole(auditor, newcomer), "renounced");
    }

    function test_grantRole_revertsForDefaultAdminRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector)
        );
        ledger.grantRole(bytes32(0), newAdmin);
    }

    // ------------------------------------------------------------ two-step admin transfer

    function test_adminTransfer_completesAfterDelay() public {
        uint48 schedule = uint48(START + ADMIN_DELAY);
        vm.expectEmit(address(ledger));
        emit IAccessControlDefaultAdminRules.DefaultAdminTransferScheduled(newAdmin, schedule);
        ledger.beginDefaultAdminTransfer(newAdmin);
        (address pending, uint48 pendingSchedule) = ledger.pendingDefaultAdmin();
        assertEq(pending, newAdmin, "pending admin");
        assertEq(uint256(pendingSchedule), schedule, "schedule");

        vm.warp(uint256(schedule) + 1);
        vm.prank(newAdmin);
        ledger.acceptDefaultAdminTransfer();
        assertEq(ledger.defaultAdmin(), newAdmin, "new admin");
        assertFalse(ledger.hasRole(bytes32(0), admin), "old admin lost the role");

        // The new admin administers; the old one no longer can.
        vm.prank(newAdmin);
        ledger.onboardParticipant(newcomer, IPedigreeRegistry.Role.Distributor, "South Wholesale", GLN_SPARE);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, bytes32(0))
        );
        ledger.pause("incident");
    }

    function test_adminTransfer_revertsWhenAcceptedTooEarly() public {
        uint48 schedule = uint48(START + ADMIN_DELAY);
        ledger.beginDefaultAdminTransfer(newAdmin);
        vm.prank(newAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector,
                schedule
            )
        );
        ledger.acceptDefaultAdminTransfer();

        // At the schedule itself it is still too early: the delay must have passed.
        vm.warp(schedule);
        vm.prank(newAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector,
                schedule
            )
        );
        ledger.acceptDefaultAdminTransfer();
        assertEq(ledger.defaultAdmin(), admin, "admin unchanged");
    }

    function test_adminTransfer_revertsWhenAcceptedByOtherAccount() public {
        ledger.beginDefaultAdminTransfer(newAdmin);
        vm.warp(START + ADMIN_DELAY + 1);
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, mfr)
        );
        ledger.acceptDefaultAdminTransfer();
    }

    function test_adminTransfer_revertsWhenBegunByNonAdmin() public {
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, mfr, bytes32(0))
        );
        ledger.beginDefaultAdminTransfer(mfr);
    }

    function test_adminTransfer_canBeCancelled() public {
        ledger.beginDefaultAdminTransfer(newAdmin);
        vm.expectEmit(address(ledger));
        emit IAccessControlDefaultAdminRules.DefaultAdminTransferCanceled();
        ledger.cancelDefaultAdminTransfer();
        vm.warp(START + ADMIN_DELAY + 1);
        vm.prank(newAdmin);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, newAdmin)
        );
        ledger.acceptDefaultAdminTransfer();
    }

    function test_renounceRole_adminRequiresTwoSteps() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector,
                uint48(0)
            )
        );
        ledger.renounceRole(bytes32(0), admin);
    }
}
