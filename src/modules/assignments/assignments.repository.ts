import type { OrgId } from '../../platform/auth/org-scope.js';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { isoNow } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/database.js';
import type { AssignmentStatus, AssignmentsTable, DB, MissionsTable } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

/** What a planner or a crew member sees of an assignment, its mission and its role. */
const VIEW_COLUMNS = [
  'a.id',
  'a.org_id',
  'a.mission_id',
  'a.role_id',
  'a.user_id',
  'a.status',
  'a.note',
  'a.reason',
  'a.invited_by',
  'a.responded_at',
  'a.created_at',
  'a.updated_at',
  'r.name as role_name',
  'm.title as mission_title',
  'm.starts_at as mission_starts_at',
  'm.ends_at as mission_ends_at',
  'm.location as mission_location',
] as const;

/** An assignment with what a planner or a crew member needs to see of its mission and role. */
export function assignmentViews(db: Executor) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .select(VIEW_COLUMNS);
}

/**
 * The same view read mission by mission, in the order of the org's missions' start (`missions_org_starts_idx`,
 * then `assignments_mission_idx`): a page ordered by mission start costs its own rows, whatever the org's size.
 * `CROSS JOIN` keeps SQLite from starting with the org's assignments instead (by `org_id` and `status`), which
 * reads and sorts all of them (docs/database.md, "The org's assignment list"); PostgreSQL plans it as an inner join.
 * The org is the mission's: an assignment's `(org_id, mission_id)` references its mission's `(org_id, id)`
 * (migration 0006), so `a.org_id` needs no term of its own here — and must have none, or SQLite looks each
 * mission's assignments up among the org's by `(org_id, status)`.
 */
function assignmentViewsByMissionStart(db: Executor, orgId: OrgId) {
  return db
    .selectFrom('missions as m')
    .crossJoin('assignments as a')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .whereRef('a.mission_id', '=', 'm.id')
    .where('m.org_id', '=', orgId)
    .select(VIEW_COLUMNS);
}

export type AssignmentViewRow = Awaited<
  ReturnType<ReturnType<typeof assignmentViews>['executeTakeFirstOrThrow']>
>;

export function toAssignment(row: AssignmentViewRow) {
  return {
    id: row.id,
    org_id: row.org_id,
    mission_id: row.mission_id,
    role_id: row.role_id,
    user_id: row.user_id,
    status: row.status,
    note: row.note,
    reason: row.reason,
    invited_by: row.invited_by,
    responded_at: row.responded_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    role_name: row.role_name,
    mission: {
      id: row.mission_id,
      title: row.mission_title,
      starts_at: row.mission_starts_at,
      ends_at: row.mission_ends_at,
      location: row.mission_location,
    },
  };
}
export type AssignmentView = ReturnType<typeof toAssignment>;

export function findAssignmentView(db: Executor, orgId: OrgId, assignmentId: string) {
  return assignmentViews(db)
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', assignmentId)
    .executeTakeFirst();
}

/** The views of several assignments in one query, in the order of `assignmentIds` (missing ones left out). */
export async function findAssignmentViews(db: Executor, orgId: OrgId, assignmentIds: string[]) {
  if (assignmentIds.length === 0) return [];
  const rows = await assignmentViews(db)
    .where('a.org_id', '=', orgId)
    .where('a.id', 'in', assignmentIds)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return assignmentIds.flatMap((id) => byId.get(id) ?? []);
}

/** The mission to staff, with its project's status (staffing an archived project is refused). */
export function findStaffableMission(db: Executor, orgId: OrgId, missionId: string) {
  return db
    .selectFrom('missions as m')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .select(['m.id', 'm.title', 'm.starts_at', 'm.ends_at', 'p.status as project_status'])
    .where('m.org_id', '=', orgId)
    .where('m.id', '=', missionId)
    .executeTakeFirst();
}

/** The ids of the mission's roles. */
export async function listRoleIds(db: Executor, orgId: OrgId, missionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('mission_roles')
    .select('id')
    .where('org_id', '=', orgId)
    .where('mission_id', '=', missionId)
    .execute();
  return rows.map((r) => r.id);
}

export function findAssignment(db: Executor, orgId: OrgId, assignmentId: string) {
  return db
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', assignmentId)
    .executeTakeFirst();
}

export async function insertAssignment(db: Executor, row: AssignmentsTable): Promise<void> {
  await db.insertInto('assignments').values(row).execute();
}

/**
 * Moves the assignment from one of `from` to `to` if it is still there: the WHERE makes concurrent
 * transitions of one assignment exclusive. Returns whether it moved.
 */
export async function transition(
  db: Executor,
  orgId: OrgId,
  assignmentId: string,
  from: AssignmentStatus[],
  to: AssignmentStatus,
  reason: string | null,
): Promise<boolean> {
  const now = isoNow();
  const result = await db
    .updateTable('assignments')
    .set({ status: to, reason, responded_at: now, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', assignmentId)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Takes one slot of the role if one is free, in one statement: no race can overfill a quota. */
export async function takeSlot(db: Executor, orgId: OrgId, roleId: string): Promise<boolean> {
  const result = await db
    .updateTable('mission_roles')
    .set({ accepted_count: sql`accepted_count + 1` })
    .where('org_id', '=', orgId)
    .where('id', '=', roleId)
    .where(sql<boolean>`accepted_count < quota`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseSlot(db: Executor, orgId: OrgId, roleId: string): Promise<void> {
  await db
    .updateTable('mission_roles')
    .set({ accepted_count: sql`accepted_count - 1` })
    .where('org_id', '=', orgId)
    .where('id', '=', roleId)
    .where('accepted_count', '>', 0)
    .execute();
}

/**
 * What narrows every list of assignments, a planner's (`…/assignments`) and a crew member's (`/me/assignments`):
 * statuses, a window the mission overlaps, a page. `cursor` is the decoded key (mission start, assignment id).
 */
export interface AssignmentWindow {
  statuses?: AssignmentStatus[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: (string | number)[] | undefined;
}

/** The query tables every assignment list joins: `assignments as a` and `missions as m`. */
type WithAssignmentAndMission = DB & { a: AssignmentsTable; m: MissionsTable };

/** The window's conditions, for a query over `assignments as a` joined to `missions as m`. */
export function inWindow(window: AssignmentWindow) {
  return (eb: ExpressionBuilder<WithAssignmentAndMission, 'a' | 'm'>) => {
    const conditions: Expression<SqlBool>[] = [];
    if (window.statuses?.length) conditions.push(eb('a.status', 'in', window.statuses));
    if (window.from) conditions.push(eb('m.ends_at', '>', window.from));
    if (window.to) conditions.push(eb('m.starts_at', '<', window.to));
    if (window.cursor) conditions.push(after(['m.starts_at', 'a.id'], window.cursor));
    return eb.and(conditions);
  };
}

export interface AssignmentFilter extends AssignmentWindow {
  orgId: OrgId;
  missionId?: string | undefined;
  userId?: string | undefined;
  /** with `from`: no mission of the org starts before this (`from` less the org's longest mission) */
  earliestStart?: string | undefined;
}

/**
 * A page of assignments ordered by mission start, then id. One mission's or one person's are read from them
 * (their own indexes); the whole org's, mission by mission in start order.
 */
export function assignmentListQuery(db: Executor, filter: AssignmentFilter) {
  const narrowed = filter.missionId !== undefined || filter.userId !== undefined;
  let query = narrowed
    ? assignmentViews(db).where('a.org_id', '=', filter.orgId)
    : assignmentViewsByMissionStart(db, filter.orgId);
  if (filter.missionId) query = query.where('a.mission_id', '=', filter.missionId);
  if (filter.userId) query = query.where('a.user_id', '=', filter.userId);
  if (filter.earliestStart) query = query.where('m.starts_at', '>', filter.earliestStart);
  return query
    .where(inWindow(filter))
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .limit(filter.limit + 1);
}

export const listAssignmentRows = (db: Executor, filter: AssignmentFilter) =>
  assignmentListQuery(db, filter).execute();
