import { sql } from 'kysely';
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

/**
 * ACCEPTED assignments whose mission starts in `[from, to)`, by mission start then assignment id. Two steps:
 * the page's ids from the org's missions in the range (their `(org_id, starts_at)` index, then each mission's
 * active assignments through the partial index, which the planner uses only with the literal status list), then
 * the full rows of that page.
 */
export async function listEngagements(db: Executor, orgId: OrgId, f: EngagementFilter) {
  let page = db
    .selectFrom('missions as m')
    .crossJoin('assignments as a')
    .leftJoin('timesheets as t', 't.assignment_id', 'a.id')
    .select(['a.id'])
    .whereRef('a.mission_id', '=', 'm.id')
    .where('m.org_id', '=', orgId)
    .where('m.starts_at', '>=', f.from)
    .where('m.starts_at', '<', f.to)
    .where(sql<boolean>`a.status IN ('INVITED', 'ACCEPTED')`)
    .where('a.status', '=', 'ACCEPTED');
  if (f.userId) page = page.where('a.user_id', '=', f.userId);
  if (f.status === 'DRAFT') {
    page = page.where((eb) => eb.or([eb('t.status', 'is', null), eb('t.status', '=', 'DRAFT')]));
  } else if (f.status) page = page.where('t.status', '=', f.status);
  if (f.cursor) page = page.where(after(['m.starts_at', 'a.id'], f.cursor));
  const ids = await page
    .orderBy('m.starts_at')
    .orderBy('a.id')
    .limit(f.limit + 1)
    .execute();
  if (ids.length === 0) return [];
  return engagementQuery(db, orgId)
    .where(
      'a.id',
      'in',
      ids.map((r) => r.id),
    )
    .orderBy('m.starts_at')
    .orderBy('a.id')
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
