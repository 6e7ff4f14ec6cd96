import { randomUUID } from 'node:crypto';

/** Every id is a random UUID string. */
export const newId = (): string => randomUUID();

/** Every stored time is ISO-8601 UTC with milliseconds and `Z`, which also sorts correctly as text. */
export const isoNow = (): string => new Date().toISOString();

export function isoIn(ms: number, from = Date.now()): string {
  return new Date(from + ms).toISOString();
}

/** Normalises any ISO-8601 input (offsets allowed) to the stored form. */
export function toIso(value: string): string {
  return new Date(value).toISOString();
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
