import { checkFixedDigits } from "./fields.ts";
import { gs1Error, type Gs1Error, type Gs1Result } from "./errors.ts";

/** An expiry date (AI 17) as printed and as a calendar date. */
export type Expiry = {
  /** The six digits as encoded: YYMMDD. DD may be 00. */
  raw: string;
  /** ISO 8601 calendar date YYYY-MM-DD; for DD = 00, the last day of the month. */
  date: string;
};

const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1-12) of `year`; 0 for a month outside 1-12. */
export function lastDayOfMonth(year: number, month: number): number {
  switch (month) {
    case 2:
      return isLeapYear(year) ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11:
      return 30;
    case 1:
    case 3:
    case 5:
    case 7:
    case 8:
    case 10:
    case 12:
      return 31;
    default:
      return 0;
  }
}

/**
 * The four-digit year for a two-digit GS1 year, in the window from 49 years
 * before to 50 years after `currentYear` (GS1 General Specifications 7.12).
 */
export function resolveTwoDigitYear(yy: number, currentYear: number): number {
  const currentYy = currentYear % 100;
  const century = currentYear - currentYy;
  const diff = yy - currentYy;
  if (diff > 50) return century - 100 + yy;
  if (diff < -49) return century + 100 + yy;
  return century + yy;
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Reads `raw` as an AI 17 date (YYMMDD, DD = 00 allowed) and returns it as
 * an Expiry, or a BAD_DATE error. The caller has checked that `raw` is six
 * digits. `at` is the offset of `raw` in the parsed input, when known.
 */
export function readExpiry(raw: string, currentYear: number, at: number | undefined): Expiry | Gs1Error {
  const yy = (raw.charCodeAt(0) - 48) * 10 + (raw.charCodeAt(1) - 48);
  const mm = (raw.charCodeAt(2) - 48) * 10 + (raw.charCodeAt(3) - 48);
  const dd = (raw.charCodeAt(4) - 48) * 10 + (raw.charCodeAt(5) - 48);
  if (mm < 1 || mm > 12) {
    return gs1Error("BAD_DATE", `Expiry date ${raw} has month ${raw.slice(2, 4)}; months run from 01 to 12 (AI 17)`, {
      ai: "17",
      at: at === undefined ? undefined : at + 2,
      expected: "month 01-12",
      found: raw.slice(2, 4),
    });
  }
  const year = resolveTwoDigitYear(yy, currentYear);
  const last = lastDayOfMonth(year, mm);
  if (dd > last) {
    const monthName = MONTH_NAMES[mm - 1] ?? "";
    const why = mm === 2 && dd === 29 ? `${year} is not a leap year` : `${monthName} ${year} has ${last} days`;
    return gs1Error("BAD_DATE", `Expiry date ${raw} would be ${dd} ${monthName} ${year}, but ${why} (AI 17)`, {
      ai: "17",
      at: at === undefined ? undefined : at + 4,
      expected: `day 00-${last}`,
      found: raw.slice(4, 6),
    });
  }
  const day = dd === 0 ? last : dd;
  return { raw, date: `${year}-${twoDigits(mm)}-${twoDigits(day)}` };
}

/**
 * Converts an AI 17 expiry (YYMMDD) to a calendar date. The century comes
 * from the GS1 window around `now` (UTC year; default: the current time);
 * DD = 00 means the last day of the month, so "280200" is 2028-02-29.
 */
export function expiryToDate(raw: string, now: Date = new Date()): Gs1Result<Expiry> {
  if (typeof raw !== "string") {
    return {
      ok: false,
      error: gs1Error("NOT_A_STRING", "The expiry date must be text (YYMMDD)", {
        ai: "17",
      }),
    };
  }
  const shape = checkFixedDigits(raw, "17", 6, "Expiry date", undefined);
  if (shape !== undefined) return { ok: false, error: shape };
  const result = readExpiry(raw, currentUtcYear(now), undefined);
  return "code" in result ? { ok: false, error: result } : { ok: true, value: result };
}

export function currentUtcYear(now: Date | undefined): number {
  const year = (now ?? new Date()).getUTCFullYear();
  return Number.isFinite(year) ? year : new Date().getUTCFullYear();
}
