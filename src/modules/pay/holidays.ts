import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';

// Loaded on first use, synchronously (its CommonJS build): the holiday tables and their astronomy cost a tenth
// of a cold start, and only pay computations need them.
let loaded: typeof HolidaysClass | undefined;
const holidays = (): typeof HolidaysClass =>
  (loaded ??= createRequire(import.meta.url)('date-holidays') as typeof HolidaysClass);

/**
 * Public holidays of a country (ISO 3166-1 alpha-2), from the maintained `date-holidays` data. Only the days it
 * types `public` count (not bank, school, optional or observance days); regional holidays (Alsace-Moselle's
 * 26 December, …) are not included because an org has one country, not a region.
 */
const cache = new Map<string, Set<string>>();

let countries: Set<string> | undefined;

/** The countries the holiday data knows. */
export function isKnownCountry(code: string): boolean {
  countries ??= new Set(Object.keys(new (holidays())().getCountries()));
  return countries.has(code);
}

/** The public holidays of one year, as local dates "YYYY-MM-DD". */
export function publicHolidays(country: string, year: number): Set<string> {
  const key = `${country}:${year}`;
  let days = cache.get(key);
  if (!days) {
    const calendar = new (holidays())(country);
    days = new Set(
      calendar
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    cache.set(key, days);
  }
  return days;
}

/** A predicate for `breakDownWork`: is this local date a public holiday of the country? */
export function holidayCalendar(country: string): (date: string) => boolean {
  return (date) => publicHolidays(country, Number(date.slice(0, 4))).has(date);
}
