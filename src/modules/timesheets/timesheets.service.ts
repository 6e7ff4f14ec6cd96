import { recordAudit } from '../../platform/audit.js';
import { limitedToOwn, type OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow, newId, toIso } from '../../platform/clock.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { lockRow } from '../../platform/db/locks.js';
import type { PayBasis, TimesheetStatus } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { findOwnUserId } from '../users/users.repository.js';
import type { EngagementRow } from '../pay/engagements.repository.js';
import { monthRange } from '../pay/months.js';
import { loadPaySettings, workContextOf } from '../pay/pay-settings.repository.js';
import {
  findEngagement,
  insertTimesheet,
  listEngagements,
  updateTimesheet,
} from './timesheets.repository.js';
import { toTimesheet } from './timesheets.view.js';

/** Longest span a timesheet may cover: longer is a typing mistake, not a shift. */
const MAX_SPAN_MINUTES = 48 * 60;

export interface TimesheetInput {
  worked_start?: string;
  worked_end?: string;
  break_minutes?: number;
  comment?: string | null;
  pay_basis?: PayBasis | null;
  cachets?: number | null;
}

/** The engagement, if the caller may see it: a tech only their own (anything else is 404, like missing). */
async function accessible(db: Executor, scope: OrgScope, assignmentId: string): Promise<EngagementRow> {
  const row = await findEngagement(db, scope.orgId, assignmentId);
  if (!row) throw notFound('Timesheet');
  if (limitedToOwn(scope) && (await findOwnUserId(db, scope)) !== row.user_id) throw notFound('Timesheet');
  if (row.assignment_status !== 'ACCEPTED') {
    throw new AppError('invalid_transition', 'Only an ACCEPTED assignment has a timesheet', {
      assignment_status: row.assignment_status,
    });
  }
  return row;
}

async function view(db: Executor, scope: OrgScope, assignmentId: string) {
  const settings = await loadPaySettings(db, scope.orgId);
  return toTimesheet((await findEngagement(db, scope.orgId, assignmentId))!, workContextOf(settings));
}

export async function getTimesheet(db: Db, scope: OrgScope, assignmentId: string) {
  await accessible(db, scope, assignmentId);
  return view(db, scope, assignmentId);
}

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', message, { errors: [{ location: 'body', path, message }] });
}

function locked(status: TimesheetStatus): AppError {
  return new AppError('timesheet_locked', 'An approved timesheet is locked: a manager can reopen it', {
    timesheet_status: status,
  });
}

/** Creates the timesheet row with the planned defaults when it does not exist yet (under the assignment's lock). */
async function ensureRow(tx: Tx, scope: OrgScope, row: EngagementRow): Promise<EngagementRow> {
  await lockRow(tx, 'assignments', row.assignment_id);
  const current = (await findEngagement(tx, scope.orgId, row.assignment_id))!;
  if (current.timesheet_id) return current;
  const now = isoNow();
  const created = {
    id: newId(),
    org_id: scope.orgId,
    assignment_id: row.assignment_id,
    user_id: row.user_id,
    status: 'DRAFT' as const,
    worked_start: toIso(row.planned_start),
    worked_end: toIso(row.planned_end),
    break_minutes: 0,
    comment: null,
    pay_basis: null,
    cachets: null,
    submitted_at: null,
    decided_at: null,
    decided_by: null,
    sent_back_reason: null,
    created_at: now,
    updated_at: now,
  };
  await insertTimesheet(tx, created);
  await recordAudit(tx, scope, {
    orgId: scope.orgId,
    action: 'timesheet.create',
    entityType: 'timesheet',
    entityId: created.id,
    after: created,
  });
  return (await findEngagement(tx, scope.orgId, row.assignment_id))!;
}

/**
 * Enters worked times, breaks, a comment (the person or a manager) and the pay basis (managers only). Editable
 * while DRAFT or SENT_BACK; SUBMITTED by managers only; APPROVED is locked (409 `timesheet_locked`).
 */
export async function saveTimesheet(db: Db, scope: OrgScope, assignmentId: string, input: TimesheetInput) {
  const manager = !limitedToOwn(scope);
  if (!manager && (input.pay_basis !== undefined || input.cachets !== undefined)) {
    throw new AppError('forbidden', 'The pay basis and cachets of an engagement are set by a manager');
  }
  return db.transaction().execute(async (tx) => {
    const row = await ensureRow(tx, scope, await accessible(tx, scope, assignmentId));
    const status = row.status!;
    if (status === 'APPROVED') throw locked(status);
    if (status === 'SUBMITTED' && !manager) {
      throw new AppError(
        'invalid_transition',
        'A submitted timesheet waits for a manager: ask them to send it back',
        {
          timesheet_status: status,
        },
      );
    }
    const start = input.worked_start !== undefined ? toIso(input.worked_start) : toIso(row.worked_start!);
    const end = input.worked_end !== undefined ? toIso(input.worked_end) : toIso(row.worked_end!);
    const span = (Date.parse(end) - Date.parse(start)) / 60_000;
    if (span <= 0) throw invalid('/worked_end', 'worked_end must be after worked_start');
    if (span > MAX_SPAN_MINUTES) throw invalid('/worked_end', 'a timesheet covers at most 48 hours');
    const breakMinutes = input.break_minutes ?? row.break_minutes!;
    if (breakMinutes >= span) throw invalid('/break_minutes', 'breaks must be shorter than the worked span');
    const basis = input.pay_basis !== undefined ? input.pay_basis : row.pay_basis;
    const cachets = input.cachets !== undefined ? input.cachets : row.cachets;
    if (cachets !== null && basis !== 'CACHET') throw invalid('/cachets', 'cachets go with pay_basis CACHET');
    const change = {
      worked_start: start,
      worked_end: end,
      break_minutes: breakMinutes,
      comment: input.comment !== undefined ? input.comment : row.comment,
      pay_basis: basis,
      cachets: basis === 'CACHET' ? (cachets ?? 1) : null,
      updated_at: isoNow(),
    };
    if (!(await updateTimesheet(tx, scope.orgId, assignmentId, [status], change))) throw locked('APPROVED');
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'timesheet.update',
      entityType: 'timesheet',
      entityId: row.timesheet_id,
      before: {
        worked_start: row.worked_start,
        worked_end: row.worked_end,
        break_minutes: row.break_minutes,
        comment: row.comment,
        pay_basis: row.pay_basis,
        cachets: row.cachets,
      },
      after: change,
    });
    return view(tx, scope, assignmentId);
  });
}

type Action = 'submit' | 'approve' | 'send_back' | 'reopen';
const MOVES: Record<Action, { from: TimesheetStatus[]; to: TimesheetStatus; managerOnly: boolean }> = {
  submit: { from: ['DRAFT', 'SENT_BACK'], to: 'SUBMITTED', managerOnly: false },
  approve: { from: ['SUBMITTED'], to: 'APPROVED', managerOnly: true },
  send_back: { from: ['SUBMITTED'], to: 'SENT_BACK', managerOnly: true },
  reopen: { from: ['APPROVED'], to: 'DRAFT', managerOnly: true },
};

/** DRAFT | SENT_BACK → SUBMITTED → APPROVED | SENT_BACK; APPROVED → DRAFT (reopen). Anything else 409. */
export async function moveTimesheet(
  db: Db,
  scope: OrgScope,
  assignmentId: string,
  action: Action,
  reason: string | null = null,
) {
  const move = MOVES[action];
  if (move.managerOnly && limitedToOwn(scope)) {
    throw new AppError('forbidden', `Only a manager can ${action.replace('_', ' ')} a timesheet`);
  }
  return db.transaction().execute(async (tx) => {
    const row = await ensureRow(tx, scope, await accessible(tx, scope, assignmentId));
    const now = isoNow();
    const change =
      action === 'submit'
        ? { submitted_at: now, sent_back_reason: null }
        : action === 'reopen'
          ? { decided_at: null, decided_by: null }
          : {
              decided_at: now,
              decided_by: scope.accountId,
              sent_back_reason: action === 'send_back' ? reason : null,
            };
    const moved = await updateTimesheet(tx, scope.orgId, assignmentId, move.from, {
      status: move.to,
      ...change,
      updated_at: now,
    });
    if (!moved) {
      const status = row.status!;
      throw new AppError(
        'invalid_transition',
        `Cannot ${action.replace('_', ' ')} a timesheet that is ${status}`,
        {
          timesheet_status: status,
        },
      );
    }
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: `timesheet.${action}`,
      entityType: 'timesheet',
      entityId: row.timesheet_id,
      before: { status: row.status },
      after: { status: move.to, ...(reason !== null ? { reason } : {}) },
    });
    return view(tx, scope, assignmentId);
  });
}

export interface ListTimesheetsInput {
  month: string;
  user_id?: string | undefined;
  status?: TimesheetStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The timesheets of a local month (by mission start); a tech sees only their own. */
export async function listTimesheets(db: Db, scope: OrgScope, input: ListTimesheetsInput) {
  let userId = input.user_id;
  if (limitedToOwn(scope)) {
    const own = await findOwnUserId(db, scope);
    if (!own || (userId && userId !== own)) return { items: [], next_cursor: null };
    userId = own;
  }
  const settings = await loadPaySettings(db, scope.orgId);
  const { from, to } = monthRange(input.month, settings.timezone);
  const cursor = input.cursor ? decodeCursor(input.cursor, ['time', 'uuid']) : undefined;
  const rows = await listEngagements(db, scope.orgId, {
    from,
    to,
    userId,
    status: input.status,
    cursor,
    limit: input.limit,
  });
  const ctx = workContextOf(settings);
  return toPage(
    rows,
    input.limit,
    (r) => [toIso(r.planned_start), r.assignment_id],
    (r) => toTimesheet(r, ctx),
  );
}
