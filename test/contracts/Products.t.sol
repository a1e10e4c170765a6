// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";

/// @notice registerProduct: GTIN-14 check digits, company prefixes, names.
contract ProductsTest is LedgerFixture {
    function test_registerProduct_registersAndEmits() public {
        vm.expectEmit(address(ledger));
        emit IPedigreeRegistry.ProductRegistered(GTIN_UNREGISTERED, mfr, "Paracetamol", "1 g", "effervescent tablet");
        vm.prank(mfr);
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", "effervescent tablet");

        IPedigreeRegistry.Product memory item = ledger.product(GTIN_UNREGISTERED);
        assertEq(item.manufacturer, mfr, "manufacturer");
        assertEq(item.name, "Paracetamol", "name");
        assertEq(item.strength, "1 g", "strength");
        assertEq(item.dosageForm, "effervescent tablet", "dosage form");
    }

    function test_product_isEmptyWhenUnknown() public view {
        IPedigreeRegistry.Product memory item = ledger.product(GTIN_UNKNOWN);
        assertEq(item.manufacturer, address(0), "manufacturer");
        assertEq(bytes(item.name).length, 0, "name");
    }

    function test_registerProduct_acceptsNonZeroIndicatorDigit() public {
        uint64 gtin = 19520123456785; // indicator 1, prefix 952012
        vm.prank(mfr);
        ledger.registerProduct(gtin, "Paracetamol", "500 mg", "tablet, case of 10");
        assertEq(ledger.product(gtin).manufacturer, mfr, "registered");
    }

    function test_registerProduct_acceptsGtinUnderSevenDigitPrefix() public {
        vm.prank(mfr2);
        ledger.registerProduct(GTIN_UNKNOWN, "Ibuprofen", "200 mg", "capsule");
        assertEq(ledger.product(GTIN_UNKNOWN).manufacturer, mfr2, "registered");
    }

    function test_registerProduct_acceptsGtinUnderTwelveDigitPrefix() public {
        ledger.assignCompanyPrefix(mfr, "953123456789");
        uint64 gtin = uint64(withCheckDigit(953123456789)); // 0 953123456789 C (no item reference digit left)
        vm.prank(mfr);
        ledger.registerProduct(gtin, "Aspirin", "100 mg", "tablet");
        assertEq(ledger.product(gtin).manufacturer, mfr, "registered");
    }

    function test_registerProduct_revertsWhenCallerNotManufacturer() public {
        bytes32 role = ledger.MANUFACTURER_ROLE();
        vm.prank(dist);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, dist, role));
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenCallerNotParticipant() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeNotParticipant.selector, stranger));
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenCallerSuspended() public {
        ledger.suspendParticipant(mfr, "licence withdrawn");
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeParticipantSuspended.selector, mfr));
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenCheckDigitWrong() public {
        uint64 gtin = GTIN_UNREGISTERED + 1; // ...796 instead of ...795
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidGtin.selector, gtin));
        ledger.registerProduct(gtin, "Paracetamol", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenGtinHasFifteenDigits() public {
        uint64 gtin = uint64(withCheckDigit(19520123456785)); // 15 digits with a "valid" check digit
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidGtin.selector, gtin));
        ledger.registerProduct(gtin, "Paracetamol", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenProductExists() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeProductExists.selector, GTIN, mfr));
        ledger.registerProduct(GTIN, "Paracetamol", "500 mg", "tablet");
    }

    function test_registerProduct_revertsWhenOutsideEveryPrefix() public {
        uint64 gtin = uint64(withCheckDigit(412345600001)); // 0 412345 600001 C: nobody's prefix
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeRegistry.PedigreeGtinOutsideCompanyPrefixes.selector, gtin, mfr)
        );
        ledger.registerProduct(gtin, "Paracetamol", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenUnderOtherManufacturersPrefix() public {
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeRegistry.PedigreeGtinOutsideCompanyPrefixes.selector, GTIN_UNKNOWN, mfr)
        );
        ledger.registerProduct(GTIN_UNKNOWN, "Ibuprofen", "200 mg", "capsule");
    }

    /// @dev The prefix occupies the digits right after the indicator digit: "952012" at positions
    /// 2..7 (indicator 0, then "0952012...") is not the same prefix.
    function test_registerProduct_revertsWhenPrefixDigitsShifted() public {
        uint64 gtin = uint64(withCheckDigit(95201234567)); // 00 952012 34567 C
        vm.prank(mfr);
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeRegistry.PedigreeGtinOutsideCompanyPrefixes.selector, gtin, mfr)
        );
        ledger.registerProduct(gtin, "Paracetamol", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenNameEmpty() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidName.selector, 0, 128));
        ledger.registerProduct(GTIN_UNREGISTERED, "", "1 g", "tablet");
    }

    function test_registerProduct_revertsWhenStrengthEmpty() public {
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidName.selector, 0, 128));
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "", "tablet");
    }

    function test_registerProduct_revertsWhenDosageFormTooLong() public {
        bytes memory form = new bytes(129);
        for (uint256 i; i < form.length; ++i) form[i] = "f";
        vm.prank(mfr);
        vm.expectRevert(abi.encodeWithSelector(IPedigreeRegistry.PedigreeInvalidName.selector, 129, 128));
        ledger.registerProduct(GTIN_UNREGISTERED, "Paracetamol", "1 g", string(form));
    }
}
