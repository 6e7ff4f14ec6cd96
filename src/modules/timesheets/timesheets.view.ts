import type { PayBasis, TimesheetStatus } from '../../platform/db/tables.js';
import type { EngagementRow } from '../pay/engagements.repository.js';
import { breakDownWork, minutesBetween, type WorkContext } from '../pay/work-time.js';
import { toIso } from '../../platform/clock.js';

/** A timesheet as the API shows it: the saved one, or the defaults of an ACCEPTED assignment not entered yet. */
export function toTimesheet(row: EngagementRow, ctx: WorkContext) {
  const workedStart = row.worked_start ? toIso(row.worked_start) : toIso(row.planned_start);
  const workedEnd = row.worked_end ? toIso(row.worked_end) : toIso(row.planned_end);
  const breakMinutes = row.break_minutes ?? 0;
  const work = breakDownWork(workedStart, workedEnd, breakMinutes, ctx);
  return {
    assignment_id: row.assignment_id,
    timesheet_id: row.timesheet_id,
    saved: row.timesheet_id !== null,
    user_id: row.user_id,
    user_name: `${row.first_name} ${row.last_name}`,
    mission: {
      id: row.mission_id,
      title: row.mission_title,
      starts_at: toIso(row.planned_start),
      ends_at: toIso(row.planned_end),
    },
    project: { id: row.project_id, name: row.project_name },
    role_name: row.role_name,
    status: (row.status ?? 'DRAFT') as TimesheetStatus,
    worked_start: workedStart,
    worked_end: workedEnd,
    break_minutes: breakMinutes,
    comment: row.comment ?? null,
    pay_basis: (row.pay_basis ?? null) as PayBasis | null,
    cachets: row.cachets ?? null,
    submitted_at: row.submitted_at ? toIso(row.submitted_at) : null,
    decided_at: row.decided_at ? toIso(row.decided_at) : null,
    decided_by: row.decided_by ?? null,
    sent_back_reason: row.sent_back_reason ?? null,
    minutes: {
      planned: minutesBetween(row.planned_start, row.planned_end),
      elapsed: work.elapsed_minutes,
      worked: work.worked_minutes,
      night: work.night_minutes,
      sunday: work.sunday_minutes,
      holiday: work.holiday_minutes,
    },
  };
}

export type TimesheetView = ReturnType<typeof toTimesheet>;
