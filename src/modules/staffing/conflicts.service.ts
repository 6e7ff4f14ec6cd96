import type { OrgScope } from '../../platform/auth/org-scope.js';
import { DAY, isoNow } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { AppError, notFound } from '../../platform/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../../platform/http/pagination.js';
import { findUserRow } from '../users/users.repository.js';
import { contextFor, loadBusyContexts, loadRuleSettings } from './busy.repository.js';
import { personConflictItems, type Conflict } from './conflict-items.js';
import { listActiveAssignmentsInWindow } from './conflicts.repository.js';
import { judge, LOOKAROUND_MS, nearby } from './rules.js';

export const MAX_CONFLICT_WINDOW_DAYS = 366;
/** The default window: the coming year, so that a season planned months ahead shows up without `to`. */
export const DEFAULT_CONFLICT_WINDOW_DAYS = 365;

export interface ConflictsInput {
  userId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

function conflictWindow(input: ConflictsInput): { from: number; to: number } {
  const from = Date.parse(input.from ?? isoNow());
  const to = input.to ? Date.parse(input.to) : from + DEFAULT_CONFLICT_WINDOW_DAYS * DAY;
  if (to <= from || to - from > MAX_CONFLICT_WINDOW_DAYS * DAY) {
    throw new AppError(
      'validation_failed',
      `to must be after from, at most ${MAX_CONFLICT_WINDOW_DAYS} days later`,
      { errors: [{ location: 'querystring', path: '/to', message: 'window out of range' }] },
    );
  }
  return { from, to };
}

/**
 * Every active assignment in the window that currently meets a rule, each judged against the person's other
 * assignments, unavailability and work elsewhere: one person's (`userId`), or the whole org's, in mission start
 * order, a page at a time.
 */
export function listConflicts(db: Db, scope: OrgScope, input: ConflictsInput): Promise<Page<Conflict>> {
  const window = conflictWindow(input);
  return input.userId === undefined
    ? orgConflicts(db, scope, input, window)
    : personConflicts(db, scope, input.userId, input, window);
}

/**
 * One person's: their busy time over the window and the rules' look-around is everything the page needs (the
 * same three busy-time queries as an accept, on the person's own index), so it is read once and judged here.
 */
async function personConflicts(
  db: Db,
  { orgId }: OrgScope,
  userId: string,
  input: ConflictsInput,
  window: { from: number; to: number },
): Promise<Page<Conflict>> {
  const [user, settings, contexts] = await Promise.all([
    findUserRow(db, orgId, userId),
    loadRuleSettings(db, orgId),
    loadBusyContexts(db, {
      orgId,
      userIds: [userId],
      window: { start: window.from - LOOKAROUND_MS, end: window.to + LOOKAROUND_MS },
    }),
  ]);
  if (!user) throw notFound('User');
  const cursor = input.cursor ? decodeCursor(input.cursor, ['time', 'uuid']) : undefined;
  const found = personConflictItems(
    contextFor(contexts, userId),
    user,
    window,
    settings,
    input.limit,
    cursor ? { start: Date.parse(String(cursor[0])), id: String(cursor[1]) } : undefined,
  );
  return pageOf(found, input.limit);
}

/**
 * The whole org's: assignments are read in growing batches and judged a batch at a time (three busy-time
 * queries per batch, for the people in it), until the page is full or the window is exhausted.
 */
async function orgConflicts(
  db: Db,
  { orgId }: OrgScope,
  input: ConflictsInput,
  window: { from: number; to: number },
): Promise<Page<Conflict>> {
  const settings = await loadRuleSettings(db, orgId);
  const from = new Date(window.from).toISOString();
  const to = new Date(window.to).toISOString();

  const found: Conflict[] = [];
  let cursor = input.cursor ? decodeCursor(input.cursor, ['time', 'uuid']) : undefined;
  for (let batchSize = Math.max(2 * input.limit, 50); found.length <= input.limit; batchSize *= 2) {
    const rows = await listActiveAssignmentsInWindow(db, orgId, {
      from,
      to,
      ...(cursor ? { cursor } : {}),
      limit: Math.min(batchSize, 2000),
    });
    if (rows.length === 0) break;
    const contexts = await loadBusyContexts(db, {
      orgId,
      userIds: [...new Set(rows.map((r) => r.user_id))],
      window: {
        start: Math.min(...rows.map((r) => Date.parse(r.starts_at))) - LOOKAROUND_MS,
        end: Math.max(...rows.map((r) => Date.parse(r.ends_at))) + LOOKAROUND_MS,
      },
    });
    for (const row of rows) {
      const assignment = { start: Date.parse(row.starts_at), end: Date.parse(row.ends_at) };
      const reasons = judge(
        assignment,
        nearby(contextFor(contexts, row.user_id), assignment, row.id),
        settings,
      );
      if (reasons.length === 0) continue;
      found.push({
        assignment_id: row.id,
        mission_id: row.mission_id,
        mission_title: row.title,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        status: row.status as Conflict['status'],
        user: { id: row.user_id, first_name: row.first_name, last_name: row.last_name },
        reasons,
      });
      if (found.length > input.limit) break;
    }
    const last = rows.at(-1)!;
    cursor = [last.starts_at, last.id];
    if (rows.length < Math.min(batchSize, 2000)) break;
  }
  return pageOf(found, input.limit);
}

/** The first `limit` found, and a cursor after the last of them when more were found. */
function pageOf(found: Conflict[], limit: number): Page<Conflict> {
  const items = found.slice(0, limit);
  const lastKept = items.at(-1);
  return {
    items,
    next_cursor:
      found.length > limit && lastKept ? encodeCursor([lastKept.starts_at, lastKept.assignment_id]) : null,
  };
}
