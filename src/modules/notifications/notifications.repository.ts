import { PostgresAdapter, sql, type ExpressionBuilder } from 'kysely';
import type { OrgId } from '../../platform/auth/org-scope.js';
import { newId } from '../../platform/clock.js';
import { asJson, toJson, type Executor, type Tx } from '../../platform/db/database.js';
import type {
  DB,
  LinksTable,
  NotificationKind,
  NotificationState,
  NotificationsTable,
} from '../../platform/db/tables.js';
import { after } from '../../platform/http/pagination.js';

export interface NotificationRow extends Omit<NotificationsTable, 'payload'> {
  payload: Record<string, unknown>;
}

const isPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;

function parse(row: NotificationsTable): NotificationRow {
  return {
    ...row,
    event_id: row.event_id === null ? null : Number(row.event_id),
    payload: asJson<Record<string, unknown>>(row.payload) ?? {},
  };
}

export interface NewNotification {
  orgId: OrgId | null;
  kind: NotificationKind;
  recipientEmail: string;
  userId?: string | null;
  accountId?: string | null;
  assignmentId?: string | null;
  eventId: number | null;
  coalesceKey?: string | null;
  payload: Record<string, unknown>;
  dueAt: string;
  now: string;
  messageDomain: string;
}

export async function insertNotification(db: Executor, n: NewNotification): Promise<string> {
  const row = notificationRow(n);
  await db.insertInto('notifications').values(row).execute();
  return row.id;
}

/** A new queued notification's row, with its id and its stable Message-ID. */
export function notificationRow(n: NewNotification): NotificationsTable {
  const id = newId();
  return {
    id,
    org_id: n.orgId,
    kind: n.kind,
    recipient_email: n.recipientEmail,
    user_id: n.userId ?? null,
    account_id: n.accountId ?? null,
    assignment_id: n.assignmentId ?? null,
    event_id: n.eventId,
    coalesce_key: n.coalesceKey ?? null,
    payload: toJson(n.payload)!,
    state: 'queued',
    attempts: 0,
    due_at: n.dueAt,
    claimed_until: null,
    last_error: null,
    // Stable across retries: a receiver recognises a duplicate of an at-least-once delivery.
    message_id: `<${id}@${n.messageDomain}>`,
    sent_at: null,
    created_at: n.now,
    updated_at: n.now,
  };
}

/** Rows of one planning batch in one statement each: the notifications, and the signed links they carry. */
export async function insertPlanned(
  db: Executor,
  planned: { links: LinksTable[]; notifications: NotificationsTable[] },
): Promise<void> {
  if (planned.links.length > 0) await db.insertInto('invitations').values(planned.links).execute();
  if (planned.notifications.length > 0)
    await db.insertInto('notifications').values(planned.notifications).execute();
}

/** A queued, unclaimed notification with this key still waiting for its window to close, locked for update. */
export async function findOpenCoalesced(tx: Tx, key: string, now: string): Promise<NotificationRow | null> {
  let query = tx
    .selectFrom('notifications')
    .selectAll()
    .where('coalesce_key', '=', key)
    .where('state', '=', 'queued')
    .where('attempts', '=', 0)
    .where('due_at', '>', now)
    .where('claimed_until', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1);
  if (isPostgres(tx)) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? parse(row) : null;
}

export async function setPayload(db: Executor, id: string, payload: unknown, now: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ payload: toJson(payload)!, updated_at: now })
    .where('id', '=', id)
    .execute();
}

const dueNow = (db: Executor, now: string) =>
  db
    .selectFrom('notifications')
    .select('id')
    .where('state', 'in', ['queued', 'failed'])
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]));

/**
 * Whether a round has anything to do, in one indexed query: an event after `afterEventId` (the planner's cursor
 * as this instance last saw it) and a notification due at `now`. An idle round costs this query alone.
 */
export async function pendingWork(db: Executor, afterEventId: number, now: string) {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('events').select('id').where('id', '>', afterEventId).orderBy('id').limit(1).as('event'),
      dueNow(db, now).limit(1).as('due'),
    ])
    .executeTakeFirstOrThrow();
  return { events: row.event !== null, due: row.due !== null };
}

/**
 * Claims up to `limit` due notifications for `leaseMs`: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so two
 * instances never take the same row; an instance that dies mid-send loses its lease and another retries.
 */
export async function claimDue(db: Executor, now: string, leaseUntil: string, limit: number) {
  const due = dueNow(db, now).orderBy('due_at').limit(limit);
  const rows = await db
    .updateTable('notifications')
    .set({ claimed_until: leaseUntil })
    .where('id', 'in', isPostgres(db) ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
  return rows.map(parse);
}

/** The mails of one claimed batch that went out, marked in one statement (one commit, not one per mail). */
export async function markSent(db: Executor, ids: readonly string[], now: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notifications')
    .set({ state: 'sent', sent_at: now, claimed_until: null, attempts: sql`attempts + 1`, updated_at: now })
    .where('id', 'in', ids)
    .execute();
}

export async function markFailed(
  db: Executor,
  id: string,
  update: { state: 'failed' | 'dead'; attempts: number; dueAt: string; error: string; now: string },
): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      state: update.state,
      attempts: update.attempts,
      due_at: update.dueAt,
      last_error: update.error.slice(0, 500),
      claimed_until: null,
      updated_at: update.now,
    })
    .where('id', '=', id)
    .execute();
}

/** Moves a claimed notification to a later time without counting an attempt (a reminder whose mission moved). */
export async function postpone(db: Executor, id: string, dueAt: string, now: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ due_at: dueAt, claimed_until: null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * Retention: deletes up to `limit` notifications sent before `sentBefore`. Queued, failed (awaiting a retry) and
 * dead ones (an admin may retry them) are never deleted. Returns how many.
 */
export async function pruneSentNotifications(
  db: Executor,
  sentBefore: string,
  limit: number,
): Promise<number> {
  const old = db
    .selectFrom('notifications')
    .select('id')
    .where('state', '=', 'sent')
    .where('sent_at', '<', sentBefore)
    .limit(limit);
  const result = await db.deleteFrom('notifications').where('id', 'in', old).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Queued notifications with nothing left to say, deleted together at the end of a claimed batch. */
export async function dropNotifications(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('notifications').where('id', 'in', ids).where('state', '!=', 'sent').execute();
}

/**
 * The waiting (queued or failed) reminders of these assignments, found by `notifications_assignment_kind_state_idx`
 * (migration 0011): never by the due index, which would read every queued notification of every org.
 */
const waitingReminders = (assignmentIds: readonly string[]) => (eb: ExpressionBuilder<DB, 'notifications'>) =>
  eb.and([
    eb('kind', '=', 'reminder'),
    eb('state', 'in', ['queued', 'failed']),
    eb('assignment_id', 'in', assignmentIds),
  ]);

export const queuedRemindersQuery = (db: Executor, assignmentIds: readonly string[]) =>
  db.selectFrom('notifications').select(['id', 'assignment_id']).where(waitingReminders(assignmentIds));

export function queuedReminders(db: Executor, assignmentIds: string[]) {
  if (assignmentIds.length === 0) return Promise.resolve([]);
  return queuedRemindersQuery(db, assignmentIds).execute();
}

export const dropQueuedRemindersQuery = (db: Executor, assignmentIds: readonly string[]) =>
  db.deleteFrom('notifications').where(waitingReminders(assignmentIds));

export async function dropQueuedReminders(db: Executor, assignmentIds: string | readonly string[]) {
  const ids = typeof assignmentIds === 'string' ? [assignmentIds] : assignmentIds;
  if (ids.length === 0) return;
  await dropQueuedRemindersQuery(db, ids).execute();
}

export async function listNotificationRows(
  db: Executor,
  orgId: OrgId,
  filter: { state?: NotificationState; limit: number; cursor?: (string | number)[] },
) {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.cursor) query = query.where(after(['created_at', 'id'], filter.cursor, 'desc'));
  return (await query.execute()).map(parse);
}

export async function findNotification(db: Executor, orgId: OrgId, id: string) {
  const row = await db
    .selectFrom('notifications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? parse(row) : null;
}

export async function requeue(db: Executor, id: string, now: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      state: 'queued',
      attempts: 0,
      due_at: now,
      last_error: null,
      claimed_until: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}
