import { zonedDateTimeToUtc } from '../../platform/timezone.js';

/** "YYYY-MM" → the UTC instants of its first local midnight and of the next month's: `[from, to)`. */
export function monthRange(month: string, timeZone: string): { from: string; to: string } {
  return {
    from: zonedDateTimeToUtc(`${month}-01`, '00:00', timeZone),
    to: zonedDateTimeToUtc(`${nextMonth(month)}-01`, '00:00', timeZone),
  };
}

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';
