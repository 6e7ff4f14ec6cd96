import { sql, SqliteAdapter } from 'kysely';
import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';

/**
 * An engagement: one ACCEPTED assignment with its mission, role, project, person and timesheet (if saved).
 * The one query behind timesheets, totals and exports; every caller adds its own filters and order.
 */
export function engagementQuery(db: Executor, orgId: OrgId) {
  return engagementColumns(db).where(unindexed(db, 'a.org_id'), '=', orgId);
}

/**
 * One org is the whole table to SQLite's planner, so an org index looks as good as any: `+column` keeps it on
 * the selective index of each query (an id, a person, a range of mission starts). PostgreSQL's statistics
 * choose that plan by themselves.
 */
export function unindexed(db: Executor, column: 'a.org_id' | 'u.org_id') {
  return db.getExecutor().adapter instanceof SqliteAdapter
    ? sql<string>`+${sql.ref(column)}`
    : sql<string>`${sql.ref(column)}`;
}

/**
 * The same, for a page of people already read from the org's roster: the org is checked on the person, so the
 * planner walks each person's `(user_id, status)` index instead of every ACCEPTED assignment of the org.
 */
export function engagementQueryForPeople(db: Executor, orgId: OrgId, userIds: readonly string[]) {
  return engagementColumns(db)
    .where('u.id', 'in', [...userIds])
    .where(unindexed(db, 'u.org_id'), '=', orgId)
    .where('a.user_id', 'in', [...userIds]);
}

function engagementColumns(db: Executor) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('timesheets as t', 't.assignment_id', 'a.id')
    .select([
      'a.id as assignment_id',
      'a.status as assignment_status',
      'a.user_id',
      'a.mission_id',
      'u.first_name',
      'u.last_name',
      'u.employment_type',
      'm.title as mission_title',
      'm.starts_at as planned_start',
      'm.ends_at as planned_end',
      'p.id as project_id',
      'p.name as project_name',
      'r.name as role_name',
      't.id as timesheet_id',
      't.status',
      't.worked_start',
      't.worked_end',
      't.break_minutes',
      't.comment',
      't.pay_basis',
      't.cachets',
      't.submitted_at',
      't.decided_at',
      't.decided_by',
      't.sent_back_reason',
      't.updated_at',
    ]);
}

export type EngagementRow = Awaited<
  ReturnType<ReturnType<typeof engagementQuery>['executeTakeFirstOrThrow']>
>;
