import { timeZoneOffsetMs, zonedDateTimeToUtc } from '../../platform/timezone.js';

/**
 * Pure time arithmetic for timesheets: how many minutes of a span fall at night, on a Sunday, on a public
 * holiday — in the org's local time, so that a night shift across midnight and a DST weekend come out right.
 * No database, no clock: everything it needs is in its arguments.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Minutes after local midnight; the window runs from start to end, across midnight when end < start. */
export interface NightWindow {
  startMinute: number;
  endMinute: number;
}

export const DEFAULT_NIGHT: NightWindow = { startMinute: 22 * 60, endMinute: 6 * 60 };

export interface WorkContext {
  timeZone: string;
  night: NightWindow;
  isHoliday: (localDate: string) => boolean;
}

export interface WorkBreakdown {
  /** end − start */
  elapsed_minutes: number;
  /** elapsed − breaks, never below 0 */
  worked_minutes: number;
  night_minutes: number;
  sunday_minutes: number;
  holiday_minutes: number;
}

// Local wall-clock instants repeat for every line of a month: cache them (bounded, cleared when full).
const instants = new Map<string, number>();
function localInstant(date: string, minute: number, timeZone: string): number {
  const key = `${timeZone}|${date}|${minute}`;
  let ms = instants.get(key);
  if (ms === undefined) {
    if (instants.size > 50_000) instants.clear();
    const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    ms = Date.parse(zonedDateTimeToUtc(date, hhmm, timeZone));
    instants.set(key, ms);
  }
  return ms;
}

/** The local calendar date ("YYYY-MM-DD") of an instant in a zone. */
export function localDate(ms: number, timeZone: string): string {
  return new Date(ms + timeZoneOffsetMs(ms, timeZone)).toISOString().slice(0, 10);
}

export function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, of a calendar date. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The Monday ("YYYY-MM-DD") of the ISO week holding a calendar date. */
export function mondayOf(date: string): string {
  const back = (weekday(date) + 6) % 7;
  return new Date(Date.parse(`${date}T00:00:00Z`) - back * DAY_MS).toISOString().slice(0, 10);
}

const overlap = (a0: number, a1: number, b0: number, b1: number) =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** Whole minutes of `[start, end)` inside one local date's night window(s). */
function nightOverlap(start: number, end: number, date: string, ctx: WorkContext): number {
  const { startMinute, endMinute } = ctx.night;
  if (startMinute === endMinute) return 0;
  const at = (minute: number) => localInstant(date, minute, ctx.timeZone);
  if (startMinute < endMinute) return overlap(start, end, at(startMinute), at(endMinute));
  const midnight = at(0);
  const nextMidnight = localInstant(nextDate(date), 0, ctx.timeZone);
  return overlap(start, end, midnight, at(endMinute)) + overlap(start, end, at(startMinute), nextMidnight);
}

/**
 * Splits a worked span by local day. Times are truncated to the minute. Night, Sunday and holiday minutes are
 * counted on the span, then capped at the worked minutes (breaks are taken out of the total, not placed in time).
 */
export function breakDownWork(
  startIso: string,
  endIso: string,
  breakMinutes: number,
  ctx: WorkContext,
): WorkBreakdown {
  const start = Math.floor(Date.parse(startIso) / MINUTE_MS) * MINUTE_MS;
  const end = Math.floor(Date.parse(endIso) / MINUTE_MS) * MINUTE_MS;
  const elapsed = Math.max(0, end - start);
  let night = 0;
  let sunday = 0;
  let holiday = 0;
  if (elapsed > 0) {
    const last = localDate(end - MINUTE_MS, ctx.timeZone);
    for (let date = localDate(start, ctx.timeZone); date <= last; date = nextDate(date)) {
      const inDay = overlap(
        start,
        end,
        localInstant(date, 0, ctx.timeZone),
        localInstant(nextDate(date), 0, ctx.timeZone),
      );
      if (weekday(date) === 0) sunday += inDay;
      if (ctx.isHoliday(date)) holiday += inDay;
      night += nightOverlap(start, end, date, ctx);
    }
  }
  const elapsedMinutes = Math.round(elapsed / MINUTE_MS);
  const worked = Math.max(0, elapsedMinutes - breakMinutes);
  const cap = (ms: number) => Math.min(worked, Math.round(ms / MINUTE_MS));
  return {
    elapsed_minutes: elapsedMinutes,
    worked_minutes: worked,
    night_minutes: cap(night),
    sunday_minutes: cap(sunday),
    holiday_minutes: cap(holiday),
  };
}

/** Minutes between two instants (planned duration of a mission). */
export function minutesBetween(startIso: string, endIso: string): number {
  return Math.max(0, Math.round((Date.parse(endIso) - Date.parse(startIso)) / MINUTE_MS));
}
