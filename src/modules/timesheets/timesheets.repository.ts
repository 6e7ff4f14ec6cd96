import type { OrgId } from '../../platform/auth/org-scope.js';
import type { Executor } from '../../platform/db/database.js';
import type { TimesheetsTable, TimesheetStatus } from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';
import { engagementQuery } from '../pay/engagements.repository.js';

export function findEngagement(db: Executor, orgId: OrgId, assignmentId: string) {
  return engagementQuery(db, orgId).where('a.id', '=', assignmentId).executeTakeFirst();
}

export interface EngagementFilter {
  from: string;
  to: string;
  userId?: string | undefined;
  status?: TimesheetStatus | undefined;
  cursor?: (string | number)[] | undefined;
  limit: number;
}

/** ACCEPTED assignments whose mission starts in `[from, to)`, by mission start then assignment id. */
export function listEngagements(db: Executor, orgId: OrgId, f: EngagementFilter) {
  let q = engagementQuery(db, orgId)
    .where('a.status', '=', 'ACCEPTED')
    .where('m.starts_at', '>=', f.from)
    .where('m.starts_at', '<', f.to);
  if (f.userId) q = q.where('a.user_id', '=', f.userId);
  if (f.status === 'DRAFT')
    q = q.where((eb) => eb.or([eb('t.status', 'is', null), eb('t.status', '=', 'DRAFT')]));
  else if (f.status) q = q.where('t.status', '=', f.status);
  if (f.cursor) q = q.where(after(['m.starts_at', 'a.id'], f.cursor));
  return q
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .limit(f.limit + 1)
    .execute();
}

export async function insertTimesheet(db: Executor, row: TimesheetsTable): Promise<void> {
  await db.insertInto('timesheets').values(row).execute();
}

export type TimesheetChange = Partial<
  Pick<
    TimesheetsTable,
    | 'status'
    | 'worked_start'
    | 'worked_end'
    | 'break_minutes'
    | 'comment'
    | 'pay_basis'
    | 'cachets'
    | 'submitted_at'
    | 'decided_at'
    | 'decided_by'
    | 'sent_back_reason'
  >
>;

/** Updates a timesheet only while it is in one of `from`: a concurrent approval makes this a no-op (false). */
export async function updateTimesheet(
  db: Executor,
  orgId: OrgId,
  assignmentId: string,
  from: readonly TimesheetStatus[],
  change: TimesheetChange & { updated_at: string },
): Promise<boolean> {
  const result = await db
    .updateTable('timesheets')
    .set(change)
    .where('org_id', '=', orgId)
    .where('assignment_id', '=', assignmentId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
