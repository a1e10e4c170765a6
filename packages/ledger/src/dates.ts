/**
 * The ledger's dates: YYYYMMDD numbers in UTC, with DD = 00 meaning the last day of the month (as
 * GS1 AI 17 and the contract's CivilDate library read them).
 */
import { expiryToDate, lastDayOfMonth } from "@pedigree/gs1";

/** `20280200` → `"2028-02-29"`. Throws a RangeError for a number that is not such a date. */
export function isoDateFromYyyymmdd(yyyymmdd: number): string {
  const year = Math.floor(yyyymmdd / 10_000);
  const month = Math.floor(yyyymmdd / 100) % 100;
  const day = yyyymmdd % 100;
  const last = lastDayOfMonth(year, month);
  if (!Number.isInteger(yyyymmdd) || year < 1000 || year > 9999 || last === 0 || day > last) {
    throw new RangeError(`${String(yyyymmdd)} is not a date written YYYYMMDD`);
  }
  return `${year}-${pad(month)}-${pad(day === 0 ? last : day)}`;
}

/** `"2028-02-29"` → `20280229`. */
export function yyyymmddFromIsoDate(isoDate: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (match === null) throw new RangeError(`${isoDate} is not a date written YYYY-MM-DD`);
  return Number(`${match[1]}${match[2]}${match[3]}`);
}

/**
 * A GS1 expiry (AI 17, YYMMDD) as the contract's YYYYMMDD: `"280200"` → `20280229`. The century
 * comes from GS1's window around `now` (49 years back, 50 ahead). Throws a RangeError carrying
 * the GS1 parser's message for an invalid date.
 */
export function yyyymmddFromGs1Expiry(raw: string, now: Date = new Date()): number {
  const expiry = expiryToDate(raw, now);
  if (!expiry.ok) throw new RangeError(expiry.error.message);
  return yyyymmddFromIsoDate(expiry.value.date);
}

/** Today's date in UTC, YYYY-MM-DD: the day the contract's `block.timestamp / 1 days` names. */
export function utcIsoDate(now: Date): string {
  if (Number.isNaN(now.getTime())) throw new RangeError("The current time is not a valid Date");
  return now.toISOString().slice(0, 10);
}

/** Unix seconds → ISO 8601 UTC timestamp. */
export function isoTimestamp(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
