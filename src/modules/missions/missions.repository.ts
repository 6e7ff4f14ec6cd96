import type { OrgId } from '../../platform/auth/org-scope.js';
import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { MissionRolesTable, MissionsTable } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

export type MissionRow = Selectable<MissionsTable>;
export type RoleRow = Selectable<MissionRolesTable>;

/** Keeps every multi-row insert far below both dialects' bound-parameter limits. */
const CHUNK = 500;

export function toRole(row: RoleRow) {
  return {
    id: row.id,
    name: row.name,
    quota: row.quota,
    skill: row.skill,
    min_level: row.min_level,
    accepted: row.accepted_count,
    open_slots: row.quota - row.accepted_count,
  };
}

export function toMission(row: MissionRow, roles: RoleRow[]) {
  const apiRoles = roles.map(toRole);
  return {
    id: row.id,
    org_id: row.org_id,
    project_id: row.project_id,
    title: row.title,
    starts_at: row.starts_at,
    ends_at: row.ends_at,
    location: row.location,
    notes: row.notes,
    published: row.published_at !== null,
    published_at: row.published_at,
    open_slots: apiRoles.reduce((sum, r) => sum + r.open_slots, 0),
    roles: apiRoles,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function insertMissions(db: Executor, rows: MissionRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('missions')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

export async function insertRoles(db: Executor, rows: RoleRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('mission_roles')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

export function findMission(db: Executor, orgId: OrgId, missionId: string) {
  return db
    .selectFrom('missions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', missionId)
    .executeTakeFirst();
}

/** The roles of many missions in one query, grouped by mission id. */
export async function rolesOf(
  db: Executor,
  orgId: OrgId,
  missionIds: string[],
): Promise<Map<string, RoleRow[]>> {
  const byMission = new Map<string, RoleRow[]>(missionIds.map((id) => [id, []]));
  if (missionIds.length === 0) return byMission;
  const rows = await db
    .selectFrom('mission_roles')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('mission_id', 'in', missionIds)
    .orderBy('created_at')
    .orderBy('name')
    .orderBy('id')
    .execute();
  for (const row of rows) byMission.get(row.mission_id)?.push(row);
  return byMission;
}

export function findRole(db: Executor, orgId: OrgId, missionId: string, roleId: string) {
  return db
    .selectFrom('mission_roles')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('mission_id', '=', missionId)
    .where('id', '=', roleId)
    .executeTakeFirst();
}

export async function updateMission(
  db: Executor,
  orgId: OrgId,
  missionId: string,
  changes: Partial<Omit<MissionRow, 'id' | 'org_id' | 'project_id' | 'created_at'>>,
): Promise<void> {
  await db
    .updateTable('missions')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', missionId)
    .execute();
}

/**
 * Changes a role unless its new quota would fall below the accepted count, checked by the same statement
 * that writes (and by the table's CHECK), so a concurrent acceptance cannot slip in between. False if refused.
 */
export async function updateRole(
  db: Executor,
  orgId: OrgId,
  roleId: string,
  changes: Partial<Pick<RoleRow, 'name' | 'quota' | 'skill' | 'min_level'>>,
): Promise<boolean> {
  let query = db
    .updateTable('mission_roles')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', roleId);
  if (changes.quota !== undefined) query = query.where('accepted_count', '<=', changes.quota);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes the role if nobody is accepted on it (in the same statement). False if refused. */
export async function deleteRole(db: Executor, orgId: OrgId, roleId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('mission_roles')
    .where('org_id', '=', orgId)
    .where('id', '=', roleId)
    .where('accepted_count', '=', 0)
    .where(noAcceptedAssignment(db, orgId, 'role_id', roleId))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * `NOT EXISTS` an ACCEPTED assignment on this role or mission: checked in the DELETE itself, so an accept that
 * commits first makes the delete refuse, never leaves an accepted person without a mission.
 */
function noAcceptedAssignment(db: Executor, orgId: OrgId, column: 'role_id' | 'mission_id', id: string) {
  const accepted = db
    .selectFrom('assignments')
    .select('assignments.id')
    .where('assignments.org_id', '=', orgId)
    .where(`assignments.${column}`, '=', id)
    .where('assignments.status', '=', 'ACCEPTED');
  return sql<boolean>`not exists ${accepted}`;
}

/** Deletes the mission (roles, assignments cascade) if nobody is accepted on it. False if refused. */
export async function deleteMission(db: Executor, orgId: OrgId, missionId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('missions')
    .where('org_id', '=', orgId)
    .where('id', '=', missionId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('mission_roles')
            .select('mission_roles.id')
            .where('mission_roles.org_id', '=', orgId)
            .where('mission_roles.mission_id', '=', missionId)
            .where('mission_roles.accepted_count', '>', 0),
        ),
      ),
    )
    .where(noAcceptedAssignment(db, orgId, 'mission_id', missionId))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface MissionFilter {
  projectId?: string | undefined;
  from?: string | undefined;
  /** `starts_at > from − this`: lets the (org_id, starts_at) index bound the `from` side too. */
  earliestStart?: string | undefined;
  to?: string | undefined;
  published?: boolean | undefined;
  hasOpenSlots?: boolean | undefined;
  after?: [string, string] | undefined;
  limit: number;
}

/**
 * One page (plus one row) of the org's missions ordered by (starts_at, id). The date window is a range on
 * `starts_at` (`earliestStart` < starts_at < `to`) plus `ends_at > from`, so `missions_org_starts_idx`
 * (org_id, starts_at) serves both the filter and the order.
 */
export function listMissionsQuery(db: Executor, orgId: OrgId, filter: MissionFilter) {
  let query = db.selectFrom('missions as m').selectAll('m').where('m.org_id', '=', orgId);
  if (filter.projectId) query = query.where('m.project_id', '=', filter.projectId);
  if (filter.earliestStart) query = query.where('m.starts_at', '>', filter.earliestStart);
  if (filter.from) query = query.where('m.ends_at', '>', filter.from);
  if (filter.to) query = query.where('m.starts_at', '<', filter.to);
  if (filter.published === true) query = query.where('m.published_at', 'is not', null);
  if (filter.published === false) query = query.where('m.published_at', 'is', null);
  if (filter.hasOpenSlots !== undefined) {
    const open = filter.hasOpenSlots;
    query = query.where(({ exists, not, selectFrom }) => {
      const openRole = exists(
        selectFrom('mission_roles as r')
          .select('r.id')
          .where('r.org_id', '=', orgId)
          .whereRef('r.mission_id', '=', 'm.id')
          .whereRef('r.accepted_count', '<', 'r.quota'),
      );
      return open ? openRole : not(openRole);
    });
  }
  if (filter.after) query = query.where(after(['m.starts_at', 'm.id'], filter.after));
  return query
    .orderBy('m.starts_at')
    .orderBy('m.id')
    .limit(filter.limit + 1);
}
