// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPedigreeLedger} from "../../contracts/interfaces/IPedigreeLedger.sol";
import {IPedigreeRegistry} from "../../contracts/interfaces/IPedigreeRegistry.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";

/// @notice Company prefixes that nest: the longest assigned prefix of a GTIN decides whose it is,
/// so a manufacturer holding a shorter prefix cannot register GTINs inside a longer prefix that
/// was assigned to another manufacturer first.
contract CompanyPrefixOverlapTest is LedgerFixture {
    string internal constant AROUND_PREFIX2 = "952099"; // contains PREFIX2 "9520999" of mfr2
    uint64 internal constant GTIN_IN_AROUND_ONLY = 9520991234563; // 0 952099 123456 3: not under PREFIX2

    function setUp() public override {
        super.setUp();
        ledger.assignCompanyPrefix(mfr, AROUND_PREFIX2);
    }

    function test_registerProduct_revertsInsideLongerPrefixOfAnotherManufacturer() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPedigreeRegistry.PedigreeGtinOutsideCompanyPrefixes.selector, GTIN_UNKNOWN, mfr)
        );
        vm.prank(mfr);
        ledger.registerProduct(GTIN_UNKNOWN, "Counterfeit risk", "1 mg", "tablet");
    }

    function test_registerProduct_allowsTheShorterPrefixOutsideTheLongerOne() public {
        vm.prank(mfr);
        ledger.registerProduct(GTIN_IN_AROUND_ONLY, "Cetirizine", "10 mg", "tablet");
        assertEq(ledger.product(GTIN_IN_AROUND_ONLY).manufacturer, mfr, "manufacturer");
    }

    function test_registerProduct_longerPrefixOwnerKeepsItsNumbers() public {
        vm.prank(mfr2);
        ledger.registerProduct(GTIN_UNKNOWN, "Naproxen", "250 mg", "tablet");
        assertEq(ledger.product(GTIN_UNKNOWN).manufacturer, mfr2, "manufacturer");
    }
}
