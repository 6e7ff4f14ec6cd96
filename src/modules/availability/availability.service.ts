import { findOwnUserId, findUserRow } from '../users/users.repository.js';
import { recordAudit } from '../../platform/audit.js';
import { recordEvent } from '../../platform/events.js';
import { limitedToOwn, type OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow, newId, toIso } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import type { AvailabilityKind } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import {
  deleteAvailability,
  findAvailability,
  insertAvailability,
  listAvailability,
  toAvailability,
  type AvailabilityRow,
} from './availability.repository.js';

export type Availability = ReturnType<typeof toAvailability>;

export interface CreateAvailabilityInput {
  user_id: string;
  starts_at: string;
  ends_at: string;
  kind: AvailabilityKind;
  note?: string | null | undefined;
}

export interface ListAvailabilityInput {
  user_id?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** ISO-8601 in the stored form; a date the schema let through but `Date` cannot read (a leap second) is a 400. */
function isoOf(value: string, location: string, path: string): string {
  if (Number.isNaN(Date.parse(value))) throw invalid(location, path, 'is not a valid time');
  return toIso(value);
}

function invalid(location: string, path: string, message: string): AppError {
  return new AppError('validation_failed', `${location}${path}: ${message}`, {
    errors: [{ location, path, message }],
  });
}

/**
 * Declares a slot. A tech may only declare for their own crew member: any other `user_id` (existing or not) is
 * a 403, so a tech learns nothing about the roster. Managers and above get a 404 for a user not in the org.
 */
export async function createAvailability(
  db: Db,
  scope: OrgScope,
  input: CreateAvailabilityInput,
): Promise<Availability> {
  const { orgId } = scope;
  const startsAt = isoOf(input.starts_at, 'body', '/starts_at');
  const endsAt = isoOf(input.ends_at, 'body', '/ends_at');
  if (endsAt <= startsAt) throw invalid('body', '/ends_at', 'must be after starts_at');

  return db.transaction().execute(async (tx) => {
    // Under the person's lock, like an accept: an accept racing this declaration is judged with it or before it.
    await lockRow(tx, 'users', input.user_id);
    if (limitedToOwn(scope)) {
      if ((await findOwnUserId(tx, scope)) !== input.user_id) {
        throw new AppError('forbidden', 'A tech may only declare their own availability');
      }
    } else if (!(await findUserRow(tx, orgId, input.user_id))) {
      throw notFound('User');
    }
    const row: AvailabilityRow = {
      id: newId(),
      org_id: orgId,
      user_id: input.user_id,
      starts_at: startsAt,
      ends_at: endsAt,
      kind: input.kind,
      note: input.note ?? null,
      created_at: isoNow(),
    };
    await insertAvailability(tx, row);
    const created = toAvailability(row);
    await recordAudit(tx, scope, {
      orgId,
      action: 'availability.create',
      entityType: 'availability',
      entityId: row.id,
      after: created,
    });
    await recordEvent(tx, scope, {
      orgId,
      type: 'availability.changed',
      entityType: 'availability',
      entityId: row.id,
      subjects: { user_ids: [row.user_id] },
      payload: { availability_id: row.id, user_id: row.user_id, change: 'created', after: created },
    });
    return created;
  });
}

/**
 * Entries overlapping [from, to), ordered by (starts_at, id). A tech sees only their own crew member's entries:
 * the `user_id` filter is forced, and asking for anyone else is a 403.
 */
export async function listAvailabilityPage(
  db: Db,
  scope: OrgScope,
  input: ListAvailabilityInput,
): Promise<Page<Availability>> {
  const from = input.from === undefined ? undefined : isoOf(input.from, 'querystring', '/from');
  const to = input.to === undefined ? undefined : isoOf(input.to, 'querystring', '/to');
  if (from !== undefined && to !== undefined && to <= from) {
    throw invalid('querystring', '/to', 'must be after from');
  }
  const afterKey = input.cursor === undefined ? undefined : decodeCursor(input.cursor, ['time', 'uuid']);

  let userId = input.user_id;
  if (limitedToOwn(scope)) {
    const own = await findOwnUserId(db, scope);
    if (userId !== undefined && userId !== own) {
      throw new AppError('forbidden', 'A tech may only list their own availability');
    }
    if (own === null) return { items: [], next_cursor: null };
    userId = own;
  }

  const rows = await listAvailability(db, scope.orgId, { userId, from, to, afterKey, take: input.limit + 1 });
  return toPage(rows, input.limit, (row) => [row.starts_at, row.id], toAvailability);
}

/** Removes an entry. A tech may only remove their own: anyone else's answers 404 like a missing one. */
export async function removeAvailability(db: Db, scope: OrgScope, availabilityId: string): Promise<void> {
  const { orgId } = scope;
  await db.transaction().execute(async (tx) => {
    const row = await findAvailability(tx, orgId, availabilityId);
    if (!row) throw notFound('Availability');
    if (limitedToOwn(scope) && (await findOwnUserId(tx, scope)) !== row.user_id) {
      throw notFound('Availability');
    }
    await deleteAvailability(tx, orgId, availabilityId);
    await recordAudit(tx, scope, {
      orgId,
      action: 'availability.delete',
      entityType: 'availability',
      entityId: row.id,
      before: toAvailability(row),
    });
    await recordEvent(tx, scope, {
      orgId,
      type: 'availability.changed',
      entityType: 'availability',
      entityId: row.id,
      subjects: { user_ids: [row.user_id] },
      payload: {
        availability_id: row.id,
        user_id: row.user_id,
        change: 'deleted',
        before: toAvailability(row),
      },
    });
  });
}
