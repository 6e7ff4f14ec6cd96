import { isUniqueViolation } from '../../platform/db/errors.js';
import { recordAudit } from '../../platform/audit.js';
import type { OrgId, OrgScope } from '../../platform/auth/org-scope.js';
import { hasRole } from '../../platform/auth/roles.js';
import { isoNow, newId, toIso } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import type { ProjectStatus } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { toPage } from '../../platform/http/pagination.js';
import { decodeKeyset, keysetOf } from '../../platform/http/keyset.js';
import {
  deleteProject as deleteProjectRow,
  findProject,
  findProjectByName,
  insertProject,
  listProjects as listProjectRows,
  projectHasAcceptedAssignments,
  toProject,
  updateProject as updateProjectRow,
  type ProjectRow,
} from './projects.repository.js';

export interface CreateProjectInput {
  name: string;
  description?: string | null | undefined;
  status?: 'DRAFT' | 'ACTIVE' | undefined;
  starts_at?: string | null | undefined;
  ends_at?: string | null | undefined;
}

export type UpdateProjectInput = Partial<{
  name: string;
  description: string | null;
  status: ProjectStatus;
  starts_at: string | null;
  ends_at: string | null;
}>;

const FORWARD: Record<ProjectStatus, ProjectStatus[]> = {
  DRAFT: ['ACTIVE', 'ARCHIVED'],
  ACTIVE: ['ARCHIVED'],
  ARCHIVED: ['ACTIVE'],
};

const optionalIso = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : toIso(value);

const datesInOrder = (startsAt: string | null, endsAt: string | null) =>
  startsAt === null || endsAt === null || endsAt >= startsAt;

function assertDates(startsAt: string | null, endsAt: string | null): void {
  if (!datesInOrder(startsAt, endsAt)) {
    throw new AppError('validation_failed', 'ends_at must not be before starts_at', {
      errors: [{ location: 'body', path: '/ends_at', message: 'must not be before starts_at' }],
    });
  }
}

function nameTaken(name: string): AppError {
  return new AppError('name_taken', `A project named "${name}" already exists in this org`);
}

export function archivedError(): AppError {
  return new AppError(
    'project_archived',
    'The project is archived and read-only: an admin can reactivate it (status ACTIVE)',
  );
}

/** The project, or a 404 that reads the same for another org's project and a random id. */
export async function loadProject(db: Executor, orgId: OrgId, projectId: string): Promise<ProjectRow> {
  const project = await findProject(db, orgId, projectId);
  if (!project) throw notFound('Project');
  return project;
}

/** For writes below a project (its missions and roles): 404 if absent, 409 if archived. */
export async function loadWritableProject(db: Executor, orgId: OrgId, projectId: string) {
  const project = await loadProject(db, orgId, projectId);
  if (project.status === 'ARCHIVED') throw archivedError();
  return project;
}

async function withUniqueName<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
}

export async function createProject(db: Db, scope: OrgScope, input: CreateProjectInput) {
  const { orgId } = scope;
  const name = input.name.trim();
  const startsAt = optionalIso(input.starts_at) ?? null;
  const endsAt = optionalIso(input.ends_at) ?? null;
  assertDates(startsAt, endsAt);
  const now = isoNow();
  const row: ProjectRow = {
    id: newId(),
    org_id: orgId,
    name,
    description: input.description ?? null,
    status: input.status ?? 'DRAFT',
    starts_at: startsAt,
    ends_at: endsAt,
    created_at: now,
    updated_at: now,
  };
  return withUniqueName(name, () =>
    db.transaction().execute(async (tx) => {
      if (await findProjectByName(tx, orgId, name)) throw nameTaken(name);
      await insertProject(tx, row);
      const project = toProject(row);
      await recordAudit(tx, scope, {
        orgId,
        action: 'project.create',
        entityType: 'project',
        entityId: row.id,
        after: project,
      });
      return project;
    }),
  );
}

export async function getProject(db: Db, scope: OrgScope, projectId: string) {
  const { orgId } = scope;
  return toProject(await loadProject(db, orgId, projectId));
}

export async function listProjects(
  db: Db,
  scope: OrgScope,
  query: {
    status?: ProjectStatus | undefined;
    q?: string | undefined;
    sort?: 'name' | 'created_at' | undefined;
    limit?: number | undefined;
    cursor?: string | undefined;
  },
) {
  const { orgId } = scope;
  const sort = query.sort ?? 'name';
  const limit = query.limit ?? 50;
  const rows = await listProjectRows(db, orgId, {
    status: query.status,
    q: query.q?.trim() || undefined,
    sort,
    after: decodeKeyset(query.cursor, sort, sort === 'name' ? 'text' : 'time'),
    limit,
  });
  return toPage(rows, limit, (row) => keysetOf(sort, row[sort], row.id), toProject);
}

export async function updateProject(db: Db, scope: OrgScope, projectId: string, input: UpdateProjectInput) {
  const { orgId } = scope;
  const name = input.name?.trim();
  return withUniqueName(name ?? '', () =>
    db.transaction().execute(async (tx) => {
      // Read under the project's lock: a concurrent PATCH's dates are seen before ours are checked.
      await lockRow(tx, 'projects', projectId);
      const current = await loadProject(tx, orgId, projectId);
      const status = input.status ?? current.status;
      if (status !== current.status) {
        if (!FORWARD[current.status].includes(status)) {
          throw new AppError('invalid_transition', `A project cannot go from ${current.status} to ${status}`);
        }
        if (current.status === 'ARCHIVED' && !hasRole(scope.role, 'admin')) {
          throw new AppError('forbidden', 'Only an admin or the owner can reactivate an archived project');
        }
      } else if (current.status === 'ARCHIVED') {
        throw archivedError();
      }

      const changes: Partial<ProjectRow> = {};
      if (name !== undefined && name !== current.name) {
        if (await findProjectByName(tx, orgId, name)) throw nameTaken(name);
        changes.name = name;
      }
      if (input.description !== undefined) changes.description = input.description;
      if (status !== current.status) changes.status = status;
      const startsAt = optionalIso(input.starts_at);
      const endsAt = optionalIso(input.ends_at);
      if (startsAt !== undefined) changes.starts_at = startsAt;
      if (endsAt !== undefined) changes.ends_at = endsAt;
      if ((startsAt === undefined) === (endsAt === undefined)) {
        assertDates(startsAt ?? current.starts_at, endsAt ?? current.ends_at);
      } else if (!datesInOrder(startsAt ?? current.starts_at, endsAt ?? current.ends_at)) {
        // One new date against the stored other: a conflict with the current state (a concurrent PATCH may
        // just have changed it), not a malformed body.
        throw new AppError(
          'dates_conflict',
          'ends_at must not be before starts_at, with the stored other date',
          {
            errors: [{ location: 'body', path: '/ends_at', message: 'must not be before starts_at' }],
            starts_at: current.starts_at,
            ends_at: current.ends_at,
          },
        );
      }

      const before = toProject(current);
      const updated: ProjectRow = { ...current, ...changes, updated_at: isoNow() };
      await updateProjectRow(tx, orgId, projectId, { ...changes, updated_at: updated.updated_at });
      const after = toProject(updated);
      await recordAudit(tx, scope, {
        orgId,
        action: 'project.update',
        entityType: 'project',
        entityId: projectId,
        before,
        after,
      });
      return after;
    }),
  );
}

export async function deleteProject(db: Db, scope: OrgScope, projectId: string): Promise<void> {
  const { orgId } = scope;
  await db.transaction().execute(async (tx) => {
    const current = await loadProject(tx, orgId, projectId);
    if (current.status === 'ARCHIVED') throw archivedError();
    if (await projectHasAcceptedAssignments(tx, orgId, projectId)) {
      throw new AppError(
        'in_use',
        'Some missions of this project have accepted assignments: cancel them, or archive the project instead',
      );
    }
    await deleteProjectRow(tx, orgId, projectId);
    await recordAudit(tx, scope, {
      orgId,
      action: 'project.delete',
      entityType: 'project',
      entityId: projectId,
      before: toProject(current),
    });
  });
}
