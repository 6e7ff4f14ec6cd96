import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import { HOUR, isoNow, toIso } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { AppError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { loadPaySettings } from '../pay/pay-settings.repository.js';
import { findAssignmentForDpae, listPending, upsertDeclaration } from './dpae.repository.js';

type DpaeRow = NonNullable<Awaited<ReturnType<typeof findAssignmentForDpae>>>;

const toDpae = (row: DpaeRow) => ({
  assignment_id: row.id,
  declared: row.declared_at !== null,
  declared_at: row.declared_at ? toIso(row.declared_at) : null,
  reference: row.reference ?? null,
  recorded_by: row.recorded_by ?? null,
});

export async function getDpae(db: Db, scope: OrgScope, assignmentId: string) {
  const row = await findAssignmentForDpae(db, scope.orgId, assignmentId);
  if (!row) throw notFound('Assignment');
  return toDpae(row);
}

/**
 * Records that the DPAE of an assignment was declared (when, and the URSSAF reference if any); recording it
 * again corrects it. Only for INVITED or ACCEPTED assignments. Audited.
 */
export async function recordDpae(
  db: Db,
  scope: OrgScope,
  assignmentId: string,
  input: { declared_at?: string; reference?: string | null },
) {
  return db.transaction().execute(async (tx) => {
    const before = await findAssignmentForDpae(tx, scope.orgId, assignmentId);
    if (!before) throw notFound('Assignment');
    if (before.status !== 'ACCEPTED' && before.status !== 'INVITED') {
      throw new AppError('invalid_transition', `No DPAE for an assignment that is ${before.status}`, {
        assignment_status: before.status,
      });
    }
    const now = isoNow();
    const row = {
      assignment_id: assignmentId,
      org_id: scope.orgId,
      declared_at: input.declared_at ? toIso(input.declared_at) : now,
      reference: input.reference ?? null,
      recorded_by: scope.accountId,
      created_at: now,
    };
    await upsertDeclaration(tx, row);
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'assignment.dpae',
      entityType: 'assignment',
      entityId: assignmentId,
      before: toDpae(before),
      after: { declared_at: row.declared_at, reference: row.reference },
    });
    return toDpae((await findAssignmentForDpae(tx, scope.orgId, assignmentId))!);
  });
}

/** ACCEPTED assignments starting within `withinHours` (default: the org's DPAE delay) with no DPAE recorded. */
export async function listMissingDpae(
  db: Db,
  scope: OrgScope,
  input: { within_hours?: number | undefined; limit: number; cursor?: string | undefined },
  now = Date.now(),
) {
  const settings = await loadPaySettings(db, scope.orgId);
  const hours = input.within_hours ?? settings.dpae_delay_hours;
  const cursor = input.cursor ? decodeCursor(input.cursor, ['time', 'uuid']) : undefined;
  const rows = await listPending(db, scope.orgId, {
    from: new Date(now).toISOString(),
    to: new Date(now + hours * HOUR).toISOString(),
    limit: input.limit,
    cursor,
  });
  const page = toPage(
    rows,
    input.limit,
    (r) => [toIso(r.starts_at), r.assignment_id],
    (r) => ({
      assignment_id: r.assignment_id,
      user_id: r.user_id,
      user_name: `${r.first_name} ${r.last_name}`,
      employment_type: r.employment_type,
      mission: { id: r.mission_id, title: r.mission_title, starts_at: toIso(r.starts_at) },
      role_name: r.role_name,
    }),
  );
  return { ...page, within_hours: hours };
}
