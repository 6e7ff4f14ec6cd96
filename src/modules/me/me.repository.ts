import type { Executor } from '../../platform/db/database.js';
import { inWindow, type AssignmentWindow } from '../assignments/assignments.repository.js';

export interface MyAssignmentFilter extends AssignmentWindow {
  accountId: string;
}

/**
 * A page of the account's assignments in every org where a user row is linked to it, ordered by mission start,
 * then id. The join on `users.account_id` is the only way in: nobody else's assignment can appear.
 */
export function listMyAssignmentRows(db: Executor, filter: MyAssignmentFilter) {
  return db
    .selectFrom('users as u')
    .innerJoin('assignments as a', (join) =>
      join.onRef('a.user_id', '=', 'u.id').onRef('a.org_id', '=', 'u.org_id'),
    )
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select([
      'a.id',
      'a.status',
      'a.note',
      'a.responded_at',
      'o.id as org_id',
      'o.name as org_name',
      'm.id as mission_id',
      'm.title as mission_title',
      'm.starts_at as mission_starts_at',
      'm.ends_at as mission_ends_at',
      'm.location as mission_location',
      'r.id as role_id',
      'r.name as role_name',
    ])
    .where('u.account_id', '=', filter.accountId)
    .where(inWindow(filter))
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .limit(filter.limit + 1)
    .execute();
}

export type MyAssignmentRow = Awaited<ReturnType<typeof listMyAssignmentRows>>[number];

export function toMyAssignment(row: MyAssignmentRow) {
  return {
    id: row.id,
    status: row.status,
    note: row.note,
    responded_at: row.responded_at,
    org: { id: row.org_id, name: row.org_name },
    mission: {
      id: row.mission_id,
      title: row.mission_title,
      starts_at: row.mission_starts_at,
      ends_at: row.mission_ends_at,
      location: row.mission_location,
    },
    role: { id: row.role_id, name: row.role_name },
  };
}
