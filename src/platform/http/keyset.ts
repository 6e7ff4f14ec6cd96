import { AppError } from '../errors.js';
import { decodeCursor } from './pagination.js';

/**
 * A keyset cursor tagged with the order it belongs to: `[order, value, id]`, so a cursor of one sort order is
 * refused (400) by the other.
 */
export function decodeKeyset(
  cursor: string | undefined,
  order: string,
  valueKind: 'text' | 'time',
): [string, string] | undefined {
  if (cursor === undefined) return undefined;
  const [tag, value, id] = decodeCursor(cursor, ['text', valueKind, 'uuid']) as [string, string, string];
  if (tag !== order) {
    throw new AppError('validation_failed', 'cursor belongs to another sort order of this list', {
      errors: [{ location: 'querystring', path: '/cursor', message: 'invalid cursor' }],
    });
  }
  return [value, id];
}

export function keysetOf(order: string, value: string, id: string): string[] {
  return [order, value, id];
}
