// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PedigreePackageLedger} from "../../../contracts/PedigreePackageLedger.sol";
import {PedigreePackageLens} from "../../../contracts/PedigreePackageLens.sol";
import {IPedigreePackageLedger} from "../../../contracts/interfaces/IPedigreePackageLedger.sol";
import {IPedigreeRegistry} from "../../../contracts/interfaces/IPedigreeRegistry.sol";
import {Assertions} from "./Assertions.sol";
import {SerialTrees} from "./SerialTrees.sol";

/// @notice The world of the package-level ledger's tests: one participant of each role (two of
/// manufacturers, distributors and pharmacies), company prefixes, products, and one registered batch
/// per manufacturer with its serial tree; helpers that name units (SSCCs) and packs.
abstract contract PackageFixture is Assertions {
    /// @dev 2027-01-15T08:00:00Z.
    uint256 internal constant START = 1_800_000_000;
    uint48 internal constant ADMIN_DELAY = 1 days;

    string internal constant PREFIX = "952012"; // manufacturer 1
    string internal constant PREFIX2 = "9520999"; // manufacturer 2
    uint64 internal constant GTIN = 9520123456788;
    uint64 internal constant GTIN2 = 9520999000016;
    string internal constant LOT = "LOT-A1";
    string internal constant LOT2 = "LOT-B1";
    uint32 internal constant EXPIRY = 20280200;
    uint32 internal constant PACKS = 200;
    uint32 internal constant PACKS2 = 8;

    PedigreePackageLedger internal ledger;
    PedigreePackageLens internal lens;
    address internal mfr;
    address internal mfr2;
    address internal dist;
    address internal dist2;
    address internal pharmacy;
    address internal pharmacy2;
    address internal regulator;
    address internal stranger;

    /// @dev 200 packs of GTIN / LOT by mfr
    bytes32 internal batchA;
    /// @dev 8 packs of GTIN2 / LOT2 by mfr2
    bytes32 internal batchB;
    SerialTrees internal trees;
    uint256 private _refNonce;
    uint256 private _ssccNonce;

    function setUp() public virtual {
        vm.warp(START);
        mfr = _account("manufacturer");
        mfr2 = _account("manufacturer 2");
        dist = _account("distributor");
        dist2 = _account("distributor 2");
        pharmacy = _account("pharmacy");
        pharmacy2 = _account("pharmacy 2");
        regulator = _account("regulator");
        stranger = _account("stranger");

        trees = new SerialTrees();
        ledger = new PedigreePackageLedger(address(this), ADMIN_DELAY);
        lens = new PedigreePackageLens(ledger);
        ledger.onboardParticipant(mfr, IPedigreeRegistry.Role.Manufacturer, "Acme Pharma SA", 9520000000011);
        ledger.onboardParticipant(mfr2, IPedigreeRegistry.Role.Manufacturer, "Beta Generics GmbH", 9520000000028);
        ledger.onboardParticipant(dist, IPedigreeRegistry.Role.Distributor, "Central Wholesale", 9520000000035);
        ledger.onboardParticipant(dist2, IPedigreeRegistry.Role.Distributor, "North Wholesale", 9520000000042);
        ledger.onboardParticipant(pharmacy, IPedigreeRegistry.Role.Pharmacy, "Main Street Pharmacy", 9520000000059);
        ledger.onboardParticipant(pharmacy2, IPedigreeRegistry.Role.Pharmacy, "Harbour Pharmacy", 9520000000066);
        ledger.onboardParticipant(regulator, IPedigreeRegistry.Role.Regulator, "Medicines Agency", 9520000000073);
        ledger.assignCompanyPrefix(mfr, PREFIX);
        ledger.assignCompanyPrefix(mfr2, PREFIX2);
        vm.prank(mfr);
        ledger.registerProduct(GTIN, "Paracetamol", "500 mg", "tablet");
        vm.prank(mfr2);
        ledger.registerProduct(GTIN2, "Ibuprofen", "400 mg", "film-coated tablet");
        batchA = registerTestBatch(mfr, GTIN, LOT, PACKS, "A1");
        batchB = registerTestBatch(mfr2, GTIN2, LOT2, PACKS2, "B1");
    }

    function registerTestBatch(
        address manufacturer,
        uint64 gtin,
        string memory lot,
        uint32 packCount,
        string memory tag
    ) internal returns (bytes32 batchId) {
        bytes32 root = trees.add(keccak256(abi.encode(gtin, lot)), tag, packCount);
        vm.prank(manufacturer);
        batchId = ledger.registerBatch(gtin, lot, EXPIRY, packCount, root, bytes32(0));
    }

    // ------------------------------------------------------------ naming units and packs

    /// @notice A fresh SSCC under `prefix`'s digits (6: manufacturer 1, 7: manufacturer 2, or any
    /// other digits for a distributor's or pharmacy's own SSCCs).
    function newSscc(uint256 prefixDigits, uint256 prefixLength) internal returns (uint256) {
        uint256 body = (prefixDigits * 10 ** (16 - prefixLength)) + ++_ssccNonce; // extension digit 0
        return withCheckDigit(body);
    }

    function mfrSscc() internal returns (uint256) {
        return newSscc(952012, 6);
    }

    function mfr2Sscc() internal returns (uint256) {
        return newSscc(9520999, 7);
    }

    /// @dev SSCCs of a company prefix no manufacturer here holds, as a wholesaler's own.
    function anySscc() internal returns (uint256) {
        return newSscc(4012345, 7);
    }

    function pack(
        bytes32 batchId,
        uint256 index,
        uint256 unit
    ) internal pure returns (IPedigreePackageLedger.PackRef memory) {
        return IPedigreePackageLedger.PackRef(batchId, index, unit);
    }

    function nothing() internal pure returns (IPedigreePackageLedger.Items memory items) {}

    function unitsOnly(uint256 a) internal pure returns (IPedigreePackageLedger.Items memory items) {
        items.units = new uint256[](1);
        items.units[0] = a;
    }

    function unitsOnly(uint256 a, uint256 b) internal pure returns (IPedigreePackageLedger.Items memory items) {
        items.units = new uint256[](2);
        (items.units[0], items.units[1]) = (a, b);
    }

    function packsOnly(
        IPedigreePackageLedger.PackRef memory a
    ) internal pure returns (IPedigreePackageLedger.Items memory items) {
        items.packs = new IPedigreePackageLedger.PackRef[](1);
        items.packs[0] = a;
    }

    // ------------------------------------------------------------ steps

    /// @notice The manufacturer packs the next `count` packs of `batchId` into a new case.
    function packCase(address manufacturer, bytes32 batchId, uint256 count) internal returns (uint256 sscc) {
        (sscc, ) = _ssccOf(manufacturer);
        vm.prank(manufacturer);
        ledger.packRange(sscc, manufacturer == mfr ? 6 : 7, batchId, count);
    }

    /// @notice `by` aggregates `children` into a new unit.
    function aggregateInto(address by, IPedigreePackageLedger.Items memory children) internal returns (uint256 sscc) {
        uint256 prefixLength;
        (sscc, prefixLength) = _ssccOf(by);
        vm.prank(by);
        ledger.aggregate(sscc, prefixLength, children);
    }

    function nextRef() internal returns (bytes32) {
        return bytes32(abi.encodePacked("ASN-", uint64(++_refNonce)));
    }

    function shipItems(
        address from,
        address to,
        IPedigreePackageLedger.Items memory items
    ) internal returns (bytes32 shipmentId) {
        bytes32 ref = nextRef();
        vm.prank(from);
        shipmentId = ledger.ship(to, ref, items);
    }

    /// @notice Ships and receives all of `items`.
    function deliver(
        address from,
        address to,
        IPedigreePackageLedger.Items memory items
    ) internal returns (bytes32 id) {
        id = shipItems(from, to, items);
        vm.prank(to);
        ledger.receiveShipment(id, items, nothing(), "");
    }

    function locate(
        bytes32 batchId,
        uint256 index,
        uint256 unit
    ) internal view returns (IPedigreePackageLedger.Location memory) {
        return lens.packLocation(batchId, index, unit);
    }

    function holderOf(bytes32 batchId, uint256 index, uint256 unit) internal view returns (address) {
        return locate(batchId, index, unit).party;
    }

    function unitHolder(uint256 sscc) internal view returns (address) {
        return lens.unit(sscc).location.party;
    }

    function kindOf(uint256 sscc) internal view returns (IPedigreePackageLedger.PlaceKind) {
        return lens.unit(sscc).location.kind;
    }

    // ------------------------------------------------------------ GS1 helpers

    /// @notice `body` followed by its GS1 mod-10 check digit.
    function withCheckDigit(uint256 body) internal pure returns (uint256) {
        uint256 sum;
        uint256 rest = body;
        for (uint256 i; rest > 0; ++i) {
            uint256 digit = rest % 10;
            sum += i % 2 == 0 ? digit * 3 : digit;
            rest /= 10;
        }
        return body * 10 + ((10 - (sum % 10)) % 10);
    }

    function _ssccOf(address by) private returns (uint256 sscc, uint256 prefixLength) {
        if (by == mfr) return (mfrSscc(), 6);
        if (by == mfr2) return (mfr2Sscc(), 7);
        return (anySscc(), 0);
    }

    function _account(string memory name) internal returns (address account) {
        account = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(account, name);
    }
}
