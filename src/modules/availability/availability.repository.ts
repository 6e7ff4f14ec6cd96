import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { AvailabilityTable } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

export type AvailabilityRow = Selectable<AvailabilityTable>;

export async function insertAvailability(db: Executor, row: AvailabilityRow): Promise<void> {
  await db.insertInto('availability').values(row).execute();
}

export function findAvailability(db: Executor, orgId: OrgId, id: string) {
  return db
    .selectFrom('availability')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function deleteAvailability(db: Executor, orgId: OrgId, id: string): Promise<void> {
  await db.deleteFrom('availability').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export interface AvailabilityFilter {
  userId?: string | undefined;
  /** entries ending after `from` */
  from?: string | undefined;
  /** entries starting before `to` */
  to?: string | undefined;
  /** the (starts_at, id) of the last entry already seen */
  afterKey?: (string | number)[] | undefined;
  /** rows to fetch (the caller asks for limit + 1) */
  take: number;
}

/** The org's entries, ordered by (starts_at, id), that overlap the [from, to) window. */
export function listAvailability(db: Executor, orgId: OrgId, filter: AvailabilityFilter) {
  let query = db.selectFrom('availability').selectAll().where('org_id', '=', orgId);
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.from !== undefined) query = query.where('ends_at', '>', filter.from);
  if (filter.to !== undefined) query = query.where('starts_at', '<', filter.to);
  if (filter.afterKey) query = query.where(after(['starts_at', 'id'], filter.afterKey));
  return query.orderBy('starts_at').orderBy('id').limit(filter.take).execute();
}

export function toAvailability(row: AvailabilityRow) {
  return {
    id: row.id,
    org_id: row.org_id,
    user_id: row.user_id,
    starts_at: row.starts_at,
    ends_at: row.ends_at,
    kind: row.kind,
    note: row.note,
    created_at: row.created_at,
  };
}
