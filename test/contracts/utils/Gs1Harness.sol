// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Gs1} from "../../../contracts/libraries/Gs1.sol";
import {CivilDate} from "../../../contracts/libraries/CivilDate.sol";

/// @notice Exposes the GS1 and calendar libraries so they can be tested directly.
contract Gs1Harness {
    function hasValidCheckDigit(uint256 number, uint256 digits) external pure returns (bool) {
        return Gs1.hasValidCheckDigit(number, digits);
    }

    function isValidGtin14(uint256 gtin) external pure returns (bool) {
        return Gs1.isValidGtin14(gtin);
    }

    function isValidGln(uint256 gln) external pure returns (bool) {
        return Gs1.isValidGln(gln);
    }

    function isValidSscc(uint256 sscc) external pure returns (bool) {
        return Gs1.isValidSscc(sscc);
    }

    function prefixKeyOfSscc(uint256 sscc, uint256 length) external pure returns (uint256) {
        return Gs1.prefixKeyOfSscc(sscc, length);
    }

    function firstInvalidCset82(bytes calldata text) external pure returns (uint256) {
        return Gs1.firstInvalidCset82(text);
    }

    function companyPrefixKey(bytes calldata prefix) external pure returns (uint256) {
        return Gs1.companyPrefixKey(prefix);
    }

    function prefixKeyOfGtin(uint256 gtin, uint256 length) external pure returns (uint256) {
        return Gs1.prefixKeyOfGtin(gtin, length);
    }

    function prefixKey(uint256 length, uint256 value) external pure returns (uint256) {
        return Gs1.prefixKey(length, value);
    }

    function toEpochDay(uint256 yyyymmdd) external pure returns (bool valid, uint256 epochDay) {
        return CivilDate.toEpochDay(yyyymmdd);
    }

    function toYyyymmdd(uint256 epochDay) external pure returns (uint256) {
        return CivilDate.toYyyymmdd(epochDay);
    }

    function daysInMonth(uint256 year, uint256 month) external pure returns (uint256) {
        return CivilDate.daysInMonth(year, month);
    }
}
