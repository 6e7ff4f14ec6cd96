import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import type { DpaeDeclarationsTable } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

export function findAssignmentForDpae(db: Executor, orgId: OrgId, assignmentId: string) {
  return db
    .selectFrom('assignments as a')
    .leftJoin('dpae_declarations as d', 'd.assignment_id', 'a.id')
    .select(['a.id', 'a.status', 'd.declared_at', 'd.reference', 'd.recorded_by', 'd.created_at'])
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', assignmentId)
    .executeTakeFirst();
}

export async function upsertDeclaration(db: Executor, row: DpaeDeclarationsTable): Promise<void> {
  await db
    .insertInto('dpae_declarations')
    .values(row)
    .onConflict((oc) =>
      oc.column('assignment_id').doUpdateSet({
        declared_at: row.declared_at,
        reference: row.reference,
        recorded_by: row.recorded_by,
      }),
    )
    .execute();
}

/** ACCEPTED assignments of missions starting in `[from, to)` with no DPAE recorded, by start then id. */
export function listPending(
  db: Executor,
  orgId: OrgId,
  f: { from: string; to: string; limit: number; cursor?: (string | number)[] | undefined },
) {
  let q = db
    .selectFrom('assignments as a')
    .innerJoin('missions as m', 'm.id', 'a.mission_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .innerJoin('mission_roles as r', 'r.id', 'a.role_id')
    .leftJoin('dpae_declarations as d', 'd.assignment_id', 'a.id')
    .select([
      'a.id as assignment_id',
      'a.user_id',
      'u.first_name',
      'u.last_name',
      'u.employment_type',
      'm.id as mission_id',
      'm.title as mission_title',
      'm.starts_at',
      'r.name as role_name',
    ])
    .where('m.org_id', '=', orgId)
    .where('m.starts_at', '>=', f.from)
    .where('m.starts_at', '<', f.to)
    .where('a.org_id', '=', orgId)
    .where('a.status', '=', 'ACCEPTED')
    .where('d.assignment_id', 'is', null);
  if (f.cursor) q = q.where(after(['m.starts_at', 'a.id'], f.cursor));
  return q
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .limit(f.limit + 1)
    .execute();
}
