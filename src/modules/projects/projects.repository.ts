import type { OrgId } from '../../platform/auth/org-scope.js';
import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { ProjectsTable, ProjectStatus } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

export type ProjectRow = Selectable<ProjectsTable>;

export function toProject(row: ProjectRow) {
  return {
    id: row.id,
    org_id: row.org_id,
    name: row.name,
    description: row.description,
    status: row.status,
    starts_at: row.starts_at,
    ends_at: row.ends_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function insertProject(db: Executor, row: ProjectRow): Promise<void> {
  await db.insertInto('projects').values(row).execute();
}

export function findProject(db: Executor, orgId: OrgId, projectId: string) {
  return db
    .selectFrom('projects')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', projectId)
    .executeTakeFirst();
}

export function findProjectByName(db: Executor, orgId: OrgId, name: string) {
  return db
    .selectFrom('projects')
    .select('id')
    .where('org_id', '=', orgId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function updateProject(
  db: Executor,
  orgId: OrgId,
  projectId: string,
  changes: Partial<Omit<ProjectRow, 'id' | 'org_id' | 'created_at'>>,
): Promise<void> {
  await db
    .updateTable('projects')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('id', '=', projectId)
    .execute();
}

/** Missions, roles, assignments and invitations go with it (foreign keys cascade). */
export async function deleteProject(db: Executor, orgId: OrgId, projectId: string): Promise<void> {
  await db.deleteFrom('projects').where('org_id', '=', orgId).where('id', '=', projectId).execute();
}

export async function projectHasAcceptedAssignments(
  db: Executor,
  orgId: OrgId,
  projectId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .select('a.id')
    .where('a.org_id', '=', orgId)
    .where('m.org_id', '=', orgId)
    .where('m.project_id', '=', projectId)
    .where('a.status', '=', 'ACCEPTED')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface ProjectFilter {
  status?: ProjectStatus | undefined;
  q?: string | undefined;
  sort: 'name' | 'created_at';
  after?: [string, string] | undefined;
  limit: number;
}

/** One page (plus one row) of the org's projects, in keyset order. */
export function listProjects(db: Executor, orgId: OrgId, filter: ProjectFilter) {
  let query = db.selectFrom('projects').selectAll().where('org_id', '=', orgId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.q) {
    const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
  }
  if (filter.after) query = query.where(after([filter.sort, 'id'], filter.after));
  return query
    .orderBy(filter.sort)
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
}
