import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../errors.js';

/**
 * Keyset pagination: a page is `limit` rows after a cursor that holds the sort key of the last row seen, so
 * deep pages cost what the first one does and concurrent inserts never shift a page.
 */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export const DEFAULT_LIMIT = 50;

export function encodeCursor(key: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What each part of a cursor's key must look like: a forged value must never reach the database as a bad cast. */
export type KeyKind = 'text' | 'time' | 'uuid' | 'number';

const KIND_CHECKS: Record<KeyKind, (k: unknown) => boolean> = {
  text: (k) => typeof k === 'string',
  time: (k) => typeof k === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(k),
  uuid: (k) =>
    typeof k === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(k),
  number: (k) => typeof k === 'number' && Number.isFinite(k),
};

/** The sort key a cursor holds, checked part by part; a cursor that was not made by us is a 400, never a 500. */
export function decodeCursor(cursor: string, kinds: readonly KeyKind[]): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === kinds.length && key.every((k, i) => KIND_CHECKS[kinds[i]!](k))) {
      return key as (string | number)[];
    }
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'cursor is not a cursor returned by this list', {
    errors: [{ location: 'querystring', path: '/cursor', message: 'invalid cursor' }],
  });
}

/** `(a, b) > (x, y)` (or `<` for descending order): the rows after the cursor's key. Both dialects support it. */
export function after(
  columns: string[],
  key: (string | number)[],
  direction: 'asc' | 'desc' = 'asc',
): RawBuilder<boolean> {
  const left = sql.join(columns.map((c) => sql.ref(c)));
  const right = sql.join(key.map((k) => sql`${k}`));
  return direction === 'asc' ? sql<boolean>`(${left}) > (${right})` : sql<boolean>`(${left}) < (${right})`;
}

/** Rows were fetched with `limit + 1`: trim and derive the next cursor from the last row kept. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => (string | number | null)[],
  map: (row: Row) => Item,
): Page<Item> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(map),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
