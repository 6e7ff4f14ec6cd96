/**
 * The dates and instants the API accepts, and the one form it stores them in.
 *
 * Stricter than RFC 3339 where the database or the code would otherwise break later: no leap second (JavaScript's
 * `Date` has none, so `23:59:60` silently became the next minute, or a 500), only days that exist, and a year range
 * that holds once the offset is applied (`9999-12-31T23:00:00-14:00` is year 10000 in UTC, which neither
 * `toISOString()`'s fixed width nor PostgreSQL's input accepts). Stored instants are `YYYY-MM-DDTHH:MM:SS.sssZ`:
 * fixed width and UTC, so they compare correctly as text on SQLite.
 */

/** Instants and dates outside this UTC range are refused (documented in docs/conventions.md). */
export const EARLIEST_INSTANT = '1900-01-01T00:00:00.000Z';
export const LATEST_INSTANT = '9999-12-31T23:59:59.999Z';
const EARLIEST_MS = Date.parse(EARLIEST_INSTANT);
const LATEST_MS = Date.parse(LATEST_INSTANT);

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function dayExists(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/** Milliseconds since the epoch of an RFC 3339 date-time we accept, or null when it is refused. */
export function parseInstant(value: string): number | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1000 || !dayExists(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const sign = m[9] === '-' ? -1 : 1;
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const utc = local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return utc >= EARLIEST_MS && utc <= LATEST_MS ? utc : null;
}

/** The stored form of an accepted date-time, or null when it is refused. */
export function canonicalInstant(value: string): string | null {
  const ms = parseInstant(value);
  return ms === null ? null : new Date(ms).toISOString();
}

/** A calendar date (`YYYY-MM-DD`) that exists and lies in the accepted years. */
export function isStorableDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = m.slice(1, 4).map(Number) as [number, number, number];
  return year >= 1900 && year <= 9999 && dayExists(year, month, day);
}

/** Why a string was refused as a date-time, in words a client can act on. */
export const INSTANT_RULE =
  'must be an existing RFC 3339 date-time with an offset, e.g. 2026-06-01T18:00:00Z, no leap second, ' +
  `between ${EARLIEST_INSTANT} and ${LATEST_INSTANT} once the offset is applied`;
export const DATE_RULE = 'must be an existing date YYYY-MM-DD between 1900-01-01 and 9999-12-31';
