// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Calendar dates as YYYYMMDD numbers and as days since 1970-01-01 (UTC)
/// @dev Conversions follow Howard Hinnant's days_from_civil / civil_from_days algorithms,
/// restricted to years 2000-2099, the range a two-digit GS1 expiry year can name.
library CivilDate {
    /// @notice Converts YYYYMMDD to days since the epoch. Day 00 means the last day of the month,
    /// as in GS1 AI 17. Returns (false, 0) for anything that is not a real date in 2000-2099.
    function toEpochDay(uint256 yyyymmdd) internal pure returns (bool valid, uint256 epochDay) {
        uint256 year = yyyymmdd / 10_000;
        uint256 month = (yyyymmdd / 100) % 100;
        uint256 day = yyyymmdd % 100;
        if (year < 2000 || year > 2099 || month == 0 || month > 12) return (false, 0);
        uint256 lastDay = daysInMonth(year, month);
        if (day == 0) day = lastDay;
        if (day > lastDay) return (false, 0);
        return (true, _daysFromCivil(year, month, day));
    }

    /// @notice Converts days since the epoch back to YYYYMMDD.
    function toYyyymmdd(uint256 epochDay) internal pure returns (uint256) {
        uint256 z = epochDay + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        uint256 day = doy - (153 * mp + 2) / 5 + 1;
        uint256 month = mp < 10 ? mp + 3 : mp - 9;
        uint256 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        return year * 10_000 + month * 100 + day;
    }

    function daysInMonth(uint256 year, uint256 month) internal pure returns (uint256) {
        if (month == 2) return _isLeapYear(year) ? 29 : 28;
        if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
        return 31;
    }

    function _isLeapYear(uint256 year) private pure returns (bool) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    function _daysFromCivil(uint256 year, uint256 month, uint256 day) private pure returns (uint256) {
        if (month <= 2) year -= 1;
        uint256 era = year / 400;
        uint256 yoe = year - era * 400;
        uint256 mp = month > 2 ? month - 3 : month + 9;
        uint256 doy = (153 * mp + 2) / 5 + day - 1;
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
