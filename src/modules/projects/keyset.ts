import { AppError } from '../../platform/errors.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function invalid(): AppError {
  return new AppError('validation_failed', 'cursor is not a cursor returned by this list', {
    errors: [{ location: 'querystring', path: '/cursor', message: 'invalid cursor' }],
  });
}

/**
 * A keyset cursor tagged with the order it belongs to: `[order, value, id]`. A cursor of another order, or
 * whose values could not have come from a row (a bad uuid or time would be a database error on PostgreSQL),
 * is a 400.
 */
export function decodeKeyset(
  cursor: string | undefined,
  order: string,
  valueKind: 'text' | 'time',
): [string, string] | undefined {
  if (cursor === undefined) return undefined;
  const [tag, value, id] = decodeCursor(cursor, 3);
  if (tag !== order || typeof value !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  if (valueKind === 'time' && !ISO.test(value)) throw invalid();
  return [value, id];
}

export function keysetOf(order: string, value: string, id: string): string[] {
  return [order, value, id];
}

export { encodeCursor };
