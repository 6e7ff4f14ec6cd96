import type { Insertable } from 'kysely';
import { DAY, HOUR } from '../platform/clock.js';
import type { Executor } from '../platform/db/database.js';
import type { DB, MemberRole } from '../platform/db/tables.js';
import { zonedDateTimeToUtc } from '../platform/timezone.js';

export const DEMO_ORG_NAME = 'Demo Productions';
export const DEMO_TIMEZONE = 'Europe/Paris';
export const DEMO_DOMAIN = 'demo.example';
/** Every demo account logs in with this password (documented in the README). */
export const DEMO_PASSWORD = 'coulisses-demo-2026';
/** The member accounts, one per role: `owner@demo.example`, … */
export const DEMO_MEMBERS: readonly MemberRole[] = ['owner', 'admin', 'manager', 'tech'];
/** Minimum rest kept between two ACCEPTED missions of one user (the default labour rule). */
export const REST_MS = 11 * HOUR;

/** The days the dataset covers, all in UTC-midnight day numbers (days since epoch). */
export interface DemoCalendar {
  todayDay: number;
  /** "now" of the dataset (ms): 08:00 UTC today */
  now: number;
  firstDay: number;
  lastDay: number;
  orgCreated: string;
  /** A wall-clock time in the demo org's zone, as UTC ms (cached: the same few values recur thousands of times) */
  localToUtc(date: string, time: string): number;
}

export function demoCalendar(today: Date, months: number): DemoCalendar {
  const todayDay = Math.floor(today.getTime() / DAY);
  const spanDays = Math.max(1, Math.round(months * 30.44));
  const firstDay = todayDay - Math.floor(spanDays / 2);
  const zoned = new Map<string, number>();
  return {
    todayDay,
    now: todayDay * DAY + 8 * HOUR,
    firstDay,
    lastDay: firstDay + spanDays - 1,
    orgCreated: iso((firstDay - 60) * DAY + 9 * HOUR),
    localToUtc: (date, time) => {
      const key = `${date}T${time}`;
      let ms = zoned.get(key);
      if (ms === undefined) {
        ms = Date.parse(zonedDateTimeToUtc(date, time, DEMO_TIMEZONE));
        zoned.set(key, ms);
      }
      return ms;
    },
  };
}

/** A roster member as the scheduler sees them. */
export interface Crew {
  id: string;
  active: boolean;
  /** End (ms) of the last ACCEPTED mission: missions are linked in start order, so this detects overlaps. */
  busyUntil: number;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const ascii = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();

/** YYYY-MM-DD of a UTC-midnight day number (days since epoch). */
export const dateOf = (day: number) => iso(day * DAY).slice(0, 10);

/** Multi-row inserts well under both dialects' bound-parameter limits (SQLite 32766, PostgreSQL 65535). */
export async function insertRows<T extends keyof DB>(
  db: Executor,
  table: T,
  rows: Insertable<DB[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object).length;
  const chunk = Math.max(1, Math.min(1000, Math.floor(30_000 / columns)));
  for (let i = 0; i < rows.length; i += chunk) {
    await db
      .insertInto(table)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely cannot relate a generic table to its rows
      .values(rows.slice(i, i + chunk) as any)
      .execute();
  }
}
