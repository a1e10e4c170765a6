// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PedigreeLedger} from "../../../contracts/PedigreeLedger.sol";
import {IPedigreeLedger} from "../../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../../contracts/interfaces/IPedigreeRegistry.sol";
import {Assertions} from "./Assertions.sol";
import {SerialTree} from "./SerialTree.sol";
import {SerialTrees} from "./SerialTrees.sol";

/// @notice The shared world of the ledger tests: a deployed ledger at a realistic date, one
/// participant of each role (two manufacturers, distributors and pharmacies), company prefixes,
/// products, and one registered batch per manufacturer with its serial tree.
abstract contract LedgerFixture is Assertions {
    /// @dev 2027-01-15T08:00:00Z. Expiry dates are checked against this "today".
    uint256 internal constant START = 1_800_000_000;
    uint32 internal constant TODAY = 20270115;
    uint48 internal constant ADMIN_DELAY = 1 days;

    // GLNs with valid GS1 check digits (body 952000000000n).
    uint64 internal constant GLN_MFR = 9520000000011;
    uint64 internal constant GLN_MFR2 = 9520000000028;
    uint64 internal constant GLN_DIST = 9520000000035;
    uint64 internal constant GLN_DIST2 = 9520000000042;
    uint64 internal constant GLN_PHARMACY = 9520000000059;
    uint64 internal constant GLN_PHARMACY2 = 9520000000066;
    uint64 internal constant GLN_REGULATOR = 9520000000073;
    uint64 internal constant GLN_SPARE = 9520000000080;

    string internal constant PREFIX = "952012"; // 6 digits, manufacturer 1
    string internal constant PREFIX2 = "9520999"; // 7 digits, manufacturer 2

    // GTIN-14s with valid check digits.
    uint64 internal constant GTIN = 9520123456788; // 0 952012 345678 8, registered by mfr
    uint64 internal constant GTIN_UNREGISTERED = 9520123456795; // under PREFIX, not registered in setUp
    uint64 internal constant GTIN2 = 9520999000016; // 0 9520999 00001 6, registered by mfr2
    uint64 internal constant GTIN_UNKNOWN = 9520999000023; // under PREFIX2, never registered

    string internal constant LOT = "LOT-A1";
    string internal constant LOT2 = "LOT-B1";
    /// @dev Day 00: the last day of February 2028, a leap year.
    uint32 internal constant EXPIRY = 20280200;
    uint32 internal constant EXPIRY_NORMALIZED = 20280229;
    uint32 internal constant PACKS = 16;
    uint32 internal constant PACKS2 = 8;
    bytes32 internal constant DOCUMENT = keccak256("certificate of analysis LOT-A1");

    PedigreeLedger internal ledger;
    address internal admin;
    address internal mfr;
    address internal mfr2;
    address internal dist;
    address internal dist2;
    address internal pharmacy;
    address internal pharmacy2;
    address internal regulator;
    address internal stranger;

    /// @dev batch of GTIN / LOT by mfr, 16 packs
    bytes32 internal batchA;
    /// @dev batch of GTIN2 / LOT2 by mfr2, 8 packs
    bytes32 internal batchB;

    /// @dev The serial trees of the test batches, keyed by batch id.
    SerialTrees internal trees;
    mapping(bytes32 batchId => string tag) internal serialTags;
    uint256 private _refNonce;

    function setUp() public virtual {
        vm.warp(START);
        admin = address(this);
        mfr = _account("manufacturer");
        mfr2 = _account("manufacturer 2");
        dist = _account("distributor");
        dist2 = _account("distributor 2");
        pharmacy = _account("pharmacy");
        pharmacy2 = _account("pharmacy 2");
        regulator = _account("regulator");
        stranger = _account("stranger");

        trees = new SerialTrees();
        ledger = new PedigreeLedger(admin, ADMIN_DELAY);
        vm.label(address(ledger), "PedigreeLedger");
        ledger.onboardParticipant(mfr, IPedigreeRegistry.Role.Manufacturer, "Acme Pharma SA", GLN_MFR);
        ledger.onboardParticipant(mfr2, IPedigreeRegistry.Role.Manufacturer, "Beta Generics GmbH", GLN_MFR2);
        ledger.onboardParticipant(dist, IPedigreeRegistry.Role.Distributor, "Central Wholesale", GLN_DIST);
        ledger.onboardParticipant(dist2, IPedigreeRegistry.Role.Distributor, "North Wholesale", GLN_DIST2);
        ledger.onboardParticipant(pharmacy, IPedigreeRegistry.Role.Pharmacy, "Main Street Pharmacy", GLN_PHARMACY);
        ledger.onboardParticipant(pharmacy2, IPedigreeRegistry.Role.Pharmacy, "Harbour Pharmacy", GLN_PHARMACY2);
        ledger.onboardParticipant(regulator, IPedigreeRegistry.Role.Regulator, "Medicines Agency", GLN_REGULATOR);
        ledger.assignCompanyPrefix(mfr, PREFIX);
        ledger.assignCompanyPrefix(mfr2, PREFIX2);

        vm.prank(mfr);
        ledger.registerProduct(GTIN, "Paracetamol", "500 mg", "tablet");
        vm.prank(mfr2);
        ledger.registerProduct(GTIN2, "Ibuprofen", "400 mg", "film-coated tablet");

        batchA = registerTestBatch(mfr, GTIN, LOT, EXPIRY, PACKS, "A1", DOCUMENT);
        batchB = registerTestBatch(mfr2, GTIN2, LOT2, EXPIRY, PACKS2, "B1", bytes32(0));
    }

    // ------------------------------------------------------------ batches and serials

    /// @notice Registers a batch whose serials are `SerialTree.serialOf(tag, i)` and keeps its tree.
    function registerTestBatch(
        address manufacturer,
        uint64 gtin,
        string memory lot,
        uint32 expiry,
        uint32 packCount,
        string memory tag,
        bytes32 documentHash
    ) internal returns (bytes32 batchId) {
        bytes32 expectedId = keccak256(abi.encode(gtin, lot));
        bytes32 root = trees.add(expectedId, tag, packCount);
        vm.prank(manufacturer);
        batchId = ledger.registerBatch(gtin, lot, expiry, packCount, root, documentHash);
        require(batchId == expectedId, "fixture: unexpected batch id");
        serialTags[batchId] = tag;
    }

    function serialOf(bytes32 batchId, uint256 index) internal view returns (string memory) {
        return SerialTree.serialOf(serialTags[batchId], index);
    }

    /// @dev External call: compute proofs before `vm.prank` / `vm.expectRevert`.
    function proofOf(bytes32 batchId, uint256 index) internal view returns (bytes32[] memory) {
        return trees.proof(batchId, index);
    }

    /// @dev External call, like `proofOf`. `ordered` are the indexes in the multiproof's leaf order.
    function multiProofOf(
        bytes32 batchId,
        uint256[] memory indexes
    ) internal view returns (bytes32[] memory proof, bool[] memory flags, uint256[] memory ordered) {
        return trees.multiProof(batchId, indexes);
    }

    /// @dev The flags of `multiProofOf` as `decommissionMany` takes them.
    function packFlags(bool[] memory flags) internal pure returns (bytes memory) {
        return SerialTree.packFlags(flags);
    }

    function rootOf(bytes32 batchId) internal view returns (bytes32) {
        return trees.root(batchId);
    }

    // ------------------------------------------------------------ shipments

    function nextRef() internal returns (bytes32) {
        return bytes32(abi.encodePacked("ASN-", uint64(++_refNonce)));
    }

    function oneLine(
        bytes32 batchId,
        uint256 quantity
    ) internal pure returns (IPedigreeLedger.ShipmentLine[] memory lines) {
        lines = new IPedigreeLedger.ShipmentLine[](1);
        lines[0] = IPedigreeLedger.ShipmentLine(batchId, quantity);
    }

    function twoLines(
        bytes32 firstBatch,
        uint256 firstQuantity,
        bytes32 secondBatch,
        uint256 secondQuantity
    ) internal pure returns (IPedigreeLedger.ShipmentLine[] memory lines) {
        lines = new IPedigreeLedger.ShipmentLine[](2);
        lines[0] = IPedigreeLedger.ShipmentLine(firstBatch, firstQuantity);
        lines[1] = IPedigreeLedger.ShipmentLine(secondBatch, secondQuantity);
    }

    function shipLines(
        address from,
        address to,
        IPedigreeLedger.ShipmentLine[] memory lines
    ) internal returns (bytes32 shipmentId) {
        bytes32 ref = nextRef();
        vm.prank(from);
        shipmentId = ledger.ship(to, ref, lines);
    }

    function ship(address from, address to, bytes32 batchId, uint256 quantity) internal returns (bytes32) {
        return shipLines(from, to, oneLine(batchId, quantity));
    }

    /// @notice Ships and receives: `quantity` units of `batchId` move from `from` to `to`.
    function deliver(
        address from,
        address to,
        bytes32 batchId,
        uint256 quantity
    ) internal returns (bytes32 shipmentId) {
        IPedigreeLedger.ShipmentLine[] memory lines = oneLine(batchId, quantity);
        shipmentId = shipLines(from, to, lines);
        vm.prank(to);
        ledger.receiveShipment(shipmentId, from, lines);
    }

    /// @notice The id `ship` returns for `sender` shipping with `ref` in the current block.
    function shipmentIdOf(address sender, bytes32 ref) internal view returns (bytes32) {
        return keccak256(abi.encode(sender, ref, vm.getBlockNumber()));
    }

    // ------------------------------------------------------------ packs

    function decommissionPack(address by, bytes32 batchId, uint256 index, IPedigreeLedger.PackState state) internal {
        string memory serial = serialOf(batchId, index);
        bytes32[] memory proof = proofOf(batchId, index);
        vm.prank(by);
        ledger.decommission(batchId, index, serial, proof, state);
    }

    function units(bytes32 batchId, address holder) internal view returns (uint256) {
        return ledger.unitsHeld(batchId, holder);
    }

    function packState(bytes32 batchId, uint256 index) internal view returns (IPedigreeLedger.PackState) {
        return ledger.packRecord(batchId, index).state;
    }

    // ------------------------------------------------------------ GS1 helpers

    /// @notice `body` followed by its GS1 mod-10 check digit.
    function withCheckDigit(uint256 body) internal pure returns (uint256) {
        uint256 sum;
        uint256 rest = body;
        // Weights 3, 1, 3, ... from the rightmost digit; leading zeros add nothing.
        for (uint256 i; rest > 0; ++i) {
            uint256 digit = rest % 10;
            sum += i % 2 == 0 ? digit * 3 : digit;
            rest /= 10;
        }
        return body * 10 + ((10 - (sum % 10)) % 10);
    }

    function _account(string memory name) internal returns (address account) {
        account = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(account, name);
    }
}
