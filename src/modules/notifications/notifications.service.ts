import { recordAudit } from '../../platform/audit.js';
import type { OrgScope } from '../../platform/auth/org-scope.js';
import { isoNow } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { NotificationState } from '../../platform/db/tables.js';
import { AppError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import {
  findNotification,
  listNotificationRows,
  requeue,
  type NotificationRow,
} from './notifications.repository.js';

export function toNotificationView(n: NotificationRow) {
  return {
    id: n.id,
    kind: n.kind,
    state: n.state,
    recipient: n.recipient_email,
    user_id: n.user_id,
    account_id: n.account_id,
    assignment_id: n.assignment_id,
    event_id: n.event_id,
    message_id: n.message_id,
    attempts: n.attempts,
    next_attempt_at: n.due_at,
    last_error: n.last_error,
    sent_at: n.sent_at,
    created_at: n.created_at,
  };
}

export async function listNotifications(
  db: Db,
  scope: OrgScope,
  query: { state?: NotificationState; limit: number; cursor?: string },
) {
  const cursor = query.cursor ? decodeCursor(query.cursor, ['time', 'uuid']) : undefined;
  const rows = await listNotificationRows(db, scope.orgId, {
    limit: query.limit,
    ...(query.state ? { state: query.state } : {}),
    ...(cursor ? { cursor } : {}),
  });
  return toPage(rows, query.limit, (r) => [r.created_at, r.id], toNotificationView);
}

/** A dead notification goes back to the queue with a fresh set of attempts; the dispatcher sends it next. */
export async function retryNotification(db: Db, scope: OrgScope, id: string) {
  return db.transaction().execute(async (tx) => {
    const found = await findNotification(tx, scope.orgId, id);
    if (!found) throw notFound('Notification');
    if (found.state !== 'dead') {
      throw new AppError(
        'invalid_transition',
        `Only a dead notification is retried; this one is ${found.state}`,
        {
          notification_state: found.state,
        },
      );
    }
    await requeue(tx, id, isoNow());
    await recordAudit(tx, scope, {
      orgId: scope.orgId,
      action: 'notification.retry',
      entityType: 'notification',
      entityId: id,
      before: { state: found.state, attempts: found.attempts },
      after: { state: 'queued', attempts: 0 },
    });
    return toNotificationView((await findNotification(tx, scope.orgId, id))!);
  });
}
