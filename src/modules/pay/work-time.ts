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

// Local days are day numbers (days since 1970-01-01) inside the hot loop: date strings only at the edges.
const dayString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const isSunday = (day: number) => (day + 4) % 7 === 0; // day 0 was a Thursday

// Local wall-clock instants repeat for every line of a month: cache them per zone (bounded, cleared when full).
const instants = new Map<string, Map<number, number>>();
function localInstant(day: number, minute: number, timeZone: string): number {
  let zone = instants.get(timeZone);
  if (!zone) instants.set(timeZone, (zone = new Map()));
  const key = day * 1440 + minute;
  let ms = zone.get(key);
  if (ms === undefined) {
    if (zone.size > 100_000) zone.clear();
    const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    ms = Date.parse(zonedDateTimeToUtc(dayString(day), hhmm, timeZone));
    zone.set(key, ms);
  }
  return ms;
}

const holidayDays = new WeakMap<(date: string) => boolean, Map<number, boolean>>();
function isHolidayDay(day: number, ctx: WorkContext): boolean {
  let days = holidayDays.get(ctx.isHoliday);
  if (!days) holidayDays.set(ctx.isHoliday, (days = new Map()));
  let holiday = days.get(day);
  if (holiday === undefined) {
    holiday = ctx.isHoliday(dayString(day));
    days.set(day, holiday);
  }
  return holiday;
}

// Offsets change only at transitions, which modern tz data puts on quarter hours: cache per zone and quarter
// hour (Intl's formatToParts costs microseconds, and an export asks millions of times).
const QUARTER_MS = 15 * MINUTE_MS;
const offsets = new Map<string, Map<number, number>>();
function offsetAt(ms: number, timeZone: string): number {
  const quarter = Math.floor(ms / QUARTER_MS);
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  let offset = zone.get(quarter);
  if (offset === undefined) {
    if (zone.size > 200_000) zone.clear();
    offset = timeZoneOffsetMs(quarter * QUARTER_MS, timeZone);
    zone.set(quarter, offset);
  }
  return offset;
}

/** The local day number (days since 1970-01-01) of an instant in a zone. */
export function localDay(ms: number, timeZone: string): number {
  return Math.floor((ms + offsetAt(ms, timeZone)) / DAY_MS);
}

/** The day number of the Monday of the ISO week holding a day number (1970-01-01, day 0, was a Thursday). */
export function mondayOfDay(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

// "YYYY-MM" of a day number: one string per day of the month, not one per line.
const monthLabels = new Map<number, string>();
/** The calendar month ("YYYY-MM") of a day number. */
export function monthOfDay(day: number): string {
  let label = monthLabels.get(day);
  if (label === undefined) {
    if (monthLabels.size > 10_000) monthLabels.clear();
    label = dayString(day).slice(0, 7);
    monthLabels.set(day, label);
  }
  return label;
}

/** The local calendar date ("YYYY-MM-DD") of an instant in a zone. */
export function localDate(ms: number, timeZone: string): string {
  return new Date(ms + offsetAt(ms, timeZone)).toISOString().slice(0, 10);
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

/** Whole minutes of `[start, end)` inside one local day's night window(s). */
function nightOverlap(start: number, end: number, day: number, ctx: WorkContext): number {
  const { startMinute, endMinute } = ctx.night;
  if (startMinute === endMinute) return 0;
  const at = (minute: number) => localInstant(day, minute, ctx.timeZone);
  if (startMinute < endMinute) return overlap(start, end, at(startMinute), at(endMinute));
  const nextMidnight = localInstant(day + 1, 0, ctx.timeZone);
  return overlap(start, end, at(0), at(endMinute)) + overlap(start, end, at(startMinute), nextMidnight);
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
  return breakDownWorkInto(startIso, endIso, breakMinutes, ctx, {
    elapsed_minutes: 0,
    worked_minutes: 0,
    night_minutes: 0,
    sunday_minutes: 0,
    holiday_minutes: 0,
  });
}

/**
 * `breakDownWork` written into `out` (returned): an org-wide pass breaks down tens of thousands of spans and
 * reuses one object instead of leaving one behind per line.
 */
export function breakDownWorkInto(
  startIso: string,
  endIso: string,
  breakMinutes: number,
  ctx: WorkContext,
  out: WorkBreakdown,
): WorkBreakdown {
  const start = Math.floor(Date.parse(startIso) / MINUTE_MS) * MINUTE_MS;
  const end = Math.floor(Date.parse(endIso) / MINUTE_MS) * MINUTE_MS;
  const elapsed = Math.max(0, end - start);
  let night = 0;
  let sunday = 0;
  let holiday = 0;
  if (elapsed > 0) {
    const last = localDay(end - MINUTE_MS, ctx.timeZone);
    for (let day = localDay(start, ctx.timeZone); day <= last; day++) {
      const inDay = overlap(
        start,
        end,
        localInstant(day, 0, ctx.timeZone),
        localInstant(day + 1, 0, ctx.timeZone),
      );
      if (isSunday(day)) sunday += inDay;
      if (isHolidayDay(day, ctx)) holiday += inDay;
      night += nightOverlap(start, end, day, ctx);
    }
  }
  const elapsedMinutes = Math.round(elapsed / MINUTE_MS);
  const worked = Math.max(0, elapsedMinutes - breakMinutes);
  out.elapsed_minutes = elapsedMinutes;
  out.worked_minutes = worked;
  out.night_minutes = Math.min(worked, Math.round(night / MINUTE_MS));
  out.sunday_minutes = Math.min(worked, Math.round(sunday / MINUTE_MS));
  out.holiday_minutes = Math.min(worked, Math.round(holiday / MINUTE_MS));
  return out;
}

/** Minutes between two instants (planned duration of a mission). */
export function minutesBetween(startIso: string, endIso: string): number {
  return Math.max(0, Math.round((Date.parse(endIso) - Date.parse(startIso)) / MINUTE_MS));
}
