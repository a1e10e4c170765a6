// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Assertions} from "./utils/Assertions.sol";
import {Gs1Harness} from "./utils/Gs1Harness.sol";

/// @notice The Gs1 and CivilDate libraries, tested directly through a harness.
contract Gs1AndDatesTest is Assertions {
    Gs1Harness internal lib;

    string internal constant CSET82 =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    function setUp() public {
        lib = new Gs1Harness();
    }

    // ------------------------------------------------------------ check digits

    function test_isValidGtin14_acceptsKnownGtins() public view {
        assertTrue(lib.isValidGtin14(9520123456788), "09520123456788");
        assertTrue(lib.isValidGtin14(19520123456785), "19520123456785");
        assertTrue(lib.isValidGtin14(4006381333931), "EAN-13 4006381333931 as GTIN-14");
        assertTrue(lib.isValidGtin14(614141999996), "UPC-A 614141999996 as GTIN-14");
        assertTrue(lib.isValidGtin14(10614141999993), "GS1 example 10614141999993");
    }

    function test_isValidGtin14_rejectsEveryOtherCheckDigit() public view {
        for (uint256 digit; digit < 10; ++digit) {
            uint256 gtin = 952012345678 * 10 + digit;
            assertEq(lib.isValidGtin14(gtin), digit == 8, "only 8 is the check digit");
        }
    }

    function test_isValidGtin14_rejectsFifteenDigits() public view {
        assertFalse(lib.isValidGtin14(100000000000000), "1e14");
        assertFalse(lib.isValidGtin14(type(uint256).max), "max");
    }

    function test_isValidGtin14_acceptsAllZeros() public view {
        // Arithmetically valid; the ledger still needs a company prefix for it.
        assertTrue(lib.isValidGtin14(0), "00000000000000");
    }

    function test_isValidGln_acceptsKnownGlns() public view {
        assertTrue(lib.isValidGln(9520000000011), "9520000000011");
        assertTrue(lib.isValidGln(614141000005), "GS1 example GLN 0614141000005");
        assertTrue(lib.isValidGln(4000001000005), "4000001000005");
    }

    function test_isValidGln_rejectsWrongCheckDigitZeroAndFourteenDigits() public view {
        assertFalse(lib.isValidGln(9520000000012), "wrong check digit");
        assertFalse(lib.isValidGln(0), "zero");
        assertFalse(lib.isValidGln(10000000000000), "1e13");
    }

    function test_hasValidCheckDigit_rejectsFewerThanTwoDigits() public view {
        assertFalse(lib.hasValidCheckDigit(0, 0), "0 digits");
        assertFalse(lib.hasValidCheckDigit(0, 1), "1 digit");
        assertTrue(lib.hasValidCheckDigit(0, 2), "00");
        assertTrue(lib.hasValidCheckDigit(17, 2), "17: 1*3 = 3, check 7");
    }

    function test_hasValidCheckDigit_rejectsNumberLongerThanDigits() public view {
        assertFalse(lib.hasValidCheckDigit(116, 2), "three digits for two");
        assertTrue(lib.hasValidCheckDigit(116, 3), "116: 1*1 + 1*3 = 4, check 6");
        assertTrue(lib.hasValidCheckDigit(116, 5), "00116: leading zeros add nothing");
    }

    function test_hasValidCheckDigit_takesUpTo77Digits() public view {
        assertTrue(lib.hasValidCheckDigit(17, 77), "17 written with 77 digits");
        assertFalse(lib.hasValidCheckDigit(17, 78), "78 digits: 10^78 does not fit in 256 bits");
        assertFalse(lib.hasValidCheckDigit(type(uint256).max, 77), "78 digits for 77");
    }

    /// @dev Two digits a step (Gs1.hasValidCheckDigit) against one digit at a time, as GS1 states it.
    function testFuzz_hasValidCheckDigit_agreesWithTheDigitByDigitRule(uint256 number, uint256 digits) public view {
        digits = 2 + (digits % 76);
        number = number % 10 ** digits;
        uint256 body = number / 10;
        uint256 sum;
        for (uint256 i; i < digits - 1; ++i) {
            sum += (i % 2 == 0 ? 3 : 1) * (body % 10);
            body /= 10;
        }
        bool expected = (10 - (sum % 10)) % 10 == number % 10;
        assertEq(lib.hasValidCheckDigit(number, digits), expected, "the digit-by-digit rule");
        uint256 fixedUp = number - (number % 10) + ((10 - (sum % 10)) % 10);
        assertTrue(lib.hasValidCheckDigit(fixedUp, digits), "with its check digit");
    }

    function test_isValidSscc_acceptsKnownSsccsAndRejectsOthers() public view {
        // SSCC 106141411234567897 (GS1 General Specifications example).
        assertTrue(lib.isValidSscc(106141411234567897), "GS1 example");
        assertTrue(lib.isValidSscc(95201234567890122), "extension digit 0, written without it");
        assertFalse(lib.isValidSscc(106141411234567890), "wrong check digit");
        assertFalse(lib.isValidSscc(0), "zero");
        assertFalse(lib.isValidSscc(1061414112345678970), "nineteen digits");
    }

    function test_prefixKeyOfSscc_readsDigitsAfterExtension() public view {
        assertEq(lib.prefixKeyOfSscc(106141411234567897, 7), lib.companyPrefixKey("0614141"), "7 with leading zero");
        assertEq(lib.prefixKeyOfSscc(95201234567890122, 6), lib.companyPrefixKey("952012"), "6");
        assertEq(lib.prefixKeyOfSscc(95201234567890122, 12), lib.companyPrefixKey("952012345678"), "12");
    }

    // ------------------------------------------------------------ CSET 82

    function test_firstInvalidCset82_acceptsEveryCset82Character() public view {
        assertEq(bytes(CSET82).length, 82, "82 characters");
        assertEq(lib.firstInvalidCset82(bytes(CSET82)), type(uint256).max, "all valid");
        assertEq(lib.firstInvalidCset82(""), type(uint256).max, "empty");
    }

    function test_firstInvalidCset82_rejectsEveryOtherByte() public view {
        bytes memory valid = bytes(CSET82);
        uint256 rejected;
        for (uint256 c; c < 256; ++c) {
            bool member;
            for (uint256 i; i < valid.length; ++i) {
                if (uint8(valid[i]) == c) member = true;
            }
            bytes memory text = abi.encodePacked("AB", bytes1(uint8(c)), "C");
            uint256 expected = member ? type(uint256).max : 2;
            assertEq(lib.firstInvalidCset82(text), expected, string.concat("byte ", vm.toString(c)));
            if (!member) ++rejected;
        }
        assertEq(rejected, 256 - 82, "every byte outside CSET 82 rejected");
    }

    function test_firstInvalidCset82_reportsFirstBadIndex() public view {
        assertEq(lib.firstInvalidCset82("A B#C"), 1, "space first");
        assertEq(lib.firstInvalidCset82("AB#C D"), 2, "hash first");
        assertEq(lib.firstInvalidCset82("@"), 0, "at sign");
        assertEq(lib.firstInvalidCset82(hex"41c3a9"), 1, "non-ASCII");
        assertEq(lib.firstInvalidCset82("lot~"), 3, "tilde");
    }

    // ------------------------------------------------------------ company prefixes

    function test_companyPrefixKey_acceptsSixToTwelveDigits() public view {
        assertEq(lib.companyPrefixKey("952012"), lib.prefixKey(6, 952012), "6 digits");
        assertEq(lib.companyPrefixKey("952012345678"), lib.prefixKey(12, 952012345678), "12 digits");
        assertEq(lib.companyPrefixKey("000000"), lib.prefixKey(6, 0), "all zeros");
    }

    function test_companyPrefixKey_rejectsMalformed() public view {
        assertEq(lib.companyPrefixKey("95201"), 0, "5 digits");
        assertEq(lib.companyPrefixKey("9520123456789"), 0, "13 digits");
        assertEq(lib.companyPrefixKey(""), 0, "empty");
        assertEq(lib.companyPrefixKey("95201a"), 0, "letter");
        assertEq(lib.companyPrefixKey("95201/"), 0, "below '0'");
        assertEq(lib.companyPrefixKey("95201:"), 0, "above '9'");
    }

    function test_companyPrefixKey_keepsLength() public view {
        assertTrue(lib.companyPrefixKey("0952012") != lib.companyPrefixKey("952012"), "leading zero matters");
    }

    function test_prefixKeyOfGtin_readsDigitsAfterIndicator() public view {
        uint256 gtin = 19520123456785;
        assertEq(lib.prefixKeyOfGtin(gtin, 6), lib.companyPrefixKey("952012"), "6");
        assertEq(lib.prefixKeyOfGtin(gtin, 7), lib.companyPrefixKey("9520123"), "7");
        assertEq(lib.prefixKeyOfGtin(gtin, 12), lib.companyPrefixKey("952012345678"), "12");
        assertEq(lib.prefixKeyOfGtin(614141999996, 7), lib.companyPrefixKey("0614141"), "leading zero");
    }

    // ------------------------------------------------------------ dates

    function test_toEpochDay_knownDates() public view {
        _assertDay(20000101, 10957);
        _assertDay(20991231, 47481);
        _assertDay(20270115, 20833);
        _assertDay(20280229, 21243);
        _assertDay(20000229, 11016);
        _assertDay(20000301, 11017);
        _assertDay(20241231, 20088);
    }

    function test_toEpochDay_dayZeroIsLastDayOfMonth() public view {
        _assertDay(20280200, 21243); // 2028-02-29
        _assertDay(20000200, 11016); // 2000-02-29: divisible by 400
        (, uint256 feb2027) = lib.toEpochDay(20270200);
        assertEq(lib.toYyyymmdd(feb2027), 20270228, "February 2027");
        uint8[12] memory lastDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        for (uint256 month = 1; month <= 12; ++month) {
            (bool valid, uint256 day) = lib.toEpochDay(20270000 + month * 100);
            assertTrue(valid, "day 00 is valid");
            assertEq(lib.toYyyymmdd(day), 20270000 + month * 100 + lastDays[month - 1], "last day of month");
        }
    }

    function test_toEpochDay_rejectsInvalidDates() public view {
        _assertInvalid(20271301); // month 13
        _assertInvalid(20270001); // month 0
        _assertInvalid(20270229); // February 29 of a non-leap year
        _assertInvalid(20270132); // day 32
        _assertInvalid(20270431); // April 31
        _assertInvalid(19991231); // before 2000
        _assertInvalid(21000101); // after 2099
        _assertInvalid(0);
        _assertInvalid(99999999);
    }

    function test_toYyyymmdd_knownDays() public view {
        assertEq(lib.toYyyymmdd(0), 19700101, "epoch");
        assertEq(lib.toYyyymmdd(10957), 20000101, "2000-01-01");
        assertEq(lib.toYyyymmdd(21243), 20280229, "leap day");
        assertEq(lib.toYyyymmdd(47481), 20991231, "last day");
    }

    function test_daysInMonth_everyMonthAndCenturyRule() public view {
        uint8[12] memory expected = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        for (uint256 month = 1; month <= 12; ++month) {
            assertEq(lib.daysInMonth(2027, month), expected[month - 1], "2027");
        }
        assertEq(lib.daysInMonth(2028, 2), 29, "2028 leap");
        assertEq(lib.daysInMonth(2000, 2), 29, "2000 leap (400)");
        assertEq(lib.daysInMonth(2100, 2), 28, "2100 not leap (100)");
        assertEq(lib.daysInMonth(1900, 2), 28, "1900 not leap");
    }

    function _assertDay(uint256 yyyymmdd, uint256 epochDay) private view {
        (bool valid, uint256 day) = lib.toEpochDay(yyyymmdd);
        assertTrue(valid, string.concat(vm.toString(yyyymmdd), " valid"));
        assertEq(day, epochDay, vm.toString(yyyymmdd));
    }

    function _assertInvalid(uint256 yyyymmdd) private view {
        (bool valid, uint256 day) = lib.toEpochDay(yyyymmdd);
        assertFalse(valid, string.concat(vm.toString(yyyymmdd), " invalid"));
        assertEq(day, 0, "no day");
    }
}
