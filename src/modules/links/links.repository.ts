import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import type { LinksTable } from '../../platform/db/tables.js';

/** The assignment a link is made for, with what decides whether a link may be made at all. */
export function findLinkTarget(db: Executor, orgId: OrgId, assignmentId: string) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .select(['a.id', 'a.status', 'm.starts_at', 'p.status as project_status'])
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', assignmentId)
    .executeTakeFirst();
}

export async function insertLink(db: Executor, row: LinksTable): Promise<void> {
  await db.insertInto('invitations').values(row).execute();
}

/** Revokes every live link of the assignment; returns how many were live. */
export async function revokeLiveLinks(
  db: Executor,
  orgId: OrgId,
  assignmentId: string,
  now: string,
): Promise<number> {
  const result = await db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('org_id', '=', orgId)
    .where('assignment_id', '=', assignmentId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The live link whose token hashes to `tokenHash`: not revoked, not expired. */
export function findLiveLink(db: Executor, tokenHash: string, now: string) {
  return db
    .selectFrom('invitations')
    .select(['id', 'org_id', 'assignment_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** The little a link holder may see: the org's name, the mission, the role, the assignment's status. */
export function findPublicView(db: Executor, orgId: OrgId, assignmentId: string) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select([
      'a.status',
      'o.name as org_name',
      'm.title',
      'm.starts_at',
      'm.ends_at',
      'm.location',
      'r.name as role_name',
    ])
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', assignmentId)
    .executeTakeFirst();
}

export type PublicViewRow = NonNullable<Awaited<ReturnType<typeof findPublicView>>>;

export function toPublicView(row: PublicViewRow, expiresAt: string) {
  return {
    org: { name: row.org_name },
    mission: { title: row.title, starts_at: row.starts_at, ends_at: row.ends_at, location: row.location },
    role: { name: row.role_name },
    status: row.status,
    expires_at: expiresAt,
  };
}
export type PublicView = ReturnType<typeof toPublicView>;
